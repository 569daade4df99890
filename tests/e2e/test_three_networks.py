"""One session, three networks: the same hashtag on X, Mastodon and Bluesky at once.

The real adapters (built by the registry, as the CLI and the window build them)
talk HTTP through tweepy, Mastodon.py and atproto to the three fakes on
127.0.0.1, into one session of a real library. Waits poll the store or the
fakes with a deadline; nothing sleeps for timing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.app.actions import ActionQueue
from desktop.app.recording import SessionRecording
from desktop.core.actions import ActionState
from desktop.core.credentials import CredentialStore, MemoryKeyring
from desktop.core.paths import library_path
from desktop.sources.base import SourceState
from desktop.sources.registry import make_source
from desktop.sources.x import save_account
from desktop.store import library
from desktop.store.db import open_library
from desktop.store.writer import StoreWriter
from filters import compile_sql
from tests.fakes.three_networks import NETWORKS, X_USER, ThreeNetworks
from tests.fakes.wait import WAIT, wait_until

TAG = "jam"


@pytest.fixture
def nets(payloads, monkeypatch):
    """Mastodon's statuses made from a generated status, then from the recorded one."""
    with ThreeNetworks(fixtures_dir=payloads, tag=TAG) as networks:
        for name, value in networks.environ().items():
            monkeypatch.setenv(name, value)
        yield networks


@pytest.fixture
def credentials() -> CredentialStore:
    return CredentialStore(backend=MemoryKeyring())


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def writer(data_dir):
    store = StoreWriter(library_path(data_dir))
    yield store
    store.close()


def new_session(writer: StoreWriter, name: str = "jam3") -> int:
    return writer.call(
        lambda ctx: library.create_session(ctx.conn, name, hashtags=[TAG], sources=list(NETWORKS)),
        notify=False,
    )


def three_sources(nets: ThreeNetworks, credentials: CredentialStore, *, since: datetime) -> dict:
    """The three adapters as the registry makes them, credentials from the environment."""
    per_network = {
        "x": {},
        "mastodon": {"instance": nets.mastodon.url},
        "bluesky": {"service": nets.bluesky.url},
    }
    return {
        network: make_source(
            network, hashtags=[TAG], since=since, options=options, credentials=credentials
        )
        for network, options in per_network.items()
    }


def stored_ids(data_dir: Path, session_id: int) -> dict[str, list[str]]:
    conn = open_library(library_path(data_dir))
    try:
        rows = conn.execute(
            "SELECT p.network, p.network_id FROM session_posts sp JOIN posts p ON p.id = sp.post_id "
            "WHERE sp.session_id = ?",
            (session_id,),
        ).fetchall()
    finally:
        conn.close()
    found: dict[str, list[str]] = {network: [] for network in NETWORKS}
    for network, post_id in rows:
        found[network].append(post_id)
    return found


def connected(recording: SessionRecording, source) -> bool:
    status = recording.sink.statuses.get(source.name)
    return status is not None and status.state is SourceState.CONNECTED


def jamdeck(*args, data_dir: Path, env: dict[str, str] | None = None, timeout: float = 60):
    proc = subprocess.run(
        [sys.executable, "-m", "desktop", *map(str, args)],
        capture_output=True,
        text=True,
        env=dict(os.environ, JAMDECK_DATA_DIR=str(data_dir), **(env or {})),
        timeout=timeout,
    )
    assert proc.returncode == 0, f"exit {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


# -- 1. one recording, three networks --------------------------------------------------


