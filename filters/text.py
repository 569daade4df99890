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
  tokens, and ``@alice`` is not ``alice`` (a search for the word ``socbiz``
  looks for both ``socbiz`` and ``#socbiz``: ``filters.predicate``, ``filters.sql``);
- Chinese and Japanese are written without spaces: a run of Han, kana (or
  CJK compatibility) characters inside a token becomes its overlapping
  character bigrams (``東京で会`` -> ``東京 京で で会``; one character alone
  stays), so a word of two or more characters is found as consecutive
  bigrams, by the predicate's phrase match and by the index's phrase query
  alike. A ``#tag`` or ``@handle`` token stays whole;
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

# The rules' version: ``tokenize``, ``fold_key`` and ``handle_keys`` make the
# words a library's full-text index holds, and the store must make the same
# words again to replace a row (desktop/store/fulltext.py). Bump it whenever
# what they return changes; a library indexed under other rules is re-indexed
# when opened. Python's Unicode database is left out on purpose: a new one
# changes only characters it newly assigns (at worst an edited post keeps one
# old word), and counting it would re-index a library on every open when two
# Pythons (the bundled app and a virtualenv) share it.
# 2: the mentions column holds a retweet's original author; 3: CJK bigrams.
WORDS_VERSION = 3

# Han (with extensions and compatibility ideographs), hiragana, katakana
# (full- and half-width): the scripts written without spaces between words.
_CJK_RANGES = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
)
_CJK = re.compile(f"[{_CJK_RANGES}]")
_CJK_RUNS = re.compile(f"([{_CJK_RANGES}]+)")


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


def _fold_general(text: str) -> str:
    # Combining marks are never ASCII: only the non-ASCII runs are looked at
    # (about 3x faster than a Python-level pass over every character).
    decomposed = unicodedata.normalize("NFKD", text)
    return _NON_ASCII_RUN.sub(_drop_marks, decomposed).casefold()


# Folding goes character by character: NFKD decomposes each one on its own
# (canonical reordering only moves combining marks, which are dropped anyway)
# and casefold is context-free. So the Latin-1 characters whose fold is one
# ASCII character ("É" -> "e", "ï" -> "i", NBSP -> " ") fold through a byte
# table; the others ("ß" -> "ss", "æ", "£") map to themselves, which sends the
# text down the general path.
_LATIN1_FOLD = bytes(
    ord(folded) if len(folded) == 1 and folded.isascii() else code
    for code in range(256)
    for folded in [_fold_general(chr(code))]
)


def fold(text: str) -> str:
    """Case- and accent-fold ``text`` (the normal form every match compares)."""
    if text.isascii():  # the common case, and ASCII has nothing to decompose
        return text.lower()
    # Accented Latin text (French, Spanish, Portuguese...): the byte table,
    # an eighth of the instructions of decomposing.
    latin1 = text.encode("latin-1", "ignore")
    if len(latin1) == len(text):
        folded = latin1.translate(_LATIN1_FOLD)
        if folded.isascii():
            return folded.decode("ascii")
    return _fold_general(text)


# Every ASCII character but a word character, "#" and "@" becomes a space.
_ASCII_SEPARATORS = bytes(
    code if code < 128 and (chr(code).isalnum() or chr(code) in "_#@") else 32
    for code in range(256)
)


def _marks_lead_words(spaced: str) -> bool:
    """Whether every "#" and "@" of ``spaced`` starts a word: it follows a space
    (or the start) and a word character follows it."""
    if "@" not in spaced:
        if "#" not in spaced:
            return True
        # A "#" after a space becomes "_": any "#" left follows a word or a mark.
        rest = (" " + spaced).replace(" #", " _")
        return "#" not in rest and "# " not in spaced and not spaced.endswith("#")
    rest = (" " + spaced).replace(" #", " _").replace(" @", " _")
    return (
        "#" not in rest
        and "@" not in rest
        and "# " not in spaced
        and "@ " not in spaced
        and not spaced.endswith(("#", "@"))
    )


def tokenize(text: str) -> list[str]:
    """Split ``text`` into folded tokens (see the module docstring for the rules)."""
    folded = fold(text)
    if not folded.isascii():
        tokens = _TOKEN.findall(folded)
        return _cjk_bigrams(tokens) if _CJK.search(folded) else tokens
    # ASCII: separators become spaces and str.split cuts the words (a third
    # fewer instructions than the regex). That gives the rule's tokens unless a
    # "#" or "@" does not start a word ("a#b", "x@", "##q", "# x").
    spaced = folded.encode("ascii").translate(_ASCII_SEPARATORS).decode("ascii")
    if _marks_lead_words(spaced):
        return spaced.split()
    return _ASCII_TOKEN.findall(folded)


def _cjk_bigrams(tokens: list[str]) -> list[str]:
    """``tokens`` with each CJK run inside a word cut into character bigrams."""
    out: list[str] = []
    for token in tokens:
        if token[0] in "#@" or not _CJK.search(token):
            out.append(token)
            continue
        for part in _CJK_RUNS.split(token):
            if not part:
                continue
            if len(part) > 1 and _CJK.match(part):
                out.extend([part[i : i + 2] for i in range(len(part) - 1)])
            else:
                out.append(part)
    return out


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
