"""A big import at full speed reads in a worker process (desktop.app.import_pipeline):
the library it leaves, the records the columns see and the skipped lines are exactly
those of the in-process import; a stop ends the worker; the worker is the program
itself started again, frozen or not."""

from __future__ import annotations

import dataclasses
import gc
import logging
import os
import shutil
import sqlite3
import sys
import threading

import pytest

from desktop.app import import_worker
from desktop.app.demo import demo_archive_path
from desktop.app.import_pipeline import MIN_BYTES, PipelineError, WorkerPipeline, import_source
from desktop.app.recording import RecordingSink
from desktop.core.router import Router
from desktop.sources.replay import ReplaySource
from desktop.store import library
from desktop.store.db import open_library
from desktop.store.writer import StoreWriter
from tests.fakes.archive import write_archive

# Row ids depend on how the posts were cut into batches: rows are compared by
# their natural keys. first_seen / updated_at are wall-clock times of the import.
_POST = "p.network, p.key, p.network_id, " + ", ".join(
    f"p.{c}"
    for c in (
        "author_handle author_keys text created_at lang kind retweeted_key quoted_key "
        "reply_to_key reply_to_keys has_media has_links retweets likes replies quotes url "
        "entities edited_at raw"
    ).split()
)
TABLES = {
    "authors": "SELECT network, author_id, handle, display_name, avatar_url FROM authors",
    "posts": f"SELECT {_POST}, a.author_id FROM posts p JOIN authors a ON a.id = p.author_rowid",
    "session_posts": "SELECT p.network, p.key, sp.created_at, sp.question, sp.question_source, "
    "sp.is_question, sp.is_host FROM session_posts sp JOIN posts p ON p.id = sp.post_id",
    "questions": "SELECT q.number, q.text, q.asked_at, p.key FROM questions q "
    "JOIN posts p ON p.id = q.post_id",
    # The full-text index itself, word by word (it keeps no copy of the rows).
    "fts": "SELECT p.network, p.key, v.col, v.offset, v.term FROM temp.fts_words v "
    "JOIN posts p ON p.id = v.doc",
}
FTS_WORDS = "CREATE VIRTUAL TABLE temp.fts_words USING fts5vocab(main, posts_fts, instance)"


@pytest.fixture
def archives(tmp_path, payloads):
    """The demo jam with a broken line in the middle, and Mastodon statuses (generated,
    then recorded)."""
    demo = tmp_path / "demo.jsonl"
    lines = demo_archive_path().read_text(encoding="utf-8").splitlines(keepends=True)
    demo.write_text("".join(lines[:300]) + "{not json\n" + "".join(lines[300:]), encoding="utf-8")
    mastodon = sorted((payloads / "mastodon").rglob("*.json"))[:3]
    copies = []
    for i, path in enumerate(mastodon):
        copies.append(tmp_path / f"m{i}_{path.name}")
        shutil.copy(path, copies[-1])
    return [demo, *copies]


def import_into(db, paths, *, pipeline: bool):
    # One batch per document on both sides: what a batch holds decides which copy
    # of a post received twice in it wins (the primary), whatever the path.
    worker = WorkerPipeline(min_bytes=0 if pipeline else 10**15, chunk=1)
    conn = open_library(db)
    sid = library.create_session(
        conn, "jam", hashtags=["jamdeckdemo"], hosts=["mira_builds", "teo_cx"]
    )
    conn.close()
    router = Router()
    for n, expression in enumerate(["", "is:question", "q:2", "#jamdeckdemo -is:retweet"]):
        router.set_column(n, expression, now=0)
    added, routed = [], []

    def on_commit(result):
        # By post, not row id (see TABLES).
        added.extend((r.created_at, r.text, dataclasses.astuple(r)[2:]) for r in result.added)
        routed.append({c: len(ids) for c, ids in router.route(result.added).items()})

    source = ReplaySource(paths, speed=0, batch_size=1, pipeline=worker)
    with StoreWriter(db, on_commit=on_commit) as writer:
        sink = RecordingSink(writer, sid)
        source.run(sink, threading.Event())
        sink.wait()
    conn = sqlite3.connect(db)
    conn.execute(FTS_WORDS)
    tables = {name: sorted(conn.execute(sql).fetchall(), key=repr) for name, sql in TABLES.items()}
    conn.close()
    return source, sink, tables, added, routed


