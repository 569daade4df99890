"""The cache: migrations, upserts without duplicates, jam facts, the writer thread."""

from __future__ import annotations

import dataclasses
import sqlite3
import threading

import pytest

from desktop.core.normalize import Parsed
from desktop.core.post import Kind, Metrics, Network
from desktop.store import library
from desktop.store.db import PAGE_SIZE, SchemaTooNewError, open_library
from desktop.store.schema import SCHEMA_VERSION
from desktop.store.writer import StoreWriter
from tests.fakes.index import index_words
from tests.fakes.posts import make_post
from tests.fakes.wait import wait_until


@pytest.fixture
def writer(tmp_path):
    w = StoreWriter(tmp_path / "library.db")
    yield w
    w.close()


def new_session(writer, name="jam", hosts=("host",), hashtags=("socbizchat",)):
    return writer.call(
        lambda ctx: library.create_session(ctx.conn, name, hosts=hosts, hashtags=hashtags)
    )


def test_new_library_is_migrated_and_in_wal_mode(tmp_path):
    conn = open_library(tmp_path / "lib.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("SELECT v FROM posts_fts_config WHERE k = 'automerge'").fetchall() == [
        (16,)
    ]


def test_a_new_library_gets_the_chosen_page_size_and_an_old_one_keeps_its_own(tmp_path):
    conn = open_library(tmp_path / "new.db")
    assert conn.execute("PRAGMA page_size").fetchone()[0] == PAGE_SIZE
    conn.close()
    other = 16384 if PAGE_SIZE != 16384 else 8192
    old = sqlite3.connect(tmp_path / "old.db")
    old.execute(f"PRAGMA page_size = {other}")
    old.execute("CREATE TABLE leftover (x)")  # the file exists with other pages
    old.close()
    conn = open_library(tmp_path / "old.db")
    assert conn.execute("PRAGMA page_size").fetchone()[0] == other
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    session_id = library.create_session(conn, "jam", hashtags=["x"])
    writer = StoreWriter(tmp_path / "old.db")
    try:
        writer.ingest(session_id, Parsed(posts=[make_post(1, text="still written")])).result()
        backstop = writer.call(
            lambda ctx: ctx.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0], notify=False
        )
    finally:
        writer.close()
    assert conn.execute("SELECT text FROM posts").fetchall() == [("still written",)]
    assert backstop * other == 40 << 20  # the writer's backstop is bytes, not pages
    conn.close()


def test_a_first_schema_library_is_upgraded_with_its_posts_searchable(tmp_path):
    from desktop.store.db import connect
    from desktop.store.schema import MIGRATIONS

    path = tmp_path / "lib.db"
    conn = connect(path)
    conn.execute("BEGIN")
    MIGRATIONS[0][1](conn)
    conn.execute("PRAGMA user_version = 1")
    # A post written under the first schema (its full-text row included).
    conn.execute("INSERT INTO authors (id, network, author_id, handle) VALUES (1, 'x', '9', 'ann')")
    conn.execute(
        "INSERT INTO posts (id, network, key, post_id, author_rowid, author_handle, author_keys, "
        "text, created_at, kind, reply_to_key, raw, first_seen, updated_at) "
        "VALUES (7, 'x', '7', '7', 1, 'ann', 'ann', 'A1 listen first', 0, 'reply', '1', '{}', 0, 0)"
    )
    conn.execute(
        "INSERT INTO posts_fts (rowid, text, tags, mentions, authors, reply_to) "
        "VALUES (7, 'a1 listen first', '', '', 'ann', '')"
    )
    conn.execute("COMMIT")
    conn.close()

    conn = open_library(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"posts_reply_to_key", "posts_quoted_key"} <= indexes
    assert "posts_created_at" not in indexes
    plan = conn.execute(
        "EXPLAIN QUERY PLAN SELECT id FROM posts WHERE reply_to_key IN ('1', '2')"
    ).fetchall()
    assert "posts_reply_to_key" in str(plan)
    # Its full-text index merges its segments 16 at a time, as a new one does.
    assert conn.execute("SELECT v FROM posts_fts_config WHERE k = 'automerge'").fetchall() == [
        (16,)
    ]
    # The rebuilt full-text index still finds the old post, and takes new ones.
    assert conn.execute(
        "SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'text : listen'"
    ).fetchall() == [(7,)]
    conn.close()
    with StoreWriter(path) as writer:
        sid = new_session(writer)
        writer.ingest(
            sid, Parsed(posts=[make_post(2, "A1 listen twice", reply_to_id="1")])
        ).result()
    conn = open_library(path)
    assert (
        conn.execute(
            "SELECT count(*) FROM posts_fts WHERE posts_fts MATCH 'text : listen'"
        ).fetchone()[0]
        == 2
    )


