"""Compiling a filter into an SQLite WHERE-clause fragment over the cache.

The fragment is used as::

    SELECT sp.post_id FROM session_posts sp JOIN posts p ON p.id = sp.post_id
    WHERE sp.session_id = ? AND (<fragment>) ORDER BY sp.created_at DESC, sp.post_id DESC

so it may name ``p.*`` (posts) and ``sp.*`` (session_posts). It must select
exactly the posts the Python predicate accepts, so:

- every leaf is 0 or 1, never NULL (a NULL under NOT would drop the row where
  Python keeps it): nullable columns go through IS / IFNULL;
- text, hashtags, mentions, authors (``from:``) and reply targets (``to:``) use
  the FTS5 table ``posts_fts`` whose rows are the very tokens and handle keys
  ``filters.text`` gives the predicate; every token is a double-quoted FTS
  string, so no user text is read as FTS syntax;
- the regex pattern is the same string Python compiles (``(?i)`` for ``/i``).

All values are ``?`` parameters. Several text terms under one AND or OR are
folded into one FTS MATCH, so a column of words costs one index lookup.
"""

from __future__ import annotations

import re
import time

from filters import ast
from filters.parser import parse

_FTS_COLUMN = {ast.Text: "text", ast.Tag: "tags", ast.Mention: "mentions"}
_IS_SQL = {
    "retweet": "p.kind = 'retweet'",
    "original": "p.kind = 'original'",
    "reply": "p.reply_to_key IS NOT NULL",
    "quote": "p.quoted_key IS NOT NULL",
    "question": "sp.is_question <> 0",
    "host": "sp.is_host <> 0",
    # A row-value IN over the (small) quote list: SQLite drives from it through
    # session_posts' primary key instead of probing quote_items once per post
    # (measured: 2.6 ms instead of 108 ms for a first page of 1,000,000 posts).
    "collected": (
        "(sp.session_id, sp.post_id) IN (SELECT qi.session_id, qi.post_id FROM quote_items qi)"
    ),
    "retweeted_by_me": "p.retweeted_by_me <> 0",
}
_HAS_SQL = {"media": "p.has_media <> 0", "links": "p.has_links <> 0"}
# from:/to: match a handle key in posts_fts' authors / reply_to columns.
_KEYS_FTS_COLUMN = {"author": "authors", "reply_to": "reply_to"}
# Named on ``sp`` (not ``p``) so a filter of words and jam facts needs no posts
# row at all; ``desktop.store.library`` recognises this exact text (see
# ``split_fts``) to choose how to page it.
FTS_MATCH = "sp.post_id IN (SELECT rowid FROM posts_fts WHERE posts_fts MATCH ?)"
_FTS_IN = FTS_MATCH
_POSTS_COLUMN = re.compile(r"\bp\.")


def _fts_string(value: str) -> str:
    return '"' + value.replace('"', '""') + '"'


def _fts(node: ast.Node) -> str | None:
    """The FTS5 query for ``node`` if it can be written as one, else None."""
    match node:
        case ast.Text(tokens=(word,)) if word[0] not in "#@":
            # A word finds its hashtag too, as the predicate does.
            return f"text : {_fts_string(word)} OR text : {_fts_string('#' + word)}"
        case ast.Text(tokens=tokens):
            return f"text : {_fts_string(' '.join(tokens))}"
        case ast.Tag(key=key):
            return f"tags : {_fts_string(key)}"
        case ast.Mention(key=key):
            return f"mentions : {_fts_string(key)}"
        case ast.Author(field="retweeted", key=key):
            # "@key" in the mentions column: see desktop.store.fulltext.mention_words.
            return f"mentions : {_fts_string('@' + key)}"
        case ast.Author(field=field, key=key):
            return f"{_KEYS_FTS_COLUMN[field]} : {_fts_string(key)}"
        case ast.Or(children=children):
            parts = [_fts(c) for c in children]
            if all(p is not None for p in parts):
                return " OR ".join(f"({p})" for p in parts)
            return None
        case ast.And(children=children):
            positive, negative, rest = _split_and(children)
            if rest or not positive:
                return None
            return _fts_and(positive, negative)
    return None


def _split_and(
    children: tuple[ast.Node, ...],
) -> tuple[list[str], list[str], list[ast.Node]]:
    """Split AND children into FTS queries, negated FTS queries, and the rest."""
    positive: list[str] = []
    negative: list[str] = []
    rest: list[ast.Node] = []
    for child in children:
        if isinstance(child, ast.Not) and (q := _fts(child.child)) is not None:
            negative.append(q)
        elif (q := _fts(child)) is not None:
            positive.append(q)
        else:
            rest.append(child)
    return positive, negative, rest


