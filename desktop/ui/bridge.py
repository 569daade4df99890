"""The one trampoline from background threads to the GUI thread.

The store writer calls ``StoreBridge.deliver(result)`` on its thread after a
commit; the signal it emits is delivered queued to the GUI thread (the bridge
lives there). Sources report their state the same way. ``SourceRunner`` runs
one source on a Python thread the window owns and stops it on close.
"""

from __future__ import annotations

import dataclasses
import logging
import threading

from PySide6.QtCore import QObject, Signal

from desktop.app.recording import RecordingSink
from desktop.sources.base import Source, SourceState, SourceStatus
from desktop.store.writer import StoreWriter

log = logging.getLogger("jamdeck.ui.bridge")


@dataclasses.dataclass(frozen=True, slots=True)
class PostsChanged:
    """A writer operation changed these posts (question, collected...)."""

    session_id: int
    ids: tuple[int, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ColumnsChanged:
    """A writer operation changed the session's saved columns."""

    session_id: int


class StoreBridge(QObject):
    committed = Signal(object)  # IngestResult | PostsChanged | ColumnsChanged
    source_status = Signal(str, object)  # source name, SourceStatus

    def deliver(self, result: object) -> None:
        """Called on the writer thread: hand the result to the GUI thread."""
        self.committed.emit(result)

    def report_status(self, source: Source, status: SourceStatus) -> None:
        self.source_status.emit(source.name, status)


class SourceRunner:
    """One live source on its own thread, recording into a session."""

    def __init__(
        self, source: Source, writer: StoreWriter, session_id: int, bridge: StoreBridge
    ) -> None:
        self.source = source
        self.bridge = bridge
        self.stop_event = threading.Event()
        self.sink = RecordingSink(writer, session_id, on_status=bridge.report_status)
        self.thread = threading.Thread(target=self._run, name=f"jamdeck-source-{source.name}")

    def start(self) -> None:
        self.thread.start()

    def _run(self) -> None:
        try:
            self.source.run(self.sink, self.stop_event)
        except Exception as exc:  # the adapter's bug: stop this source, tell the user
            log.exception("source %s failed", self.source.name)
            self.bridge.report_status(self.source, SourceStatus(SourceState.STOPPED, str(exc)))

    def stop(self, *, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout)

    @property
    def running(self) -> bool:
        return self.thread.is_alive()
