"""Full-speed import of big archive files with a second process.

An import is CPU-bound in Python: reading JSON, normalizing and preparing
rows (tokens, JSON columns) cost about as much as the writes, and threads
share one interpreter lock. So for a big file at ``speed=0`` the reading side
runs in a worker process (``python -m desktop.sources.replay_pipeline``; not a
fork, which is unsafe in a process running threads), which streams compact
prepared rows back through a pipe; this process only assigns jam facts,
writes and routes.

The rows are plain tuples of strings and numbers: the fields of a
``desktop.store.ingest.PreparedPost`` (the posts-table values and FTS row
``encode_post`` made, the author, the answer label) without its record. A
batch travels marshalled (``WireBatch``) to the store's writer thread, which
turns each row back into a ``PreparedPost`` (``prepared_from``: the record rebuilt
from the columns instead of tokenizing twice, no ``Post`` at all). So this
process runs Python on one thread only; the thread that receives sleeps in
the pipe read (reviving there made the two threads trade the interpreter
lock: 10 to 20% more CPU time per post in our runs).

The worker ignores Ctrl-C (the parent decides when to stop), is killed on a
stop, and ends by itself when the parent dies (its next write to the pipe fails).
"""

from __future__ import annotations

import dataclasses
import marshal
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.core.normalize import MalformedPayload
from desktop.core.normalize.detect import normalize_document
from desktop.store.ingest import PreparedBatch, batch_from_fields, post_fields

if TYPE_CHECKING:
    from desktop.sources.base import SourceSink
    from desktop.sources.replay import ReplaySource

# Below this many bytes of archive the worker's start (about 0.3 s of imports)
# costs more than it saves: such files are read in-process.
MIN_BYTES = 4_000_000
# Posts per message and per write transaction: bigger batches commit less often
# (a commit flushes FTS segments), and at most one batch is lost to a kill.
CHUNK = 2000
# The first message is sent after this many posts, each next one holds twice
# as many up to CHUNK: the writer starts while the worker is still reading.
FIRST_CHUNK = 100
# A batch message is about 1 KB per post.
PIPE_BYTES = 1 << 20


class PipelineError(RuntimeError):
    """The worker process died without finishing (it is reported like a source failure)."""


def usable(paths: list, *, speed: float) -> bool:
    """True when the pipeline pays off: full speed, only regular files, enough bytes."""
    if speed != 0 or not paths or any(str(p) == "-" for p in paths):
        return False
    if getattr(sys, "frozen", False):  # a bundled app cannot run ``python -m``
        return False
    try:
        return sum(os.stat(p).st_size for p in paths) >= MIN_BYTES
    except OSError:
        return False  # the in-process path reports the unreadable file


# --------------------------------------------------------------------- the wire


@dataclasses.dataclass(slots=True)
class WireBatch:
    """One batch of rows as the worker serialized them (``desktop.store.ingest.PackedBatch``):
    the store's writer thread loads and revives it."""

    payload: bytes  # marshal of (posts rows, referenced rows)

    def unpack(self) -> PreparedBatch:
        return batch_from_fields(*marshal.loads(self.payload))


# --------------------------------------------------------------------- the worker


def _batch_message(posts: list[tuple], referenced: list[tuple], lines: int) -> tuple:
    # marshal, not pickle: the rows are tuples of strings, numbers and None, both
    # ends run the same interpreter (``sys.executable``), and it writes them in
    # less than half of pickle's time (1.5 against 3.6 us per post).
    payload = marshal.dumps((posts, referenced))
    return ("batch", payload, len(posts), len(referenced), lines)


