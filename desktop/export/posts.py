"""Exporting a session's posts: one per JSONL line or CSV row."""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from typing import IO

from desktop.export.safety import csv_cell

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
SELECT p.post_id, p.network, p.author_handle, a.display_name, p.text, p.created_at, p.kind,
       p.url, sp.question, sp.question_source, sp.is_host, p.lang, p.retweets, p.likes,
       p.replies, p.entities
FROM session_posts sp JOIN posts p ON p.id = sp.post_id JOIN authors a ON a.id = p.author_rowid
WHERE sp.session_id = ? AND ({where})
ORDER BY sp.created_at, sp.post_id
"""


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def iter_rows(
    conn: sqlite3.Connection, session_id: int, where: str = "1", params: Sequence = ()
) -> Iterator[dict]:
    for r in conn.execute(_SQL.format(where=where), [session_id, *params]):
        yield {
            "id": r[0],
            "network": r[1],
            "author": r[2],
            "author_name": r[3],
            "text": r[4],
            "created_at": iso(r[5]),
            "kind": r[6],
            "url": r[7],
            "question": r[8],
            "question_source": r[9],
            "is_host": bool(r[10]),
            "lang": r[11],
            "retweets": r[12],
            "likes": r[13],
            "replies": r[14],
            "hashtags": json.loads(r[15]).get("hashtags", []),
        }


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
