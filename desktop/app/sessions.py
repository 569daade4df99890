"""Sessions: create one (with the jam's column preset), add to one, reset the demo.

Every way a session comes to be (the new-session dialog, an import, the demo,
``jamdeck record``) goes through ``create_session`` here, so each new session
gets its columns in one place. The functions run their writes on the store
writer and return the session as committed.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from desktop.app.changes import ColumnsChanged
from desktop.core.session import Session
from desktop.store import columns as saved_columns
from desktop.store import library
from desktop.store.library import SessionExists, SessionNotFound
from desktop.store.writer import StoreWriter, WriterContext

DEMO_SESSION = "demo"

__all__ = [
    "DEMO_SESSION",
    "SessionExists",
    "SessionNotFound",
    "create_session",
    "discard_if_empty",
    "ensure_columns",
    "ensure_question_columns",
    "ensure_session",
    "name_for_import",
    "reset_demo",
]


def _create(ctx: WriterContext, name: str, **fields) -> Session:
    session_id = library.create_session(ctx.conn, name, **fields)
    saved_columns.apply_preset(ctx.conn, session_id)
    return library.get_session(ctx.conn, session_id)


def create_session(
    writer: StoreWriter,
    name: str,
    *,
    title: str = "",
    hashtags: Sequence[str] = (),
    hosts: Sequence[str] = (),
    sources: Sequence[str] = (),
    scheduled_start: float | None = None,
    scheduled_end: float | None = None,
) -> Session:
    """A new session with the jam's columns; ``SessionExists`` if the name is taken."""
    fields = {
        "title": title,
        "hashtags": hashtags,
        "hosts": hosts,
        "sources": sources,
        "scheduled_start": scheduled_start,
        "scheduled_end": scheduled_end,
    }
    return writer.call(lambda ctx: _create(ctx, name, **fields), notify=False)


def ensure_session(
    writer: StoreWriter,
    name: str,
    *,
    title: str = "",
    hashtags: Sequence[str] = (),
    hosts: Sequence[str] = (),
    sources: Sequence[str] = (),
) -> tuple[Session, bool]:
    """The session ``name``, created if new (then ``True``), else given the hashtags and
    hosts it lacks: an import or a recording into an existing session adds to it."""

    def op(ctx: WriterContext) -> tuple[Session, bool]:
        try:
            session = library.get_session(ctx.conn, name, count_posts=False)
        except SessionNotFound:
            session = _create(
                ctx, name, title=title, hashtags=hashtags, hosts=hosts, sources=sources
            )
            return session, True
        changes = {}
        new_tags = [t for t in hashtags if t.lstrip("#") not in session.hashtags]
        if new_tags:
            changes["hashtags"] = [*session.hashtags, *new_tags]
        new_hosts = [h for h in hosts if h.lstrip("@") not in session.hosts]
        if new_hosts:
            changes["hosts"] = [*session.hosts, *new_hosts]
        if changes:
            library.update_session(ctx.conn, session.id, **changes)
            # The jam facts of this session were computed with the old hosts/hashtags.
            ctx.ingestor.forget_session(session.id)
        return library.get_session(ctx.conn, session.id), False

    return writer.call(op, notify=False)


def discard_if_empty(writer: StoreWriter, session_id: int) -> bool:
    """Delete the session if it holds no post: a run that created it and then
    failed (an import that found nothing, a recording that reached no network)
    leaves nothing behind. Call it only for a session the run created: a
    session the user had is never deleted. True if it was deleted."""

    def op(ctx: WriterContext) -> bool:
        held = ctx.conn.execute(
            "SELECT 1 FROM session_posts WHERE session_id = ? LIMIT 1", (session_id,)
        ).fetchone()
        if held:
            return False
        library.delete_session(ctx.conn, session_id)
        return True

    return writer.call(op, notify=False)


def reset_demo(writer: StoreWriter, header: dict) -> Session:
    """A fresh "demo" session (the demo replays from the start every time), described
    by the demo archive's ``header``."""

    def op(ctx: WriterContext) -> Session:
        try:
            old = library.get_session(ctx.conn, DEMO_SESSION, count_posts=False)
        except SessionNotFound:
            pass
        else:
            library.delete_session(ctx.conn, old.id)
            ctx.ingestor.forget_session(old.id)
        return _create(
            ctx,
            DEMO_SESSION,
            title=header.get("title", "Demo jam"),
            hashtags=header.get("hashtags", []),
            hosts=header.get("hosts", []),
            sources=["replay:demo"],
        )

    return writer.call(op, notify=False)


def ensure_columns(writer: StoreWriter, session_id: int) -> None:
    """A session without columns (made by an older JamDeck, or all removed) gets the preset."""
    writer.call(lambda ctx: saved_columns.apply_preset(ctx.conn, session_id), notify=False)


def ensure_question_columns(
    ctx: WriterContext, session_id: int, numbers: Sequence[int]
) -> ColumnsChanged:
    """Writer operation: a column for each question ``numbers`` that lacks one."""
    for number in numbers:
        saved_columns.ensure_question_column(ctx.conn, session_id, number)
    return ColumnsChanged(session_id)


def name_for_import(reader: sqlite3.Connection, path: Path) -> str:
    """A new session's name for an archive file: its stem, made unique."""
    base = re.sub(r"[^\w.-]+", "-", Path(path).stem).strip("-") or "import"
    taken = {s.name for s in library.list_sessions(reader)}
    name, n = base, 2
    while name in taken:
        name, n = f"{base}-{n}", n + 1
    return name
