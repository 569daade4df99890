"""Issue 18.6: ``jamdeck import`` from a pipe reads it once; a FIFO nobody writes to
stops on Ctrl-C (SIGINT) or SIGTERM instead of hanging for ever."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.fakes.archive import write_archive

N = 300  # posts in the archive (more than one batch)


def command(data_dir: Path, *files) -> tuple[list[str], dict]:
    env = dict(os.environ, JAMDECK_DATA_DIR=str(data_dir))
    return [sys.executable, "-m", "desktop", "import", *map(str, files), "--session", "p"], env


def posts_in(data_dir: Path) -> int:
    conn = sqlite3.connect(data_dir / "library.db")
    try:
        return conn.execute("SELECT count(*) FROM session_posts").fetchone()[0]
    finally:
        conn.close()


def session_names(data_dir: Path) -> list[str]:
    env = dict(os.environ, JAMDECK_DATA_DIR=str(data_dir))
    out = subprocess.run(
        [sys.executable, "-m", "desktop", "sessions", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout
    return [s["name"] for s in json.loads(out)]


def test_import_from_standard_input_pipe_lands_every_post(tmp_path):
    archive = write_archive(tmp_path / "a.jsonl", N)
    args, env = command(tmp_path / "data", "-")
    with open(archive, "rb") as source:
        cat = subprocess.Popen(["cat"], stdin=source, stdout=subprocess.PIPE)
        proc = subprocess.run(
            args, stdin=cat.stdout, capture_output=True, text=True, env=env, timeout=120
        )
        cat.stdout.close()
        cat.wait(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert f"Imported {N} new posts" in proc.stdout
    assert posts_in(tmp_path / "data") == N


def test_import_from_a_named_fifo_reads_it_once_and_lands_every_post(tmp_path):
    """The ``<(cat file)`` case: a path that is a pipe, opened by name."""
    archive = write_archive(tmp_path / "a.jsonl", N)
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)

    def writer() -> None:
        with open(fifo, "wb") as out:  # blocks until the import opens it
            out.write(archive.read_bytes())

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    args, env = command(tmp_path / "data", fifo)
    proc = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    thread.join(timeout=30)
    assert proc.returncode == 0, proc.stderr
    assert "is not a JSON or JSONL archive" not in proc.stdout
    assert f"Imported {N} new posts" in proc.stdout
    assert posts_in(tmp_path / "data") == N


def wait_until_open(pid: int, path: Path, proc: subprocess.Popen) -> None:
    """Until process ``pid`` holds ``path`` open (it is then waiting for the writer)."""
    deadline = time.monotonic() + 60
    fd_dir = Path(f"/proc/{pid}/fd")
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            if any(os.readlink(fd) == str(path) for fd in fd_dir.iterdir()):
                return
        except (FileNotFoundError, PermissionError):
            pass  # an fd closed while we looked
        time.sleep(0.02)  # polling another process's state, not timing our own code
    raise AssertionError(f"{path} was never opened")


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see open files")
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_a_fifo_with_no_writer_is_stopped_by_a_signal(tmp_path, sig):
    fifo = tmp_path / "idle.fifo"
    os.mkfifo(fifo)
    args, env = command(tmp_path / "data", fifo)
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        wait_until_open(proc.pid, fifo, proc)
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=10)  # a few seconds at most, not for ever
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode != 0
    assert "Traceback" not in err
    if sig == signal.SIGINT:
        assert "stopped before anything was imported" in err


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see open files")
def test_a_stalled_fifo_mid_import_is_stopped_by_ctrl_c_keeping_what_came(tmp_path):
    """The writer sends some posts, then goes quiet but keeps the pipe open."""
    archive = write_archive(tmp_path / "a.jsonl", N)
    fifo = tmp_path / "slow.fifo"
    os.mkfifo(fifo)
    release = threading.Event()

    def writer() -> None:
        with open(fifo, "wb") as out:
            out.write(archive.read_bytes())
            out.flush()
            release.wait(60)  # keeps the pipe open: the reader sees no end

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    data = tmp_path / "data"
    args, env = command(data, fifo)
    proc = subprocess.Popen(
        args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline = time.monotonic() + 60
        count = 0
        while count < N and time.monotonic() < deadline:
            assert proc.poll() is None, proc.communicate()
            try:
                count = posts_in(data)
            except sqlite3.OperationalError:
                pass  # the library is being created
            time.sleep(0.05)  # polling another process's progress, not timing our own code
        assert count == N
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=10)
    finally:
        release.set()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
        thread.join(timeout=10)
    assert proc.returncode == 0, err
    assert f"Imported {N} new posts" in out
    assert session_names(data) == ["p"]
