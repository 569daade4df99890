"""The import worker: a second JamDeck process that reads, normalizes and
prepares archive files for the import pipeline (``desktop.app.import_pipeline``).

It is the running application's own program started again with a hidden first
argument (``WORKER_ARGUMENT``): ``python -m desktop`` from a checkout or an
installed package, the ``jamdeck`` executable itself in the frozen app. Both
run ``desktop/__main__.py``, which hands such a call to ``main`` before it
imports the CLI, so the worker loads only what it reads with. This module is
imported on every start of the app for that check: what the worker needs is
imported in ``main``, not here.

The worker writes its messages to its standard output, each one ``marshal``
value (see ``work``), and the pipeline reads them from the other end of the
pipe. It ignores Ctrl-C (the parent decides when to stop), is killed on a
stop, and ends by itself when the parent dies (its next write fails).
"""

from __future__ import annotations

import marshal
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

# Not an option anyone types: the CLI never sees it.
WORKER_ARGUMENT = "--jamdeck-import-worker"
# The first message is sent after this many posts, each next one holds twice
# as many up to the chunk: the writer starts while the worker is still reading.
FIRST_CHUNK = 100


def is_worker_call(argv: list[str]) -> bool:
    """True when this process was started as an import worker (``command``)."""
    return argv[1:2] == [WORKER_ARGUMENT]


def command(chunk: int, paths: list[str]) -> list[str]:
    """The command line that starts a worker for ``paths``: this program again."""
    if getattr(sys, "frozen", False):  # PyInstaller: sys.executable is the app
        return [sys.executable, WORKER_ARGUMENT, str(chunk), *paths]
    return [sys.executable, "-m", "desktop", WORKER_ARGUMENT, str(chunk), *paths]


def environment() -> dict[str, str]:
    """The worker's environment: this one, and from a checkout the folder that
    holds ``desktop`` on its path (the worker may start in another directory)."""
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    return env


def batch_message(posts: list[tuple], referenced: list[tuple], lines: int) -> tuple:
    """``("batch", payload, posts, referenced, lines)``: the rows marshalled once
    more inside, so the parent's reading thread hands them on unread and the
    store's writer thread loads them (``import_pipeline.WireBatch``)."""
    # marshal, not pickle: the rows are tuples of strings, numbers and None, both
    # ends run the same program, and it writes them in less than half of
    # pickle's time (1.5 against 3.6 us per post).
    return ("batch", marshal.dumps((posts, referenced)), len(posts), len(referenced), lines)


def work(paths: list[str], send: Callable[[tuple], None], chunk: int) -> None:
    """Read, normalize and prepare every file, sending ``batch_message``s,
    ``("skipped", where, reason)``, ``("header", obj)``,
    ``("progress", index, bytes)`` and finally ``("done",)``."""
    from desktop.core.normalize import MalformedPayload
    from desktop.core.normalize.detect import normalize_document
    from desktop.sources.replay import ArchiveFormatError, is_session_header, read_documents
    from desktop.store.ingest import post_fields

    size = min(chunk, FIRST_CHUNK)
    posts: list[tuple] = []
    referenced: list[tuple] = []
    lines = 0
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
                    reason = f"could not read this payload ({type(exc).__name__}: {exc})"
                    send(("skipped", doc.where, reason))
                    continue
                posts.extend([post_fields(p) for p in parsed.posts])
                referenced.extend([post_fields(p) for p in parsed.referenced])
                if len(posts) >= size:
                    send(batch_message(posts, referenced, lines))
                    posts, referenced, lines = [], [], 0
                    size = min(chunk, size * 2)
        except OSError as exc:
            send(("skipped", str(path), f"cannot read: {exc.strerror or exc}"))
        except ArchiveFormatError as exc:
            send(("skipped", str(path), str(exc)))
    if posts or referenced or lines:
        send(batch_message(posts, referenced, lines))
    send(("done",))


def main(argv: list[str]) -> int:
    """The worker process: ``argv`` is ``[CHUNK, PATH, ...]`` (see ``command``)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    out = 1  # standard output, the pipe (sys.stdout is None in a windowed app)
    sys.stdout = sys.stderr  # a stray print must not end up among the rows

    def send(message: tuple) -> None:
        # Unbuffered: the parent reads each message as soon as it is whole, and
        # a buffer left unwritten would be flushed (and fail) at exit.
        data = memoryview(marshal.dumps(message))
        while data:
            data = data[os.write(out, data) :]

    try:
        work(argv[1:], send, int(argv[0]))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the parent stopped or died: nothing left to do
    return 0
