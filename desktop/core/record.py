"""PostRecord: a post as the filters and the router see it (one per session membership)."""

from __future__ import annotations

import dataclasses

from desktop.core.post import Post
from filters.text import fold_key, handle_keys, tokenize


@dataclasses.dataclass(slots=True)
class PostRecord:
    """Implements ``filters.record.Matchable``. Mutable on purpose: the jam facts
    and the user's actions change after the post arrives (reassigning a question,
    collecting it)."""

    rowid: int  # posts.id in the cache
    text: str
    tokens: tuple[str, ...]
    tags: frozenset[str]
    mention_keys: frozenset[str]
    author_keys: frozenset[str]
    reply_to_keys: frozenset[str]
    kind: str
    is_reply: bool
    is_quote: bool
    has_media: bool
    has_links: bool
    lang: str | None
    network: str
    retweets: int
    likes: int
    replies: int
    created_at: float
    question: int | None = None
    question_source: str | None = None
    is_question: bool = False
    is_host: bool = False
    is_collected: bool = False
    is_retweeted_by_me: bool = False


_NONE: frozenset[str] = frozenset()


def mention_keys_of(post: Post) -> frozenset[str]:
    if not post.mentions:
        return _NONE
    return frozenset(k for m in post.mentions for k in handle_keys(m))


def record_for(post: Post, *, rowid: int = 0) -> PostRecord:
    """The record of a freshly normalized post (jam facts left for the caller),
    straight from its fields. The store builds the same record from the values
    it writes (``desktop.store.ingest.record_of``); a test holds the two equal."""
    metrics = post.metrics
    return PostRecord(
        rowid=rowid,
        text=post.text,
        tokens=tuple(tokenize(post.text)),
        tags=frozenset([fold_key(t) for t in post.hashtags]) if post.hashtags else _NONE,
        mention_keys=mention_keys_of(post),
        author_keys=frozenset(k for k in handle_keys(post.author.handle) if k),  # no handle: none
        reply_to_keys=frozenset(handle_keys(post.reply_to_handle))
        if post.reply_to_handle
        else _NONE,
        kind=post.kind.value,
        is_reply=post.reply_to_id is not None,
        is_quote=post.quoted_id is not None,
        has_media=bool(post.media),
        has_links=bool(post.links),
        lang=post.lang.lower() if post.lang else None,
        network=post.network.value,
        retweets=metrics.retweets,
        likes=metrics.likes,
        replies=metrics.replies,
        created_at=post.created_at.timestamp(),
    )