def test_library_from_a_newer_jamdeck_is_refused_clearly(tmp_path):
    conn = open_library(tmp_path / "lib.db")
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(SchemaTooNewError, match="newer JamDeck"):
        open_library(tmp_path / "lib.db")


def test_receiving_a_post_again_updates_it_and_never_duplicates(writer, tmp_path):
    sid = new_session(writer)
    post = make_post(1, "A1: community first #socbizchat")
    first = writer.ingest(sid, Parsed(posts=[post])).result()
    again = dataclasses.replace(post, metrics=Metrics(likes=42), text="A1: community first, edited")
    second = writer.ingest(sid, Parsed(posts=[again])).result()
    assert len(first.added) == 1 and second.added == [] and len(second.updated) == 1
    conn = sqlite3.connect(tmp_path / "library.db")
    assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 1
    assert conn.execute("SELECT likes, text FROM posts").fetchone() == (
        42,
        "A1: community first, edited",
    )
    assert conn.execute("SELECT count(*) FROM session_posts").fetchone()[0] == 1
    # The full-text index follows the edit.
    hits = conn.execute(
        "SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'text : \"edited\"'"
    ).fetchall()
    assert len(hits) == 1


def test_an_edited_post_leaves_only_its_new_words_in_the_index(writer, tmp_path):
    """The index keeps no copy of its rows: replacing one tells FTS5 the old
    words, recomputed from the stored post. A wrong guess would leave ghosts."""
    sid = new_session(writer)
    post = make_post(
        1, "A1: community first #socbizchat", hashtags=("socbizchat",), mentions=("Ann",)
    )
    writer.ingest(sid, Parsed(posts=[post])).result()
    before = index_words(tmp_path / "library.db", 1)
    assert ("text", "community") in before and ("mentions", "ann") in before
    edited = dataclasses.replace(
        post, text="A1: culture later", hashtags=("NewTag",), mentions=("bo",),
        reply_to_handle="carl", metrics=Metrics(likes=3),
    )  # fmt: skip
    writer.ingest(sid, Parsed(posts=[edited])).result()
    assert index_words(tmp_path / "library.db", 1) == sorted(
        [("text", "a1"), ("text", "culture"), ("text", "later"), ("tags", "newtag"),
         ("mentions", "bo"), ("authors", "alice"), ("reply_to", "carl")]
    )  # fmt: skip
    # New counts only: the index row stays as it is.
    writer.ingest(
        sid, Parsed(posts=[dataclasses.replace(edited, metrics=Metrics(likes=9))])
    ).result()
    assert ("text", "culture") in index_words(tmp_path / "library.db", 1)
    conn = sqlite3.connect(tmp_path / "library.db")
    conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('integrity-check')")
    assert conn.execute("SELECT likes FROM posts").fetchone() == (9,)
    assert (
        conn.execute(
            "SELECT rowid FROM posts_fts WHERE posts_fts MATCH 'text : community'"
        ).fetchall()
        == []
    )


def test_a_question_posted_twice_is_stored_as_the_definition_the_jam_keeps(writer, tmp_path):
    """The host asks Q1, then posts "Q1" again as a reminder: the jam keeps the
    first (it asks something, see jam._prefer), and so does the questions row,
    its text and its post together."""
    sid = new_session(writer)
    asked = make_post(1, "Q1: What is a jam? #socbizchat", handle="host")
    reminder = make_post(5, "Q1 is still open, keep answering #socbizchat", handle="host")
    writer.ingest(sid, Parsed(posts=[asked])).result()
    writer.ingest(sid, Parsed(posts=[reminder])).result()
    conn = sqlite3.connect(tmp_path / "library.db")
    assert conn.execute(
        "SELECT q.number, q.text, p.network_id FROM questions q JOIN posts p ON p.id = q.post_id"
    ).fetchall() == [(1, "What is a jam?", asked.id)]


def test_two_copies_of_a_post_in_one_batch_store_the_last_one_everywhere(writer, tmp_path):
    """A batch may hold a post twice (the same status from two instances, a
    retweeted original in two lines): the last copy wins in posts and in the
    session's membership row alike, whose time orders the deck."""
    sid = new_session(writer)
    first = make_post(1, "A1 first sight")
    last = dataclasses.replace(first, created_at=first.created_at.replace(microsecond=865000))
    result = writer.ingest(sid, Parsed(posts=[first, last])).result()
    assert [r.created_at for r in result.added] == [last.created_at.timestamp()]
    conn = open_library(tmp_path / "library.db")
    assert conn.execute(
        "SELECT p.created_at, sp.created_at FROM posts p JOIN session_posts sp ON sp.post_id = p.id"
    ).fetchall() == [(last.created_at.timestamp(), last.created_at.timestamp())]


