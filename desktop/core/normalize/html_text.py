"""Mastodon status HTML -> plain text, with the standard library's html.parser.

What a reader sees in a Mastodon client, as text:

- ``<p>`` paragraphs are separated by one blank line; ``<br>`` is a newline.
- A link becomes its text; Mastodon shortens long links on screen with
  ``<span class="invisible">`` and ``<span class="ellipsis">`` parts, and the
  text keeps the whole URL (the invisible parts put back, no "…").
- ``class="quote-inline"`` elements (the "RE: <link>" fallback Mastodon 4.5
  adds for clients without quote support) are dropped when ``drop_quote_inline``
  is set: the quoted post is linked through ``quoted_id`` instead.
- Entities are decoded (``&#39;`` -> ``'``); custom emoji stay ``:shortcode:``
  (they are text in the HTML already).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

_BLOCKS = {"p", "blockquote", "li", "ul", "ol", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "div"}
_VOID = {
    "br",
    "img",
    "hr",
    "input",
    "meta",
    "link",
    "area",
    "base",
    "col",
    "embed",
    "source",
    "track",
    "wbr",
}
_PARAGRAPH_BREAK = "\x00"  # placeholder: collapsed to one blank line at the end


class _TextExtractor(HTMLParser):
    def __init__(self, *, drop_quote_inline: bool) -> None:
        super().__init__(convert_charrefs=True)
        self._drop_quote_inline = drop_quote_inline
        self._parts: list[str] = []
        # One entry per open element: was it hidden (quote-inline) or not.
        self._stack: list[tuple[str, bool]] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "br":
            if not self._hidden_depth:
                self._parts.append("\n")
            return
        if tag in _VOID:
            return
        hidden = self._drop_quote_inline and "quote-inline" in classes
        if hidden:
            self._hidden_depth += 1
        if tag in _BLOCKS and not self._hidden_depth:
            self._parts.append(_PARAGRAPH_BREAK)
        self._stack.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br" and not self._hidden_depth:
            self._parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            return
        # Close up to the matching open tag (tolerates unclosed inner elements).
        for index in range(len(self._stack) - 1, -1, -1):
            if self._stack[index][0] == tag:
                for _, hidden in self._stack[index:]:
                    if hidden:
                        self._hidden_depth -= 1
                del self._stack[index:]
                break
        else:
            return
        if tag in _BLOCKS and not self._hidden_depth:
            self._parts.append(_PARAGRAPH_BREAK)

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self._parts.append(data)

    def text(self) -> str:
        joined = "".join(self._parts)
        # Paragraph breaks: strip spaces around them, then one blank line between blocks.
        joined = re.sub(r"[ \t]*\x00[\s\x00]*", _PARAGRAPH_BREAK, joined)
        return joined.strip(_PARAGRAPH_BREAK + " \t\n").replace(_PARAGRAPH_BREAK, "\n\n")


def html_to_text(html: str, *, drop_quote_inline: bool = False) -> str:
    """Plain text of a Mastodon status ``content`` (see the module docstring for the rules)."""
    if not html:
        return ""
    if "<" not in html and "&" not in html:
        return html
    extractor = _TextExtractor(drop_quote_inline=drop_quote_inline)
    extractor.feed(html)
    extractor.close()
    return extractor.text()
