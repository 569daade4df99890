"""The cache's schema, as named migrations stamped in ``PRAGMA user_version``.

Each migration runs in its own transaction; ``user_version`` is the number of
migrations applied. A library written by a newer JamDeck (a higher version than
we know) is refused rather than half-understood.

Times are stored as REAL unix seconds (UTC): they index and compare cheaply and
the filter compiler's ``since:``/``until:`` need nothing else.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from desktop.store import fulltext

# Tokens for FTS are produced by ``filters.text`` and joined with single spaces;
# the ascii tokenizer then splits only on those spaces (see filters/text.py).
FTS_TOKENIZER = "ascii tokenchars '#@_'"


def run_script(conn: sqlite3.Connection, script: str) -> None:
    """Run ``script`` statement by statement inside the caller's transaction.

    (``executescript`` would COMMIT first, breaking the one-transaction-per-
    migration rule.)
    """
    statement = ""
    for line in script.splitlines(keepends=True):
        statement += line
        if sqlite3.complete_statement(statement):
            conn.execute(statement)
            statement = ""
    if statement.strip():
        raise ValueError(f"incomplete SQL statement: {statement!r}")


def _initial(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        f"""
        CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            title TEXT NOT NULL DEFAULT '',
            hashtags TEXT NOT NULL DEFAULT '[]',      -- JSON list, without '#'
            hosts TEXT NOT NULL DEFAULT '[]',         -- JSON list of handles, without '@'
            sources TEXT NOT NULL DEFAULT '[]',       -- JSON list of source specs
            scheduled_start REAL,
            scheduled_end REAL,
            started_at REAL,
            ended_at REAL,
            created_at REAL NOT NULL,
            last_activity REAL
        );

        CREATE TABLE authors (
            id INTEGER PRIMARY KEY,
            network TEXT NOT NULL,
            author_id TEXT NOT NULL,
            handle TEXT NOT NULL,
            display_name TEXT NOT NULL DEFAULT '',
            avatar_url TEXT,
            UNIQUE (network, author_id)
        );

        CREATE TABLE posts (
            id INTEGER PRIMARY KEY,
            network TEXT NOT NULL,
            key TEXT NOT NULL,                 -- Post.key: unique on its network
            post_id TEXT NOT NULL,             -- the network's own id
            author_rowid INTEGER NOT NULL REFERENCES authors(id),
            author_handle TEXT NOT NULL,       -- as written
            author_keys TEXT NOT NULL,         -- space-joined filters.text.handle_keys
            text TEXT NOT NULL,
            created_at REAL NOT NULL,
            lang TEXT,
            kind TEXT NOT NULL,
            retweeted_key TEXT,
            quoted_key TEXT,
            reply_to_key TEXT,
            reply_to_keys TEXT,                -- handle keys of whom it answers (to:)
            has_media INTEGER NOT NULL DEFAULT 0,
            has_links INTEGER NOT NULL DEFAULT 0,
            retweets INTEGER NOT NULL DEFAULT 0,
            likes INTEGER NOT NULL DEFAULT 0,
            replies INTEGER NOT NULL DEFAULT 0,
            quotes INTEGER NOT NULL DEFAULT 0,
            url TEXT NOT NULL DEFAULT '',
            entities TEXT NOT NULL DEFAULT '{{}}',   -- JSON: hashtags, mentions, links, media
            edited_at REAL,
            raw TEXT NOT NULL,                 -- the JSON the post came from
            retweeted_by_me INTEGER NOT NULL DEFAULT 0,
            liked_by_me INTEGER NOT NULL DEFAULT 0,
            first_seen REAL NOT NULL,
            updated_at REAL NOT NULL,
            UNIQUE (network, key)
        );
        CREATE INDEX posts_created_at ON posts (created_at);
        -- Retweets name their original by the network's id (Mastodon: not the key):
        -- the views' "retweeted by" line and the ingestor look originals up by it.
        CREATE INDEX posts_post_id ON posts (network, post_id);

        -- Which posts belong to which session, and what the jam made of them.
        CREATE TABLE session_posts (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            post_id INTEGER NOT NULL REFERENCES posts(id),
            created_at REAL NOT NULL,          -- copy of posts.created_at: the deck's order
            question INTEGER,                  -- the question it answers, or NULL
            question_source TEXT,              -- manual | label | reply | time | NULL (a retweet: its original's)
            is_question INTEGER NOT NULL DEFAULT 0,  -- a host's post that asks question N
            is_host INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (session_id, post_id)
        ) WITHOUT ROWID;
        -- Every column pages newest first along this index; the jam facts ride
        -- along so is:host / is:question / q:N are checked without a row lookup.
        CREATE INDEX session_posts_time
            ON session_posts (session_id, created_at, post_id, question, is_question, is_host);
        -- q:N columns page newest first straight from this index, and the answer
        -- counts per question read it without touching the rows.
        CREATE INDEX session_posts_question
            ON session_posts (session_id, question, created_at, post_id, is_question);

        -- Full-text index: tokens from filters.text, one row per post (rowid = posts.id).
        -- authors / reply_to hold the handle keys (filters.text.handle_keys) so that
        -- from: and to: are index look-ups too, not a scan of every post.
        CREATE VIRTUAL TABLE posts_fts USING fts5 (
            text, tags, mentions, authors, reply_to, tokenize = "{FTS_TOKENIZER}"
        );

        CREATE TABLE columns (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            name TEXT NOT NULL,
            filter TEXT NOT NULL DEFAULT '',
            options TEXT NOT NULL DEFAULT '{{}}',
            position INTEGER NOT NULL DEFAULT 0,
            width INTEGER NOT NULL DEFAULT 340
        );
        CREATE INDEX columns_session ON columns (session_id, position);

        CREATE TABLE actions (
            id INTEGER PRIMARY KEY,
            session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
            post_id INTEGER REFERENCES posts(id),
            kind TEXT NOT NULL,                -- retweet | unretweet | like | unlike | reply | post
            payload TEXT NOT NULL DEFAULT '{{}}',
            account TEXT,
            state TEXT NOT NULL,               -- queued | running | done | failed | cancelled
            error TEXT,
            remote_id TEXT,
            created_at REAL NOT NULL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX actions_state ON actions (state);

        CREATE TABLE quote_items (
            id INTEGER PRIMARY KEY,
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            post_id INTEGER NOT NULL REFERENCES posts(id),
            question INTEGER,                  -- section; NULL = "Other"
            position INTEGER NOT NULL,         -- order within the section
            note TEXT NOT NULL DEFAULT '',
            added_at REAL NOT NULL,
            UNIQUE (session_id, post_id)
        );

        -- The host's questions as detected (or edited): number, text, time.
        CREATE TABLE questions (
            session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
            number INTEGER NOT NULL,
            text TEXT NOT NULL,
            post_id INTEGER REFERENCES posts(id),
            asked_at REAL NOT NULL,
            PRIMARY KEY (session_id, number)
        );

        CREATE TABLE drafts (
            session_id INTEGER PRIMARY KEY REFERENCES sessions(id) ON DELETE CASCADE,
            text TEXT NOT NULL DEFAULT '',
            reply_to INTEGER,
            updated_at REAL NOT NULL
        );
        """,
    )


def _lean_indexes(conn: sqlite3.Connection) -> None:
    run_script(
        conn,
        f"""
        -- Nothing looked posts up by posts.created_at (the deck and since:/until:
        -- use session_posts.created_at), and every import paid for it.
        DROP INDEX posts_created_at;
        -- A question that arrives late claims the posts that answer or quote its
        -- post: found through these instead of a scan of the whole session per
        -- question. Partial: originals (most posts) are not in them.
        CREATE INDEX posts_reply_to_key ON posts (reply_to_key) WHERE reply_to_key IS NOT NULL;
        CREATE INDEX posts_quoted_key ON posts (quoted_key) WHERE quoted_key IS NOT NULL;

        -- The full-text index without its per-row column sizes (columnsize=0):
        -- they serve bm25 ranking only, which nothing uses, and cost a row write
        -- per post.
        CREATE VIRTUAL TABLE posts_fts_lean USING fts5 (
            text, tags, mentions, authors, reply_to, columnsize = 0,
            tokenize = "{FTS_TOKENIZER}"
        );
        INSERT INTO posts_fts_lean (rowid, text, tags, mentions, authors, reply_to)
            SELECT rowid, text, tags, mentions, authors, reply_to FROM posts_fts;
        DROP TABLE posts_fts;
        ALTER TABLE posts_fts_lean RENAME TO posts_fts;
        """,
    )


def _fts_automerge(conn: sqlite3.Connection) -> None:
    # FTS5 merges the index's segments once 4 of one level exist (its default):
    # an import rewrites every word's entries again and again as the levels
    # fill. Merging at 16 measured, for 1,000,000 index rows written 2,000 per
    # commit: 5.5-5.9 -> 4.2-4.3 us per row, the same file size, and the same
    # search times (common words, OR, a phrase, from:, a tag). A big library
    # is searched through more segments only until the next merge.
    conn.execute("INSERT INTO posts_fts (posts_fts, rank) VALUES ('automerge', 16)")


def _contentless_fts(conn: sqlite3.Connection) -> None:
    """The full-text index without its copy of every row (content=''), filled
    again from the posts table by the store's own rule (``fulltext``, whose
    docstring says what that costs and why it holds). About a tenth of a big
    library's file (123 bytes per post) and 6% of an import's writer."""
    run_script(
        conn,
        f"""
        -- What the library's derived data was made with (the word rules of its
        -- full-text index: see fulltext.ensure_current).
        CREATE TABLE store_meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;

        CREATE VIRTUAL TABLE posts_fts_contentless USING fts5 (
            text, tags, mentions, authors, reply_to, content = '', columnsize = 0,
            tokenize = "{FTS_TOKENIZER}"
        );
        INSERT INTO posts_fts_contentless (posts_fts_contentless, rank) VALUES ('automerge', 16);
        """,
    )
    fulltext.refill(conn, "posts_fts_contentless")
    fulltext.record_version(conn)
    run_script(
        conn,
        """
        DROP TABLE posts_fts;
        ALTER TABLE posts_fts_contentless RENAME TO posts_fts;
        """,
    )


def _network_ids_named(conn: sqlite3.Connection) -> None:
    """``posts.post_id`` held the network's own id while every other table's
    ``post_id`` is a row of ``posts``: the network's id is ``network_id`` now, so
    ``post_id`` means one thing everywhere. A rename only: no row is rewritten
    (its index keeps its name)."""
    conn.execute("ALTER TABLE posts RENAME COLUMN post_id TO network_id")


# (name, function). Append only: never reorder or edit a released migration.
MIGRATIONS: list[tuple[str, Callable[[sqlite3.Connection], None]]] = [
    ("initial", _initial),
    ("lean_indexes", _lean_indexes),
    ("fts_automerge", _fts_automerge),
    ("contentless_fts", _contentless_fts),
    ("network_ids_named", _network_ids_named),
]

SCHEMA_VERSION = len(MIGRATIONS)