def test_a_batch_that_fails_leaves_nothing_and_the_next_one_goes_on(writer, tmp_path):
    """Ingestor.write rolls its own savepoint back on any failure: no row of the
    failed batch stays, and its caches (ids, authors, jam) match the database."""
    sid = new_session(writer)
    writer.ingest(
        sid, Parsed(posts=[make_post(1, "Q1: first? #socbizchat", handle="host")])
    ).result()

    def fail_midway(ctx):
        ingestor = ctx.ingestor
        ingestor.conn.execute("CREATE TEMP TRIGGER boom BEFORE INSERT ON session_posts "
                              "BEGIN SELECT RAISE(ABORT, 'disk trouble'); END")  # fmt: skip
        try:
            with pytest.raises(sqlite3.IntegrityError):
                ingestor.write(sid, Parsed(posts=[make_post(2, "Q2: second?", handle="host")]))
        finally:
            ingestor.conn.execute("DROP TRIGGER boom")
        # The same Ingestor goes on: the failed batch left no post, no author, no question.
        return ingestor.write(sid, Parsed(posts=[make_post(3, "A1: an answer", handle="ann")]))

    result = writer.call(fail_midway)
    assert [(r.rowid, r.question) for r in result.added] == [(2, 1)]
    conn = sqlite3.connect(tmp_path / "library.db")
    assert conn.execute("SELECT network_id FROM posts ORDER BY id").fetchall() == [
        ("1001",),
        ("1003",),
    ]
    assert conn.execute("SELECT number FROM questions").fetchall() == [(1,)]


def test_a_batch_whose_whole_transaction_sqlite_rolled_back_reports_its_own_error(writer):
    """A full disk or an I/O error makes SQLite roll the whole transaction back
    by itself: the caller hears that error (not a failed ROLLBACK's), and the
    next batch starts from what the library holds."""
    sid = new_session(writer)
    writer.ingest(
        sid, Parsed(posts=[make_post(1, "Q1: first? #socbizchat", handle="host")])
    ).result()

    def fail_whole_transaction(ctx):
        ctx.conn.execute("CREATE TEMP TRIGGER boom BEFORE INSERT ON session_posts "
                         "BEGIN SELECT RAISE(ROLLBACK, 'disk trouble'); END")  # fmt: skip
        return ctx.ingestor.write(sid, Parsed(posts=[make_post(2, "A1: lost", handle="ann")]))

    with pytest.raises(sqlite3.IntegrityError, match="disk trouble"):
        writer.call(fail_whole_transaction)
    result = writer.ingest(sid, Parsed(posts=[make_post(3, "A1: kept", handle="bo")])).result()
    assert [(r.rowid, r.question) for r in result.added] == [(2, 1)]


def test_a_lone_surrogate_costs_one_character_not_the_batch(writer, tmp_path):
    """JSON may carry half an emoji ("\\ud83d", text cut at 140 UTF-16 units);
    the json module passes it through, UTF-8 cannot store it. The batch is
    written with U+FFFD in its place, the jam's questions included."""
    sid = new_session(writer)
    question = make_post(1, "Q1: what now? \ud83d", handle="host")
    broken = make_post(2, "A1: half an emoji \ud83d #socbizchat", handle="ann")
    broken = dataclasses.replace(
        broken,
        author=dataclasses.replace(broken.author, display_name="Ann \udc00"),
        raw={"text": "A1: half an emoji \ud83d"},
    )
    fine = make_post(3, "A1: all good #socbizchat", handle="bo")
    result = writer.ingest(sid, Parsed(posts=[question, broken, fine])).result()
    assert [(r.text, r.question) for r in result.added] == [
        ("Q1: what now? \ufffd", 1),
        ("A1: half an emoji \ufffd #socbizchat", 1),
        ("A1: all good #socbizchat", 1),
    ]
    conn = sqlite3.connect(tmp_path / "library.db")
    assert conn.execute("SELECT text FROM posts ORDER BY id").fetchall() == [
        ("Q1: what now? \ufffd",),
        ("A1: half an emoji \ufffd #socbizchat",),
        ("A1: all good #socbizchat",),
    ]
    assert conn.execute("SELECT display_name FROM authors WHERE handle = 'ann'").fetchone() == (
        "Ann \ufffd",
    )
    assert conn.execute("SELECT number, text FROM questions").fetchall() == [
        (1, "what now? \ufffd")
    ]
    assert conn.execute("SELECT count(*) FROM session_posts").fetchone() == (3,)
    # The next batch goes on from the rewritten one (the caches were rebuilt).
    later = writer.ingest(sid, Parsed(posts=[make_post(4, "A1: later", handle="cy")])).result()
    assert [(r.rowid, r.question) for r in later.added] == [(4, 1)]
    # Edited later, the rewritten post leaves none of its old words behind:
    # it was indexed as it is stored (see fulltext.stored_row).
    fixed = dataclasses.replace(broken, text="A1: fixed", hashtags=(), raw={"text": "A1: fixed"})
    writer.ingest(sid, Parsed(posts=[fixed])).result()
    assert index_words(tmp_path / "library.db", 2) == [
        ("authors", "ann"),
        ("text", "a1"),
        ("text", "fixed"),
    ]


