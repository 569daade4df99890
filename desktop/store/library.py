"""Reading and small writes on the cache: sessions, column pages, post views.

Read functions take any connection (readers open their own, WAL lets them
run beside the writer). Write functions take the writer's context connection
and are meant to be submitted to the ``StoreWriter``.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from collections.abc import Iterable, Sequence

from desktop.core.session import Session
from desktop.core.views import PostView

_SESSION_COLS = (
    "s.id, s.name, s.title, s.hashtags, s.hosts, s.sources, s.scheduled_start, s.scheduled_end, "
    "s.started_at, s.ended_at, s.created_at, s.last_activity"
)


class SessionNotFound(LookupError):
    pass


class SessionExists(ValueError):
    pass


def _session(row, posts: int = 0) -> Session:
    return Session(
        id=row[0],
        name=row[1],
        title=row[2],
        hashtags=tuple(json.loads(row[3])),
        hosts=tuple(json.loads(row[4])),
        sources=tuple(json.loads(row[5])),
        scheduled_start=row[6],
        scheduled_end=row[7],
        started_at=row[8],
        ended_at=row[9],
        created_at=row[10],
        last_activity=row[11],
        posts=posts,
    )


def _clean_tags(tags: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(t.strip().lstrip("#") for t in tags if t.strip().lstrip("#")))


def _clean_handles(handles: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(h.strip().lstrip("@") for h in handles if h.strip().lstrip("@")))


def create_session(
    conn: sqlite3.Connection,
    name: str,
    *,
    title: str = "",
    hashtags: Sequence[str] = (),
    hosts: Sequence[str] = (),
    sources: Sequence[str] = (),
    scheduled_start: float | None = None,
    scheduled_end: float | None = None,
) -> int:
    if conn.execute("SELECT 1 FROM sessions WHERE name = ?", (name,)).fetchone():
        raise SessionExists(f"a session named {name!r} already exists")
    cur = conn.execute(
        "INSERT INTO sessions (name, title, hashtags, hosts, sources, scheduled_start, "
        "scheduled_end, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            name,
            title or name,
            json.dumps(_clean_tags(hashtags)),
            json.dumps(_clean_handles(hosts)),
            json.dumps(list(sources)),
            scheduled_start,
            scheduled_end,
            time.time(),
        ),
    )
    return cur.lastrowid


def update_session(conn: sqlite3.Connection, session_id: int, **fields) -> None:
    """Change session fields (hashtags, hosts, sources, started_at, ended_at, title)."""
    encoders = {
        "hashtags": lambda v: json.dumps(_clean_tags(v)),
        "hosts": lambda v: json.dumps(_clean_handles(v)),
        "sources": lambda v: json.dumps(list(v)),
    }
    for name, value in fields.items():
        if name not in {"hashtags", "hosts", "sources", "started_at", "ended_at", "title",
                        "scheduled_start", "scheduled_end"}:
            raise TypeError(f"unknown session field {name}")
        value = encoders.get(name, lambda v: v)(value)
        conn.execute(f"UPDATE sessions SET {name} = ? WHERE id = ?", (value, session_id))


def get_session(conn: sqlite3.Connection, name_or_id: str | int) -> Session:
    column = "id" if isinstance(name_or_id, int) else "name"
    row = conn.execute(f"SELECT {_SESSION_COLS} FROM sessions s WHERE s.{column} = ?", (name_or_id,)).fetchone()
    if row is None:
        raise SessionNotFound(f"no session named {name_or_id!r}")
    posts = conn.execute("SELECT count(*) FROM session_posts WHERE session_id = ?", (row[0],)).fetchone()[0]
    return _session(row, posts)


def list_sessions(conn: sqlite3.Connection) -> list[Session]:
    rows = conn.execute(
        f"SELECT {_SESSION_COLS}, (SELECT count(*) FROM session_posts sp WHERE sp.session_id = s.id) "
        "FROM sessions s ORDER BY coalesce(s.last_activity, s.created_at) DESC"
    ).fetchall()
    return [_session(row[:-1], row[-1]) for row in rows]


def delete_session(conn: sqlite3.Connection, session_id: int) -> None:
    conn.execute("DELETE FROM sessions WHERE id = ?", (session_id,))


# ---------------------------------------------------------------- column pages

COLUMN_FROM = "FROM session_posts sp JOIN posts p ON p.id = sp.post_id"


def column_page(
    conn: sqlite3.Connection,
    session_id: int,
    where: str = "1",
    params: Sequence = (),
    *,
    limit: int = 200,
    before: tuple[float, int] | None = None,
    after: tuple[float, int] | None = None,
) -> list[tuple[int, float]]:
    """Post ids (newest first) of the session matching ``where`` (from
    ``filters.compile_sql``), keyset-paged: ``before``/``after`` a (created_at,
    post_id) position. Returns [(post_id, created_at)]."""
    sql = f"SELECT sp.post_id, sp.created_at {COLUMN_FROM} WHERE sp.session_id = ? AND ({where})"
    args: list = [session_id, *params]
    if before is not None:
        sql += " AND (sp.created_at < ? OR (sp.created_at = ? AND sp.post_id < ?))"
        args += [before[0], before[0], before[1]]
    if after is not None:
        sql += " AND (sp.created_at > ? OR (sp.created_at = ? AND sp.post_id > ?))"
        args += [after[0], after[0], after[1]]
    sql += " ORDER BY sp.created_at DESC, sp.post_id DESC LIMIT ?"
    args.append(limit)
    return conn.execute(sql, args).fetchall()


def count_matching(conn: sqlite3.Connection, session_id: int, where: str = "1", params: Sequence = ()) -> int:
    return conn.execute(
        f"SELECT count(*) {COLUMN_FROM} WHERE sp.session_id = ? AND ({where})", [session_id, *params]
    ).fetchone()[0]


_VIEW_SQL = """
SELECT p.id, p.network, p.post_id, p.author_handle, a.display_name, a.avatar_url, p.text,
       p.created_at, p.kind, p.url, p.entities, p.retweets, p.likes, p.replies,
       p.has_media, p.has_links, p.retweeted_by_me, p.liked_by_me, p.lang,
       sp.question, sp.question_source, sp.is_question, sp.is_host,
       EXISTS (SELECT 1 FROM quote_items qi WHERE qi.session_id = sp.session_id AND qi.post_id = p.id),
       p.retweeted_key, p.quoted_key, p.edited_at,
       (SELECT oa.handle || char(31) || oa.display_name FROM posts o
        JOIN authors oa ON oa.id = o.author_rowid
        WHERE p.kind = 'retweet' AND o.network = p.network AND o.post_id = p.retweeted_key LIMIT 1)
