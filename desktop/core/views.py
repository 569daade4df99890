"""PostView: what a column shows of a post (read from the cache, flat and cheap)."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class PostView:
    rowid: int
    network: str
    post_id: str
    author_handle: str
    author_name: str
    avatar_url: str | None
    text: str
    created_at: float
    kind: str
    url: str
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    links: tuple[tuple[str, str, str], ...] = ()  # (url in text, expanded, display)
    media_count: int = 0
    retweets: int = 0
    likes: int = 0
    replies: int = 0
    has_media: bool = False
    has_links: bool = False
    retweeted_by_me: bool = False
    liked_by_me: bool = False
    lang: str | None = None
    question: int | None = None
    question_source: str | None = None
    is_question: bool = False
    is_host: bool = False
    collected: bool = False
    retweeted_id: str | None = None
    quoted_id: str | None = None
    reply_to_handle: str | None = None
    reply_to_id: str | None = None
    edited: bool = False
    # A retweet shows the post it retweets: whose it is (None if not cached).
    original_handle: str | None = None
    original_name: str | None = None

    @property
    def shown_handle(self) -> str:
        """The author a row presents: the original's for a retweet, else the post's."""
        return self.original_handle or self.author_handle

    @property
    def shown_name(self) -> str:
        if self.original_handle:
            return self.original_name or self.original_handle
        return self.author_name or self.author_handle
