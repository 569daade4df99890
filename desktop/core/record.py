"""PostRecord: a post as the filters and the router see it (one per session membership).

The store makes every record (``desktop.store.ingest.record_of``) from the
values it writes: live posts as they are committed, cached ones when a session
is replayed (``desktop.store.library.session_records``)."""

from __future__ import annotations

import dataclasses


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
    # handle keys of a retweet's original author (also in ``mention_keys``)
    retweeted_keys: frozenset[str] = frozenset()
