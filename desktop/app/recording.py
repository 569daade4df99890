"""Recording: sources, each on its own thread, into one session through the store writer.

``SessionRecording`` is the one way JamDeck runs sources: ``jamdeck record``,
``jamdeck import`` and ``jamdeck demo``, the window's live recording, its
import and its demo. Its ``RecordingSink`` counts what landed and what was
skipped, reports each source's status, and applies back-pressure: a source
that reads faster than the disk writes (a replay at full speed) waits when
``max_in_flight`` batches are queued, instead of filling memory.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
import threading
import time
from collections import deque
from collections.abc import Callable

from desktop.core.normalize import Parsed
from desktop.sources.base import Source, SourceState, SourceStatus
from desktop.store.db import StoreError
from desktop.store.ingest import IngestResult, PackedBatch, PreparedBatch
from desktop.store.writer import StoreWriter

log = logging.getLogger("jamdeck.recording")


@dataclasses.dataclass(slots=True)
class RecordingCounts:
    added: int = 0  # new session members
    updated: int = 0  # posts seen before, refreshed
    referenced: int = 0
    skipped: list[tuple[str, str]] = dataclasses.field(default_factory=list)
    failed_batches: int = 0


class RecordingSink:
    def __init__(
        self,
        writer: StoreWriter,
        session_id: int,
        *,
        on_status: Callable[[Source, SourceStatus], None] | None = None,
        on_skipped: Callable[[Source, str, str], None] | None = None,
        on_delivered: Callable[[Source, int], None] | None = None,
        max_in_flight: int = 8,
        stop: threading.Event | None = None,
    ) -> None:
        self.writer = writer
        # Set at the first failure of the library itself (a full disk, a damaged
        # or read-only file: a StoreError): later batches are dropped and
        # ``stop`` (the recording's, which ends its sources) is set. Its message
        # is one line for the user.
        self.fatal: StoreError | None = None
        self._stop = stop
        self.session_id = session_id
        self.counts = RecordingCounts()
        self.statuses: dict[str, SourceStatus] = {}  # by source name: the latest of each
        self.connected: set[str] = set()  # sources that reached their network at least once
        self.troubles: dict[str, str] = {}  # by source name: why it last had to reconnect
        self._on_status = on_status
        self._on_skipped = on_skipped
        self._on_delivered = on_delivered  # (source, posts): the "42/min" meters
        self._in_flight: deque[concurrent.futures.Future] = deque()
        self._max_in_flight = max_in_flight
        self._lock = threading.Lock()

    # SourceSink -------------------------------------------------------------
    def on_posts(self, source: Source, parsed: Parsed | PreparedBatch | PackedBatch) -> None:
        posts = getattr(parsed, "posts", None)  # a worker's packed batch has no count here
        if self._on_delivered is not None and posts is not None:
            self._on_delivered(source, len(posts))
        if self.fatal is not None:  # the library cannot take anything more
            with self._lock:
                self.counts.failed_batches += 1
            return
        future = self.writer.ingest(self.session_id, parsed)
        future.add_done_callback(self._count)
        with self._lock:
            self._in_flight.append(future)
            while self._in_flight and self._in_flight[0].done():
                self._in_flight.popleft()
            oldest = self._in_flight[0] if len(self._in_flight) > self._max_in_flight else None
        if oldest is not None:
            concurrent.futures.wait([oldest])

    def on_status(self, source: Source, status: SourceStatus) -> None:
        name = source.name or repr(source)
        self.statuses[name] = status
        if status.state == SourceState.CONNECTED:
            self.connected.add(name)
        elif status.state == SourceState.RECONNECTING and status.message:
            self.troubles[name] = status.message
        log.info("%s: %s %s", source.name, status.state, status.message)
        if self._on_status:
            self._on_status(source, status)

    def on_skipped(self, source: Source, where: str, reason: str) -> None:
        with self._lock:
            self.counts.skipped.append((where, reason))
        log.info("skipped %s: %s", where, reason)
        if self._on_skipped:
            self._on_skipped(source, where, reason)

    # ------------------------------------------------------------------------
    def wait(self) -> None:
        """Block until every batch handed over so far is committed."""
        with self._lock:
            pending = list(self._in_flight)
        concurrent.futures.wait(pending)

    def _count(self, future: concurrent.futures.Future) -> None:
        exc = future.exception()
        if exc is not None:
            with self._lock:
                self.counts.failed_batches += 1
                first_fatal = isinstance(exc, StoreError) and self.fatal is None
                if first_fatal:
                    self.fatal = exc
            if first_fatal and self._stop is not None:
                self._stop.set()
            return
        result: IngestResult = future.result()
        with self._lock:
            self.counts.added += len(result.added)
            self.counts.updated += len(result.updated)


class SessionRecording:
    """Several sources recording into one session at once, each on its own thread
    (the SDKs block). One session can follow the same hashtag on X, Mastodon and
    Bluesky together; the store dedupes per network."""

    def __init__(
        self, writer: StoreWriter, session_id: int, sources: list[Source], **sink_options
    ) -> None:
        self.sources = sources
        # Whether the run that records made the session: a failed run that recorded
        # nothing removes it again (``desktop.app.sessions.discard_if_empty``).
        self.created_session = False
        self.stop_event = threading.Event()
        self.sink = RecordingSink(writer, session_id, stop=self.stop_event, **sink_options)
        self._threads: list[threading.Thread] = []
        self.errors: dict[str, BaseException] = {}

    def start(self) -> None:
        for source in self.sources:
            thread = threading.Thread(
                target=self._run, args=(source,), name=f"jamdeck-source-{source.name}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _run(self, source: Source) -> None:
        try:
            source.run(self.sink, self.stop_event)
        except BaseException as exc:  # a source's bug: report it, let the others go on
            log.exception("source %s failed", source.name)
            self.errors[source.name] = exc
            self.sink.on_status(
                source, SourceStatus(SourceState.STOPPED, f"{type(exc).__name__}: {exc}")
            )
        finally:
            try:
                source.close()
            except Exception:
                log.exception("closing source %s failed", source.name)

    def stop(self) -> None:
        self.stop_event.set()

    def run(self, *, duration: float | None = None) -> None:
        """Start, and return when every source has ended, ``duration`` seconds passed
        or ``stop()`` was called (from a signal handler, another thread); the batches
        handed over by then are committed."""
        deadline = time.monotonic() + duration if duration else None
        self.start()
        try:
            while self.running and not self.stop_event.is_set():
                timeout = None if deadline is None else deadline - time.monotonic()
                if timeout is not None and timeout <= 0:
                    break
                # Wakes at once on stop(); every 0.1 s to see the sources end on their own.
                self.stop_event.wait(0.1 if timeout is None else min(0.1, timeout))
        finally:
            self.stop()
            self.wait()

    def wait(self, timeout: float | None = None) -> bool:
        """Wait until every source has returned (or ``stop`` ends them); True if all did."""
        for thread in self._threads:
            thread.join(timeout)
        self.sink.wait()
        return not any(t.is_alive() for t in self._threads)

    @property
    def running(self) -> bool:
        return any(t.is_alive() for t in self._threads)
