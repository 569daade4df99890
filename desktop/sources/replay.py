"""Replay and import: archive files played into a session.

Reads the project's own archive format (``{"jamdeck": 1, ...}`` lines, see
``desktop.export.archive``), the formats of ``desktop.sources.archive_formats``
(X account archive, Mastodon outbox.json, TAGS CSV, Bluesky repository CAR) and
every format ``normalize_document`` knows (Bluesky Jetstream lines among them):
X API v2 stream lines / search pages / twarc2 raw and flattened lines, X v1.1
(twarc v1), Mastodon statuses, Bluesky post views, recorded API cassettes; as
JSONL, one JSON document, gzip of either, or standard input (``-``).

Pace: ``speed=1`` plays at the original pace (by the archive's receive times,
else the posts' creation times), ``speed=N`` N× faster, ``speed=0`` as fast as
possible. A malformed line is skipped and reported with file and line number;
the rest of the file still lands.

At full speed a source may be given a ``pipeline`` that plays big files some
faster way: the application's import reads them in a worker process
(``desktop.app.import_pipeline``, which joins these sources to the store).
"""

from __future__ import annotations

import dataclasses
import functools
import gzip
import io
import itertools
import json
import threading
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, Protocol

from desktop.core import jsonio
from desktop.core.normalize import MalformedPayload, Parsed
from desktop.core.normalize.detect import normalize_document
from desktop.core.post import parse_time
from desktop.sources import archive_formats, pipes
from desktop.sources.base import (
    Batcher,
    Capabilities,
    Source,
    SourceSink,
    SourceState,
    SourceStatus,
)

# Longest pause replayed at any speed: a recording that idled for an hour
# should not make the demo sit still for an hour.
MAX_GAP = 30.0


class ArchiveFormatError(ValueError):
    """A whole file could not be read as an archive (not JSON, not a known format)."""


@dataclasses.dataclass(slots=True)
class ReplayStats:
    lines: int = 0
    posts: int = 0
    referenced: int = 0
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)


@dataclasses.dataclass(slots=True)
class Document:
    where: str  # "file.jsonl:12"
    obj: Any


def read_documents(
    path: str | Path,
    *,
    on_error: Callable[[str, str], None],
    on_progress: Callable[[int], None] | None = None,
    stopped: Callable[[], bool] = lambda: False,
) -> Iterator[Document]:
    """Yield the JSON documents of one archive file with their locations.

    JSONL: one document per line; a line that is not JSON is reported through
    ``on_error("file:line", reason)`` and skipped. A file that is one JSON
    document (a pretty-printed page, a recorded cassette) yields it once.
    A pipe, FIFO or standard input ("-") is read once, as it comes (JSON, JSONL,
    event streams, gzip), and ends early once ``stopped()`` is true.
    """
    name = "<stdin>" if str(path) == "-" else Path(path).name
    stream_input = pipes.is_stream(path)
    if not stream_input:
        # The account exports, TAGS CSV and the archive folder or zip (not JSON
        # lines): they sniff the file's head and open it again, so files only.
        other = archive_formats.documents(path, on_error=on_error, document=Document)
        if other is not None:
            yield from other
            return
    raw: IO[bytes] = (
        pipes.open_stream(path, stopped) if stream_input else open(path, "rb")  # noqa: SIM115
    )
    try:
        head = raw.peek(2)[:2] if hasattr(raw, "peek") else b""
        stream: IO[bytes] = gzip.GzipFile(fileobj=raw) if head == b"\x1f\x8b" else raw
        # Lines are split and parsed as bytes (the JSON decoder validates the
        # UTF-8 itself: a text layer would decode every line once more).
        lines: Iterator[bytes | str] = iter(stream)
        number, first = 0, None
        for line in lines:
            number += 1
            if line.strip():
                first = line.decode("utf-8", errors="replace").lstrip("\ufeff")
                break
        if first is None:
            return
        # The text layer, when one is needed, lives as long as the file: it
        # would close the file if it were collected first.
        text: IO[str] | None = None
        if "\r" in first.rstrip("\r\n"):
            # Lines that end in a lone CR (old Mac style, allowed in event
            # streams): read the rest as text with universal newlines.
            head_lines = first.splitlines(keepends=True)
            first = head_lines[0]
            text = _text(stream)
            lines = itertools.chain(head_lines[1:], text)
        if first.startswith(("event:", "data:", ":", "id:", "retry:")):
            if text is None:
                text = _text(stream)
                lines = text
            yield from _sse(name, first, lines, after=number - 1, on_error=on_error)
            return
        if not first.lstrip().startswith(("{", "[")):
            raise ArchiveFormatError(
                f"{name} is not a JSON or JSONL archive (line {number} is not JSON)"
            )
        try:
            document = jsonio.loads(first)
        except json.JSONDecodeError as line_error:
            rest = "".join(_decoded(lines))
            try:
                document = jsonio.loads(first + rest)
            except json.JSONDecodeError:
                # Not one document either: JSONL whose line ``number`` is broken.
                on_error(
                    f"{name}:{number}",
                    f"not valid JSON: {line_error.msg} (column {line_error.colno})",
                )
                yield from _jsonl(name, io.StringIO(rest), on_error, after=number)
                return
            yield Document(name, document)
            return
        yield Document(f"{name}:{number}", document)
        documents = _jsonl(name, lines, on_error, after=number)
        if on_progress is None or stream_input:
            yield from documents
            return
        # Progress in bytes of the file on disk (compressed bytes for gzip).
        for count, document in enumerate(documents, start=1):
            yield document
            if count % 2000 == 0:
                on_progress(raw.tell())
        on_progress(raw.tell())
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        on_error(name, f"the compressed file is damaged: {exc}")
    finally:
        raw.close()  # (standard input's descriptor is left open)


