"""What a row shows under a post's text: its pictures and the post it quotes.

Geometry and painting only (the delegate decides where a row's blocks go and
measures them with the same functions, so a row is exactly as tall as what it
paints). Pictures come from an AvatarLoader (desktop.ui.avatars): a picture not
in memory yet is asked for and a placeholder of the same size is painted, with
the alt text when there is one; the row repaints when it comes, never resizes.
Quoted text is untrusted: plain text in a QTextLayout, as the post's own.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPen,
    QPixmap,
    QTextLayout,
    QTextOption,
)

from desktop.core import bidi
from desktop.core.views import MediaView, QuotedView
from desktop.ui import theme as themes

MEDIA_MAX_H = 200  # a picture block's height at most (its width is the text's)
MEDIA_MIN_H = 90
RADIUS = 10  # rounded corners of pictures and the quote card
TILE_GAP = 2  # between the tiles of two to four pictures
BLOCK_GAP = 8  # above a picture block or a quote card
CARD_PAD = 8
CARD_AVATAR = 16
CARD_THUMB = 56  # the quoted post's first picture, at the card's right
QUOTE_LINES = 4  # lines of quoted text at most (the rest elided)

_LINE_BREAK = re.compile(r"\r\n|[\r\n]")


def media_height(width: int) -> int:
    """The height of a picture block ``width`` wide (16:9, within bounds)."""
    return max(MEDIA_MIN_H, min(MEDIA_MAX_H, round(width * 9 / 16)))


def media_tiles(rect: QRect, count: int) -> list[QRect]:
    """Where each of ``count`` (1-4) pictures goes in ``rect``: one fills it; two side by
    side; three as one tall and two stacked; four in a grid (as the networks show them)."""
    x, y, w, h = rect.x(), rect.y(), rect.width(), rect.height()
    half_w, half_h = (w - TILE_GAP) // 2, (h - TILE_GAP) // 2
    right_x, low_y = x + half_w + TILE_GAP, y + half_h + TILE_GAP
    right_w, low_h = w - half_w - TILE_GAP, h - half_h - TILE_GAP
    if count <= 1:
        return [QRect(rect)]
    if count == 2:
        return [QRect(x, y, half_w, h), QRect(right_x, y, right_w, h)]
    if count == 3:
        return [
            QRect(x, y, half_w, h),
            QRect(right_x, y, right_w, half_h),
            QRect(right_x, low_y, right_w, low_h),
        ]
    return [
        QRect(x, y, half_w, half_h),
        QRect(right_x, y, right_w, half_h),
        QRect(x, low_y, half_w, low_h),
        QRect(right_x, low_y, right_w, low_h),
    ]


def alt_label(media: MediaView) -> str:
    """A picture's tooltip: its alt text, or what it is."""
    if media.alt_text:
        return media.alt_text
    kind = {"video": "Video", "gif": "GIF"}.get(media.type, "Image")
    return f"{kind} (no description)"


def _cover(painter: QPainter, target: QRect, pixmap: QPixmap) -> None:
    """``pixmap`` scaled to cover ``target``, centred, cut to it (aspect kept)."""
    pw, ph = pixmap.width(), pixmap.height()
    if pw <= 0 or ph <= 0:
        return
    scale = max(target.width() / pw, target.height() / ph)
    sw, sh = target.width() / scale, target.height() / scale
    source = QRectF((pw - sw) / 2, (ph - sh) / 2, sw, sh)
    painter.drawPixmap(QRectF(target), pixmap, source)


