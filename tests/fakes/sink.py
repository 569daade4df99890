"""A SourceSink for adapter tests: collects what a source delivers and lets the
test wait for it (from the source's thread) without sleeping."""

from __future__ import annotations

import threading

from desktop.sources.base import SourceState

WAIT = 10.0  # seconds: a generous upper bound for events on a loaded machine


class CollectingSink:
    def __init__(self) -> None:
        self.posts = []
        self.referenced = []
        self.statuses = []
        self.skipped: list[tuple[str, str]] = []
        self._changed = threading.Condition()

    def on_posts(self, source, parsed) -> None:
        with self._changed:
            self.posts.extend(parsed.posts)
            self.referenced.extend(parsed.referenced)
            self._changed.notify_all()

    def on_status(self, source, status) -> None:
        with self._changed:
            self.statuses.append(status)
            self._changed.notify_all()

    def on_skipped(self, source, where, reason) -> None:
        with self._changed:
            self.skipped.append((where, reason))
            self._changed.notify_all()

    def wait_for(self, predicate, timeout: float = WAIT) -> None:
        """Wait until ``predicate()`` holds, or fail saying what did arrive."""
        with self._changed:
            assert self._changed.wait_for(predicate, timeout), (
                f"timed out; posts={[p.text for p in self.posts]} statuses={self.statuses}"
            )

    def wait(self, predicate, timeout: float = WAIT) -> None:
        """Wait until ``predicate(self)`` holds."""
        self.wait_for(lambda: predicate(self), timeout)

    def wait_posts(self, count: int) -> None:
        self.wait_for(lambda: len(self.posts) >= count)

    def states(self) -> list[SourceState]:
        return [status.state for status in self.statuses]

    def ids(self) -> list[str]:
        return [post.id for post in self.posts]
