"""Light and dark themes: the palette the delegate paints with, the stylesheet, tinted icons.

The widgets take their look from ``resources/styles/{light,dark}.qss``; the
post delegate paints by hand, so it reads its colours from ``Theme``. "system"
follows the platform's colour scheme (QStyleHints.colorScheme()).
"""

from __future__ import annotations

import dataclasses
import functools

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPalette, QPixmap

from desktop.core.resources import resource_path


@dataclasses.dataclass(frozen=True)
class Theme:
    name: str
    window: str
    base: str  # column background
    alt_base: str  # header/sidebar background
    text: str
    muted: str
    accent: str  # links, mentions, selection edge
    hashtag: str
    host_tint: str  # background of host posts
    host_tag: str
    selected: str
    hover: str
    separator: str
    badge: str  # question badge fill (explicit)
    badge_text: str
    new_bar: str
    new_bar_text: str
    error: str

    def color(self, name: str) -> QColor:
        return QColor(getattr(self, name))


LIGHT = Theme(
    name="light",
    window="#eef1f5",
    base="#ffffff",
    alt_base="#f6f8fa",
    text="#14171a",
    muted="#5b6670",
    accent="#1d6fd6",
    hashtag="#7a3fc0",
    host_tint="#fff6dd",
    host_tag="#b35c00",
    selected="#e4eefb",
    hover="#f3f6f9",
    separator="#e3e7eb",
    badge="#1d6fd6",
    badge_text="#ffffff",
    new_bar="#1d6fd6",
    new_bar_text="#ffffff",
    error="#c62828",
)

DARK = Theme(
    name="dark",
    window="#101418",
    base="#171c21",
    alt_base="#1e252c",
    text="#e7ebef",
    muted="#9aa6b1",
    accent="#5aa8ff",
    hashtag="#c39bff",
    host_tint="#2e2a1a",
    host_tag="#ffb55c",
    selected="#1f3348",
    hover="#1d242b",
    separator="#2a323a",
    badge="#3b8ef0",
    badge_text="#ffffff",
    new_bar="#3b8ef0",
    new_bar_text="#ffffff",
    error="#ff6b6b",
)


def resolve(theme: str) -> Theme:
    """``"light"``, ``"dark"`` or ``"system"`` (the platform's colour scheme)."""
    if theme == "dark":
        return DARK
    if theme == "light":
        return LIGHT
    hints = QGuiApplication.styleHints()
    scheme = hints.colorScheme() if hints is not None else Qt.ColorScheme.Unknown
    return DARK if scheme == Qt.ColorScheme.Dark else LIGHT


def palette(theme: Theme) -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: theme.window,
        QPalette.ColorRole.WindowText: theme.text,
        QPalette.ColorRole.Base: theme.base,
        QPalette.ColorRole.AlternateBase: theme.alt_base,
        QPalette.ColorRole.Text: theme.text,
        QPalette.ColorRole.Button: theme.alt_base,
        QPalette.ColorRole.ButtonText: theme.text,
        QPalette.ColorRole.Highlight: theme.accent,
        QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.ToolTipBase: theme.alt_base,
        QPalette.ColorRole.ToolTipText: theme.text,
        QPalette.ColorRole.PlaceholderText: theme.muted,
        QPalette.ColorRole.Link: theme.accent,
    }
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(theme.muted))
    p.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(theme.muted))
    return p


def stylesheet(theme: Theme) -> str:
    return resource_path("styles", f"{theme.name}.qss").read_text(encoding="utf-8")


@functools.lru_cache(maxsize=256)
def tinted_pixmap(name: str, color: str, size: int, ratio: float = 1.0) -> QPixmap:
    """``resources/icons/<name>.svg`` drawn in ``color`` (the SVGs are black shapes)."""
    icon = QIcon(str(resource_path("icons", f"{name}.svg")))
    pixels = max(1, round(size * ratio))
    source = icon.pixmap(QSize(pixels, pixels))
    out = QPixmap(source.size())
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.drawPixmap(0, 0, source)
    painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
    painter.fillRect(out.rect(), QColor(color))
    painter.end()
    out.setDevicePixelRatio(ratio)
    return out


def icon(name: str, color: str, size: int = 16) -> QIcon:
    return QIcon(tinted_pixmap(name, color, size, 2.0))
