"""First run from the real window: the welcome panel, the demo jam, a new session."""

from __future__ import annotations

import os
from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QDate, QDateTime, Qt, QTime
from PySide6.QtGui import QKeySequence

from desktop.core.accounts import Account, AccountStore
from desktop.store import library
from desktop.ui import theme as themes
from desktop.ui.main_window import MainWindow
from desktop.ui.new_session_dialog import NewSessionDialog


@pytest.fixture
def window(qtbot, library_path, tmp_path):
    w = MainWindow(
        library_path,
        theme=themes.LIGHT,
        coalesce_ms=10,
        sources={},
        accounts=AccountStore(tmp_path / "accounts.json"),
    )
    qtbot.addWidget(w)
    w.resize(1400, 900)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.shutdown()


def test_an_empty_library_with_no_account_shows_the_first_run_panel(window):
    assert window.showing_first_run()
    assert window.first_run.isVisible()
    assert not window.deck.isVisible()
    buttons = [
        b.text()
        for b in (
            window.first_run.demo_button,
            window.first_run.add_account_button,
            window.first_run.import_button,
        )
    ]
    assert buttons == ["Play the demo jam", "Add an account", "Import an archive"]
    assert not window.quotes_button.isEnabled()  # nothing to collect yet


def test_playing_the_demo_jam_from_the_first_run_panel_fills_the_columns(qtbot, window):
    window.demo_speed = 0  # as fast as it can: the test waits for posts, not for the clock
    qtbot.mouseClick(window.first_run.demo_button, Qt.MouseButton.LeftButton)
    assert not window.showing_first_run()
    assert window.session is not None and window.session.name == "demo"
    assert window.deck.isVisible()
    qtbot.waitUntil(lambda: not window.recording.playing, timeout=20_000)
    everything = window.deck.columns[window.deck.ordered_ids()[0]]
    qtbot.waitUntil(lambda: everything.model.rowCount() > 100, timeout=10_000)
    stored = window.conn.execute(
        "SELECT count(*) FROM session_posts WHERE session_id = ?", (window.session.id,)
    ).fetchone()[0]
    assert stored > 100
    assert len(window.deck.columns) >= 3  # the jam preset: all, host & questions, ...
    # The demo has no account to post with: the compose box says so.
    assert window.compose.no_accounts.isVisible()


def test_with_an_account_but_no_session_the_first_run_panel_offers_a_new_session(
    qtbot, library_path, tmp_path
):
    """Issue 21.10: the first-run panel was hidden whenever an account existed, leaving
    an empty deck; it shows while the library has no session."""
    accounts = AccountStore(tmp_path / "accounts.json")
    accounts.add(Account(network="mastodon", name="ann", instance="https://m.example"))
    w = MainWindow(library_path, sources={}, accounts=accounts)
    qtbot.addWidget(w)
    try:
        assert w.showing_first_run()
        assert w.first_run.new_session_button.isVisibleTo(w.first_run)
        assert w.first_run.add_account_button.text() == "Add another account"
        qtbot.mouseClick(w.first_run.new_session_button, Qt.MouseButton.LeftButton)
        assert w.new_session_dialog.isVisible()
        w.new_session_dialog.reject()
    finally:
        w.shutdown()


