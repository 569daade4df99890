"""Reading an archive that is not a regular file: a pipe, a named FIFO, standard input.

Such an input can be read only once (``jamdeck import <(zcat a.gz)`` opened twice
found it empty the second time), and a FIFO nobody writes to blocks ``open`` and
``read`` for ever, where no Ctrl-C can reach a source thread. So a stream is opened
without blocking (``O_NONBLOCK``) and read through ``poll`` in short slices that look
at ``stopped()`` in between: stopping the import ends the read as if the input ended.
"""

from __future__ import annotations

import io
import os
import select
import stat
import sys
from collections.abc import Callable
from pathlib import Path

POLL_SLICE_MS = 100  # how soon a stop is noticed while nothing arrives


def is_stream(path: str | Path) -> bool:
    """True for standard input ("-") and anything that is not a regular file or a
    folder (a pipe, a FIFO, a character device): inputs that can be read only once."""
    if str(path) == "-":
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # the caller's open reports it
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


class StoppableReader(io.RawIOBase):
    """The bytes of file descriptor ``fd``, waiting for them in short slices; an
    end of input once ``stopped()`` is true."""

    def __init__(self, fd: int, stopped: Callable[[], bool], *, close_fd: bool) -> None:
        super().__init__()
        self._fd = fd
        self._stopped = stopped
        self._close_fd = close_fd
        self._poll = select.poll()
        self._poll.register(fd, select.POLLIN | select.POLLPRI)

    def readable(self) -> bool:
        return True

    def fileno(self) -> int:
        return self._fd

    def readinto(self, buffer) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        while True:
            if self._stopped():
                return 0
            # Readable, closed by the writer (POLLHUP) or broken: read says which.
            # A FIFO that never had a writer reports nothing and is waited for.
            if not self._poll.poll(POLL_SLICE_MS):
                continue
            try:
                data = os.read(self._fd, len(view))
            except BlockingIOError:  # woken for nothing: wait again
                continue
            view[: len(data)] = data
            return len(data)

    def close(self) -> None:
        if not self.closed and self._close_fd:
            os.close(self._fd)
        super().close()


def open_stream(path: str | Path, stopped: Callable[[], bool]) -> io.BufferedReader:
    """``path`` ("-": standard input, left open) as a buffered binary stream that
    ``stopped()`` can end; opening a FIFO does not wait for its writer."""
    if not hasattr(select, "poll"):  # Windows: no poll on pipes; read them as they are
        if str(path) == "-":
            return io.BufferedReader(io.FileIO(sys.stdin.fileno(), "rb", closefd=False))
        return open(path, "rb")  # noqa: SIM115 - closed by the caller
    if str(path) == "-":
        return io.BufferedReader(StoppableReader(sys.stdin.fileno(), stopped, close_fd=False))
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    return io.BufferedReader(StoppableReader(fd, stopped, close_fd=True))


__all__ = ["POLL_SLICE_MS", "StoppableReader", "is_stream", "open_stream"]
