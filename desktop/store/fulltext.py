"""The full-text index's rows: what a post puts in ``posts_fts`` and how the
index is rebuilt.

``posts_fts`` is contentless (``content=''``): FTS5 keeps the words' index but
no copy of the rows, about a tenth of a big library's file (123 bytes per
post) and 6% of an import's writer. The price, with the SQLite 3.40 that
ships with Debian 12: to replace a row, FTS5 must be told the words the row
had. They are not kept anywhere, so they are computed again, from the posts
table, by the very function that made them (``stored_row``): a post's words
are a pure function of its stored text, hashtags, mentions, author keys and
reply-to keys.

That holds as long as the rules that make words (``filters.text``) do not
change under a library. Their version (``filters.text.WORDS_VERSION``) is kept
in the library; a library indexed under other rules has its index rebuilt
when it is opened (``ensure_current``; about 1 s per 100,000 posts, in one
transaction). A wrong guess would not break the index (measured with SQLite
3.40): it would leave an edited post findable by a word it no longer has.
"""

from __future__ import annotations

import json
import logging
import re
import sqlite3
import time
from collections.abc import Sequence

from filters.text import WORDS_VERSION, fold_key, handle_keys, tokenize

log = logging.getLogger("jamdeck.store")

COLUMNS = "text, tags, mentions, authors, reply_to"


def _insert_into(table: str) -> str:
    return f"INSERT INTO {table} (rowid, {COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"


INSERT = _insert_into("posts_fts")
DELETE = f"INSERT INTO posts_fts (posts_fts, rowid, {COLUMNS}) VALUES ('delete', ?, ?, ?, ?, ?, ?)"
# The posts-table columns ``stored_row`` reads, in its parameters' order.
STORED_COLUMNS = "text, entities, author_keys, reply_to_keys"

_SURROGATE = re.compile("[\ud800-\udfff]")


def mention_words(mentions: Sequence[str], retweeted_handle: str | None = None) -> str:
    """The ``mentions`` column: the keys of every mentioned handle and of a
    retweet's original author (``@user`` finds both, as on X, where a retweet
    reads "RT @user:"), then the original author's keys again with a leading
    "@" (``retweets_of:user``). A handle key never holds "@" (``fold_key``), so
    the two kinds of word cannot meet."""
    keys = {k for m in mentions for k in handle_keys(m)} if mentions else set()
    if not retweeted_handle:
        return " ".join(sorted(keys))
    retweeted = handle_keys(retweeted_handle)
    keys.update(retweeted)
    return " ".join([*sorted(keys), *["@" + k for k in retweeted]])


def row(
    text: str,
    hashtags: Sequence[str],
    mentions: Sequence[str],
    author_keys: str,
    reply_to_keys: str | None,
    retweeted_handle: str | None = None,
) -> tuple[str, str, str, str, str]:
    """A post's index row: text tokens, tags, mention words (``mention_words``),
    author keys and reply-to keys, each space-joined (tokens and keys never hold a space)."""
    return (
        " ".join(tokenize(text)),
        " ".join([fold_key(t) for t in hashtags]) if hashtags else "",
        mention_words(mentions, retweeted_handle) if mentions or retweeted_handle else "",
        author_keys,
        reply_to_keys or "",
    )


def stored_row(
    text: str, entities: str | None, author_keys: str, reply_to_keys: str | None
) -> tuple[str, str, str, str, str]:
    """``row`` of a stored post, from its posts-table columns (``STORED_COLUMNS``).

    Lone surrogates (a post whose text was cut inside an emoji) become U+FFFD,
    as the store writes them (see ``ingest.without_surrogates``, which indexes
    a rewritten post through this function too)."""
    try:
        extra = json.loads(entities) if entities else {}
    except (ValueError, TypeError):
        # Never written so (jsonio.dumps writes the column), but a damaged
        # value must not stop every later batch that re-receives the post.
        extra = {}
    if not isinstance(extra, dict):
        extra = {}
    values = row(
        text,
        extra.get("hashtags") or (),
        extra.get("mentions") or (),
        author_keys,
        reply_to_keys,
        extra.get("retweeted_handle"),
    )
    if any(_SURROGATE.search(v) for v in values):
        values = tuple(_SURROGATE.sub("\ufffd", v) for v in values)
    return values


def refill(conn: sqlite3.Connection, table: str = "posts_fts") -> int:
    """Index every stored post into the (empty) ``table``; returns the count."""
    insert = _insert_into(table)
    rows = conn.execute(f"SELECT id, {STORED_COLUMNS} FROM posts")
    count = 0
    while chunk := rows.fetchmany(2000):
        conn.executemany(insert, [(rowid, *stored_row(*columns)) for rowid, *columns in chunk])
        count += len(chunk)
    return count


def record_version(conn: sqlite3.Connection) -> None:
    conn.execute(
        "INSERT INTO store_meta (key, value) VALUES ('words_version', ?) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        (WORDS_VERSION,),
    )


def rebuild(conn: sqlite3.Connection) -> int:
    """Empty the index and fill it again from the posts table, in the caller's
    transaction; returns the number of posts indexed."""
    started = time.perf_counter()
    conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('delete-all')")
    count = refill(conn)
    record_version(conn)
    log.info("full-text index rebuilt: %d posts in %.1f s", count, time.perf_counter() - started)
    return count


def _indexed_version(conn: sqlite3.Connection) -> object:
    found = conn.execute("SELECT value FROM store_meta WHERE key = 'words_version'").fetchone()
    return found[0] if found else None


def ensure_current(conn: sqlite3.Connection) -> bool:
    """Rebuild the index if it was made under other word rules than this
    JamDeck's (another ``WORDS_VERSION``); True if it was rebuilt."""
    if _indexed_version(conn) == WORDS_VERSION:
        return False
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        # Another JamDeck process is writing: open the library anyway (only an
        # edited post could keep an old word meanwhile) and rebuild next time.
        log.warning("the full-text index is due for a rebuild, not possible now: %s", exc)
        return False
    try:
        found = _indexed_version(conn)  # another process may have just done it
        if found != WORDS_VERSION:
            log.warning(
                "the full-text index was built with word rules %s, this JamDeck has %s: "
                "rebuilding it",
                found,
                WORDS_VERSION,
            )
            rebuild(conn)
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:  # SQLite may have rolled back itself (a full disk)
            conn.execute("ROLLBACK")
        raise
    return found != WORDS_VERSION
