"""One tokenizer for both sides of every text match.

Live columns match with a Python predicate and cached sessions with SQLite FTS5;
the two must agree on every post. So the text is tokenized once, here, and the
store indexes exactly these tokens (space-joined) in an FTS5 table whose
``ascii`` tokenizer only splits on the spaces we put there: FTS5 never
tokenizes on its own, and the two sides cannot drift apart.

Rules (X-like word search):
- case-insensitive (``str.casefold``) and accent-insensitive (NFKD, combining
  marks dropped), so "Café" == "cafe";
- a token is a run of letters, digits and ``_``; a leading ``#`` or ``@`` stays
  on it, so ``#socbiz``, ``socbiz`` and ``#socbizchat`` are three different
  tokens, and ``@alice`` is not ``alice``;
- anything else separates tokens.
"""

from __future__ import annotations

import functools
import re
import unicodedata

# ``\w`` in Python's re is exactly ``str.isalnum() or "_"``: a token is a run of
# those, with one leading "#" or "@" kept when a word follows at once.
_TOKEN = re.compile(r"[#@]?\w+")
# On ASCII text ``\w`` means [A-Za-z0-9_] either way; the ASCII form checks a
# table instead of the Unicode database per character (findall -20%).
_ASCII_TOKEN = re.compile(r"[#@]?\w+", re.ASCII)
_NOT_WORD = re.compile(r"\W")


class _CombiningMarks(dict):
    """``str.translate`` table deleting combining marks (``unicodedata.combining``
    non-zero), filled per code point on first sight."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_DROP_COMBINING = _CombiningMarks()
_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


def _drop_marks(run: re.Match[str]) -> str:
    chars = run.group()
    if len(chars) == 1:  # the usual case: one accent after its letter
        return "" if unicodedata.combining(chars) else chars
    return chars.translate(_DROP_COMBINING)


def fold(text: str) -> str:
    """Case- and accent-fold ``text`` (the normal form every match compares)."""
    if text.isascii():  # the common case, and ASCII has nothing to decompose
        return text.lower()
    # Combining marks are never ASCII: only the non-ASCII runs are looked at
    # (about 3x faster than a Python-level pass over every character).
    decomposed = unicodedata.normalize("NFKD", text)
    return _NON_ASCII_RUN.sub(_drop_marks, decomposed).casefold()


def tokenize(text: str) -> list[str]:
    """Split ``text`` into folded tokens (see the module docstring for the rules)."""
    folded = fold(text)
    return (_ASCII_TOKEN if folded.isascii() else _TOKEN).findall(folded)


@functools.lru_cache(maxsize=65536)
def fold_key(value: str) -> str:
    """Fold a hashtag or handle to one token: lower case, no accents, no leading #/@,
    other punctuation (".", "-") turned into "_" so it stays one FTS token."""
    return _NOT_WORD.sub("_", fold(value.lstrip("#@")))


@functools.lru_cache(maxsize=65536)
def _handle_keys(handle: str) -> tuple[str, ...]:
    h = handle.strip().lstrip("@")
    keys = [fold_key(h)]
    local, at, _instance = h.partition("@")
    if at and local:
        keys.append(fold_key(local))
    elif h.lower().endswith(".bsky.social"):
        keys.append(fold_key(h[: -len(".bsky.social")]))
    return tuple(dict.fromkeys(keys))


def handle_keys(handle: str) -> list[str]:
    """The keys under which ``@handle`` / ``from:handle`` find an author or mention.

    ``alice`` matches X's ``alice``, Mastodon's ``alice`` and ``alice@any.instance``,
    and Bluesky's ``alice.bsky.social``; a full ``alice@inst.social`` or
    ``alice.example.com`` matches only that account.
    """
    return list(_handle_keys(handle))
