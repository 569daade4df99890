"""The time slider: replay a recorded session into the deck at N× speed.

The posts are already in the cache, so a replay never goes through the store
writer: a timer reads the next slice of the session's posts (in time order,
keyset-paged, a few hundred at most per tick, so the GUI never blocks), turns
them into the records the router reads and hands them to the deck exactly as a
committed batch arrives live. Columns fill as they did during the jam; stopping
the replay reloads every column from the cache.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QToolButton,
    QWidget,
)

from desktop.store import library
from desktop.store.ingest import IngestResult

# (label, speed): 0 = as fast as the deck takes them.
SPEEDS = (("1×", 1.0), ("10×", 10.0), ("60×", 60.0), ("As fast as possible", 0.0))
TICK_MS = 50
PAGE = 300  # posts per tick at most (one deck flush)

_NONE: frozenset[str] = frozenset()


class SessionReplay(QObject):
    """Feeds a session's cached posts into the deck in time order, at ``speed``× the
    jam's pace (0: as fast as possible). States: "stopped", "playing", "paused",
    "finished" (every post is in; the replayed view stays until ``stop``)."""

    position_changed = Signal(float)  # the replay's clock: a post time (unix s)
    state_changed = Signal(str)

    def __init__(
        self,
        deck,
        *,
        clock: Callable[[], float] = time.monotonic,
        interval_ms: int = TICK_MS,
        page: int = PAGE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.deck = deck
        self.clock = clock
        self.page = page
        self.state = "stopped"
        self.speed = 10.0
        self.position = 0.0
        self.fed = 0  # posts handed to the deck since the replay started
        self._conn: sqlite3.Connection | None = None
        self._session_id: int | None = None
        self._cursor: tuple[float, int] = (0.0, 0)
        self._end = 0.0
        self._last_tick = 0.0
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.tick)

    @property
    def replaying(self) -> bool:
        return self.state != "stopped"

    def start(
        self, conn: sqlite3.Connection, session_id: int, *, from_time: float, speed: float
    ) -> None:
        """Clear the columns and replay the session from ``from_time`` on."""
        span = library.session_time_range(conn, session_id)
        self.deck.flush()  # what was on its way belongs to the view being replaced
        for widget in self.deck.columns.values():
            widget.clear()
        self._conn, self._session_id = conn, session_id
        self._end = span[1] if span else from_time
        self._cursor = (from_time, -1)  # posts at from_time itself are in
        self.position = from_time
        self.speed = speed
        self.fed = 0
        self._set_state("playing")
        self._last_tick = self.clock()
        self.timer.start()
        self.position_changed.emit(self.position)

    def set_speed(self, speed: float) -> None:
        self.speed = speed

    def pause(self) -> None:
        if self.state == "playing":
            self.timer.stop()
            self._set_state("paused")

    def resume(self) -> None:
        if self.state == "paused":
            self._last_tick = self.clock()
            self.timer.start()
            self._set_state("playing")

    def stop(self) -> None:
        """End the replay and show every column as the cache has it."""
        if self.state == "stopped":
            return
        self.timer.stop()
        self._conn = self._session_id = None
        self._set_state("stopped")
        self.deck.flush()
        for widget in self.deck.columns.values():
            widget.clear()
            widget.model.set_filter(*widget.model.where)  # the first page again, from SQLite

    def tick(self) -> None:
        """One slice: the posts whose time the replay's clock has reached."""
        if self.state != "playing" or self._conn is None:
            return
        now = self.clock()
        elapsed, self._last_tick = max(0.0, now - self._last_tick), now
        if self.speed > 0:
            self.position = min(self._end, self.position + elapsed * self.speed)
            until = self.position
        else:
            until = self._end
        records = library.session_records(
            self._conn, self._session_id, after=self._cursor, until=until, limit=self.page
        )
        if records:
            last = records[-1]
            self._cursor = (last.created_at, last.rowid)
            self.fed += len(records)
            if self.speed <= 0:
                self.position = last.created_at
            self.deck.on_committed(IngestResult(self._session_id, added=records))
        self.position_changed.emit(self.position)
        if len(records) < self.page and until >= self._end:
            self.timer.stop()
            self._set_state("finished")

    def _set_state(self, state: str) -> None:
        if state != self.state:
            self.state = state
            self.state_changed.emit(state)


