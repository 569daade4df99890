"""The window's top bar: the session's title, Record and Replay, search, Add column,
Quotes, help and the menu. Only widgets: the window connects them."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QMenu, QToolButton, QWidget

from desktop.ui import theme as themes


def _tool_button(parent: QWidget, name: str, text: str, tip: str = "") -> QToolButton:
    button = QToolButton(parent)
    button.setObjectName(name)
    button.setText(text)
    button.setToolTip(tip)
    return button


class TopBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("topBar")
        self.session_title = QLabel("JamDeck", self)
        self.session_title.setObjectName("sessionTitle")
        self.session_title.setTextFormat(Qt.TextFormat.PlainText)
        self.record_button = _tool_button(self, "recordButton", "")
        self.record_button.setCheckable(True)
        self.record_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.record_button.hide()
        self.replay_button = _tool_button(
            self,
            "replayButton",
            "Replay…",
            "Replay the recorded jam into the deck with a time slider",
        )
        self.replay_button.setCheckable(True)
        self.replay_button.hide()
        self.search = QLineEdit(self)
        self.search.setObjectName("searchBox")
        self.search.setPlaceholderText("Search the session  (/)   e.g.  pricing from:alice  #q3")
        self.search.setClearButtonEnabled(True)
        self.search.setMinimumWidth(360)
        self.search_error = QLabel("", self)
        self.search_error.setObjectName("searchError")
        self.search_error.setTextFormat(Qt.TextFormat.PlainText)
        self.add_button = _tool_button(self, "addColumnButton", "Add column")
        self.add_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.quotes_button = _tool_button(
            self, "quotesButton", "Quotes (0)", "Show the quote list (q)"
        )
        self.quotes_button.setCheckable(True)
        self.quotes_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.menu_button = _tool_button(self, "appMenuButton", "", "Menu")
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.app_menu = QMenu(self.menu_button)
        self.menu_button.setMenu(self.app_menu)
        self.help_button = _tool_button(self, "helpButton", "?", "Keyboard (?)")
        self._search_action = None
        bar = QHBoxLayout(self)
        bar.setContentsMargins(14, 8, 14, 8)
        bar.setSpacing(10)
        for widget in (self.session_title, self.record_button, self.replay_button):
            bar.addWidget(widget)
        bar.addStretch(1)
        for widget in (
            self.search_error,
            self.search,
            self.add_button,
            self.quotes_button,
            self.help_button,
            self.menu_button,
        ):
            bar.addWidget(widget)

    def set_search_error(self, message: str) -> None:
        self.search_error.setText(message)
        self.search.setProperty("error", bool(message))
        self.search.style().unpolish(self.search)
        self.search.style().polish(self.search)

    def apply_theme(self, theme: themes.Theme) -> None:
        self.add_button.setIcon(themes.icon("add", theme.text))
        self.quotes_button.setIcon(themes.icon("collect", theme.text))
        self.menu_button.setIcon(themes.icon("menu", theme.text))
        icon = themes.icon("search", theme.muted)
        if self._search_action is None:
            self._search_action = self.search.addAction(
                icon, QLineEdit.ActionPosition.LeadingPosition
            )
        else:
            self._search_action.setIcon(icon)


def show_recording(button: QToolButton, recording, theme: themes.Theme) -> None:
    """The Record button as the recording stands: Record / Recording (unscheduled
    sessions, a toggle) or what the schedule does (scheduled ones, not clickable)."""
    specs = recording.specs()
    button.setVisible(bool(specs))
    active = recording.active
    window = recording.scheduled()
    button.blockSignals(True)
    button.setChecked(active)
    button.blockSignals(False)
    if window is None:
        button.setEnabled(True)
        button.setText("● Recording" if active else "● Record")
        networks = ", ".join(s.partition(":")[0] for s in specs)
        button.setToolTip(("Stop recording " if active else "Record ") + networks + " now")
    else:
        begin, end = window
        local = "%a %H:%M" if end.date() != datetime.now(UTC).date() else "%H:%M"
        button.setEnabled(False)  # the schedule decides (LEAD_IN before, LEAD_OUT after)
        if active:
            text = f"● Recording until {end.astimezone().strftime(local)}"
        elif recording.clock() < begin:
            text = f"Records from {begin.astimezone().strftime(local)}"
        else:
            text = "Recorded"
        button.setText(text)
        button.setToolTip(
            f"Scheduled: recording runs {begin.astimezone():%a %d %b %H:%M}"
            f" – {end.astimezone():%H:%M}"
        )
    color = theme.error if active else theme.muted
    button.setStyleSheet(f"QToolButton#recordButton {{ color: {color}; font-weight: bold; }}")
