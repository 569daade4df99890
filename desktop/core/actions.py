"""Actions the user takes on posts (retweet, like, their undos, replies, posts): the data.

An action is recorded in the cache and carried out by the application's
``ActionQueue`` (``desktop.app.actions``); this module holds what both the
store and the queue speak of: the kinds, their states and the record.
"""

from __future__ import annotations

import dataclasses
from enum import StrEnum
from typing import Any

KINDS = ("retweet", "unretweet", "like", "unlike", "reply", "post")

# The capability each kind needs (``Capabilities`` field and ``reason`` key).
CAPABILITY_OF = {
    "retweet": "retweet",
    "unretweet": "retweet",
    "like": "like",
    "unlike": "like",
    "reply": "reply",
    "post": "post",
}
# The post flag each kind sets optimistically.
FLAG_OF = {
    "retweet": ("retweeted_by_me", True),
    "unretweet": ("retweeted_by_me", False),
    "like": ("liked_by_me", True),
    "unlike": ("liked_by_me", False),
}
# What undoes what (undoing a queued, unsent action cancels it instead).
UNDOES = {"unretweet": "retweet", "retweet": "unretweet", "unlike": "like", "like": "unlike"}

RATE_LIMIT_FALLBACK = 60.0  # seconds to wait when a 429 did not say until when


class ActionState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"
    CANCELLED = "cancelled"


@dataclasses.dataclass(frozen=True, slots=True)
class Action:
    id: int | None
    kind: str
    network: str
    state: ActionState
    post_rowid: int | None = None  # posts.id (None for a new post)
    session_id: int | None = None
    error: str | None = None  # the reason, in words for the user (also while waiting)
    remote_id: str | None = None
    created_at: float = 0.0
    updated_at: float = 0.0
    retry_at: float | None = None  # rate limited: not before this (unix seconds)
    text: str | None = None  # reply / post
    previous: bool | None = None  # the post's flag before the optimistic flip
    account: str | None = None

    def replace(self, **changes: Any) -> Action:
        return dataclasses.replace(self, **changes)

    @property
    def optimistic(self) -> dict[str, bool]:
        """The post flag this action shows while it is queued, running or done:
        ``{"retweeted_by_me": True}``; ``{}`` for replies."""
        flag = FLAG_OF.get(self.kind)
        return {flag[0]: flag[1]} if flag else {}
