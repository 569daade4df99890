"""SQLite's memory statistics are off in JamDeck's processes, and turning them
off never disturbs a connection someone else already opened.

Each case runs in a fresh interpreter: the setting is the process's, and this
one has long since opened connections."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the tuning is done on Linux only"
)


def run_fresh(code: str) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_the_library_is_written_with_sqlite_memory_statistics_off(tmp_path):
    result = run_fresh(
        f"""
        import json
        from desktop.store.db import open_library
        from desktop.store.sqlite_tuning import _library

        conn = open_library({str(tmp_path / "library.db")!r})
        conn.execute("INSERT INTO sessions (name, created_at) VALUES ('s', 0)")
        # With the statistics on, an open connection holds tens of KiB.
        print(json.dumps({{"in_use": _library().sqlite3_memory_used(),
                          "sessions": conn.execute("SELECT count(*) FROM sessions").fetchone()[0]}}))
        """
    )
    assert result == {"in_use": 0, "sessions": 1}


def test_a_connection_opened_before_is_left_alone(tmp_path):
    """Shutting SQLite down under an open connection would wreck it: the tuning
    is skipped, and both connections go on working."""
    result = run_fresh(
        f"""
        import json, sqlite3
        early = sqlite3.connect(":memory:")
        early.execute("CREATE TABLE t (x)")
        from desktop.store import sqlite_tuning
        from desktop.store.db import open_library

        conn = open_library({str(tmp_path / "library.db")!r})
        early.execute("INSERT INTO t VALUES (1)")
        print(json.dumps({{"off": sqlite_tuning.memory_statistics_off(),
                          "counted": sqlite_tuning._library().sqlite3_memory_used() > 0,
                          "early": early.execute("SELECT x FROM t").fetchall(),
                          "library": conn.execute("PRAGMA user_version").fetchone()[0] > 0}}))
        """
    )
    assert result == {"off": False, "counted": True, "early": [[1]], "library": True}


def test_nothing_is_changed_once_other_threads_run():
    """Another thread could open a connection between the check and the
    shutdown: with one running, the statistics stay on."""
    result = run_fresh(
        """
        import json, threading
        release = threading.Event()
        other = threading.Thread(target=release.wait)
        other.start()
        from desktop.store import sqlite_tuning
        off = sqlite_tuning.memory_statistics_off()
        release.set()
        other.join()
        print(json.dumps({"off": off}))
        """
    )
    assert result == {"off": False}
