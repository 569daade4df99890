"""The main window: sessions, the deck, the question strip, search, status.

The window owns the store writer (one thread, the one writable connection), a
read-only connection for the GUI, and the threads of the live sources. Every
write goes through the writer; what it changed comes back through the
bridge's one queued signal.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import shiboken6
from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QDesktopServices, QIcon, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import filters
from desktop.app.actions import ActionQueue
from desktop.core.actions import Action, ActionState
from desktop.core.quotes import QuotesChanged
from desktop.core.resources import resource_path
from desktop.core.session import Session
from desktop.core.views import PostView
from desktop.sources.base import Source, SourceError, SourceState, SourceStatus
from desktop.store import columns as saved_columns
from desktop.store import library
from desktop.store.db import connect
from desktop.store.ingest import IngestResult
from desktop.store.writer import StoreWriter
from desktop.ui import theme as themes
from desktop.ui.action_bridge import KIND_WORDS, ActionBridge, PendingActionsView
from desktop.ui.avatars import AvatarLoader
from desktop.ui.bridge import ColumnsChanged, PostsChanged, SourceRunner, StoreBridge
from desktop.ui.column_widget import ColumnSpec, deck_command
from desktop.ui.compose_box import ComposeBox
from desktop.ui.deck import READ_POSITION, Deck
from desktop.ui.filter_editor import FilterEditor
from desktop.ui.first_run import FirstRunPanel
from desktop.ui.post_delegate import safe_url
from desktop.ui.quote_panel import QuotePanel
from desktop.ui.recording import LiveRecording, LiveStatusBar, RegistrySources, SourceFactory
from desktop.ui.replay_slider import ReplayBar
from desktop.ui.widgets import KeysOverlay, QuestionStrip, SessionList

log = logging.getLogger("jamdeck.ui.window")

# A session whose last post is older than this is "recorded": show clock times.
LIVE_WINDOW = 6 * 3600
NOTICE_MS = 10_000  # how long a status-bar notice (a refused action) stays


class AccountContext:
    """The configured accounts and the credential store, opened on first use:
    start-up reads neither the accounts file nor the keyring."""

    def __init__(self, *, accounts=None, credentials=None) -> None:
        self._accounts = accounts
        self._credentials = credentials
        self._lock = threading.Lock()

    @property
    def accounts(self):
        with self._lock:
            if self._accounts is None:
                from desktop.core.accounts import AccountsFileError, AccountStore

                try:
                    self._accounts = AccountStore()
                except AccountsFileError as exc:
                    log.warning("%s: starting with no accounts", exc)
                    return _NoAccounts()
            return self._accounts

    @property
    def credentials(self):
        with self._lock:
            if self._credentials is None:
                from desktop.core.credentials import CredentialStore

                self._credentials = CredentialStore()
            return self._credentials

    def acting_networks(self) -> list[str]:
        return self.accounts.networks(acting=True)


class _NoAccounts:
    """Stands in for an accounts file that cannot be read (the app still starts)."""

    def networks(self, *, acting: bool = False) -> list[str]:
        return []

    def accounts(self, network: str | None = None) -> list:
        return []

    def __len__(self) -> int:
        return 0


class ConfiguredSources:
    """The action sources of the user's accounts: ``sources(network)`` is a Source for
    an account that can act on ``network``, built (and kept) on first use, or None
    (no such account: actions wait, "offline"). Called from the GUI thread and the
    action queue's worker; it holds no Qt object."""

    def __init__(self, context: AccountContext) -> None:
        self._context = context
        self._lock = threading.Lock()
        self._sources: dict[str, Source | None] = {}

    def __call__(self, network: str) -> Source | None:
        with self._lock:
            if network not in self._sources:
                self._sources[network] = self._make(network)
            return self._sources[network]

    def _make(self, network: str) -> Source | None:
        accounts = [a for a in self._context.accounts.accounts(network) if a.can_act]
        if not accounts:
            return None
        from desktop.sources.registry import UnknownSource, make_source

        account = accounts[0]
        spec = network
        if network == "x":
            spec = f"x:{account.name}"
        elif account.instance:
            spec = f"{network}:{account.instance}"
        try:
            return make_source(spec, hashtags=[], credentials=self._context.credentials)
        except (SourceError, UnknownSource, ValueError) as exc:
            log.warning("no action source for %s: %s", network, exc)
            return None

    def prewarm(self) -> None:
        """Build the sources on a background thread now, so the first retweet does
        not import a network SDK (tweepy, atproto: up to a second) on the GUI thread."""
        threading.Thread(target=self._prewarm, name="jamdeck-action-sources", daemon=True).start()

    def _prewarm(self) -> None:
        for network in ("x", "mastodon", "bluesky"):
            try:
                self(network)
            except Exception:  # reported when the user acts; never kill the thread
                log.exception("building the %s action source failed", network)

    def forget(self) -> None:
        """The accounts changed: build the sources again when next asked."""
        with self._lock:
            old, self._sources = self._sources, {}
        for source in old.values():
            if source is not None:
                source.close()

    close = forget


def status_text(name: str, status: SourceStatus) -> str:
    short = name if len(name) <= 28 else name[:27] + "…"
    if status.state == SourceState.RATE_LIMITED and status.until is not None:
        return f"{short}: rate-limited until {status.until.astimezone().strftime('%H:%M:%S')}"
    if status.state == SourceState.STOPPED:
        return f"{short}: stopped — {status.message or 'no reason given'}"
    words = {
        SourceState.IDLE: "idle",
        SourceState.CONNECTING: "connecting…",
        SourceState.CONNECTED: "connected",
        SourceState.RECONNECTING: "reconnecting…",
        SourceState.RATE_LIMITED: "rate-limited",
        SourceState.FINISHED: "finished",
    }
    text = f"{short}: {words.get(status.state, str(status.state))}"
    if status.message and status.state in (SourceState.RECONNECTING, SourceState.FINISHED):
        text += f" ({status.message})"
    return text


