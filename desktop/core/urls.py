"""http(s) URLs in post text: the one rule the deck, the exports and the length count share.

A URL starts with ``http://`` or ``https://`` (any case) and runs up to whitespace or a
character that is never unescaped in a URL and often wraps one in prose (``<``, ``>``,
``"``). Punctuation that ends a sentence is not part of it: "see https://a.example/x."
links ``https://a.example/x``.
"""

from __future__ import annotations

import re

HTTP_URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)

# The networks count a URL only where a word starts: the "https://" in
# "me@https://a.example" or "xhttps://a.example" is no link to them.
HTTP_URL_AT_WORD_START = re.compile(r"(?<![\w@])" + HTTP_URL.pattern, HTTP_URL.flags)

TRAILING_PUNCTUATION = ".,:;!?'\")]}"


def url_spans(text: str, pattern: re.Pattern[str] = HTTP_URL) -> list[tuple[int, int]]:
    """``(start, end)`` of each URL that ``pattern`` finds in ``text``, without the
    sentence punctuation that follows it."""
    spans = []
    for m in pattern.finditer(text):
        end = m.end()
        while end > m.start() and text[end - 1] in TRAILING_PUNCTUATION:
            end -= 1
        spans.append((m.start(), end))
    return spans
