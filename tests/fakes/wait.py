"""Waiting for something another thread or process does, without timing sleeps."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

WAIT = 15.0  # seconds: an upper bound on a loaded machine, never a pause


def wait_until(predicate: Callable[[], bool], what: str, timeout: float = WAIT) -> None:
    deadline = time.monotonic() + timeout
    pause = threading.Event()  # never set: a bounded poll interval, not a timing sleep
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        pause.wait(0.02)
