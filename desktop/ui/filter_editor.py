"""The column editor: a name and a filter, checked while typing.

A bad expression shows its message and a caret under the position where it
went wrong; a good one shows what it means (filters.explain) and how many
cached posts of the session match (counted ~200 ms after typing stops).
"""

from __future__ import annotations

import sqlite3
import textwrap

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

import filters
from desktop.store import library


def caret_line(expression: str, position: int) -> str:
    """The expression with a caret under ``position`` (two plain-text lines)."""
    position = max(0, min(position, len(expression)))
    return f"{expression}\n{' ' * position}^"


class FilterEditor(QDialog):
    def __init__(
        self,
        conn: sqlite3.Connection | None,
        session_id: int | None,
        *,
        name: str = "",
        expression: str = "",
        title: str = "Column",
        debounce_ms: int = 200,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("filterEditor")
        self.setWindowTitle(title)
        self.setMinimumWidth(620)
        self._conn = conn
        self._session_id = session_id
        self.valid = True
        self.match_count: int | None = None

        self.name_edit = QLineEdit(name, self)
        self.name_edit.setPlaceholderText("Column name")
        self.filter_edit = QLineEdit(expression, self)
        self.filter_edit.setObjectName("filterField")
        self.filter_edit.setPlaceholderText("e.g.  q:3 -is:retweet   or   from:alice #cx")
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.filter_edit.setFont(mono)

        self.error_label = QLabel(self)
        self.error_label.setObjectName("filterError")
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)  # the expression is user text
        self.error_label.setFont(mono)
        self.error_label.setWordWrap(False)
        self.error_label.hide()
        self.explain_label = QLabel(self)
        self.explain_label.setObjectName("filterExplain")
        self.explain_label.setTextFormat(Qt.TextFormat.PlainText)
        self.explain_label.setWordWrap(True)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("filterCount")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)

        self.help_view = QPlainTextEdit(self)
        self.help_view.setReadOnly(True)
        self.help_view.setPlainText(filters.help_text())
        self.help_view.setFont(mono)
        self.help_view.setMinimumHeight(220)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Filter", self.filter_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addWidget(self.explain_label)
        layout.addWidget(self.count_label)
        layout.addWidget(QLabel("Operators", self))
        layout.addWidget(self.help_view, 1)
        layout.addWidget(self.buttons)

        self._count_timer = QTimer(self)
        self._count_timer.setSingleShot(True)
        self._count_timer.setInterval(debounce_ms)
        self._count_timer.timeout.connect(self.on_count_due)
        self.filter_edit.textChanged.connect(self.on_filter_changed)
        self.name_edit.textChanged.connect(lambda _t: self._update_ok())
        self.on_filter_changed(expression)

    # ------------------------------------------------------------ values
    @property
    def name(self) -> str:
        return self.name_edit.text().strip()

    @property
    def expression(self) -> str:
        return self.filter_edit.text().strip()

    # ------------------------------------------------------------ slots
    def on_filter_changed(self, text: str) -> None:
        try:
            node = filters.parse(text)
            filters.compile_sql(node)
        except filters.FilterError as exc:
            self.valid = False
            self.error_label.setText(
                # The label does not wrap (the caret lines up under the expression):
                # a long message is broken into lines here instead of cut off.
                textwrap.fill(exc.message, 70)
                + f" (column {exc.column})"
                + f"\n{caret_line(text, exc.position)}"
            )
            self.error_label.show()
            self.explain_label.clear()
            self.count_label.clear()
            self.filter_edit.setProperty("error", True)
            self._count_timer.stop()
        else:
            self.valid = True
            self.error_label.hide()
            self.error_label.clear()
            self.explain_label.setText(
                filters.explain(node) if text.strip() else "every post of the session"
            )
            self.filter_edit.setProperty("error", False)
            self.count_label.setText("counting…")
            self._count_timer.start()
        self.filter_edit.style().unpolish(self.filter_edit)
        self.filter_edit.style().polish(self.filter_edit)
        self._update_ok()

    def on_count_due(self) -> None:
        if not self.valid or self._conn is None or self._session_id is None:
            self.count_label.clear()
            return
        try:
            where, params = filters.compile_sql(self.filter_edit.text())
            self.match_count = library.count_matching(
                self._conn, self._session_id, where, params, limit=10_000
            )
        except (filters.FilterError, sqlite3.Error) as exc:
            self.count_label.setText(f"cannot count: {exc}")
            return
        n = self.match_count
        self.count_label.setText(
            f"{n:,}{'+' if n >= 10_000 else ''} cached post{'s' if n != 1 else ''} match"
        )

    def _update_ok(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(self.valid and bool(self.name))
