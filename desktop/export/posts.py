"""Exporting a session's posts: one per JSONL line or CSV row.

Pure formatting: the caller reads the posts (``desktop.store.library.post_records``)
and passes the records in.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, datetime
from typing import IO

from desktop.export.safety import csv_row

FIELDS = [
    "id",
    "network",
    "author",
    "author_name",
    "original_author",  # a retweet's: the retweeted post's author
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


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def to_row(record: Mapping) -> dict:
    """One stored post record (``post_records``) as the exported fields."""
    row = dict(record)
    entities = json.loads(row.pop("entities") or "{}")
    row["created_at"] = iso(row["created_at"])
    row["is_host"] = bool(row["is_host"])
    row["hashtags"] = entities.get("hashtags", [])
    row["original_author"] = entities.get("retweeted_handle")
    return row


def to_rows(records: Iterable[Mapping]) -> Iterator[dict]:
    """The records as exported rows, streamed."""
    for record in records:
        yield to_row(record)


def write_jsonl(rows: Iterator[dict], out: IO[str]) -> int:
    n = 0
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        n += 1
    return n


def write_csv(rows: Iterator[dict], out: IO[str]) -> int:
    out.write(csv_row(FIELDS))
    n = 0
    for row in rows:
        row = dict(row, hashtags=" ".join(row["hashtags"]))
        out.write(csv_row([row.get(field) for field in FIELDS]))
        n += 1
    return n
