"""Recording source specs into a session, headless: the session (made or added to),
where to catch up from, the sources, ready to run.

``jamdeck record`` calls ``prepare_recording`` and runs the ``SessionRecording`` it
returns (stopping it on Ctrl-C); ``stopped_statuses`` says which sources ended
on an error the user must fix.
"""

from __future__ import annotations

from collections.abc import Sequence

from desktop.app.recording import SessionRecording
from desktop.app.sessions import discard_if_empty, ensure_session
from desktop.app.source_specs import SourceFactory, catch_up_since
from desktop.sources.base import SourceAuthError, SourceError, SourceState, SourceStatus
from desktop.sources.registry import UnknownSource
from desktop.store.writer import StoreWriter

__all__ = [
    "SourceSetupError",
    "UnknownSource",
    "finish_failed_run",
    "prepare_recording",
    "stopped_statuses",
    "unreached_sources",
]


class SourceSetupError(Exception):
    """A spec whose source cannot be built: ``spec``, the adapter's message, and
    whether the network rejected (or lacks) the credentials."""

    def __init__(self, spec: str, message: str, *, auth_failed: bool = False) -> None:
        super().__init__(message)
        self.spec = spec
        self.auth_failed = auth_failed


def prepare_recording(
    writer: StoreWriter,
    session_name: str,
    specs: Sequence[str],
    *,
    hashtags: Sequence[str],
    hosts: Sequence[str] = (),
    factory: SourceFactory,
) -> SessionRecording:
    """The session ``session_name`` (created if new, else given the hashtags and hosts
    it lacks) and a recording of every spec's source into it, each catching up from
    ``catch_up_since``. Builds the sources in order and stops at the first that
    cannot be built: ``UnknownSource`` for a spec no adapter reads, else
    ``SourceSetupError`` (a session made for this run is removed again)."""
    session, created = ensure_session(
        writer, session_name, hashtags=list(hashtags), hosts=list(hosts), sources=list(specs)
    )
    since = catch_up_since(session, is_new=created)
    sources = []
    try:
        for spec in specs:
            try:
                sources.append(factory(spec, session=session, since=since))
            except SourceAuthError as exc:
                raise SourceSetupError(spec, str(exc), auth_failed=True) from exc
            except (SourceError, ValueError) as exc:
                raise SourceSetupError(spec, str(exc)) from exc
    except (UnknownSource, SourceSetupError):
        if created:
            discard_if_empty(writer, session.id)
        raise
    recording = SessionRecording(writer, session.id, sources)
    recording.created_session = created
    return recording


def unreached_sources(recording: SessionRecording) -> dict[str, str]:
    """Sources that never reached their network during the run, each with why
    (the last "cannot reach ..." it reported)."""
    sink = recording.sink
    return {
        name: why.split("; retrying")[0]
        for name, why in sink.troubles.items()
        if name not in sink.connected
    }


def finish_failed_run(recording: SessionRecording) -> bool:
    """After a run that failed: remove the session again if this run made it and
    nothing was recorded (an existing session is never removed). True if removed."""
    if not recording.created_session:
        return False
    recording.sink.wait()
    return discard_if_empty(recording.sink.writer, recording.sink.session_id)


def stopped_statuses(recording: SessionRecording) -> list[SourceStatus]:
    """The last status of each source that stopped on an error the user must fix."""
    return [s for s in recording.sink.statuses.values() if s.state == SourceState.STOPPED]
