"""Post text is untrusted: helpers that keep it harmless in exports."""

from __future__ import annotations

import html

# A spreadsheet runs a cell starting with these as a formula (OWASP CSV injection).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def csv_cell(value: object) -> object:
    """Neutralise a CSV cell a spreadsheet would run as a formula (prefix a quote)."""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def html_text(value: str) -> str:
    """Escape text for HTML element content and attribute values."""
    return html.escape(value, quote=True)


def safe_url(url: str | None) -> str | None:
    """Only http(s) links are ever emitted or opened."""
    if not url:
        return None
    lowered = url.strip().lower()
    if lowered.startswith(("http://", "https://")):
        return url.strip()
    return None
