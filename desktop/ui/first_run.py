"""The first-run panel: what JamDeck does, and the three ways to start.

Shown in place of the deck while the library has no session (with an account
or without). It only emits signals; the main window decides what each one opens.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QLabel, QPushButton, QVBoxLayout, QWidget

from desktop.core.resources import resource_path

HEADLINE = "Welcome to JamDeck"
EXPLANATION = (
    "JamDeck follows a hashtag chat live on X, Mastodon and Bluesky, in columns you filter.\n"
    "Answer the host's questions as they come, collect the best answers, and export the recap."
)


class FirstRunPanel(QWidget):
    """Two lines of explanation and three big buttons."""

    demo_requested = Signal()
    add_account_requested = Signal()
    import_requested = Signal()
    new_session_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("firstRunPanel")

        headline = QLabel(HEADLINE)
        headline.setObjectName("firstRunHeadline")
        font = headline.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        headline.setFont(font)
        headline.setAlignment(Qt.AlignmentFlag.AlignHCenter)

        explanation = QLabel(EXPLANATION)
        explanation.setTextFormat(Qt.TextFormat.PlainText)
        explanation.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        explanation.setWordWrap(True)

        self.demo_button = self._button(
            "Play the demo jam",
            "play.svg",
            "Replay a recorded jam, with questions and answers, to see how JamDeck works. "
            "No account needed.",
        )
        self.add_account_button = self._button(
            "Add an account", "add.svg", "Sign in to X, Mastodon or Bluesky to follow a live jam."
        )
        self.import_button = self._button(
            "Import an archive",
            "open.svg",
            "Open a JamDeck archive or a twarc JSONL file of a past jam.",
        )
        self.new_session_button = self._button(
            "Start a session…",
            "add.svg",
            "Follow a hashtag on the networks of your accounts, now or at the jam's time.",
        )
        self.new_session_button.hide()  # offered once an account exists
        self.demo_button.setDefault(True)
        self.new_session_button.clicked.connect(self.new_session_requested)
        self.demo_button.clicked.connect(self.demo_requested)
        self.add_account_button.clicked.connect(self.add_account_requested)
        self.import_button.clicked.connect(self.import_requested)

        column = QVBoxLayout()
        column.setSpacing(12)
        column.addWidget(headline)
        column.addWidget(explanation)
        column.addSpacing(16)
        buttons = (self.new_session_button, self.demo_button, self.add_account_button)
        for button in (*buttons, self.import_button):
            column.addWidget(button, 0, Qt.AlignmentFlag.AlignHCenter)

        layout = QVBoxLayout(self)
        layout.addStretch(2)
        layout.addLayout(column)
        layout.addStretch(3)

    def set_has_accounts(self, has_accounts: bool) -> None:
        """With an account, starting a session comes first (adding more stays offered)."""
        self.new_session_button.setVisible(has_accounts)
        self.new_session_button.setDefault(has_accounts)
        self.demo_button.setDefault(not has_accounts)
        self.add_account_button.setText("Add another account" if has_accounts else "Add an account")

    def _button(self, text: str, icon_name: str, tooltip: str) -> QPushButton:
        button = QPushButton(QIcon(str(resource_path("icons", icon_name))), text)
        button.setIconSize(QSize(20, 20))
        button.setMinimumSize(QSize(280, 44))
        button.setToolTip(tooltip)
        button.setAccessibleDescription(tooltip)
        return button
