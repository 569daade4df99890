"""Actions, quotes and answering from the real window: the wiring the user touches."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from PySide6.QtCore import Qt

from desktop.core.accounts import Account, AccountStore
from desktop.core.actions import ActionState
from desktop.sources.base import (
    ActionNotAllowed,
    RateLimitedError,
    SourceAuthError,
    SourceState,
    SourceStatus,
)
from desktop.ui.main_window import MainWindow
from tests.fakes.fake_source import FakeSource
from tests.fakes.posts import make_post


def jam_posts():
    return [
        make_post(0, "Q1 What makes a community feel like yours? #jam", handle="host"),
        make_post(1, "A1 When my feedback visibly changes the product #jam", handle="alice"),
        make_post(2, "A1: being asked before, not after #jam", handle="bob"),
        make_post(3, "A1 a changelog that names people #jam", handle="carol"),
        make_post(4, "Q3 What will you try next? #jam", handle="host"),
        make_post(5, "A3 office hours in my time zone #jam", handle="dave"),
    ]


@pytest.fixture
def open_window(jam_window):
    """``open_window(sources=..., accounts=...)``: a shown window on the "jam" session."""

    def make(*, sources=None, accounts=None, seed=True) -> MainWindow:
        return jam_window(jam_posts() if seed else (), sources=sources, accounts=accounts)

    return make


def all_column(window: MainWindow):
    return window.deck.columns[window.deck.ordered_ids()[0]]


def row_of(window: MainWindow, handle: str) -> int:
    column = all_column(window)
    return next(
        r for r in range(column.model.rowCount()) if column.model.view_at(r).author_handle == handle
    )


def shown(window: MainWindow, handle: str):
    """The post as the "All" column shows it now."""
    column = all_column(window)
    return column.model.view_at(row_of(window, handle))


def select(qtbot, window: MainWindow, handle: str) -> None:
    column = all_column(window)
    column.view.setFocus()
    column.select_row(row_of(window, handle))
    window.deck.current_id = column.spec.id


def test_retweet_and_undo_from_the_window_change_the_post_at_once_and_call_the_source(
    qtbot, open_window
):
    fake = FakeSource("x")
    window = open_window(sources={"x": fake})
    column = all_column(window)
    alice = shown(window, "alice")
    assert not alice.retweeted_by_me
    seen = []
    # Connected after the window's own slot: it sees what the deck shows by then.
    window.actions.action_changed.connect(
        lambda a: seen.append((a.kind, a.state, shown(window, "alice").retweeted_by_me))
    )

    select(qtbot, window, "alice")
    with qtbot.waitSignal(
        window.actions.action_changed,
        check_params_cb=lambda a: a.kind == "retweet" and a.state is ActionState.DONE,
    ):
        qtbot.keyClick(column.view, Qt.Key.Key_R)
    # The post showed the retweet as soon as it was recorded, before the network answered.
    assert seen[0] == ("retweet", ActionState.QUEUED, True)
    assert fake.calls == [("retweet", alice.network_id)]
    assert shown(window, "alice").retweeted_by_me

    # Undo with one click on the post's retweet button.
    index = column.model.index(row_of(window, "alice"))
    button = window.deck.delegate.action_rects(column.view.visualRect(index))["retweet"]
    with qtbot.waitSignal(
        window.actions.action_changed,
        check_params_cb=lambda a: a.kind == "unretweet" and a.state is ActionState.DONE,
    ):
        qtbot.mouseClick(column.view.viewport(), Qt.MouseButton.LeftButton, pos=button.center())
    assert ("unretweet", ActionState.QUEUED, False) in seen
    assert fake.calls == [("retweet", alice.network_id), ("unretweet", alice.network_id)]
    assert fake.remote_ids[alice.network_id] == "rt-1"  # the undo names what it undoes
    assert not shown(window, "alice").retweeted_by_me


RESET = datetime.now(UTC) + timedelta(hours=1)


@pytest.mark.parametrize(
    ("error", "state", "notice"),
    [
        (
            ActionNotAllowed("retweets need an account with user context"),
            ActionState.FAILED,
            "Retweet failed: not allowed: retweets need an account with user context",
        ),
        (
            SourceAuthError("the token was revoked"),
            ActionState.FAILED,
            "Retweet failed: credentials rejected: the token was revoked",
        ),
        (
            RateLimitedError("429", reset_at=RESET),
            ActionState.QUEUED,
            f"Retweet waiting: rate limited until {RESET.astimezone().strftime('%H:%M')}",
        ),
    ],
    ids=["not-allowed", "auth", "rate-limited"],
)
def test_a_failing_action_shows_the_reason_on_the_post(qtbot, open_window, error, state, notice):
    fake = FakeSource("x")
    fake.fail_with = error
    window = open_window(sources={"x": fake})
    column = all_column(window)
    alice = shown(window, "alice")
    height_before = column.view.visualRect(column.model.index(row_of(window, "alice"))).height()

    with qtbot.waitSignal(
        window.actions.action_changed,
        check_params_cb=lambda a: a.state is state and a.error is not None,
    ):
        window.retweet_requested.emit(alice.rowid)

    assert fake.calls == [("retweet", alice.network_id)]
    assert window.deck.notice(alice.rowid) == notice
    # The reason is a line of its own under the post: the row grew to hold it.
    qtbot.waitUntil(
        lambda: (
            column.view.visualRect(column.model.index(row_of(window, "alice"))).height()
            > height_before
        )
    )
    # A failure rolls the optimistic retweet back; a rate-limited one still waits.
    assert shown(window, "alice").retweeted_by_me is (state is ActionState.QUEUED)
    if state is ActionState.FAILED:
        assert window.pending_button.text() == "Actions: 1 failed"
    else:
        assert window.pending_button.text() == "Actions: 1 pending"


def test_a_network_that_does_not_allow_an_action_is_refused_with_the_reason(qtbot, open_window):
    from desktop.sources.base import Capabilities

    no_retweets = Capabilities(
        retweet=False, reply=True, post=True, why_not={"retweet": "reposts are off on this tier"}
    )
    fake = FakeSource("x", capabilities=no_retweets)
    window = open_window(sources={"x": fake})
    alice = shown(window, "alice")
    with qtbot.waitSignal(window.actions.refused):
        window.retweet_requested.emit(alice.rowid)
    assert "reposts are off on this tier" in window.notice_label.text()
    assert fake.calls == []
    assert not shown(window, "alice").retweeted_by_me


def test_an_action_with_no_source_waits_in_the_pending_list_and_runs_when_it_connects(
    qtbot, open_window
):
    sources: dict = {}  # no X source connected yet
    window = open_window(sources=sources)
    alice = shown(window, "alice")

    with qtbot.waitSignal(
        window.actions.action_changed,
        check_params_cb=lambda a: a.state is ActionState.QUEUED and a.error is not None,
    ):
        window.retweet_requested.emit(alice.rowid)
    assert window.deck.notice(alice.rowid) == "Retweet waiting: offline: will run when x is back"
    assert shown(window, "alice").retweeted_by_me  # the user's intent shows meanwhile
    assert window.pending_button.text() == "Actions: 1 pending"
    window.pending_button.click()
    waiting = window.post_actions.pending_view.actions()
    assert [(a.kind, a.post_rowid) for a in waiting] == [("retweet", alice.rowid)]
    assert (
        "offline: will run when x is back" in window.post_actions.pending_view.list.item(0).text()
    )

    # The X source connects: the status path hands the waiting action to it.
    fake = sources["x"] = FakeSource("x")
    play = window.play_source(fake)
    with qtbot.waitSignal(
        window.actions.action_changed, check_params_cb=lambda a: a.state is ActionState.DONE
    ):
        play.sink.on_status(fake, SourceStatus(SourceState.CONNECTED))
    assert fake.calls == [("retweet", alice.network_id)]
    assert window.deck.notice(alice.rowid) is None
    assert window.pending_button.text() == "No pending actions"
    assert window.post_actions.pending_view.actions() == []


def quote_sections(window: MainWindow) -> list[tuple[int | None, list[tuple[str, str]]]]:
    quotes = window.quote_panel.model.quote_list()
    return [
        (section.question, [(item.handle, item.note) for item in section.items])
        for section in quotes.sections
        if section.items
    ]


def test_collect_reorder_note_and_remove_persist_across_a_restart(qtbot, open_window):
    window = open_window(sources={})
    column = all_column(window)
    for handle in ("alice", "bob", "carol", "dave"):
        select(qtbot, window, handle)
        qtbot.keyClick(column.view, Qt.Key.Key_C)  # the collect key
    qtbot.waitUntil(
        lambda: window.quote_panel.model.item_count() == 4 and shown(window, "dave").collected
    )
    assert window.quotes_button.text() == "Quotes (4)"
    assert quote_sections(window) == [
        (1, [("alice", ""), ("bob", ""), ("carol", "")]),
        (3, [("dave", "")]),
    ]
    qtbot.keyClick(column.view, Qt.Key.Key_Q)  # the quote panel opens
    assert window.quote_panel.isVisible()

    panel = window.quote_panel
    items = {item.handle: item.id for s in panel.model.quote_list().sections for item in s.items}
    assert panel.move_item(items["carol"], 1, 0)  # reorder within Q1
    assert panel.move_item(items["dave"], None, 0)  # and into "Other"
    assert panel.set_note(items["bob"], "quote this one first")
    assert panel.remove_item(items["alice"])
    qtbot.waitUntil(lambda: not panel.busy)
    qtbot.waitUntil(lambda: not shown(window, "alice").collected)
    expected = [(1, [("carol", ""), ("bob", "quote this one first")]), (None, [("dave", "")])]
    assert quote_sections(window) == expected

    window.close()  # the whole window goes; a new one opens the same library
    again = open_window(sources={}, seed=False)
    assert quote_sections(again) == expected
    assert again.quotes_button.text() == "Quotes (3)"
    assert [shown(again, h).collected for h in ("alice", "bob", "carol", "dave")] == [
        False,
        True,
        True,
        True,
    ]


def test_answering_a_post_labels_it_and_send_reaches_the_source(qtbot, open_window, tmp_path):
    accounts = AccountStore(tmp_path / "accounts.json")
    accounts.add(Account(network="x", name="ann", handle="@ann"))
    fake = FakeSource("x")
    window = open_window(sources={"x": fake}, accounts=accounts)
    compose = window.compose
    assert list(compose.checks) == ["x"]
    dave = shown(window, "dave")
    assert dave.question == 3

    select(qtbot, window, "dave")
    qtbot.keyClick(all_column(window).view, Qt.Key.Key_A)  # answer the selected post
    assert compose.reply_to is not None and compose.reply_to.rowid == dave.rowid
    # The editor takes the focus (offscreen windows are never active: ask the window).
    assert window.focusWidget() is compose.editor
    qtbot.keyClicks(compose.editor, "same here, and a shared calendar")
    assert compose.composed("x") == "A3: same here, and a shared calendar #jam"

    with qtbot.waitSignal(
        window.actions.action_changed,
        check_params_cb=lambda a: a.kind == "reply" and a.state is ActionState.DONE,
    ):
        qtbot.mouseClick(compose.send_button, Qt.MouseButton.LeftButton)
    assert fake.calls == [("reply", "A3: same here, and a shared calendar #jam")]
    assert compose.editor.toPlainText() == ""


def test_the_demo_session_has_no_account_to_post_with(qtbot, open_window):
    window = open_window(sources={})
    compose = window.compose
    assert compose.checks == {}
    assert compose.no_accounts.isVisible()
    assert "Add an account to post" in compose.no_accounts.text()
    compose.editor.setPlainText("an answer")
    assert not compose.send_button.isEnabled()


def test_with_no_account_a_retweet_is_refused_at_once_saying_why(qtbot, open_window, tmp_path):
    """Issue 21.9: in the demo (no account) a retweet waited as "offline: will run
    when x is back", for an account that does not exist."""
    window = open_window(accounts=AccountStore(tmp_path / "accounts.json"))  # its own sources
    alice = shown(window, "alice")
    with qtbot.waitSignal(window.actions.refused) as refused:
        window.retweet_requested.emit(alice.rowid)
    assert "no X account to act with" in refused.args[0]
    assert "Accounts" in refused.args[0]
    assert window.actions.pending() == []
    assert window.pending_button.text() == "No pending actions"
    assert not shown(window, "alice").retweeted_by_me
