"""The jam report's aggregates: a few SQL passes over a session, however big.

Each function reads with any connection and returns plain rows. They are
shaped by what a 1,000,000-post session costs (the benchmark's report figure):
every post row a query joins is a read of the ``posts`` table (a kilobyte a
post with its raw JSON), and every GROUP BY sorts what it groups. So the one
pass that joins ``posts`` (``author_question_rows``) gathers everything the
report needs from them at once; the others read ``session_posts`` and its
indexes only. ``desktop.app.report`` puts the pieces together.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence

from desktop.core.session import Session


def _links(entities: str | None) -> tuple[tuple[str, str], ...]:
    if not entities or '"links"' not in entities:  # most posts: no JSON to parse
        return ()
    try:
        links = json.loads(entities or "{}").get("links") or ()
    except (ValueError, AttributeError):
        return ()
    return tuple(
        (link["url"], link["expanded_url"])
        for link in links
        if isinstance(link, dict) and link.get("url") and link.get("expanded_url")
    )


# A minute's count is a short walk of the time index; past this many minutes
# (three weeks of a session) one GROUP BY over all of it is cheaper.
_MINUTE_QUERIES = 30_000


def first_answer(conn: sqlite3.Connection, session_id: int, question: int) -> float | None:
    """When the first post answering ``question`` came (the question post left out):
    the question index's first entry for it, not a scan."""
    return conn.execute(
        "SELECT min(created_at) FROM session_posts INDEXED BY session_posts_question "
        "WHERE session_id = ? AND question = ? AND is_question = 0",
        (session_id, question),
    ).fetchone()[0]


# One pass over the session's posts, grouped by author and question: how many
# posts, retweets made and questions asked, the retweets received, the posts
# assigned by time, the network, and (SQLite's bare columns of a max() aggregate
# come from the row holding the max) the most-engaged answer of each author to
# each question. Retweets are nobody's answer: they count as the retweeter's
# posts and nothing else.
#
# Measured on the benchmark's 1,000,000-post session, every aggregate costs
# about 0.1 s of CPU (the sort carries its inputs): so retweets made and
# questions asked share one sum (a post is one or the other; questions asked,
# a few per author, count from bit 40 up, retweets below it), and answers are
# what is left of a question's posts. The members are walked in the primary
# key's order (post rowid), so the posts table is read front to back; the
# planner would take the question index and read it in random order (1.5-2x
# the time).
_ASKED = 1 << 40
_AUTHOR_QUESTION_SQL = f"""
SELECT p.author_rowid, sp.question, p.network, count(*),
       sum(CASE WHEN sp.is_question THEN {_ASKED} WHEN p.kind = 'retweet' THEN 1 ELSE 0 END),
       sum(CASE WHEN p.kind <> 'retweet' THEN p.retweets ELSE 0 END),
       sum(sp.question_source = 'time'),
       max(CASE WHEN p.kind <> 'retweet' AND sp.is_question = 0
           THEN p.retweets + p.likes + p.quotes END),
       p.id
FROM session_posts sp INDEXED BY sqlite_autoindex_session_posts_1
JOIN posts p ON p.id = sp.post_id
WHERE sp.session_id = ?
GROUP BY p.author_rowid, sp.question
"""


def author_question_rows(conn: sqlite3.Connection, session_id: int) -> list[tuple]:
    """``(author rowid, question, network, posts, answers, retweets received,
    retweets made, questions asked, posts inferred by time, best answer
    engagement, best answer post rowid)`` per author and question (None: no
    question). The best answer columns are None when the author answered
    nothing in that group."""
    rows = []
    for author, question, network, posts, kinds, received, inferred, best, post in conn.execute(
        _AUTHOR_QUESTION_SQL, (session_id,)
    ):
        asked, made = divmod(kinds, _ASKED)
        answers = posts - asked - made if question is not None else 0
        rows.append(
            (author, question, network, posts, answers, received, made, asked, inferred, best, post)
        )
    return rows


