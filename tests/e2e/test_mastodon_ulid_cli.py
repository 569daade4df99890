"""`jamdeck record --source mastodon` against a server whose ids are ULIDs (GoToSocial), not
Mastodon snowflakes. Stopped with Ctrl-C once the store holds what was posted."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from desktop.core.paths import library_path
from tests.fakes.fake_mastodon import FakeMastodon
from tests.fakes.wait import wait_until


def stored(data_dir: Path) -> list[str]:
    path = library_path(data_dir)
    if not path.exists():
        return []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)  # read only: the CLI migrates
    try:
        return [
            post_id
            for (post_id,) in conn.execute(
                "SELECT p.network_id FROM session_posts sp JOIN posts p ON p.id = sp.post_id"
            )
        ]
    except sqlite3.Error:  # the schema is not there yet
        return []
    finally:
        conn.close()


def test_record_on_a_ulid_server_catches_up_streams_and_survives_a_reconnect(
    fixtures_dir, tmp_path
):
    data_dir = tmp_path / "data"
    now = datetime.now(UTC)
    with FakeMastodon(fixtures=fixtures_dir / "mastodon", ids="ulid") as fake:
        fake.add(fake.factory.make("long before", at=now - timedelta(hours=2)))
        expected = [
            str(fake.add(fake.factory.make(f"early {n}", at=now - timedelta(minutes=10 - n)))["id"])
            for n in range(3)
        ]
        proc = subprocess.Popen(
            [sys.executable, "-m", "desktop", "record", "--source", "mastodon",
             "--instance", fake.url, "--session", "m", "--hashtag", "jam", "--duration", "120"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=dict(os.environ, JAMDECK_DATA_DIR=str(data_dir), JAMDECK_MASTODON_TOKEN="good-token"),
        )  # fmt: skip
        try:
            wait_until(lambda: len(stored(data_dir)) >= 3, "the posts made before it started")
            assert fake.wait_for_streams(1, timeout=15)
            expected.append(str(fake.publish(fake.factory.make("live one"))["id"]))
            wait_until(lambda: len(stored(data_dir)) >= 4, "a streamed post")
            fake.cut_streams()  # a forced reconnect; this one is posted while it is down
            expected.append(str(fake.add(fake.factory.make("during the outage"))["id"]))
            assert fake.wait_for_streams(1, total=2, timeout=15)
            wait_until(lambda: len(stored(data_dir)) >= 5, "the post made during the outage")
            expected.append(str(fake.publish(fake.factory.make("after the reconnect"))["id"]))
            wait_until(lambda: len(stored(data_dir)) >= 6, "the post after the reconnect")
        finally:
            proc.send_signal(signal.SIGINT)
            out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "Recorded 6 new posts" in err, err
    ids = stored(data_dir)
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))
