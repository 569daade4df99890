"""The deck without a window: the session's columns, each filter compiled twice.

A column's filter is compiled to SQL (to page the cached session) and to a
Python predicate (the router, for live posts); ``route`` answers "these posts
entered these columns" for a committed batch. The window's deck shows what
this says; a headless caller (a test, a script) routes just the same.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Iterable

import filters
from desktop.core.column import Column
from desktop.core.record import PostRecord
from desktop.core.router import Router
from filters.ast import And, MinCount, Node, Not, Or


@dataclasses.dataclass(frozen=True, slots=True)
class CompiledColumn:
    column: Column
    where: str  # SQL for ``store.library.column_page``; "0" for a bad filter
    params: tuple
    error: str  # why the filter is bad ("" when it is fine): the column says so
    # The filter reads counts that change after a post arrives (min_likes:3): a post
    # re-received with new counts may enter or leave the column.
    reads_counts: bool = False


class DeckModel:
    def __init__(self) -> None:
        self.router = Router()
        self.columns: dict[int, CompiledColumn] = {}
        # Temporary columns take ids no saved column has (saved ids count up from 1).
        self._temporary_ids = itertools.count(-1, -1)

    def set_column(self, column: Column) -> CompiledColumn:
        """Add or replace ``column``; a bad filter shows nothing (and says why)
        instead of everything."""
        try:
            node = filters.parse(column.filter)
            where, params = filters.compile_sql(node)
            self.router.set_column(column.id, column.filter)
        except filters.FilterError as exc:
            self.router.remove_column(column.id)
            compiled = CompiledColumn(column, "0", (), exc.message)
        else:
            compiled = CompiledColumn(column, where, tuple(params), "", _reads_counts(node))
        self.columns[column.id] = compiled
        return compiled

    def remove_column(self, column_id: int) -> None:
        self.columns.pop(column_id, None)
        self.router.remove_column(column_id)

    def clear(self) -> None:
        for column_id in list(self.columns):
            self.remove_column(column_id)

    def search_column(self, text: str) -> Column:
        """A temporary column for a search typed by the user (checked by the caller)."""
        return Column(next(self._temporary_ids), f"Search: {text}", text, temporary=True)

    def count_columns(self) -> list[int]:
        """The columns whose membership can change when a post's counts do."""
        return [c for c, compiled in self.columns.items() if compiled.reads_counts]

    def route(self, records: Iterable[PostRecord]) -> dict[int, list[int]]:
        """Which of ``records`` enter which column: column id -> post row ids."""
        return self.router.route(records)


def _reads_counts(node: Node) -> bool:
    if isinstance(node, MinCount):
        return True
    if isinstance(node, Not):
        return _reads_counts(node.child)
    if isinstance(node, And | Or):
        return any(_reads_counts(child) for child in node.children)
    return False
