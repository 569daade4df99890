"""The Report view: the jam report of the window's session, live.

What it shows comes from the Qt-free report (``desktop.app.report``), built on
a thread of its own with its own read connection (a million-post session takes
a second or two) and handed back through the trampoline. During a jam it
listens to the window's committed results (``MainWindow.results_committed``)
and builds again at most once a second (``REFRESH_MS``): a jam sends a batch
every ~100 ms. Charts are matplotlib PNGs (``desktop.export.report.charts``),
drawn on the same thread. Clicking a question opens its ``q:N`` column,
clicking a person a ``from:`` column of theirs.

Every string from a post or a profile is shown as plain text (table items and
plain-text labels): never as Qt rich text.
"""

from __future__ import annotations

import logging
import threading

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop.app.report import build_report, report_document
from desktop.export import report as report_export
from desktop.store.db import connect
from desktop.store.ingest import IngestResult
from desktop.ui.trampoline import Trampoline

log = logging.getLogger("jamdeck.ui.report")

REFRESH_MS = 1000


def _item(value: object, *, number: bool = False) -> QTableWidgetItem:
    item = QTableWidgetItem(f"{value:,}" if number and isinstance(value, int) else str(value))
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    if number:
        item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
    return item


def _table(headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers))
    table.setHorizontalHeaderLabels(headers)
    table.verticalHeader().hide()
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)
    header = table.horizontalHeader()
    header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _plain(text: str = "", name: str = "") -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(True)
    if name:
        label.setObjectName(name)
    return label


