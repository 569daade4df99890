"""Editing the deck's columns: add, edit, duplicate, remove, move, resize, slow mode, sort,
search columns, and the read positions saved with each column.

Saved columns change through the store writer (the deck follows the committed
``ColumnsChanged``); temporary (search) columns live in the deck only.
"""

from __future__ import annotations

import functools

from PySide6.QtWidgets import QDialog

import filters
from desktop.app.changes import ColumnsChanged
from desktop.app.sessions import ensure_question_columns
from desktop.core.column import Column
from desktop.store import columns as saved_columns
from desktop.store.writer import WriterContext
from desktop.ui.deck import READ_POSITION
from desktop.ui.filter_editor import FilterEditor


def _merge_options(ctx: WriterContext, *, session_id: int, changes: dict[int, dict]) -> None:
    """Merge ``changes`` (column id -> options) into the saved options, read in the
    writer's transaction (the deck's copy may be older than what is saved)."""
    for column in saved_columns.list_columns(ctx.conn, session_id):
        if column.id in changes:
            options = {**column.options, **changes[column.id]}
            saved_columns.update_column(ctx.conn, column.id, options=options)


def _save_order(ctx: WriterContext, *, session_id: int, ids: list[int]) -> ColumnsChanged:
    saved_columns.reorder_columns(ctx.conn, session_id, ids)
    # Reported: a columns change committed before this one, but delivered after the
    # deck moved, brings the deck back to the saved order.
    return ColumnsChanged(session_id)