def authors(conn: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """``{author rowid: (network, handle, display name)}``."""
    out: dict[int, tuple[str, str, str]] = {}
    ids = list(rowids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(
            "SELECT id, network, handle, display_name FROM authors "
            f"WHERE id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        out.update((r[0], (r[1], r[2], r[3])) for r in rows)
    return out


def author_rowids(conn: sqlite3.Connection, handles: Sequence[str]) -> set[int]:
    """The author rowids with these handles (any case, any network)."""
    wanted = [h.lower() for h in handles]
    if not wanted:
        return set()
    rows = conn.execute(
        f"SELECT id FROM authors WHERE lower(handle) IN ({','.join('?' * len(wanted))})", wanted
    )
    return {r[0] for r in rows}


def volume_rows(
    conn: sqlite3.Connection,
    session_id: int,
    *,
    by_network: bool,
    span: tuple[float, float] | None = None,
) -> list[tuple]:
    """``(minute start, network, posts)`` per UTC minute (and network), minutes
    with posts only. Without ``by_network`` the network is None and only the
    time index is read: a count of each minute's range of it (``span``: the first
    and last post's time), which needs no sort of a million entries as a GROUP
    BY would, unless the session spans more minutes than that is worth."""
    if by_network:
        sql = (
            "SELECT CAST(sp.created_at / 60 AS INTEGER) * 60 AS minute, p.network, count(*) "
            "FROM session_posts sp JOIN posts p ON p.id = sp.post_id WHERE sp.session_id = ? "
            "GROUP BY minute, p.network ORDER BY minute, p.network"
        )
        return conn.execute(sql, (session_id,)).fetchall()
    first, last = (int(t // 60) * 60 for t in span) if span else (0, 0)
    if span is None or (last - first) // 60 > _MINUTE_QUERIES:
        return conn.execute(
            "SELECT CAST(created_at / 60 AS INTEGER) * 60 AS minute, NULL, count(*) "
            "FROM session_posts INDEXED BY session_posts_time WHERE session_id = ? "
            "GROUP BY minute ORDER BY minute",
            (session_id,),
        ).fetchall()
    count = "SELECT count(*) FROM session_posts WHERE session_id = ? AND created_at >= ? AND created_at < ?"
    rows = []
    for minute in range(first, last + 60, 60):
        n = conn.execute(count, (session_id, minute, minute + 60)).fetchone()[0]
        if n:
            rows.append((minute, None, n))
    return rows


def shared_links(conn: sqlite3.Connection, session_id: int, *, limit: int = 10) -> list[tuple]:
    """``(url, posts)``: the links most shared (twice or more) in the session's posts (retweets
    left out: they repeat their original's links; so are the links X adds to a
    post's own photo or video)."""
    return conn.execute(
        "SELECT json_extract(link.value, '$.expanded_url') AS link_url, count(*) AS n "
        "FROM session_posts sp JOIN posts p ON p.id = sp.post_id, "
        "json_each(p.entities, '$.links') AS link "
        "WHERE sp.session_id = ? AND p.has_links AND p.kind <> 'retweet' "
        "GROUP BY link_url HAVING n > 1 AND link_url IS NOT NULL "
        "AND link_url NOT GLOB '*/status/*/photo/*' AND link_url NOT GLOB '*/status/*/video/*' "
        "ORDER BY n DESC, link_url LIMIT ?",
        (session_id, limit),
    ).fetchall()


def post_rows(conn: sqlite3.Connection, rowids: Sequence[int]) -> dict[int, tuple]:
    """``{post rowid: (network, handle, text, created_at, url, retweets, likes, quotes,
    links)}``; ``links``: the post's ``(short, expanded)`` links."""
    out: dict[int, tuple] = {}
    ids = list(rowids)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = conn.execute(
            "SELECT id, network, author_handle, text, created_at, url, retweets, likes, quotes, "
            f"entities FROM posts WHERE id IN ({','.join('?' * len(chunk))})",
            chunk,
        )
        out.update((r[0], (*r[1:-1], _links(r[-1]))) for r in rows)
    return out


def earlier_sessions(conn: sqlite3.Connection, session: Session) -> list[int]:
    """Ids of the library's sessions before ``session`` that share one of its
    hashtags (their first post, or their creation, came earlier)."""
    tags = {t.lower() for t in session.hashtags}
    if not tags:
        return []
    start = conn.execute(
        "SELECT min(created_at) FROM session_posts WHERE session_id = ?", (session.id,)
    ).fetchone()[0]
    start = session.created_at if start is None else start
    found = []
    for sid, hashtags, created in conn.execute(
        "SELECT s.id, s.hashtags, coalesce((SELECT min(created_at) FROM session_posts "
        "WHERE session_id = s.id), s.created_at) FROM sessions s WHERE s.id <> ?",
        (session.id,),
    ):
        if created < start and tags & {t.lower() for t in json.loads(hashtags or "[]")}:
            found.append(sid)
    return found


def authors_in(conn: sqlite3.Connection, session_ids: Sequence[int]) -> set[int]:
    """The author rowids of every post in these sessions."""
    if not session_ids:
        return set()
    rows = conn.execute(
        "SELECT DISTINCT p.author_rowid FROM session_posts sp JOIN posts p ON p.id = sp.post_id "
        f"WHERE sp.session_id IN ({','.join('?' * len(session_ids))})",
        list(session_ids),
    )
    return {r[0] for r in rows}


# The full transcript, grouped for the archive page, one group at a time: each
# is a range of the question index (question, time), so it streams in order
# with no sort. (One query ordered by group sorted all the rows' text first: 7
# of the 25 s of a 1,000,000-post page before its first post was written.)
_TRANSCRIPT_SQL = """
SELECT sp.question, sp.question_source, sp.is_question, sp.is_host,
       p.network, p.author_handle, a.display_name, p.text, sp.created_at, p.kind, p.url,
       p.entities, p.retweets, p.likes
FROM session_posts sp INDEXED BY session_posts_question
JOIN posts p ON p.id = sp.post_id JOIN authors a ON a.id = p.author_rowid
WHERE sp.session_id = ? AND sp.question IS ? AND sp.created_at >= ? AND sp.created_at < ?
ORDER BY sp.created_at, sp.post_id
"""

_TRANSCRIPT_FIELDS = (
    "question",
    "question_source",
    "is_question",
    "is_host",
    "network",
    "handle",
    "display_name",
    "text",
    "created_at",
    "kind",
    "url",
    "entities",
    "retweets",
    "likes",
)


def _transcript_groups(conn: sqlite3.Connection, session_id: int) -> list[tuple]:
    """``(question, after, since, until)`` per group, in reading order: the talk
    before the first question, then each question asked (in the order asked)
    and the talk after it until the next one; questions only answered (never
    asked) last."""
    asked = conn.execute(
        "SELECT number, asked_at FROM questions WHERE session_id = ? ORDER BY asked_at, number",
        (session_id,),
    ).fetchall()
    answered = [
        r[0]
        for r in conn.execute(
            "SELECT DISTINCT question FROM session_posts INDEXED BY session_posts_question "
            "WHERE session_id = ? AND question IS NOT NULL",
            (session_id,),
        )
    ]
    everything, never = float("-inf"), float("inf")
    groups = [(None, None, everything, asked[0][1] if asked else never)]
    for i, (number, when) in enumerate(asked):
        following = asked[i + 1][1] if i + 1 < len(asked) else never
        groups += [(number, None, everything, never), (None, number, when, following)]
    numbers = {number for number, _when in asked}
    groups += [(n, None, everything, never) for n in sorted(answered) if n not in numbers]
    return groups


def transcript(conn: sqlite3.Connection, session_id: int) -> Iterator[dict]:
    """Every post of the session as a plain dict, streamed, in groups: the talk
    before the first question, Q1's posts, the talk between Q1 and Q2 (posts of
    no question by the last question asked before them: ``after``, None before
    the first), Q2's... each group oldest first. ``links``: the post's
    ``(short, expanded)`` links."""
    for question, after, since, until in _transcript_groups(conn, session_id):
        for row in conn.execute(_TRANSCRIPT_SQL, (session_id, question, since, until)):
            post = dict(zip(_TRANSCRIPT_FIELDS, row, strict=True))
            post["after"] = after
            post["links"] = _links(post.pop("entities"))
            yield post
