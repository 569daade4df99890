"""The store writer: one thread owns the one writable connection.

Everything that writes (ingest batches, actions, quote-list edits, sessions,
columns) is submitted as an operation ``fn(ctx) -> result`` and runs on the
writer thread in its own transaction. ``submit`` returns a Future; when the
transaction has committed, ``on_commit(result)`` is called on the writer
thread (the GUI turns that into one queued Qt signal). So what the user sees
is what is on disk.

``StoreWriter(..., threaded=False)`` runs operations inline: the synchronous
executor tests and the CLI's simple paths use.
"""

from __future__ import annotations

import concurrent.futures
import logging
import queue
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from desktop.core.normalize import Parsed
from desktop.store.db import StoreError, connect, open_library, store_error
from desktop.store.ingest import Ingestor, IngestResult, PackedBatch, PreparedBatch, prepare

log = logging.getLogger("jamdeck.store.writer")

T = TypeVar("T")

_STOP = object()


# How long the writer waits for another process's write to end (``jamdeck
# import`` while the window records: each holds the lock for one batch at a
# time) before an operation fails with "database is locked".
BUSY_TIMEOUT_MS = 60_000


class WriterContext:
    """What an operation gets: the connection and the writer-side caches."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        self.ingestor = Ingestor(conn)


class Checkpointer:
    """Copies the write-ahead log into the database on a thread of its own.

    SQLite's automatic checkpoint runs inside the COMMIT that crosses its
    threshold, on the writer thread: in a big import that was about 60% of the
    time spent committing (3.5 us of a post's ~45). A PASSIVE checkpoint on a
    second connection copies the same pages without blocking the writer, which
    goes on writing meanwhile. The writer's own automatic checkpoint stays on,
    at a higher threshold, in case this thread ever falls behind.
    """

    # Rows changed since the last request before another is worth a checkpoint
    # (a live jam gets there every minute or so, an import every batch).
    EVERY_CHANGES = 2000
    WRITER_BACKSTOP_BYTES = 40 << 20  # this much log and the writer checkpoints itself

    def __init__(self, path: Path) -> None:
        self._conn = connect(path)
        self._wanted = threading.Event()
        self._stop = False
        self._thread = threading.Thread(target=self._loop, name="jamdeck-store-checkpoint")
        self._thread.start()

    def request(self) -> None:
        self._wanted.set()

    def close(self) -> None:
        self._stop = True
        self._wanted.set()
        self._thread.join()
        self._conn.close()

    def _loop(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._stop:
                return
            try:
                self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:  # busy, or the disk: the writer's backstop covers it
                log.warning("background checkpoint failed", exc_info=True)


class StoreWriter:
    def __init__(
        self,
        path: Path | str,
        *,
        on_commit: Callable[[Any], None] | None = None,
        threaded: bool = True,
    ) -> None:
        self.path = Path(path)
        self._on_commit = on_commit
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._closed = False
        self._ctx: WriterContext | None = None
        self._ready = threading.Event()
        self._open_error: BaseException | None = None
        self._checkpointer: Checkpointer | None = None
        self._changes_at_checkpoint = 0
        if threaded:
            self._thread = threading.Thread(target=self._loop, name="jamdeck-store-writer")
            self._thread.start()
            self._ready.wait()
            if self._open_error is not None:
                self._thread.join()
                raise self._open_error
        else:
            self._thread = None
            conn = open_library(self.path)
            try:
                self._ctx = WriterContext(conn)
            except sqlite3.Error as exc:
                conn.close()
                raise store_error(self.path, exc) or exc from None

    # ------------------------------------------------------------------ API
    def submit(
        self, fn: Callable[[WriterContext], T], *, notify: bool = True
    ) -> concurrent.futures.Future[T]:
        """Run ``fn(ctx)`` in a transaction on the writer; ``notify`` reports the
        result through ``on_commit`` once committed."""
        if self._closed:
            raise RuntimeError("the store writer is closed")
        future: concurrent.futures.Future[T] = concurrent.futures.Future()
        if self._thread is None:
            self._run(fn, future, notify)
        else:
            self._queue.put((fn, future, notify))
        return future

    def ingest(
        self, session_id: int, parsed: Parsed | PreparedBatch | PackedBatch
    ) -> concurrent.futures.Future[IngestResult]:
        # Tokenizing and JSON encoding need no database: done here, on the
        # submitting (source) thread, the writer thread only writes. A big
        # import hands in batches its worker process prepared, still packed.
        batch = prepare(parsed) if isinstance(parsed, Parsed) else parsed
        return self.submit(lambda ctx: ctx.ingestor.write(session_id, batch))

    def call(
        self, fn: Callable[[WriterContext], T], *, notify: bool = True, timeout: float | None = 30
    ) -> T:
        """Submit and wait for the result (raises what ``fn`` raised)."""
        return self.submit(fn, notify=notify).result(timeout=timeout)

    def close(self) -> None:
        """Finish every queued operation, then close the connection."""
        if self._closed:
            return
        self._closed = True
        if self._thread is not None:
            self._queue.put(_STOP)
            self._thread.join()
        elif self._ctx is not None:
            self._ctx.conn.close()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ internals
    def _loop(self) -> None:
        try:
            self._ctx = WriterContext(open_library(self.path))
            # wal_autocheckpoint counts pages, whose size is the file's own.
            page_size = self._ctx.conn.execute("PRAGMA page_size").fetchone()[0]
            self._ctx.conn.execute(
                f"PRAGMA wal_autocheckpoint = {Checkpointer.WRITER_BACKSTOP_BYTES // page_size}"
            )
            self._checkpointer = Checkpointer(self.path)
        except BaseException as exc:  # reported to the constructor's caller
            if self._ctx is not None:
                self._ctx.conn.close()
            self._open_error = store_error(self.path, exc) or exc
            self._ready.set()
            return
        self._ready.set()
        try:
            while True:
                item = self._queue.get()
                if item is _STOP:
                    break
                fn, future, notify = item
                self._run(fn, future, notify)
        finally:
            self._checkpointer.close()
            self._ctx.conn.close()

    def _run(self, fn, future: concurrent.futures.Future, notify: bool) -> None:
        if not future.set_running_or_notify_cancel():
            return
        conn = self._ctx.conn
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                result = fn(self._ctx)
                conn.execute("COMMIT")
                if (
                    self._checkpointer is not None
                    and conn.total_changes - self._changes_at_checkpoint
                    >= Checkpointer.EVERY_CHANGES
                ):
                    self._changes_at_checkpoint = conn.total_changes
                    self._checkpointer.request()
            except BaseException:
                if conn.in_transaction:  # SQLite may have rolled back itself (a full disk)
                    conn.execute("ROLLBACK")
                # Caches may now hold ids from the rolled-back transaction.
                self._ctx.ingestor = Ingestor(conn)
                raise
        except BaseException as exc:
            # A full disk, a damaged or read-only file: one line, not a traceback
            # per batch (the recording stops at the first, see RecordingSink).
            exc = store_error(self.path, exc) or exc
            if isinstance(exc, StoreError):
                log.error("%s", exc)
            else:
                log.exception("store operation failed")
            future.set_exception(exc)
            return
        future.set_result(result)
        if notify and self._on_commit is not None and result is not None:
            try:
                self._on_commit(result)
            except Exception:  # a listener's bug must not stop the writer
                log.exception("on_commit listener failed")
