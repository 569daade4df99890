"""The quote list, headless: collect posts by filter, read the list, export it."""

from __future__ import annotations

import dataclasses
import sqlite3

from desktop.core.quotes import QuoteList
from desktop.export.quotes import ExportOptions, render
from desktop.store import quotes as store_quotes
from desktop.store.library import get_session
from desktop.store.writer import StoreWriter
from filters import compile_sql

__all__ = ["Collected", "ExportOptions", "collect_matching", "export_quotes", "quote_list"]


@dataclasses.dataclass(frozen=True, slots=True)
class Collected:
    added: int  # posts newly collected
    total: int  # posts in the quote list now


def collect_matching(
    writer: StoreWriter, reader: sqlite3.Connection, session_name: str, expr: str
) -> Collected:
    """Collect every post of the session matching the filter ``expr``, in time order,
    each into its question's section; posts already collected stay where they are.
    Raises ``FilterError`` (a bad expression) or ``SessionNotFound``."""
    where, params = compile_sql(expr)
    session = get_session(reader, session_name, count_posts=False)
    changed = writer.call(
        lambda ctx: store_quotes.collect_matching(ctx.conn, session.id, where, params)
    )
    total = writer.call(
        lambda ctx: len(store_quotes.collected_rowids(ctx.conn, session.id)), notify=False
    )
    return Collected(added=changed.added, total=total)


def quote_list(reader: sqlite3.Connection, session_name: str) -> QuoteList:
    """The session's quote list (``SessionNotFound`` if there is no such session)."""
    session = get_session(reader, session_name, count_posts=False)
    return store_quotes.load_quote_list(reader, session)


def export_quotes(
    reader: sqlite3.Connection,
    session_name: str,
    fmt: str,
    *,
    options: ExportOptions | None = None,
) -> str:
    """The session's quote list as ``fmt`` (md | html | csv | json)."""
    return render(quote_list(reader, session_name), fmt, options=options)
