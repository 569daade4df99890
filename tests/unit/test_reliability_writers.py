"""Two processes writing into one library at once lose nothing (issue 18, item 1)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from desktop.store import library
from desktop.store.db import open_library

ROOT = Path(__file__).resolve().parents[2]


def test_two_processes_importing_into_one_library_keep_every_post(tmp_path):
    path = tmp_path / "library.db"
    conn = open_library(path)
    session_id = library.create_session(conn, "jam", hashtags=["socbizchat"])
    conn.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # Overlapping posts and authors: 0..1499 and 1000..2499.
    ranges = [(0, 1500), (1000, 2500)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.writer_process", str(path), str(session_id)]
            + [str(first), str(last)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for first, last in ranges
    ]
    try:
        # Both have opened the library (and read whatever they read at open)
        # before either writes.
        for proc in procs:
            assert proc.stdout.readline().strip() == "ready"
        for proc in procs:
            proc.stdin.write("go\n")
            proc.stdin.flush()
        outputs = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err[-3000:]
        assert out.strip().endswith("failed=0")
    conn = open_library(path)
    try:
        keys = [k for (k,) in conn.execute("SELECT key FROM posts ORDER BY id")]
        members = conn.execute(
            "SELECT count(*) FROM session_posts WHERE session_id = ?", (session_id,)
        ).fetchone()[0]
        authors = conn.execute("SELECT count(*) FROM authors").fetchone()[0]
    finally:
        conn.close()
    assert sorted(keys) == sorted(str(1000 + n) for n in range(2500))
    assert members == 2500
    assert authors == 40
