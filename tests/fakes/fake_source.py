"""A hand-written source for action tests: records every call, fails on request."""

from __future__ import annotations

import threading
from dataclasses import replace

from desktop.core.post import Post
from desktop.sources.base import Capabilities, Source

ALL_ACTIONS = Capabilities(retweet=True, like=True, reply=True, post=True, needs_auth=False)


class FakeSource(Source):
    """``fail_with``: an exception to raise from the next action calls (cleared
    with ``fail_with = None``). ``calls``: ``(method, post id or text)`` in order."""

    def __init__(self, network: str = "x", *, capabilities: Capabilities = ALL_ACTIONS) -> None:
        self.network = network
        self.name = f"fake:{network}"
        self.capabilities = capabilities
        self.calls: list[tuple[str, str]] = []
        self.remote_ids: dict[str, str | None] = {}  # what unretweet/unlike got as remote_id
        self.fail_with: BaseException | None = None
        self._next = 0

    def run(self, sink, stop: threading.Event) -> None:
        stop.wait()

    def _act(self, method: str, what: str) -> None:
        self.calls.append((method, what))
        if self.fail_with is not None:
            raise self.fail_with

    def retweet(self, post: Post) -> str | None:
        self._act("retweet", post.id)
        self._next += 1
        return f"rt-{self._next}"

    def unretweet(self, post: Post, *, remote_id: str | None = None) -> None:
        self._act("unretweet", post.id)
        self.remote_ids[post.id] = remote_id

    def like(self, post: Post) -> None:
        self._act("like", post.id)

    def unlike(self, post: Post) -> None:
        self._act("unlike", post.id)

    def reply(self, text: str, *, in_reply_to: Post | None) -> Post | None:
        self._act("reply" if in_reply_to else "post", text)
        self._next += 1
        if in_reply_to is None:
            return None
        return replace(in_reply_to, id=f"new-{self._next}", text=text, reply_to_id=in_reply_to.id)
