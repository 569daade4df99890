"""Opening the library file: WAL, migrations, refusing newer schemas."""

from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from desktop.store import fulltext
from desktop.store.schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger("jamdeck.store")

LIBRARY_FILENAME = "library.db"

# The page size of new libraries: SQLite's default, on purpose. Larger pages
# help a big import (a post row with its raw JSON is 1 to 5 KiB, and every page
# a commit changes is a WAL frame written with two system calls: with 16 KiB
# pages an import of 20,000 posts made a quarter of the 24,000 writes and its
# system time per post about halved, 4-5 -> 2-3 us, about 5% of the writer).
# But a live jam commits a few posts at a time, and each commit writes every
# page it touched: 61 KiB per commit of 5 posts at 4 KiB, 93 at 8 KiB, 176 at
# 16 KiB. Following a jam matters more than importing one: an hour of it would
# write about three times as much to disk for a 5% faster import.
PAGE_SIZE = 4096


class StoreError(Exception):
    """Something is wrong with the cache file itself."""


class SchemaTooNewError(StoreError):
    """The library was written by a newer JamDeck than this one."""


class DiskFullError(StoreError):
    """SQLite could not write: the disk (or the file's size limit) is full.
    Nothing of the failed operation was written; retrying will not help."""


class DamagedLibraryError(StoreError):
    """SQLite found the file corrupted (SQLITE_CORRUPT)."""


class ReadOnlyLibraryError(StoreError):
    """The library file (or its folder) cannot be written."""


def store_error(path: Path | str, exc: BaseException) -> StoreError | None:
    """The ``StoreError`` a SQLite failure that retrying cannot fix stands for, with
    one line of message for the user; None for any other failure."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:
        return None
    primary = code & 0xFF
    if primary == sqlite3.SQLITE_FULL:
        return DiskFullError(
            f"the disk is full: could not write to {path} ({exc}); "
            "nothing more is written until some space is freed"
        )
    if primary == sqlite3.SQLITE_CORRUPT:
        return DamagedLibraryError(
            f"the library {path} is damaged ({exc}): restore it from a backup, "
            "or choose another data directory"
        )
    if primary in (sqlite3.SQLITE_READONLY, sqlite3.SQLITE_PERM, sqlite3.SQLITE_CANTOPEN):
        return ReadOnlyLibraryError(
            f"the library {path} cannot be written ({exc}): check the permissions of the "
            "file and its folder, or choose another data directory"
        )
    return None


def _regexp(pattern: str, value: str | None) -> bool:
    """SQLite's REGEXP operator (``value REGEXP pattern``) for the filter language.

    Patterns arrive already validated by the filter compiler; a bad one here
    simply matches nothing rather than raising inside SQLite.
    """
    if value is None:
        return False
    try:
        return _compiled(pattern).search(value) is not None
    except re.error:
        return False


_regex_cache: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    rx = _regex_cache.get(pattern)
    if rx is None:
        if len(_regex_cache) > 256:
            _regex_cache.clear()
        rx = _regex_cache[pattern] = re.compile(pattern)
    return rx


def connect(path: Path | str, *, readonly: bool = False) -> sqlite3.Connection:
    """A raw connection with JamDeck's pragmas and SQL functions installed.

    ``check_same_thread=False`` because the writer thread creates its own
    connection and the GUI hands read connections to worker threads; each
    connection is still used by one thread at a time.
    """
    uri = f"file:{Path(path)}{'?mode=ro' if readonly else ''}"
    conn = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 5000")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.create_function("regexp", 2, _regexp, deterministic=True)
    return conn


def migrate(conn: sqlite3.Connection) -> int:
    """Apply the migrations this file lacks; return the resulting version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise SchemaTooNewError(
            f"this library uses schema version {version}, but this JamDeck knows only up to "
            f"{SCHEMA_VERSION}: it was written by a newer JamDeck. Update JamDeck, or choose "
            "another data directory."
        )
    for number, (name, apply) in enumerate(MIGRATIONS[version:], start=version + 1):
        log.info("applying migration %d: %s", number, name)
        conn.execute("BEGIN IMMEDIATE")
        try:
            apply(conn)
            conn.execute(f"PRAGMA user_version = {number}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def open_library(path: Path | str) -> sqlite3.Connection:
    """Open (creating if needed) the library at ``path``, migrated and in WAL mode."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(
            f"cannot create the data directory {path.parent}: {exc.strerror or exc}"
        ) from exc
    try:
        conn = connect(path)
        # Takes effect only while the file is still empty (a new library);
        # an existing one keeps its page size.
        conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if mode.lower() != "wal":
            log.warning("journal_mode is %s, not WAL", mode)
        migrate(conn)
        fulltext.ensure_current(conn)
    except sqlite3.DatabaseError as exc:
        known = store_error(path, exc)
        raise known or StoreError(f"{path} is not a usable JamDeck library: {exc}") from exc
    return conn


def database(conn: sqlite3.Connection) -> sqlite_utils.Database:
    """Wrap a connection for sqlite-utils' read helpers (``query`` streams dicts).

    Only for reads: sqlite-utils' write helpers commit on their own, which would
    end the writer's one-transaction-per-operation rule."""
    # Imported here, by the exports that use it: sqlite-utils takes 50 ms to
    # import, and imports numpy when it is installed (100 ms more, and
    # OpenBLAS threads in every JamDeck process).
    import sqlite_utils

    return sqlite_utils.Database(conn)
