"""Small widgets of the main window: the session list, the question strip, the keys overlay."""

from __future__ import annotations

import time

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.core.session import Session

KEYS_HELP = [
    ("j / k", "next / previous post"),
    ("h / l", "previous / next column"),
    ("r", "retweet the selected post"),
    ("f", "like it (again: undo the like)"),
    ("c", "collect it for the quote list"),
    ("a", "answer (reply with the jam's label)"),
    ("o", "open it in the browser"),
    ("1 – 9", "assign it to question N (0 clears)"),
    ("/", "search the session"),
    ("space", "pause / resume the column"),
    (".", "let held posts in and jump to the newest"),
    ("q", "show / hide the quote list"),
    ("?", "show / hide this list"),
]

# Shown under the keys: a column holds new posts while it is read, and says so.
HOLDING_HELP = (
    "While the pointer is over a column (or it is paused), new posts wait: its header "
    "shows \u201cHeld \u00b7 N new\u201d. Click that, the \u201cN new\u201d bar or press \u201c.\u201d "
    "to let them in; moving the pointer away does too."
)


def when_text(timestamp: float | None, now: float | None = None) -> str:
    if not timestamp:
        return "no posts yet"
    now = time.time() if now is None else now
    delta = now - timestamp
    if delta < 60:
        return "active now"
    if delta < 3600:
        return f"{int(delta // 60)} min ago"
    if delta < 86400:
        return f"{int(delta // 3600)} h ago"
    return time.strftime("%b %d, %Y", time.localtime(timestamp))


class SessionList(QListWidget):
    """The sidebar: one row per session (name, posts, last activity)."""

    session_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sessionList")
        self.setUniformItemSizes(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.itemClicked.connect(self._on_item)
        self.itemActivated.connect(self._on_item)

    def set_sessions(self, sessions: list[Session], *, current: int | None = None) -> None:
        self.blockSignals(True)
        self.clear()
        for session in sessions:
            item = QListWidgetItem(self._label(session))
            item.setData(Qt.ItemDataRole.UserRole, session.id)
            item.setToolTip(session.title or session.name)
            item.setSizeHint(QSize(0, 52))
            self.addItem(item)
            if session.id == current:
                item.setSelected(True)
                self.setCurrentItem(item)
        self.blockSignals(False)

    def update_count(self, session_id: int, posts: int, last_activity: float | None) -> None:
        for row in range(self.count()):
            item = self.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == session_id:
                name = item.text().split("\n", 1)[0]
                item.setText(f"{name}\n{posts:,} posts · {when_text(last_activity)}")

    @staticmethod
    def _label(session: Session) -> str:
        return f"{session.name}\n{session.posts:,} posts · {when_text(session.last_activity)}"

    def _on_item(self, item: QListWidgetItem) -> None:
        self.session_chosen.emit(item.data(Qt.ItemDataRole.UserRole))


class QuestionStrip(QWidget):
    """Q1..Qn with answer counts; clicking one jumps to that question's column."""

    question_chosen = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("questionStrip")
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(12, 4, 12, 4)
        self._layout.setSpacing(6)
        self.title = QLabel("Questions", self)
        self.title.setObjectName("stripTitle")
        self._layout.addWidget(self.title)
        self.empty = QLabel("none asked yet", self)
        self.empty.setObjectName("stripEmpty")
        self._layout.addWidget(self.empty)
        self._layout.addStretch(1)
        self.buttons: dict[int, QToolButton] = {}

    def set_questions(self, texts: dict[int, tuple[str, float]], counts: dict[int, int]) -> None:
        for number in [n for n in self.buttons if n not in texts]:
            button = self.buttons.pop(number)
            self._layout.removeWidget(button)
            button.deleteLater()
        for number in sorted(texts):
            button = self.buttons.get(number)
            if button is None:
                button = QToolButton(self)
                button.setObjectName("questionButton")
                button.setCursor(Qt.CursorShape.PointingHandCursor)
                button.clicked.connect(lambda _c=False, n=number: self.question_chosen.emit(n))
                self.buttons[number] = button
                self._layout.insertWidget(self._position_for(number), button)
            button.setText(f"Q{number} · {counts.get(number, 0)}")
            button.setToolTip(f"Q{number}: {texts[number][0]}")
        self.empty.setVisible(not texts)

    def _position_for(self, number: int) -> int:
        before = sum(1 for n in self.buttons if n < number)
        return 2 + before  # after the title and the "none" label

    def count_text(self, number: int) -> str:
        button = self.buttons.get(number)
        return button.text() if button else ""


class KeysOverlay(QFrame):
    """The "?" overlay listing the keys (plain text)."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("keysOverlay")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 18, 24, 18)
        title = QLabel("Keyboard", self)
        title.setObjectName("overlayTitle")
        layout.addWidget(title)
        for keys, what in KEYS_HELP:
            row = QHBoxLayout()
            key = QLabel(keys, self)
            key.setObjectName("overlayKey")
            key.setFixedWidth(70)
            row.addWidget(key)
            label = QLabel(what, self)
            row.addWidget(label, 1)
            layout.addLayout(row)
        holding = QLabel(HOLDING_HELP, self)
        holding.setObjectName("overlayHolding")
        holding.setWordWrap(True)
        holding.setTextFormat(Qt.TextFormat.PlainText)
        holding.setMaximumWidth(420)
        layout.addWidget(holding)
        hint = QLabel("Press any key to close", self)
        hint.setObjectName("overlayHint")
        layout.addWidget(hint)
        self.hide()

    def toggle(self) -> None:
        if self.isVisible():
            self.hide()
            return
        self.adjustSize()
        parent = self.parentWidget()
        self.move((parent.width() - self.width()) // 2, (parent.height() - self.height()) // 3)
        self.show()
        self.raise_()
