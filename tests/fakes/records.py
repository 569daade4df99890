"""An independent PostRecord builder for tests (the app's one is the store's)."""

from __future__ import annotations

from desktop.core.post import Post
from desktop.core.record import PostRecord
from filters.text import fold_key, handle_keys, tokenize

_NONE: frozenset[str] = frozenset()


def mention_keys_of(post: Post) -> frozenset[str]:
    if not post.mentions:
        return _NONE
    return frozenset(k for m in post.mentions for k in handle_keys(m))


def retweeted_keys_of(post: Post) -> frozenset[str]:
    return frozenset(handle_keys(post.retweeted_handle)) if post.retweeted_handle else _NONE


def record_for(post: Post, *, rowid: int = 0) -> PostRecord:
    """The record of a freshly normalized post (jam facts left to the caller),
    computed here straight from its fields: the oracle the store's
    ``record_of`` is held equal to, and a quick record for filter tests."""
    metrics = post.metrics
    return PostRecord(
        rowid=rowid,
        text=post.text,
        tokens=tuple(tokenize(post.text)),
        tags=frozenset([fold_key(t) for t in post.hashtags]) if post.hashtags else _NONE,
        mention_keys=mention_keys_of(post) | retweeted_keys_of(post),
        retweeted_keys=retweeted_keys_of(post),
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
