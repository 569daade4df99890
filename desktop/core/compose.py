"""Answering: the "A3:" label and the hashtag added for you, lengths counted the
way each network counts them, and the draft kept safe.

Length rules (2026):

- X: twitter-text's config v3. Code points after NFC; weight 1 for the Latin,
  Greek, Cyrillic, Hebrew, Arabic, Indic... blocks (U+0000-U+10FF) and some
  punctuation, 2 for everything else (CJK, Hangul, most symbols); each emoji
  sequence weighs 2 in all; every URL (with or without ``https://``) counts 23.
  Limit 280.
- Mastodon: grapheme clusters (the server counts ``each_grapheme_cluster``);
  every http(s) URL counts 23; ``@user@domain`` counts as ``@user``. Limit 500
  unless the instance says otherwise.
- Bluesky: grapheme clusters of the text as posted (links are not shortened).
  Limit 300.

Graphemes are approximated with the standard library (no regex module): a
cluster is a base character and what extends it: combining marks, variation
selectors, emoji modifiers and tags, a ZWJ and the pictograph it joins, the
second regional indicator of a flag, Hangul jamo that continue a syllable.
"""

from __future__ import annotations

import dataclasses
import re
import sqlite3
import time
import unicodedata

from desktop.core.jam import answer_label
from desktop.core.urls import HTTP_URL, HTTP_URL_AT_WORD_START, url_spans

LIMITS = {"x": 280, "mastodon": 500, "bluesky": 300}
URL_LENGTH = 23  # X's t.co length; Mastodon counts every URL as 23 too

# ---------------------------------------------------------------- graphemes

_ZWJ = 0x200D


def _is_regional(cp: int) -> bool:
    return 0x1F1E6 <= cp <= 0x1F1FF


def _is_pictographic(cp: int) -> bool:
    """Emoji-ish code points (Extended_Pictographic's main ranges)."""
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2190 <= cp <= 0x21FF
        or 0x25A0 <= cp <= 0x25FF
        or 0x2900 <= cp <= 0x297F
        or cp
        in (0x00A9, 0x00AE, 0x203C, 0x2049, 0x2122, 0x2139, 0x24C2, 0x3030, 0x303D, 0x3297, 0x3299)
    )


def _extends(cp: int, ch: str) -> bool:
    """Does this code point always attach to the character before it?"""
    return (
        unicodedata.category(ch) in ("Mn", "Me", "Mc")
        or cp == _ZWJ
        or 0xFE00 <= cp <= 0xFE0F  # variation selectors
        or 0x1F3FB <= cp <= 0x1F3FF  # skin tones
        or 0xE0020 <= cp <= 0xE007F  # emoji tag sequences (subdivision flags)
        or 0xE0100 <= cp <= 0xE01EF
    )


def graphemes(text: str) -> list[str]:
    """``text`` split into (approximately) extended grapheme clusters."""
    clusters: list[str] = []
    regional_open = False  # the last cluster is a lone regional indicator
    for ch in text:
        cp = ord(ch)
        if clusters:
            last = clusters[-1]
            prev = ord(last[-1])
            joins = (
                _extends(cp, ch)
                or (prev == _ZWJ and _is_pictographic(cp))
                or (regional_open and _is_regional(cp))
                or (last[-1] == "\r" and ch == "\n")
                or (0x1100 <= prev <= 0x11FF and 0x1160 <= cp <= 0x11FF)  # Hangul L/V + V/T
            )
            if joins:
                clusters[-1] = last + ch
                regional_open = False
                continue
        clusters.append(ch)
        regional_open = _is_regional(cp)
    return clusters


def grapheme_count(text: str) -> int:
    return len(graphemes(text))


def _is_emoji_cluster(cluster: str) -> bool:
    cps = [ord(c) for c in cluster]
    if any(_is_regional(cp) for cp in cps) or 0x20E3 in cps:  # flags, keycaps
        return True
    if any(cp >= 0x1F000 and _is_pictographic(cp) for cp in cps):
        return True
    # Text-presentation symbols (U+2600...) are emoji with the emoji selector.
    return 0xFE0F in cps and any(_is_pictographic(cp) for cp in cps)


# ---------------------------------------------------------------- URLs and mentions

_TLDS = (
    "com|org|net|edu|gov|io|co|dev|app|ai|ly|me|info|biz|xyz|social|blog|news|tv|fm|gg|so|"
    "us|uk|de|fr|es|it|nl|be|ch|at|se|no|dk|fi|pl|pt|ie|ca|au|nz|jp|cn|kr|in|br|mx|ru|eu"
)
# twitter-text finds URLs with or without a scheme ("example.com/x").
_X_URL = re.compile(
    r"(?<![\w@.])(?:"
    + HTTP_URL.pattern
    + r"|(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:"
    + _TLDS
    + r")\b(?:/[^\s<>\"]*)?)",
    re.IGNORECASE,
)
_MASTODON_MENTION = re.compile(r"(?<![\w/])(@\w+)@[\w.-]+\w", re.UNICODE)


def _replace_spans(text: str, spans: list[tuple[int, int]], placeholder: str) -> str:
    out, last = [], 0
    for start, end in spans:
        out += [text[last:start], placeholder]
        last = end
    out.append(text[last:])
    return "".join(out)


