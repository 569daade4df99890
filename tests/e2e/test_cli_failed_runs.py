"""A failed `jamdeck` run says so, exits non-zero and leaves no empty session
behind (issue 19, item 8; issue 21, item 10); a session the user had is kept."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

from tests.e2e.test_cli import jamdeck

DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo_jam.jsonl"


def _sessions(data: Path) -> dict[str, int]:
    listed = json.loads(jamdeck("sessions", "--json", data_dir=data).stdout)
    return {s["name"]: s["posts"] for s in listed}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("answers.csv", b"handle,text\nann,A1: hello\n", "not a JSON or JSONL archive"),
        ("noise.bin", os.urandom(4096).replace(b"{", b"x").replace(b"[", b"x"), "not a JSON"),
        ("other.json", b'{"kind": "something else", "items": 3}\n', "unknown JSON object"),
    ],
)
def test_an_import_that_imports_nothing_fails_and_creates_no_session(
    tmp_path, name, content, reason
):
    archive = tmp_path / name
    archive.write_bytes(content)
    data = tmp_path / "data"
    proc = jamdeck("import", archive, "--session", "jam", data_dir=data, check=False)
    assert proc.returncode != 0, proc.stdout
    assert reason in proc.stderr and "nothing imported" in proc.stderr
    assert "no session was created" in proc.stderr and "Traceback" not in proc.stderr
    assert "Imported 0" not in proc.stdout
    assert _sessions(data) == {}


def test_an_import_that_imports_nothing_keeps_the_users_session(tmp_path):
    data = tmp_path / "data"
    jamdeck("import", DEMO, "--session", "jam", data_dir=data)
    before = _sessions(data)
    archive = tmp_path / "answers.csv"
    archive.write_text("handle,text\nann,A1: hello\n")
    proc = jamdeck("import", archive, "--session", "jam", data_dir=data, check=False)
    assert proc.returncode != 0
    assert "session 'jam' is unchanged" in proc.stderr
    assert _sessions(data) == before and before["jam"] > 0
    # Importing what is already there is no failure: the posts are known.
    again = jamdeck("import", DEMO, "--session", "jam", data_dir=data)
    assert "Imported 0 new posts" in again.stdout


def _record_mastodon(data: Path, instance: str, *, duration: str = "3"):
    return jamdeck(
        "record",
        "--source",
        "mastodon",
        "--instance",
        instance,
        "--session",
        "jam",
        "--hashtag",
        "jam",
        "--duration",
        duration,
        data_dir=data,
        check=False,
    )


@pytest.fixture
def mastodon_token(monkeypatch):
    monkeypatch.setenv("JAMDECK_MASTODON_TOKEN", "a-token")


@pytest.mark.usefixtures("mastodon_token")
def test_record_against_an_unreachable_instance_fails_and_leaves_no_session(tmp_path):
    data = tmp_path / "data"
    port = _closed_port()
    proc = _record_mastodon(data, f"http://127.0.0.1:{port}")
    assert proc.returncode != 0, proc.stderr
    assert f"never reached the network: cannot reach 127.0.0.1:{port}" in proc.stderr
    assert "Traceback" not in proc.stderr and "a-token" not in proc.stderr
    assert _sessions(data) == {}


@pytest.mark.usefixtures("mastodon_token")
def test_record_against_an_unreachable_instance_keeps_an_existing_session(tmp_path):
    data = tmp_path / "data"
    jamdeck("import", DEMO, "--session", "jam", data_dir=data)
    before = _sessions(data)
    proc = _record_mastodon(data, f"http://127.0.0.1:{_closed_port()}")
    assert proc.returncode != 0 and "never reached the network" in proc.stderr
    assert _sessions(data) == before


def test_a_source_that_cannot_be_set_up_leaves_no_session(tmp_path):
    data = tmp_path / "data"
    proc = jamdeck(
        "record", "--source", "x", "--session", "s", "--hashtag", "jam", data_dir=data, check=False
    )
    assert proc.returncode == 3
    assert _sessions(data) == {}