FROM posts p JOIN authors a ON a.id = p.author_rowid
LEFT JOIN session_posts sp ON sp.post_id = p.id AND sp.session_id = ?
WHERE p.id IN ({marks})
"""


def post_views(conn: sqlite3.Connection, session_id: int, ids: Sequence[int]) -> dict[int, PostView]:
    """Display data for ``ids`` (any order; missing ids are left out)."""
    out: dict[int, PostView] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows = conn.execute(_VIEW_SQL.format(marks=",".join("?" * len(chunk))), [session_id, *chunk])
        for r in rows:
            entities = json.loads(r[10])
            out[r[0]] = PostView(
                rowid=r[0],
                network=r[1],
                post_id=r[2],
                author_handle=r[3],
                author_name=r[4],
                avatar_url=r[5],
                text=r[6],
                created_at=r[7],
                kind=r[8],
                url=r[9],
                hashtags=tuple(entities.get("hashtags", ())),
                mentions=tuple(entities.get("mentions", ())),
                links=tuple((link["url"], link["expanded_url"], link.get("display_url", "")) for link in entities.get("links", ())),
                media_count=len(entities.get("media", ())),
                retweets=r[11],
                likes=r[12],
                replies=r[13],
                has_media=bool(r[14]),
                has_links=bool(r[15]),
                retweeted_by_me=bool(r[16]),
                liked_by_me=bool(r[17]),
                lang=r[18],
                question=r[19],
                question_source=r[20],
                is_question=bool(r[21]),
                is_host=bool(r[22]),
                collected=bool(r[23]),
                retweeted_id=r[24],
                quoted_id=r[25],
                reply_to_handle=entities.get("reply_to_handle"),
                reply_to_id=entities.get("reply_to_id"),
                edited=r[26] is not None,
                original_handle=r[27].split("\x1f", 1)[0] if r[27] else None,
                original_name=r[27].split("\x1f", 1)[1] if r[27] else None,
            )
    return out


def question_texts(conn: sqlite3.Connection, session_id: int) -> dict[int, tuple[str, float]]:
    return {
        n: (t, a)
        for n, t, a in conn.execute(
            "SELECT number, text, asked_at FROM questions WHERE session_id = ? ORDER BY number",
            (session_id,),
        )
    }


def question_counts(conn: sqlite3.Connection, session_id: int) -> dict[int, int]:
    """Answers per question (members assigned to it, not counting the question posts)."""
    return dict(
        conn.execute(
            "SELECT question, count(*) FROM session_posts WHERE session_id = ? AND question IS NOT NULL "
            "AND is_question = 0 GROUP BY question",
            (session_id,),
        ).fetchall()
    )


def assign_question(conn: sqlite3.Connection, session_id: int, post_id: int, number: int | None) -> None:
    """The user's manual assignment: strongest of all, kept across re-inference."""
    conn.execute(
        "UPDATE session_posts SET question = ?, question_source = ? WHERE session_id = ? AND post_id = ?",
        (number, "manual" if number is not None else None, session_id, post_id),
    )


def as_dict(view: PostView) -> dict:
    return dataclasses.asdict(view)
