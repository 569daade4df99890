"""What a filter can see of a post: the contract between ``filters`` and the app.

The Python predicate reads these attributes from any object (the app passes a
``desktop.core.record.PostRecord``); the SQL compiler reads the same facts from
the cache's columns (see ``filters.sql`` for the names). Text fields are
already tokenized/folded by ``filters.text`` so both sides compare the same
tokens.
"""

from __future__ import annotations

from typing import Protocol


class Matchable(Protocol):
    # text
    text: str  # the plain text, for regex:
    tokens: tuple[str, ...]  # filters.text.tokenize(text)
    tags: frozenset[str]  # filters.text.fold_key of each hashtag entity
    # filters.text.handle_keys of each mentioned handle and of a retweet's original author
    mention_keys: frozenset[str]
    # who
    author_keys: frozenset[str]  # filters.text.handle_keys(author handle)
    reply_to_keys: frozenset[str]  # handle keys of whom it answers (empty if not a reply)
    retweeted_keys: frozenset[str]  # handle keys of whom it retweets (empty if not a retweet)
    # kind: "original" | "retweet" | "quote" | "reply"
    kind: str
    is_reply: bool
    is_quote: bool
    has_media: bool
    has_links: bool
    lang: str | None  # lower case, e.g. "en"; None when the network did not say
    network: str  # "x" | "mastodon" | "bluesky"
    retweets: int
    likes: int
    replies: int
    created_at: float  # unix seconds, UTC
    # jam facts (per session)
    question: int | None
    is_question: bool  # a host's post that asks a question
    is_host: bool
    # the user's own actions
    is_collected: bool
    is_retweeted_by_me: bool
