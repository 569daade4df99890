"""A filter in words, shown under the column editor ("posts that ...")."""

from __future__ import annotations

from datetime import UTC, datetime

from filters import ast
from filters.parser import parse

_IS_WORDS = {
    "retweet": ("are retweets", "are not retweets"),
    "reply": ("are replies", "are not replies"),
    "quote": ("quote another post", "do not quote another post"),
    "original": ("are original posts", "are not original posts"),
    "question": ("are the host's questions", "are not the host's questions"),
    "host": ("are by a host", "are not by a host"),
    "collected": ("are in the quote list", "are not in the quote list"),
    "retweeted_by_me": ("you retweeted", "you did not retweet"),
}
_HAS_WORDS = {"media": "media", "links": "links"}
_NETWORK_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}


def _q(value: str) -> str:
    return f"\u201c{value}\u201d"


def _duration(seconds: float) -> str:
    for unit, size in (("week", 604800), ("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size and seconds % size == 0:
            n = int(seconds // size)
            return f"{n} {unit}{'s' if n != 1 else ''}"
    n = int(seconds)
    return f"{n} second{'s' if n != 1 else ''}"


def _when(node: ast.Time) -> str:
    moment = datetime.fromtimestamp(node.at or 0.0, UTC)
    if moment.hour == moment.minute == moment.second == moment.microsecond == 0:
        return moment.strftime("%Y-%m-%d") + " (UTC)"
    return moment.strftime("%Y-%m-%d %H:%M:%S") + " UTC"


def _leaf(node: ast.Node) -> tuple[str, str] | None:
    """(positive, negative) verb phrases for a leaf, completing "posts that ..."."""
    match node:
        case ast.Text(tokens=tokens, raw=raw):
            shown = _q(raw or " ".join(tokens))
            what = f"the phrase {shown}" if len(tokens) > 1 else shown
            return f"contain {what}", f"do not contain {what}"
        case ast.Tag(key=key, raw=raw):
            tag = raw or f"#{key}"
            return f"have the hashtag {tag}", f"do not have the hashtag {tag}"
        case ast.Mention(key=key, raw=raw):
            who = raw or f"@{key}"
            return f"mention {who}", f"do not mention {who}"
        case ast.Author(field=field, key=key, raw=raw):
            who = "@" + (raw.lstrip("@") if raw else key)
            if field == "author":
                return f"are from {who}", f"are not from {who}"
            if field == "retweeted":
                return f"are retweets of {who}", f"are not retweets of {who}"
            return f"reply to {who}", f"do not reply to {who}"
        case ast.Is(what=what):
            return _IS_WORDS[what]
        case ast.Has(what=what):
            return f"have {_HAS_WORDS[what]}", f"have no {_HAS_WORDS[what]}"
        case ast.Lang(code=code):
            return f"are in language {_q(code)}", f"are not in language {_q(code)}"
        case ast.Source(network=network):
            name = _NETWORK_NAMES[network]
            return f"come from {name}", f"do not come from {name}"
        case ast.MinCount(field=field, n=n):
            return f"have at least {n} {field}", f"have fewer than {n} {field}"
        case ast.Time(bound="since", ago=float() as ago):
            d = _duration(ago)
            return f"were posted in the last {d}", f"were posted more than {d} ago"
        case ast.Time(bound="until", ago=float() as ago):
            d = _duration(ago)
            return f"were posted more than {d} ago", f"were posted in the last {d}"
        case ast.Time(bound="since"):
            return f"were posted at or after {_when(node)}", f"were posted before {_when(node)}"
        case ast.Time():
            return f"were posted before {_when(node)}", f"were posted at or after {_when(node)}"
        case ast.QuestionIs(n=n):
            return f"belong to question {n}", f"do not belong to question {n}"
        case ast.Regex(pattern=pattern, ignore_case=ignore_case):
            how = " (ignoring case)" if ignore_case else ""
            return (
                f"match the regular expression /{pattern}/{how}",
                f"do not match the regular expression /{pattern}/{how}",
            )
    return None


def _join(parts: list[str], word: str) -> str:
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + f" {word} " + parts[-1]


def _phrase(node: ast.Node) -> str:
    if isinstance(node, ast.Not):
        inner = _leaf(node.child)
        if inner is not None:
            return inner[1]
        return f"do not ({_phrase(node.child)})"
    leaf = _leaf(node)
    if leaf is not None:
        return leaf[0]
    if isinstance(node, ast.And):
        return _join([_nested(c) for c in node.children], "and")
    if isinstance(node, ast.Or):
        return "either " + _join([_nested(c) for c in node.children], "or")
    raise TypeError(f"not a filter node: {node!r}")


def _nested(node: ast.Node) -> str:
    text = _phrase(node)
    return f"({text})" if isinstance(node, ast.And | ast.Or) else text


def explain(node_or_text: ast.Node | str) -> str:
    """Describe the filter in one sentence. Raises ``FilterError`` for invalid text."""
    node = parse(node_or_text) if isinstance(node_or_text, str) else node_or_text
    if isinstance(node, ast.MatchAll):
        return "all posts"
    return f"posts that {_phrase(node)}"