def _work(paths: list[str], out, chunk: int) -> None:
    """The worker process: read, normalize and prepare every file, sending
    ``("batch", payload, posts, referenced, lines)`` (``_batch_message``),
    ``("skipped", where, reason)``,
    ``("header", obj)``, ``("progress", index, bytes)`` and finally ``("done",)``."""
    from desktop.sources.replay import ArchiveFormatError, is_session_header, read_documents

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    send = out.send
    size = min(chunk, FIRST_CHUNK)
    posts: list[tuple] = []
    referenced: list[tuple] = []
    lines = 0
    try:
        for index, path in enumerate(paths):
            try:
                documents = read_documents(
                    path,
                    on_error=lambda where, reason: send(("skipped", where, reason)),
                    on_progress=lambda done, index=index: send(("progress", index, done)),
                )
                for doc in documents:
                    lines += 1
                    if is_session_header(doc.obj):
                        send(("header", doc.obj))
                        continue
                    try:
                        parsed = normalize_document(doc.obj)
                    except MalformedPayload as exc:
                        send(("skipped", doc.where, str(exc)))
                        continue
                    except Exception as exc:  # a normalizer bug must not stop the import
                        send(
                            (
                                "skipped",
                                doc.where,
                                f"could not read this payload ({type(exc).__name__}: {exc})",
                            )
                        )
                        continue
                    posts.extend([post_fields(p) for p in parsed.posts])
                    referenced.extend([post_fields(p) for p in parsed.referenced])
                    if len(posts) >= size:
                        send(_batch_message(posts, referenced, lines))
                        posts, referenced, lines = [], [], 0
                        size = min(chunk, size * 2)
            except OSError as exc:
                send(("skipped", str(path), f"cannot read: {exc.strerror or exc}"))
            except ArchiveFormatError as exc:
                send(("skipped", str(path), str(exc)))
        if posts or referenced or lines:
            send(_batch_message(posts, referenced, lines))
        send(("done",))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent stopped or died: nothing left to do
    finally:
        out.close()


# --------------------------------------------------------------------- the parent


def _widen(fd: int) -> None:
    """Make the pipe hold a whole batch message (Linux; 64 KiB by default) so
    the reader is woken once per batch, not once per 64 KiB."""
    try:
        import fcntl

        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    except (ImportError, AttributeError, OSError):
        pass  # other systems, or a lower pipe-max-size: the default works too


def _start_worker(paths: list[str], chunk: int) -> tuple[subprocess.Popen, Connection]:
    """``python -m desktop.sources.replay_pipeline`` writing to a pipe of its own.

    A plain subprocess rather than ``multiprocessing``: its spawn re-runs the
    parent's main script, which breaks any caller without a main guard. Its own
    session keeps the terminal's Ctrl-C away from it (the parent stops it)."""
    read_fd, write_fd = os.pipe()
    _widen(write_fd)
    package_root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", __name__, str(write_fd), str(chunk), *paths],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            pass_fds=(write_fd,),
            env=env,
            start_new_session=True,
        )
    except BaseException:
        os.close(read_fd)
        raise
    finally:
        os.close(write_fd)  # only the worker writes: its death then ends our reads
    return process, Connection(read_fd, writable=False)


def run(
    source: ReplaySource,
    sink: SourceSink,
    stop: threading.Event,
    *,
    on_progress: Callable[[Path | str, int], None] | None = None,
    chunk: int | None = None,
) -> None:
    """Play ``source.paths`` into ``sink`` through a worker process (the caller
    has sent CONNECTED and sends FINISHED)."""
    process, receive = _start_worker([str(p) for p in source.paths], chunk or CHUNK)
    stats = source.stats
    try:
        while not stop.is_set():
            if not receive.poll(0.1):
                continue
            try:
                message = receive.recv()
            except EOFError:
                process.wait()
                raise PipelineError(
                    f"the import worker ended unexpectedly (exit code {process.returncode})"
                ) from None
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
                break
    finally:
        receive.close()
        if stop.is_set():
            process.kill()  # stopped mid-file: nothing it still reads is wanted
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


if __name__ == "__main__":
    # python -m desktop.sources.replay_pipeline WRITE_FD CHUNK PATH...
    _work(sys.argv[3:], Connection(int(sys.argv[1]), readable=False), int(sys.argv[2]))
