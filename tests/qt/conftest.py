"""Qt test fixtures: a real window over a temporary library, and Qt warnings as failures."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QtMsgType

import desktop.ui  # noqa: F401  (applies the PySide6 6.12 / CPython 3.11 None-refcount workaround first)
from desktop.core.normalize import Parsed
from desktop.store import columns as saved_columns
from desktop.store import library
from desktop.ui import theme as themes
from desktop.ui.main_window import MainWindow

# Qt messages that are not about our code.
IGNORED_QT_MESSAGES = (
    # The offscreen platform plugin says this for every top-level window it shows.
    "This plugin does not support propagateSizeHints()",
)


@pytest.fixture(autouse=True)
def qt_warnings_fail(qtlog):
    """A Qt warning (or worse) logged during a test fails it."""
    yield
    bad = [
        record.message
        for record in qtlog.records
        if record.type in (QtMsgType.QtWarningMsg, QtMsgType.QtCriticalMsg, QtMsgType.QtFatalMsg)
        and not any(ignored in record.message for ignored in IGNORED_QT_MESSAGES)
    ]
    assert not bad, f"Qt warnings: {bad}"


@pytest.fixture
def library_path(tmp_path) -> Path:
    return tmp_path / "library.db"


def create_jam_session(
    window: MainWindow, name: str = "jam", *, hosts=("host",), hashtags=("jam",)
) -> int:
    def op(ctx):
        session_id = library.create_session(
            ctx.conn, name, hashtags=list(hashtags), hosts=list(hosts)
        )
        saved_columns.apply_preset(ctx.conn, session_id)
        return session_id

    return window.writer.call(op, notify=False)


def ingest(window: MainWindow, session_id: int, posts) -> None:
    """Hand a batch to the store writer, as a source would (committed, then shown)."""
    window.writer.ingest(session_id, Parsed(posts=list(posts))).result(timeout=10)


@pytest.fixture
def make_window(qtbot, library_path):
    windows: list[MainWindow] = []

    def make(
        theme: themes.Theme = themes.LIGHT, *, size=(1400, 900), coalesce_ms: int = 20
    ) -> MainWindow:
        window = MainWindow(library_path, theme=theme, coalesce_ms=coalesce_ms)
        qtbot.addWidget(window)
        window.url_opener = lambda url: opened.append(url.toString())
        window.opened_urls = opened = []
        window.resize(*size)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()


@pytest.fixture
def jam_window(qtbot, library_path):
    """``jam_window(seed=posts, **options)``: a shown 1400x900 window on the "jam"
    session, ``options`` passed to ``MainWindow``; ``seed`` creates the session
    (with the preset columns) and stores those posts first. Call it again for
    the same library "after a restart" (close the first window)."""
    windows: list[MainWindow] = []

    def make(seed=(), **options) -> MainWindow:
        window = MainWindow(library_path, theme=themes.LIGHT, coalesce_ms=10, **options)
        qtbot.addWidget(window)
        windows.append(window)
        window.resize(1400, 900)
        if seed:
            ingest(window, create_jam_session(window), seed)
        window.open_session("jam")
        window.show()
        qtbot.waitExposed(window)
        return window

    yield make
    for window in windows:
        window.shutdown()
