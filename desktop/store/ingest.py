"""Writing normalized posts into the cache (runs on the writer's connection).

One call = one batch = one transaction (the caller's). Posts are upserted by
(network, key): re-receiving a post updates its text, metrics and raw JSON and
never duplicates it. Primary posts become session members with their jam facts
(question, host); referenced posts (X includes, reblogged originals, quoted
records) are stored but are not members.

Speed matters here (the ingest benchmark compares us with a bare executemany):
authors and post ids are resolved from in-memory maps owned by the single
writer, so every table is written with one ``executemany`` per batch.
"""

from __future__ import annotations

import dataclasses
import json
import sqlite3
import time
from collections.abc import Iterable, Sequence

from desktop.core.jam import Assignment, JamState, Question
from desktop.core.normalize import Parsed
from desktop.core.post import Kind, Post
from desktop.core.record import PostRecord, record_for
from filters.text import fold_key, handle_keys


@dataclasses.dataclass(slots=True)
class IngestResult:
    """What one batch changed, for the router and the views."""

    session_id: int
    added: list[PostRecord] = dataclasses.field(default_factory=list)  # new members, time order
    updated: list[int] = dataclasses.field(default_factory=list)  # existing posts re-received
    reassigned: dict[int, int | None] = dataclasses.field(default_factory=dict)  # post -> question
    new_questions: list[Question] = dataclasses.field(default_factory=list)


