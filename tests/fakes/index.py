"""Reading the full-text index itself: it keeps no copy of its rows
(desktop/store/fulltext.py), so tests read its words through fts5vocab."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def index_words(path: Path, rowid: int) -> list[tuple[str, str]]:
    """Every (column, word) the library's full-text index holds for one post."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("CREATE VIRTUAL TABLE temp.words USING fts5vocab(main, posts_fts, instance)")
        return sorted(conn.execute("SELECT col, term FROM temp.words WHERE doc = ?", (rowid,)))
    finally:
        conn.close()
