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
from collections.abc import Iterable, Iterator, Sequence

from desktop.core.record import PostRecord
from desktop.core.session import Session
from desktop.core.views import MediaView, PostView, QuotedView
from desktop.store import fulltext
from desktop.store.budget import query_budget
from desktop.store.db import database
from desktop.store.ingest import record_of
from filters.sql import FTS_MATCH, needs_posts, split_fts

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
        if name not in {
            "hashtags",
            "hosts",
            "sources",
            "started_at",
            "ended_at",
            "title",
            "scheduled_start",
            "scheduled_end",
        }:
            raise TypeError(f"unknown session field {name}")
        value = encoders.get(name, lambda v: v)(value)
        conn.execute(f"UPDATE sessions SET {name} = ? WHERE id = ?", (value, session_id))


def get_session(
    conn: sqlite3.Connection, name_or_id: str | int, *, count_posts: bool = True
) -> Session:
    """The session by name or id. ``count_posts=False`` leaves ``posts`` at 0:
    counting walks an index entry per member (about 60 ms for 1,000,000)."""
    column = "id" if isinstance(name_or_id, int) else "name"
    row = conn.execute(
        f"SELECT {_SESSION_COLS} FROM sessions s WHERE s.{column} = ?", (name_or_id,)
    ).fetchone()
    if row is None:
        raise SessionNotFound(f"no session named {name_or_id!r}")
    if not count_posts:
        return _session(row)
    posts = conn.execute(
        "SELECT count(*) FROM session_posts WHERE session_id = ?", (row[0],)
    ).fetchone()[0]
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
_MEMBERS_FROM = "FROM session_posts sp"
_ORDER = " ORDER BY sp.created_at DESC, sp.post_id DESC"

# How a page of a full-text filter is found (see ``_fts_page``). Measured on a
# 1,000,000-post session: driving from the hits costs ~0.5-1.7 us a hit (look-up
# and sort); probing one post against FTS ~7 us for a word, ~16 us for a phrase;
# a walk checking each post against the materialised hits ~0.07 us a post plus
# ~0.13 us a hit to build the set.
_DRIVE_MAX_HITS = 4000  # fewer hits than this: drive from them
_SAMPLE_ROWS = 100  # newest posts probed to estimate how many posts match
_PROBE_MAX_ROWS = 1500  # probe when a page needs no more than this many posts walked
_FTS_PROBE = "EXISTS (SELECT 1 FROM posts_fts WHERE posts_fts MATCH ? AND rowid = sp.post_id)"
_FTS_SET = "+" + FTS_MATCH  # unary + : not an index to drive from, a set to check


def _from(where: str) -> str:
    return COLUMN_FROM if needs_posts(where) else _MEMBERS_FROM


def _keyset(
    before: tuple[float, int] | None, after: tuple[float, int] | None, alias: str = "sp."
) -> tuple[str, list]:
    sql, args = "", []
    if before is not None:
        sql += f" AND ({alias}created_at < ? OR ({alias}created_at = ? AND {alias}post_id < ?))"
        args += [before[0], before[0], before[1]]
    if after is not None:
        sql += f" AND ({alias}created_at > ? OR ({alias}created_at = ? AND {alias}post_id > ?))"
        args += [after[0], after[0], after[1]]
    return sql, args


def column_page(
    conn: sqlite3.Connection,
    session_id: int,
    where: str = "1",
    params: Sequence = (),
    *,
    limit: int = 200,
    before: tuple[float, int] | None = None,
    after: tuple[float, int] | None = None,
    budget: float | None = None,
) -> list[tuple[int, float]]:
    """Post ids (newest first) of the session matching ``where`` (from
    ``filters.compile_sql``), keyset-paged: ``before``/``after`` a (created_at,
    post_id) position. Returns [(post_id, created_at)].

    Raises ``store.budget.QueryTooSlow`` when the filter runs past ``budget``
    seconds (``QUERY_BUDGET_S`` by default)."""
    split = split_fts(where, params)
    with query_budget(conn, budget):
        if split is not None:
            return _fts_page(conn, session_id, *split, limit=limit, before=before, after=after)
        return _page(conn, session_id, where, params, limit=limit, before=before, after=after)


ENGAGEMENT = "(p.likes + p.retweets + p.replies)"
_ENGAGEMENT_ORDER = f" ORDER BY {ENGAGEMENT} DESC, sp.created_at DESC, sp.post_id DESC"


