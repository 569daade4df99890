"""Importing archive files into a session: the session (made or added to), the replay,
and what landed.

``jamdeck import`` runs ``prepare_import(...).run()`` (the command stops the
recording on Ctrl-C); the window plays the same source into a new session.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from desktop.app.import_pipeline import import_source
from desktop.app.recording import RecordingCounts, SessionRecording
from desktop.app.sessions import discard_if_empty, ensure_session
from desktop.core.session import Session
from desktop.sources.replay import ReplaySource
from desktop.store.writer import StoreWriter

__all__ = ["ArchiveImport", "ImportReport", "prepare_import"]


@dataclasses.dataclass(frozen=True, slots=True)
class ImportReport:
    session: Session
    counts: RecordingCounts  # added, updated, skipped, failed batches
    referenced: int  # posts the archive quoted or retweeted, kept alongside
    elapsed: float  # seconds
    errors: dict[str, BaseException]  # a source that failed, by name
    # The files held no post at all (a CSV, random bytes, a format no reader
    # knows: ``counts.skipped`` says why); a session the import made is gone again.
    imported_nothing: bool = False
    session_removed: bool = False

    @property
    def rate(self) -> float:
        """Posts written per second."""
        done = self.counts.added + self.counts.updated
        return done / self.elapsed if self.elapsed > 0 else 0.0


@dataclasses.dataclass(slots=True)
class ArchiveImport:
    """An import ready to run: the session exists, the replay is set up."""

    session: Session
    source: ReplaySource
    recording: SessionRecording
    created: bool = False  # the import made the session

    def run(self) -> ImportReport:
        """Replay every file (or until ``recording.stop()``); the posts are committed.
        When the files held no post, a session this import made is removed again."""
        started = time.perf_counter()
        self.recording.run()
        elapsed = time.perf_counter() - started
        nothing = self.source.stats.posts == 0 and self.source.stats.referenced == 0
        removed = (
            nothing
            and self.created
            and discard_if_empty(self.recording.sink.writer, self.session.id)
        )
        return ImportReport(
            imported_nothing=nothing,
            session_removed=removed,
            session=self.session,
            counts=self.recording.sink.counts,
            referenced=self.source.stats.referenced,
            elapsed=elapsed,
            errors=dict(self.recording.errors),
        )


def prepare_import(
    writer: StoreWriter,
    files: Sequence[str | Path],
    session_name: str,
    *,
    hashtags: Sequence[str] = (),
    hosts: Sequence[str] = (),
    on_progress: Callable[[Path | str, int], None] | None = None,
) -> ArchiveImport:
    """Set up importing ``files`` ("-" is standard input) into the session ``session_name``,
    created if new. Hashtags, hosts and title default to the archive header's.
    ``on_progress(path, bytes_read)`` hears of the replay's progress."""
    files = [str(f) for f in files]
    source = import_source(list(files), on_progress=on_progress)  # big files: the worker
    header = source.read_header() or {}
    session, created = ensure_session(
        writer,
        session_name,
        hashtags=list(hashtags) or header.get("hashtags", []),
        hosts=list(hosts) or header.get("hosts", []),
        title=header.get("title", ""),
        sources=[f"replay:{Path(f).name}" for f in files],
    )
    recording = SessionRecording(writer, session.id, [source])
    recording.created_session = created
    return ArchiveImport(session, source, recording, created=created)
