"""The demo jam: a generated one-hour jam on #jamdeckdemo, shipped with the app."""

from __future__ import annotations

from pathlib import Path

from desktop.app.sessions import reset_demo
from desktop.core.resources import resource_path
from desktop.core.session import Session
from desktop.sources.replay import ReplaySource
from desktop.store.writer import StoreWriter

DEMO_NAME = "demo jam (replay)"  # what the status bar calls it


class DemoMissing(FileNotFoundError):
    """The embedded demo archive is not there (a broken install)."""


def demo_archive_path() -> Path:
    return resource_path("demo", "demo_jam.jsonl")


def start_demo(writer: StoreWriter, *, speed: float) -> tuple[Session, ReplaySource]:
    """A fresh "demo" session and the source that plays the demo jam into it at
    ``speed``× its real pace (0: all at once); the caller runs the source."""
    archive = demo_archive_path()
    if not archive.exists():
        raise DemoMissing(f"the demo jam is missing ({archive})")
    source = ReplaySource([archive], speed=speed)
    source.name = DEMO_NAME
    session = reset_demo(writer, source.read_header() or {})
    return session, source
