"""Writing normalized posts into the cache (runs on the writer's connection).

One call = one batch = one transaction (the caller's). Posts are upserted by
(network, key): re-receiving a post updates its text, metrics and raw JSON and
never duplicates it. Primary posts become session members with their jam facts
(question, host); referenced posts (X includes, reblogged originals, quoted
records) are stored but are not members.

Speed matters here (the ingest benchmark compares us with a bare executemany):
authors and post ids are resolved from in-memory maps owned by the single
writer, so every table is written with a few statements per batch
(``insert_rows``), whatever the batch size.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from itertools import chain
from typing import Protocol

from desktop.core import jsonio
from desktop.core.jam import Assignment, JamState, Question, answer_label
from desktop.core.normalize import Parsed
from desktop.core.post import Kind, Network, Post
from desktop.core.record import PostRecord
from desktop.store import fulltext
from filters.text import handle_keys

log = logging.getLogger("jamdeck.store.ingest")


@dataclasses.dataclass(slots=True)
class IngestResult:
    """What one batch changed, for the router and the views."""

    session_id: int
    added: list[PostRecord] = dataclasses.field(default_factory=list)  # new members, time order
    updated: list[int] = dataclasses.field(default_factory=list)  # existing posts re-received
    reassigned: dict[int, int | None] = dataclasses.field(default_factory=dict)  # post -> question
    new_questions: list[Question] = dataclasses.field(default_factory=list)


def _entities_json(post: Post) -> str:
    """What the views need beyond the columns. Empty values are left out (every
    reader uses ``.get`` with a default): most posts then store a few bytes."""
    entities: dict = {}
    if post.hashtags:
        entities["hashtags"] = post.hashtags
    if post.mentions:
        entities["mentions"] = post.mentions
    if post.links:
        entities["links"] = [
            {"url": link.url, "expanded_url": link.expanded_url, "display_url": link.display_url}
            for link in post.links
        ]
    if post.media:
        entities["media"] = [
            {"type": m.type, "url": m.url, "alt_text": m.alt_text, "preview_url": m.preview_url}
            for m in post.media
        ]
    if post.edit_history:
        entities["edit_history"] = post.edit_history
    author = post.author
    if author.display_name:
        entities["author_name"] = author.display_name
    if author.avatar_url:
        entities["avatar_url"] = author.avatar_url
    for name in ("quoted_id", "retweeted_id", "retweeted_handle", "reply_to_id", "reply_to_handle"):
        value = getattr(post, name)
        if value is not None:
            entities[name] = value
    return jsonio.dumps(entities)


_POST_COLUMNS = (
    "text, created_at, lang, kind, retweeted_key, quoted_key, reply_to_key, reply_to_keys, "
    "has_media, has_links, retweets, likes, replies, quotes, url, entities, edited_at, raw, "
    "author_keys, author_handle, author_rowid"
)
_INSERT_POSTS = (
    f"INSERT INTO posts (id, network, key, network_id, {_POST_COLUMNS}, first_seen, updated_at)"
)
# Where fulltext.stored_row's columns sit in encode_post's values.
_STORED_ROW_SOURCE = tuple(
    [c.strip() for c in _POST_COLUMNS.split(",")].index(name.strip())
    for name in fulltext.STORED_COLUMNS.split(",")
)


def _placeholder(column: str) -> str:
    # The raw JSON comes as the UTF-8 bytes its encoder wrote: bound as a blob
    # and made text by SQLite. As a str it was decoded from UTF-8 (by the
    # import's marshal) and encoded again to be bound, for every post with an
    # accent or an emoji.
    return "CAST(? AS TEXT)" if column == "raw" else "?"


_POSTS_PLACEHOLDERS = [
    _placeholder(c.strip()) for c in _INSERT_POSTS[_INSERT_POSTS.index("(") + 1 : -1].split(",")
]
_INSERT_MEMBERS = (
    "INSERT INTO session_posts (session_id, post_id, created_at, question, question_source, "
    "is_question, is_host)"
)


# Rows per multi-row INSERT. SQLite prepares each distinct statement text once
# (about 25 ms for one of 1,000 rows of the posts table): a fixed size keeps
# that to one or two statements per table, whatever the batch sizes.
ROWS_PER_INSERT = 200


def insert_rows(
    conn: sqlite3.Connection, head: str, rows: Sequence[tuple], placeholders: Sequence[str] = ()
) -> None:
    """``head VALUES (...), (...), ...``: many rows per statement.

    Measured against ``executemany`` with the benchmark's rows (CPU per post):
    posts 6.7 -> 5.9 us, session_posts 2.7 -> 1.7 us. Not for FTS5, whose
    multi-row insert goes through a temporary table (3.0 -> 4.5 us).
    """
    if not rows:
        return
    width = len(rows[0])
    limit = conn.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width
    per = max(1, min(limit, ROWS_PER_INSERT))
    if placeholders and len(placeholders) != width:
        raise ValueError(f"{len(placeholders)} placeholders for rows of {width} values")
    row_marks = "(" + ",".join(placeholders or "?" * width) + ")"
    for start in range(0, len(rows), per):
        chunk = rows[start : start + per]
        values = list(chain.from_iterable(chunk))  # flat, at C speed
        conn.execute(f"{head} VALUES {','.join([row_marks] * len(chunk))}", values)


_UPDATE_POSTS = (
    "UPDATE posts SET "
    + ", ".join(f"{c.strip()} = {_placeholder(c.strip())}" for c in _POST_COLUMNS.split(","))
    + ", updated_at = ? WHERE id = ?"
)


@dataclasses.dataclass(slots=True)
class PreparedPost:
    """One post as the writer needs it, everything that needs no database done:
    the posts-table values from ``text`` to ``author_handle`` (``columns``), the
    FTS row, the jam's answer label and the filters' record. Plain values only:
    a big import builds these from its worker's rows (see
    ``desktop.app.import_pipeline``), never a whole ``Post``."""

    network: str  # Network value
    key: tuple[str, str]  # (network, Post.key)
    network_id: str  # the network's own id (Post.id)
    author: tuple[str, str, str, str | None]  # id, handle, display name, avatar URL
    columns: tuple
    fts: tuple[str, str, str, str, str]  # tokens, tags, mentions, author keys, reply-to keys
    answer: int | None  # jam.answer_label of the text, parsed off the writer thread
    record: PostRecord

    # The columns the writer and the jam read, by name (see encode_post).
    @property
    def text(self) -> str:
        return self.columns[0]

    @property
    def created_at(self) -> float:
        return self.columns[1]

    @property
    def kind(self) -> str:
        return self.columns[3]

    @property
    def retweeted_id(self) -> str | None:
        return self.columns[4]

    @property
    def quoted_id(self) -> str | None:
        return self.columns[5]

    @property
    def reply_to_id(self) -> str | None:
        return self.columns[6]


@dataclasses.dataclass(slots=True)
class PreparedBatch:
    """A ``Parsed`` batch made ready to write (see ``prepare``)."""

    posts: list[PreparedPost]  # the primary posts, as received
    referenced: list[PreparedPost]
    # Every distinct post, referenced ones first; the last copy of a post wins.
    unique: dict[tuple[str, str], PreparedPost]


class PackedBatch(Protocol):
    """A batch still in a compact wire form (the replay pipeline's rows from its
    worker process): unpacked by ``Ingestor.write`` on the writer thread, so the
    source thread only receives and no two threads of the process trade the
    interpreter lock for every batch."""

    def unpack(self) -> PreparedBatch: ...


_KIND_VALUES = {kind: kind.value for kind in Kind}  # Enum.value is a Python property
_NONE: frozenset[str] = frozenset()


def encode_post(post: Post) -> tuple[tuple, tuple, int | None]:
    """What writing ``post`` needs that no database does: the posts-table values
    from ``text`` to ``author_handle``, the FTS row (text tokens, tags, mention
    keys, author keys, reply-to keys, each space-joined) and the jam's answer
    label. A big import runs this in its worker process (see
    ``desktop.app.import_pipeline``); ``record_of`` makes the record from it."""
    text = post.text
    metrics = post.metrics
    author_keys = " ".join(handle_keys(post.author.handle))
    reply_to_keys = " ".join(handle_keys(post.reply_to_handle)) if post.reply_to_handle else None
    columns = (
        text,
        post.created_at.timestamp(),
        post.lang.lower() if post.lang else None,
        _KIND_VALUES[post.kind],
        post.retweeted_id,
        post.quoted_id,
        post.reply_to_id,
        reply_to_keys,
        1 if post.media else 0,
        1 if post.links else 0,
        metrics.retweets,
        metrics.likes,
        metrics.replies,
        metrics.quotes,
        post.url,
        _entities_json(post),
        post.edited_at.timestamp() if post.edited_at else None,
        jsonio.dumps_utf8(post.raw),  # bytes: stored as text (CAST in the SQL)
        author_keys,
        post.author.handle,
    )
    fts = fulltext.row(
        text, post.hashtags, post.mentions, author_keys, reply_to_keys, post.retweeted_handle
    )
    return columns, fts, answer_label(text)


def record_of(network: str, columns: tuple, fts: tuple) -> PostRecord:
    """The filters' record of a post, from ``encode_post``'s values (the same as
    ``desktop.core.record.record_for`` of the post: tokens and keys never hold
    spaces, so splitting the joined strings gives them back)."""
    tokens, tags, mentions, author_keys, reply_to_keys = fts
    retweeted = _NONE
    mention_keys = frozenset(mentions.split()) if mentions else _NONE
    if "@" in mentions:  # a retweet's original author (see fulltext.mention_words)
        retweeted = frozenset([k[1:] for k in mention_keys if k[0] == "@"])
        mention_keys = frozenset([k for k in mention_keys if k[0] != "@"])
    record = PostRecord(
        0,
        columns[0],
        tuple(tokens.split()),
        frozenset(tags.split()) if tags else _NONE,
        mention_keys,
        frozenset(author_keys.split()),
        frozenset(reply_to_keys.split()) if reply_to_keys else _NONE,
        columns[3],
        columns[6] is not None,
        columns[5] is not None,
        bool(columns[8]),
        bool(columns[9]),
        columns[2],
        network,
        columns[10],
        columns[11],
        columns[12],
        columns[1],
    )
    if retweeted:
        record.retweeted_keys = retweeted
    return record


def post_fields(post: Post) -> tuple:
    """A ``PreparedPost``'s fields but its record, as plain values: what the
    replay pipeline's worker process sends. They travel with ``marshal``, which
    takes only exact built-in types (str, bytes, int, float, None, tuples): never an
    enum member or other subclass here (``encode_post`` writes ``.value``s)."""
    columns, fts, answer = encode_post(post)
    network = post.network.value
    a = post.author
    return (
        network,
        (network, post.key),
        post.id,
        (a.id, a.handle, a.display_name, a.avatar_url),
        columns,
        fts,
        answer,
    )


def prepared_from(fields: tuple) -> PreparedPost:
    """``post_fields`` back to a ``PreparedPost``; the record is ``record_of``
    the values they hold (nothing is tokenized twice)."""
    return PreparedPost(*fields, record_of(fields[0], fields[4], fields[5]))


def batch_from_fields(posts: list[tuple], referenced: list[tuple]) -> PreparedBatch:
    """A batch from its posts' ``post_fields``."""
    primary = [prepared_from(fields) for fields in posts]
    refs = [prepared_from(fields) for fields in referenced]
    # The same post may come twice in one batch (a retweeted original in two
    # stream lines): the last copy wins, as it would across batches.
    unique = {item.key: item for item in refs}
    unique.update((item.key, item) for item in primary)
    if len(unique) < len(primary) + len(refs):
        # Two versions of an edited tweet share a key: the latest is the post.
        for item in chain(refs, primary):
            kept = unique[item.key]
            if kept.network_id != item.network_id and kept.created_at > item.created_at:
                continue
            if kept.network_id != item.network_id and kept.created_at < item.created_at:
                unique[item.key] = item
    return PreparedBatch(primary, refs, unique)


