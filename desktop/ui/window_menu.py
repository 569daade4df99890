"""The window's menu and the dialogs it opens: new session, import, the demo jam,
accounts, preferences."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QMenu

from desktop.app import sessions
from desktop.app.accounts import NETWORKS
from desktop.app.demo import DemoMissing, start_demo
from desktop.app.settings import Settings
from desktop.app.source_specs import NETWORK_NAMES as NETWORK_LABELS
from desktop.core.session import Session
from desktop.store import library
from desktop.ui import theme as themes


class WindowMenu:
    """Menu slots of ``window`` (they open dialogs and hand what they made to it)."""

    def __init__(self, window) -> None:
        self.window = window

    def fill(self, menu: QMenu) -> None:
        menu.addAction("New session…", self.on_new_session)
        menu.addAction("Import an archive…", self.on_import_requested)
        menu.addAction("Play the demo jam", self.on_demo_requested)
        menu.addSeparator()
        menu.addAction("Report…", self.on_report)
        menu.addSeparator()
        menu.addAction("Accounts…", self.on_accounts)
        menu.addAction("Preferences…", self.on_preferences)
        menu.addSeparator()
        # On the window too, so Ctrl+Q (the platform's Quit keys) works with the menu shut.
        self.quit_action = QAction("Quit JamDeck", self.window)
        # The platform's Quit keys; some platforms (Windows, Qt's generic theme) have
        # none, and Ctrl+Q is what users of a desktop app expect there.
        keys = QKeySequence.keyBindings(QKeySequence.StandardKey.Quit) or [QKeySequence("Ctrl+Q")]
        self.quit_action.setShortcuts(keys)
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(self.window.close)
        self.window.addAction(self.quit_action)
        menu.addAction(self.quit_action)

    def on_demo_requested(self) -> Session | None:
        return self.start_demo(speed=self.window.demo_speed)

    def start_demo(self, *, speed: float) -> Session | None:
        """Reset the "demo" session and play the demo jam into it, live."""
        try:
            session, source = start_demo(self.window.writer, speed=speed)
        except DemoMissing as exc:
            self.window.show_notice(f"{exc}.")
            return None
        self.window.open_session(session.id)
        self.window.play_source(source)
        self.window.deck.set_absolute_times(True)  # the demo's posts carry the recorded jam's times
        return self.window.session

    def import_archive(self, path: Path) -> Session:
        """Play an archive file into a new session named after it (on a source thread)."""
        from desktop.app.import_pipeline import import_source

        source = import_source([path])  # the CLI's import path: big files in the worker
        source.name = f"import {path.name}"
        header = source.read_header() or {}
        session = sessions.create_session(
            self.window.writer,
            sessions.name_for_import(self.window.conn, path),
            title=header.get("title", ""),
            hashtags=header.get("hashtags", []),
            hosts=header.get("hosts", []),
            sources=[f"replay:{path.name}"],
        )
        self.window.open_session(session.id)
        self.window.play_source(source)
        self.window.deck.set_absolute_times(True)
        return self.window.session

    def on_import_requested(self) -> None:
        path, _chosen = QFileDialog.getOpenFileName(
            self.window,
            "Import an archive",
            "",
            "Archives (*.jsonl *.json *.ndjson *.gz);;All files (*)",
        )
        if path:
            self.window.import_archive(Path(path))

    def on_new_session(self) -> QDialog:
        """The new-session dialog (window-modal); the session is created on accept."""
        from desktop.ui.new_session_dialog import NewSessionDialog

        window = self.window
        accounts = window.account_context.accounts
        instance = next((a.instance for a in accounts.accounts("mastodon") if a.instance), "")
        dialog = NewSessionDialog(
            available_sources=accounts.networks(),
            existing_names=[s.name for s in library.list_sessions(window.conn)],
            mastodon_instance=instance,
            parent=window,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.create_session(dialog.new_session()))
        window.new_session_dialog = dialog
        dialog.open()
        return dialog

    def create_session(self, new) -> Session | None:
        """Create a ``NewSession`` (from the dialog) in the library and open it."""
        if new is None:
            return None
        window = self.window
        specs = [
            f"mastodon:{new.mastodon_instance}"
            if net == "mastodon" and new.mastodon_instance
            else net
            for net in new.sources
        ]
        start, end = new.start_utc.timestamp(), new.end_utc.timestamp()
        try:
            session = sessions.create_session(
                window.writer,
                new.name,
                hashtags=list(new.hashtags),
                hosts=list(new.hosts),
                sources=specs,
                scheduled_start=start,
                scheduled_end=end,
            )
        except sessions.SessionExists as exc:
            window.show_notice(str(exc))
            return None
        when = datetime.fromtimestamp(start, UTC).astimezone().strftime("%a %d %b %H:%M")
        window.show_notice(f"Session “{new.name}” created (starts {when}).", error=False)
        return window.open_session(session.id)

    def on_report(self):
        """The Report window of the current session (one per main window, live)."""
        from desktop.ui.report_view import ReportView

        window = self.window
        if window.session is None:
            window.show_notice("Open a session first: the report is of the open session.")
            return None
        if window.report_view is None:
            window.report_view = ReportView(window)
        view = window.report_view
        view.show_session(window.session.id)
        if view.isVisible():
            view.raise_()  # (a window shown for the first time comes to the front anyway)
        view.show()
        return view

    def on_accounts(self) -> QDialog:
        from desktop.ui.accounts_dialog import AccountsDialog

        window = self.window
        context = window.account_context
        dialog = AccountsDialog(context.credentials, context.accounts, parent=window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accounts_changed.connect(self.on_accounts_changed)
        window.accounts_dialog = dialog
        dialog.open()
        return dialog

    def on_preferences(self) -> QDialog:
        from desktop.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(Settings.load(), parent=self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(functools.partial(self.on_settings_saved, dialog.settings))
        self.window.preferences_dialog = dialog
        dialog.open()
        return dialog

    def on_settings_saved(self, settings: Settings, names: list) -> None:
        # What changed takes effect now; column_width (the next new column) and the
        # poll intervals (the next source built) are read when they are used.
        window = self.window
        if "avatar_cache" in names:
            window.set_avatars_enabled(bool(settings.get("avatar_cache")))
        if "media_previews" in names:
            window.set_media_enabled(bool(settings.get("media_previews")))
        if "pause_on_hover" in names:
            window.deck.set_pause_on_hover(bool(settings.get("pause_on_hover")))
        if "demo_speed" in names:
            window.demo_speed = float(settings.get("demo_speed"))
        if "log_level" in names:
            from desktop.core import logs

            logs.set_file_level(settings.get("log_level"))
        if "theme" in names:
            theme = themes.resolve(settings.get("theme"))
            app = QApplication.instance()
            if app is not None:
                app.setPalette(themes.palette(theme))
            window.apply_theme(theme)

    def prewarm_action_sources(self) -> None:
        # Reading the accounts file here (GUI thread, small) means the worker only
        # builds sources; with no account that can act there is nothing to build.
        if self.window.own_sources is not None and self.window.account_context.acting_networks():
            self.window.own_sources.prewarm()
        self.fail_orphaned_actions()  # at start-up too: queued before the account went

    def fail_orphaned_actions(self) -> None:
        """Actions waiting on a network no account can act on any more fail, saying why,
        instead of waiting for ever (only with the accounts' own sources)."""
        window = self.window
        if window.own_sources is None:
            return
        acting = set(window.account_context.acting_networks())
        for network in NETWORKS:
            if network not in acting:
                name = NETWORK_LABELS.get(network, network)
                window.actions.fail_waiting(
                    network, f"no {name} account can post any more (it was removed): not sent"
                )

    def on_accounts_changed(self) -> None:
        if self.window.own_sources is not None:
            self.window.own_sources.forget()
            self.prewarm_action_sources()
        self.window.recording.restart()  # a source stopped for want of an account may start now
        if self.window.compose is not None:
            self.window.compose.set_networks(self.window.account_context.acting_networks())
        self.window.update_first_run()
