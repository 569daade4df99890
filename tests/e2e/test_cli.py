"""The `jamdeck` command as users run it: real subprocesses, a real library file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fakes.archive import write_archive


def jamdeck(*args, data_dir: Path, check=True, **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, JAMDECK_DATA_DIR=str(data_dir))
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        **kw,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"exit {proc.returncode}\nstdout:{proc.stdout}\nstderr:{proc.stderr}")
    return proc


def unique_data_ids(path: Path) -> set[str]:
    ids = set()
    for line in path.read_text().splitlines():
        ids.update(t["id"] for t in json.loads(line)["data"])
    return ids


# Each import test runs on a generated twarc2 file, then on the recorded one when present.
SEARCH_PAGES = {"generated": "gen_search.jsonl", "recorded": "kpop.jsonl"}
ALL_KINDS = {"generated": "gen_search.jsonl", "recorded": "brexit.jsonl"}


def _twarc2(payloads: Path, request, names: dict[str, str]) -> Path:
    return payloads / "x" / "twarc2" / names[request.node.callspec.params["payloads"]]


def test_importing_twice_gives_each_tweet_once(payloads, request, tmp_path):
    pages = _twarc2(payloads, request, SEARCH_PAGES)
    jamdeck("import", pages, "--session", "kpop", data_dir=tmp_path)
    second = jamdeck("import", pages, "--session", "kpop", data_dir=tmp_path)
    assert "Imported 0 new posts" in second.stdout
    sessions = json.loads(jamdeck("sessions", "--json", data_dir=tmp_path).stdout)
    expected = len(unique_data_ids(pages))
    assert expected == {"gen_search.jsonl": 8, "kpop.jsonl": 100}[pages.name]
    assert [(s["name"], s["posts"]) for s in sessions] == [("kpop", expected)]


def test_a_malformed_line_is_skipped_reported_and_the_rest_lands(payloads, request, tmp_path):
    if request.node.callspec.params["payloads"] == "recorded":
        # The recorded file's broken line is its last (line 8, cut off mid-object).
        path = payloads / "x" / "twarc2" / "streaming_output_with_error.jsonl"
    else:
        # Stream lines with the last one cut off mid-object, as the recorded file has it.
        lines = (payloads / "x" / "twarc2" / "gen_stream.jsonl").read_text().splitlines()[:7]
        path = tmp_path / "streaming_output_with_error.jsonl"
        path.write_text("\n".join([*lines, '{"data": {"author_id": "1021159080151404544"']) + "\n")
    proc = jamdeck("import", path, "--session", "s", data_dir=tmp_path)
    assert "streaming_output_with_error.jsonl:8: not valid JSON" in proc.stdout
    assert "Skipped 1:" in proc.stdout
    sessions = json.loads(jamdeck("sessions", "--json", data_dir=tmp_path).stdout)
    assert sessions[0]["posts"] == 7


def test_export_jsonl_and_csv_carry_the_documented_fields(payloads, request, tmp_path):
    path = _twarc2(payloads, request, ALL_KINDS)
    jamdeck("import", path, "--session", "brexit", data_dir=tmp_path)
    rows = [
        json.loads(line)
        for line in jamdeck(
            "export", "brexit", "--format", "jsonl", data_dir=tmp_path
        ).stdout.splitlines()
    ]
    assert len(rows) == len(unique_data_ids(path))
    for key in (
        "id",
        "network",
        "author",
        "text",
        "created_at",
        "kind",
        "url",
        "question",
        "question_source",
    ):
        assert key in rows[0]
    assert all(isinstance(r["id"], str) and r["created_at"].endswith("Z") for r in rows)
    kinds = {r["kind"] for r in rows}
    assert kinds == {"retweet", "quote", "reply", "original"}
    out = tmp_path / "brexit.csv"
    jamdeck("export", "brexit", "--format", "csv", "-o", out, data_dir=tmp_path)
    assert out.read_text().splitlines()[0].startswith("id,network,author,")


def test_unknown_session_is_a_clear_error_without_traceback(tmp_path):
    proc = jamdeck("export", "nope", data_dir=tmp_path, check=False)
    assert proc.returncode != 0
    assert "no session named 'nope'" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_newer_library_is_refused_with_a_message(tmp_path):
    jamdeck("sessions", data_dir=tmp_path)
    conn = sqlite3.connect(tmp_path / "library.db")
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    proc = jamdeck("sessions", data_dir=tmp_path, check=False)
    assert (
        proc.returncode != 0 and "newer JamDeck" in proc.stderr and "Traceback" not in proc.stderr
    )


@pytest.mark.slow
def test_sigkill_mid_import_loses_at_most_the_batch_in_flight(tmp_path):
    archive = write_archive(tmp_path / "big.jsonl", 60_000)
    data = tmp_path / "data"
    env = dict(os.environ, JAMDECK_DATA_DIR=str(data))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "desktop",
            "record",
            "--source",
            f"replay:{archive}",
            "--session",
            "big",
            "--hashtag",
            "benchjam",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    db = data / "library.db"
    deadline = time.monotonic() + 60
    count = 0
    try:
        while time.monotonic() < deadline and count < 5_000:
            if db.exists():
                try:
                    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
                    count = conn.execute("SELECT count(*) FROM session_posts").fetchone()[0]
                    conn.close()
                except sqlite3.OperationalError:
                    pass  # the schema is being created
            assert proc.poll() is None, proc.stderr.read().decode()
            time.sleep(0.05)  # polling a separate process's progress, not timing our own code
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    assert count >= 5_000
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    committed = conn.execute("SELECT count(*) FROM session_posts").fetchone()[0]
    # Everything counted before the kill is still there, and posts and members agree.
    assert committed >= count
    assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == committed
    conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, posts_fts, instance)")
    assert conn.execute("SELECT count(DISTINCT doc) FROM temp.words").fetchone()[0] == committed
    conn.close()
    # Importing again completes the session without duplicates.
    jamdeck("import", archive, "--session", "big", data_dir=data)
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM session_posts").fetchone()[0] == 60_000


def test_record_from_x_with_a_rejected_token_exits_quickly_with_a_clear_message(tmp_path):
    from tests.fakes.fake_x_api import FakeXApi

    with FakeXApi(bearer_token="the-right-token") as api:
        proc, elapsed = _record(
            ["--source", "x"],
            {"JAMDECK_X_API_BASE": api.base_url, "JAMDECK_X_BEARER_TOKEN": "a-wrong-token"},
            tmp_path,
        )
    assert proc.returncode == 3, proc.stderr
    assert "rejected" in proc.stderr.lower() and "credentials" in proc.stderr.lower()
    assert "Traceback" not in proc.stderr
    assert "a-wrong-token" not in proc.stderr + proc.stdout
    assert elapsed < 15


def test_record_from_x_without_any_token_says_how_to_give_one(tmp_path):
    proc = jamdeck(
        "record",
        "--source",
        "x",
        "--session",
        "s",
        "--hashtag",
        "jam",
        data_dir=tmp_path,
        check=False,
    )
    assert proc.returncode == 3
    assert "JAMDECK_X_BEARER_TOKEN" in proc.stderr and "Traceback" not in proc.stderr


def _record(args, env_extra, tmp_path):
    env = dict(os.environ, JAMDECK_DATA_DIR=str(tmp_path), **env_extra)
    started = time.monotonic()
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "desktop",
            "record",
            *args,
            "--session",
            "s",
            "--hashtag",
            "jam",
            "--duration",
            "60",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    return proc, time.monotonic() - started


def test_record_from_mastodon_with_a_rejected_token_exits_with_the_reason(tmp_path, generated_dir):
    from tests.fakes.fake_mastodon import FakeMastodon

    with FakeMastodon(token="good-token", fixtures=generated_dir / "mastodon") as server:
        proc, elapsed = _record(
            ["--source", "mastodon", "--instance", server.url],
            {"JAMDECK_MASTODON_TOKEN": "stale-token"},
            tmp_path,
        )
    assert proc.returncode == 3, proc.stderr
    assert "rejected the access token" in proc.stderr and "Traceback" not in proc.stderr
    assert "stale-token" not in proc.stderr
    assert elapsed < 15


def test_record_from_bluesky_with_a_wrong_app_password_exits_with_the_reason(tmp_path):
    from tests.fakes.fake_bluesky import FakeBluesky

    with FakeBluesky(handle="jammer.test", password="right-pass") as server:
        proc, elapsed = _record(
            ["--source", "bluesky", "--service", server.url],
            {"JAMDECK_BLUESKY_HANDLE": "jammer.test", "JAMDECK_BLUESKY_APP_PASSWORD": "wrong-pass"},
            tmp_path,
        )
    assert proc.returncode == 3, proc.stderr
    assert "Traceback" not in proc.stderr and "wrong-pass" not in proc.stderr
    assert elapsed < 15