def column_page_by_engagement(
    conn: sqlite3.Connection,
    session_id: int,
    where: str = "1",
    params: Sequence = (),
    *,
    limit: int = 200,
    offset: int = 0,
    after: tuple[float, int] | None = None,
    budget: float | None = None,
) -> list[tuple[int, float]]:
    """Like ``column_page`` but most engaged first (likes + retweets + replies,
    then newest first), OFFSET-paged: counts change under a reader, so there is
    no stable keyset; ``after``: only posts after that (created_at, post_id)
    position (a cleared column). A full-text filter is matched as SQLite plans it."""
    keyset, keyset_args = _keyset(None, after)
    sql = (
        f"SELECT sp.post_id, sp.created_at {COLUMN_FROM} WHERE sp.session_id = ? AND ({where})"
        f"{keyset}{_ENGAGEMENT_ORDER} LIMIT ? OFFSET ?"
    )
    with query_budget(conn, budget):
        return conn.execute(sql, [session_id, *params, *keyset_args, limit, offset]).fetchall()


def _page(conn, session_id, where, params, *, limit, before, after) -> list[tuple[int, float]]:
    keyset, keyset_args = _keyset(before, after)
    sql = (
        f"SELECT sp.post_id, sp.created_at {_from(where)} WHERE sp.session_id = ? AND ({where})"
        f"{keyset}{_ORDER} LIMIT ?"
    )
    return conn.execute(sql, [session_id, *params, *keyset_args, limit]).fetchall()


def _walk_page(
    conn, session_id, where, params, *, limit, rows, before, after
) -> list[tuple[int, float]]:
    """The matches among the ``rows`` newest posts (before/after the keyset).

    The walk is bounded by the position of the ``rows``-th post (an index-only
    look-up) rather than by a LIMIT in a subquery: SQLite would then check
    every post of the subquery before sorting, instead of stopping at a full page.
    """
    keyset, keyset_args = _keyset(before, after)
    last = conn.execute(
        f"SELECT sp.created_at, sp.post_id FROM session_posts sp WHERE sp.session_id = ?{keyset}"
        f"{_ORDER} LIMIT 1 OFFSET ?",
        [session_id, *keyset_args, rows - 1],
    ).fetchone()
    if last is None:  # fewer posts than that: the walk is the whole rest
        return _page(conn, session_id, where, params, limit=limit, before=before, after=after)
    sql = (
        f"SELECT sp.post_id, sp.created_at {_from(where)} WHERE sp.session_id = ? AND ({where})"
        f"{keyset} AND (sp.created_at, sp.post_id) >= (?, ?){_ORDER} LIMIT ?"
    )
    return conn.execute(sql, [session_id, *params, *keyset_args, *last, limit]).fetchall()


def _fts_page(
    conn, session_id, query, rest, rest_params, *, limit, before, after
) -> list[tuple[int, float]]:
    """A page of ``MATCH query AND rest``, by the cheapest of three plans.

    SQLite on its own always drives from the FTS hits and sorts them all: right
    for a rare word, half a second for a word in a third of a million posts.
    So: few hits -> drive from them; the page's posts dense among the newest
    (sampled) -> walk the time index newest first and probe FTS per post;
    otherwise walk it checking each post against the hits made into a set.
    """
    hits = conn.execute(
        "SELECT count(*) FROM (SELECT 1 FROM posts_fts WHERE posts_fts MATCH ? LIMIT ?)",
        (query, _DRIVE_MAX_HITS),
    ).fetchone()[0]
    if hits < _DRIVE_MAX_HITS:
        return _page(
            conn,
            session_id,
            f"{FTS_MATCH} AND ({rest})",
            [query, *rest_params],
            limit=limit,
            before=before,
            after=after,
        )
    probe_where, probe_params = f"{_FTS_PROBE} AND ({rest})", [query, *rest_params]
    sample = _walk_page(
        conn,
        session_id,
        probe_where,
        probe_params,
        limit=limit,
        rows=_SAMPLE_ROWS,
        before=before,
        after=after,
    )
    if len(sample) == limit:
        return sample
    if len(sample) * _PROBE_MAX_ROWS >= limit * _SAMPLE_ROWS:
        rows = _walk_page(
            conn,
            session_id,
            probe_where,
            probe_params,
            limit=limit,
            rows=4 * _PROBE_MAX_ROWS,
            before=before,
            after=after,
        )
        if len(rows) == limit:
            return rows
    # Otherwise walk newest first against the hits made into a set: its cost is
    # bounded by the session's size, where driving from the hits grows with them.
    return _page(
        conn,
        session_id,
        f"{_FTS_SET} AND ({rest})",
        [query, *rest_params],
        limit=limit,
        before=before,
        after=after,
    )


