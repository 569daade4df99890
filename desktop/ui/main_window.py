"""The main window: sessions, the deck, the question strip, search, status.

The window owns the store writer (one thread, the one writable connection), a
read-only connection for the GUI, and the threads of the live sources. Every
write goes through the writer; what it changed comes back through the
bridge's one queued signal.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QDesktopServices, QKeyEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import filters
from desktop.core.session import Session
from desktop.sources.base import Source, SourceState, SourceStatus
from desktop.store import columns as saved_columns
from desktop.store import library
from desktop.store.db import connect
from desktop.store.ingest import IngestResult
from desktop.store.writer import StoreWriter
from desktop.ui import theme as themes
from desktop.ui.bridge import ColumnsChanged, PostsChanged, SourceRunner, StoreBridge
from desktop.ui.column_widget import ColumnSpec, deck_command
from desktop.ui.deck import Deck
from desktop.ui.filter_editor import FilterEditor
from desktop.ui.post_delegate import safe_url
from desktop.ui.widgets import KeysOverlay, QuestionStrip, SessionList

log = logging.getLogger("jamdeck.ui.window")

# A session whose last post is older than this is "recorded": show clock times.
LIVE_WINDOW = 6 * 3600


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
    collect_requested = Signal(int)
    reply_requested = Signal(int)
    answer_requested = Signal(int)
    open_requested = Signal(str)
    session_opened = Signal(int)

    def __init__(
        self, library_path: Path, *, theme: themes.Theme = themes.LIGHT, coalesce_ms: int = 60
    ) -> None:
        super().__init__()
        self.setObjectName("mainWindow")
        self.setWindowTitle("JamDeck")
        self.library_path = Path(library_path)
        self.theme = theme
        self.bridge = StoreBridge(self)
        self.bridge.committed.connect(self.on_committed)
        self.bridge.source_status.connect(self.on_source_status)
        # The writer creates/migrates the file; the GUI reads through its own connection.
        self.writer = StoreWriter(self.library_path, on_commit=self.bridge.deliver)
        self.conn = connect(self.library_path, readonly=True)
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
        self.help_button = QToolButton(top)
        self.help_button.setText("?")
        self.help_button.setToolTip("Keyboard (?)")
        self.help_button.clicked.connect(self.toggle_keys)
        bar = QHBoxLayout(top)
        bar.setContentsMargins(14, 8, 14, 8)
        bar.setSpacing(10)
        bar.addWidget(self.session_title)
        bar.addStretch(1)
        bar.addWidget(self.search_error)
        bar.addWidget(self.search)
        bar.addWidget(self.add_button)
        bar.addWidget(self.help_button)

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

        # --- deck and question strip
        self.questions = QuestionStrip()
        self.questions.question_chosen.connect(self.on_question_chosen)
        self.deck = Deck(theme, coalesce_ms=coalesce_ms)
        self.deck.edit_requested.connect(self.on_edit_column)
        self.deck.duplicate_requested.connect(self.on_duplicate_column)
        self.deck.remove_requested.connect(self.on_remove_column)
        self.deck.slow_mode_changed.connect(self.on_slow_mode_changed)
        self.deck.width_changed.connect(self.on_width_changed)
        self.deck.command.connect(self.on_command)
        self.deck.flushed.connect(self.on_flushed)
        delegate = self.deck.delegate
        delegate.retweet_requested.connect(self.retweet_requested)
        delegate.collect_requested.connect(self.collect_requested)
        delegate.reply_requested.connect(self.reply_requested)
        delegate.open_requested.connect(self.on_open_requested)
        center = QWidget()
        middle = QVBoxLayout(center)
        middle.setContentsMargins(0, 0, 0, 0)
        middle.setSpacing(0)
        middle.addWidget(self.questions)
        middle.addWidget(self.deck, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(sidebar)
        self.splitter.addWidget(center)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([230, 1170])
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
        self.rate_label = QLabel("")
        self.count_label = QLabel("")
        self.statusBar().addWidget(self.sources_box, 1)
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().addPermanentWidget(self.rate_label)
        self._rate_timer = QTimer(self)
        self._rate_timer.setInterval(1000)
        self._rate_timer.timeout.connect(self._update_rate)
        self._rate_timer.start()

        self.keys_overlay = KeysOverlay(root)
        self.apply_theme(theme)
        self.refresh_sessions()

    # ------------------------------------------------------------ theme
    def apply_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.setStyleSheet(themes.stylesheet(theme))
        self.deck.apply_theme(theme)
        self.add_button.setIcon(themes.icon("add", theme.text))
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
        return sessions

    def open_session(self, name_or_id: str | int) -> Session:
        session = library.get_session(self.conn, name_or_id)
        self.session = session
        specs = self._specs(session.id)
        if not specs:
            # A session without columns gets the jam preset (through the writer).
            self.writer.call(
                lambda ctx: saved_columns.apply_preset(ctx.conn, session.id), notify=False
            )
            specs = self._specs(session.id)
        self.deck.open_session(self.conn, session.id, specs)
        live = bool(self.runners) or (session.last_activity or 0) > time.time() - LIVE_WINDOW
        self.deck.set_absolute_times(not live)
        self.session_title.setText(session.title or session.name)
        self._session_posts = session.posts
        self._question_texts = library.question_texts(self.conn, session.id)
        self._question_counts = library.question_counts(self.conn, session.id)
        self.questions.set_questions(self._question_texts, self._question_counts)
        self._update_counts()
        self.refresh_sessions()
        if self.deck.current() is not None:  # keys go to the deck, not the search box
            self.deck.focus_column(self.deck.current().spec.id, select=False)
        self.session_opened.emit(session.id)
        return session

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
                    lambda ctx: self._ensure_question_columns(ctx, session_id, numbers)
                )
        elif isinstance(result, ColumnsChanged) and result.session_id == self.session.id:
            self.deck.set_columns(self._specs(self.session.id))
        elif isinstance(result, PostsChanged) and result.session_id == self.session.id:
            self.deck.refresh_posts(result.ids)
            self._question_counts = library.question_counts(self.conn, self.session.id)
            self.questions.set_questions(self._question_texts, self._question_counts)

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
        self._update_rate()

    def _update_counts(self) -> None:
        self.count_label.setText(f"{self._session_posts:,} posts")

    def _update_rate(self) -> None:
        now = time.monotonic()
        while self._rate and self._rate[0][0] < now - 60:
            self._rate.popleft()
        if self.runners or self._rate:
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
        if widget is None or widget.spec.temporary:
            return
        options = {**widget.spec.options, "slow_mode": rate}
        self.writer.submit(
            lambda ctx: saved_columns.update_column(ctx.conn, column_id, options=options),
            notify=False,
        )

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
            self.writer.submit(lambda ctx: self._ensure_question_columns(ctx, session_id, [number]))
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
        elif post_id is None:
            return
        elif command == "retweet":
            self.retweet_requested.emit(post_id)
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
        self.stop_sources()
        self.writer.close()
        self.deck.close_session()
        self.conn.close()

    def first_page_ready(self) -> bool:
        return all(
            w.model.rowCount() > 0 or not w.model.canFetchMore(QModelIndex())
            for w in self.deck.columns.values()
        )