def _clock_text(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().strftime("%H:%M:%S")


class ReplayBar(QWidget):
    """Slider over the session's time range, speed, play/pause, "Replay from here", stop.

    The play button reads "Play" until a replay runs (then "Pause" / "Resume");
    "Stop replay" ends the replay and asks to close the bar (``close_requested``)."""

    close_requested = Signal()

    def __init__(self, deck, *, clock: Callable[[], float] = time.monotonic, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("replayBar")
        self.replay = SessionReplay(deck, clock=clock, parent=self)
        self.replay.position_changed.connect(self.on_position)
        self.replay.state_changed.connect(self.on_state)
        self._conn: sqlite3.Connection | None = None
        self._session_id: int | None = None
        self.first = self.last = 0.0

        self.title = QLabel("Replay", self)
        self.title.setObjectName("replayTitle")
        self.title.setStyleSheet("font-weight: 600;")
        self.start_label = QLabel("", self)
        self.start_label.setObjectName("replayEdge")
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("replaySlider")
        self.slider.setMinimumWidth(240)
        self.slider.valueChanged.connect(self._show_slider_time)
        self.end_label = QLabel("", self)
        self.end_label.setObjectName("replayEdge")
        self.time_label = QLabel("", self)
        self.time_label.setObjectName("replayTime")
        self.time_label.setMinimumWidth(120)
        self.speed = QComboBox(self)
        self.speed.setObjectName("replaySpeed")
        for text, value in SPEEDS:
            self.speed.addItem(text, value)
        self.speed.setCurrentIndex(2)  # 60×: an hour's jam in a minute
        self.speed.currentIndexChanged.connect(
            lambda _i: self.replay.set_speed(float(self.speed.currentData()))
        )
        self.from_here = QPushButton("Replay from here", self)
        self.from_here.setObjectName("replayFromHere")
        self.from_here.clicked.connect(self.replay_from_here)
        self.play = QToolButton(self)
        self.play.setObjectName("replayPlayPause")
        self.play.setText("Play")
        # Wide enough for each of its labels: the row must not move as it changes.
        metrics = self.play.fontMetrics()
        self.play.setMinimumWidth(
            max(metrics.horizontalAdvance(t) for t in ("Play", "Pause", "Resume")) + 16
        )
        self.play.clicked.connect(self.toggle_pause)
        self.stop_button = QToolButton(self)
        self.stop_button.setObjectName("replayStop")
        self.stop_button.setText("Stop replay")
        self.stop_button.setToolTip("Show every column as recorded again")
        self.stop_button.clicked.connect(self.on_stop_clicked)

        row = QHBoxLayout(self)
        row.setContentsMargins(14, 6, 14, 6)
        row.setSpacing(8)
        row.addWidget(self.title)
        row.addWidget(self.start_label)
        row.addWidget(self.slider, 1)
        row.addWidget(self.end_label)
        row.addWidget(self.time_label)
        row.addWidget(self.speed)
        row.addWidget(self.from_here)
        row.addWidget(self.play)
        row.addWidget(self.stop_button)
        self.on_state("stopped")

    def set_session(self, conn: sqlite3.Connection | None, session_id: int | None) -> bool:
        """Range the slider over the session's posts; False when there is nothing to replay."""
        self.replay.stop()
        self._conn, self._session_id = conn, session_id
        span = (
            library.session_time_range(conn, session_id)
            if conn and session_id is not None
            else None
        )
        if span is None:
            self.first = self.last = 0.0
            self.slider.setRange(0, 0)
            self.start_label.setText("")
            self.end_label.setText("")
            self.time_label.setText("no posts")
            self.from_here.setEnabled(False)
            self.on_state(self.replay.state)
            return False
        self.first, self.last = span
        self.slider.setRange(0, max(0, int(self.last - self.first)))
        self.slider.setValue(0)
        self.start_label.setText(_clock_text(self.first)[:5])
        self.end_label.setText(_clock_text(self.last)[:5])
        self._show_slider_time(0)
        self.from_here.setEnabled(True)
        self.on_state(self.replay.state)
        return True

    def slider_time(self) -> float:
        return self.first + self.slider.value()

    def set_speed(self, speed: float) -> None:
        for i in range(self.speed.count()):
            if float(self.speed.itemData(i)) == speed:
                self.speed.setCurrentIndex(i)
                return
        raise ValueError(f"no speed {speed}")

    def replay_from_here(self) -> None:
        if self._conn is None or self._session_id is None:
            return
        self.replay.start(
            self._conn,
            self._session_id,
            from_time=self.slider_time(),
            speed=float(self.speed.currentData()),
        )

    def toggle_pause(self) -> None:
        if self.replay.state == "playing":
            self.replay.pause()
        elif self.replay.state == "paused":
            self.replay.resume()
        else:  # nothing playing yet (or it finished): play from the slider's time
            self.replay_from_here()

    def on_stop_clicked(self) -> None:
        self.replay.stop()
        self.close_requested.emit()

    def on_position(self, position: float) -> None:
        if not self.slider.isSliderDown():
            self.slider.blockSignals(True)
            self.slider.setValue(int(position - self.first))
            self.slider.blockSignals(False)
        self.time_label.setText(f"{_clock_text(position)} · {self.replay.fed:,} posts")

    def on_state(self, state: str) -> None:
        playable = self.from_here.isEnabled()
        self.play.setEnabled(state in ("playing", "paused") or playable)
        self.play.setText({"playing": "Pause", "paused": "Resume"}.get(state, "Play"))
        self.stop_button.setEnabled(state != "stopped")
        if state == "stopped":
            self._show_slider_time(self.slider.value())
        elif state == "finished":
            self.time_label.setText(f"end · {self.replay.fed:,} posts")

    def _show_slider_time(self, value: int) -> None:
        if self.replay.state == "stopped" and self.last:
            self.time_label.setText(_clock_text(self.first + value))