def _raising(exc: BaseException) -> Iterator[Document]:
    """What ``run`` finds for a stream whose header read failed: the same error."""
    raise exc
    yield  # a generator


def _text(stream: IO[bytes]) -> IO[str]:
    """The rest of ``stream`` as text lines with universal newlines."""
    return io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)


def _decoded(lines: Iterator[bytes | str]) -> Iterator[str]:
    for line in lines:
        yield line.decode("utf-8", errors="replace") if isinstance(line, bytes) else line


def _jsonl(name: str, lines, on_error, *, after: int) -> Iterator[Document]:
    """One document per line; ``lines`` may be bytes (UTF-8) or text."""
    number = after
    for line in lines:
        number += 1
        if not line or line.isspace():  # not strip(): that copies every line
            continue
        try:
            obj = jsonio.loads(line)
        except json.JSONDecodeError as exc:
            on_error(f"{name}:{number}", f"not valid JSON: {exc.msg} (column {exc.colno})")
            continue
        yield Document(f"{name}:{number}", obj)


def _sse(name: str, first: str, lines, *, after: int, on_error) -> Iterator[Document]:
    """A recorded ``text/event-stream`` body (Mastodon streaming): one document
    ``{"event": ..., "payload": ...}`` per event; heartbeats (``:)``) are skipped."""
    number = after
    event, data, start = "message", [], None
    for line in itertools.chain([first], lines):
        number += 1
        line = line.rstrip("\r\n")
        if not line:
            if data:
                payload = "\n".join(data)
                try:
                    yield Document(
                        f"{name}:{start}", {"event": event, "payload": jsonio.loads(payload)}
                    )
                except json.JSONDecodeError as exc:
                    if event != "delete":  # a delete's payload is a bare id
                        on_error(f"{name}:{start}", f"event data is not valid JSON: {exc.msg}")
            event, data, start = "message", [], None
            continue
        if line.startswith(":"):
            continue
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "event":
            event, start = value, start or number
        elif field == "data":
            data.append(value)
            start = start or number
    if data:
        try:
            yield Document(
                f"{name}:{start}", {"event": event, "payload": jsonio.loads("\n".join(data))}
            )
        except json.JSONDecodeError as exc:
            on_error(f"{name}:{start}", f"event data is not valid JSON: {exc.msg}")


def is_session_header(obj: Any) -> bool:
    return isinstance(obj, dict) and obj.get("jamdeck") and obj.get("type") == "session"


def _document_time(obj: Any, parsed: Parsed) -> float | None:
    if isinstance(obj, dict) and obj.get("jamdeck") and obj.get("received_at"):
        try:
            return parse_time(str(obj["received_at"])).timestamp()
        except ValueError:
            pass
    if parsed.posts:
        return max(p.created_at for p in parsed.posts).timestamp()
    return None


class ArchivePipeline(Protocol):
    """Another way to play a ``ReplaySource``'s files into the sink; it keeps the
    source's ``stats`` and ``header`` as the source's own loop does."""

    def usable(self, paths: list[Path | str], *, speed: float) -> bool:
        """True when it should play these files (instead of the source's loop)."""
        ...

    def run(
        self,
        source: ReplaySource,
        sink: SourceSink,
        stop: threading.Event,
        *,
        on_progress: Callable[[Path | str, int], None] | None = None,
    ) -> None:
        """Play ``source.paths`` into ``sink`` until done or ``stop``; the source
        sends CONNECTED before and FINISHED after."""
        ...


