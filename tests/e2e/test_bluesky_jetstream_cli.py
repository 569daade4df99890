"""`jamdeck record --source bluesky` with no account: Jetstream and the AppView are fakes on
127.0.0.1 (``JAMDECK_JETSTREAM_URL`` / ``JAMDECK_BLUESKY_APPVIEW``). The run is stopped with
Ctrl-C once the store holds what was posted; nothing waits for a fixed duration."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.core.paths import library_path
from tests.fakes.fake_jetstream import FakeJetstream
from tests.fakes.wait import wait_until

TAG = "JamTag"


def stored(data_dir: Path) -> list[tuple[str, str]]:
    """(post id, author handle) of every post in the session "bsky" so far."""
    path = library_path(data_dir)
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # read only: the CLI migrates
    try:
        return conn.execute(
            "SELECT p.network_id, p.author_handle FROM session_posts sp "
            "JOIN posts p ON p.id = sp.post_id JOIN sessions s ON s.id = sp.session_id "
            "WHERE s.name = 'bsky'"
        ).fetchall()
    except sqlite3.Error:  # the schema is not there yet
        return []
    finally:
        conn.close()


def test_record_follows_a_bluesky_jam_without_an_account_before_and_across_a_cut(tmp_path):
    data_dir = tmp_path / "data"
    now = datetime.now(UTC)
    with FakeJetstream() as jetstream:
        jetstream.post("made long before the session #jamtag", at=now - timedelta(hours=2))
        jetstream.noise(3, at=now - timedelta(minutes=6))
        expected = [
            jetstream.post("Q1 before it started #JamTag", at=now - timedelta(minutes=5)),
            jetstream.post(
                "A1 tags array only",
                did="did:plc:ben",
                tags=["jamtag"],
                at=now - timedelta(minutes=4),
            ),
        ]
        env = dict(
            os.environ,
            JAMDECK_DATA_DIR=str(data_dir),
            JAMDECK_JETSTREAM_URL=jetstream.url,
            JAMDECK_BLUESKY_APPVIEW=jetstream.appview_url,
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop", "record", "--source", "bluesky",
             "--session", "bsky", "--hashtag", TAG, "--duration", "120"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
        )  # fmt: skip
        try:
            wait_until(lambda: len(stored(data_dir)) >= 2, "the posts made before it started")
            expected.append(jetstream.post("A1 live #jamtag", did="did:plc:cy"))
            jetstream.noise(2)
            wait_until(lambda: len(stored(data_dir)) >= 3, "a live post")
            assert jetstream.cut() == 1  # the server cuts the connection...
            expected.append(jetstream.post("A2 during the cut #JAMTAG", did="did:plc:ben"))
            wait_until(lambda: len(stored(data_dir)) >= 4, "the post made across the cut")
            expected.append(jetstream.post("A3 after the cut #jamtag"))
            wait_until(lambda: len(stored(data_dir)) >= 5, "the post after the cut")
        finally:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
        assert len(jetstream.cursors) >= 2  # it did reconnect, with a cursor
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "Recorded 5 new posts" in err, err
    rows = stored(data_dir)
    assert sorted(post_id for post_id, _ in rows) == sorted(expected)
    handles = {post_id: handle for post_id, handle in rows}
    assert handles[expected[0]] == "ana.test"
    assert handles[expected[1]] == "ben.test"
    assert handles[expected[2]] == "cy.test"
    exported = subprocess.run(
        [sys.executable, "-m", "desktop", "export", "bsky", "--format", "jsonl"],
        capture_output=True, text=True, env=dict(os.environ, JAMDECK_DATA_DIR=str(data_dir)),
        timeout=60, check=True,
    )  # fmt: skip
    assert len([json.loads(line) for line in exported.stdout.splitlines()]) == 5
