"""Compiling a filter into a fast Python predicate over ``filters.record.Matchable``.

Live columns run their predicate on every incoming post, so everything that
can be decided once is decided at compile time (folded tokens, compiled
regexes, absolute times), and the tree becomes one generated Python function:
``and``/``or``/``not`` short-circuit natively, with no call per node. Values
are bound as names in the function's namespace, never pasted into the source.
(Measured: about 2x faster than nested closures on a 10-column deck.)
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from filters import ast
from filters.parser import parse
from filters.record import Matchable

Predicate = Callable[[Matchable], bool]


def _has_phrase(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` occurs in ``tokens`` as consecutive tokens."""
    first, size = phrase[0], len(phrase)
    start = 0
    try:
        while True:
            i = tokens.index(first, start)
            if tokens[i : i + size] == phrase:
                return True
            start = i + 1
    except ValueError:
        return False


_IS_EXPR = {
    "retweet": "(r.kind == 'retweet')",
    "original": "(r.kind == 'original')",
    "reply": "r.is_reply",
    "quote": "r.is_quote",
    "question": "r.is_question",
    "host": "r.is_host",
    "collected": "r.is_collected",
    "retweeted_by_me": "r.is_retweeted_by_me",
}
_HAS_EXPR = {"media": "r.has_media", "links": "r.has_links"}
_AUTHOR_ATTR = {
    "author": "r.author_keys",
    "reply_to": "r.reply_to_keys",
    "retweeted": "r.retweeted_keys",
}


class _Generator:
    def __init__(self, now: float) -> None:
        self.now = now
        self.names: dict[str, Any] = {"_has_phrase": _has_phrase}

    def bind(self, value: Any) -> str:
        name = f"_v{len(self.names)}"
        self.names[name] = value
        return name

    def expr(self, node: ast.Node) -> str:
        match node:
            case ast.MatchAll():
                return "True"
            case ast.Text(tokens=tokens):
                if len(tokens) == 1:
                    word = tokens[0]
                    if word[0] in "#@":
                        return f"({self.bind(word)} in r.tokens)"
                    # A word finds its hashtag too (as X and Mastodon search do).
                    return f"({self.bind(word)} in r.tokens or {self.bind('#' + word)} in r.tokens)"
                return f"_has_phrase(r.tokens, {self.bind(tokens)})"
            case ast.Tag(key=key):
                return f"({self.bind(key)} in r.tags)"
            case ast.Mention(key=key):
                return f"({self.bind(key)} in r.mention_keys)"
            case ast.Author(field=field, key=key):
                return f"({self.bind(key)} in {_AUTHOR_ATTR[field]})"
            case ast.Is(what=what):
                return _IS_EXPR[what]
            case ast.Has(what=what):
                return _HAS_EXPR[what]
            case ast.Lang(code=code):
                # "en" also matches regional variants such as "en-gb".
                return (
                    f"(r.lang is not None and (r.lang == {self.bind(code)}"
                    f" or r.lang.startswith({self.bind(code + '-')})))"
                )
            case ast.Source(network=network):
                return f"(r.network == {self.bind(network)})"
            case ast.MinCount(field=field, n=n):
                return f"(r.{field} >= {self.bind(n)})"
            case ast.Time(bound=bound):
                op = ">=" if bound == "since" else "<"
                return f"(r.created_at {op} {self.bind(node.resolve(self.now))})"
            case ast.QuestionIs(n=n):
                return f"(r.question == {self.bind(n)})"
            case ast.Regex():
                search = re.compile(node.effective_pattern).search
                return f"({self.bind(search)}(r.text) is not None)"
            case ast.Not(child=child):
                return f"(not {self.expr(child)})"
            case ast.And(children=children):
                return "(" + " and ".join(self.expr(c) for c in children) + ")"
            case ast.Or(children=children):
                return "(" + " or ".join(self.expr(c) for c in children) + ")"
        raise TypeError(f"not a filter node: {node!r}")


def compile_predicate(node_or_text: ast.Node | str, *, now: float | None = None) -> Predicate:
    """A function telling whether a post matches the filter.

    ``now`` (unix seconds; default: the current time) anchors relative times
    such as ``since:-10m``: they are fixed when the filter is compiled, so a
    column showing "the last 10 minutes" recompiles its filter now and then.
    Raises ``FilterError`` for invalid text.
    """
    node = parse(node_or_text) if isinstance(node_or_text, str) else node_or_text
    gen = _Generator(time.time() if now is None else now)
    body = gen.expr(node)
    source = f"def predicate(r):\n    return True if {body} else False\n"
    namespace = dict(gen.names)
    # The source holds only our own fragments; user values are bound names.
    exec(compile(source, "<filter>", "exec"), namespace)
    predicate = namespace["predicate"]
    predicate.__doc__ = ast.render(node)
    return predicate