def test_one_session_records_the_hashtag_on_x_mastodon_and_bluesky_at_once(
    nets, credentials, writer, data_dir
):
    now = datetime.now(UTC)
    # Posted in the minutes before the recording started.
    nets.post_x(12, at=now - timedelta(minutes=5), live=False)
    nets.post_mastodon(6, at=now - timedelta(minutes=5), live=False)
    nets.post_bluesky(7, at=now - timedelta(minutes=5))
    session_id = new_session(writer)
    sources = three_sources(nets, credentials, since=now - timedelta(minutes=10))
    recording = SessionRecording(writer, session_id, list(sources.values()))
    recording.start()
    try:
        wait_until(lambda: recording.sink.counts.added >= 25, "the posts made before the start")
        wait_until(
            lambda: all(connected(recording, source) for source in sources.values()),
            "the three sources connected",
        )
        assert nets.x.connected.is_set() and nets.mastodon.wait_for_streams(1)
        # While it runs: the X stream, the Mastodon stream, Jetstream.
        live = datetime.now(UTC)
        nets.post_x(8, at=live, live=True)
        nets.post_mastodon(5, at=live, live=True)
        nets.post_bluesky(4, at=live)
        wait_until(lambda: recording.sink.counts.added >= nets.total(), "the live posts")
    finally:
        recording.stop()
        assert recording.wait(timeout=WAIT), "a source did not stop"
    assert recording.errors == {}
    assert recording.sink.counts.failed_batches == 0
    assert recording.sink.counts.added == nets.total() == 42
    # The live posts came by the streams (one connection each: no reconnect catch-up)
    # and Jetstream (Bluesky's search is never polled).
    assert nets.x.stream_connects == 1
    assert len(nets.mastodon.calls("GET", "/api/v1/streaming/hashtag")) == 1
    assert len(nets.jetstream.cursors) == 1
    assert nets.bluesky.calls("app.bsky.feed.searchPosts") == []

    # Every post exactly once, each under its own network.
    found = stored_ids(data_dir, session_id)
    for network in NETWORKS:
        assert sorted(found[network]) == sorted(nets.published[network]), network
        assert len(found[network]) == len(set(found[network]))

    # `source:` selects a network's posts, as a column's filter does.
    conn = open_library(library_path(data_dir))
    try:
        for network in NETWORKS:
            where, params = compile_sql(f"source:{network}")
            assert library.count_matching(conn, session_id, where, params) == len(
                nets.published[network]
            )
        where, params = compile_sql("source:x OR source:bluesky")
        union = library.column_page(conn, session_id, where, params, limit=500)
        networks = {
            network
            for (network,) in conn.execute(
                f"SELECT DISTINCT network FROM posts WHERE id IN ({','.join('?' * len(union))})",
                [post_id for post_id, _ in union],
            )
        }
    finally:
        conn.close()
    assert len(union) == len(nets.published["x"]) + len(nets.published["bluesky"])
    assert networks == {"x", "bluesky"}

    # The export of a `source:bluesky` filter lists the Bluesky posts only, marked so.
    writer.close()
    out = jamdeck(
        "export", "jam3", "--filter", "source:bluesky", "--format", "jsonl", data_dir=data_dir
    )
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert sorted(row["id"] for row in rows) == sorted(nets.published["bluesky"])
    assert {row["network"] for row in rows} == {"bluesky"}


# -- 2. actions go to the post's own network --------------------------------------------


