"""The open session's sources, live: the schedule, the statuses, the rates.

``LiveRecorder`` records the session's network sources while it should: a
scheduled session inside its recording window (a few minutes before the start
until a few minutes after the end), an unscheduled one while the user says so.
It also plays one-off sources into the session (the demo jam, an imported
archive). Sources are built off the owner's thread (building one may import
its SDK, read the keyring and log in) and run in a ``SessionRecording``.

It knows no GUI toolkit. Its owner passes ``run_on_main(fn, *args)``, which
runs a call from a worker thread on the owner's thread and returns False when
it cannot (the window's one trampoline; a plain call by default),
``set_timer(seconds | None)``, which calls ``on_schedule_tick`` a little (a
millisecond) after that long, and a ``LiveListener`` that hears,
on the owner's thread, of every source status and of recording starting or
stopping.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from desktop.app.recording import SessionRecording
from desktop.app.source_specs import (
    LOOKBACK,
    Built,
    SourceFactory,
    build_sources,
    network_specs,
    source_labels,
    spec_network,
)
from desktop.core import schedule
from desktop.core.session import Session
from desktop.sources.base import Source, SourceState, SourceStatus
from desktop.store import library
from desktop.store.writer import StoreWriter

log = logging.getLogger("jamdeck.live")

# A timer longer than this is re-armed when it fires: a laptop that slept, or a
# clock that jumped, is noticed within the hour.
MAX_TIMER = timedelta(hours=1)
RATE_WINDOW = 60.0  # seconds of arrivals behind "N/min"


class LiveListener(Protocol):
    def on_status(self, label: str, network: str, status: SourceStatus) -> None: ...
    def on_recording_changed(self, active: bool) -> None: ...
    def on_statuses_cleared(self) -> None: ...


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


def _call(fn: Callable, *args) -> None:
    fn(*args)


class LiveRecorder:
    def __init__(
        self,
        writer: StoreWriter,
        *,
        source_factory: SourceFactory,
        listener: LiveListener,
        run_on_main: Callable[..., None] = _call,
        set_timer: Callable[[float | None], None] = lambda _seconds: None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.writer = writer
        self.factory = source_factory
        self.listener = listener
        self.run_on_main = run_on_main
        self.set_timer = set_timer
        self.clock = clock
        self.monotonic = monotonic
        self.session: Session | None = None
        self.statuses: dict[str, SourceStatus] = {}
        self.networks: dict[str, str] = {}
        self.recording: SessionRecording | None = None
        self.plays: list[SessionRecording] = []  # the demo, an import: one-off sources
        self._run = 0  # statuses and builds of older runs are dropped
        self._wanted = False  # the user or the schedule wants recording now
        self._closed = False
        self._builders: list[threading.Thread] = []
        self._stopping: list[SessionRecording] = []
        self._labels: dict[int, str] = {}  # id(source) -> label
        # Labels that never got a source (no account, no token): they need an account.
        self._unbuilt: set[str] = set()
        self._arrivals: dict[str, collections.deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------ what the owner asks
    @property
    def active(self) -> bool:
        """Recording (or building the sources to) right now."""
        return self._wanted

    @property
    def playing(self) -> bool:
        """A one-off source (the demo, an import) is still playing."""
        return any(play.running for play in self.plays)

    def specs(self) -> list[str]:
        return network_specs(self.session.sources) if self.session else []

    def live_labels(self) -> list[str]:
        """The status labels of the session's network sources (not of one-off plays)."""
        return source_labels(self.specs())

    def scheduled(self) -> tuple[datetime, datetime] | None:
        """The session's recording window (begin, end), None without a usable schedule."""
        s = self.session
        if s is None or s.scheduled_start is None or s.scheduled_end is None:
            return None
        try:
            return schedule.recording_window(_utc(s.scheduled_start), _utc(s.scheduled_end))
        except schedule.ScheduleError:
            return None

    def per_minute(self, label: str) -> int:
        """Posts the source delivered in the last minute."""
        now = self.monotonic()
        with self._lock:
            arrivals = self._arrivals.get(label)
            if not arrivals:
                return 0
            while arrivals and arrivals[0][0] < now - RATE_WINDOW:
                arrivals.popleft()
            return sum(n for _t, n in arrivals)

    def needs_account(self, label: str) -> bool:
        status = self.statuses.get(label)
        if status is None or status.state != SourceState.STOPPED:
            return False
        return status.auth_failed or label in self._unbuilt

    # ------------------------------------------------------------ session and schedule
    def set_session(self, session: Session | None) -> None:
        """The owner opened ``session``: stop what played into the previous one, then
        record this one if its schedule says so (an unscheduled one waits for
        ``set_recording(True)``)."""
        if self.session is not None and session is not None and session.id == self.session.id:
            self.session = dataclasses.replace(
                session, started_at=self.session.started_at, ended_at=self.session.ended_at
            )
            return
        self.stop()
        self.stop_plays()
        self._run += 1
        self.session = session
        self.statuses.clear()
        self.networks.clear()
        self._unbuilt.clear()
        with self._lock:
            self._arrivals.clear()
        self.listener.on_statuses_cleared()
        self.on_schedule_tick()

    def on_schedule_tick(self) -> None:
        """Start or stop as the schedule says now; set the timer to the next change."""
        self.set_timer(None)
        window = self.scheduled()
        if self._closed or window is None or not self.specs():
            return
        begin, end = window
        now = self.clock()
        inside = begin <= now < end
        if inside and not self._wanted:
            self.start()
        elif not inside and self._wanted:
            self.stop()
        change = schedule.next_change(
            now, _utc(self.session.scheduled_start), _utc(self.session.scheduled_end)
        )
        if change is not None:
            delay = min(change - now, MAX_TIMER)
            self.set_timer(max(0.0, delay.total_seconds()))

    def restart(self) -> None:
        """Build the sources again (the accounts changed) if recording now, or if a
        source stopped for want of an account."""
        failed = any(s.state == SourceState.STOPPED for s in self.statuses.values())
        if not (self._wanted or failed) or self._closed:
            return
        self.stop()
        if self.scheduled() is not None:
            self.on_schedule_tick()
        else:
            self.start()

    def set_recording(self, on: bool) -> None:
        """The Record toggle (sessions without a schedule)."""
        if on:
            self.start()
        else:
            self.stop()

    # ------------------------------------------------------------ start and stop
    def start(self) -> None:
        if self._closed or self._wanted or self.session is None or not self.specs():
            return
        self._wanted = True
        self._run += 1
        run, session, specs = self._run, self.session, self.specs()
        window = self.scheduled()
        since = window[0] if window else self.clock() - LOOKBACK
        # Every source says "connecting…" at once, not after the build.
        for spec, label in zip(specs, source_labels(specs), strict=True):
            self._show(label, spec_network(spec) or "", SourceStatus(SourceState.CONNECTING))
        factory = self.factory

        def build() -> None:
            built = build_sources(factory, specs, session, since)
            if self.run_on_main(self._on_built, run, built) is False:
                for item in built:  # the owner went away while we built: let them go
                    if item.source is not None:
                        item.source.close()

        thread = threading.Thread(target=build, name="jamdeck-build-sources", daemon=True)
        self._builders = [t for t in self._builders if t.is_alive()] + [thread]
        thread.start()
        self.listener.on_recording_changed(True)

    def _on_built(self, run: int, built: list[Built]) -> None:
        if run != self._run or not self._wanted or self._closed:
            for item in built:
                if item.source is not None:
                    item.source.close()
            return
        sources = []
        for item in built:
            if item.source is None:
                status = SourceStatus(SourceState.STOPPED, item.error, auth_failed=item.auth_failed)
                self._show(item.label, item.network, status, unbuilt=True)
                continue
            self._labels[id(item.source)] = item.label
            self.networks[item.label] = item.network
            sources.append(item.source)
        if not sources:
            self._wanted = False
            self.listener.on_recording_changed(False)
            return
        self.recording = self._recording(run, sources)
        self._stamp(started=True)
        self.recording.start()

    def play(self, source: Source, *, label: str | None = None) -> SessionRecording:
        """Play a one-off source (the demo jam, an archive) into the open session, beside
        any live recording; its status line is ``label`` (default: the source's name)."""
        assert self.session is not None, "play() needs an open session"
        label = label or source.name
        self._labels[id(source)] = label
        self.networks[label] = source.network
        self._show(label, source.network, SourceStatus(SourceState.CONNECTING))
        play = self._recording(self._run, [source])
        self.plays = [p for p in self.plays if p.running] + [play]
        play.start()
        return play

    def _recording(self, run: int, sources: list[Source]) -> SessionRecording:
        def report(source: Source, status: SourceStatus) -> None:  # on a source thread
            label = self._labels.get(id(source), source.name)
            self.run_on_main(self._on_thread_status, run, label, status)

        return SessionRecording(
            self.writer,
            self.session.id,
            sources,
            on_status=report,
            on_delivered=self._count,
        )

    def _count(self, source: Source, n: int) -> None:  # on a source thread
        label = self._labels.get(id(source), source.name)
        with self._lock:
            arrivals = self._arrivals.setdefault(label, collections.deque())
            arrivals.append((self.monotonic(), n))

    def _on_thread_status(self, run: int, label: str, status: SourceStatus) -> None:
        if run != self._run or self._closed:
            return
        playing = any(label == self._labels.get(id(s)) for p in self.plays for s in p.sources)
        if not (self._wanted or playing) and status.state not in (
            SourceState.STOPPED,
            SourceState.FINISHED,
        ):
            return  # a stopped recording's source saying "connected" on its way out
        self._show(label, self.networks.get(label, ""), status)

    def _show(
        self, label: str, network: str, status: SourceStatus, *, unbuilt: bool = False
    ) -> None:
        if unbuilt:
            status = dataclasses.replace(status, message=status.message or "cannot start")
            self._unbuilt.add(label)
        else:
            self._unbuilt.discard(label)
        self.statuses[label] = status
        self.networks[label] = network
        self.listener.on_status(label, network, status)

    def stop(self) -> None:
        """Stop recording now (the sources end on their threads; ``shutdown`` waits)."""
        if not self._wanted:
            return
        self._wanted = False
        recording, self.recording = self.recording, None
        live = set(source_labels(self.specs()))
        for label, status in list(self.statuses.items()):
            # Asked to stop: it is, to the user (the plays go on).
            if label in live and status.state != SourceState.STOPPED:
                self._show(label, self.networks.get(label, ""), SourceStatus(SourceState.FINISHED))
        if recording is not None:
            recording.stop()
            self._stopping.append(recording)
            self._stamp(started=False)
        self._stopping = [r for r in self._stopping if r.running]
        self.listener.on_recording_changed(False)

    def stop_plays(self) -> None:
        """Stop the demo or import playing (what was read so far stays)."""
        for play in self.plays:
            play.stop()
        self._stopping += [p for p in self.plays if p.running]
        self.plays = []

    def _stamp(self, *, started: bool) -> None:
        """started_at / ended_at of the session, through the writer."""
        session = self.session
        if session is None:
            return
        now = self.clock().timestamp()
        if started:
            fields = {"ended_at": None}
            if session.started_at is None:
                fields["started_at"] = now
        else:
            fields = {"ended_at": now}
        self.session = dataclasses.replace(session, **fields)
        session_id = session.id
        try:
            self.writer.submit(
                lambda ctx: library.update_session(ctx.conn, session_id, **fields), notify=False
            )
        except RuntimeError:  # the writer closed first
            log.warning("could not stamp %s of session %s", sorted(fields), session_id)

    def shutdown(self, *, timeout: float = 5.0) -> bool:
        """Stop, and wait (at most ``timeout`` s in all) for the sources' threads and
        their last batches: call it before closing the writer. True if all ended."""
        self.set_timer(None)
        self.stop()
        self.stop_plays()
        self._closed = True
        deadline = time.monotonic() + timeout
        for thread in self._builders:
            thread.join(max(0.0, deadline - time.monotonic()))
        ended = True
        for recording in self._stopping:
            ended = recording.wait(max(0.0, deadline - time.monotonic())) and ended
        self._stopping.clear()
        if not ended:
            log.warning("some sources did not stop within %.0f s", timeout)
        return ended
