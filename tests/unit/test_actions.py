"""The action queue: optimistic state, the source called, failures, waiting, restarts."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from desktop.app.actions import ActionQueue, synchronous_executor
from desktop.core.actions import ActionState
from desktop.core.normalize import Parsed
from desktop.sources.base import (
    ActionNotAllowed,
    Capabilities,
    RateLimitedError,
    SourceAuthError,
    SourceOfflineError,
)
from desktop.store import library
from desktop.store.writer import StoreWriter
from tests.fakes.fake_source import FakeSource
from tests.fakes.posts import make_post

NOW = 1_780_000_000.0


class Clock:
    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def db(tmp_path):
    return tmp_path / "library.db"


@pytest.fixture
def writer(db):
    w = StoreWriter(db, threaded=False)
    yield w
    w.close()


@pytest.fixture
def session(writer):
    sid = writer.call(lambda ctx: library.create_session(ctx.conn, "jam", hashtags=["jamdeckdemo"]))
    result = writer.ingest(
        sid,
        Parsed(posts=[make_post(1, "A1: listen first"), make_post(2, "A1: ship it", handle="bob")]),
    ).result()
    views = writer.call(
        lambda ctx: library.post_views(ctx.conn, sid, [r.rowid for r in result.added])
    )
    return sid, sorted(views.values(), key=lambda v: v.network_id)


def flags(db, rowid):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT retweeted_by_me, liked_by_me FROM posts WHERE id = ?", (rowid,)
        ).fetchone()
    finally:
        conn.close()


def states(db):
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT kind, state, error FROM actions ORDER BY id").fetchall()
    finally:
        conn.close()


def make_queue(writer, sources, *, clock=None, scheduled=None):
    changes = []
    queue = ActionQueue(
        writer,
        lambda network: sources.get(network),
        executor=synchronous_executor(),
        clock=clock or Clock(),
        on_change=changes.append,
        schedule=(lambda delay, fn: scheduled.append((delay, fn)))
        if scheduled is not None
        else None,
    )
    return queue, changes


def test_retweet_then_undo_changes_state_and_calls_the_source(writer, session, db):
    sid, (post, _other) = session
    source = FakeSource("x")
    queue, changes = make_queue(writer, {"x": source})

    done = queue.request("retweet", post, session_id=sid).result()
    assert done.state is ActionState.QUEUED  # as recorded; it ran right after
    assert source.calls == [("retweet", post.network_id)]
    assert flags(db, post.rowid) == (1, 0)
    assert [(a.kind, a.state) for a in changes] == [
        ("retweet", ActionState.QUEUED),
        ("retweet", ActionState.RUNNING),
        ("retweet", ActionState.DONE),
    ]
    assert queue.get(done.id).remote_id == "rt-1"

    queue.request("unretweet", post, session_id=sid).result()
    assert source.calls[-1] == ("unretweet", post.network_id)
    # Undoing needs what the retweet created (Bluesky deletes the repost record by it).
    assert source.remote_ids[post.network_id] == "rt-1"
    assert flags(db, post.rowid) == (0, 0)
    assert [(k, s) for k, s, _e in states(db)] == [("retweet", "done"), ("unretweet", "done")]
    assert queue.pending() == []


def test_like_and_unlike_flip_the_like_flag(writer, session, db):
    _sid, (post, _other) = session
    source = FakeSource("x")
    queue, _ = make_queue(writer, {"x": source})
    queue.request("like", post)
    assert flags(db, post.rowid) == (0, 1)
    queue.request("unlike", post)
    assert flags(db, post.rowid) == (0, 0)
    assert source.calls == [("like", post.network_id), ("unlike", post.network_id)]


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            ActionNotAllowed("retweets need the Basic tier"),
            "not allowed: retweets need the Basic tier",
        ),
        (
            SourceAuthError("X rejected the token (401)"),
            "credentials rejected: X rejected the token (401)",
        ),
    ],
)
def test_a_failing_action_shows_the_reason_and_rolls_back(writer, session, db, error, reason):
    _sid, (post, _other) = session
    source = FakeSource("x")
    source.fail_with = error
    queue, changes = make_queue(writer, {"x": source})
    queue.request("retweet", post)
    assert changes[-1].state is ActionState.FAILED and changes[-1].error == reason
    assert changes[-1].post_rowid == post.rowid  # the deck shows it on that post
    assert flags(db, post.rowid) == (0, 0)  # rolled back
    assert states(db) == [("retweet", "failed", reason)]
    assert queue.pending() == []


def test_a_source_that_cannot_is_refused_up_front_with_its_reason(writer, session, db):
    _sid, (post, _other) = session
    why = "quote posts and retweets need a paid X tier"
    source = FakeSource("x", capabilities=Capabilities(like=True, why_not={"retweet": why}))
    queue, changes = make_queue(writer, {"x": source})
    with pytest.raises(ActionNotAllowed, match=why):
        queue.request("retweet", post)
    assert states(db) == [] and changes == [] and source.calls == []
    assert flags(db, post.rowid) == (0, 0)


def test_an_offline_action_waits_and_runs_when_the_source_is_back(writer, session, db):
    _sid, (post, other) = session
    sources: dict = {}  # nothing connected yet
    queue, changes = make_queue(writer, sources)
    queue.request("retweet", post)
    assert flags(db, post.rowid) == (1, 0)  # shown at once
    [waiting] = queue.pending()
    assert waiting.state is ActionState.QUEUED
    assert waiting.error == "offline: will run when x is back"

    # Connected but the network is unreachable: still waiting, nothing lost.
    source = FakeSource("x")
    source.fail_with = SourceOfflineError("no route to host")
    sources["x"] = source
    queue.request("like", other)
    assert [a.kind for a in queue.pending()] == ["retweet", "like"]

    source.fail_with = None
    assert queue.source_back("x") == 2
    assert source.calls[-2:] == [("retweet", post.network_id), ("like", other.network_id)]
    assert queue.pending() == []
    assert [(k, s) for k, s, _e in states(db)] == [("retweet", "done"), ("like", "done")]
    assert flags(db, post.rowid) == (1, 0) and flags(db, other.rowid) == (0, 1)
    assert changes[-1].state is ActionState.DONE


def test_rate_limited_waits_until_the_reset_then_retries(writer, session, db):
    _sid, (post, _other) = session
    clock = Clock()
    scheduled: list = []
    source = FakeSource("x")
    source.fail_with = RateLimitedError("429", reset_at=datetime.fromtimestamp(NOW + 900, UTC))
    queue, _ = make_queue(writer, {"x": source}, clock=clock, scheduled=scheduled)
    queue.request("retweet", post)
    [waiting] = queue.pending()
    until = datetime.fromtimestamp(NOW + 900).astimezone().strftime("%H:%M")
    assert waiting.error == f"rate limited until {until}"
    assert waiting.retry_at == NOW + 900
    assert flags(db, post.rowid) == (1, 0)  # still shown as retweeted: it will happen
    assert [delay for delay, _fn in scheduled] == [900]

    source.fail_with = None
    clock.now = NOW + 899
    assert queue.run_due() == 0 and queue.source_back("x") == 0  # not before the reset
    assert source.calls == [("retweet", post.network_id)]
    clock.now = NOW + 901
    scheduled[0][1]()  # the timer fires
    assert source.calls == [("retweet", post.network_id)] * 2
    assert queue.pending() == [] and states(db)[0][1] == "done"


def test_cancel_removes_a_queued_action_and_rolls_its_state_back(writer, session, db):
    _sid, (post, _other) = session
    queue, changes = make_queue(writer, {})
    action = queue.request("like", post).result()
    assert flags(db, post.rowid) == (0, 1)
    assert queue.cancel(action.id) is True
    assert queue.pending() == [] and flags(db, post.rowid) == (0, 0)
    assert states(db) == [("like", "cancelled", "cancelled")]
    assert changes[-1].state is ActionState.CANCELLED
    assert queue.cancel(action.id) is False


def test_undoing_an_unsent_retweet_just_cancels_it(writer, session, db):
    _sid, (post, _other) = session
    sources: dict = {}
    queue, _ = make_queue(writer, sources)
    queue.request("retweet", post)
    undone = queue.request("unretweet", post).result()
    assert undone.kind == "retweet" and undone.state is ActionState.CANCELLED
    assert queue.pending() == [] and flags(db, post.rowid) == (0, 0)
    sources["x"] = source = FakeSource("x")
    assert queue.source_back("x") == 0 and source.calls == []
    assert [k for k, _s, _e in states(db)] == ["retweet"]


def test_queued_actions_survive_a_restart(db, session, writer):
    _sid, (post, other) = session
    queue, _ = make_queue(writer, {})
    queue.request("retweet", post)
    queue.request("reply", other, text="A1: agreed #jamdeckdemo")
    writer.close()

    reopened = StoreWriter(db, threaded=False)
    try:
        source = FakeSource("x")
        queue2, _ = make_queue(reopened, {"x": source})
        assert [(a.kind, a.text) for a in queue2.pending()] == [
            ("retweet", None),
            ("reply", "A1: agreed #jamdeckdemo"),
        ]
        assert queue2.source_back("x") == 2
        assert source.calls == [("retweet", post.network_id), ("reply", "A1: agreed #jamdeckdemo")]
        assert [s for _k, s, _e in states(db)] == ["done", "done"]
    finally:
        reopened.close()


def test_the_threaded_default_executor_runs_actions_off_the_caller_thread(db, session, writer):
    _sid, (post, _other) = session
    source = FakeSource("x")
    writer.close()  # the app's writer: a thread of its own
    real = StoreWriter(db)
    try:
        queue = ActionQueue(real, {"x": source}.get)
        action = queue.request("like", post).result(timeout=10)
        queue.close(wait=True)  # finishes the running call
        assert source.calls == [("like", post.network_id)]
        assert queue.get(action.id).state is ActionState.DONE
    finally:
        real.close()


def test_waiting_actions_fail_with_the_reason_when_their_account_is_gone(writer, session, db):
    """Issue 21.4: a queued answer outlived the account that made it, waiting for ever."""
    sid, (post, _other) = session
    queue, changes = make_queue(writer, {})  # no source: it waits
    answer = queue.request("post", None, network="x", text="A1: hi", session_id=sid).result()
    retweet = queue.request("retweet", post, session_id=sid).result()
    assert flags(db, post.rowid) == (1, 0)
    queue.request("post", None, network="mastodon", text="A1: hi", session_id=sid).result()

    assert queue.fail_waiting("x", "no X account can post any more") == 2
    assert queue.get(answer.id).state is ActionState.FAILED
    assert queue.get(retweet.id).error == "no X account can post any more"
    assert flags(db, post.rowid) == (0, 0)  # rolled back
    assert [a.network for a in queue.pending()] == ["mastodon"]
    assert changes[-1].state is ActionState.FAILED