def _fts_and(positive: list[str], negative: list[str]) -> str:
    query = " AND ".join(f"({q})" for q in positive)
    if negative:
        # FTS5's NOT is binary ("a NOT b"), so the positive part must exist.
        query = f"({query}) NOT ({' OR '.join(f'({q})' for q in negative)})"
    return query


class _Compiler:
    def __init__(self, now: float) -> None:
        self.now = now
        self.params: list[object] = []

    def param(self, value: object) -> str:
        self.params.append(value)
        return "?"

    def match(self, query: str) -> str:
        self.params.append(query)
        return _FTS_IN

    def sql(self, node: ast.Node) -> str:
        match node:
            case ast.MatchAll():
                return "1"
            case ast.Text() | ast.Tag() | ast.Mention() | ast.Author():
                return self.match(_fts(node) or "")
            case ast.Is(what=what):
                return _IS_SQL[what]
            case ast.Has(what=what):
                return _HAS_SQL[what]
            case ast.Lang(code=code):
                return (
                    f"IFNULL(lower(p.lang) = {self.param(code)}"
                    f" OR substr(lower(p.lang), 1, {len(code) + 1}) = {self.param(code + '-')}, 0)"
                )
            case ast.Source(network=network):
                return f"p.network = {self.param(network)}"
            case ast.MinCount(field=field, n=n):
                return f"p.{field} >= {self.param(n)}"
            case ast.Time(bound=bound):
                op = ">=" if bound == "since" else "<"
                # session_posts' copy of the time: its index serves the column's order.
                return f"sp.created_at {op} {self.param(node.resolve(self.now))}"
            case ast.QuestionIs(n=n):
                return f"sp.question IS {self.param(n)}"
            case ast.Regex():
                return f"p.text REGEXP {self.param(node.effective_pattern)}"
            case ast.Not(child=child):
                if (q := _fts(child)) is not None:
                    return f"NOT ({self.match(q)})"
                return f"NOT ({self.sql(child)})"
            case ast.And(children=children):
                positive, negative, rest = _split_and(children)
                parts: list[str] = []
                if positive:
                    parts.append(self.match(_fts_and(positive, negative)))
                elif negative:
                    parts.append(f"NOT ({self.match(' OR '.join(f'({q})' for q in negative))})")
                parts.extend(self.sql(c) for c in rest)
                return "(" + " AND ".join(parts) + ")" if len(parts) > 1 else parts[0]
            case ast.Or(children=children):
                fts_parts: list[str] = []
                others: list[ast.Node] = []
                for child in children:
                    q = _fts(child)
                    (fts_parts.append(q) if q is not None else others.append(child))
                parts = []
                if fts_parts:
                    parts.append(self.match(" OR ".join(f"({q})" for q in fts_parts)))
                parts.extend(self.sql(c) for c in others)
                return "(" + " OR ".join(parts) + ")" if len(parts) > 1 else parts[0]
        raise TypeError(f"not a filter node: {node!r}")


def compile_sql(node_or_text: ast.Node | str, *, now: float | None = None) -> tuple[str, list]:
    """``(fragment, params)``: a WHERE-clause fragment selecting what the filter matches.

    ``now`` anchors relative times, as in ``compile_predicate``. Raises
    ``FilterError`` for invalid text.
    """
    node = parse(node_or_text) if isinstance(node_or_text, str) else node_or_text
    compiler = _Compiler(time.time() if now is None else now)
    fragment = compiler.sql(node)
    return fragment, compiler.params


def needs_posts(fragment: str) -> bool:
    """Whether a ``compile_sql`` fragment reads ``posts`` columns (``p.*``), so
    the query must join ``posts``; otherwise ``session_posts`` alone answers it."""
    return _POSTS_COLUMN.search(fragment) is not None


def _closes_at_end(fragment: str) -> bool:
    """Whether the parenthesis opening ``fragment`` is the one closing it."""
    depth = 0
    quoted = False
    for i, char in enumerate(fragment):
        if char == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                return i == len(fragment) - 1
    return False


def split_fts(fragment: str, params: list | tuple) -> tuple[str, str, list] | None:
    """``(fts_query, rest, rest_params)`` when a ``compile_sql`` fragment is a
    full-text MATCH AND-ed with other conditions (``rest``, ``"1"`` if none),
    else None (no MATCH, or one under OR/NOT, which cannot drive a query).

    The compiler puts the MATCH of an AND first and its ``?`` is then the
    first parameter, so the split needs no parsing of the SQL beyond that.
    """
    if fragment == FTS_MATCH:
        return params[0], "1", list(params[1:])
    head = "(" + FTS_MATCH + " AND "
    if fragment.startswith(head) and _closes_at_end(fragment):
        return params[0], fragment[len(head) : -1], list(params[1:])
    return None
