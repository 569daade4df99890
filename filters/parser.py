"""Parsing filter text into a syntax tree (``filters.ast``).

A hand-written lexer and recursive-descent parser, so every error can name the
exact column and what was expected there. Grammar, loosest binding first::

    expr    := and_expr ( ("OR" | "|") and_expr )*
    and_expr:= unary ( ["AND"] unary )*          implicit AND
    unary   := "-" unary | "(" expr ")" | term
    term    := word | "phrase" | #tag | @user | name:value | regex:/.../[i]

So NOT binds tighter than AND, which binds tighter than OR (as on X).
``OR``/``AND`` are keywords only in upper case; ``or`` is a word.
Nothing but ``FilterError`` ever escapes ``parse``.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from datetime import UTC, date, datetime

from filters import ast, regex_safety
from filters.errors import FilterError
from filters.text import fold_key, tokenize

# Every ``name:`` operator and what its value is (used in error messages). The
# help text is checked against this table and the keyword vocabularies in ast.py.
VALUE_OPERATORS: dict[str, str] = {
    "from": "a handle",
    "to": "a handle",
    "retweets_of": "a handle",
    "is": "a kind",
    "has": "an attachment kind",
    "lang": "a language code",
    "source": "a network",
    "min_retweets": "a number",
    "min_likes": "a number",
    "min_replies": "a number",
    "since": "a date, time or relative time",
    "until": "a date, time or relative time",
    "q": "a question number",
    "question": "a question number",
    "regex": "a /regular expression/",
}

# Accepted spellings that mean the same value.
IS_ALIASES = {"rt": "retweet", "retweets": "retweet", "replies": "reply", "quotes": "quote"}
HAS_ALIASES = {"link": "links", "images": "media", "image": "media", "video": "media"}
SOURCE_ALIASES = {"twitter": "x", "bsky": "bluesky", "masto": "mastodon"}

MAX_DEPTH = 32  # nested groups / negations: keeps the compiled Python and SQL shallow
MAX_TERMS = 100  # terms in one expression: keeps SQLite's and FTS5's parse trees small
MAX_NUMBER = 2**63 - 1  # SQLite's INTEGER

_NAME = re.compile(r"[A-Za-z_]+(?=:)")
_DIGITS = re.compile(r"[0-9]{1,19}")
_RELATIVE = re.compile(r"-?([0-9]{1,9})([smhdw])")
_LANG = re.compile(r"[a-z]{1,8}(?:-[a-z0-9]{1,8})*")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_DELIMITERS = frozenset(' \t\n\r\f\v()|"')


@dataclasses.dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "(" ")" "OR" "AND" "-" "phrase" "word" "op" "end"
    pos: int
    value: str = ""
    name: str = ""  # for "op": the operator name, lower case
    value_pos: int = 0  # for "op": where the value starts


def _is_space(ch: str) -> bool:
    return ch.isspace()


def _expected_names() -> tuple[str, ...]:
    return tuple(f"{name}:" for name in VALUE_OPERATORS)


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    def tokens(self) -> list[Token]:
        out: list[Token] = []
        text, n = self.text, len(self.text)
        while True:
            while self.i < n and _is_space(text[self.i]):
                self.i += 1
            if self.i >= n:
                out.append(Token("end", n))
                return out
            start = self.i
            ch = text[start]
            if ch in "()":
                out.append(Token(ch, start))
                self.i += 1
            elif ch == "|":
                out.append(Token("OR", start))
                self.i += 1
            elif ch == "-" and (start + 1 >= n or _is_space(text[start + 1])):
                raise FilterError(
                    f"'-' at column {start + 1} must be followed directly by a term to exclude",
                    start,
                    ("a term",),
                )
            elif ch == "-":
                out.append(Token("-", start))
                self.i += 1
            elif ch == '"':
                value, self.i = self._quoted(start)
                out.append(Token("phrase", start, value))
            else:
                out.append(self._word(start))

    def _quoted(self, start: int) -> tuple[str, int]:
        """Read ``"..."`` starting at ``start``; return (content, index after it)."""
        end = self.text.find('"', start + 1)
        if end < 0:
            raise FilterError(
                f"unclosed quote opened at column {start + 1}", len(self.text), ('"',)
            )
        return self.text[start + 1 : end], end + 1

    def _word(self, start: int) -> Token:
        text, n = self.text, len(self.text)
        m = _NAME.match(text, start)
        if m:
            name = m.group().lower()
            value_pos = m.end() + 1
            if name not in VALUE_OPERATORS:
                raise FilterError(
                    f"unknown operator '{m.group()}:' at column {start + 1}; expected one of "
                    + ", ".join(_expected_names())
                    + ' (put the word in "quotes" to search for it)',
                    start,
                    _expected_names(),
                )
            if name == "regex" and value_pos < n and text[value_pos] == "/":
                self.i = self._regex_end(value_pos)
                return Token("op", start, text[value_pos : self.i], name, value_pos)
            if value_pos < n and text[value_pos] == '"':
                value, self.i = self._quoted(value_pos)
                return Token("op", start, value, name, value_pos + 1)
            i = value_pos
            while i < n and text[i] not in _DELIMITERS and not _is_space(text[i]):
                i += 1
            self.i = i
            return Token("op", start, text[value_pos:i], name, value_pos)
        i = start
        while i < n and text[i] not in _DELIMITERS and not _is_space(text[i]):
            i += 1
        self.i = i
        word = text[start:i]
        if word in ("OR", "AND"):
            return Token(word, start)
        return Token("word", start, word)

    def _regex_end(self, slash: int) -> int:
        """Index just after ``/pattern/flags`` that starts at ``slash``."""
        text, n = self.text, len(self.text)
        i = slash + 1
        while i < n:
            ch = text[i]
            if ch == "\\":
                i += 2
                continue
            if ch == "/":
                i += 1
                while i < n and text[i] not in _DELIMITERS and not _is_space(text[i]):
                    i += 1
                return i
            i += 1
        raise FilterError(
            f"unclosed regular expression opened at column {slash + 1}; end it with '/'",
            n,
            ("/",),
        )


class _Parser:
    def __init__(self, text: str, tokens: list[Token]) -> None:
        self.text = text
        self.tokens = tokens
        self.k = 0
        self.depth = 0
        self.terms = 0

    def peek(self) -> Token:
        return self.tokens[self.k]

    def take(self) -> Token:
        tok = self.tokens[self.k]
        self.k += 1
        return tok

    def parse(self) -> ast.Node:
        if self.peek().kind == "end":
            return ast.MatchAll()
        node = self.expr()
        tok = self.peek()
        if tok.kind == ")":
            raise FilterError(
                f"unmatched ')' at column {tok.pos + 1}", tok.pos, ("a term", "end of filter")
            )
        return node

    def expr(self) -> ast.Node:
        parts = [self.and_expr()]
        while self.peek().kind == "OR":
            tok = self.take()
            if self.peek().kind in ("end", ")", "OR"):
                raise FilterError(
                    f"OR at column {tok.pos + 1} needs a term after it",
                    self.peek().pos,
                    ("a term",),
                )
            parts.append(self.and_expr())
        return ast.or_(*parts)

    def and_expr(self) -> ast.Node:
        parts: list[ast.Node] = []
        while True:
            tok = self.peek()
            if tok.kind in ("end", ")", "OR"):
                break
            if tok.kind == "AND":
                self.take()
                if not parts or self.peek().kind in ("end", ")", "OR", "AND"):
                    raise FilterError(
                        f"AND at column {tok.pos + 1} needs a term on both sides",
                        tok.pos,
                        ("a term",),
                    )
                continue
            parts.append(self.unary())
        if not parts:
            tok = self.peek()
            if tok.kind == "OR":
                raise FilterError(
                    f"OR at column {tok.pos + 1} needs a term before it", tok.pos, ("a term",)
                )
            if tok.kind == "end":  # "(" as the last thing typed
                raise FilterError(
                    f"expected a term at column {tok.pos + 1}, after '('", tok.pos, ("a term",)
                )
            # ")" right after "(" is caught in unary(); here only a stray ")" remains.
            raise FilterError(f"unmatched ')' at column {tok.pos + 1}", tok.pos, ("a term",))
        return ast.and_(*parts)

    def _enter(self, tok: Token) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FilterError(
                f"the filter is nested too deeply at column {tok.pos + 1} "
                f"(at most {MAX_DEPTH} levels of '(' and '-')",
                tok.pos,
            )

    def unary(self) -> ast.Node:
        tok = self.take()
        if tok.kind == "-":
            nxt = self.peek()
            if nxt.kind in ("end", ")", "OR", "AND"):
                raise FilterError(
                    f"'-' at column {tok.pos + 1} must be followed directly by a term to exclude",
                    nxt.pos,
                    ("a term",),
                )
            self._enter(tok)
            node = ast.Not(self.unary())
            self.depth -= 1
            return node
        if tok.kind == "(":
            if self.peek().kind == "end":
                raise FilterError(
                    f"unclosed parenthesis opened at column {tok.pos + 1}: a term and ')' expected",
                    self.peek().pos,
                    ("a term", ")"),
                )
            if self.peek().kind == ")":
                raise FilterError(
                    f"empty parentheses at column {tok.pos + 1}", self.peek().pos, ("a term",)
                )
            self._enter(tok)
            node = self.expr()
            self.depth -= 1
            if self.peek().kind != ")":
                raise FilterError(
                    f"unclosed parenthesis opened at column {tok.pos + 1}", tok.pos, (")",)
                )
            self.take()
            return node
        self.terms += 1
        if self.terms > MAX_TERMS:
            raise FilterError(
                f"too many terms (at most {MAX_TERMS}); the one at column {tok.pos + 1} is over",
                tok.pos,
            )
        if tok.kind == "phrase":
            return self.text_term(tok.value, tok.pos, quoted=True)
        if tok.kind == "op":
            return _operator(tok)
        return self.word(tok)

    def word(self, tok: Token) -> ast.Node:
        word = tok.value
        if word.startswith("#"):
            name = word[1:]
            key = fold_key(name)
            if not _has_word_char(key):
                raise FilterError(
                    f"'#' at column {tok.pos + 1} needs a hashtag after it",
                    tok.pos + 1,
                    ("a hashtag",),
                )
            return ast.Tag(key, raw=word)
        if word.startswith("@"):
            key = fold_key(word[1:])
            if not _has_word_char(key):
                raise FilterError(
                    f"'@' at column {tok.pos + 1} needs a handle after it",
                    tok.pos + 1,
                    ("a handle",),
                )
            return ast.Mention(key, raw=word)
        return self.text_term(word, tok.pos, quoted=False)

    def text_term(self, value: str, pos: int, *, quoted: bool) -> ast.Node:
        tokens = tuple(tokenize(value))
        if not tokens:
            what = f'"{value}"' if quoted else f"'{value}'"
            raise FilterError(
                f"{what} at column {pos + 1} has no letters or digits to search for",
                pos,
                ("a word",),
            )
        return ast.Text(tokens, quoted=quoted or len(tokens) > 1, raw=value)


def _has_word_char(key: str) -> bool:
    return any(ch.isalnum() for ch in key)


def _operator(tok: Token) -> ast.Node:
    name, value, pos = tok.name, tok.value, tok.value_pos
    col = tok.pos + 1
    if not value:
        raise FilterError(
            f"{name}: at column {col} needs {VALUE_OPERATORS[name]}",
            pos,
            (VALUE_OPERATORS[name],),
        )
    if name in ast.AUTHOR_OPERATORS:
        key = fold_key(value.strip().lstrip("@"))
        if not _has_word_char(key):
            raise FilterError(f"{name}: at column {col} needs a handle", pos, ("a handle",))
        return ast.Author(ast.AUTHOR_OPERATORS[name], key, raw=value)
    if name == "is":
        return ast.Is(_choice(name, value, pos, col, ast.IS_VALUES, IS_ALIASES))
    if name == "has":
        return ast.Has(_choice(name, value, pos, col, ast.HAS_VALUES, HAS_ALIASES))
    if name == "source":
        return ast.Source(_choice(name, value, pos, col, ast.SOURCE_VALUES, SOURCE_ALIASES))
    if name == "lang":
        code = value.lower()
        if not _LANG.fullmatch(code):
            raise FilterError(
                f"lang: at column {col} needs a language code like 'en' or 'pt-br', not '{value}'",
                pos,
                ("a language code",),
            )
        return ast.Lang(code)
    if name.startswith("min_"):
        return ast.MinCount(name[len("min_") :], _number(name, value, pos, col))
    if name in ("q", "question"):
        return ast.QuestionIs(_number(name, value, pos, col))
    if name in ("since", "until"):
        return _time(name, value, pos, col)
    if name == "regex":
        return _regex(value, pos, col)
    raise AssertionError(f"operator {name!r} is in VALUE_OPERATORS but not handled")


def _choice(
    name: str, value: str, pos: int, col: int, values: tuple[str, ...], aliases: dict[str, str]
) -> str:
    v = value.lower()
    v = aliases.get(v, v)
    if v in values:
        return v
    raise FilterError(
        f"unknown value '{value}' for {name}: at column {col}; expected one of "
        + ", ".join(values),
        pos,
        values,
    )


def _number(name: str, value: str, pos: int, col: int) -> int:
    if not _DIGITS.fullmatch(value) or int(value) > MAX_NUMBER:
        raise FilterError(
            f"{name}: at column {col} needs a whole number, not '{value}'", pos, ("a number",)
        )
    return int(value)


def _time(name: str, value: str, pos: int, col: int) -> ast.Time:
    spec = value.strip()
    m = _RELATIVE.fullmatch(spec)
    if m:
        return ast.Time(name, ago=float(int(m.group(1)) * _UNIT_SECONDS[m.group(2)]), spec=spec)
    try:
        if len(spec) <= 10 and ":" not in spec:
            # A date alone means that day's midnight, UTC: since: includes the day,
            # until: stops before it.
            day = date.fromisoformat(spec)
            at = datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()
        else:
            iso = spec[:-1] + "+00:00" if spec[-1:] in ("Z", "z") else spec
            moment = datetime.fromisoformat(iso)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=UTC)
            at = moment.timestamp()
    except (ValueError, OverflowError, OSError):
        raise FilterError(
            f"{name}: at column {col} needs a date (2024-05-01), a time "
            f"(2024-05-01T18:00, UTC unless an offset is given) or a relative time "
            f"(-10m, -2h, -1d), not '{value}'",
            pos,
            ("a date, time or relative time",),
        ) from None
    return ast.Time(name, at=at, spec=spec)


def _regex(value: str, pos: int, col: int) -> ast.Regex:
    if not value.startswith("/"):
        raise FilterError(
            f"regex: at column {col} needs a pattern between slashes, like regex:/A\\d+/",
            pos,
            ("/",),
        )
    close = value.rfind("/")
    pattern, flags = value[1:close], value[close + 1 :]
    if flags not in ("", "i"):
        raise FilterError(
            f"unknown regex flag '{flags}' at column {pos + close + 2}; only 'i' (ignore case) is supported",
            pos + close + 1,
            ("i",),
        )
    # "\/" is how a slash is written inside the literal; Python's re reads it as "/".
    node = ast.Regex(pattern, ignore_case=bool(flags))
    try:
        # A pattern Python warns about ("possible nested set": its meaning is to change)
        # is refused here, once, rather than warned about by every later compile.
        with warnings.catch_warnings():
            warnings.simplefilter("error", FutureWarning)
            re.compile(pattern, re.IGNORECASE if flags else 0)  # error positions match the text
            re.compile(node.effective_pattern)  # the exact string the predicate and SQL use
    except FutureWarning as exc:
        raise FilterError(
            f"ambiguous regular expression at column {col}: {exc}; escape the bracket (\\[)",
            pos,
        ) from None
    except re.error as exc:
        where = pos + 1 + (exc.pos if exc.pos is not None else 0)
        raise FilterError(
            f"invalid regular expression at column {where + 1}: {exc.msg}",
            min(where, pos + len(value)),
        ) from None
    except (OverflowError, RecursionError, ValueError, MemoryError) as exc:
        raise FilterError(f"invalid regular expression at column {col}: {exc}", pos) from None
    # Python's re cannot be interrupted: a pattern that can backtrack exponentially
    # ((a+)+$) would freeze whatever matches it, so it is refused here, before any
    # column, count or live post sees it.
    try:
        regex_safety.check(pattern, ignore_case=bool(flags))
    except regex_safety.CatastrophicPattern as exc:
        raise FilterError(
            f"regex at column {pos + 1} can take {exc}: try a++ or (?>...)",
            pos,
        ) from None
    except RecursionError:
        raise FilterError(f"regex at column {pos + 1} is nested too deeply", pos) from None
    return node


def parse(text: str) -> ast.Node:
    """Parse filter ``text``; raise ``FilterError`` (and nothing else) when it is not valid."""
    if not isinstance(text, str):
        raise TypeError(f"filter text must be a str, not {type(text).__name__}")
    tokens = _Lexer(text).tokens()
    return _Parser(text, tokens).parse()


__all__ = ["MAX_DEPTH", "MAX_TERMS", "VALUE_OPERATORS", "parse"]