_SURROGATE = re.compile("[\ud800-\udfff]")


def _without_surrogates(value):
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, tuple):
        return tuple([_without_surrogates(v) for v in value])
    return value


def without_surrogates(batch: PreparedBatch) -> PreparedBatch:
    """``batch`` with every lone surrogate in its strings replaced by U+FFFD."""

    def fields(item: PreparedPost) -> tuple:
        values = (item.network, item.key, item.network_id, item.author, item.columns)
        network, key, network_id, author, columns = _without_surrogates(values)
        # Indexed as the stored post will be read back when it is replaced.
        fts = fulltext.stored_row(*[columns[i] for i in _STORED_ROW_SOURCE])
        return (network, key, network_id, author, columns, fts, item.answer)

    return batch_from_fields(
        [fields(item) for item in batch.posts], [fields(item) for item in batch.referenced]
    )


def prepare(parsed: Parsed) -> PreparedBatch:
    """Tokenize, build records and encode JSON for a batch, touching no database.

    ``StoreWriter.ingest`` calls this on the submitting (source) thread, so the
    writer thread spends its time writing."""
    return batch_from_fields(
        [post_fields(p) for p in parsed.posts], [post_fields(p) for p in parsed.referenced]
    )


def _merged_author(
    known: tuple[str, str, str, str | None], seen: tuple[str, str, str, str | None]
) -> tuple[str, str, str, str | None]:
    """What we know of an author after seeing ``seen``: a partial sighting (a quoted
    post's bare record knows a Bluesky author by DID only; an X reference whose user
    was not expanded has no name or picture) keeps the handle, name and avatar known."""
    author_id, handle, name, avatar = seen
    if not handle or handle == author_id:
        handle = known[1]
    return (author_id, handle, name or known[2], avatar or known[3])


