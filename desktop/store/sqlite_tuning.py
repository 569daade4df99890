"""Process-wide SQLite settings that Python's ``sqlite3`` module does not expose.

One for now: SQLite's memory statistics, off. By default SQLite counts every
allocation it makes (for ``sqlite3_memory_used``, ``sqlite3_status`` and the
soft heap limit), and in the threadsafe build Python uses, each count takes a
process-wide mutex: two lock/unlock pairs per malloc and free, thousands per
post written. Nothing in JamDeck reads those statistics. Turned off, the
import's writer (callgrind, the benchmark's 10,000 posts) ran 176k -> 167k
instructions per post, 5%, and every reader and the checkpointer save alike.

The setting can only change while SQLite is not initialized, and Python's
``sqlite3`` initializes it on import. So the library is shut down and started
again, which is safe only while it holds no memory at all: no connection and
no statement open anywhere in the process (with the statistics on, SQLite
reports exactly that as ``sqlite3_memory_used() == 0``). Otherwise nothing is
changed and everything works as before, a little slower.

Linux on x86-64 and ARM64 only: there ``_sqlite3``'s own handle finds the very
SQLite it uses (dlsym searches a library's dependencies), and ctypes passes a
variadic call's int the same way as any other. It is not worth the risk where
either of those is not known to hold. And only while this is the process's
only thread (JamDeck imports the store before it starts any).
"""

from __future__ import annotations

import ctypes
import logging
import platform
import sqlite3
import sys
import threading

log = logging.getLogger("jamdeck.store")

# From sqlite3.h.
SQLITE_OK = 0
SQLITE_CONFIG_MEMSTATUS = 9

# Where a variadic C function takes its int like any other argument (ctypes
# calls sqlite3_config as a plain function): not so on every CPU (ppc64le).
_MACHINES = {"x86_64", "aarch64"}

_lock = threading.Lock()
_done: bool | None = None  # None: not tried yet


def _library() -> ctypes.CDLL | None:
    """The SQLite library the ``sqlite3`` module runs on, or None if not found."""
    import _sqlite3

    library = ctypes.CDLL(_sqlite3.__file__)
    library.sqlite3_libversion.restype = ctypes.c_char_p
    library.sqlite3_memory_used.restype = ctypes.c_int64
    library.sqlite3_malloc.restype = ctypes.c_void_p
    library.sqlite3_free.argtypes = [ctypes.c_void_p]
    if library.sqlite3_libversion().decode() != sqlite3.sqlite_version:
        return None  # another SQLite in the process than the one sqlite3 uses
    return library


def memory_statistics_off() -> bool:
    """Turn SQLite's memory statistics off for this process if that can be
    done safely (see the module's docstring); True when they are off. Tried
    once per process: later calls return the first answer."""
    global _done
    with _lock:
        if _done is None:
            _done = _turn_off()
        return _done


def _turn_off() -> bool:
    if not sys.platform.startswith("linux") or platform.machine() not in _MACHINES:
        return False
    if threading.active_count() != 1:
        # Another thread could open a connection between the check below and
        # the shutdown. JamDeck gets here on import, before it starts any.
        log.debug("SQLite memory statistics left on: other threads are running")
        return False
    try:
        library = _library()
    except (ImportError, OSError, AttributeError) as exc:
        log.debug("SQLite memory statistics left on: %s", exc)
        return False
    if library is None:
        log.debug("SQLite memory statistics left on: not the sqlite3 module's library")
        return False
    # A probe allocation tells whether the statistics count at all (someone
    # may have turned them off already: then "nothing in use" proves nothing).
    in_use = library.sqlite3_memory_used()
    probe = library.sqlite3_malloc(64)
    counted = library.sqlite3_memory_used() != in_use
    library.sqlite3_free(probe)
    if not counted:
        return True  # already off
    if in_use != 0:
        log.debug("SQLite memory statistics left on: a connection is already open")
        return False
    if library.sqlite3_shutdown() != SQLITE_OK:
        return False
    configured = library.sqlite3_config(SQLITE_CONFIG_MEMSTATUS, ctypes.c_int(0)) == SQLITE_OK
    if library.sqlite3_initialize() != SQLITE_OK:
        # Cannot happen short of running out of memory; the next open would
        # initialize it again (and report the error itself).
        log.warning("SQLite did not start again after its memory statistics were turned off")
    return configured