def _entities_json(post: Post) -> str:
    return json.dumps(
        {
            "hashtags": list(post.hashtags),
            "mentions": list(post.mentions),
            "links": [dataclasses.asdict(link) for link in post.links],
            "media": [dataclasses.asdict(m) for m in post.media],
            "author_name": post.author.display_name,
            "avatar_url": post.author.avatar_url,
            "quoted_id": post.quoted_id,
            "retweeted_id": post.retweeted_id,
            "reply_to_id": post.reply_to_id,
            "reply_to_handle": post.reply_to_handle,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


class Ingestor:
    """Owns the writer-side caches for one connection. Not thread-safe: the store
    writer thread is its only user."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._authors: dict[tuple[str, str], tuple[int, str, str, str | None]] = {}
        self._next_post_id = (conn.execute("SELECT max(id) FROM posts").fetchone()[0] or 0) + 1
        self._next_author_id = (conn.execute("SELECT max(id) FROM authors").fetchone()[0] or 0) + 1
        self._jams: dict[int, JamState] = {}

    # ----------------------------------------------------------------- jam state
    def jam(self, session_id: int) -> JamState:
        state = self._jams.get(session_id)
        if state is None:
            row = self.conn.execute(
                "SELECT hosts, hashtags FROM sessions WHERE id = ?", (session_id,)
            ).fetchone()
            if row is None:
                raise KeyError(f"no session with id {session_id}")
            questions = [
                Question(number=n, text=t, asked_at=a, post_key=k)
                for n, t, a, k in self.conn.execute(
                    "SELECT q.number, q.text, q.asked_at, p.key FROM questions q "
                    "LEFT JOIN posts p ON p.id = q.post_id WHERE q.session_id = ?",
                    (session_id,),
                )
            ]
            state = JamState(
                hosts=json.loads(row[0]), hashtags=json.loads(row[1]), questions=questions
            )
            self._jams[session_id] = state
        return state

    def forget_session(self, session_id: int) -> None:
        """Drop cached jam state (after hosts/hashtags/questions change)."""
        self._jams.pop(session_id, None)

    # ----------------------------------------------------------------- authors
    def _author_ids(self, posts: Iterable[Post]) -> dict[tuple[str, str], int]:
        wanted: dict[tuple[str, str], Post] = {}
        for post in posts:
            wanted.setdefault((str(post.network), post.author.id), post)
        missing = [k for k in wanted if k not in self._authors]
        if missing:
            for network, author_id in missing:
                row = self.conn.execute(
                    "SELECT id, handle, display_name, avatar_url FROM authors "
                    "WHERE network = ? AND author_id = ?",
                    (network, author_id),
                ).fetchone()
                if row:
                    self._authors[(network, author_id)] = (row[0], row[1], row[2], row[3])
        inserts, updates = [], []
        for k, post in wanted.items():
            a = post.author
            known = self._authors.get(k)
            if known is None:
                rowid = self._next_author_id
                self._next_author_id += 1
                inserts.append((rowid, k[0], k[1], a.handle, a.display_name, a.avatar_url))
                self._authors[k] = (rowid, a.handle, a.display_name, a.avatar_url)
            elif (known[1], known[2], known[3]) != (a.handle, a.display_name, a.avatar_url):
                updates.append((a.handle, a.display_name, a.avatar_url, known[0]))
                self._authors[k] = (known[0], a.handle, a.display_name, a.avatar_url)
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
        return {k: v[0] for k, v in self._authors.items() if k in wanted}

    # ----------------------------------------------------------------- posts
    def _existing_ids(self, posts: Sequence[Post]) -> dict[tuple[str, str], int]:
        found: dict[tuple[str, str], int] = {}
        by_network: dict[str, list[str]] = {}
        for post in posts:
            by_network.setdefault(str(post.network), []).append(post.key)
        for network, keys in by_network.items():
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, rowid in self.conn.execute(
                    f"SELECT key, id FROM posts WHERE network = ? AND key IN ({marks})",
                    (network, *chunk),
                ):
                    found[(network, key)] = rowid
        return found

    def upsert_posts(
        self, posts: Sequence[Post], *, now: float
    ) -> tuple[dict[tuple[str, str], PostRecord], list[int]]:
        """Write ``posts``; return ({(network, key): record}, [rowids that existed before]).

        The records carry the rowid and the tokens, so nothing is tokenized twice."""
        # The same post may come twice in one batch (a retweeted original in two
        # stream lines): the last copy wins, as it would across batches.
        unique: dict[tuple[str, str], Post] = {}
        for post in posts:
            unique[(str(post.network), post.key)] = post
        posts = list(unique.values())
        authors = self._author_ids(posts)
        existing = self._existing_ids(posts)
        records: dict[tuple[str, str], PostRecord] = {}
        inserts, fts_inserts, updates, fts_updates, updated = [], [], [], [], []
        for post in posts:
            k = (str(post.network), post.key)
            record = record_for(post)
            record_text = " ".join(record.tokens)
            tags = " ".join(fold_key(t) for t in post.hashtags)
            mentions = " ".join(sorted(record.mention_keys))
            author_keys = " ".join(handle_keys(post.author.handle))
            reply_keys = " ".join(handle_keys(post.reply_to_handle)) if post.reply_to_handle else None
            raw = json.dumps(post.raw, ensure_ascii=False, separators=(",", ":"), default=str)
            common = (
                post.text,
                post.created_at.timestamp(),
                post.lang.lower() if post.lang else None,
                str(post.kind),
                post.retweeted_id,
                post.quoted_id,
                post.reply_to_id,
                reply_keys,
                int(post.has_media),
                int(post.has_links),
                post.metrics.retweets,
                post.metrics.likes,
                post.metrics.replies,
                post.metrics.quotes,
                post.url,
                _entities_json(post),
                post.edited_at.timestamp() if post.edited_at else None,
                raw,
                author_keys,
                post.author.handle,
                authors[(k[0], post.author.id)],
            )
            rowid = existing.get(k)
            if rowid is None:
                rowid = self._next_post_id
                self._next_post_id += 1
                inserts.append((rowid, k[0], post.key, post.id, *common, now, now))
                fts_inserts.append((rowid, record_text, tags, mentions))
            else:
                updates.append((*common, now, rowid))
                fts_updates.append((record_text, tags, mentions, rowid))
                updated.append(rowid)
            record.rowid = rowid
            records[k] = record
        cols = (
            "text, created_at, lang, kind, retweeted_key, quoted_key, reply_to_key, reply_to_keys, "
            "has_media, has_links, retweets, likes, replies, quotes, url, entities, edited_at, raw, "
            "author_keys, author_handle, author_rowid"
        )
        if inserts:
            self.conn.executemany(
                f"INSERT INTO posts (id, network, key, post_id, {cols}, first_seen, updated_at) "
                f"VALUES ({','.join('?' * 27)})",
                inserts,
            )
            self.conn.executemany(
                "INSERT INTO posts_fts (rowid, text, tags, mentions) VALUES (?, ?, ?, ?)",
                fts_inserts,
            )
        if updates:
            sets = ", ".join(f"{c.strip()} = ?" for c in cols.split(","))
            self.conn.executemany(f"UPDATE posts SET {sets}, updated_at = ? WHERE id = ?", updates)
            self.conn.executemany(
                "UPDATE posts_fts SET text = ?, tags = ?, mentions = ? WHERE rowid = ?",
                fts_updates,
            )
        return records, updated

    # ----------------------------------------------------------------- batches
    def write(self, session_id: int, parsed: Parsed, *, now: float | None = None) -> IngestResult:
        """Store one batch for ``session_id``. The caller owns the transaction."""
        now = time.time() if now is None else now
        result = IngestResult(session_id=session_id)
        by_key, updated = self.upsert_posts([*parsed.referenced, *parsed.posts], now=now)
        result.updated = updated

        jam = self.jam(session_id)
        members = {
            row[0]
            for row in self._chunked_select(
                "SELECT post_id FROM session_posts WHERE session_id = ? AND post_id IN ({marks})",
                session_id,
                [by_key[(str(p.network), p.key)].rowid for p in parsed.posts],
            )
        }
        referenced = {(str(p.network), p.id): p for p in parsed.referenced}
        referenced.update({(str(p.network), p.id): p for p in parsed.posts})
        rows, records = [], []
        seen: set[int] = set()
        for post in sorted(parsed.posts, key=lambda p: p.created_at):
            record = by_key[(str(post.network), post.key)]
            rowid = record.rowid
            if rowid in members or rowid in seen:
                continue
            seen.add(rowid)
            before = set(jam.questions)
            original = self._retweeted_assignment(session_id, post, referenced, jam)
            assignment = jam.observe(
                post, retweeted_question=original.question if original else None
            )
            if assignment.source == "retweet":
                # Exports speak of how the question was found: a retweet's is its original's.
                source = original.source if original and original.source else "label"
                assignment = dataclasses.replace(assignment, source=source)
            if assignment.is_question:
                self._store_question(session_id, jam, assignment.question, rowid, result, before)
            record.question = assignment.question
            record.question_source = assignment.source
            record.is_question = assignment.is_question
            record.is_host = assignment.is_host
            records.append(record)
            rows.append(
                (
                    session_id,
                    rowid,
                    record.created_at,
                    assignment.question,
                    assignment.source,
                    int(assignment.is_question),
                    int(assignment.is_host),
                )
            )
        if rows:
            self.conn.executemany(
                "INSERT INTO session_posts (session_id, post_id, created_at, question, "
                "question_source, is_question, is_host) VALUES (?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
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
        self, session_id: int, post: Post, referenced: dict, jam: JamState
    ) -> Assignment | None:
        """A retweet takes the question of the post it retweets."""
        if post.kind is not Kind.RETWEET or not post.retweeted_id:
            return None
        row = self.conn.execute(
            "SELECT sp.question, sp.question_source FROM session_posts sp JOIN posts p "
            "ON p.id = sp.post_id WHERE sp.session_id = ? AND p.network = ? AND p.post_id = ?",
            (session_id, str(post.network), post.retweeted_id),
        ).fetchone()
        if row is not None:
            return Assignment(question=row[0], source=row[1], is_question=False, is_host=False)
        original = referenced.get((str(post.network), post.retweeted_id))
        if original is None:
            return None
        # Not a member (pulled in from includes): assign it without storing it.
        return jam.observe(original)

    def _store_question(
        self, session_id: int, jam: JamState, number: int | None, rowid: int, result, before
    ) -> None:
        if number is None:
            return
        question = jam.questions[number]
        self.conn.execute(
            "INSERT INTO questions (session_id, number, text, post_id, asked_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (session_id, number) DO UPDATE SET text = excluded.text, "
            "post_id = excluded.post_id, asked_at = excluded.asked_at",
            (session_id, number, question.text, rowid, question.asked_at),
        )
        if number not in before:
            result.new_questions.append(question)

    def _reinfer_after(self, session_id: int, jam: JamState, question: Question) -> dict[int, int | None]:
        """A question arrived late (backfill, out of order): posts already stored that
        got their question from the time window (or none) may belong to it now,
        by reply (they answer its post) or by time."""
        changed: dict[int, int | None] = {}
        refs = [question.post_key or ""]
        row = self.conn.execute("SELECT post_id FROM posts WHERE key = ?", refs).fetchone()
        refs.append(row[0] if row else "")
        rows = self.conn.execute(
            "SELECT sp.post_id, sp.created_at, sp.question, sp.question_source, p.reply_to_key, "
            "p.quoted_key FROM session_posts sp JOIN posts p ON p.id = sp.post_id "
            "WHERE sp.session_id = ? AND sp.is_question = 0 "
            "AND (sp.question_source = 'time' OR sp.question_source IS NULL) "
            "AND (sp.created_at >= ? OR p.reply_to_key IN (?, ?) OR p.quoted_key IN (?, ?))",
            (session_id, question.asked_at, *refs, *refs),
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
