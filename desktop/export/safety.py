"""Post text is untrusted: helpers that keep it harmless in exports."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable

from desktop.core import bidi

# A spreadsheet runs a cell starting with these as a formula (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


# A reply starts with a mention: "@noa_cohen thanks!" is text, and an apostrophe
# in front of it would show in the spreadsheet. A cell can only run something
# through a function call "(", a DDE link "|" or a reference into another sheet
# or file ("!A1"), so a mention cell holding none of them is left as it is.
_MENTION = re.compile(r"[@\uff20]\w+(?:\s|$)")
_FORMULA_PARTS = re.compile(r"[(|\uff08\uff5c]|!(?=[\w$'])")


def csv_cell(value: object) -> object:
    """Neutralise a CSV cell a spreadsheet would run as a formula (prefix a quote)."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_STARTS):
        return value
    if _MENTION.match(value) and not _FORMULA_PARTS.search(value):
        return value
    return "'" + value


_CSV_SPECIAL = frozenset(',"\r\n')


def _csv_field(value: object) -> str:
    # The formula guard first: its quote stays the cell's first character.
    text = "" if value is None else bidi.isolated(str(csv_cell(value)))
    if _CSV_SPECIAL.isdisjoint(text):
        return text
    return '"' + text.replace('"', '""') + '"'


def csv_row(cells: Iterable[object]) -> str:
    """One CSV row, each cell through ``csv_cell``, ended by a LF.

    Quoted as RFC 4180 says: any field holding a comma, a quote, a CR or a LF.
    (The ``csv`` module with a LF line ending leaves a bare CR unquoted, and a
    spreadsheet starts a new row there, whose first cell may be ``=2+2``.)
    Text with bidi controls is isolated (``desktop.core.bidi``)."""
    return ",".join([_csv_field(cell) for cell in cells]) + "\n"


def html_text(value: str) -> str:
    """Escape text for HTML element content and attribute values."""
    return html.escape(value, quote=True)


def html_isolated(html_content: str, text: str) -> str:
    """``html_content`` (the escaped form of ``text``) in ``<bdi>`` when ``text``
    holds bidi controls, so they act inside it only."""
    return f"<bdi>{html_content}</bdi>" if bidi.has_controls(text) else html_content


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are ever emitted or opened."""
    if not url:
        return None
    lowered = url.strip().lower()
    if lowered.startswith(("http://", "https://")):
        return url.strip()
    return None