def count_matching(
    conn: sqlite3.Connection,
    session_id: int,
    where: str = "1",
    params: Sequence = (),
    *,
    limit: int | None = None,
    budget: float | None = None,
) -> int:
    """How many session posts match ``where``; with ``limit``, counting stops
    there (a result equal to ``limit`` means "``limit`` or more"). Raises
    ``store.budget.QueryTooSlow`` past ``budget`` seconds, like ``column_page``."""
    split = split_fts(where, params)
    if split is not None:
        # Stream the FTS hits in a join (an IN would first materialise them all)
        # so a capped count of a common word stops after ``limit`` hits.
        query, rest, rest_params = split
        join = " JOIN posts p ON p.id = sp.post_id" if needs_posts(rest) else ""
        sql = (
            "SELECT 1 FROM posts_fts JOIN session_posts sp ON sp.session_id = ? "
            f"AND sp.post_id = posts_fts.rowid{join} WHERE posts_fts MATCH ? AND ({rest})"
        )
        args = [session_id, query, *rest_params]
    else:
        sql = f"SELECT 1 {_from(where)} WHERE sp.session_id = ? AND ({where})"
        args = [session_id, *params]
    if limit is not None:
        sql += " LIMIT ?"
        args.append(limit)
    with query_budget(conn, budget):
        return conn.execute(f"SELECT count(*) FROM ({sql})", args).fetchone()[0]


_VIEW_SQL = """
SELECT p.id, p.network, p.network_id, p.author_handle, a.display_name, a.avatar_url, p.text,
       p.created_at, p.kind, p.url, p.entities, p.retweets, p.likes, p.replies,
       p.has_media, p.has_links, p.retweeted_by_me, p.liked_by_me, p.lang,
       sp.question, sp.question_source, sp.is_question, sp.is_host,
       EXISTS (SELECT 1 FROM quote_items qi WHERE qi.session_id = sp.session_id AND qi.post_id = p.id),
       p.retweeted_key, p.quoted_key, p.edited_at,
       (SELECT oa.handle || char(31) || oa.display_name || char(31) || coalesce(oa.avatar_url, '')
        FROM posts o JOIN authors oa ON oa.id = o.author_rowid
        WHERE p.kind = 'retweet' AND o.network = p.network AND o.network_id = p.retweeted_key LIMIT 1),
       (SELECT json_array(qa.handle, qa.display_name, qa.avatar_url, q.text, q.created_at, q.url,
                          q.entities)
        FROM posts q JOIN authors qa ON qa.id = q.author_rowid
        WHERE p.quoted_key IS NOT NULL AND q.network = p.network AND q.network_id = p.quoted_key
        LIMIT 1)
FROM posts p JOIN authors a ON a.id = p.author_rowid
LEFT JOIN session_posts sp ON sp.post_id = p.id AND sp.session_id = ?
WHERE p.id IN ({marks})
"""


def post_views(
    conn: sqlite3.Connection, session_id: int, ids: Sequence[int]
) -> dict[int, PostView]:
    """Display data for ``ids`` (any order; missing ids are left out)."""
    out: dict[int, PostView] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        rows = conn.execute(
            _VIEW_SQL.format(marks=",".join("?" * len(chunk))), [session_id, *chunk]
        )
        for r in rows:
            entities = json.loads(r[10])
            original = r[27].split("\x1f", 2) if r[27] else None
            out[r[0]] = PostView(
                rowid=r[0],
                network=r[1],
                network_id=r[2],
                author_handle=r[3],
                author_name=r[4],
                avatar_url=r[5],
                text=r[6],
                created_at=r[7],
                kind=r[8],
                url=r[9],
                hashtags=tuple(entities.get("hashtags", ())),
                mentions=tuple(entities.get("mentions", ())),
                links=tuple(
                    (link["url"], link["expanded_url"], link.get("display_url", ""))
                    for link in entities.get("links", ())
                ),
                media_count=len(entities.get("media", ())),
                media=_media_views(entities),
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
                original_handle=original[0] if original else None,
                original_name=original[1] if original else None,
                original_avatar_url=(original[2] or None) if original else None,
                quoted=_quoted_view(r[28]),
            )
    return out


def _media_views(entities: dict) -> tuple[MediaView, ...]:
    return tuple(
        MediaView(
            type=m.get("type") or "unknown",
            url=m.get("url"),
            alt_text=m.get("alt_text") or None,
            preview_url=m.get("preview_url"),
        )
        for m in entities.get("media", ())
        if isinstance(m, dict)
    )


def _quoted_view(found: str | None) -> QuotedView | None:
    """The quoted post's card data (a JSON array from the view query), or None."""
    if not found:
        return None
    handle, name, avatar, text, created, url, entities = json.loads(found)
    return QuotedView(
        handle=handle,
        name=name or "",
        avatar_url=avatar or None,
        text=text,
        created_at=created,
        url=url or "",
        media=_media_views(json.loads(entities or "{}")),
    )


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