@pytest.mark.parametrize("how", ["a new writer", "a rewritten batch"])
def test_a_reply_finds_its_mastodon_question_by_id_after_the_jam_is_rebuilt(tmp_path, how):
    """A Mastodon reply names its question by the instance's id, not the key
    (the URI). The jam learns both live; rebuilt from the library (a restart,
    or the caches dropped to rewrite a batch) it must know both again."""
    path = tmp_path / "library.db"
    question = dataclasses.replace(
        make_post(1, "Q1: what now?", handle="host", network=Network.MASTODON),
        uri="https://m.example/statuses/q1",
    )
    chat = make_post(2, "chat", handle="ann", network=Network.MASTODON)
    if how == "a rewritten batch":
        chat = dataclasses.replace(chat, text="chat \ud83d")
    # Outside the question's time window: only the reply link can assign it.
    reply = make_post(
        3, "totally agree", handle="bo", network=Network.MASTODON, minutes=200,
        kind=Kind.REPLY, reply_to_id=question.id,
    )  # fmt: skip
    writer = StoreWriter(path)
    try:
        sid = new_session(writer)
        writer.ingest(sid, Parsed(posts=[question])).result()
        if how == "a new writer":
            writer.close()
            writer = StoreWriter(path)
        writer.ingest(sid, Parsed(posts=[chat])).result()
        result = writer.ingest(sid, Parsed(posts=[reply])).result()
    finally:
        writer.close()
    assert [(r.question, r.question_source) for r in result.added] == [(1, "reply")]


def test_referenced_posts_are_stored_but_not_members(writer):
    sid = new_session(writer)
    original = make_post(1, "A2: listen first", handle="bob")
    rt = make_post(2, "A2: listen first", kind=Kind.RETWEET, retweeted_id=original.id)
    writer.ingest(sid, Parsed(posts=[rt], referenced=[original])).result()
    session = writer.call(lambda ctx: library.get_session(ctx.conn, sid), notify=False)
    assert session.posts == 1


def test_host_questions_answers_and_retweets_get_their_question(writer, tmp_path):
    sid = new_session(writer)
    q1 = make_post(1, "Q1: What is a jam? #socbizchat", handle="Host")
    a1 = make_post(2, "A1: a chat on a hashtag #socbizchat", handle="ann")
    reply = make_post(
        3, "a chat with friends", handle="bo", reply_to_id=q1.id, reply_to_handle="host"
    )
    late = make_post(4, "just arrived, hi all", handle="cy")
    rt = make_post(
        5, "A1: a chat on a hashtag", handle="dee", kind=Kind.RETWEET, retweeted_id=a1.id
    )
    result = writer.ingest(sid, Parsed(posts=[q1, a1, reply, late, rt], referenced=[a1])).result()
    facts = {
        r.rowid: (r.question, r.question_source, r.is_question, r.is_host) for r in result.added
    }
    ids = [r.rowid for r in result.added]
    assert [facts[i] for i in ids] == [
        (1, "label", True, True),
        (1, "label", False, False),
        (1, "reply", False, False),
        (1, "time", False, False),
        (1, "label", False, False),
    ]
    conn = sqlite3.connect(tmp_path / "library.db")
    assert conn.execute("SELECT number, text FROM questions").fetchall() == [(1, "What is a jam?")]


