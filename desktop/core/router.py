"""The router: which columns does each committed post enter? (Qt-free)

Each column's filter is compiled once to a Python predicate; ``route`` runs
the committed batch's records through every predicate and returns, per
column, the row ids that entered it (in the batch's time order). The GUI's
column models then insert each list in one begin/end call.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable

from desktop.core.record import PostRecord
from filters import compile_predicate, parse

log = logging.getLogger("jamdeck.router")


class Router:
    def __init__(self) -> None:
        self._predicates: dict[Hashable, Callable[[PostRecord], bool]] = {}

    def set_column(self, column: Hashable, expression: str, *, now: float | None = None) -> None:
        """(Re)compile a column's filter. Raises ``filters.FilterError`` for a bad one
        (the column keeps its previous predicate then)."""
        node = parse(expression)
        self._predicates[column] = compile_predicate(node, now=now)

    def remove_column(self, column: Hashable) -> None:
        self._predicates.pop(column, None)

    @property
    def columns(self) -> list[Hashable]:
        return list(self._predicates)

    def route(self, records: Iterable[PostRecord]) -> dict[Hashable, list[int]]:
        records = list(records)
        entered: dict[Hashable, list[int]] = {}
        for column, predicate in self._predicates.items():
            try:
                ids = [record.rowid for record in records if predicate(record)]
            except Exception:  # a predicate bug must never drop the batch for other columns
                ids = _route_each(column, predicate, records)
            if ids:
                entered[column] = ids
        return entered


def _route_each(column: Hashable, predicate: Callable[[PostRecord], bool], records) -> list[int]:
    """The posts ``predicate`` takes, one by one, skipping (and logging) those it fails on."""
    ids = []
    for record in records:
        try:
            if predicate(record):
                ids.append(record.rowid)
        except Exception:
            log.exception("filter of column %r failed on post %s", column, record.rowid)
    return ids
