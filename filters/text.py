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

import unicodedata

_PREFIXES = "#@"


def fold(text: str) -> str:
    """Case- and accent-fold ``text`` (the normal form every match compares)."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.casefold()


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def tokenize(text: str) -> list[str]:
    """Split ``text`` into folded tokens (see the module docstring for the rules)."""
    folded = fold(text)
    tokens: list[str] = []
    current: list[str] = []
    n = len(folded)
    i = 0
    while i < n:
        ch = folded[i]
        if _is_word_char(ch):
            current.append(ch)
        else:
            if current:
                tokens.append("".join(current))
                current = []
            # A prefix counts only when a word follows at once ("#q1", not "# q1").
            if ch in _PREFIXES and i + 1 < n and _is_word_char(folded[i + 1]):
                current.append(ch)
        i += 1
    if current:
        tokens.append("".join(current))
    return tokens


def fold_key(value: str) -> str:
    """Fold a hashtag or handle to one token: lower case, no accents, no leading #/@,
    other punctuation (".", "-") turned into "_" so it stays one FTS token."""
    folded = fold(value.lstrip("#@"))
    return "".join(ch if _is_word_char(ch) else "_" for ch in folded)


def handle_keys(handle: str) -> list[str]:
    """The keys under which ``@handle`` / ``from:handle`` find an author or mention.

    ``alice`` matches X's ``alice``, Mastodon's ``alice`` and ``alice@any.instance``,
    and Bluesky's ``alice.bsky.social``; a full ``alice@inst.social`` or
    ``alice.example.com`` matches only that account.
    """
    h = handle.strip().lstrip("@")
    keys = [fold_key(h)]
    local, at, _instance = h.partition("@")
    if at and local:
        keys.append(fold_key(local))
    elif h.lower().endswith(".bsky.social"):
        keys.append(fold_key(h[: -len(".bsky.social")]))
    return list(dict.fromkeys(keys))
