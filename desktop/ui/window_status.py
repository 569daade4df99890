"""The window's status bar: the live sources, a notice, pending actions, post counts
and the rate of arrivals."""

from __future__ import annotations

import time
from collections import deque

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QStatusBar, QToolButton, QWidget

from desktop.ui import theme as themes
from desktop.ui.recording import LiveRecording, LiveStatusBar

NOTICE_MS = 10_000  # how long a notice (a refused action) stays
RATE_WINDOW = 60.0  # seconds of arrivals behind "N posts/min"


class WindowStatus:
    """Fills ``bar`` (the window's QStatusBar) and keeps it current."""

    def __init__(self, bar: QStatusBar, recording: LiveRecording, theme: themes.Theme) -> None:
        self.theme = theme
        self.recording = recording
        self.sources_box = QWidget()
        row = QHBoxLayout(self.sources_box)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(16)
        self.no_sources = QLabel("offline — reading the cache")
        row.addWidget(self.no_sources)
        self.live_status = LiveStatusBar(recording, theme)
        row.addWidget(self.live_status)
        self.rate_label = QLabel("")
        self.count_label = QLabel("")
        self.notice_label = QLabel("")
        self.notice_label.setObjectName("statusNotice")
        self.notice_label.setTextFormat(Qt.TextFormat.PlainText)
        self.notice_timer = QTimer(bar)
        self.notice_timer.setSingleShot(True)
        self.notice_timer.timeout.connect(lambda: self.notice_label.setText(""))
        self.pending_button = QToolButton()
        self.pending_button.setObjectName("pendingButton")
        self.pending_button.setAutoRaise(True)
        self.pending_button.setToolTip("Actions waiting to run, and failed ones")
        bar.addWidget(self.sources_box, 1)
        bar.addWidget(self.notice_label)
        bar.addPermanentWidget(self.pending_button)
        bar.addPermanentWidget(self.count_label)
        bar.addPermanentWidget(self.rate_label)
        self.arrivals: deque[tuple[float, int]] = deque()
        self.rate_timer = QTimer(bar)
        self.rate_timer.setInterval(1000)
        self.rate_timer.timeout.connect(self.update_rate)
        self.rate_timer.start()
        recording.status_changed.connect(lambda *_: self.no_sources.hide())
        self.live_status.emptied.connect(lambda: self.no_sources.setVisible(not recording.active))

    def show_notice(self, text: str, *, error: bool = True) -> None:
        """A short message (e.g. an action the network does not allow)."""
        color = self.theme.error if error else self.theme.muted
        self.notice_label.setStyleSheet(f"color: {color};")
        self.notice_label.setText(text)
        self.notice_timer.start(NOTICE_MS)

    def set_posts(self, count: int) -> None:
        self.count_label.setText(f"{count:,} posts")

    def arrived(self, count: int) -> None:
        self.arrivals.append((time.monotonic(), count))
        self.update_rate()

    def update_rate(self) -> None:
        now = time.monotonic()
        while self.arrivals and self.arrivals[0][0] < now - RATE_WINDOW:
            self.arrivals.popleft()
        if self.recording.active or self.recording.playing or self.arrivals:
            self.rate_label.setText(f"{sum(n for _t, n in self.arrivals):,} posts/min")
        else:
            self.rate_label.setText("")

    def set_pending(self, waiting: int, failed: int) -> None:
        if not waiting and not failed:
            text = "No pending actions"
        else:
            parts = [f"{waiting} pending"] if waiting else []
            if failed:
                parts.append(f"{failed} failed")
            text = "Actions: " + ", ".join(parts)
        self.pending_button.setText(text)
        self.pending_button.setStyleSheet(
            f"color: {self.theme.error}; font-weight: bold;" if failed else ""
        )

    def apply_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.notice_label.setStyleSheet(f"color: {theme.error};")
        self.live_status.apply_theme(theme)

    def stop(self) -> None:
        self.rate_timer.stop()
        self.notice_timer.stop()
        self.live_status.stop()