def assign_question(
    conn: sqlite3.Connection, session_id: int, post_id: int, number: int | None
) -> None:
    """The user's manual assignment: strongest of all, kept across re-inference."""
    conn.execute(
        "UPDATE session_posts SET question = ?, question_source = ? WHERE session_id = ? AND post_id = ?",
        (number, "manual" if number is not None else None, session_id, post_id),
    )


def as_dict(view: PostView) -> dict:
    return dataclasses.asdict(view)


def quote_count(conn: sqlite3.Connection, session_id: int) -> int:
    """How many posts the session's quote list holds."""
    return conn.execute(
        "SELECT count(*) FROM quote_items WHERE session_id = ?", (session_id,)
    ).fetchone()[0]


# ---------------------------------------------------------------- exports

_POST_RECORDS_SQL = """
SELECT p.network_id AS id, p.network, p.author_handle AS author, a.display_name AS author_name,
       p.text, p.created_at, p.kind, p.url, sp.question, sp.question_source, sp.is_host,
       p.lang, p.retweets, p.likes, p.replies, p.entities
FROM session_posts sp JOIN posts p ON p.id = sp.post_id JOIN authors a ON a.id = p.author_rowid
WHERE sp.session_id = ? AND ({where})
ORDER BY sp.created_at, sp.post_id
"""


def post_records(
    conn: sqlite3.Connection, session_id: int, where: str = "1", params: Sequence = ()
) -> Iterator[dict]:
    """The session's posts matching ``where`` (a ``filters.compile_sql`` fragment over
    ``p``/``sp``), oldest first, streamed as plain dicts (``desktop.export.posts`` lays
    them out)."""
    # ``database`` imports sqlite-utils on its first call: only an export pays for it.
    yield from database(conn).query(_POST_RECORDS_SQL.format(where=where), [session_id, *params])


def session_time_range(conn: sqlite3.Connection, session_id: int) -> tuple[float, float] | None:
    """(first, last) post time of the session's members; None when it has none."""
    # Two subqueries: SQLite answers a lone min() or max() from the index's
    # end, but min and max together walk every member (150 ms for 1,000,000).
    row = conn.execute(
        "SELECT (SELECT min(created_at) FROM session_posts WHERE session_id = ?), "
        "(SELECT max(created_at) FROM session_posts WHERE session_id = ?)",
        (session_id, session_id),
    ).fetchone()
    return None if row is None or row[0] is None else (row[0], row[1])


_RECORDS_SQL = """
SELECT p.id, p.text, p.entities, p.author_keys, p.reply_to_keys, p.kind, p.reply_to_key,
       p.quoted_key, p.has_media, p.has_links, p.lang, p.network, p.retweets, p.likes,
       p.replies, sp.created_at, sp.question, sp.question_source, sp.is_question, sp.is_host,
       EXISTS (SELECT 1 FROM quote_items qi WHERE qi.session_id = sp.session_id
               AND qi.post_id = p.id),
       p.retweeted_by_me
FROM session_posts sp JOIN posts p ON p.id = sp.post_id
WHERE sp.session_id = ? AND (sp.created_at > ? OR (sp.created_at = ? AND sp.post_id > ?))
  AND sp.created_at <= ?
ORDER BY sp.created_at, sp.post_id
LIMIT ?
"""


def session_records(
    conn: sqlite3.Connection,
    session_id: int,
    *,
    after: tuple[float, int],
    until: float,
    limit: int,
) -> list[PostRecord]:
    """The session's posts after the (created_at, post row id) position up to ``until``,
    oldest first, as the router sees them (the jam facts as stored now): the same
    records the writer made when they arrived (``ingest.record_of``)."""
    records = []
    for r in conn.execute(_RECORDS_SQL, (session_id, after[0], after[0], after[1], until, limit)):
        entities = json.loads(r[2]) if r[2] else {}
        text = r[1]
        columns = (
            text,
            r[15],
            r[10],
            r[5],
            None,
            r[7],
            r[6],
            r[4],
            r[8],
            r[9],
            r[12],
            r[13],
            r[14],
        )
        fts = fulltext.row(
            text,
            entities.get("hashtags") or (),
            entities.get("mentions") or (),
            r[3] or "",
            r[4],
            entities.get("retweeted_handle"),
        )
        record = record_of(r[11], columns, fts)
        record.rowid = r[0]
        record.question, record.question_source = r[16], r[17]
        record.is_question, record.is_host = bool(r[18]), bool(r[19])
        record.is_collected, record.is_retweeted_by_me = bool(r[20]), bool(r[21])
        records.append(record)
    return records