# ---------------------------------------------------------------- X weighting

# twitter-text config v3: weight 100 (one character) in these ranges, 200 elsewhere.
_X_LIGHT_RANGES = ((0x0000, 0x10FF), (0x2000, 0x200D), (0x2010, 0x201F), (0x2032, 0x2037))


def _x_weight(cp: int) -> int:
    return 100 if any(lo <= cp <= hi for lo, hi in _X_LIGHT_RANGES) else 200


def x_weighted_length(text: str) -> int:
    text = unicodedata.normalize("NFC", text)
    spans = url_spans(text, _X_URL)
    total = URL_LENGTH * 100 * len(spans)
    # URLs become one placeholder code point (weighed as 0) so the rest can be scanned.
    rest = _replace_spans(text, spans, "\x00")
    for cluster in graphemes(rest):
        if cluster == "\x00":
            continue
        if _is_emoji_cluster(cluster):
            total += 200
        else:
            total += sum(_x_weight(ord(c)) for c in cluster if c != "\x00")
    return total // 100


def mastodon_length(text: str) -> int:
    spans = url_spans(text, HTTP_URL_AT_WORD_START)
    text = _replace_spans(text, spans, "x" * URL_LENGTH)
    text = _MASTODON_MENTION.sub(r"\1", text)
    return grapheme_count(text)


def length(text: str, network: str, *, limit: int | None = None) -> tuple[int, int]:
    """``(used, limit)`` of ``text`` on ``network`` ("x" | "mastodon" | "bluesky").

    ``limit``: the instance's own (Mastodon), else the network's default.
    """
    network = str(network)
    if network == "x":
        used = x_weighted_length(text)
    elif network == "mastodon":
        used = mastodon_length(text)
    elif network == "bluesky":
        used = grapheme_count(text)
    else:
        raise ValueError(f"unknown network {network!r}")
    return used, limit if limit is not None else LIMITS[network]


# ---------------------------------------------------------------- label and hashtag

_LEADING_MENTIONS = re.compile(r"^(?:\s*\.?@[\w.@-]*\w)+\s*")


def has_hashtag(text: str, hashtag: str) -> bool:
    tag = hashtag.lstrip("#")
    return (
        bool(tag)
        and re.search(r"(?<![\w#])#" + re.escape(tag) + r"(?!\w)", text, re.IGNORECASE) is not None
    )


def compose_answer(text: str, *, question: int | None, hashtag: str, network: str) -> str:
    """``text`` as it should go out: "A3: " in front (after any reply mentions)
    unless it already has an answer label, and ``#hashtag`` at the end unless it
    is there already. Applying it twice changes nothing.

    ``network``: the three networks treat labels and hashtags alike today (a
    Bluesky hashtag becomes a facet in the adapter); it is here so that the
    caller passes the per-network hashtag and a difference has one place to go.
    """
    if str(network) not in LIMITS:
        raise ValueError(f"unknown network {network!r}")
    body = text.strip()
    if question is not None and answer_label(body) is None:
        m = _LEADING_MENTIONS.match(body)
        head = body[: m.end()] if m else ""
        body = f"{head}A{question}: {body[len(head) :].lstrip()}".rstrip()
    tag = hashtag.strip().lstrip("#")
    if tag and not has_hashtag(body, tag):
        body = f"{body} #{tag}" if body else f"#{tag}"
    return body


# ---------------------------------------------------------------- drafts


@dataclasses.dataclass(frozen=True, slots=True)
class Draft:
    session_id: int
    text: str
    reply_to: int | None  # posts.id being answered
    updated_at: float


def save_draft(
    conn: sqlite3.Connection,
    session_id: int,
    text: str,
    reply_to: int | None = None,
    *,
    now: float | None = None,
) -> Draft:
    """Keep the compose box's text (the UI saves every edit, debounced, through the writer)."""
    stamp = time.time() if now is None else now
    conn.execute(
        "INSERT INTO drafts (session_id, text, reply_to, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (session_id) DO UPDATE SET text = excluded.text, reply_to = excluded.reply_to, "
        "updated_at = excluded.updated_at",
        (session_id, text, reply_to, stamp),
    )
    return Draft(session_id, text, reply_to, stamp)


def load_draft(conn: sqlite3.Connection, session_id: int) -> Draft | None:
    row = conn.execute(
        "SELECT text, reply_to, updated_at FROM drafts WHERE session_id = ?", (session_id,)
    ).fetchone()
    if row is None or (not row[0] and row[1] is None):
        return None
    return Draft(session_id, row[0], row[1], row[2])


def clear_draft(conn: sqlite3.Connection, session_id: int) -> None:
    """After the answer went out."""
    conn.execute("DELETE FROM drafts WHERE session_id = ?", (session_id,))


# X's pay-per-use prices in 2026, USD (developer docs changelog). Estimates: the bill is X's.
X_PRICES = {
    "post_read": 0.005,
    "user_read": 0.010,
    "post_create": 0.015,
    "post_create_with_url": 0.20,
}


def x_post_cost(text: str) -> float:
    """What sending ``text`` as a post costs on X (2026): $0.20 with a URL, else $0.015."""
    has_url = any(word.startswith(("http://", "https://")) for word in text.split())
    return X_PRICES["post_create_with_url" if has_url else "post_create"]