def test_a_late_question_reinfers_time_assignments(writer):
    sid = new_session(writer)
    q1 = make_post(1, "Q1: first?", handle="host")
    chat = make_post(12, "no label here", handle="ann")
    writer.ingest(sid, Parsed(posts=[q1, chat])).result()
    # Q2 (asked at minute 10) arrives late, by backfill.
    q2 = make_post(10, "Q2: second?", handle="host")
    result = writer.ingest(sid, Parsed(posts=[q2])).result()
    chat_row = next(iter(result.reassigned))
    assert result.reassigned == {chat_row: 2}


def test_manual_assignment_survives_reinference(writer, tmp_path):
    sid = new_session(writer)
    q1 = make_post(1, "Q1: first?", handle="host")
    chat = make_post(12, "no label here", handle="ann")
    added = writer.ingest(sid, Parsed(posts=[q1, chat])).result().added
    writer.call(lambda ctx: library.assign_question(ctx.conn, sid, added[1].rowid, 1))
    writer.ingest(sid, Parsed(posts=[make_post(10, "Q2: second?", handle="host")])).result()
    conn = open_library(tmp_path / "library.db")
    view = library.post_views(conn, sid, [added[1].rowid])[added[1].rowid]
    assert (view.question, view.question_source) == (1, "manual")


def test_the_log_is_copied_into_the_database_by_the_background_checkpoint(tmp_path):
    """In WAL mode new pages live in the -wal file until a checkpoint copies them
    into the database file. The writer's own automatic checkpoint waits for
    40 MB of log (counted in pages of the file's size); a few MB of posts reach
    the database file only if the background checkpointer runs."""
    from desktop.store.writer import Checkpointer

    path = tmp_path / "library.db"
    with StoreWriter(path) as writer:
        sid = new_session(writer)
        before = path.stat().st_size
        posts = [make_post(n, f"A1 answer {n} " + "word " * 40) for n in range(3000)]
        writer.ingest(sid, Parsed(posts=posts)).result()
        assert Checkpointer.EVERY_CHANGES <= 3000 * 3  # posts, FTS and member rows
        wait_until(lambda: path.stat().st_size > before + 1_000_000, "the checkpoint")
        backstop = writer.call(
            lambda ctx: ctx.conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0], notify=False
        )
        assert backstop * PAGE_SIZE == Checkpointer.WRITER_BACKSTOP_BYTES == 40 << 20


def test_on_commit_reports_after_the_data_is_readable(tmp_path):
    seen = []
    done = threading.Event()
    path = tmp_path / "library.db"

    def on_commit(result):
        if hasattr(result, "added"):
            reader = open_library(path)
            seen.append(reader.execute("SELECT count(*) FROM session_posts").fetchone()[0])
            reader.close()
            done.set()

    with StoreWriter(path, on_commit=on_commit) as w:
        sid = w.call(lambda ctx: library.create_session(ctx.conn, "jam"))
        w.ingest(sid, Parsed(posts=[make_post(i) for i in range(5)]))
        assert done.wait(10)
    assert seen == [5]


def test_a_failing_operation_rolls_back_and_the_writer_goes_on(writer, tmp_path):
    sid = new_session(writer)

    def bad(ctx):
        ctx.conn.execute("INSERT INTO columns (session_id, name) VALUES (?, 'x')", (sid,))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        writer.call(bad)
    writer.ingest(sid, Parsed(posts=[make_post(1)])).result()
    conn = sqlite3.connect(tmp_path / "library.db")
    assert conn.execute("SELECT count(*) FROM columns").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 1


def test_column_pages_are_newest_first_and_keyset_paged(writer, tmp_path):
    sid = new_session(writer)
    writer.ingest(sid, Parsed(posts=[make_post(i) for i in range(10)])).result()
    conn = open_library(tmp_path / "library.db")
    first = library.column_page(conn, sid, limit=4)
    second = library.column_page(conn, sid, limit=4, before=(first[-1][1], first[-1][0]))
    times = [t for _, t in first + second]
    assert times == sorted(times, reverse=True) and len(set(first + second)) == 8


def test_a_reply_that_arrived_before_its_question_becomes_a_reply(writer):
    sid = new_session(writer)
    writer.ingest(sid, Parsed(posts=[make_post(1, "Q1: first?", handle="host")])).result()
    q2 = make_post(10, "Q2: second?", handle="host")
    early = make_post(5, "yes, absolutely", handle="ann", reply_to_id=q2.id, reply_to_handle="host")
    first = writer.ingest(sid, Parsed(posts=[early])).result()
    assert (first.added[0].question, first.added[0].question_source) == (1, "time")
    result = writer.ingest(sid, Parsed(posts=[q2])).result()
    assert result.reassigned == {first.added[0].rowid: 2}
