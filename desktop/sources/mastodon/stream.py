"""One server-sent-events connection to a Mastodon streaming endpoint.

We read the stream ourselves instead of through Mastodon.py's ``stream_hashtag``:
its async handle retries a refused connection (401 included) forever with real
sleeps and no status code, and its parser drops the whole connection on one
payload that is not JSON. Here a refused connection raises ``StreamRefused``
with the status and headers, and every event (or the end of the stream) goes
into a queue as a ``StreamEvent`` that the source's own thread consumes; one
bad payload is the consumer's business, not the connection's.

The HTTP session is Mastodon.py's own (same user agent, proxies, pool).
"""

from __future__ import annotations

import dataclasses
import logging
import queue
import socket
import threading
from typing import Any

log = logging.getLogger("jamdeck.sources.mastodon")

HEARTBEAT = ":heartbeat"
CLOSED = ":closed"


@dataclasses.dataclass(frozen=True, slots=True)
class StreamEvent:
    tag: str
    name: str  # "update", "status.update", "delete", ..., HEARTBEAT or CLOSED
    data: str | None = None
    reason: str = ""  # CLOSED: why the stream ended


class StreamRefused(Exception):
    """The streaming server answered something other than 200."""

    def __init__(self, status: int, reason: str, headers: dict[str, str]) -> None:
        super().__init__(f"streaming server answered {status} {reason}")
        self.status = status
        self.reason = reason
        self.headers = headers


class SseConnection:
    """GET ``url`` as an event stream; a daemon thread parses it into ``events``."""

    def __init__(
        self,
        *,
        session: Any,  # requests.Session
        url: str,
        tag: str,
        events: queue.Queue[StreamEvent],
        token: str | None,
        user_agent: str | None = None,
        connect_timeout: float = 10.0,
        read_timeout: float | None = None,
    ) -> None:
        self._session = session
        self._url = url
        self._tag = tag
        self._events = events
        self._token = token
        self._user_agent = user_agent
        self._timeouts = (connect_timeout, read_timeout)
        self._response: Any = None
        self._thread: threading.Thread | None = None
        self._closing = threading.Event()

    def open(self) -> None:
        """Connect; raises ``StreamRefused`` or the session's connection errors."""
        headers = {"Accept": "text/event-stream"}
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        if self._user_agent:
            headers["User-Agent"] = self._user_agent
        response = self._session.get(
            self._url, headers=headers, stream=True, timeout=self._timeouts
        )
        if response.status_code != 200:
            status, reason, resp_headers = (
                response.status_code,
                response.reason or "",
                dict(response.headers),
            )
            response.close()
            raise StreamRefused(status, reason, resp_headers)
        self._response = response
        self._thread = threading.Thread(
            target=self._read, name=f"mastodon-sse-{self._tag}", daemon=True
        )
        self._thread.start()

    def close(self) -> None:
        """Stop reading: shut the socket down (a blocked read returns) and wait for the reader."""
        self._closing.set()
        response = self._response
        if response is not None:
            sock = _socket_of(response)
            if sock is not None:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:  # already gone
                    pass
            try:
                response.close()
            except Exception:  # closing a half-dead connection may raise anything from urllib3
                pass
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=5)

    def _read(self) -> None:
        reason = "the server closed the stream"
        try:
            self._parse(self._response.raw)
        except Exception as exc:  # requests/urllib3/socket errors all mean "the stream is gone"
            reason = f"the stream broke ({type(exc).__name__})"
        if not self._closing.is_set():
            self._events.put(StreamEvent(self._tag, CLOSED, reason=reason))

    def _parse(self, raw: Any) -> None:
        buffer = b""
        name: str | None = None
        data: list[str] = []
        while not self._closing.is_set():
            # read1 returns what has arrived (chunked or not) instead of waiting for a full block.
            chunk = raw.read1(65536)
            if not chunk:
                return
            buffer += chunk
            *lines, buffer = buffer.split(b"\n")
            for raw_line in lines:
                line = raw_line.rstrip(b"\r").decode("utf-8", errors="replace")
                if line == "":
                    if name is not None or data:
                        payload = "\n".join(data) if data else None
                        self._events.put(StreamEvent(self._tag, name or "message", payload))
                    name, data = None, []
                elif line.startswith(":"):
                    self._events.put(StreamEvent(self._tag, HEARTBEAT))
                else:
                    field, _, value = line.partition(":")
                    value = value[1:] if value.startswith(" ") else value
                    if field == "event":
                        name = value
                    elif field == "data":
                        data.append(value)
                    # "id" and "retry" are not used by Mastodon's streaming server.


def _socket_of(response: Any) -> socket.socket | None:
    """The socket under a streaming ``requests`` response, to unblock a read from another thread.

    ``response.close()`` alone does not wake a thread blocked in ``recv`` on Linux;
    ``shutdown`` does. urllib3 2 keeps the connection on ``raw.connection``.
    """
    raw = getattr(response, "raw", None)
    connection = getattr(raw, "connection", None) or getattr(raw, "_connection", None)
    sock = getattr(connection, "sock", None)
    if isinstance(sock, socket.socket):
        return sock
    try:  # http.client.HTTPResponse -> SocketIO -> socket
        return raw._fp.fp.raw._sock
    except AttributeError:
        return None