def test_the_worker_import_stores_and_routes_exactly_what_the_in_process_one_does(
    tmp_path, archives
):
    a_source, a_sink, a_tables, a_added, a_routed = import_into(
        tmp_path / "a.db", archives, pipeline=False
    )
    b_source, b_sink, b_tables, b_added, b_routed = import_into(
        tmp_path / "b.db", archives, pipeline=True
    )
    assert len(a_tables["session_posts"]) > 600
    assert a_tables["questions"]
    for name in TABLES:
        assert b_tables[name] == a_tables[name], name
    assert sorted(b_added) == sorted(a_added)
    total = lambda routed: {c: sum(r.get(c, 0) for r in routed) for c in range(4)}  # noqa: E731
    assert total(b_routed) == total(a_routed)
    assert (
        b_source.stats.skipped
        == a_source.stats.skipped
        == [
            (
                "demo.jsonl:301",
                "not valid JSON: Expecting property name enclosed in double quotes (column 2)",
            )
        ]
    )
    assert (b_source.stats.lines, b_source.stats.posts, b_source.stats.referenced) == (
        a_source.stats.lines,
        a_source.stats.posts,
        a_source.stats.referenced,
    )
    assert b_sink.counts.added == a_sink.counts.added


class RecordedWorkers(WorkerPipeline):
    """The pipeline, keeping the worker processes it started."""

    def __init__(self, **options) -> None:
        super().__init__(**options)
        object.__setattr__(self, "started", [])  # a frozen dataclass's own list

    def start_worker(self, paths):
        process = super().start_worker(paths)
        self.started.append(process)
        return process


def new_library(db):
    conn = open_library(db)
    sid = library.create_session(
        conn, "jam", hashtags=["jamdeckdemo"], hosts=["mira_builds", "teo_cx"]
    )
    conn.close()
    return sid


def test_a_stop_ends_the_worker_and_keeps_what_was_written(tmp_path, archives):
    db = tmp_path / "stop.db"
    sid = new_library(db)
    stop = threading.Event()

    class StoppingSink(RecordingSink):
        def on_posts(self, source, parsed):
            super().on_posts(source, parsed)
            stop.set()  # Ctrl-C after the first batch

    pipeline = RecordedWorkers(min_bytes=0, chunk=50)
    source = ReplaySource(archives, speed=0, pipeline=pipeline)
    with StoreWriter(db) as writer:
        sink = StoppingSink(writer, sid)
        source.run(sink, stop)
        sink.wait()
    (process,) = pipeline.started
    assert process.returncode is not None  # reaped, not left running
    assert 50 <= sink.counts.added < 600
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT count(*) FROM session_posts").fetchone()[0] == sink.counts.added
    conn.close()


def test_a_worker_that_dies_is_reported_as_the_source_failing(tmp_path, archives):
    class DyingWorkers(WorkerPipeline):
        def start_worker(self, paths):
            process = super().start_worker(paths)
            process.kill()
            return process

    db = tmp_path / "dies.db"
    sid = new_library(db)
    source = ReplaySource(archives, speed=0, pipeline=DyingWorkers(min_bytes=0))
    with StoreWriter(db) as writer, pytest.raises(PipelineError, match="ended unexpectedly"):
        source.run(RecordingSink(writer, sid), threading.Event())


