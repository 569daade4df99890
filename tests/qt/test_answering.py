"""Issue 21.4: answering says what it will send and why it cannot; a failed answer says
so in the compose box; an answer queued for an account that is gone fails, saying why."""

from __future__ import annotations

import pytest

from desktop.core.accounts import Account, AccountStore
from desktop.core.actions import Action, ActionState
from desktop.core.credentials import CredentialStore, MemoryKeyring
from desktop.core.normalize import Parsed
from desktop.store import library
from desktop.store.writer import StoreWriter
from desktop.ui import theme as themes
from desktop.ui.compose_box import ComposeBox
from desktop.ui.main_window import MainWindow
from tests.fakes.posts import make_post
from tests.qt.conftest import create_jam_session, ingest


@pytest.fixture
def writer(tmp_path):
    w = StoreWriter(tmp_path / "library.db")
    yield w
    w.close()


@pytest.fixture
def jam(writer):
    sid = writer.call(
        lambda ctx: library.create_session(
            ctx.conn,
            "jam",
            hashtags=["JamDeckDemo"],
            hosts=["host"],
            sources=["x", "mastodon:https://m.example"],
        )
    )
    result = writer.ingest(
        sid, Parsed(posts=[make_post(1, "Q1: What is a jam? #JamDeckDemo", handle="host")])
    ).result()
    views = writer.call(lambda ctx: library.post_views(ctx.conn, sid, [result.added[0].rowid]))
    return sid, next(iter(views.values()))


@pytest.fixture
def make_box(qtbot, writer, jam):
    def make(networks=()) -> ComposeBox:
        box = ComposeBox(writer, jam[0], list(networks), lambda: 3)
        qtbot.addWidget(box)
        box.resize(900, 160)
        box.show()
        return box

    return make


def test_without_an_account_the_preview_and_counts_show_and_sending_says_why(qtbot, make_box):
    box = make_box(networks=())
    box.editor.setPlainText("listen first")
    # Every network the session follows is counted and previewed.
    assert list(box.counters) == ["x", "mastodon"]
    assert box.counters["x"].text() == "29/280 · $0.015"
    assert box.counters["mastodon"].text() == "29/500"
    assert box.preview.isVisible() and box.preview_text() == "Sends: A3: listen first #JamDeckDemo"
    assert not box.checks["x"].isEnabled() and box.chosen_networks() == []
    assert not box.send_button.isEnabled()
    assert box.no_accounts.isVisible()
    assert box.no_accounts.text() == "Add an account to post (menu ▸ Accounts…)."
    assert box.send_button.toolTip() == box.no_accounts.text()

    assert not box.send()  # what Ctrl+Enter calls
    assert box.no_accounts.property("flagged") is True  # the reason stands out
    assert "bold" in box.no_accounts.styleSheet()
    assert box.editor.toPlainText() == "listen first"  # nothing lost


def test_reply_mode_counts_the_replys_network_and_says_it_needs_an_account(qtbot, make_box, jam):
    box = make_box(networks=("mastodon",))
    box.set_reply_to(jam[1])  # the host's post on X
    box.editor.setPlainText("@host a chat")
    assert box.lengths() == {"x": (29, 280)}
    assert box.counters["x"].text().startswith("29/280")
    assert box.preview_text() == "Sends: @host A1: a chat #JamDeckDemo"
    assert not box.send_button.isEnabled()
    assert (
        box.no_accounts.text()
        == "Replying on X needs an account there: add one (menu ▸ Accounts…)."
    )


def test_an_account_on_one_network_sends_there_and_names_the_other(qtbot, make_box):
    box = make_box(networks=("x",))
    box.editor.setPlainText("listen first")
    assert box.chosen_networks() == ["x"] and box.send_button.isEnabled()
    assert box.no_accounts.text() == "Not sent on Mastodon: no account."
    assert themes.LIGHT.muted in box.no_accounts.styleSheet()  # a note, not a stop
    with qtbot.waitSignal(box.send_requested) as sent:
        assert box.send()
    assert sent.args == [{"x": "A3: listen first #JamDeckDemo"}, None]
    assert box.result.text() == "Sending on X…"


def test_how_an_answer_went_shows_in_the_box(qtbot, make_box, jam):
    box = make_box(networks=("x",))

    def action(state, error=None):
        return Action(
            id=1,
            kind="post",
            network="x",
            state=state,
            post_rowid=None,
            session_id=jam[0],
            created_at=0.0,
            updated_at=0.0,
            text="A3: hi",
            error=error,
        )

    box.show_action(action(ActionState.QUEUED, "offline: will run when x is back"))
    assert box.result.text() == "Your answer on X is waiting: offline: will run when x is back"
    box.show_action(action(ActionState.FAILED, "credentials rejected: 401"))
    assert box.result.text() == "Your answer on X failed: credentials rejected: 401"
    assert box.result.property("error") is True
    box.show_action(action(ActionState.DONE))
    assert box.result.text() == "Your answer went out on X."


def test_an_answer_waiting_for_a_removed_account_fails_in_the_compose_box(
    qtbot, library_path, tmp_path
):
    accounts = AccountStore(tmp_path / "accounts.json")
    x = accounts.add(Account(network="x", name="ann", handle="@ann"))
    # No secrets stored: the account's source cannot be built, so the answer waits.
    credentials = CredentialStore(backend=MemoryKeyring())
    window = MainWindow(library_path, accounts=accounts, credentials=credentials, coalesce_ms=10)
    qtbot.addWidget(window)
    try:
        ingest(window, create_jam_session(window), [make_post(1, "Q1: hi #jam", handle="host")])
        window.open_session("jam")
        window.show()
        compose = window.compose
        assert compose.chosen_networks() == ["x"]
        compose.editor.setPlainText("an answer")
        with qtbot.waitSignal(
            window.actions.action_changed,
            check_params_cb=lambda a: a.state is ActionState.QUEUED and bool(a.error),
        ):
            compose.send()
        qtbot.waitUntil(lambda: "is waiting" in compose.result.text())

        accounts.remove(x)
        with qtbot.waitSignal(
            window.actions.action_changed,
            check_params_cb=lambda a: a.state is ActionState.FAILED,
        ):
            window.menu.on_accounts_changed()
        assert window.actions.pending() == []
        assert compose.result.text() == (
            "Your answer on X failed: no X account can post any more (it was removed): not sent"
        )
        assert compose.result.property("error") is True
    finally:
        window.shutdown()


def test_an_empty_box_says_why_sending_is_off_in_grey_not_red(qtbot, make_box):
    """Seen in the demo under Xvfb: "Add an account to post" stood in red under an
    empty box, as if something had failed."""
    box = make_box(networks=())
    assert box.no_accounts.isVisible()
    assert themes.LIGHT.muted in box.no_accounts.styleSheet()
    box.editor.setPlainText("listen first")  # now it stops what is being written
    assert themes.LIGHT.error in box.no_accounts.styleSheet()
