"""Post text is untrusted: helpers that keep it harmless in exports."""

from __future__ import annotations

import html
from collections.abc import Iterable

from desktop.core import bidi

# A spreadsheet runs a cell starting with these as a formula (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> object:
    """Neutralise a CSV cell a spreadsheet would run as a formula (prefix a quote)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


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