def paint_pictures(
    painter: QPainter,
    rect: QRect,
    media: tuple[MediaView, ...],
    loader,
    theme: themes.Theme,
    font: QFont,
    *,
    radius: int = RADIUS,
) -> None:
    """``media`` (1-4) in ``rect``, rounded; a placeholder for a picture not here yet."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
    clip = QPainterPath()
    clip.addRoundedRect(QRectF(rect), radius, radius)
    painter.setClipPath(clip)
    ratio = painter.device().devicePixelRatioF()
    for item, tile in zip(media, media_tiles(rect, len(media)), strict=False):
        pixmap = loader.pixmap(item.thumbnail_url) if loader is not None else None
        if pixmap is not None:
            _cover(painter, tile, pixmap)
        else:
            painter.fillRect(tile, QColor(theme.hover))
            icon = themes.tinted_pixmap("media", theme.muted, 20, ratio)
            if item.alt_text and tile.height() >= 60 and tile.width() >= 80:
                painter.drawPixmap(tile.left() + 10, tile.top() + 10, icon)
                painter.setFont(font)
                painter.setPen(theme.color("muted"))
                inner = tile.adjusted(10, 36, -10, -8)
                painter.drawText(
                    inner,
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
                    | int(Qt.TextFlag.TextWordWrap),
                    bidi.isolated(item.alt_text),
                )
            else:
                painter.drawPixmap(tile.center().x() - 10, tile.center().y() - 10, icon)
        if item.type in ("video", "gif"):
            _play_mark(painter, tile, item.type)
        if item.alt_text and pixmap is not None and tile.width() >= 100:
            _badge(painter, tile, "ALT", font)
    painter.restore()
    # A hairline edge keeps light pictures apart from the column's background.
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(QPen(theme.color("separator"), 1))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), radius, radius)
    painter.restore()


def _badge(painter: QPainter, tile: QRect, label: str, font: QFont) -> None:
    small = QFont(font)
    small.setBold(True)
    small.setPointSizeF(max(6.5, font.pointSizeF() - 1.5))
    fm = QFontMetrics(small)
    box = QRect(tile.left() + 6, tile.bottom() - 6 - 16, fm.horizontalAdvance(label) + 8, 16)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 170))
    painter.drawRoundedRect(QRectF(box), 4, 4)
    painter.setPen(QColor("#ffffff"))
    painter.setFont(small)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, label)


def _play_mark(painter: QPainter, tile: QRect, kind: str) -> None:
    if kind == "gif":
        return
    size = min(36, tile.height() // 2, tile.width() // 2)
    if size < 12:
        return
    c = tile.center()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(0, 0, 0, 150))
    painter.drawEllipse(QRectF(c.x() - size / 2, c.y() - size / 2, size, size))
    s = size * 0.28
    triangle = QPainterPath()
    triangle.moveTo(c.x() - s * 0.7, c.y() - s)
    triangle.lineTo(c.x() + s, c.y())
    triangle.lineTo(c.x() - s * 0.7, c.y() + s)
    triangle.closeSubpath()
    painter.fillPath(triangle, QColor("#ffffff"))


# ------------------------------------------------------------------ quote card
def quoted_text(quoted: QuotedView) -> str:
    return bidi.isolated(_LINE_BREAK.sub("\u2028", quoted.text.strip()))


def clamped_layout(text: str, font: QFont, width: int, max_lines: int) -> tuple[QTextLayout, float]:
    """``text`` laid out ``width`` wide in at most ``max_lines`` lines, the last one
    ending in "…" when the text goes on; returns the layout and its height."""
    layout = _lines(text, font, width, max_lines)
    shown = sum(layout.lineAt(i).textLength() for i in range(layout.lineCount()))
    if layout.lineCount() == max_lines and shown < len(text.encode("utf-16-le")) // 2:
        last = layout.lineAt(max_lines - 1)
        cut = max(last.textStart(), last.textStart() + last.textLength() - 2)
        utf16 = text.encode("utf-16-le")[: 2 * cut]
        head = utf16.decode("utf-16-le", errors="ignore").rstrip()
        layout = _lines(head + "…", font, width, max_lines)
    height = sum(layout.lineAt(i).height() for i in range(layout.lineCount()))
    return layout, height


def _lines(text: str, font: QFont, width: int, max_lines: int) -> QTextLayout:
    layout = QTextLayout(text, font)
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    y = 0.0
    for _ in range(max_lines):
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(max(40, width))
        line.setPosition(QPointF(0, y))
        y += line.height()
    layout.endLayout()
    return layout


class QuoteCard:
    """The card of a quoted post (or of one not in the cache), for a given width."""

    def __init__(
        self, quoted: QuotedView | None, width: int, body: QFont, bold: QFont, *, thumb: bool
    ) -> None:
        self.quoted = quoted
        self.width = width
        self.body, self.bold = body, bold
        self.header_h = QFontMetrics(bold).height() + 2
        self.thumb = thumb and quoted is not None and bool(quoted.thumbnails)
        if quoted is None:
            self.layout, text_h = None, float(QFontMetrics(body).height())
            self.height = int(CARD_PAD * 2 + text_h)
            return
        text_w = width - 2 * CARD_PAD - (CARD_THUMB + CARD_PAD if self.thumb else 0)
        self.layout, text_h = clamped_layout(quoted_text(quoted), body, text_w, QUOTE_LINES)
        height = CARD_PAD * 2 + self.header_h + 2 + text_h
        if self.thumb:
            height = max(height, CARD_PAD * 2 + CARD_THUMB)
        self.height = int(height + 0.999)

    def thumb_rect(self, rect: QRect) -> QRect:
        return QRect(
            rect.right() - CARD_PAD - CARD_THUMB + 1, rect.top() + CARD_PAD, CARD_THUMB, CARD_THUMB
        )

    def paint(
        self,
        painter: QPainter,
        rect: QRect,
        theme: themes.Theme,
        *,
        avatars,
        media,
        when: str,
        placeholder_color: QColor,
        initials: str,
    ) -> None:
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(QPen(theme.color("separator"), 1))
        painter.setBrush(QColor(theme.alt_base))
        painter.drawRoundedRect(QRectF(rect).adjusted(0.5, 0.5, -0.5, -0.5), RADIUS, RADIUS)
        inner = rect.adjusted(CARD_PAD, CARD_PAD, -CARD_PAD, -CARD_PAD)
        quoted = self.quoted
        if quoted is None:
            painter.setFont(self.body)
            painter.setPen(theme.color("muted"))
            painter.drawText(inner, Qt.AlignmentFlag.AlignVCenter, "Quoted post not in the cache")
            painter.restore()
            return
        if self.thumb:
            paint_pictures(
                painter, self.thumb_rect(rect), quoted.thumbnails, media, theme, self.body, radius=6
            )
            inner.setRight(inner.right() - CARD_THUMB - CARD_PAD)
        # Header: small avatar, name, @handle · time.
        x, y = inner.left(), inner.top()
        circle = QRect(x, y + (self.header_h - CARD_AVATAR) // 2, CARD_AVATAR, CARD_AVATAR)
        picture = (
            avatars.pixmap(quoted.avatar_url) if avatars is not None and quoted.avatar_url else None
        )
        if picture is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawPixmap(circle, picture)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(placeholder_color)
            painter.drawEllipse(circle)
            tiny = QFont(self.bold)
            tiny.setPointSizeF(max(5.5, self.bold.pointSizeF() - 3))
            painter.setFont(tiny)
            painter.setPen(QColor("#ffffff"))
            painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials[:1])
        x += CARD_AVATAR + 6
        fm_bold, fm_body = QFontMetrics(self.bold), QFontMetrics(self.body)
        room = inner.right() - x
        name = fm_bold.elidedText(
            bidi.isolated(_LINE_BREAK.sub(" ", quoted.shown_name)),
            Qt.TextElideMode.ElideRight,
            int(room * 0.6),
        )
        painter.setFont(self.bold)
        painter.setPen(theme.color("text"))
        painter.drawText(QRect(x, y, room, self.header_h), Qt.AlignmentFlag.AlignVCenter, name)
        x += fm_bold.horizontalAdvance(name) + 5
        rest = fm_body.elidedText(
            f"@{bidi.isolated(quoted.handle)} · {when}",
            Qt.TextElideMode.ElideMiddle,
            inner.right() - x,
        )
        painter.setFont(self.body)
        painter.setPen(theme.color("muted"))
        painter.drawText(
            QRect(x, y, inner.right() - x, self.header_h), Qt.AlignmentFlag.AlignVCenter, rest
        )
        painter.setPen(theme.color("text"))
        self.layout.draw(painter, QPointF(inner.left(), y + self.header_h + 2))
        painter.restore()
