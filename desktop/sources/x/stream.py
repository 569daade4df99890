"""Reading X's filtered stream: one connection's lines.

We read the stream ourselves rather than with ``tweepy.StreamingClient`` because
its loop retries a 401 forever, ends for good on an exception in a callback,
sleeps with ``time.sleep`` (no way to inject it) and has no keep-alive watchdog
of its own beyond a fixed 21 s read timeout.

A ``LineReader`` reads one HTTP response on a daemon thread and hands complete
lines to a queue, so the source's thread can wait with a timeout: that gives the
keep-alive watchdog, batching on a timer and a prompt stop without any polling
of the socket. ``abort()`` shuts the socket down, which wakes the blocked read.
"""

from __future__ import annotations

import contextlib
import queue
import socket
import threading

import requests

LINE = "line"  # value: bytes, b"" for a keep-alive
END = "end"  # value: why the stream ended, for the status message


class LineReader:
    def __init__(self, response: requests.Response, *, name: str = "x-stream-reader") -> None:
        self.queue: queue.Queue[tuple[str, object]] = queue.Queue()
        self._response = response
        self._aborted = threading.Event()
        self._thread = threading.Thread(target=self._read, name=name, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        buffer = b""
        try:
            # chunk_size=None: urllib3 yields each HTTP chunk as soon as it arrives.
            for chunk in self._response.iter_content(chunk_size=None):
                buffer += chunk
                while b"\n" in buffer:
                    line, _, buffer = buffer.partition(b"\n")
                    self.queue.put((LINE, line.rstrip(b"\r")))
            self.queue.put((END, "X closed the stream"))
        except Exception as exc:  # any failure of the read ends this connection, never the source
            reason = "the stream was closed" if self._aborted.is_set() else "the stream broke off"
            self.queue.put((END, f"{reason} ({type(exc).__name__})"))

    def abort(self) -> None:
        """Stop reading now: shut the socket down (a blocked recv returns) and close."""
        self._aborted.set()
        raw = getattr(self._response, "raw", None)
        connection = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
        sock = getattr(connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        with contextlib.suppress(Exception):  # closing a half-read response may raise anything
            self._response.close()

    def join(self, timeout: float) -> None:
        self._thread.join(timeout)