@pytest.mark.skipif(sys.platform == "win32", reason="a shell script stands for the frozen app")
def test_the_frozen_app_runs_the_same_worker_through_its_own_executable(
    tmp_path, archives, monkeypatch
):
    """PyInstaller's executable runs desktop/__main__.py with the app's own
    arguments: the worker is that executable with the hidden argument first.
    Here a script that runs desktop/__main__.py the same way stands for it."""
    frozen_app = tmp_path / "jamdeck"
    frozen_app.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m desktop "$@"\n')
    frozen_app.chmod(0o755)
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(frozen_app))
    assert import_worker.command(7, ["a.jsonl"]) == [
        str(frozen_app),
        import_worker.WORKER_ARGUMENT,
        "7",
        "a.jsonl",
    ]
    # The frozen app finds its modules itself: no PYTHONPATH is added for it
    # (the test's own, if any, lets the stand-in find this checkout).
    assert import_worker.environment().get("PYTHONPATH") == os.environ.get("PYTHONPATH")

    db = tmp_path / "frozen.db"
    sid = new_library(db)
    pipeline = RecordedWorkers(min_bytes=0)
    source = ReplaySource(archives, speed=0, pipeline=pipeline)
    with StoreWriter(db) as writer:
        sink = RecordingSink(writer, sid)
        source.run(sink, threading.Event())
        sink.wait()
    (process,) = pipeline.started
    assert process.args[:2] == [str(frozen_app), import_worker.WORKER_ARGUMENT]
    assert process.returncode == 0
    assert sink.counts.added > 600
    assert [where for where, _reason in source.stats.skipped] == ["demo.jsonl:301"]


def test_every_import_plays_big_files_through_the_worker(tmp_path, caplog):
    """The CLI's import, the window's and the benchmark take ``import_source``:
    full speed, and a file of ``MIN_BYTES`` or more is read by the worker."""
    archive = write_archive(tmp_path / "big.jsonl", 8000)
    assert archive.stat().st_size >= MIN_BYTES
    db = tmp_path / "big.db"
    sid = new_library(db)
    progress = []
    collector = (gc.get_threshold(), gc.get_freeze_count())
    during = []

    class WatchingSink(RecordingSink):
        def on_posts(self, source, parsed):
            during.append((gc.get_threshold(), gc.get_freeze_count()))
            super().on_posts(source, parsed)

    source = import_source([archive], on_progress=lambda path, done: progress.append(done))
    with caplog.at_level(logging.INFO, logger="jamdeck.ingest"), StoreWriter(db) as writer:
        sink = WatchingSink(writer, sid)
        source.run(sink, threading.Event())
        sink.wait()
    assert any("import worker" in r.getMessage() for r in caplog.records)
    # The import leaves the process's garbage collector alone (the window's
    # thread shares it).
    assert during and set(during) == {collector}
    assert sink.counts.added == source.stats.posts == 8000
    assert progress[-1] == archive.stat().st_size


def test_small_files_stdin_and_paced_replays_stay_in_process(tmp_path):
    small = tmp_path / "small.jsonl"
    small.write_text("{}\n")
    pipeline = WorkerPipeline()
    assert not pipeline.usable([small], speed=0)
    assert not pipeline.usable(["-"], speed=0)
    assert not pipeline.usable([demo_archive_path()], speed=1)
    assert not pipeline.usable([tmp_path / "missing.jsonl"], speed=0)


def test_the_record_rebuilt_from_the_encoded_columns_is_the_posts_record(payloads):
    """The writer builds records from ``encode_post``'s strings (both in-process and
    from the worker's rows): for every post of every fixture, that record is the one
    ``record_for`` makes from the post itself, so the columns' predicates see the same.
    And every post's wire row survives ``marshal`` (plain built-in types only)."""
    import marshal

    from desktop.store.ingest import encode_post, post_fields, prepared_from, record_of
    from tests.fakes.fixtures import recorded_posts
    from tests.fakes.records import record_for

    checked = 0
    for post in recorded_posts([demo_archive_path(), *sorted(payloads.rglob("*.json*"))]):
        columns, fts, _answer = encode_post(post)
        assert record_of(post.network.value, columns, fts) == record_for(post), post.key
        fields = post_fields(post)
        assert marshal.loads(marshal.dumps(fields)) == fields, post.key
        assert prepared_from(fields).record == record_for(post), post.key
        checked += 1
    assert checked > 600