class ReportView(QWidget):
    """The report window of ``window``'s current session."""

    updated = Signal(dict)  # the report document just shown
    question_chosen = Signal(int)
    person_chosen = Signal(str)

    def __init__(self, window) -> None:
        super().__init__(window, Qt.WindowType.Window)
        self.setObjectName("reportView")
        self.window_ = window
        self.session_id: int | None = None
        self.document: dict | None = None
        self.building = False
        self.stale = False
        self.builds = 0
        self.main = Trampoline(self)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self._lay_out()
        self.questions.cellClicked.connect(self.on_question_clicked)
        self.people.cellClicked.connect(self.on_person_clicked)
        self.question_chosen.connect(window.columns.on_question_chosen)
        self.person_chosen.connect(lambda handle: window.columns.search(f"from:{handle}"))
        window.results_committed.connect(self.on_committed)
        window.session_opened.connect(self.on_session_opened)
        self.resize(980, 900)

    def _lay_out(self) -> None:
        content = QWidget()
        content.setObjectName("reportContent")
        layout = QVBoxLayout(content)
        layout.setContentsMargins(18, 14, 18, 18)
        layout.setSpacing(8)
        self.title = _plain("", "reportTitle")
        self.title.setStyleSheet("font-size: 20px; font-weight: 600;")
        self.facts = _plain("", "reportFacts")
        self.stats = _plain("", "reportStats")
        self.stats.setStyleSheet("font-size: 15px;")
        self.volume_chart = QLabel()
        self.volume_chart.setObjectName("volumeChart")
        self.questions_chart = QLabel()
        self.questions_chart.setObjectName("questionsChart")
        self.questions = _table(["Q", "question", "posts", "labelled", "inferred", "first answer"])
        self.questions.setObjectName("reportQuestions")
        self.questions.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.people = _table(["who", "network", "posts", "answers", "reposts received", ""])
        self.people.setObjectName("reportPeople")
        self.people.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.links = _plain("", "reportLinks")
        self.links.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for widget in (self.title, self.facts, self.stats, self.volume_chart):
            layout.addWidget(widget)
        layout.addWidget(self.questions_chart)
        layout.addWidget(_heading("Questions (click one to open its column)"))
        layout.addWidget(self.questions)
        layout.addWidget(_heading("Top participants (click one to open a column of theirs)"))
        layout.addWidget(self.people)
        layout.addWidget(_heading("Most shared links"))
        layout.addWidget(self.links)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        outer = QHBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

    # ------------------------------------------------------------ building
    def show_session(self, session_id: int | None) -> None:
        self.session_id = session_id
        self.refresh()

    def refresh(self) -> None:
        """Build the report again (on its thread); one build at a time."""
        window = self.window_
        if self.session_id is None or window.closed:
            return
        if self.building:
            self.stale = True
            return
        self.building, self.stale = True, False
        dark = window.theme.name == "dark"
        args = (window.library_path, self.session_id, dark, self.main.caller(self.on_built))
        threading.Thread(target=_build, args=args, name="report", daemon=True).start()

    def on_built(self, session_id: int, document: dict | None, charts: dict, error: str) -> None:
        self.building = False
        if error:
            self.facts.setText(f"The report could not be built: {error}")
        elif session_id == self.session_id and document is not None:
            self.show_document(document, charts)
        if self.stale:
            self.timer.start()

    def on_committed(self, result: object) -> None:
        if isinstance(result, IngestResult) and result.session_id == self.session_id:
            if not self.timer.isActive():
                self.timer.start()

    def on_session_opened(self, session_id: int) -> None:
        if self.isVisible():
            self.show_session(session_id)

    # ------------------------------------------------------------ showing
    def show_document(self, document: dict, charts: dict[str, bytes]) -> None:
        self.document = document
        self.builds += 1
        session = document["session"]
        self.setWindowTitle(f"Report: {session['title']}")
        self.title.setText(session["title"])
        hosts = ", ".join("@" + h for h in session["hosts"])
        first, last = session["first_post"] or "", session["last_post"] or ""
        self.facts.setText(
            " · ".join(
                part
                for part in (
                    first[:10],
                    f"{first[11:16]}–{last[11:16]} UTC" if first else "",
                    " ".join("#" + t for t in session["hashtags"]),
                    f"hosted by {hosts}" if hosts else "",
                )
                if part
            )
        )
        networks = ", ".join(f"{n:,} on {net}" for net, n in document["networks"].items())
        returning = (
            f" ({document['first_time_participants']:,} first-time, "
            f"{document['returning_participants']:,} returning)"
            if document["earlier_sessions"]
            else ""
        )
        self.stats.setText(
            f"{document['posts']:,} posts · {document['participants']:,} participants"
            f"{returning} · {len(document['questions'])} questions"
            + (f" · {networks}" if networks else "")
        )
        for label, name in ((self.volume_chart, "volume"), (self.questions_chart, "questions")):
            pixmap = QPixmap()
            if name in charts and pixmap.loadFromData(charts[name], "PNG"):
                label.setPixmap(pixmap)
                label.show()
            else:
                label.clear()
                label.hide()
        self.questions.setRowCount(len(document["questions"]))
        for row, q in enumerate(document["questions"]):
            after = q["first_answer_after_s"]
            cells = [
                _item(f"Q{q['number']}"),
                _item(q["text"]),
                _item(q["posts"], number=True),
                _item(q["labelled"], number=True),
                _item(q["inferred"], number=True),
                _item("" if after is None else f"{round(after)} s", number=True),
            ]
            cells[0].setData(Qt.ItemDataRole.UserRole, q["number"])
            for column, cell in enumerate(cells):
                self.questions.setItem(row, column, cell)
        people = document["top_participants"]
        earlier = document["earlier_sessions"] > 0  # else everyone is a first-timer
        self.people.setRowCount(len(people))
        for row, p in enumerate(people):
            who = f"@{p['handle']}" + (f"  {p['display_name']}" if p["display_name"] else "")
            tags = ", ".join(
                t
                for t, on in (("host", p["is_host"]), ("first time", p["first_time"] and earlier))
                if on
            )
            cells = [
                _item(who),
                _item(p["network"]),
                _item(p["posts"], number=True),
                _item(p["answers"], number=True),
                _item(p["retweets_received"], number=True),
                _item(tags),
            ]
            cells[0].setData(Qt.ItemDataRole.UserRole, p["handle"])
            for column, cell in enumerate(cells):
                self.people.setItem(row, column, cell)
        self.links.setText(
            "\n".join(f"{link['posts']:,}×  {link['url']}" for link in document["links"])
            or "No links shared yet."
        )
        self.updated.emit(document)

    def on_question_clicked(self, row: int, _column: int) -> None:
        item = self.questions.item(row, 0)
        if item is not None:
            self.question_chosen.emit(int(item.data(Qt.ItemDataRole.UserRole)))

    def on_person_clicked(self, row: int, _column: int) -> None:
        item = self.people.item(row, 0)
        if item is not None:
            self.person_chosen.emit(str(item.data(Qt.ItemDataRole.UserRole)))

    def closeEvent(self, event) -> None:
        self.timer.stop()
        super().closeEvent(event)


def _heading(text: str) -> QLabel:
    label = _plain(text)
    label.setStyleSheet("font-weight: 600; margin-top: 10px;")
    return label


def _build(library_path, session_id: int, dark: bool, deliver) -> None:
    """On the report's thread: the document and its PNG charts, delivered to the GUI."""
    conn = None
    try:
        conn = connect(library_path, readonly=True)
        document = report_document(build_report(conn, session_id))
        charts = report_export.charts(document, fmt="png", dark=dark)
        deliver(session_id, document, charts, "")
    except Exception as exc:  # shown in the view, never raised into Qt
        log.exception("building the report failed")
        deliver(session_id, None, {}, str(exc) or type(exc).__name__)
    finally:
        if conn is not None:
            conn.close()
