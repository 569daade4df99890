"""A session: one jam (name, hashtags, hosts, sources, times)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class Session:
    id: int
    name: str
    title: str = ""
    hashtags: tuple[str, ...] = ()  # without "#"
    hosts: tuple[str, ...] = ()  # handles without "@"
    sources: tuple[str, ...] = ()
    scheduled_start: float | None = None
    scheduled_end: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    created_at: float = 0.0
    last_activity: float | None = None
    posts: int = 0  # members (not the referenced posts pulled in from includes)

    @property
    def hashtag(self) -> str:
        """The main hashtag, without "#" ("" when the session has none)."""
        return self.hashtags[0] if self.hashtags else ""
