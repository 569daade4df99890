"""One-click actions from the GUI: state at once, the source called, failures and waiting shown."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from desktop.app.actions import ActionQueue
from desktop.core.actions import ActionState
from desktop.core.normalize import Parsed
from desktop.sources.base import Capabilities, RateLimitedError, SourceAuthError
from desktop.store import library
from desktop.store.db import connect
from desktop.store.writer import StoreWriter
from desktop.ui.action_bridge import ActionBridge, PendingActionsView
from tests.fakes.fake_source import FakeSource
from tests.fakes.posts import make_post


@pytest.fixture
def db(tmp_path):
    return tmp_path / "library.db"


@pytest.fixture
def writer(db):
    w = StoreWriter(db)  # threaded, as in the app
    yield w
    w.close()


@pytest.fixture
def post(writer):
    sid = writer.call(lambda ctx: library.create_session(ctx.conn, "jam", hashtags=["jam"]))
    result = writer.ingest(
        sid, Parsed(posts=[make_post(1, "A1: listen first", handle="ann")])
    ).result()
    rowid = result.added[0].rowid
    return writer.call(lambda ctx: library.post_views(ctx.conn, sid, [rowid]))[rowid]


@pytest.fixture
def sources():
    return {}


@pytest.fixture
def bridge(writer, sources, post):
    b = ActionBridge(lambda **hooks: ActionQueue(writer, sources.get, **hooks), session_id=1)
    yield b
    b.close()


@pytest.fixture
def pending_view(qtbot, bridge, db):
    conn = connect(db, readonly=True)
    view = PendingActionsView(bridge, read_conn=conn)
    qtbot.addWidget(view)
    yield view
    conn.close()


def flags(db, rowid):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(
            "SELECT retweeted_by_me, liked_by_me FROM posts WHERE id = ?", (rowid,)
        ).fetchone()
    finally:
        conn.close()


def test_retweet_then_undo_change_state_and_call_the_source(qtbot, bridge, sources, post, db):
    fake = sources["x"] = FakeSource("x")
    seen = []
    bridge.action_changed.connect(lambda a: seen.append((a.kind, a.state)))
    with qtbot.waitSignal(
        bridge.action_changed, check_params_cb=lambda a: a.state is ActionState.DONE
    ):
        bridge.toggle_retweet(post)
    assert seen[0] == ("retweet", ActionState.QUEUED)  # shown at once, before the network
    assert flags(db, post.rowid) == (1, 0)
    assert fake.calls == [("retweet", post.network_id)]

    with qtbot.waitSignal(
        bridge.action_changed,
        check_params_cb=lambda a: a.kind == "unretweet" and a.state is ActionState.DONE,
    ):
        bridge.undo_retweet(post)
    assert flags(db, post.rowid) == (0, 0)
    assert fake.calls[-1] == ("unretweet", post.network_id)
    assert fake.remote_ids[post.network_id] == "rt-1"  # the retweet's own id, to undo it
    assert bridge.pending() == [] and bridge.failed() == []


def test_a_failing_action_shows_its_reason_in_the_pending_list(
    qtbot, bridge, sources, post, db, pending_view
):
    fake = sources["x"] = FakeSource("x")
    fake.fail_with = SourceAuthError("401 token revoked")
    with qtbot.waitSignal(
        bridge.action_changed, check_params_cb=lambda a: a.state is ActionState.FAILED
    ) as failed:
        bridge.retweet(post)
    assert failed.args[0].error == "credentials rejected: 401 token revoked"
    assert flags(db, post.rowid) == (0, 0)  # rolled back
    assert pending_view.list.count() == 1
    assert pending_view.list.item(0).text() == (
        "Retweet @ann: A1: listen first\nfailed: credentials rejected: 401 token revoked"
    )
    pending_view.list.setCurrentRow(0)
    assert pending_view.cancel_button.text() == "Dismiss"
    assert pending_view.cancel_selected()
    assert pending_view.list.count() == 0 and pending_view.empty_label.isVisibleTo(pending_view)


def test_an_offline_action_waits_in_the_list_and_runs_when_the_source_is_back(
    qtbot, bridge, sources, post, db, pending_view
):
    with qtbot.waitSignal(
        bridge.action_changed, check_params_cb=lambda a: (a.error or "").startswith("offline")
    ):
        bridge.like(post)
    assert flags(db, post.rowid) == (0, 1)  # shown liked while it waits
    assert [a.state for a in bridge.pending()] == [ActionState.QUEUED]
    assert pending_view.list.item(0).text().endswith("offline: will run when x is back")
    assert pending_view.retry_button.isEnabled()

    fake = sources["x"] = FakeSource("x")
    with qtbot.waitSignal(
        bridge.action_changed, check_params_cb=lambda a: a.state is ActionState.DONE
    ):
        assert bridge.source_back("x") == 1
    assert fake.calls == [("like", post.network_id)]
    assert flags(db, post.rowid) == (0, 1)
    qtbot.waitUntil(lambda: pending_view.list.count() == 0)


def test_cancelling_a_waiting_action_rolls_its_state_back(
    qtbot, bridge, sources, post, db, pending_view
):
    with qtbot.waitSignal(
        bridge.action_changed, check_params_cb=lambda a: (a.error or "").startswith("offline")
    ):
        bridge.retweet(post)
    assert pending_view.select(bridge.pending()[0].id)
    assert pending_view.cancel_button.text() == "Cancel action"
    with qtbot.waitSignal(
        bridge.action_changed, check_params_cb=lambda a: a.state is ActionState.CANCELLED
    ):
        assert pending_view.cancel_selected()
    assert flags(db, post.rowid) == (0, 0)
    assert bridge.pending() == [] and pending_view.list.count() == 0


def test_an_action_the_network_does_not_allow_is_refused_with_the_reason(
    qtbot, bridge, sources, post, db
):
    sources["x"] = FakeSource(
        "x",
        capabilities=Capabilities(
            retweet=False, like=True, why_not={"retweet": "this account reads only"}
        ),
    )
    with qtbot.waitSignal(bridge.refused) as refused:
        assert bridge.retweet(post) is None
    assert "this account reads only" in refused.args[0]
    assert flags(db, post.rowid) == (0, 0)


def test_a_rate_limited_action_is_retried_by_a_qt_timer_at_the_reset(
    qtbot, bridge, sources, post, db
):
    fake = sources["x"] = FakeSource("x")
    fake.fail_with = RateLimitedError(
        "429", reset_at=datetime.now(UTC) + timedelta(milliseconds=150)
    )
    with qtbot.waitSignal(
        bridge.action_changed, check_params_cb=lambda a: (a.error or "").startswith("rate limited")
    ):
        bridge.retweet(post)
    fake.fail_with = None
    with qtbot.waitSignal(
        bridge.action_changed,
        check_params_cb=lambda a: a.state is ActionState.DONE,
        timeout=5000,
    ):
        pass  # nobody calls run_due: the bridge's single-shot timer does
    assert [c[0] for c in fake.calls] == ["retweet", "retweet"]


def test_answers_from_the_compose_box_go_out_per_network(qtbot, bridge, sources, post):
    x, bluesky = sources["x"], sources["bluesky"] = FakeSource("x"), FakeSource("bluesky")
    with qtbot.waitSignal(
        bridge.action_changed,
        check_params_cb=lambda a: a.kind == "reply" and a.state is ActionState.DONE,
    ):
        bridge.send_answers({"x": "@ann A1: yes #jam"}, post.rowid)
    assert x.calls == [("reply", "@ann A1: yes #jam")]
    with qtbot.waitSignal(
        bridge.action_changed,
        check_params_cb=lambda a: a.kind == "post" and a.state is ActionState.DONE,
    ):
        bridge.send_answers({"bluesky": "A1: yes #jam"}, None)
    assert bluesky.calls == [("post", "A1: yes #jam")]
