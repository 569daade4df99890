"""A time budget for one read query: SQLite stops it instead of freezing its caller.

Column pages and match counts run a column's filter over every cached post of a
session, and a filter's ``regex:`` is Python code called per post. The filter
language refuses the patterns that take exponential time (``filters.regex_safety``);
what remains can still be slow over a million posts, so each query gets a budget:
SQLite's progress handler, called every few thousand virtual-machine steps,
interrupts the query once its time is up, and the caller gets ``QueryTooSlow`` with
a sentence it can show instead of hanging. (One REGEXP call is Python code and is
not interrupted half-way; the refused patterns are what keeps each call short.)
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from collections.abc import Iterator

# A column page or a count usually takes milliseconds; a regex over a large
# session a second or two. Beyond this the window would look frozen.
QUERY_BUDGET_S = 5.0
# SQLite VM instructions between two looks at the clock: a row costs a few dozen,
# so a slow REGEXP is caught within a few dozen rows, for ~1% of a plain scan.
_STEPS = 500


class QueryTooSlow(sqlite3.OperationalError):
    """The query ran past its budget and SQLite interrupted it."""


@contextlib.contextmanager
def query_budget(conn: sqlite3.Connection, seconds: float | None = None) -> Iterator[None]:
    """Interrupt the queries run on ``conn`` inside the block after ``seconds``
    (``QUERY_BUDGET_S`` by default), raising ``QueryTooSlow``."""
    limit = QUERY_BUDGET_S if seconds is None else seconds
    deadline = time.monotonic() + limit

    def over_budget() -> bool:
        return time.monotonic() > deadline

    conn.set_progress_handler(over_budget, _STEPS)
    try:
        yield
    except sqlite3.OperationalError as exc:
        if "interrupted" in str(exc) and over_budget():
            raise QueryTooSlow(
                f"the filter took longer than {limit:g} s on the cached posts and was "
                "stopped: make it narrower (fewer or simpler regex: repeats, or add a word)"
            ) from None
        raise
    finally:
        conn.set_progress_handler(None, 0)


__all__ = ["QUERY_BUDGET_S", "QueryTooSlow", "query_budget"]
