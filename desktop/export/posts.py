"""Exporting a session's posts: one per JSONL line or CSV row."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import IO

from desktop.export.safety import csv_cell
from desktop.store.db import database

FIELDS = [
    "id",
    "network",
    "author",
    "author_name",
    "text",
    "created_at",
    "kind",
    "url",
    "question",
    "question_source",
    "is_host",
    "lang",
    "retweets",
    "likes",
    "replies",
    "hashtags",
]

_SQL = """
SELECT p.post_id AS id, p.network, p.author_handle AS author, a.display_name AS author_name,
       p.text, p.created_at, p.kind, p.url, sp.question, sp.question_source, sp.is_host,
       p.lang, p.retweets, p.likes, p.replies, p.entities
FROM session_posts sp JOIN posts p ON p.id = sp.post_id JOIN authors a ON a.id = p.author_rowid
WHERE sp.session_id = ? AND ({where})
ORDER BY sp.created_at, sp.post_id
"""


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def iter_rows(
    conn: sqlite3.Connection, session_id: int, where: str = "1", params: Sequence = ()
) -> Iterator[dict]:
    """The session's posts matching ``where``, oldest first, streamed as dicts."""
    for row in database(conn).query(_SQL.format(where=where), [session_id, *params]):
        entities = json.loads(row.pop("entities"))
        row["created_at"] = iso(row["created_at"])
        row["is_host"] = bool(row["is_host"])
        row["hashtags"] = entities.get("hashtags", [])
        yield row


def write_jsonl(rows: Iterator[dict], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(rows: Iterator[dict], out: IO[str]) -> int:
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        row = dict(row, hashtags=" ".join(row["hashtags"]))
        writer.writerow({k: csv_cell(v) for k, v in row.items()})
        n += 1
    return n