class MainWindow(QMainWindow):
    retweet_requested = Signal(int)
    like_requested = Signal(int)
    collect_requested = Signal(int)
    reply_requested = Signal(int)
    answer_requested = Signal(int)
    open_requested = Signal(str)
    session_opened = Signal(int)

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
    ) -> None:
        """``sources``: where actions on a network's posts go (a callable or a mapping
        network -> Source); by default the sources of the configured accounts.
        ``accounts`` / ``credentials``: an AccountStore / CredentialStore (default:
        the user's, opened when first needed). ``source_factory``: builds the live
        sources a session records (default: the registry's adapters with the
        configured accounts). ``clock``: "now" (aware UTC) for recording schedules.
        ``avatars``: load authors' pictures (cached on disk); None follows the
        ``avatar_cache`` setting. Off by default: tests never reach for the network."""
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("JamDeck")
        self.setWindowIcon(QIcon(str(resource_path("icons", "app", "jamdeck.svg"))))
        self.library_path = Path(library_path)
        self.theme = theme
        self.account_context = AccountContext(accounts=accounts, credentials=credentials)
        self._own_sources: ConfiguredSources | None = None
        if sources is None:
            self._own_sources = ConfiguredSources(self.account_context)
            lookup = self._own_sources
            # After the first paint: start-up stays free of account and SDK work.
            QTimer.singleShot(0, self, self._prewarm_action_sources)
        elif isinstance(sources, Mapping):
            lookup = sources.get
        else:
            lookup = sources
        self.demo_speed = 10.0  # the first-run panel's demo (tests play it at full speed)
        self.compose: ComposeBox | None = None
        self.quote_panel: QuotePanel | None = None
        self._pending_dialog: QDialog | None = None
        self._source_networks: dict[str, str] = {}  # source name -> network
        self.bridge = StoreBridge(self)
        self.bridge.committed.connect(self.on_committed)
        self.bridge.source_status.connect(self.on_source_status)
        # The writer creates/migrates the file; the GUI reads through its own connection.
        self.writer = StoreWriter(self.library_path, on_commit=self.bridge.deliver)
        self.conn = connect(self.library_path, readonly=True)
        # The queue's factory holds the writer and the lookup, never the window: the
        # writer and the queue's worker must not hold the last reference to a QObject.
        writer = self.writer
        self.actions = ActionBridge(
            lambda **hooks: ActionQueue(writer, lookup, **hooks), parent=self
        )
        self.actions.action_changed.connect(self.on_action_changed)
        self.actions.refused.connect(self.show_notice)
        self.actions.pending_changed.connect(self._update_pending)
        # Live recording of the open session's network sources (see recording.py).
        self.recording = LiveRecording(
            self.writer,
            source_factory=source_factory or RegistrySources(self.account_context),
            clock=clock or (lambda: datetime.now(UTC)),
            parent=self,
        )
        self.recording.status_changed.connect(self.on_live_status)
        self.recording.recording_changed.connect(self._update_record_button)
        self.session: Session | None = None
        self.runners: list[SourceRunner] = []
        self._closed = False
        self._temp_ids = 0
        self._rate: deque[tuple[float, int]] = deque()
        self._session_posts = 0
        self._question_counts: dict[int, int] = {}
        self._question_texts: dict[int, tuple[str, float]] = {}
        self._source_labels: dict[str, QLabel] = {}
        self._search_action = None
        # Opens a checked http(s) link; tests put a recorder here instead of a browser.
        self.url_opener = QDesktopServices.openUrl

        # --- top bar: title, search, add column, help
        top = QWidget(self)
        top.setObjectName("topBar")
        self.session_title = QLabel("JamDeck", top)
        self.session_title.setObjectName("sessionTitle")
        self.session_title.setTextFormat(Qt.TextFormat.PlainText)
        self.record_button = QToolButton(top)
        self.record_button.setObjectName("recordButton")
        self.record_button.setCheckable(True)
        self.record_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.record_button.clicked.connect(self.on_record_clicked)
        self.record_button.hide()
        self.replay_button = QToolButton(top)
        self.replay_button.setObjectName("replayButton")
        self.replay_button.setText("Replay…")
        self.replay_button.setCheckable(True)
        self.replay_button.setToolTip("Replay the recorded jam into the deck with a time slider")
        self.replay_button.toggled.connect(self.set_replay_visible)
        self.replay_button.hide()
        self.search = QLineEdit(top)
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText("Search the session  (/)   e.g.  pricing from:alice  #q3")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self.search.returnPressed.connect(self.on_search)
        self.search.textChanged.connect(lambda _t: self._set_search_error(""))
        self.search_error = QLabel("", top)
        self.search_error.setObjectName("searchError")
        self.search_error.setTextFormat(Qt.TextFormat.PlainText)
        self.add_button = QToolButton(top)
        self.add_button.setText("Add column")
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.add_button.clicked.connect(self.on_add_column)
        self.quotes_button = QToolButton(top)
        self.quotes_button.setObjectName("quotesButton")
        self.quotes_button.setText("Quotes (0)")
        self.quotes_button.setCheckable(True)
        self.quotes_button.setToolTip("Show the quote list (q)")
        self.quotes_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.quotes_button.toggled.connect(self.set_quotes_visible)
        self.menu_button = QToolButton(top)
        self.menu_button.setObjectName("appMenuButton")
        self.menu_button.setToolTip("Menu")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.app_menu = QMenu(self.menu_button)
        self.app_menu.addAction("New session…", self.on_new_session)
        self.app_menu.addAction("Import an archive…", self.on_import_requested)
        self.app_menu.addAction("Play the demo jam", self.on_demo_requested)
        self.app_menu.addSeparator()
        self.app_menu.addAction("Accounts…", self.on_accounts)
        self.app_menu.addAction("Preferences…", self.on_preferences)
        self.menu_button.setMenu(self.app_menu)
        self.help_button = QToolButton(top)
        self.help_button.setText("?")
        self.help_button.setToolTip("Keyboard (?)")
        self.help_button.clicked.connect(self.toggle_keys)
        bar = QHBoxLayout(top)
        bar.setContentsMargins(14, 8, 14, 8)
        bar.setSpacing(10)
        bar.addWidget(self.session_title)
        bar.addWidget(self.record_button)
        bar.addWidget(self.replay_button)
        bar.addStretch(1)
        bar.addWidget(self.search_error)
        bar.addWidget(self.search)
        bar.addWidget(self.add_button)
        bar.addWidget(self.quotes_button)
        bar.addWidget(self.help_button)
        bar.addWidget(self.menu_button)

        # --- sidebar
        self.sessions = SessionList()
        self.sessions.session_chosen.connect(self.open_session)
        sidebar = QWidget()
        sidebar.setObjectName("sidebar")
        side = QVBoxLayout(sidebar)
        side.setContentsMargins(0, 0, 0, 0)
        side.setSpacing(0)
        heading = QLabel("Sessions", sidebar)
        heading.setObjectName("sidebarTitle")
        side.addWidget(heading)
        side.addWidget(self.sessions, 1)
        self.new_session_button = QPushButton("New session…", sidebar)
        self.new_session_button.setObjectName("newSessionButton")
        self.new_session_button.clicked.connect(self.on_new_session)
        new_row = QHBoxLayout()
        new_row.setContentsMargins(10, 8, 10, 10)
        new_row.addWidget(self.new_session_button)
        side.addLayout(new_row)

        # --- deck and question strip
        self.questions = QuestionStrip()
        self.questions.question_chosen.connect(self.on_question_chosen)
        self.deck = Deck(theme, coalesce_ms=coalesce_ms)
        self.deck.edit_requested.connect(self.on_edit_column)
        self.deck.duplicate_requested.connect(self.on_duplicate_column)
        self.deck.remove_requested.connect(self.on_remove_column)
        self.deck.slow_mode_changed.connect(self.on_slow_mode_changed)
        self.deck.width_changed.connect(self.on_width_changed)
        self.deck.order_changed.connect(self.on_columns_reordered)
        self.deck.command.connect(self.on_command)
        self.deck.flushed.connect(self.on_flushed)
        delegate = self.deck.delegate
        delegate.retweet_requested.connect(self.retweet_requested)
        delegate.like_requested.connect(self.like_requested)
        delegate.collect_requested.connect(self.collect_requested)
        delegate.reply_requested.connect(self.reply_requested)
        delegate.open_requested.connect(self.on_open_requested)
        self.retweet_requested.connect(self.on_retweet_requested)
        self.like_requested.connect(self.on_like_requested)
        self.collect_requested.connect(self.on_collect_requested)
        self.reply_requested.connect(self.on_answer_requested)
        self.answer_requested.connect(self.on_answer_requested)
        self.workspace = QWidget()
        self.workspace.setObjectName("workspace")
        middle = QVBoxLayout(self.workspace)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addWidget(self.questions)
        self.replay_bar = ReplayBar(self.deck)
        self.replay_bar.replay.state_changed.connect(self.on_replay_state)
        self.replay_bar.hide()
        middle.addWidget(self.replay_bar)
        middle.addWidget(self.deck, 1)
        self._workspace_layout = middle  # the compose box goes under the deck per session

        self.first_run = FirstRunPanel()
        self.first_run.demo_requested.connect(self.on_demo_requested)
        self.first_run.add_account_requested.connect(self.on_accounts)
        self.first_run.import_requested.connect(self.on_import_requested)
        self.center = QStackedWidget()
        self.center.addWidget(self.workspace)
        self.center.addWidget(self.first_run)

        # The quote panel is made with the first session (it needs one).
        self.quotes_holder = QWidget()
        self.quotes_holder.setObjectName("quotesPane")
        self._quotes_layout = QVBoxLayout(self.quotes_holder)
        self._quotes_layout.setContentsMargins(0, 0, 0, 0)
        self.quotes_holder.setMinimumWidth(300)
        self.quotes_holder.hide()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(sidebar)
        self.splitter.addWidget(self.center)
        self.splitter.addWidget(self.quotes_holder)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([230, 1170, 0])
        self.splitter.setChildrenCollapsible(False)
        sidebar.setMinimumWidth(180)

        root = QWidget(self)
        outer = QVBoxLayout(root)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(top)
        outer.addWidget(self.splitter, 1)
        self.setCentralWidget(root)

        # --- status bar
        self.sources_box = QWidget()
        self.sources_layout = QHBoxLayout(self.sources_box)
        self.sources_layout.setContentsMargins(0, 0, 0, 0)
        self.sources_layout.setSpacing(16)
        self.no_sources = QLabel("offline — reading the cache")
        self.sources_layout.addWidget(self.no_sources)
        self.live_status = LiveStatusBar(self.recording, theme)
        self.live_status.fix_requested.connect(lambda _label: self.on_accounts())
        self.sources_layout.addWidget(self.live_status)
        self.rate_label = QLabel("")
        self.count_label = QLabel("")
        self.notice_label = QLabel("")
        self.notice_label.setObjectName("statusNotice")
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        self._notice_timer = QTimer(self)
        self._notice_timer.setSingleShot(True)
        self._notice_timer.timeout.connect(lambda: self.notice_label.setText(""))
        self.pending_button = QToolButton()
        self.pending_button.setObjectName("pendingButton")
        self.pending_button.setAutoRaise(True)
        self.pending_button.setToolTip("Actions waiting to run, and failed ones")
        self.pending_button.clicked.connect(self.show_pending)
        self.statusBar().addWidget(self.sources_box, 1)
        self.statusBar().addWidget(self.notice_label)
        self.statusBar().addPermanentWidget(self.pending_button)
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.rate_label)
        self._rate_timer = QTimer(self)
        self._rate_timer.setInterval(1000)
        self._rate_timer.timeout.connect(self._update_rate)
        self._rate_timer.start()

        self.avatar_loader: AvatarLoader | None = None
        if avatars is None:
            from desktop.core.settings import Settings

            avatars = bool(Settings.load().get("avatar_cache"))
        self.set_avatars_enabled(avatars)

        self.keys_overlay = KeysOverlay(root)
        self.apply_theme(theme)
        self.refresh_sessions()
        self._update_pending()

    # ------------------------------------------------------------ avatars
    def set_avatars_enabled(self, enabled: bool) -> None:
        """Authors' pictures (downloaded in the background, kept on disk), or initials."""
        if enabled and self.avatar_loader is None:
            self.avatar_loader = AvatarLoader(parent=self)
            self.deck.set_avatars(self.avatar_loader)
        elif not enabled and self.avatar_loader is not None:
            self.deck.set_avatars(None)
            self.avatar_loader.close()
            self.avatar_loader = None

    # ------------------------------------------------------------ theme
    def apply_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.setStyleSheet(themes.stylesheet(theme))
        self.deck.apply_theme(theme)
        self.add_button.setIcon(themes.icon("add", theme.text))
        self.quotes_button.setIcon(themes.icon("collect", theme.text))
        self.menu_button.setIcon(themes.icon("menu", theme.text))
        self.notice_label.setStyleSheet(f"color: {theme.error};")
        self.live_status.apply_theme(theme)
        self._update_record_button()
        self._update_pending()
        if self.compose is not None:
            self.compose.apply_theme(theme)
        if self._search_action is None:
            self._search_action = self.search.addAction(
                themes.icon("search", theme.muted), QLineEdit.ActionPosition.LeadingPosition
            )
        else:
            self._search_action.setIcon(themes.icon("search", theme.muted))

    # ------------------------------------------------------------ sessions
    def refresh_sessions(self) -> list[Session]:
        sessions = library.list_sessions(self.conn)
        self.sessions.set_sessions(sessions, current=self.session.id if self.session else None)
        self._update_first_run(sessions)
        return sessions

    def _update_first_run(self, sessions: list[Session] | None = None) -> None:
        """With no session and no account, the first-run panel stands in for the deck."""
        if sessions is None:
            sessions = library.list_sessions(self.conn)
        first = self.session is None and not sessions and not self._has_accounts()
        self.center.setCurrentWidget(self.first_run if first else self.workspace)
        for widget in (self.add_button, self.quotes_button, self.search):
            widget.setEnabled(self.session is not None)
        if first and self.quotes_button.isChecked():
            self.quotes_button.setChecked(False)

    def showing_first_run(self) -> bool:
        return self.center.currentWidget() is self.first_run

    def _has_accounts(self) -> bool:
        return len(self.account_context.accounts) > 0

    def open_session(self, name_or_id: str | int) -> Session:
        session = library.get_session(self.conn, name_or_id)
        if self.session is not None:
            self._save_read_positions()
        if self.compose is not None and self.session is not None:
            self.compose.flush_draft()
        self.replay_bar.replay.stop()
        self.session = session
        self.actions.session_id = session.id
        specs = self._specs(session.id)
        if not specs:
            # A session without columns gets the jam preset (through the writer).
            self.writer.call(
                lambda ctx: saved_columns.apply_preset(ctx.conn, session.id), notify=False
            )
            specs = self._specs(session.id)
        self.deck.open_session(self.conn, session.id, specs)
        self.recording.set_session(session)
        self.no_sources.setVisible(not self.runners and not self.live_status.items)
        live = (
            bool(self.runners)
            or self.recording.active
            or (session.last_activity or 0) > time.time() - LIVE_WINDOW
        )
        self.deck.set_absolute_times(not live)
        self.session_title.setText(session.title or session.name)
        self._session_posts = session.posts
        self._question_texts = library.question_texts(self.conn, session.id)
        self._question_counts = library.question_counts(self.conn, session.id)
        self.questions.set_questions(self._question_texts, self._question_counts)
        self._update_counts()
        self._open_compose(session.id)
        if self.quote_panel is None:
            self.quote_panel = QuotePanel(self.writer, self.conn, session.id)
            self.quote_panel.error.connect(self.show_notice)
            self._quotes_layout.addWidget(self.quote_panel)
        else:
            self.quote_panel.set_session(session.id)
        self._update_quote_count()
        self._show_action_notices()
        self.refresh_sessions()
        self._update_record_button()
        self._update_replay_bar()
        if self.deck.current() is not None:  # keys go to the deck, not the search box
            self.deck.focus_column(self.deck.current().spec.id, select=False)
        self.session_opened.emit(session.id)
        return session

    def _open_compose(self, session_id: int) -> None:
        """A compose box for the session (it starts from the session's saved draft)."""
        if self.compose is not None:
            self.compose.flush_draft()
            self._workspace_layout.removeWidget(self.compose)
            self.compose.hide()
            self.compose.deleteLater()
        self.compose = ComposeBox(
            self.writer,
            session_id,
            self.account_context.acting_networks(),
            self.current_question,
            read_conn=self.conn,
            theme=self.theme,
        )
        self.compose.no_accounts.setText("Add an account to post (menu ▸ Accounts…).")
        self.compose.send_requested.connect(self.on_send_requested)
        self._workspace_layout.addWidget(self.compose)

    def current_question(self) -> int | None:
        """The jam's current question: the last one asked."""
        return max(self._question_texts) if self._question_texts else None

    def _specs(self, session_id: int) -> list[ColumnSpec]:
        return [
            ColumnSpec(id=c.id, name=c.name, filter=c.filter, options=c.options, width=c.width)
            for c in saved_columns.list_columns(self.conn, session_id)
        ]

    def open_most_recent(self) -> Session | None:
        sessions = library.list_sessions(self.conn)
        if not sessions:
            return None
        return self.open_session(sessions[0].id)

    # ------------------------------------------------------------ live sources
    def start_source(self, source: Source) -> SourceRunner:
        assert self.session is not None
        runner = SourceRunner(source, self.writer, self.session.id, self.bridge)
        self._source_networks[source.name] = source.network
        self.runners.append(runner)
        self.no_sources.hide()
        self.deck.set_absolute_times(False)
        self.on_source_status(source.name, SourceStatus(SourceState.CONNECTING))
        runner.start()
        return runner

    def start_demo(self, archive: Path, *, speed: float) -> Session:
        """Reset the "demo" session and play the demo jam into it, live."""
        from desktop.sources.replay import ReplaySource

        source = ReplaySource([archive], speed=speed)
        header = source.read_header() or {}

        def reset(ctx):
            try:
                old = library.get_session(ctx.conn, "demo")
            except library.SessionNotFound:
                pass
            else:
                library.delete_session(ctx.conn, old.id)
                ctx.ingestor.forget_session(old.id)
            session_id = library.create_session(
                ctx.conn,
                "demo",
                title=header.get("title", "Demo jam"),
                hashtags=header.get("hashtags", []),
                hosts=header.get("hosts", []),
                sources=["replay:demo"],
            )
            saved_columns.apply_preset(ctx.conn, session_id)
            return session_id

        session_id = self.writer.call(reset, notify=False)
        source.name = "demo jam (replay)"
        self.open_session(session_id)
        self.start_source(source)
        self.deck.set_absolute_times(True)  # the demo's posts carry the recorded jam's times
        return self.session

    def stop_sources(self) -> None:
        for runner in self.runners:
            runner.stop()
        self.runners.clear()

    # ------------------------------------------------------------ live recording
    def on_live_status(self, label: str, network: str, status: SourceStatus) -> None:
        """A recorded source's state changed (the status bar shows it by itself)."""
        if self._closed:
            return
        self.no_sources.hide()
        if status.state == SourceState.CONNECTED and network:
            self.actions.source_back(network)  # actions that waited for it run now

    def on_record_clicked(self, checked: bool) -> None:
        """The Record toggle of a session without a schedule: record now, or stop."""
        if checked and self.replay_bar.replay.replaying:
            self.replay_bar.replay.stop()
        self.recording.set_recording(checked)
        if checked:
            self.deck.set_absolute_times(False)
        self._update_record_button()

    def _update_record_button(self, _active: bool | None = None) -> None:
        """Record (unscheduled sessions) or what the schedule does (scheduled ones)."""
        if not hasattr(self, "record_button") or self._closed:
            return
        button = self.record_button
        specs = self.recording.specs()
        button.setVisible(bool(specs))
        active = self.recording.active
        window = self.recording.scheduled()
        button.blockSignals(True)
        button.setChecked(active)
        button.blockSignals(False)
        if window is None:
            button.setEnabled(True)
            button.setText("● Recording" if active else "● Record")
            button.setToolTip(
                ("Stop recording " if active else "Record ")
                + ", ".join(s.partition(":")[0] for s in specs)
                + " now"
            )
        else:
            begin, end = window
            local = "%a %H:%M" if end.date() != datetime.now(UTC).date() else "%H:%M"
            button.setEnabled(False)  # the schedule decides (LEAD_IN before, LEAD_OUT after)
            if active:
                text = f"● Recording until {end.astimezone().strftime(local)}"
            elif self.recording.clock() < begin:
                text = f"Records from {begin.astimezone().strftime(local)}"
            else:
                text = "Recorded"
            button.setText(text)
            button.setToolTip(
                f"Scheduled: recording runs {begin.astimezone():%a %d %b %H:%M}"
                f" – {end.astimezone():%H:%M}"
            )
        color = self.theme.error if active else self.theme.muted
        button.setStyleSheet(f"QToolButton#recordButton {{ color: {color}; font-weight: bold; }}")
        if active:
            self.replay_button.setChecked(False)
        self.replay_button.setEnabled(not active)

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
        if self.session is None or self._closed:
            return
        if state == "playing" and self.replay_bar.replay.fed == 0:
            self._session_posts = 0
            self._question_counts = {}
            self._rate.clear()
            self.questions.set_questions(self._question_texts, self._question_counts)
            self._update_counts()
        elif state == "stopped":
            self._session_posts = library.get_session(self.conn, self.session.id).posts
            self._question_counts = library.question_counts(self.conn, self.session.id)
            self.questions.set_questions(self._question_texts, self._question_counts)
            self._update_counts()
            self.refresh_sessions()

    def on_source_status(self, name: str, status: SourceStatus) -> None:
        label = self._source_labels.get(name)
        if label is None:
            label = QLabel()
            label.setObjectName("sourceStatus")
            label.setTextFormat(Qt.TextFormat.PlainText)
            self._source_labels[name] = label
            self.sources_layout.addWidget(label)
        label.setText(status_text(name, status))
        label.setProperty("state", str(status.state))
        label.style().unpolish(label)
        label.style().polish(label)
        network = self._source_networks.get(name)
        if status.state == SourceState.CONNECTED and network and not self._closed:
            self.actions.source_back(network)  # actions that waited for it run now

    # ------------------------------------------------------------ committed changes
    def on_committed(self, result: object) -> None:
        if self._closed or self.session is None:
            return
        if isinstance(result, IngestResult):
            if result.session_id != self.session.id:
                return
            self.deck.on_committed(result)
            if result.new_questions:
                numbers = [q.number for q in result.new_questions]
                session_id = result.session_id
                self.writer.submit(
                    functools.partial(
                        MainWindow._ensure_question_columns, session_id=session_id, numbers=numbers
                    )
                )
        elif isinstance(result, ColumnsChanged) and result.session_id == self.session.id:
            self.deck.set_columns(self._specs(self.session.id))
        elif isinstance(result, PostsChanged) and result.session_id == self.session.id:
            self.deck.refresh_posts(result.ids)
            self._question_counts = library.question_counts(self.conn, self.session.id)
            self.questions.set_questions(self._question_texts, self._question_counts)
        elif isinstance(result, QuotesChanged) and result.session_id == self.session.id:
            # The "collected" mark of these posts flipped (the panel reloads itself).
            self.deck.refresh_posts(result.post_rowids, membership=False)
            self._update_quote_count()

    @staticmethod
    def _ensure_question_columns(ctx, session_id: int, numbers: list[int]) -> ColumnsChanged:
        for number in numbers:
            saved_columns.ensure_question_column(ctx.conn, session_id, number)
        return ColumnsChanged(session_id)

    def on_flushed(self, records: list) -> None:
        if not records or self.session is None:
            return
        self._rate.append((time.monotonic(), len(records)))
        self._session_posts += len(records)
        new_question = False
        for record in records:
            if record.is_question and record.question is not None:
                new_question = True
            elif record.question is not None:
                self._question_counts[record.question] = (
                    self._question_counts.get(record.question, 0) + 1
                )
        if new_question:
            self._question_texts = library.question_texts(self.conn, self.session.id)
        self.questions.set_questions(self._question_texts, self._question_counts)
        last = max(r.created_at for r in records)
        self.sessions.update_count(self.session.id, self._session_posts, last)
        self._update_counts()
        if self.replay_button.isHidden():
            self.replay_button.show()  # the session has posts to replay now
        self._update_rate()

    def _update_counts(self) -> None:
        self.count_label.setText(f"{self._session_posts:,} posts")

    def _update_rate(self) -> None:
        now = time.monotonic()
        while self._rate and self._rate[0][0] < now - 60:
            self._rate.popleft()
        if self.runners or self.recording.active or self._rate:
            per_minute = sum(n for _t, n in self._rate)
            self.rate_label.setText(f"{per_minute:,} posts/min")
        else:
            self.rate_label.setText("")

    # ------------------------------------------------------------ columns
    def on_add_column(self) -> None:
        if self.session is None:
            return
        dialog = FilterEditor(self.conn, self.session.id, title="Add column", parent=self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_saved_column(dialog.name, dialog.expression)

    def add_saved_column(self, name: str, expression: str) -> None:
        session_id = self.session.id

        def op(ctx):
            saved_columns.add_column(ctx.conn, session_id, name, expression)
            return ColumnsChanged(session_id)

        self.writer.submit(op)

    def on_edit_column(self, column_id: int) -> None:
        widget = self.deck.columns.get(column_id)
        if widget is None or self.session is None:
            return
        dialog = FilterEditor(
            self.conn,
            self.session.id,
            name=widget.spec.name,
            expression=widget.spec.filter,
            title="Edit column",
            parent=self,
        )
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.update_column(column_id, name=dialog.name, expression=dialog.expression)

    def update_column(self, column_id: int, *, name: str, expression: str) -> None:
        widget = self.deck.columns[column_id]
        if widget.spec.temporary:
            spec = ColumnSpec(
                column_id, name, expression, widget.spec.options, widget.spec.width, True
            )
            self.deck.update_column(spec)
            return
        session_id = self.session.id

        def op(ctx):
            saved_columns.update_column(ctx.conn, column_id, name=name, filter=expression)
            return ColumnsChanged(session_id)

        self.writer.submit(op)

    def on_duplicate_column(self, column_id: int) -> None:
        widget = self.deck.columns.get(column_id)
        if widget is not None:
            name = (
                widget.spec.name.removeprefix("Search: ")
                if widget.spec.temporary
                else f"{widget.spec.name} (copy)"
            )
            self.add_saved_column(name, widget.spec.filter)

    def on_remove_column(self, column_id: int) -> None:
        widget = self.deck.columns.get(column_id)
        if widget is None:
            return
        if widget.spec.temporary:
            self.deck.remove_column(column_id)
            return
        session_id = self.session.id

        def op(ctx):
            saved_columns.remove_column(ctx.conn, column_id)
            return ColumnsChanged(session_id)

        self.writer.submit(op)

    def on_slow_mode_changed(self, column_id: int, rate: int) -> None:
        widget = self.deck.columns.get(column_id)
        if widget is None or widget.spec.temporary or self.session is None:
            return
        self.writer.submit(
            functools.partial(
                MainWindow._merge_options,
                session_id=self.session.id,
                changes={column_id: {"slow_mode": rate}},
            ),
            notify=False,
        )

    @staticmethod
    def _merge_options(ctx, *, session_id: int, changes: dict[int, dict]) -> None:
        """Merge ``changes`` (column id -> options) into the saved options, read in the
        writer's transaction (the deck's copy may be older than what is saved)."""
        for column in saved_columns.list_columns(ctx.conn, session_id):
            if column.id in changes:
                options = {**column.options, **changes[column.id]}
                saved_columns.update_column(ctx.conn, column.id, options=options)

    def _save_read_positions(self) -> None:
        """Each saved column's read position into its options (opened there next time)."""
        if self.session is None:
            return
        changes = {
            column_id: {READ_POSITION: position}
            for column_id, position in self.deck.read_positions().items()
            if column_id >= 0
        }
        if changes:
            self.writer.submit(
                functools.partial(
                    MainWindow._merge_options, session_id=self.session.id, changes=changes
                ),
                notify=False,
            )

    def on_columns_reordered(self, order: list) -> None:
        """The user moved a column (drag or Move left/right): save the order."""
        if self.session is None or self._closed:
            return
        ids = [c for c in order if c >= 0]  # temporary (search) columns are not saved
        self.writer.submit(
            functools.partial(MainWindow._save_order, session_id=self.session.id, ids=ids)
        )

    @staticmethod
    def _save_order(ctx, *, session_id: int, ids: list[int]) -> ColumnsChanged:
        saved_columns.reorder_columns(ctx.conn, session_id, ids)
        # Reported: a columns change committed before this one, but delivered after the
        # deck moved, brings the deck back to the saved order.
        return ColumnsChanged(session_id)

    def on_width_changed(self, column_id: int, width: int) -> None:
        if column_id >= 0:
            self.writer.submit(
                lambda ctx: saved_columns.update_column(ctx.conn, column_id, width=width),
                notify=False,
            )

    # ------------------------------------------------------------ search and questions
    def on_search(self) -> None:
        text = self.search.text().strip()
        if not text or self.session is None:
            return
        try:
            filters.compile_sql(text)
        except filters.FilterError as exc:
            self._set_search_error(f"{exc.message} (at {exc.column})")
            return
        self._temp_ids -= 1
        spec = ColumnSpec(self._temp_ids, f"Search: {text}", text, temporary=True)
        self.deck.add_column(spec, index=0)
        self.deck.focus_column(spec.id)
        self.deck.horizontalScrollBar().setValue(0)

    def _set_search_error(self, message: str) -> None:
        self.search_error.setText(message)
        self.search.setProperty("error", bool(message))
        self.search.style().unpolish(self.search)
        self.search.style().polish(self.search)

    def on_question_chosen(self, number: int) -> None:
        column_id = self.deck.column_for_question(number)
        if column_id is None:
            session_id = self.session.id
            self.writer.submit(
                functools.partial(
                    MainWindow._ensure_question_columns, session_id=session_id, numbers=[number]
                )
            )
            return
        self.deck.focus_column(column_id)

    # ------------------------------------------------------------ keyboard
    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.keys_overlay.isVisible():
            self.keys_overlay.hide()
            event.accept()
            return
        command = deck_command(event)
        if command is not None and not isinstance(QApplication.focusWidget(), QLineEdit):
            self.on_command(command)
            event.accept()
            return
        super().keyPressEvent(event)

    def toggle_keys(self) -> None:
        self.keys_overlay.toggle()

    def on_command(self, command: str) -> None:
        if self.keys_overlay.isVisible() and command != "help":
            self.keys_overlay.hide()
            return
        post_id = self.deck.selected_post()
        if command == "next":
            self.deck.move_selection(1)
        elif command == "previous":
            self.deck.move_selection(-1)
        elif command == "left":
            self.deck.move_focus(-1)
        elif command == "right":
            self.deck.move_focus(1)
        elif command == "search":
            self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.search.selectAll()
        elif command == "pause":
            column = self.deck.current()
            if column is not None:
                column.toggle_pause()
        elif command == "newest":
            column = self.deck.current()
            if column is not None:
                column.jump_to_newest()
        elif command == "help":
            self.toggle_keys()
        elif command == "quotes":
            if self.quotes_button.isEnabled():
                self.quotes_button.toggle()
        elif post_id is None:
            return
        elif command == "retweet":
            self.retweet_requested.emit(post_id)
        elif command == "like":
            self.like_requested.emit(post_id)
        elif command == "collect":
            self.collect_requested.emit(post_id)
        elif command == "answer":
            self.answer_requested.emit(post_id)
        elif command == "open":
            view = self.deck.current().model.view_at(self.deck.current().view.currentIndex().row())
            if view is not None:
                self.on_open_requested(view.url)
        elif command.startswith("assign:"):
            number = int(command.split(":", 1)[1])
            self.assign_question(post_id, number or None)

    def assign_question(self, post_id: int, number: int | None) -> None:
        session_id = self.session.id

        def op(ctx):
            library.assign_question(ctx.conn, session_id, post_id, number)
            return PostsChanged(session_id, (post_id,))

        self.writer.submit(op)

    def on_open_requested(self, url: str) -> None:
        qurl = safe_url(url)
        if qurl is None:
            log.warning("not opening a link that is not http(s): %r", url)
            return
        self.open_requested.emit(qurl.toString())
        self.url_opener(qurl)

    # ------------------------------------------------------------ actions
    def post_view(self, post_id: int) -> PostView | None:
        if self.session is None:
            return None
        return library.post_views(self.conn, self.session.id, [post_id]).get(post_id)

    def on_retweet_requested(self, post_id: int) -> None:
        """One click or ``r``: retweet, or undo the retweet the post shows."""
        view = self.post_view(post_id)
        if view is not None:
            self.actions.toggle_retweet(view)

    def on_like_requested(self, post_id: int) -> None:
        """One click on the heart or ``f``: like, or undo the like the post shows."""
        view = self.post_view(post_id)
        if view is not None:
            self.actions.toggle_like(view)

    def on_collect_requested(self, post_id: int) -> None:
        """One click or ``c``: into the quote list, or out again."""
        if self.quote_panel is not None and self.session is not None:
            self.quote_panel.toggle(post_id)

    def on_answer_requested(self, post_id: int) -> None:
        """``a`` or the reply button: answer this post in the compose box."""
        view = self.post_view(post_id)
        if view is not None and self.compose is not None:
            self.compose.set_reply_to(view)
            self.compose.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def on_send_requested(self, texts: dict, reply_to: int | None) -> None:
        if not texts:
            return
        self.actions.send_answers(texts, reply_to)
        networks = ", ".join(texts)
        self.show_notice(f"Sending your answer ({networks})…", error=False)

    def on_action_changed(self, action: Action) -> None:
        """Every state change of an action: the post shows it at once, and says why
        when it failed or waits."""
        if self._closed:
            return
        words = KIND_WORDS.get(action.kind, action.kind)
        if action.post_rowid is None:
            if action.state is ActionState.FAILED:
                self.show_notice(f"{words} failed: {action.error or 'no reason given'}")
            return
        if action.state is ActionState.FAILED:
            self.deck.set_notice(
                action.post_rowid,
                f"{words} failed: {action.error or 'no reason given'}",
                error=True,
            )
        elif action.state is ActionState.QUEUED and action.error:
            self.deck.set_notice(action.post_rowid, f"{words} waiting: {action.error}")
        elif action.state is not ActionState.RUNNING:
            self.deck.set_notice(action.post_rowid, None)
        # The queue flipped the post's flag in the cache (or rolled it back): re-read it.
        self.deck.refresh_posts([action.post_rowid], membership=False)

    def _show_action_notices(self) -> None:
        """Actions left waiting (from before a restart, too) say so on their posts."""
        for action in [*self.actions.pending(), *self.actions.failed()]:
            if action.post_rowid is not None and (
                action.error or action.state is ActionState.FAILED
            ):
                self.on_action_changed(action)

    def _update_pending(self) -> None:
        waiting = len(self.actions.pending())
        failed = len(self.actions.failed())
        if not waiting and not failed:
            text = "No pending actions"
        else:
            parts = [f"{waiting} pending"] if waiting else []
            if failed:
                parts.append(f"{failed} failed")
            text = "Actions: " + ", ".join(parts)
        self.pending_button.setText(text)
        self.pending_button.setStyleSheet(
            f"color: {self.theme.error}; font-weight: bold;" if failed else ""
        )

    def show_pending(self) -> QDialog:
        """The pending-actions list (waiting and failed, with the reason; cancel)."""
        if self._pending_dialog is None:
            dialog = QDialog(self)
            dialog.setWindowTitle("Pending actions")
            layout = QVBoxLayout(dialog)
            layout.setContentsMargins(0, 0, 0, 0)
            self.pending_view = PendingActionsView(self.actions, read_conn=self.conn)
            layout.addWidget(self.pending_view)
            dialog.resize(520, 360)
            self._pending_dialog = dialog
        self.pending_view.refresh()
        self._pending_dialog.show()
        return self._pending_dialog

    def show_notice(self, text: str, *, error: bool = True) -> None:
        """A short message in the status bar (e.g. an action the network does not allow)."""
        color = self.theme.error if error else self.theme.muted
        self.notice_label.setStyleSheet(f"color: {color};")
        self.notice_label.setText(text)
        self._notice_timer.start(NOTICE_MS)

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

    def _update_quote_count(self) -> None:
        count = 0
        if self.session is not None:
            count = self.conn.execute(
                "SELECT count(*) FROM quote_items WHERE session_id = ?", (self.session.id,)
            ).fetchone()[0]
        self.quotes_button.setText(f"Quotes ({count})")

    # ------------------------------------------------------------ first run, sessions, settings
    def on_demo_requested(self) -> Session | None:
        from desktop.cli import demo_archive_path

        archive = demo_archive_path()
        if not archive.exists():
            self.show_notice(f"The demo jam is missing ({archive}).")
            return None
        self.stop_sources()
        return self.start_demo(archive, speed=self.demo_speed)

    def on_import_requested(self) -> None:
        path, _chosen = QFileDialog.getOpenFileName(
            self,
            "Import an archive",
            "",
            "Archives (*.jsonl *.json *.ndjson *.gz);;All files (*)",
        )
        if path:
            self.import_archive(Path(path))

    def import_archive(self, path: Path) -> Session:
        """Replay an archive file into a new session named after it (on a source thread)."""
        from desktop.sources.replay import ReplaySource

        source = ReplaySource([path], speed=0)
        header = source.read_header() or {}
        base = re.sub(r"[^\w.-]+", "-", path.stem).strip("-") or "import"
        taken = {s.name for s in library.list_sessions(self.conn)}
        name, n = base, 2
        while name in taken:
            name, n = f"{base}-{n}", n + 1

        def create(ctx) -> int:
            session_id = library.create_session(
                ctx.conn,
                name,
                title=header.get("title", ""),
                hashtags=header.get("hashtags", []),
                hosts=header.get("hosts", []),
                sources=[f"replay:{path.name}"],
            )
            saved_columns.apply_preset(ctx.conn, session_id)
            return session_id

        session_id = self.writer.call(create, notify=False)
        source.name = f"import {path.name}"
        self.stop_sources()
        self.open_session(session_id)
        self.start_source(source)
        self.deck.set_absolute_times(True)
        return self.session

    def on_new_session(self) -> QDialog:
        """The new-session dialog (window-modal); the session is created on accept."""
        from desktop.ui.new_session_dialog import NewSessionDialog

        accounts = self.account_context.accounts
        instance = next((a.instance for a in accounts.accounts("mastodon") if a.instance), "")
        dialog = NewSessionDialog(
            available_sources=accounts.networks(),
            existing_names=[s.name for s in library.list_sessions(self.conn)],
            mastodon_instance=instance,
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda: self.create_session(dialog.new_session()))
        self.new_session_dialog = dialog
        dialog.open()
        return dialog

    def create_session(self, new) -> Session | None:
        """Create a ``NewSession`` (from the dialog) in the library and open it."""
        if new is None:
            return None
        specs = [
            f"mastodon:{new.mastodon_instance}"
            if net == "mastodon" and new.mastodon_instance
            else net
            for net in new.sources
        ]
        start, end = new.start_utc.timestamp(), new.end_utc.timestamp()

        def create(ctx) -> int:
            session_id = library.create_session(
                ctx.conn,
                new.name,
                hashtags=list(new.hashtags),
                hosts=list(new.hosts),
                sources=specs,
                scheduled_start=start,
                scheduled_end=end,
            )
            saved_columns.apply_preset(ctx.conn, session_id)
            return session_id

        try:
            session_id = self.writer.call(create, notify=False)
        except library.SessionExists as exc:
            self.show_notice(str(exc))
            return None
        when = datetime.fromtimestamp(start, UTC).astimezone().strftime("%a %d %b %H:%M")
        self.show_notice(f"Session “{new.name}” created (starts {when}).", error=False)
        return self.open_session(session_id)

    def on_accounts(self) -> QDialog:
        from desktop.ui.accounts_dialog import AccountsDialog

        dialog = AccountsDialog(
            self.account_context.credentials, self.account_context.accounts, parent=self
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accounts_changed.connect(self.on_accounts_changed)
        self.accounts_dialog = dialog
        dialog.open()
        return dialog

    def _prewarm_action_sources(self) -> None:
        # Reading the accounts file here (GUI thread, small) means the worker only
        # builds sources; with no account that can act there is nothing to build.
        if self._own_sources is not None and self.account_context.acting_networks():
            self._own_sources.prewarm()

    def on_accounts_changed(self) -> None:
        if self._own_sources is not None:
            self._own_sources.forget()
            self._prewarm_action_sources()
        self.recording.restart()  # a source stopped for want of an account may start now
        if self.compose is not None:
            self.compose.set_networks(self.account_context.acting_networks())
        self._update_first_run()

    def on_preferences(self) -> QDialog:
        from desktop.core.settings import Settings
        from desktop.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(Settings.load(), parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(functools.partial(self.on_settings_saved, dialog.settings))
        self.preferences_dialog = dialog
        dialog.open()
        return dialog

    def on_settings_saved(self, settings, names: list) -> None:
        if "avatar_cache" in names:
            self.set_avatars_enabled(bool(settings.get("avatar_cache")))
        if "theme" in names:
            theme = themes.resolve(settings.get("theme"))
            app = QApplication.instance()
            if app is not None:
                app.setPalette(themes.palette(theme))
            self.apply_theme(theme)

    # ------------------------------------------------------------ closing
    def closeEvent(self, event) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        """Stop sources, finish queued writes, close connections (idempotent)."""
        if self._closed:
            return
        self._closed = True
        self._rate_timer.stop()
        self._notice_timer.stop()
        # What the user typed is saved before the writer stops: the draft, a note.
        if self.compose is not None:
            self.compose.flush_draft()
        if self.quote_panel is not None:
            self.quote_panel.on_note_edited()
        self._save_read_positions()
        self.stop_sources()
        self.replay_bar.replay.timer.stop()
        self.live_status.stop()
        # The sources' last batches land before the writer closes (bounded wait).
        self.recording.shutdown(timeout=5.0)
        self.actions.close()  # queued actions stay in the cache for next time
        if self.avatar_loader is not None:
            self.avatar_loader.close()  # downloads under way end within their timeout
        if self._own_sources is not None:
            self._own_sources.close()
        self.writer.close()
        # Writer results still on their way to the GUI thread would make these widgets
        # read the closed connection: they go now, and their trampolines close with them.
        for widget in (self.compose, self.quote_panel, self._pending_dialog):
            if widget is not None:
                widget.setParent(None)
                shiboken6.delete(widget)
        self.compose = self.quote_panel = self._pending_dialog = None
        self.deck.close_session()
        self.conn.close()

    def first_page_ready(self) -> bool:
        return all(
            w.model.rowCount() > 0 or not w.model.canFetchMore(QModelIndex())
            for w in self.deck.columns.values()
        )
