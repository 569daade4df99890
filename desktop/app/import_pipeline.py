"""Full-speed import of big archive files, read in a second process.

An import is CPU-bound in Python: reading JSON, normalizing and preparing rows
(tokens, JSON columns) cost about as much as the writes, and threads share one
interpreter lock. So for a big file at ``speed=0`` the reading side runs in a
worker process (``desktop.app.import_worker``: this program started again, the
frozen app's executable as well as ``python -m desktop``; not a fork, which is
unsafe in a process running threads), which streams compact prepared rows back
through a pipe; this process only assigns jam facts, writes and routes.

The rows are plain tuples of strings and numbers: the fields of a
``desktop.store.ingest.PreparedPost`` (the posts-table values and FTS row
``encode_post`` made, the author, the answer label) without its record. A batch
travels marshalled (``WireBatch``) to the store's writer thread, which turns
each row back into a ``PreparedPost`` (``prepared_from``: the record rebuilt
from the columns instead of tokenizing twice, no ``Post`` at all). So this
process runs Python on one thread only; the thread that receives sleeps in the
pipe read (reviving there made the two threads trade the interpreter lock: 10
to 20% more CPU time per post in our runs).

``import_source`` is what every import plays (the CLI's, the window's, the
benchmark's): one path, whichever program runs it.
"""

from __future__ import annotations

import dataclasses
import logging
import marshal
import os
import subprocess
import threading
from collections.abc import Callable
from pathlib import Path
from typing import IO

from desktop.app import import_worker
from desktop.sources.base import SourceSink
from desktop.sources.replay import ReplaySource
from desktop.store.ingest import PreparedBatch, batch_from_fields

log = logging.getLogger("jamdeck.ingest")

# Below this many bytes of archive the worker's start (about 0.1 s of imports)
# costs more than it saves: such files are read in-process.
MIN_BYTES = 4_000_000
# Posts per message and per write transaction: bigger batches commit less often
# (a commit flushes FTS segments), and at most one batch is lost to a kill.
CHUNK = 2000
# A batch message is about 1 KB per post.
PIPE_BYTES = 1 << 20


class PipelineError(RuntimeError):
    """The worker process died without finishing (it is reported like a source failure)."""


@dataclasses.dataclass(slots=True)
class WireBatch:
    """One batch of rows as the worker serialized them (``import_worker.batch_message``):
    a ``desktop.store.ingest.PackedBatch`` the store's writer thread loads."""

    payload: bytes  # marshal of (posts rows, referenced rows)

    def unpack(self) -> PreparedBatch:
        return batch_from_fields(*marshal.loads(self.payload))


@dataclasses.dataclass(frozen=True, slots=True)
class WorkerPipeline:
    """Plays a ``ReplaySource``'s files through a worker process (its ``pipeline``)."""

    min_bytes: int = MIN_BYTES
    chunk: int = CHUNK

    def usable(self, paths: list[Path | str], *, speed: float) -> bool:
        """True when the worker pays off: full speed, only regular files, enough bytes."""
        if speed != 0 or not paths or any(str(p) == "-" for p in paths):
            return False
        try:
            return sum(os.stat(p).st_size for p in paths) >= self.min_bytes
        except OSError:
            return False  # the in-process path reports the unreadable file

    def start_worker(self, paths: list[str]) -> subprocess.Popen:
        """The worker for ``paths``, its standard output a pipe to this process.

        A plain subprocess rather than ``multiprocessing``: its spawn re-runs the
        parent's main script, which breaks any caller without a main guard. Its
        own session keeps the terminal's Ctrl-C away from it (the parent stops it)."""
        process = subprocess.Popen(
            import_worker.command(self.chunk, paths),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            env=import_worker.environment(),
            start_new_session=True,
        )
        _widen(process.stdout.fileno())
        log.info("import worker %d started for %d files", process.pid, len(paths))
        return process

    def run(
        self,
        source: ReplaySource,
        sink: SourceSink,
        stop: threading.Event,
        *,
        on_progress: Callable[[Path | str, int], None] | None = None,
    ) -> None:
        """Play ``source.paths`` into ``sink`` (the source sends CONNECTED and FINISHED)."""
        process = self.start_worker([str(p) for p in source.paths])
        finished = threading.Event()
        watcher = threading.Thread(
            target=_kill_on_stop,
            args=(process, stop, finished),
            name="jamdeck-import-stop",
            daemon=True,
        )
        watcher.start()
        try:
            if not _receive(process.stdout, source, sink, stop, on_progress):
                process.wait()
                raise PipelineError(
                    f"the import worker ended unexpectedly (exit code {process.returncode})"
                )
        finally:
            finished.set()
            watcher.join()
            process.stdout.close()
            if stop.is_set():
                process.kill()  # stopped mid-file: nothing it still reads is wanted
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def import_source(
    paths: list[str | Path],
    *,
    on_progress: Callable[[Path | str, int], None] | None = None,
    pipeline: WorkerPipeline | None = None,
) -> ReplaySource:
    """The source of an import: ``paths`` at full speed, big files read by the
    worker. The CLI's ``import``, the window's Import and the benchmark all play
    this, in the frozen app as from a checkout."""
    return ReplaySource(
        paths, speed=0, on_progress=on_progress, pipeline=pipeline or WorkerPipeline()
    )


def _receive(
    stream: IO[bytes],
    source: ReplaySource,
    sink: SourceSink,
    stop: threading.Event,
    on_progress: Callable[[Path | str, int], None] | None,
) -> bool:
    """Hand the worker's messages (``import_worker.work``) on until its ``done``
    or a stop (True), or until the pipe ends or holds garbage first (False)."""
    stats = source.stats
    while not stop.is_set():
        try:
            message = marshal.load(stream)
        except (EOFError, ValueError):
            return stop.is_set()  # a stop kills the worker, maybe mid-message
        kind = message[0]
        if kind == "batch":
            _, payload, posts, referenced, lines = message
            stats.lines += lines
            stats.posts += posts
            stats.referenced += referenced
            if posts or referenced:
                sink.on_posts(source, WireBatch(payload))
        elif kind == "skipped":
            stats.skipped.append((message[1], message[2]))
            sink.on_skipped(source, message[1], message[2])
        elif kind == "header":
            source.header = source.header or message[1]
        elif kind == "progress":
            if on_progress is not None:
                on_progress(source.paths[message[1]], message[2])
        elif kind == "done":
            return True
    return True


def _kill_on_stop(
    process: subprocess.Popen, stop: threading.Event, finished: threading.Event
) -> None:
    """End the worker when ``stop`` is set. The receiving thread sleeps in the
    pipe read (a wait on a pipe alone works on every system), and a dead
    worker's pipe ends that read."""
    while not finished.is_set():
        if stop.wait(0.1):
            process.kill()
            return


def _widen(fd: int) -> None:
    """Make the pipe hold a whole batch message (Linux; 64 KiB by default) so
    the reader is woken once per batch, not once per 64 KiB."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # other systems, or a lower pipe-max-size: the default works too
