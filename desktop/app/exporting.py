"""A session's posts and the library's sessions, as the rows exports and listings show."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import IO

from desktop.export import posts as post_export
from desktop.store import library
from filters import compile_sql

__all__ = ["POST_FORMATS", "post_rows", "session_rows", "write_posts"]

POST_FORMATS = ("jsonl", "csv")


def post_rows(
    reader: sqlite3.Connection, session_name: str, expr: str | None = None
) -> Iterator[dict]:
    """The session's posts matching the filter ``expr`` (all without one), oldest first,
    streamed as export rows. The session and the filter are checked at once:
    ``SessionNotFound``, ``FilterError``."""
    session = library.get_session(reader, session_name, count_posts=False)
    where, params = compile_sql(expr) if expr else ("1", [])
    return post_export.to_rows(library.post_records(reader, session.id, where, params))


def write_posts(rows: Iterator[dict], out: IO[str], *, fmt: str) -> int:
    """Write ``rows`` to ``out`` as ``fmt`` (jsonl | csv); returns how many."""
    if fmt not in POST_FORMATS:
        raise ValueError(f"posts export as {' or '.join(POST_FORMATS)}, not {fmt!r}")
    writer = post_export.write_csv if fmt == "csv" else post_export.write_jsonl
    return writer(rows, out)


def session_rows(reader: sqlite3.Connection) -> list[dict]:
    """Every session, most recently active first, as plain data (``jamdeck sessions --json``)."""
    return [
        {
            "name": s.name,
            "title": s.title,
            "posts": s.posts,
            "hashtags": list(s.hashtags),
            "hosts": list(s.hosts),
            "sources": list(s.sources),
            "last_activity": post_export.iso(s.last_activity) if s.last_activity else None,
        }
        for s in library.list_sessions(reader)
    ]
