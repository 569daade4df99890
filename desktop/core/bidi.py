"""Untrusted text and the Unicode bidirectional controls.

An override (U+202E RIGHT-TO-LEFT OVERRIDE) in a post makes ``photo_\\u202egnp.exe``
display as ``photo_exe.png``, and one left open in a handle or a name runs on
into whatever is shown after it. ``isolated`` keeps such text to itself: every
embedding and override becomes the matching isolate (which orders runs but never
reverses the letters of a word), every isolate is closed inside the text, and the
whole is one first-strong isolate (FSI ... PDI) so nothing leaks past its end.
Text without controls comes back unchanged.
"""

from __future__ import annotations

import re
import unicodedata

LRI, RLI, FSI, PDI = "\u2066", "\u2067", "\u2068", "\u2069"

# U+200E/F (marks), U+202A-202E (embeddings, overrides, PDF), U+2066-2069 (isolates).
CONTROLS = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_AS_ISOLATE = str.maketrans(
    {
        "\u202a": LRI,  # LRE
        "\u202d": LRI,  # LRO
        "\u202b": RLI,  # RLE
        "\u202e": RLI,  # RLO
        "\u202c": PDI,  # PDF
    }
)
_OPENERS = frozenset((LRI, RLI, FSI))
_LINE_ENDS = frozenset("\n\r\u2028\u2029\x85")


def has_controls(text: str) -> bool:
    return CONTROLS.search(text) is not None


def contained(text: str) -> str:
    """``text`` with overrides and embeddings as isolates, every isolate closed
    (before each line end as well: a paragraph ends them anyway) and stray
    closers dropped; unchanged when it holds no bidi control."""
    if not has_controls(text):
        return text
    out: list[str] = []
    depth = 0
    for ch in text.translate(_AS_ISOLATE):
        if ch in _OPENERS:
            depth += 1
        elif ch == PDI:
            if depth == 0:
                continue
            depth -= 1
        elif ch in _LINE_ENDS and depth:
            out.append(PDI * depth)
            depth = 0
        out.append(ch)
    out.append(PDI * depth)
    return "".join(out)


def isolated(text: str) -> str:
    """``contained(text)`` inside FSI ... PDI (for plain-text formats: Markdown,
    CSV, the GUI); unchanged when it holds no bidi control."""
    if not has_controls(text):
        return text
    return FSI + contained(text) + PDI


# ---------------------------------------------------------------- right-to-left text

# A mention, a hashtag or a link says nothing about the language a post is written in.
_NOT_LANGUAGE = re.compile(r"https?://\S+|[@#\uff20\uff03][\w.]*\w", re.IGNORECASE)
# The pieces of a right-to-left sentence that read left to right as one unit.
_TOKEN = re.compile(r"[@#\uff20\uff03][\w.]*\w")
# ``TOKEN_SPLIT.split(text)``: the text between tokens at even indexes, tokens at odd ones.
TOKEN_SPLIT = re.compile("(" + _TOKEN.pattern + ")")


def is_rtl(text: str) -> bool:
    """Whether ``text`` is mostly written right to left (Hebrew, Arabic...): more
    strong right-to-left letters than left-to-right ones, not counting mentions,
    hashtags and links (a Hebrew reply starts with an @handle)."""
    rtl = ltr = 0
    for ch in _NOT_LANGUAGE.sub(" ", text):
        kind = unicodedata.bidirectional(ch)
        if kind in ("R", "AL"):
            rtl += 1
        elif kind == "L":
            ltr += 1
    return rtl > ltr


def isolate_tokens(text: str) -> str:
    """Each @handle and #tag in ``text`` as one first-strong isolate: in a
    right-to-left sentence ``#A7`` stays ``#A7`` (not ``A7#``) and sits where the
    sentence puts it."""
    return _TOKEN.sub(lambda m: FSI + m.group(0) + PDI, text)


def rtl_line(line: str) -> str:
    """One line of a right-to-left text, already ``contained``, as a right-to-left
    isolate: its first word is read first (rightmost) whatever surrounds it."""
    return RLI + line + PDI if line else line
