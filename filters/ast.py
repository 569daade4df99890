"""The filter language's syntax tree, and rendering a tree back to filter text.

Nodes are immutable and compare by meaning: text values are stored folded
(``filters.text``), so ``Café`` and ``cafe`` parse to equal nodes. ``raw`` keeps
what the user typed, for ``explain``; it does not take part in equality.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import TypeAlias

# The closed vocabularies of the keyword operators (the grammar's table; help.py
# documents each of them and a test checks that it does).
IS_VALUES = (
    "retweet",
    "reply",
    "quote",
    "original",
    "question",
    "host",
    "collected",
    "retweeted_by_me",
)
HAS_VALUES = ("media", "links")
SOURCE_VALUES = ("x", "mastodon", "bluesky")
COUNT_FIELDS = ("retweets", "likes", "replies")
# The operators naming a person, and the field of the post they look at.
AUTHOR_OPERATORS = {"from": "author", "to": "reply_to", "retweets_of": "retweeted"}
_AUTHOR_OPERATOR_OF = {field: name for name, field in AUTHOR_OPERATORS.items()}


@dataclasses.dataclass(frozen=True, slots=True)
class MatchAll:
    """The empty expression: every post."""


@dataclasses.dataclass(frozen=True, slots=True)
class Text:
    """Text contains these consecutive tokens (one token: a word; more: a phrase)."""

    tokens: tuple[str, ...]
    quoted: bool = dataclasses.field(default=False, compare=False)  # typed in "quotes"
    raw: str = dataclasses.field(default="", compare=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Tag:
    """``#tag``: the post carries this hashtag (``key`` is ``fold_key`` of it)."""

    key: str
    raw: str = dataclasses.field(default="", compare=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Mention:
    """``@user``: the post mentions this handle (``key`` is ``fold_key`` of it)."""

    key: str
    raw: str = dataclasses.field(default="", compare=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Author:
    """``from:user`` (``field="author"``), ``to:user`` (``field="reply_to"``) or
    ``retweets_of:user`` (``field="retweeted"``: retweets of the user's posts)."""

    field: str  # "author" | "reply_to" | "retweeted"
    key: str
    raw: str = dataclasses.field(default="", compare=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Is:
    """``is:<what>`` for ``what`` in ``IS_VALUES``."""

    what: str


@dataclasses.dataclass(frozen=True, slots=True)
class Has:
    """``has:<what>`` for ``what`` in ``HAS_VALUES``."""

    what: str


@dataclasses.dataclass(frozen=True, slots=True)
class Lang:
    """``lang:xx``: the language is ``code`` or a variant of it (``en`` matches ``en-us``)."""

    code: str


@dataclasses.dataclass(frozen=True, slots=True)
class Source:
    """``source:<network>``."""

    network: str


@dataclasses.dataclass(frozen=True, slots=True)
class MinCount:
    """``min_<field>:N``: the public count is at least ``n``."""

    field: str  # one of COUNT_FIELDS
    n: int


@dataclasses.dataclass(frozen=True, slots=True)
class Time:
    """``since:T`` (``bound="since"``, inclusive) or ``until:T`` (exclusive).

    Either ``at`` (absolute unix seconds) or ``ago`` (seconds before "now", which
    is fixed when the filter is compiled) is set. ``spec`` is the text as typed.
    """

    bound: str  # "since" | "until"
    at: float | None = None
    ago: float | None = None
    spec: str = dataclasses.field(default="", compare=False)

    def resolve(self, now: float) -> float:
        return self.at if self.at is not None else now - (self.ago or 0.0)


@dataclasses.dataclass(frozen=True, slots=True)
class QuestionIs:
    """``q:N``: the post answers (or asks) question ``n``."""

    n: int


@dataclasses.dataclass(frozen=True, slots=True)
class Regex:
    """``regex:/pattern/`` (``/pattern/i`` ignores case), searched in the raw text."""

    pattern: str
    ignore_case: bool = False

    @property
    def effective_pattern(self) -> str:
        # The same string goes to Python and to SQLite's REGEXP, so both agree.
        return f"(?i){self.pattern}" if self.ignore_case else self.pattern


@dataclasses.dataclass(frozen=True, slots=True)
class Not:
    child: Node


@dataclasses.dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


Leaf: TypeAlias = (
    MatchAll | Text | Tag | Mention | Author | Is | Has | Lang | Source | MinCount | Time
)
Node: TypeAlias = Leaf | QuestionIs | Regex | Not | And | Or


def and_(*nodes: Node) -> Node:
    """AND of ``nodes``, flattening nested ANDs (one child: the child itself)."""
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.children if isinstance(node, And) else (node,))
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def or_(*nodes: Node) -> Node:
    """OR of ``nodes``, flattening nested ORs (one child: the child itself)."""
    flat: list[Node] = []
    for node in nodes:
        flat.extend(node.children if isinstance(node, Or) else (node,))
    return flat[0] if len(flat) == 1 else Or(tuple(flat))


def _quote(value: str) -> str:
    return '"' + value.replace('"', "") + '"'


def render(node: Node) -> str:
    """Filter text that parses back to ``node`` (a canonical spelling)."""
    match node:
        case MatchAll():
            return ""
        case Text(tokens=tokens):
            if len(tokens) == 1 and not tokens[0].startswith(("#", "@")):
                return tokens[0]
            return _quote(" ".join(tokens))
        case Tag(key=key):
            return f"#{key}"
        case Mention(key=key):
            return f"@{key}"
        case Author(field=field, key=key):
            return f"{_AUTHOR_OPERATOR_OF[field]}:{key}"
        case Is(what=what):
            return f"is:{what}"
        case Has(what=what):
            return f"has:{what}"
        case Lang(code=code):
            return f"lang:{code}"
        case Source(network=network):
            return f"source:{network}"
        case MinCount(field=field, n=n):
            return f"min_{field}:{n}"
        case Time(bound=bound, at=at, ago=ago, spec=spec):
            if spec:
                return f"{bound}:{_quote(spec) if ' ' in spec else spec}"
            if at is not None:
                return f"{bound}:{datetime.fromtimestamp(at, UTC).isoformat()}"
            return f"{bound}:-{int(ago or 0)}s"
        case QuestionIs(n=n):
            return f"q:{n}"
        case Regex(pattern=pattern, ignore_case=ignore_case):
            return f"regex:/{_escape_slashes(pattern)}/{'i' if ignore_case else ''}"
        case Not(child=child):
            inner = render(child)
            return f"-({inner})" if isinstance(child, And | Or) else f"-{inner}"
        case And(children=children):
            return " ".join(f"({render(c)})" if isinstance(c, Or) else render(c) for c in children)
        case Or(children=children):
            return " OR ".join(
                f"({render(c)})" if isinstance(c, And) else render(c) for c in children
            )
    raise TypeError(f"not a filter node: {node!r}")


def _escape_slashes(pattern: str) -> str:
    """Escape each ``/`` that is not already escaped, so the regex literal stays closed."""
    out: list[str] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        out.append("\\/" if ch == "/" else ch)
        i += 1
    return "".join(out)
