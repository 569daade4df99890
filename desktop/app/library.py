"""Opening the library: the one writer and a read connection, with one clear error.

The window keeps a ``Library`` open for its lifetime; a CLI command opens one
for the command (``with Library.open(data_dir) as lib``), or only a reader
for the commands that just read (``open_reader``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

from desktop.core import paths
from desktop.store.db import StoreError, connect, open_library
from desktop.store.writer import StoreWriter


class LibraryError(Exception):
    """The library cannot be opened (not a JamDeck library, newer schema, unwritable):
    the message is one line meant for the user."""


def library_path(data_dir: Path | str | None = None) -> Path:
    """The library file of ``data_dir`` (default: ``JAMDECK_DATA_DIR`` or the platform's)."""
    return paths.library_path(data_dir)


class Library:
    """The library file opened for writing (``writer``: the one writable connection, on
    its own thread) and reading (``reader``: a read-only connection for the caller's
    thread). ``on_commit(result)`` hears of every committed operation that reports."""

    def __init__(
        self,
        path: Path | str,
        *,
        on_commit: Callable[[Any], None] | None = None,
        threaded: bool = True,
    ) -> None:
        self.path = Path(path)
        try:
            # The writer creates and migrates the file; the reader needs it to exist.
            self.writer = StoreWriter(self.path, on_commit=on_commit, threaded=threaded)
        except (StoreError, sqlite3.Error, OSError) as exc:
            raise LibraryError(str(exc)) from None
        try:
            self.reader = connect(self.path, readonly=True)
        except sqlite3.Error as exc:
            self.writer.close()
            raise LibraryError(f"{self.path}: {exc}") from None

    @classmethod
    def open(cls, data_dir: Path | str | None = None, **options) -> Library:
        return cls(library_path(data_dir), **options)

    def close(self) -> None:
        """Finish the queued writes, then close both connections (idempotent)."""
        self.writer.close()
        self.reader.close()

    def __enter__(self) -> Library:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def open_reader(data_dir: Path | str | None = None) -> sqlite3.Connection:
    """A connection for a command that only reads (the file is created and migrated
    when needed, like the writer would)."""
    try:
        return open_library(library_path(data_dir))
    except (StoreError, sqlite3.Error, OSError) as exc:
        raise LibraryError(str(exc)) from None
