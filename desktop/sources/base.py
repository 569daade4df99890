"""The source adapter contract.

A source is one adapter instance: a network, an account and a subscription (a
hashtag). ``run()`` blocks on its own thread (the SDKs block), hands batches of
normalized posts to a ``SourceSink`` and reports its state; it returns when the
stop event is set or the source has nothing more to give (a replay reached its
end). Actions (retweet, reply...) are plain blocking methods that the action
queue calls on a background thread.

Errors are specific: ``SourceAuthError`` (401/403: stop, tell the user),
``RateLimitedError`` (429: wait until ``reset_at``), ``ActionNotAllowed`` (the
network or tier does not permit it), ``SourceOfflineError`` (no connection:
queue and retry later).
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from desktop.core.normalize import Parsed
from desktop.core.post import Post

# How far back a recording catches up when there is no session start to go by
# (a session made just now): what was posted shortly before JamDeck started.
CATCH_UP = timedelta(minutes=30)


class SourceError(Exception):
    """A source failed; the message is meant for the user."""


class SourceAuthError(SourceError):
    """The network rejected the credentials (401/403)."""


class RateLimitedError(SourceError):
    def __init__(self, message: str, *, reset_at: datetime | None = None) -> None:
        super().__init__(message)
        self.reset_at = reset_at


class ActionNotAllowed(SourceError):
    """The network (or the account's tier) does not allow this action."""


class SourceOfflineError(SourceError):
    """The network could not be reached; the action can be retried later."""


class SourceState(StrEnum):
    IDLE = "idle"
    CONNECTING = "connecting"
    CONNECTED = "connected"
    RECONNECTING = "reconnecting"
    RATE_LIMITED = "rate_limited"
    STOPPED = "stopped"  # by an error the user must fix (the message says which)
    FINISHED = "finished"  # ran to its end (a replay) or was stopped by the user


@dataclasses.dataclass(frozen=True, slots=True)
class SourceStatus:
    state: SourceState
    message: str = ""
    until: datetime | None = None  # rate limited until / next retry at
    auth_failed: bool = False  # STOPPED because the network rejected the credentials


@dataclasses.dataclass(frozen=True, slots=True)
class Capabilities:
    """What the network lets this source do. ``why_not`` says why a False is False,
    in words for the user (e.g. quote posts on X need the Enterprise tier)."""

    stream: bool = False
    poll: bool = False
    retweet: bool = False
    like: bool = False
    reply: bool = False
    post: bool = False
    quote_post: bool = False
    needs_auth: bool = True
    why_not: dict[str, str] = dataclasses.field(default_factory=dict)

    def reason(self, what: str) -> str:
        return self.why_not.get(what, f"{what.replace('_', ' ')} is not available on this source")


class SourceSink(Protocol):
    """Where a running source delivers. Called from the source's thread."""

    def on_posts(self, source: Source, parsed: Parsed) -> None:
        """A batch of normalized posts. (The bulk import pipeline may hand over a
        ``desktop.store.ingest.PreparedBatch`` instead: already tokenized rows.)"""
        ...

    def on_status(self, source: Source, status: SourceStatus) -> None: ...

    def on_skipped(self, source: Source, where: str, reason: str) -> None:
        """A payload/line that could not be used: ``where`` is e.g. "file.jsonl:12"."""
        ...


class Source:
    """Base class: subclasses set ``network``, ``name``, ``capabilities`` and implement ``run``."""

    network: str = ""
    name: str = ""
    capabilities: Capabilities = Capabilities()

    def run(self, sink: SourceSink, stop: threading.Event) -> None:
        raise NotImplementedError

    # Actions. Each returns the network's id for what it created (when any); the
    # undo actions take it back as ``remote_id`` (Bluesky needs the repost's URI).
    def retweet(self, post: Post) -> str | None:
        raise ActionNotAllowed(self.capabilities.reason("retweet"))

    def unretweet(self, post: Post, *, remote_id: str | None = None) -> None:
        raise ActionNotAllowed(self.capabilities.reason("retweet"))

    def like(self, post: Post) -> None:
        raise ActionNotAllowed(self.capabilities.reason("like"))

    def unlike(self, post: Post, *, remote_id: str | None = None) -> None:
        raise ActionNotAllowed(self.capabilities.reason("like"))

    def reply(self, text: str, *, in_reply_to: Post | None) -> Post | None:
        """Post ``text`` (a reply when ``in_reply_to`` is given); returns the new post."""
        raise ActionNotAllowed(self.capabilities.reason("reply" if in_reply_to else "post"))

    def quote(self, text: str, *, quoted: Post) -> Post | None:
        """Post ``text`` quoting ``quoted``; returns the new post."""
        raise ActionNotAllowed(self.capabilities.reason("quote_post"))

    def close(self) -> None:
        """Release network resources (sessions, sockets). Safe to call twice."""


class Backoff:
    """The waits between retries after one kind of failure, in a network's schedule: the
    first wait is ``first``; each later one is the previous times ``factor`` plus ``step``;
    none is longer than ``cap``. ``reset()`` after a success starts again from ``first``.

    Linear (X's network errors): ``Backoff(first=0.25, step=0.25, factor=1, cap=16)``.
    Doubling (X's HTTP errors): ``Backoff(first=5, cap=320)``.

    It only computes the waits (no clock, no randomness), so the same failures always give
    the same waits; the source does the waiting, on its stop event or a test's ``sleep``.
    """

    def __init__(self, *, first: float, cap: float, factor: float = 2.0, step: float = 0.0) -> None:
        if first < 0 or cap < 0 or factor < 1 or step < 0:
            raise ValueError(
                f"a backoff needs first, cap and step >= 0 and factor >= 1, "
                f"not first={first}, cap={cap}, factor={factor}, step={step}"
            )
        self.first = first
        self.cap = cap
        self.factor = factor
        self.step = step
        self.reset()

    def reset(self) -> None:
        self.failures = 0  # since the last success
        self._last = 0.0

    def next_wait(self) -> float:
        """Count one more failure and return how long to wait before retrying."""
        wait = self.first if self.failures == 0 else self._last * self.factor + self.step
        self._last = min(wait, self.cap)
        self.failures += 1
        return self._last


class Batcher:
    """Collects parsed posts and flushes them to the sink in batches of about
    ``max_posts`` posts or ``max_delay`` seconds, whichever comes first.

    Sources call ``add`` from their thread and ``flush`` before they block for
    long (and at the end). ``clock`` is injectable for tests.
    """

    def __init__(
        self,
        source: Source,
        sink: SourceSink,
        *,
        max_posts: int = 100,
        max_delay: float = 0.1,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._source = source
        self._sink = sink
        self._max_posts = max_posts
        self._max_delay = max_delay
        self._clock = clock
        self._pending = Parsed()
        self._first_at: float | None = None

    def add(self, parsed: Parsed) -> None:
        if not parsed.posts and not parsed.referenced:
            return
        if self._first_at is None:
            self._first_at = self._clock()
        self._pending.extend(parsed)
        if len(self._pending.posts) >= self._max_posts or self.due():
            self.flush()

    def due(self) -> bool:
        return self._first_at is not None and self._clock() - self._first_at >= self._max_delay

    @property
    def waiting(self) -> bool:
        """Posts are held back for the next flush."""
        return self._first_at is not None

    def flush(self) -> None:
        if self._pending.posts or self._pending.referenced:
            batch, self._pending = self._pending, Parsed()
            self._first_at = None
            self._sink.on_posts(self._source, batch)
