"""The main window: layout and wiring of the deck, the sidebar, the bars and dialogs.

What the window does to the library goes through the application layer
(``desktop.app``): it opens a ``Library`` (the one writer and a reader), makes
sessions with ``desktop.app.sessions``, plays and records sources with the
``LiveRecorder``, routes posts with the deck's ``DeckModel`` and acts through
the ``ActionQueue``. What a background thread reports comes back through the
one trampoline (``desktop.ui.trampoline``).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.app import sessions
from desktop.app.accounts import AccountContext, ConfiguredSources
from desktop.app.actions import ActionQueue
from desktop.app.changes import ColumnsChanged, PostsChanged
from desktop.app.library import Library
from desktop.app.recording import SessionRecording
from desktop.app.settings import Settings
from desktop.app.source_specs import RegistrySources, SourceFactory
from desktop.core.quotes import QuotesChanged
from desktop.core.resources import resource_path
from desktop.core.session import Session
from desktop.sources.base import Source, SourceState, SourceStatus
from desktop.store import library
from desktop.store.ingest import IngestResult
from desktop.ui import session_panes
from desktop.ui import theme as themes
from desktop.ui.action_bridge import ActionBridge
from desktop.ui.column_editing import ColumnEditing
from desktop.ui.deck import Deck
from desktop.ui.deck_keys import DeckKeys
from desktop.ui.first_run import FirstRunPanel
from desktop.ui.jam_progress import JamProgress
from desktop.ui.pictures import Pictures
from desktop.ui.post_actions import PostActions
from desktop.ui.recording import LiveRecording
from desktop.ui.replay_slider import ReplayBar
from desktop.ui.top_bar import TopBar, show_recording
from desktop.ui.trampoline import Trampoline
from desktop.ui.widgets import KeysOverlay, QuestionStrip, SessionList
from desktop.ui.window_menu import WindowMenu
from desktop.ui.window_status import WindowStatus

log = logging.getLogger("jamdeck.ui.window")

# A session whose last post is older than this is "recorded": show clock times.
LIVE_WINDOW = 6 * 3600


class MainWindow(QMainWindow):
    retweet_requested = Signal(int)
    like_requested = Signal(int)
    collect_requested = Signal(int)
    reply_requested = Signal(int)
    answer_requested = Signal(int)
    open_requested = Signal(str)
    session_opened = Signal(int)
    results_committed = Signal(object)  # every committed result, after the deck's turn

    def __init__(
        self,
        library_path: Path,
        *,
        theme: themes.Theme = themes.LIGHT,
        coalesce_ms: int = 60,
        sources: Callable[[str], Source | None] | Mapping[str, Source] | None = None,
        accounts=None,
        credentials=None,
        source_factory: SourceFactory | None = None,
        clock: Callable[[], datetime] | None = None,
        avatars: bool | None = False,
        media: bool | None = False,
    ) -> None:
        """``sources``: where actions on a network's posts go (a callable or a mapping
        network -> Source); by default the sources of the configured accounts.
        ``accounts`` / ``credentials``: an AccountStore / CredentialStore (default:
        the user's, opened when first needed). ``source_factory``: builds the live
        sources a session records (default: the registry's adapters with the
        configured accounts). ``clock``: "now" (aware UTC) for recording schedules.
        ``avatars``: load authors' pictures (cached on disk); None follows the
        ``avatar_cache`` setting; ``media``: media previews, None follows ``media_previews``.
        Both off by default: tests never reach for the network."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("JamDeck")
        self.setWindowIcon(QIcon(str(resource_path("icons", "app", "jamdeck.svg"))))
        self.library_path = Path(library_path)
        self.theme = theme
        self.closed = False
        self.session: Session | None = None
        self.compose = None
        self.quote_panel = None
        self.report_view = None  # the Report window, once opened (WindowMenu.on_report)
        # Opens a checked http(s) link; tests put a recorder here instead of a browser.
        self.url_opener = QDesktopServices.openUrl
        self.account_context = AccountContext(accounts=accounts, credentials=credentials)
        self.own_sources: ConfiguredSources | None = None
        if sources is None:
            self.own_sources = lookup = ConfiguredSources(self.account_context)
            # After the first paint: start-up stays free of account and SDK work.
            QTimer.singleShot(0, self, lambda: self.menu.prewarm_action_sources())
        else:
            lookup = sources.get if isinstance(sources, Mapping) else sources

        # The library: committed writes come back to on_committed on this thread.
        self.main = Trampoline(self)
        self.library = Library(self.library_path, on_commit=self.main.caller(self.on_committed))
        self.writer, self.conn = self.library.writer, self.library.reader
        # The queue's factory holds the writer and the lookup, never the window: the
        # writer and the queue's worker must not hold the last reference to a QObject.
        writer = self.writer
        self.actions = ActionBridge(
            lambda **hooks: ActionQueue(writer, lookup, **hooks), parent=self
        )
        self.recording = LiveRecording(
            self.writer,
            source_factory=source_factory or RegistrySources(self.account_context),
            clock=clock or (lambda: datetime.now(UTC)),
            parent=self,
        )
        self.recording.status_changed.connect(self.on_live_status)
        self.recording.recording_changed.connect(self.update_record_button)

        # --- top bar, sidebar, deck, question strip, replay bar, first run, quotes
        self.top = top = TopBar(self)
        for name in (
            "session_title", "record_button", "replay_button", "search", "search_error",
            "add_button", "quotes_button", "menu_button", "help_button", "app_menu",
        ):  # fmt: skip
            setattr(self, name, getattr(top, name))
        self.sessions = SessionList()
        self.sessions.session_chosen.connect(self.open_session)
        self.new_session_button = QPushButton("New session…")
        self.new_session_button.setObjectName("newSessionButton")
        self.questions = QuestionStrip()
        self.deck = Deck(theme, coalesce_ms=coalesce_ms)
        self.replay_bar = ReplayBar(self.deck)
        self.replay_bar.replay.state_changed.connect(self.on_replay_state)
        self.replay_bar.close_requested.connect(lambda: self.replay_button.setChecked(False))
        self.replay_bar.hide()
        self.first_run = FirstRunPanel()
        self.quotes_holder = QWidget()
        self.quotes_holder.setObjectName("quotesPane")
        self.quotes_holder.setMinimumWidth(300)
        self.quotes_holder.hide()
        self._lay_out()

        self.status = WindowStatus(self.statusBar(), self.recording, theme)
        for name in ("no_sources", "live_status", "count_label", "notice_label", "pending_button"):
            setattr(self, name, getattr(self.status, name))
        self.show_notice = self.status.show_notice
        self.live_status.fix_requested.connect(lambda _label: self.menu.on_accounts())
        self.columns = ColumnEditing(self)
        self.post_actions = PostActions(self)
        self.menu = WindowMenu(self)
        self.keys = DeckKeys(self)
        self.progress = JamProgress(self)
        self.deck.flushed.connect(self.on_flushed)
        self._connect()

        self.pictures = Pictures(self.deck, parent=self)
        settings = Settings.load()  # the Preferences (applied on save by WindowMenu)
        self.set_avatars_enabled(bool(settings.get("avatar_cache") if avatars is None else avatars))
        self.set_media_enabled(bool(settings.get("media_previews") if media is None else media))
        self.deck.set_pause_on_hover(bool(settings.get("pause_on_hover")))
        self.demo_speed = float(settings.get("demo_speed"))  # the first-run panel's demo
        self.keys_overlay = KeysOverlay(self.centralWidget())
        self.apply_theme(theme)
        self.refresh_sessions()
        self.post_actions.update_pending()

    def _lay_out(self) -> None:
        sidebar = QWidget()
        sidebar.setObjectName("sidebar")
        sidebar.setMinimumWidth(180)
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(0)
        heading = QLabel("Sessions", sidebar)
        heading.setObjectName("sidebarTitle")
        side.addWidget(heading)
        side.addWidget(self.sessions, 1)
        new_row = QVBoxLayout()
        new_row.setContentsMargins(10, 8, 10, 10)
        new_row.addWidget(self.new_session_button)
        side.addLayout(new_row)
        self.workspace = QWidget()
        self.workspace.setObjectName("workspace")
        self.workspace_layout = middle = QVBoxLayout(self.workspace)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addWidget(self.questions)
        middle.addWidget(self.replay_bar)
        middle.addWidget(self.deck, 1)  # the compose box goes under it, per session
        self.center = QStackedWidget()
        self.center.addWidget(self.workspace)
        self.center.addWidget(self.first_run)
        self.quotes_layout = QVBoxLayout(self.quotes_holder)
        self.quotes_layout.setContentsMargins(0, 0, 0, 0)
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        for widget in (sidebar, self.center, self.quotes_holder):
            self.splitter.addWidget(widget)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([230, 1170, 0])
        self.splitter.setChildrenCollapsible(False)
        root = QWidget(self)
        outer = QVBoxLayout(root)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.top)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(root)

    def _connect(self) -> None:
        top, columns, acts = self.top, self.columns, self.post_actions
        top.record_button.clicked.connect(self.on_record_clicked)
        top.replay_button.toggled.connect(self.set_replay_visible)
        top.search.returnPressed.connect(self.on_search)
        top.search.textChanged.connect(lambda _text: top.set_search_error(""))
        top.add_button.clicked.connect(columns.on_add_column)
        top.quotes_button.toggled.connect(self.set_quotes_visible)
        top.help_button.clicked.connect(self.toggle_keys)
        self.menu.fill(top.app_menu)
        self.new_session_button.clicked.connect(self.menu.on_new_session)
        self.questions.question_chosen.connect(columns.on_question_chosen)
        self.first_run.demo_requested.connect(self.menu.on_demo_requested)
        self.first_run.add_account_requested.connect(self.menu.on_accounts)
        self.first_run.import_requested.connect(self.menu.on_import_requested)
        self.first_run.new_session_requested.connect(self.menu.on_new_session)
        self.pending_button.clicked.connect(acts.show_pending)
        delegate = self.deck.delegate
        for name in ("retweet", "like", "collect", "reply"):
            getattr(delegate, f"{name}_requested").connect(getattr(self, f"{name}_requested"))
        delegate.open_requested.connect(acts.on_open_requested)
        self.retweet_requested.connect(acts.on_retweet_requested)
        self.like_requested.connect(acts.on_like_requested)
        self.collect_requested.connect(acts.on_collect_requested)
        self.reply_requested.connect(acts.on_answer_requested)
        self.answer_requested.connect(acts.on_answer_requested)

    # ------------------------------------------------------------ looks
    def set_avatars_enabled(self, enabled: bool) -> None:
        self.pictures.set_avatars_enabled(enabled)
        self.avatar_loader = self.pictures.avatars

    def set_media_enabled(self, enabled: bool) -> None:
        self.pictures.set_media_enabled(enabled)

    def apply_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.setStyleSheet(themes.stylesheet(theme))
        self.deck.apply_theme(theme)
        self.top.apply_theme(theme)
        self.status.apply_theme(theme)
        self.update_record_button()
        self.post_actions.update_pending()
        if self.compose is not None:
            self.compose.apply_theme(theme)

    # ------------------------------------------------------------ sessions
    def refresh_sessions(self) -> list[Session]:
        found = library.list_sessions(self.conn)
        self.sessions.set_sessions(found, current=self.session.id if self.session else None)
        self.update_first_run(found)
        return found

    def update_first_run(self, found: list[Session] | None = None) -> None:
        """With no session and no account, the first-run panel stands in for the deck."""
        if found is None:
            found = library.list_sessions(self.conn)
        self.first_run.set_has_accounts(len(self.account_context.accounts) > 0)
        first = self.session is None and not found
        self.center.setCurrentWidget(self.first_run if first else self.workspace)
        for widget in (self.add_button, self.quotes_button, self.search):
            widget.setEnabled(self.session is not None)
        if first and self.quotes_button.isChecked():
            self.quotes_button.setChecked(False)

    def showing_first_run(self) -> bool:
        return self.center.currentWidget() is self.first_run

    def open_session(self, name_or_id: str | int) -> Session:
        session = library.get_session(self.conn, name_or_id)
        if self.session is not None:
            self.columns.save_read_positions()
            if self.compose is not None:
                self.compose.flush_draft()
        self.replay_bar.replay.stop()
        self.session = session
        self.actions.session_id = session.id
        sessions.ensure_columns(self.writer, session.id)
        self.deck.open_session(self.conn, session.id, self.columns.saved_columns(session.id))
        self.recording.set_session(session)
        self.no_sources.setVisible(not self.live_status.items)
        recent = (session.last_activity or 0) > time.time() - LIVE_WINDOW
        self.deck.set_absolute_times(not (self.recording.active or recent))
        self.session_title.setText(session.title or session.name)
        self.progress.load(session)
        self.compose = session_panes.open_compose(self, session.id)
        self.quote_panel = session_panes.open_quote_panel(self, session.id)
        self.update_quote_count()
        self.post_actions.show_action_notices()
        self.refresh_sessions()
        self.update_record_button()
        self._update_replay_bar()
        if self.deck.current() is not None:  # keys go to the deck, not the search box
            self.deck.focus_column(self.deck.current().spec.id, select=False)
        self.session_opened.emit(session.id)
        return session

    def open_most_recent(self) -> Session | None:
        found = library.list_sessions(self.conn)
        return self.open_session(found[0].id) if found else None

    # ------------------------------------------------------------ playing and recording
    def play_source(self, source: Source, *, label: str | None = None) -> SessionRecording:
        """Play a one-off source (an archive, the demo) into the open session."""
        assert self.session is not None
        self.no_sources.hide()
        self.deck.set_absolute_times(False)
        return self.recording.play(source, label=label)

    def start_demo(self, *, speed: float) -> Session | None:
        return self.menu.start_demo(speed=speed)

    def import_archive(self, path: Path) -> Session:
        return self.menu.import_archive(path)

    def on_live_status(self, _label: str, network: str, status: SourceStatus) -> None:
        """A source's state changed (the status bar shows it by itself)."""
        if not self.closed and status.state == SourceState.CONNECTED and network:
            self.actions.source_back(network)  # actions that waited for it run now

    def on_record_clicked(self, checked: bool) -> None:
        """The Record toggle of a session without a schedule: record now, or stop."""
        if checked and self.replay_bar.replay.replaying:
            self.replay_bar.replay.stop()
        self.recording.set_recording(checked)
        if checked:
            self.deck.set_absolute_times(False)
        self.update_record_button()

    def update_record_button(self, _active: bool | None = None) -> None:
        if self.closed or not hasattr(self, "status"):
            return
        show_recording(self.record_button, self.recording, self.theme)
        if self.recording.active:
            self.replay_button.setChecked(False)
        self.replay_button.setEnabled(not self.recording.active)

    # ------------------------------------------------------------ time slider
    def set_replay_visible(self, visible: bool) -> None:
        if not visible:
            self.replay_bar.replay.stop()
        elif self.session is not None and not self.replay_bar.replay.replaying:
            self.replay_bar.set_session(self.conn, self.session.id)  # posts recorded since
        self.replay_bar.setVisible(visible and self.session is not None)

    def _update_replay_bar(self) -> None:
        has_posts = self.replay_bar.set_session(
            self.conn, self.session.id if self.session else None
        )
        self.replay_button.setVisible(has_posts)
        if not has_posts:
            self.replay_button.setChecked(False)

    def on_replay_state(self, state: str) -> None:
        """A replay counts its posts from zero, as if the jam were live; stopping it
        brings the recorded counts back."""
        if self.session is None or self.closed:
            return
        if state == "playing" and self.replay_bar.replay.fed == 0:
            self.progress.restart()
        elif state == "stopped":
            self.progress.load(library.get_session(self.conn, self.session.id))
            self.refresh_sessions()

    # ------------------------------------------------------------ committed changes
    def on_committed(self, result: object) -> None:
        if self.closed or self.session is None:
            return
        session_id = self.session.id
        if isinstance(result, IngestResult) and result.session_id == session_id:
            self.deck.on_committed(result)
            if result.new_questions:
                self.columns.ensure_question_columns(
                    [q.number for q in result.new_questions], session_id=session_id
                )
        elif isinstance(result, ColumnsChanged) and result.session_id == session_id:
            self.deck.set_columns(self.columns.saved_columns(session_id))
            if result.added is not None:  # the user's new column: into view, focused
                self.deck.focus_column(result.added)
        elif isinstance(result, PostsChanged) and result.session_id == session_id:
            self.deck.refresh_posts(result.post_rowids)
            self.progress.recount_answers(session_id)
        elif isinstance(result, QuotesChanged) and result.session_id == session_id:
            # The "collected" mark of these posts flipped (the panel reloads itself).
            self.deck.refresh_posts(result.post_rowids, membership=False)
            self.update_quote_count()
        self.results_committed.emit(result)  # for the views that follow the jam (the report)

    def on_flushed(self, records: list) -> None:
        self.progress.on_flushed(records)
        if records and self.replay_button.isHidden():
            self.replay_button.show()  # the session has posts to replay now

    # ------------------------------------------------------------ search, keyboard
    def on_search(self) -> None:
        self.top.set_search_error(self.columns.search(self.search.text()))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self.keys.handle(event):
            super().keyPressEvent(event)

    def toggle_keys(self) -> None:
        self.keys_overlay.toggle()

    # ------------------------------------------------------------ quotes
    def set_quotes_visible(self, visible: bool) -> None:
        if self.quotes_button.isChecked() != visible:
            self.quotes_button.setChecked(visible)  # comes back here through toggled
            return
        self.quotes_holder.setVisible(visible and self.quote_panel is not None)
        if visible and self.quote_panel is not None:
            sizes = self.splitter.sizes()
            if sizes[2] < 300:
                width = 380
                self.splitter.setSizes([sizes[0], max(400, sizes[1] - width), width])

    def update_quote_count(self) -> None:
        count = library.quote_count(self.conn, self.session.id) if self.session else 0
        self.quotes_button.setText(f"Quotes ({count})")

    # ------------------------------------------------------------ closing
    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop sources, finish queued writes, close connections (idempotent)."""
        if self.closed:
            return
        self.closed = True
        self.status.stop()
        if self.report_view is not None:
            self.report_view.close()
        # What the user typed is saved before the writer stops: the draft, a note.
        if self.compose is not None:
            self.compose.flush_draft()
        if self.quote_panel is not None:
            self.quote_panel.on_note_edited()
        self.columns.save_read_positions()
        self.replay_bar.replay.timer.stop()
        # The sources' last batches land before the writer closes (bounded wait).
        self.recording.shutdown(timeout=5.0)
        self.actions.close()  # queued actions stay in the cache for next time
        self.pictures.close()  # downloads under way end within their timeout
        if self.own_sources is not None:
            self.own_sources.close()
        self.writer.close()
        self.main.close()
        # Writer results still on their way to the GUI thread would make these widgets
        # read the closed connection: they go now, and their trampolines close with them.
        for widget in (self.compose, self.quote_panel, self.post_actions.pending_dialog):
            if widget is not None:
                widget.setParent(None)
                shiboken6.delete(widget)
        self.compose = self.quote_panel = self.post_actions.pending_dialog = None
        self.deck.close_session()
        self.conn.close()

    def first_page_ready(self) -> bool:
        return all(
            w.model.rowCount() > 0 or not w.model.canFetchMore(QModelIndex())
            for w in self.deck.columns.values()
        )