def test_an_action_on_each_network_goes_to_that_network_only(nets, credentials, writer, data_dir):
    save_account(credentials, account="default", **X_USER)  # X retweets need the user context
    now = datetime.now(UTC)
    x_ids = nets.post_x(3, at=now - timedelta(minutes=5), live=False)
    mastodon_ids = nets.post_mastodon(2, at=now - timedelta(minutes=5), live=False)
    bluesky_ids = nets.post_bluesky(2, at=now - timedelta(minutes=5))
    session_id = new_session(writer)
    sources = three_sources(nets, credentials, since=now - timedelta(minutes=10))
    recording = SessionRecording(writer, session_id, list(sources.values()))
    settled: list = []

    def on_change(action) -> None:
        if action.state in (ActionState.DONE, ActionState.FAILED):
            settled.append(action)

    queue = ActionQueue(writer, sources.get, on_change=on_change)  # its own worker thread
    recording.start()
    try:
        wait_until(lambda: recording.sink.counts.added >= nets.total(), "the posts")
        targets = {"x": x_ids[0], "mastodon": mastodon_ids[1], "bluesky": bluesky_ids[0]}
        rowids = writer.call(
            lambda ctx: {
                network: ctx.conn.execute(
                    "SELECT id FROM posts WHERE network = ? AND network_id = ?", (network, post_id)
                ).fetchone()[0]
                for network, post_id in targets.items()
            },
            notify=False,
        )
        # While the recording runs, as a user acting from the deck would.
        for network, rowid in rowids.items():
            queue.request("retweet", rowid, network=network, session_id=session_id).result(WAIT)
        wait_until(lambda: len(settled) == 3, "the three retweets carried out")
    finally:
        queue.close()
        recording.stop()
        assert recording.wait(timeout=WAIT), "a source did not stop"

    assert {a.network: a.state for a in settled} == dict.fromkeys(NETWORKS, ActionState.DONE)
    # X: one retweet, of the X post, by the signed-in user; no other action.
    assert nets.x.actions == [("POST", "/2/users/4242/retweets", {"tweet_id": targets["x"]})]
    # Mastodon: one reblog, of that status; nothing else posted.
    mastodon_posts = nets.mastodon.calls("POST", "/api/v1/")
    assert [c.path for c in mastodon_posts] == [f"/api/v1/statuses/{targets['mastodon']}/reblog"]
    # Bluesky: one repost record whose subject is that post; nothing else created.
    created = nets.bluesky.calls("com.atproto.repo.createRecord")
    assert len(created) == 1
    reposts = nets.bluesky.records_in("app.bsky.feed.repost")
    assert [r["subject"]["uri"] for r in reposts.values()] == [targets["bluesky"]]
    # The deck shows each of the three as retweeted by me, and no other post.
    flagged = writer.call(
        lambda ctx: ctx.conn.execute(
            "SELECT network, network_id FROM posts WHERE retweeted_by_me = 1 ORDER BY network"
        ).fetchall(),
        notify=False,
    )
    assert sorted(flagged) == sorted(targets.items())


# -- 3. the CLI ---------------------------------------------------------------------------


def test_jamdeck_record_follows_three_networks_into_one_session(nets, data_dir):
    # The CLI starts following from the moment it starts (see the report on `since`):
    # these posts carry times just after it, and are there for each source's first
    # backfill / catch-up / search, so the run does not depend on timing.
    soon = datetime.now(UTC) + timedelta(seconds=30)
    nets.post_x(6, at=soon, live=False)
    nets.post_mastodon(4, at=soon, live=False)
    nets.post_bluesky(5, at=soon)

    proc = jamdeck(
        "record",
        "--source", "x",
        "--source", "mastodon", "--instance", nets.mastodon.url,
        "--source", "bluesky", "--service", nets.bluesky.url,
        "--session", "s", "--hashtag", TAG, "--duration", "5",
        data_dir=data_dir,
        env=nets.environ(),
    )  # fmt: skip
    assert f"Recorded {nets.total()} new posts" in proc.stderr, proc.stderr

    sessions = json.loads(jamdeck("sessions", "--json", data_dir=data_dir).stdout)
    assert [(s["name"], s["posts"], s["sources"]) for s in sessions] == [
        ("s", nets.total(), ["x", "mastodon", "bluesky"])
    ]
    rows = [
        json.loads(line)
        for line in jamdeck(
            "export", "s", "--format", "jsonl", data_dir=data_dir
        ).stdout.splitlines()
    ]
    for network in NETWORKS:
        assert sorted(r["id"] for r in rows if r["network"] == network) == sorted(
            nets.published[network]
        ), network
    assert len(rows) == nets.total()


def test_jamdeck_record_catches_up_on_posts_made_before_it_started(nets, data_dir):
    before = datetime.now(UTC) - timedelta(minutes=5)
    nets.post_x(3, at=before, live=False)
    nets.post_mastodon(3, at=before, live=False)
    nets.post_bluesky(3, at=before)

    jamdeck(
        "record",
        "--source", "x",
        "--source", "mastodon", "--instance", nets.mastodon.url,
        "--source", "bluesky", "--service", nets.bluesky.url,
        "--session", "s", "--hashtag", TAG, "--duration", "5",
        data_dir=data_dir,
        env=nets.environ(),
    )  # fmt: skip
    rows = [
        json.loads(line)
        for line in jamdeck(
            "export", "s", "--format", "jsonl", data_dir=data_dir
        ).stdout.splitlines()
    ]
    assert {
        network: sorted(r["id"] for r in rows if r["network"] == network) for network in NETWORKS
    } == {network: sorted(ids) for network, ids in nets.published.items()}
