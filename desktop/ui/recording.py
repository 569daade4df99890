"""Live recording of the open session's network sources, for the window.

``LiveRecording`` builds the session's sources (off the GUI thread: building an
adapter may import its SDK, read the keyring and log in), runs them with
``SessionRecording`` into the window's StoreWriter (posts then reach the
columns through the writer's committed batches, like every other write) and
brings each source's status back to the GUI thread through one queued signal.

A scheduled session records only inside its recording window (a few minutes
before the start until a few minutes after the end): one timer is set to the
next change. A session without a schedule records when the user says so.

``LiveStatusBar`` shows one line per source in the status bar: "X: connected ·
42/min", "Bluesky: rate limited until 19:42", "X: stopped — <reason>" in red
with a "Fix account…" button.
"""

from __future__ import annotations

import collections
import dataclasses
import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from typing import Protocol

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from desktop.app.recording import SessionRecording
from desktop.core import schedule
from desktop.core.session import Session
from desktop.sources.base import Source, SourceAuthError, SourceState, SourceStatus
from desktop.store import library
from desktop.store.writer import StoreWriter
from desktop.ui import theme as themes

log = logging.getLogger("jamdeck.ui.recording")

# Spec kind -> network: the specs a window records live (``replay:`` is not one).
NETWORK_KINDS = {
    "x": "x",
    "twitter": "x",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "bsky": "bluesky",
}
NETWORK_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}
# How far back an unscheduled recording catches up (registry.NEW_SESSION_LOOKBACK,
# without importing the registry on the GUI thread at start-up).
LOOKBACK = timedelta(minutes=30)
# A timer longer than this is re-armed when it fires: a laptop that slept, or a
# clock that jumped, is noticed within the hour.
MAX_TIMER = timedelta(hours=1)
RATE_WINDOW = 60.0  # seconds of arrivals behind "N/min"
LABEL_CHARS = 64  # a longer status line is elided (the tooltip has all of it)


class SourceFactory(Protocol):
    """Builds one live source for a session (called on a worker thread). Raises
    ``SourceError`` / ``ValueError`` with a message meant for the user."""

    def __call__(self, spec: str, *, session: Session, since: datetime | None) -> Source: ...


def spec_network(spec: str) -> str | None:
    """The network a spec records live ("x", "mastodon", "bluesky"), None for others."""
    return NETWORK_KINDS.get(spec.partition(":")[0].strip().lower())


def network_specs(specs: Iterable[str]) -> list[str]:
    return [s for s in specs if spec_network(s) is not None]


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].lower()


def source_label(spec: str) -> str:
    """What the status bar calls a source: "X", "X (work)", "Mastodon (mastodon.social)"."""
    network = spec_network(spec) or spec
    name = NETWORK_NAMES.get(network, network)
    arg = spec.partition(":")[2].strip()
    return f"{name} ({_host(arg) if '://' in arg or network != 'x' else arg})" if arg else name


def source_options(spec: str, accounts) -> dict[str, str]:
    """Adapter options naming the configured account a spec records with.

    "x" takes the first X account; "mastodon:URL" the account on that instance
    ("mastodon" alone: the first Mastodon account and its instance); "bluesky"
    the first Bluesky handle (and its service when the spec names none)."""
    kind, _, arg = spec.partition(":")
    network = spec_network(spec)
    arg = arg.strip()
    mine = list(accounts.accounts(network)) if network else []
    options: dict[str, str] = {}
    if network == "x":
        if not arg and mine:
            options["account"] = mine[0].name
    elif network == "mastodon":
        match = [a for a in mine if a.instance and _host(a.instance) == _host(arg)] if arg else mine
        if match:
            options["account"] = match[0].name
            if not arg and match[0].instance:
                options["instance"] = match[0].instance
    elif network == "bluesky":
        match = [a for a in mine if not arg or (a.instance and _host(a.instance) == _host(arg))]
        match = match or mine
        if match:
            options["handle"] = match[0].name
            if not arg and match[0].instance:
                options["service"] = match[0].instance
    return options


def source_labels(specs: list[str]) -> list[str]:
    """One label per spec, numbered when two would read the same (one status line each)."""
    labels: list[str] = []
    for spec in specs:
        label, n = source_label(spec), 2
        while label in labels:
            label, n = f"{source_label(spec)} {n}", n + 1
        labels.append(label)
    return labels


