"""The normalized post: one tweet, toot or skeet, the same shape for every network.

A Post is immutable. Normalizers (``desktop.core.normalize``) build them from the
networks' JSON; the store writes them; filters and the deck read them. The raw
JSON the post came from travels with it so nothing the network said is lost.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class Network(StrEnum):
    X = "x"
    MASTODON = "mastodon"
    BLUESKY = "bluesky"


class Kind(StrEnum):
    """What a post is, strongest first: a retweet of a quote is a retweet."""

    ORIGINAL = "original"
    RETWEET = "retweet"
    QUOTE = "quote"
    REPLY = "reply"


def _fast_init(cls: type) -> type:
    """Give a frozen, slotted dataclass an ``__init__`` that fills its slots
    through their descriptors.

    The generated one calls ``object.__setattr__`` per field (the class's own
    ``__setattr__`` refuses); a slot descriptor's ``__set__`` does the same
    store in half the time. Every post of an import builds a ``Post``, an
    ``Author`` and a ``Metrics``: about 8 us per post in all, 4 us with this.
    Same parameters, defaults and default factories (``inspect`` shows a
    factory's default as a sentinel); ``__post_init__``, ``InitVar`` and
    keyword-only fields are refused (none is used).
    """
    if not (cls.__dataclass_params__.frozen and "__slots__" in cls.__dict__):  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__} is not a frozen dataclass with slots")
    if hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} has a __post_init__")
    if any(f._field_type is dataclasses._FIELD_INITVAR for f in cls.__dataclass_fields__.values()):  # type: ignore[attr-defined]
        raise TypeError(f"{cls.__name__} has an InitVar")
    namespace: dict[str, Any] = {"_FACTORY": object(), "__name__": cls.__module__}
    params, body = [], []
    for f in dataclasses.fields(cls):
        if f.kw_only or not f.init:
            raise TypeError(f"{cls.__name__}.{f.name}: keyword-only or no-init field")
        namespace[f"_set_{f.name}"] = cls.__dict__[f.name].__set__
        value = f.name
        if f.default is not dataclasses.MISSING:
            namespace[f"_default_{f.name}"] = f.default
            params.append(f"{f.name}=_default_{f.name}")
        elif f.default_factory is not dataclasses.MISSING:
            namespace[f"_factory_{f.name}"] = f.default_factory
            params.append(f"{f.name}=_FACTORY")
            value = f"_factory_{f.name}() if {f.name} is _FACTORY else {f.name}"
        else:
            params.append(f.name)
        body.append(f"    _set_{f.name}(self, {value})\n")
    source = f"def __init__(self, {', '.join(params)}):\n{''.join(body)}"
    exec(source, namespace)  # noqa: S102 - our own field names, as dataclasses itself does
    init = namespace["__init__"]
    init.__qualname__ = f"{cls.__qualname__}.__init__"
    init.__doc__ = cls.__init__.__doc__
    init.__annotations__ = dict(cls.__init__.__annotations__)
    cls.__init__ = init  # type: ignore[misc]
    return cls


@_fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class Author:
    id: str
    handle: str  # without "@"; Mastodon: "user" on its own instance or "user@instance"
    display_name: str = ""
    avatar_url: str | None = None


@_fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class Link:
    url: str  # as it stands in the text (t.co on X)
    expanded_url: str  # where it really goes
    display_url: str = ""


@_fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class Media:
    type: str  # "image" | "video" | "gif" | "audio" | "unknown"
    url: str | None = None
    alt_text: str | None = None
    preview_url: str | None = None


@_fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class Metrics:
    """Public counts at last sight (they change; re-receiving a post updates them)."""

    retweets: int = 0
    likes: int = 0
    replies: int = 0
    quotes: int = 0


@_fast_init
@dataclasses.dataclass(frozen=True, slots=True)
class Post:
    network: Network
    id: str  # the network's own id, as a string (X id_str, Mastodon status id, Bluesky at:// URI)
    author: Author
    text: str  # plain text; Mastodon HTML converted; a retweet carries the original's full text
    created_at: datetime  # aware, UTC
    kind: Kind = Kind.ORIGINAL
    lang: str | None = None
    hashtags: tuple[str, ...] = ()  # without "#", as written
    mentions: tuple[str, ...] = ()  # handles without "@"
    links: tuple[Link, ...] = ()
    media: tuple[Media, ...] = ()
    retweeted_id: str | None = None  # kind == RETWEET: the post it retweets
    quoted_id: str | None = None  # the post it quotes (may also be a reply)
    reply_to_id: str | None = None  # the post it answers
    reply_to_handle: str | None = None  # whom it answers (``to:``)
    metrics: Metrics = Metrics()
    url: str = ""  # the post's page on its network
    edited_at: datetime | None = None
    # Mastodon only: the status URI, identical on every instance (ids are per instance).
    uri: str | None = None
    # kind == RETWEET: the handle of the retweeted post's author (``@user`` and
    # ``retweets_of:user`` find the retweet by it, as X search does).
    retweeted_handle: str | None = None
    # X: the ids of every version of an edited tweet, the first (the key of all
    # of them: one post) to the latest; empty when it was never edited.
    edit_history: tuple[str, ...] = ()
    raw: dict[str, Any] = dataclasses.field(
        default_factory=dict, compare=False, hash=False, repr=False
    )

    @property
    def key(self) -> str:
        """The post's identity on its network, stable across instances and re-fetches."""
        if self.network is Network.MASTODON and self.uri:
            return self.uri
        if self.edit_history:  # every version of an edited tweet is one post
            return self.edit_history[0]
        return self.id

    @property
    def is_reply(self) -> bool:
        return self.reply_to_id is not None

    @property
    def is_quote(self) -> bool:
        return self.quoted_id is not None

    @property
    def has_media(self) -> bool:
        return bool(self.media)

    @property
    def has_links(self) -> bool:
        return bool(self.links)


def kind_of(*, retweeted_id: str | None, quoted_id: str | None, reply_to_id: str | None) -> Kind:
    """A post's kind from what it references, strongest first (retweet > quote > reply)."""
    if retweeted_id is not None:
        return Kind.RETWEET
    if quoted_id is not None:
        return Kind.QUOTE
    if reply_to_id is not None:
        return Kind.REPLY
    return Kind.ORIGINAL


def utc(dt: datetime) -> datetime:
    """Return ``dt`` as an aware UTC datetime (naive values are taken as UTC)."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_time(value: str) -> datetime:
    """Parse the ISO 8601 / RFC 3339 timestamps the networks send ("Z", offsets, fractions)."""
    text = value.strip()
    if text.endswith("Z") or text.endswith("z"):
        text = text[:-1] + "+00:00"
    # Bluesky sends up to 9 fractional digits; fromisoformat takes at most 6.
    if "." in text:
        head, _, rest = text.partition(".")
        digits = ""
        i = 0
        while i < len(rest) and rest[i].isdigit():
            digits += rest[i]
            i += 1
        text = f"{head}.{(digits + '000000')[:6]}{rest[i:]}"
    return utc(datetime.fromisoformat(text))