class ColumnEditing:
    """The window's column slots (``window``: its deck, writer, reader and session)."""

    def __init__(self, window) -> None:
        self.window = window
        deck = window.deck
        deck.edit_requested.connect(self.on_edit_column)
        deck.duplicate_requested.connect(self.on_duplicate_column)
        deck.remove_requested.connect(self.on_remove_column)
        deck.slow_mode_changed.connect(self.on_slow_mode_changed)
        deck.sort_changed.connect(self.on_sort_changed)
        deck.width_changed.connect(self.on_width_changed)
        deck.order_changed.connect(self.on_columns_reordered)

    @property
    def session_id(self) -> int | None:
        session = self.window.session
        return session.id if session is not None else None

    def _saved(self, column_id: int) -> bool:
        widget = self.window.deck.columns.get(column_id)
        return widget is not None and not widget.spec.temporary

    def _submit(self, op, *, notify: bool = True) -> None:
        self.window.writer.submit(op, notify=notify)

    def saved_columns(self, session_id: int) -> list[Column]:
        return saved_columns.list_columns(self.window.conn, session_id)

    # ------------------------------------------------------------ add, edit, remove
    def on_add_column(self) -> None:
        if self.session_id is None:
            return
        dialog = FilterEditor(
            self.window.conn, self.session_id, title="Add column", parent=self.window
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.add_saved_column(dialog.name, dialog.expression)

    def add_saved_column(self, name: str, expression: str) -> None:
        from desktop.app.settings import Settings

        session_id = self.session_id
        width = int(Settings.load().get("column_width"))  # a new column: the Preferences' width

        def op(ctx):
            column = saved_columns.add_column(ctx.conn, session_id, name, expression, width=width)
            return ColumnsChanged(session_id, added=column.id)

        self._submit(op)

    def on_edit_column(self, column_id: int) -> None:
        widget = self.window.deck.columns.get(column_id)
        if widget is None or self.session_id is None:
            return
        dialog = FilterEditor(
            self.window.conn,
            self.session_id,
            name=widget.spec.name,
            expression=widget.spec.filter,
            title="Edit column",
            parent=self.window,
        )
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.update_column(column_id, name=dialog.name, expression=dialog.expression)

    def update_column(self, column_id: int, *, name: str, expression: str) -> None:
        widget = self.window.deck.columns[column_id]
        if widget.spec.temporary:
            self.window.deck.update_column(
                Column(
                    column_id,
                    name,
                    expression,
                    widget.spec.options,
                    widget.spec.width,
                    temporary=True,
                )
            )
            return
        session_id = self.session_id

        def op(ctx):
            saved_columns.update_column(ctx.conn, column_id, name=name, filter=expression)
            return ColumnsChanged(session_id)

        self._submit(op)

    def on_duplicate_column(self, column_id: int) -> None:
        widget = self.window.deck.columns.get(column_id)
        if widget is not None:
            spec = widget.spec
            name = spec.name.removeprefix("Search: ") if spec.temporary else f"{spec.name} (copy)"
            self.add_saved_column(name, spec.filter)

    def on_remove_column(self, column_id: int) -> None:
        widget = self.window.deck.columns.get(column_id)
        if widget is None:
            return
        if widget.spec.temporary:
            self.window.deck.remove_column(column_id)
            return
        session_id = self.session_id

        def op(ctx):
            saved_columns.remove_column(ctx.conn, column_id)
            return ColumnsChanged(session_id)

        self._submit(op)

    # ------------------------------------------------------------ options, order, width
    def on_slow_mode_changed(self, column_id: int, rate: int) -> None:
        if self._saved(column_id) and self.session_id is not None:
            changes = {column_id: {"slow_mode": rate}}
            self._submit(
                functools.partial(_merge_options, session_id=self.session_id, changes=changes),
                notify=False,
            )

    def on_sort_changed(self, column_id: int, sort: str) -> None:
        if self._saved(column_id) and self.session_id is not None:
            changes = {column_id: {"sort": sort}}
            self._submit(
                functools.partial(_merge_options, session_id=self.session_id, changes=changes),
                notify=False,
            )

    def save_read_positions(self) -> None:
        """Each saved column's read position into its options (opened there next time)."""
        if self.session_id is None:
            return
        changes = {
            column_id: {READ_POSITION: position}
            for column_id, position in self.window.deck.read_positions().items()
            if self._saved(column_id)
        }
        if changes:
            self._submit(
                functools.partial(_merge_options, session_id=self.session_id, changes=changes),
                notify=False,
            )

    def on_columns_reordered(self, order: list) -> None:
        """The user moved a column (drag or Move left/right): save the order."""
        if self.session_id is None or self.window.closed:
            return
        ids = [c for c in order if self._saved(c)]  # search columns are not saved
        self._submit(functools.partial(_save_order, session_id=self.session_id, ids=ids))

    def on_width_changed(self, column_id: int, width: int) -> None:
        if self._saved(column_id):
            self._submit(
                lambda ctx: saved_columns.update_column(ctx.conn, column_id, width=width),
                notify=False,
            )

    # ------------------------------------------------------------ search and questions
    def search(self, text: str) -> str:
        """A search column for ``text`` at the left of the deck; the error, if any."""
        text = text.strip()
        if not text or self.session_id is None:
            return ""
        try:
            filters.compile_sql(text)
        except filters.FilterError as exc:
            return f"{exc.message} (at {exc.column})"
        deck = self.window.deck
        column = deck.model.search_column(text)
        deck.add_column(column, index=0)
        deck.focus_column(column.id)
        deck.horizontalScrollBar().setValue(0)
        return ""

    def on_question_chosen(self, number: int) -> None:
        column_id = self.window.deck.column_for_question(number)
        if column_id is not None:
            self.window.deck.focus_column(column_id)
        elif self.session_id is not None:
            self.ensure_question_columns([number])

    def ensure_question_columns(self, numbers: list[int], session_id: int | None = None) -> None:
        """A column for each of the questions ``numbers`` that lacks one (the deck gets
        them with the committed ``ColumnsChanged``)."""
        session_id = session_id if session_id is not None else self.session_id
        self._submit(
            functools.partial(ensure_question_columns, session_id=session_id, numbers=numbers)
        )