class Ingestor:
    """Owns the writer-side caches for one connection. Not thread-safe: the store
    writer thread is its only user."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._reset()

    def _reset(self) -> None:
        """Forget every cache (they are rebuilt from the database)."""
        conn = self.conn
        # Another connection's commits since this one's last look (see _catch_up).
        self._data_version = conn.execute("PRAGMA data_version").fetchone()[0]
        # (network, author id) -> (row id, (author id, handle, display name, avatar URL))
        self._authors: dict[tuple[str, str], tuple[int, tuple]] = {}
        self._next_post_id = (conn.execute("SELECT max(id) FROM posts").fetchone()[0] or 0) + 1
        self._next_author_id = (conn.execute("SELECT max(id) FROM authors").fetchone()[0] or 0) + 1
        self._jams: dict[int, JamState] = {}

    def _catch_up(self) -> None:
        """Start over from the database if another connection wrote to it.

        A second process may write the same library (``jamdeck import`` while the
        window records): its rows make the next ids, the authors and the jam
        state this connection remembers stale. ``PRAGMA data_version`` changes
        only when another connection committed, so this costs one pragma per
        batch. The caller holds the write lock (the store writer's ``BEGIN
        IMMEDIATE``), so nobody else inserts until it commits: the next ids read
        now are this transaction's to use."""
        if self.conn.execute("PRAGMA data_version").fetchone()[0] != self._data_version:
            log.info("another connection wrote to the library: reloading the writer's caches")
            self._reset()

    # ----------------------------------------------------------------- jam state
    def jam(self, session_id: int) -> JamState:
        state = self._jams.get(session_id)
        if state is None:
            row = self.conn.execute(
                "SELECT hosts, hashtags FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no session with id {session_id}")
            rows = self.conn.execute(
                "SELECT q.number, q.text, q.asked_at, p.key, p.network_id FROM questions q "
                "LEFT JOIN posts p ON p.id = q.post_id WHERE q.session_id = ?",
                (session_id,),
            ).fetchall()
            state = JamState(
                hosts=json.loads(row[0]),
                hashtags=json.loads(row[1]),
                questions=[Question(n, t, a, k) for n, t, a, k, _id in rows],
            )
            # A reply names its question by the network's id (Mastodon: not the key),
            # as the jam learned it live.
            for number, _t, _a, _key, network_id in rows:
                state.remember_question_post(network_id, number)
            self._jams[session_id] = state
        return state

    def forget_session(self, session_id: int) -> None:
        """Drop cached jam state (after hosts/hashtags/questions change)."""
        self._jams.pop(session_id, None)

    # ----------------------------------------------------------------- authors
    def _author_ids(self, items: Iterable[PreparedPost]) -> dict[tuple[str, str], int]:
        """{(network, author id): authors row id} for ``items``, inserting new
        authors and updating changed names and avatars."""
        wanted: dict[tuple[str, str], tuple[str, str, str, str | None]] = {}
        for item in items:
            author = item.author
            wanted.setdefault((item.network, author[0]), author)
        authors = self._authors  # every author known so far: look up, never walk it
        for k in [k for k in wanted if k not in authors]:
            row = self.conn.execute(
                "SELECT id, handle, display_name, avatar_url FROM authors "
                "WHERE network = ? AND author_id = ?",
                k,
            ).fetchone()
            if row:
                authors[k] = (row[0], (k[1], row[1], row[2], row[3]))
        inserts, updates, ids = [], [], {}
        for k, author in wanted.items():
            known = authors.get(k)
            if known is None:
                rowid = self._next_author_id
                self._next_author_id += 1
                inserts.append((rowid, k[0], *author))
                authors[k] = (rowid, author)
            else:
                rowid = known[0]
                author = _merged_author(known[1], author)
                if known[1] != author:
                    updates.append((*author[1:], rowid))
                    authors[k] = (rowid, author)
            ids[k] = rowid
        if inserts:
            self.conn.executemany(
                "INSERT INTO authors (id, network, author_id, handle, display_name, avatar_url) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                inserts,
            )
        if updates:
            self.conn.executemany(
                "UPDATE authors SET handle = ?, display_name = ?, avatar_url = ? WHERE id = ?",
                updates,
            )
        return ids

    # ----------------------------------------------------------------- posts
    def _existing_ids(
        self, keys: Iterable[tuple[str, str]]
    ) -> dict[tuple[str, str], tuple[int, float, str]]:
        """{(network, key): (row id, created_at, post id)} of the stored posts among ``keys``."""
        found: dict[tuple[str, str], tuple[int, float, str]] = {}
        by_network: dict[str, list[str]] = {}
        for network, key in keys:
            by_network.setdefault(network, []).append(key)
        for network, keys_of_network in by_network.items():
            for start in range(0, len(keys_of_network), 500):
                chunk = keys_of_network[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, *stored in self.conn.execute(
                    f"SELECT key, id, created_at, network_id FROM posts "
                    f"WHERE network = ? AND key IN ({marks})",
                    (network, *chunk),
                ):
                    found[(network, key)] = stored
        return found

    def upsert_posts(
        self, posts: Sequence[Post], *, now: float
    ) -> tuple[dict[tuple[str, str], PostRecord], list[int]]:
        """Write ``posts``; return ({(network, key): record}, [rowids that existed before]).

        The records carry the rowid and the tokens, so nothing is tokenized twice."""
        self._catch_up()
        return self._upsert(prepare(Parsed(posts=list(posts))).unique, now=now)

    def _upsert(
        self, unique: dict[tuple[str, str], PreparedPost], *, now: float
    ) -> tuple[dict[tuple[str, str], PostRecord], list[int]]:
        authors = self._author_ids(unique.values())
        existing = self._existing_ids(unique)
        records: dict[tuple[str, str], PostRecord] = {}
        inserts, fts_inserts, updates, fts_updates, updated = [], [], [], [], []
        new_ids = []
        next_id = self._next_post_id
        for k, item in unique.items():
            author_rowid = authors[(k[0], item.author[0])]
            stored = existing.get(k)
            rowid = None
            if stored is not None:
                rowid, stored_at, stored_id = stored
                if stored_id != item.network_id and k[0] == "x":
                    # Another version of an edited tweet (X: one key, one id per
                    # version; a Mastodon status has an id per instance): the
                    # latest version is the post.
                    if stored_at > item.created_at:
                        updated.append(rowid)
                        item.record.rowid = rowid
                        records[k] = item.record
                        continue
                    new_ids.append((item.network_id, rowid))
            if rowid is None:
                rowid = next_id
                next_id += 1
                inserts.append((rowid, *k, item.network_id, *item.columns, author_rowid, now, now))
                fts_inserts.append((rowid, *item.fts))
            else:
                updates.append((*item.columns, author_rowid, now, rowid))
                fts_updates.append((rowid, item.fts))
                updated.append(rowid)
            item.record.rowid = rowid
            records[k] = item.record
        self._next_post_id = next_id
        if inserts:
            insert_rows(self.conn, _INSERT_POSTS, inserts, _POSTS_PLACEHOLDERS)
            self.conn.executemany(fulltext.INSERT, fts_inserts)
        if new_ids:
            self.conn.executemany("UPDATE posts SET network_id = ? WHERE id = ?", new_ids)
        if updates:
            indexed = self._indexed_rows([u[-1] for u in updates])  # before the rows change
            self.conn.executemany(_UPDATE_POSTS, updates)
            # The index keeps no copy of its rows (see fulltext): a row is
            # replaced by deleting the words it was indexed with. Most posts
            # come back with new counts only, and their index row stays.
            changed = [(rowid, fts) for rowid, fts in fts_updates if indexed[rowid] != fts]
            if changed:
                self.conn.executemany(
                    fulltext.DELETE, [(rowid, *indexed[rowid]) for rowid, _fts in changed]
                )
                self.conn.executemany(fulltext.INSERT, [(rowid, *fts) for rowid, fts in changed])
        return records, updated

    def _indexed_rows(self, rowids: list[int]) -> dict[int, tuple]:
        """{row id: the full-text row it is indexed with} for stored posts."""
        found = {}
        for start in range(0, len(rowids), 500):
            chunk = rowids[start : start + 500]
            for rowid, *columns in self.conn.execute(
                f"SELECT id, {fulltext.STORED_COLUMNS} FROM posts "
                f"WHERE id IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                found[rowid] = fulltext.stored_row(*columns)
        return found

    # ----------------------------------------------------------------- batches
    def write(
        self,
        session_id: int,
        parsed: Parsed | PreparedBatch | PackedBatch,
        *,
        now: float | None = None,
    ) -> IngestResult:
        """Store one batch for ``session_id``, in the caller's transaction.

        ``parsed`` may come already prepared (``prepare``, on the source's thread)
        or packed (``PackedBatch``). A batch that fails leaves no row behind and
        the caches as the database is (its own savepoint is rolled back)."""
        now = time.time() if now is None else now
        if isinstance(parsed, Parsed):
            batch = prepare(parsed)
        elif isinstance(parsed, PreparedBatch):
            batch = parsed
        else:
            batch = parsed.unpack()
        self._catch_up()
        self.conn.execute("SAVEPOINT ingest_batch")
        try:
            try:
                result = self._write(session_id, batch, now)
            except UnicodeEncodeError:
                # A lone surrogate (JSON "\ud83d" from text cut inside an emoji;
                # the json module lets it through) cannot be stored as UTF-8:
                # rather than lose the whole batch, write it again with U+FFFD.
                self.conn.execute("ROLLBACK TO ingest_batch")
                self._reset()  # the caches saw the rolled-back rows
                result = self._write(session_id, without_surrogates(batch), now)
        except BaseException:
            self._abandon_batch()
            raise
        self.conn.execute("RELEASE ingest_batch")
        return result

    def _abandon_batch(self) -> None:
        """Undo a failed batch and forget what the caches learned from it,
        without hiding the failure."""
        try:
            self.conn.execute("ROLLBACK TO ingest_batch")
            self.conn.execute("RELEASE ingest_batch")
            self._reset()
        except sqlite3.Error as exc:
            # SQLite may have rolled the whole transaction back itself (a full
            # disk, an I/O error): the caller's rollback and a new Ingestor
            # (as the store writer does) start clean. The failure itself is
            # the caller's to report, in one line: no traceback here.
            log.info("could not undo a failed batch: %s", exc)

    def _write(self, session_id: int, batch: PreparedBatch, now: float) -> IngestResult:
        result = IngestResult(session_id=session_id)
        by_key, updated = self._upsert(batch.unique, now=now)
        result.updated = updated

        jam = self.jam(session_id)
        primaries = [(item, by_key[item.key]) for item in batch.posts]
        # Only posts stored before this batch can be members already.
        members = {
            row[0]
            for row in self._chunked_select(
                "SELECT post_id FROM session_posts WHERE session_id = ? AND post_id IN ({marks})",
                session_id,
                updated,
            )
        }
        referenced: dict[tuple[str, str], PreparedPost] | None = None  # built for the first retweet
        rows, records = [], []
        seen: set[int] = set()
        primaries.sort(key=lambda pair: pair[1].created_at)  # the record's: a float
        for item, record in primaries:
            rowid = record.rowid
            if rowid in members or rowid in seen:
                continue
            seen.add(rowid)
            original = None
            columns = item.columns
            kind = columns[3]
            if kind == "retweet" and columns[4]:  # a retweet naming its original
                if referenced is None:
                    referenced = {(r.network, r.network_id): r for r in batch.referenced}
                    referenced.update({(r.network, r.network_id): r for r in batch.posts})
                original = self._retweeted_assignment(session_id, item, referenced, jam)
            known = jam.question_count
            assignment = jam.observe_fields(
                item.key[1],
                item.network_id,
                item.author[1],
                columns[0],
                columns[1],
                kind,
                columns[6],
                columns[5],
                retweeted_question=original.question if original else None,
                answer=item.answer,
            )
            if assignment.source == "retweet":
                # Exports speak of how the question was found: a retweet's is its original's.
                source = original.source if original and original.source else "label"
                assignment = assignment._replace(source=source)
            question, source, is_question, is_host = assignment
            if is_question:
                self._store_question(
                    session_id,
                    jam,
                    question,
                    rowid,
                    item.key[1],
                    result,
                    jam.question_count > known,
                )
            record.question = question
            record.question_source = source
            record.is_question = is_question
            record.is_host = is_host
            records.append(record)
            # The record's time: the copy of the post that was stored (a batch may
            # hold two copies; the last one wins, see prepare).
            rows.append(
                (
                    session_id,
                    rowid,
                    record.created_at,
                    question,
                    source,
                    int(is_question),
                    int(is_host),
                )
            )
        if rows:
            insert_rows(self.conn, _INSERT_MEMBERS, rows)
            last = max(r[2] for r in rows)
            self.conn.execute(
                "UPDATE sessions SET last_activity = max(coalesce(last_activity, 0), ?) WHERE id = ?",
                (last, session_id),
            )
        for question in result.new_questions:
            result.reassigned.update(self._reinfer_after(session_id, jam, question))
        # Posts of this batch re-inferred by a later question of the same batch.
        for record in records:
            if record.rowid in result.reassigned:
                record.question = result.reassigned.pop(record.rowid)
        result.added = records
        return result

    def _chunked_select(self, sql: str, session_id: int, values: list[int]):
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            yield from self.conn.execute(
                sql.format(marks=",".join("?" * len(chunk))), (session_id, *chunk)
            )

    def _retweeted_assignment(
        self,
        session_id: int,
        item: PreparedPost,
        referenced: dict[tuple[str, str], PreparedPost],
        jam: JamState,
    ) -> Assignment | None:
        """A retweet takes the question of the post it retweets."""
        row = self.conn.execute(
            "SELECT sp.question, sp.question_source FROM session_posts sp JOIN posts p "
            "ON p.id = sp.post_id WHERE sp.session_id = ? AND p.network = ? AND p.network_id = ?",
            (session_id, item.network, item.retweeted_id),
        ).fetchone()
        if row is not None:
            return Assignment(question=row[0], source=row[1], is_question=False, is_host=False)
        original = referenced.get((item.network, item.retweeted_id))
        if original is None:
            return None
        # Not a member (pulled in from includes): assign it without storing it.
        return jam.observe_fields(
            original.key[1],
            original.network_id,
            original.author[1],
            original.text,
            original.created_at,
            original.kind,
            original.reply_to_id,
            original.quoted_id,
            answer=original.answer,
        )

    def _store_question(
        self,
        session_id: int,
        jam: JamState,
        number: int | None,
        rowid: int,
        post_key: str,
        result,
        is_new: bool,
    ) -> None:
        if number is None:
            return
        question = jam.questions[number]
        if question.post_key != post_key:
            # The host posted question N again, and the jam kept the earlier
            # definition (see jam._prefer): the stored row is already that one.
            # (Writing it here would also have paired this post's row id with
            # the other post's text.)
            return
        self.conn.execute(
            "INSERT INTO questions (session_id, number, text, post_id, asked_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (session_id, number) DO UPDATE SET text = excluded.text, "
            "post_id = excluded.post_id, asked_at = excluded.asked_at",
            (session_id, number, question.text, rowid, question.asked_at),
        )
        if is_new:
            result.new_questions.append(question)

    def _reinfer_after(
        self, session_id: int, jam: JamState, question: Question
    ) -> dict[int, int | None]:
        """A question arrived late (backfill, out of order): posts already stored that
        got their question from the time window (or none) may belong to it now,
        by reply (they answer its post) or by time."""
        changed: dict[int, int | None] = {}
        refs = [question.post_key or ""]
        # Naming every network lets SQLite use the (network, key) index.
        row = self.conn.execute(
            f"SELECT network_id FROM posts WHERE network IN ({','.join('?' * len(Network))}) AND key = ?",
            (*(n.value for n in Network), *refs),
        ).fetchone()
        refs.append(row[0] if row else "")
        # Three indexed look-ups rather than one OR over the session (a scan of
        # every member per late question): posts from the question's time on,
        # and posts that answer or quote its post.
        columns = (
            "SELECT sp.post_id, sp.created_at, sp.question, sp.question_source, "
            "p.reply_to_key, p.quoted_key"
        )
        open_to_it = (
            "sp.session_id = ? AND sp.is_question = 0 "
            "AND (sp.question_source = 'time' OR sp.question_source IS NULL)"
        )
        # CROSS JOIN: posts first, through the partial reply/quote indexes (the
        # planner would otherwise walk the session's members).
        by_reference = (
            f"{columns} FROM posts p CROSS JOIN session_posts sp ON sp.post_id = p.id "
            f"WHERE p.{{key}} IN (?, ?) AND {open_to_it}"
        )
        rows = self.conn.execute(
            f"{columns} FROM session_posts sp JOIN posts p ON p.id = sp.post_id "
            f"WHERE {open_to_it} AND sp.created_at >= ? "
            f"UNION {by_reference.format(key='reply_to_key')} "
            f"UNION {by_reference.format(key='quoted_key')}",
            (session_id, question.asked_at, *refs, session_id, *refs, session_id),
        ).fetchall()
        updates = []
        for post_id, created_at, current, current_source, reply_to, quoted in rows:
            number = jam.question_for_reply(reply_to) or jam.question_for_reply(quoted)
            source = "reply" if number is not None else None
            if number is None:
                number = jam.question_for_time(created_at)
                source = "time" if number is not None else None
            if (number, source) != (current, current_source):
                changed[post_id] = number
                updates.append((number, source, session_id, post_id))
        if updates:
            self.conn.executemany(
                "UPDATE session_posts SET question = ?, question_source = ? "
                "WHERE session_id = ? AND post_id = ?",
                updates,
            )
        return changed
