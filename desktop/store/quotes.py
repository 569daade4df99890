"""Quote-list edits and reads on the cache.

Edit functions take the writer's connection (submit them to the
``StoreWriter``: ``writer.call(lambda ctx: quotes.collect(ctx.conn, sid, pid))``)
and return a ``QuotesChanged``. Read functions take any connection.

Positions are dense (0, 1, 2...) within a section after every edit, so the
panel's row number is the position.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence

from desktop.core.quotes import QuoteItem, QuoteList, QuotesChanged, QuoteSection
from desktop.core.session import Session


class QuoteItemNotFound(LookupError):
    pass


class PostNotFound(LookupError):
    pass


def _section_ids(conn: sqlite3.Connection, session_id: int, question: int | None) -> list[int]:
    rows = conn.execute(
        "SELECT id FROM quote_items WHERE session_id = ? AND question IS ? ORDER BY position, id",
        (session_id, question),
    )
    return [r[0] for r in rows]


def _renumber(conn: sqlite3.Connection, ids: Sequence[int]) -> None:
    conn.executemany(
        "UPDATE quote_items SET position = ? WHERE id = ?",
        [(i, item) for i, item in enumerate(ids)],
    )


def _next_position(conn: sqlite3.Connection, session_id: int, question: int | None) -> int:
    row = conn.execute(
        "SELECT coalesce(max(position) + 1, 0) FROM quote_items WHERE session_id = ? AND question IS ?",
        (session_id, question),
    ).fetchone()
    return row[0]


def _item(conn: sqlite3.Connection, item_id: int) -> tuple[int, int, int | None]:
    row = conn.execute(
        "SELECT session_id, post_id, question FROM quote_items WHERE id = ?", (item_id,)
    ).fetchone()
    if row is None:
        raise QuoteItemNotFound(f"no quote item {item_id}")
    return row


def _post_question(conn: sqlite3.Connection, session_id: int, post_rowid: int) -> int | None:
    if conn.execute("SELECT 1 FROM posts WHERE id = ?", (post_rowid,)).fetchone() is None:
        raise PostNotFound(f"no post {post_rowid} in the cache")
    row = conn.execute(
        "SELECT question FROM session_posts WHERE session_id = ? AND post_id = ?",
        (session_id, post_rowid),
    ).fetchone()
    return row[0] if row else None


def collect(
    conn: sqlite3.Connection,
    session_id: int,
    post_rowid: int,
    *,
    question: int | None = None,
    now: float | None = None,
) -> QuotesChanged:
    """Add a post at the end of its section; collecting it again changes nothing.

    ``question``: the section; None takes the post's own question in the session
    (a post without one goes to "Other"; ``set_section`` moves it anywhere).
    """
    existing = conn.execute(
        "SELECT id FROM quote_items WHERE session_id = ? AND post_id = ?", (session_id, post_rowid)
    ).fetchone()
    if existing:
        return QuotesChanged(session_id, item_ids=(existing[0],))
    section = _post_question(conn, session_id, post_rowid) if question is None else question
    cur = conn.execute(
        "INSERT INTO quote_items (session_id, post_id, question, position, note, added_at) VALUES (?, ?, ?, ?, '', ?)",
        (
            session_id,
            post_rowid,
            section,
            _next_position(conn, session_id, section),
            time.time() if now is None else now,
        ),
    )
    return QuotesChanged(session_id, item_ids=(cur.lastrowid,), post_rowids=(post_rowid,), added=1)


def remove(conn: sqlite3.Connection, item_id: int) -> QuotesChanged:
    """Take an item out of the quote list (the panel's "remove")."""
    session_id, post_rowid, question = _item(conn, item_id)
    conn.execute("DELETE FROM quote_items WHERE id = ?", (item_id,))
    _renumber(conn, _section_ids(conn, session_id, question))
    return QuotesChanged(session_id, item_ids=(item_id,), post_rowids=(post_rowid,), removed=1)


def uncollect(conn: sqlite3.Connection, session_id: int, post_rowid: int) -> QuotesChanged:
    """Take a post out of the quote list (the deck's toggle); no-op when it is not in it."""
    row = conn.execute(
        "SELECT id FROM quote_items WHERE session_id = ? AND post_id = ?", (session_id, post_rowid)
    ).fetchone()
    if row is None:
        return QuotesChanged(session_id)
    return remove(conn, row[0])


def toggle(conn: sqlite3.Connection, session_id: int, post_rowid: int) -> QuotesChanged:
    """One click / ``c``: collect the post, or take it out if it is collected."""
    if conn.execute(
        "SELECT 1 FROM quote_items WHERE session_id = ? AND post_id = ?", (session_id, post_rowid)
    ).fetchone():
        return uncollect(conn, session_id, post_rowid)
    return collect(conn, session_id, post_rowid)


def move(
    conn: sqlite3.Connection, item_id: int, *, question: int | None, index: int
) -> QuotesChanged:
    """Put an item at ``index`` of section ``question`` (None: "Other"), within or
    between sections; ``index`` is clamped to the section (-1 or a big number: last)."""
    session_id, post_rowid, old_question = _item(conn, item_id)
    old_ids = [i for i in _section_ids(conn, session_id, old_question) if i != item_id]
    if old_question == question:
        new_ids = old_ids
    else:
        _renumber(conn, old_ids)
        new_ids = _section_ids(conn, session_id, question)
    if index < 0 or index > len(new_ids):
        index = len(new_ids)
    new_ids.insert(index, item_id)
    conn.execute("UPDATE quote_items SET question = ? WHERE id = ?", (question, item_id))
    _renumber(conn, new_ids)
    return QuotesChanged(session_id, item_ids=(item_id,), post_rowids=(post_rowid,))


def set_section(conn: sqlite3.Connection, item_id: int, question: int | None) -> QuotesChanged:
    """Move an item to the end of another section (no-op when already there)."""
    _session_id, _post, old_question = _item(conn, item_id)
    if old_question == question:
        return QuotesChanged(_session_id, item_ids=(item_id,))
    return move(conn, item_id, question=question, index=-1)


def set_note(conn: sqlite3.Connection, item_id: int, note: str) -> QuotesChanged:
    session_id, post_rowid, _question = _item(conn, item_id)
    conn.execute("UPDATE quote_items SET note = ? WHERE id = ?", (note.strip(), item_id))
    return QuotesChanged(session_id, item_ids=(item_id,), post_rowids=(post_rowid,))


def collect_matching(
    conn: sqlite3.Connection,
    session_id: int,
    where: str = "1",
    params: Sequence = (),
    *,
    now: float | None = None,
) -> QuotesChanged:
    """Collect every session post matching ``where`` (a ``filters.compile_sql``
    fragment over ``p``/``sp``), in time order, each into its question's section.
    Posts already in the list stay where the user put them."""
    rows = conn.execute(
        "SELECT sp.post_id, sp.question FROM session_posts sp JOIN posts p ON p.id = sp.post_id "
        f"WHERE sp.session_id = ? AND ({where}) "
        "AND NOT EXISTS (SELECT 1 FROM quote_items qi WHERE qi.session_id = sp.session_id AND qi.post_id = sp.post_id) "
        "ORDER BY sp.created_at, sp.post_id",
        [session_id, *params],
    ).fetchall()
    stamp = time.time() if now is None else now
    next_pos: dict[int | None, int] = {}
    inserted = []
    for post_rowid, question in rows:
        if question not in next_pos:
            next_pos[question] = _next_position(conn, session_id, question)
        cur = conn.execute(
            "INSERT INTO quote_items (session_id, post_id, question, position, note, added_at) VALUES (?, ?, ?, ?, '', ?)",
            (session_id, post_rowid, question, next_pos[question], stamp),
        )
        next_pos[question] += 1
        inserted.append((cur.lastrowid, post_rowid))
    return QuotesChanged(
        session_id,
        item_ids=tuple(i for i, _ in inserted),
        post_rowids=tuple(p for _, p in inserted),
        added=len(inserted),
    )


# ---------------------------------------------------------------- reading

# A collected retweet is quoted as the post it retweets (when that is cached):
# "@dee: RT @ann: ..." is not what a write-up wants.
_ITEMS_SQL = """
SELECT qi.id, qi.post_id, qi.question, qi.position, qi.note,
       p.network,
       coalesce(o.network_id, p.network_id),
       coalesce(o.author_handle, p.author_handle),
       coalesce(oa.display_name, a.display_name),
       coalesce(o.text, p.text),
       coalesce(o.url, p.url),
       coalesce(o.created_at, p.created_at),
       coalesce(o.entities, p.entities)
FROM quote_items qi
JOIN posts p ON p.id = qi.post_id
JOIN authors a ON a.id = p.author_rowid
LEFT JOIN posts o ON p.kind = 'retweet' AND o.id = (
    SELECT o2.id FROM posts o2 WHERE o2.network = p.network
    AND (o2.network_id = p.retweeted_key OR o2.key = p.retweeted_key) LIMIT 1)
LEFT JOIN authors oa ON oa.id = o.author_rowid
WHERE qi.session_id = ?
ORDER BY qi.question IS NULL, qi.question, qi.position, qi.id
"""


def _links(entities: str | None) -> tuple[tuple[str, str], ...]:
    try:
        links = json.loads(entities or "{}").get("links", ())
    except (ValueError, AttributeError):
        return ()
    return tuple(
        (link["url"], link["expanded_url"])
        for link in links
        if isinstance(link, dict) and link.get("url") and link.get("expanded_url")
    )


def quote_items(conn: sqlite3.Connection, session_id: int) -> list[QuoteItem]:
    return [
        QuoteItem(
            id=r[0],
            post_rowid=r[1],
            question=r[2],
            position=r[3],
            note=r[4],
            network=r[5],
            network_id=r[6],
            handle=r[7],
            display_name=r[8],
            text=r[9],
            url=r[10],
            created_at=r[11],
            links=_links(r[12]),
        )
        for r in conn.execute(_ITEMS_SQL, (session_id,))
    ]


def collected_rowids(conn: sqlite3.Connection, session_id: int) -> set[int]:
    return {
        r[0]
        for r in conn.execute("SELECT post_id FROM quote_items WHERE session_id = ?", (session_id,))
    }


def load_quote_list(
    conn: sqlite3.Connection, session: Session | int | str, *, include_empty: bool = False
) -> QuoteList:
    """The session's quote list, sections in question order and "Other" last.

    ``include_empty``: also every known question with no quote yet (drop
    targets for the side panel); exports leave them out.
    """
    if not isinstance(session, Session):
        from desktop.store.library import get_session

        session = get_session(conn, session, count_posts=False)
    texts = dict(
        conn.execute(
            "SELECT number, text FROM questions WHERE session_id = ? ORDER BY number", (session.id,)
        )
    )
    by_section: dict[int | None, list[QuoteItem]] = {}
    for item in quote_items(conn, session.id):
        by_section.setdefault(item.question, []).append(item)
    numbers = set(by_section) | (set(texts) if include_empty else set())
    ordered = sorted(n for n in numbers if n is not None) + (
        [None] if None in numbers or include_empty else []
    )
    sections = tuple(
        QuoteSection(
            question=n,
            text=texts.get(n, "") if n is not None else "",
            items=tuple(by_section.get(n, ())),
        )
        for n in ordered
    )
    return QuoteList(
        session_id=session.id,
        session_name=session.name,
        title=session.title or session.name,
        hashtags=tuple(session.hashtags),
        sections=sections,
    )