def test_the_new_session_dialog_from_the_sidebar_creates_a_session(qtbot, window):
    qtbot.mouseClick(window.new_session_button, Qt.MouseButton.LeftButton)
    dialog = window.new_session_dialog
    assert isinstance(dialog, NewSessionDialog) and dialog.isVisible()
    # No account yet: the networks are offered, but say why they cannot be chosen.
    assert not dialog.source_boxes["x"].isEnabled()
    assert dialog.source_boxes["x"].text() == "X (no account)"

    qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)  # nothing filled in
    assert dialog.isVisible()
    assert dialog.errors()["name"] == "Give the session a name."

    qtbot.keyClicks(dialog.name_edit, "socbizchat march")
    qtbot.keyClicks(dialog.hashtags_edit, "#socbizchat")
    qtbot.keyClicks(dialog.hosts_edit, "@mira")
    dialog.zone_combo.setCurrentText("Europe/Berlin")
    dialog.start_edit.setDateTime(
        QDateTime(QDate(2026, 3, 12), QTime(19, 0), dialog.start_edit.timeZone())
    )
    dialog.end_edit.setDateTime(
        QDateTime(QDate(2026, 3, 12), QTime(20, 0), dialog.end_edit.timeZone())
    )
    with qtbot.waitSignal(window.session_opened):
        qtbot.mouseClick(dialog.create_button, Qt.MouseButton.LeftButton)

    session = library.get_session(window.conn, "socbizchat march")
    assert window.session.id == session.id
    assert session.hashtags == ("socbizchat",)
    assert session.hosts == ("mira",)
    # 19:00 in Berlin in March (CET) is 18:00 UTC.
    assert session.scheduled_start == datetime(2026, 3, 12, 18, 0, tzinfo=UTC).timestamp()
    assert session.scheduled_end == datetime(2026, 3, 12, 19, 0, tzinfo=UTC).timestamp()
    # It is in the sidebar, selected, and the deck replaced the first-run panel.
    names = [
        window.sessions.item(row).text().split("\n", 1)[0] for row in range(window.sessions.count())
    ]
    assert names == ["socbizchat march"]
    assert window.sessions.currentItem().text().startswith("socbizchat march")
    assert not window.showing_first_run()
    assert window.deck.columns  # the jam preset's columns


def test_importing_an_archive_replays_it_into_a_session_named_after_the_file(
    qtbot, window, tmp_path
):
    from desktop.app.demo import demo_archive_path

    archive = tmp_path / "march-jam.jsonl"
    archive.write_bytes(demo_archive_path().read_bytes())
    window.import_archive(archive)  # what "Import an archive" does after the file dialog
    assert window.session.name == "march-jam"
    assert not window.showing_first_run()
    qtbot.waitUntil(lambda: not window.recording.playing, timeout=20_000)
    everything = window.deck.columns[window.deck.ordered_ids()[0]]
    qtbot.waitUntil(lambda: everything.model.rowCount() > 100, timeout=10_000)
    assert window.session.hashtags  # taken from the archive's header


def test_adding_an_account_from_the_first_run_panel_offers_a_session_next(qtbot, window):
    qtbot.mouseClick(window.first_run.add_account_button, Qt.MouseButton.LeftButton)
    dialog = window.accounts_dialog
    assert dialog.isVisible() and dialog.windowTitle() == "Accounts"
    # What a finished sign-in does: the account is stored and the dialog says so.
    window.account_context.accounts.add(Account(network="bluesky", name="ann.bsky.social"))
    dialog.accounts_changed.emit()
    # No session yet: the panel stays, and starting one comes first now.
    assert window.showing_first_run()
    assert window.first_run.new_session_button.isVisibleTo(window.first_run)


def test_preferences_change_the_theme_at_once(qtbot, window):
    from desktop.app.settings import Settings

    dialog = window.menu.on_preferences()
    combo = dialog.editors["theme"]
    combo.setCurrentIndex(combo.findData("dark"))
    with qtbot.waitSignal(dialog.saved):
        dialog.on_save_clicked()
    assert window.theme is themes.DARK
    assert window.deck.delegate.theme is themes.DARK
    assert Settings.load().get("theme") == "dark"  # and it is remembered


def test_the_window_starts_without_importing_a_network_sdk(tmp_path):
    # In a fresh interpreter: other tests of this process may have imported the SDKs.
    import subprocess
    import sys

    script = (
        "import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
        "from desktop.ui.main_window import MainWindow; "
        f"w = MainWindow({str(tmp_path / 'lib.db')!r}); w.show(); app.processEvents(); "
        "print(sorted({'tweepy', 'mastodon', 'atproto', 'keyring'} & set(sys.modules))); "
        "w.shutdown()"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_ctrl_q_and_the_menu_quit_the_window(qtbot, window):
    """Issue 21.10: there was no Quit shortcut or menu item."""
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    quit_action = window.menu.quit_action
    assert quit_action in window.app_menu.actions()
    assert (
        quit_action.shortcut().matches(QKeySequence("Ctrl+Q")) != QKeySequence.SequenceMatch.NoMatch
    )
    # To the QWindow: the path a real key press takes, through the shortcut map.
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_Q, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: window.closed)
    assert not window.isVisible()