class RegistrySources:
    """The default factory: the registry's adapters, with the configured accounts."""

    def __init__(self, account_context) -> None:
        self._context = account_context  # main_window.AccountContext (opened lazily)

    def __call__(self, spec: str, *, session: Session, since: datetime | None) -> Source:
        from desktop.sources.registry import make_source

        return make_source(
            spec,
            hashtags=list(session.hashtags),
            since=since,
            options=source_options(spec, self._context.accounts),
            credentials=self._context.credentials,
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Built:
    """One spec after the builder ran: a source, or why there is none."""

    label: str
    network: str
    source: Source | None = None
    error: str = ""
    auth_failed: bool = False


def build_sources(
    factory: SourceFactory, specs: list[str], session: Session, since: datetime | None
) -> list[Built]:
    """Build every spec's source; a spec that cannot be built says why (never raises)."""
    built: list[Built] = []
    for spec, label in zip(specs, source_labels(specs), strict=True):
        network = spec_network(spec) or ""
        try:
            source = factory(spec, session=session, since=since)
        except SourceAuthError as exc:
            built.append(Built(label, network, error=str(exc), auth_failed=True))
        except Exception as exc:  # noqa: BLE001 - any adapter failure becomes a stopped line
            if not isinstance(exc, (ValueError, LookupError, OSError, ImportError)):
                log.exception("building the source %s failed", spec)
            built.append(Built(label, network, error=str(exc) or type(exc).__name__))
        else:
            built.append(Built(label, network, source=source))
    return built


class _MeteredSink:
    """The recording's sink, counting the posts each source delivers ("42/min")."""

    def __init__(self, inner, on_posts: Callable[[Source, int], None]) -> None:
        self._inner = inner
        self._on_posts = on_posts

    def on_posts(self, source, parsed) -> None:
        self._on_posts(source, len(parsed.posts))
        self._inner.on_posts(source, parsed)

    def on_status(self, source, status) -> None:
        self._inner.on_status(source, status)

    def on_skipped(self, source, where, reason) -> None:
        self._inner.on_skipped(source, where, reason)

    def __getattr__(self, name):  # wait(), counts, statuses
        return getattr(self._inner, name)


def _utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class LiveRecording(QObject):
    """Records the open session's network sources while it should.

    ``status_changed(label, network, status)`` arrives on the GUI thread for
    every status of every source (and for sources that could not be built).
    ``recording_changed(active)`` when recording starts or stops."""

    status_changed = Signal(str, str, object)
    recording_changed = Signal(bool)
    statuses_cleared = Signal()
    # From worker threads; connected queued to this object (which lives on the GUI thread).
    _thread_status = Signal(int, str, object)
    _thread_built = Signal(int, object)

    def __init__(
        self,
        writer: StoreWriter,
        *,
        source_factory: SourceFactory,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.writer = writer
        self.factory = source_factory
        self.clock = clock
        self.monotonic = monotonic
        self.session: Session | None = None
        self.statuses: dict[str, SourceStatus] = {}
        self.networks: dict[str, str] = {}
        self.recording: SessionRecording | None = None
        self._run = 0  # statuses and builds of older runs are dropped
        self._wanted = False  # the user or the schedule wants recording now
        self._started = False  # started_at stamped for this run
        self._closed = False
        self._builders: list[threading.Thread] = []
        self._stopping: list[SessionRecording] = []
        self._labels: dict[int, str] = {}  # id(source) -> label
        # Labels that never got a source (no account, no token): "Fix account…" helps them.
        self._unbuilt: set[str] = set()
        self._arrivals: dict[str, collections.deque[tuple[float, int]]] = {}
        self._lock = threading.Lock()
        self._thread_status.connect(self._on_thread_status, Qt.ConnectionType.QueuedConnection)
        self._thread_built.connect(self._on_built, Qt.ConnectionType.QueuedConnection)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.timer.timeout.connect(self.on_schedule_tick)

    # ------------------------------------------------------------ what the window asks
    @property
    def active(self) -> bool:
        """Recording (or building the sources to) right now."""
        return self._wanted

    def specs(self) -> list[str]:
        return network_specs(self.session.sources) if self.session else []

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

    # ------------------------------------------------------------ session and schedule
    def set_session(self, session: Session | None) -> None:
        """The window opened ``session``: stop recording the previous one, then
        record this one if its schedule says so (an unscheduled one waits for
        ``set_recording(True)``)."""
        if self.session is not None and session is not None and session.id == self.session.id:
            self.session = dataclasses.replace(
                session, started_at=self.session.started_at, ended_at=self.session.ended_at
            )
            return
        self.stop()
        self._run += 1
        self.session = session
        self.statuses.clear()
        self.networks.clear()
        self._unbuilt.clear()
        with self._lock:
            self._arrivals.clear()
        self.statuses_cleared.emit()
        self.on_schedule_tick()

    def on_schedule_tick(self) -> None:
        """Start or stop as the schedule says now; set the timer to the next change."""
        self.timer.stop()
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
            self.timer.start(max(0, int(delay.total_seconds() * 1000)) + 1)

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
            try:
                self._thread_built.emit(run, built)
            except RuntimeError:  # the window went away while we built: let them go
                for item in built:
                    if item.source is not None:
                        item.source.close()

        thread = threading.Thread(target=build, name="jamdeck-build-sources", daemon=True)
        self._builders = [t for t in self._builders if t.is_alive()] + [thread]
        thread.start()
        self.recording_changed.emit(True)

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
            self.recording_changed.emit(False)
            return
        recording = SessionRecording(
            self.writer, self.session.id, sources, on_status=self._status_callback(run)
        )
        recording.sink = _MeteredSink(recording.sink, self._count)
        self.recording = recording
        self._stamp(started=True)
        recording.start()

    def _status_callback(self, run: int) -> Callable[[Source, SourceStatus], None]:
        def report(source: Source, status: SourceStatus) -> None:  # on a source thread
            label = self._labels.get(id(source), source.name)
            try:
                self._thread_status.emit(run, label, status)
            except RuntimeError:  # the controller is gone (window closed): nobody to tell
                pass

        return report

    def _count(self, source: Source, n: int) -> None:  # on a source thread
        label = self._labels.get(id(source), source.name)
        with self._lock:
            arrivals = self._arrivals.setdefault(label, collections.deque())
            arrivals.append((self.monotonic(), n))

    def _on_thread_status(self, run: int, label: str, status: SourceStatus) -> None:
        if run != self._run or self._closed:
            return
        if not self._wanted and status.state not in (SourceState.STOPPED, SourceState.FINISHED):
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
        self.status_changed.emit(label, network, status)

    def needs_account(self, label: str) -> bool:
        status = self.statuses.get(label)
        if status is None or status.state != SourceState.STOPPED:
            return False
        return status.auth_failed or label in self._unbuilt

    def stop(self) -> None:
        """Stop recording now (the sources end on their threads; ``shutdown`` waits)."""
        if not self._wanted:
            return
        self._wanted = False
        recording, self.recording = self.recording, None
        for label, status in list(self.statuses.items()):
            if status.state != SourceState.STOPPED:  # asked to stop: it is, to the user
                self._show(label, self.networks.get(label, ""), SourceStatus(SourceState.FINISHED))
        if recording is not None:
            recording.stop()
            self._stopping.append(recording)
            self._stamp(started=False)
        self._stopping = [r for r in self._stopping if r.running]
        self.recording_changed.emit(False)

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
        self.timer.stop()
        self.stop()
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


# ---------------------------------------------------------------- the status bar


def status_line(
    label: str, status: SourceStatus, *, per_minute: int = 0, now: datetime | None = None
) -> str:
    """One source's state in words: "X: connected · 42/min"."""
    now = now or datetime.now(UTC)
    state = status.state
    if state == SourceState.CONNECTED:
        return f"{label}: connected · {per_minute:,}/min"
    if state == SourceState.RECONNECTING:
        if status.until is not None:
            seconds = max(0, round((status.until - now).total_seconds()))
            return f"{label}: reconnecting in {seconds} s"
        return f"{label}: reconnecting…"
    if state == SourceState.RATE_LIMITED:
        if status.until is not None:
            return f"{label}: rate limited until {status.until.astimezone().strftime('%H:%M')}"
        return f"{label}: rate limited"
    if state == SourceState.STOPPED:
        return f"{label}: stopped — {status.message or 'no reason given'}"
    if state == SourceState.FINISHED:
        return f"{label}: stopped"
    if state == SourceState.CONNECTING:
        return f"{label}: connecting…"
    return f"{label}: {state.value}"


class SourceStatusItem(QWidget):
    """One source in the status bar: its line, and "Fix account…" when it stopped."""

    fix_requested = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = label
        self.setObjectName("liveSource")
        self.text = QLabel(self)
        self.text.setObjectName("sourceStatus")
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        # Elided by LABEL_CHARS instead of clipped mid-word by a crowded status bar.
        self.text.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        self.fix = QToolButton(self)
        self.fix.setObjectName("fixAccountButton")
        self.fix.setText("Fix account…")
        self.fix.setAutoRaise(True)
        self.fix.setCursor(Qt.CursorShape.PointingHandCursor)
        self.fix.clicked.connect(self.fix_requested)
        self.fix.hide()
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(2)
        row.addWidget(self.text)
        row.addWidget(self.fix)

    def show_status(self, line: str, status: SourceStatus, *, theme, needs_account: bool) -> None:
        short = line if len(line) <= LABEL_CHARS else line[: LABEL_CHARS - 1] + "…"
        if self.text.text() != short:
            self.text.setText(short)
        self.text.setToolTip(line if short != line else "")
        self.setProperty("state", status.state.value)
        if status.state == SourceState.STOPPED:
            color = f"color: {theme.error}; font-weight: bold;"
        elif status.state in (SourceState.RECONNECTING, SourceState.RATE_LIMITED):
            color = f"color: {theme.text};"
        elif status.state == SourceState.CONNECTED:
            color = ""
        else:
            color = f"color: {theme.muted};"
        if self.text.styleSheet() != color:
            self.text.setStyleSheet(color)
        self.fix.setStyleSheet(
            f"QToolButton {{ color: {theme.accent}; text-decoration: underline; border: none; }}"
        )
        self.fix.setVisible(needs_account)


class LiveStatusBar(QWidget):
    """The sources of the live recording, side by side, refreshed every second
    (the countdowns and the per-minute counts move on their own)."""

    fix_requested = Signal(str)  # the label of the source whose account needs fixing

    def __init__(
        self, recording: LiveRecording, theme: themes.Theme, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("liveStatusBar")
        self.recording = recording
        self.theme = theme
        self.items: dict[str, SourceStatusItem] = {}
        self.row = QHBoxLayout(self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self.row.setSpacing(16)
        self.row.addStretch(1)  # the sources sit left, side by side
        recording.status_changed.connect(self.on_status)
        recording.statuses_cleared.connect(self.clear)
        self.tick = QTimer(self)
        self.tick.setInterval(1000)
        self.tick.timeout.connect(self.refresh)
        self.hide()

    def on_status(self, label: str, _network: str, _status: SourceStatus) -> None:
        item = self.items.get(label)
        if item is None:
            item = SourceStatusItem(label, self)
            item.fix_requested.connect(lambda label=label: self.fix_requested.emit(label))
            self.items[label] = item
            self.row.insertWidget(self.row.count() - 1, item)
        self.show()
        self.refresh()
        if not self.tick.isActive():
            self.tick.start()

    def refresh(self) -> None:
        now = datetime.now(UTC)
        for label, item in self.items.items():
            status = self.recording.statuses.get(label)
            if status is None:
                continue
            line = status_line(label, status, per_minute=self.recording.per_minute(label), now=now)
            item.show_status(
                line, status, theme=self.theme, needs_account=self.recording.needs_account(label)
            )

    def line(self, label: str) -> str:
        item = self.items.get(label)
        return item.text.toolTip() or item.text.text() if item is not None else ""

    def clear(self) -> None:
        for item in self.items.values():
            self.row.removeWidget(item)
            item.hide()
            item.deleteLater()
        self.items.clear()
        self.tick.stop()
        self.hide()

    def apply_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.refresh()

    def stop(self) -> None:
        self.tick.stop()