class ReplaySource(Source):
    """Plays archive files into a session. ``header`` holds the session record of
    a JamDeck archive (name, hashtags, hosts) once ``read_header`` or ``run`` saw it."""

    network = "replay"
    capabilities = Capabilities(
        stream=True,
        needs_auth=False,
        why_not={
            "retweet": "This post was replayed from an archive: there is no account to retweet with.",
            "like": "This post was replayed from an archive.",
            "reply": "This post was replayed from an archive.",
            "post": "Replays cannot post.",
        },
    )

    def __init__(
        self,
        paths: list[str | Path],
        *,
        speed: float = 0.0,
        wait: Callable[[threading.Event, float], bool] | None = None,
        batch_size: int = 100,
        on_progress: Callable[[Path | str, int], None] | None = None,
        pipeline: ArchivePipeline | None = None,
    ) -> None:
        self.paths = [p if str(p) == "-" else Path(p) for p in paths]
        self.name = "replay:" + ",".join(str(p) for p in paths)
        self.speed = speed
        self._wait = wait or (lambda stop, seconds: stop.wait(seconds))
        self._batch_size = batch_size
        self._on_progress = on_progress
        self._pipeline = pipeline
        self.header: dict | None = None
        self.stats = ReplayStats()
        # A pipe, FIFO or standard input can be read once: ``read_header`` keeps the
        # documents it opened for ``run`` (the first one put back), and what it had
        # to report until ``run`` has somewhere to report it.
        self._opened: dict[int, Iterator[Document]] = {}
        self._early_skips: list[tuple[str, str]] = []
        self._report: Callable[[str, str], None] = lambda *skip: self._early_skips.append(skip)
        self._halt = threading.Event()  # ``run``'s stop event once it runs

    def _stopped(self) -> bool:
        return self._halt.is_set()

    def read_header(self) -> dict | None:
        """The session header of the first file, if it is a JamDeck archive."""
        for path in self.paths:
            stream_input = pipes.is_stream(path)
            documents = read_documents(
                path, on_error=lambda *skip: self._report(*skip), stopped=self._stopped
            )
            try:
                for doc in documents:
                    if is_session_header(doc.obj):
                        self.header = doc.obj
                    if stream_input:
                        self._opened[0] = itertools.chain([doc], documents)
                    return self.header
            except (OSError, ArchiveFormatError) as exc:
                if stream_input:
                    self._opened[0] = _raising(exc)
                return None
            return None
        return None

    def stop_reading(self) -> None:
        """End a read that waits for a pipe (``run`` does this on its stop event)."""
        self._halt.set()

    def run(self, sink: SourceSink, stop: threading.Event) -> None:
        # At full speed, batches close by count only: the same file then always
        # lands in the same batches, so an import is reproducible (which copy of
        # a post seen twice in one batch wins depends on the batch boundaries).
        max_delay = 0.1 if self.speed > 0 else float("inf")
        batcher = Batcher(self, sink, max_posts=self._batch_size, max_delay=max_delay)
        last_time: float | None = None

        def skipped(where: str, reason: str) -> None:
            self.stats.skipped.append((where, reason))
            sink.on_skipped(self, where, reason)

        self._report = skipped
        for skip in self._early_skips:
            skipped(*skip)
        self._early_skips.clear()
        self._halt = stop  # a pipe's read ends when the replay is stopped
        sink.on_status(self, SourceStatus(SourceState.CONNECTED, "replaying"))
        regular = not any(pipes.is_stream(p) for p in self.paths)  # a pipe is read once, here
        if (
            regular
            and self._pipeline is not None
            and self._pipeline.usable(self.paths, speed=self.speed)
        ):
            # A big import at full speed: reading and preparing in a second process.
            self._pipeline.run(self, sink, stop, on_progress=self._on_progress)
            sink.on_status(self, SourceStatus(SourceState.FINISHED, "replay finished"))
            return
        for index, path in enumerate(self.paths):
            try:
                progress = None
                if self._on_progress is not None:
                    progress = functools.partial(self._on_progress, path)
                documents = self._opened.pop(index, None) or read_documents(
                    path, on_error=skipped, on_progress=progress, stopped=stop.is_set
                )
                for doc in documents:
                    if stop.is_set():
                        break
                    self.stats.lines += 1
                    if is_session_header(doc.obj):
                        self.header = self.header or doc.obj
                        continue
                    try:
                        parsed = normalize_document(doc.obj)
                    except MalformedPayload as exc:
                        skipped(doc.where, str(exc))
                        continue
                    except Exception as exc:  # a normalizer bug must not stop the import
                        skipped(
                            doc.where, f"could not read this payload ({type(exc).__name__}: {exc})"
                        )
                        continue
                    if self.speed > 0:
                        when = _document_time(doc.obj, parsed)
                        if when is not None and last_time is not None and when > last_time:
                            batcher.flush()
                            if self._wait(stop, min(when - last_time, MAX_GAP) / self.speed):
                                break
                        if when is not None:
                            last_time = max(when, last_time or when)
                    self.stats.posts += len(parsed.posts)
                    self.stats.referenced += len(parsed.referenced)
                    batcher.add(parsed)
            except OSError as exc:
                skipped(str(path), f"cannot read: {exc.strerror or exc}")
            except ArchiveFormatError as exc:
                skipped(str(path), str(exc))
            if stop.is_set():
                break
        batcher.flush()
        sink.on_status(self, SourceStatus(SourceState.FINISHED, "replay finished"))
