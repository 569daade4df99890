"""Live recording for the window: the application's ``LiveRecorder`` on the GUI thread,
and its line per source in the status bar.

``LiveRecording`` gives the recorder the window's trampoline, a Qt timer for
the schedule, and turns what it hears into signals: ``status_changed(label,
network, status)`` for every status of every source (and for sources that
could not be built), ``recording_changed(active)``, ``statuses_cleared()``.
Everything else (``active``, ``statuses``, ``set_session``, ``play``...) is the
recorder's.

``LiveStatusBar`` shows one line per source in the status bar: "X: connected ·
42/min", "Bluesky: rate limited until 19:42", "X: stopped — <reason>" in red
with a "Fix account…" button.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

from desktop.app.live import LiveRecorder
from desktop.app.source_specs import SourceFactory, status_line
from desktop.sources.base import SourceState, SourceStatus
from desktop.store.writer import StoreWriter
from desktop.ui import theme as themes
from desktop.ui.trampoline import Trampoline

LABEL_CHARS = 64  # a longer status line is elided (the tooltip has all of it)


class LiveRecording(QObject):
    status_changed = Signal(str, str, object)
    recording_changed = Signal(bool)
    statuses_cleared = Signal()

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
        self.main = Trampoline(self)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setTimerType(Qt.TimerType.VeryCoarseTimer)
        self.recorder = LiveRecorder(
            writer,
            source_factory=source_factory,
            listener=self,
            run_on_main=self.main.run_on_main,
            set_timer=self._set_timer,
            clock=clock,
            monotonic=monotonic,
        )
        self.timer.timeout.connect(self.recorder.on_schedule_tick)

    def __getattr__(self, name: str):
        # Only reached for names this QObject lacks: the recorder's state and calls.
        return getattr(self.__dict__["recorder"], name)

    # The recorder's LiveListener, on the GUI thread.
    def on_status(self, label: str, network: str, status: SourceStatus) -> None:
        self.status_changed.emit(label, network, status)

    def on_recording_changed(self, active: bool) -> None:
        self.recording_changed.emit(active)

    def on_statuses_cleared(self) -> None:
        self.statuses_cleared.emit()

    def _set_timer(self, seconds: float | None) -> None:
        if seconds is None:
            self.timer.stop()
        else:
            self.timer.start(int(seconds * 1000) + 1)

    def shutdown(self, *, timeout: float = 5.0) -> bool:
        ended = self.recorder.shutdown(timeout=timeout)
        self.main.close()
        return ended


# ---------------------------------------------------------------- the status bar


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
    emptied = Signal()  # no source line left (the window says it reads the cache)

    # How long a finished one-off source (the demo, an import) keeps its line.
    FINISHED_LINGER_MS = 10_000

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
        self.linger_ms = self.FINISHED_LINGER_MS
        self.hide()

    def on_status(self, label: str, _network: str, status: SourceStatus) -> None:
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
        if status.state == SourceState.FINISHED and label not in self.recording.live_labels():
            # A replay that is done says so for a moment, then gives the bar back.
            QTimer.singleShot(self.linger_ms, self, lambda: self.drop_finished(label))

    def drop_finished(self, label: str) -> None:
        status = self.recording.statuses.get(label)
        item = self.items.get(label)
        if item is None or status is None or status.state != SourceState.FINISHED:
            return  # playing again, or gone already
        del self.items[label]
        self.row.removeWidget(item)
        item.hide()
        item.deleteLater()
        if not self.items:
            self.tick.stop()
            self.hide()
            self.emptied.emit()

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
