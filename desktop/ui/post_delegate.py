"""PostDelegate: paints one post per row (no widget per row).

Post text is untrusted: it is laid out with QTextLayout as plain text, with
character formats for hashtags, mentions and links; it never goes through
Qt rich text or HTML. Links open only for http/https.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import time
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QPointF, QRect, QRectF, QSize, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPen,
    QPixmap,
    QTextCharFormat,
    QTextLayout,
    QTextOption,
)
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from desktop.core.views import PostView
from desktop.ui import theme as themes
from desktop.ui.column_model import PostIdRole, PostRole

PAD = 10
AVATAR = 36
GAP = 10
CONTEXT_H = 18
FOOTER_H = 24
ACTION = 18
ACTION_GAP = 10
ACTIONS = ("retweet", "collect", "reply", "open")

_TAG = re.compile(r"(?<![\w&])[#＃][\w]+", re.UNICODE)
_MENTION = re.compile(r"(?<![\w])@[A-Za-z0-9_.\-]+[A-Za-z0-9_]", re.UNICODE)
_URL = re.compile(r"https?://[^\s]+")


def safe_url(url: str | None) -> QUrl | None:
    """Only http(s) links are ever opened (post text is untrusted)."""
    if not url:
        return None
    qurl = QUrl(url.strip())
    if qurl.isValid() and qurl.scheme().lower() in ("http", "https") and qurl.host():
        return qurl
    return None


@dataclasses.dataclass(slots=True)
class Span:
    start: int
    length: int
    kind: str  # "tag" | "mention" | "link"
    target: str = ""  # the link's expanded URL


def display_text(view: PostView) -> tuple[str, list[Span]]:
    """The text as shown (t.co links replaced by their display form) and its styled spans."""
    text = view.text
    spans: list[Span] = []
    links = {short: (expanded, shown) for short, expanded, shown in view.links if short}
    out, pos = [], 0
    for match in _URL.finditer(text):
        out.append(text[pos : match.start()])
        url = match.group(0)
        expanded, shown = links.get(url, (url, ""))
        shown = shown or url
        start = sum(len(s) for s in out)
        out.append(shown)
        spans.append(Span(start, len(shown), "link", expanded or url))
        pos = match.end()
    out.append(text[pos:])
    shown_text = "".join(out)
    linked = [(s.start, s.start + s.length) for s in spans]

    def free(a: int, b: int) -> bool:
        return all(b <= lo or a >= hi for lo, hi in linked)

    for rx, kind in ((_TAG, "tag"), (_MENTION, "mention")):
        for m in rx.finditer(shown_text):
            if free(m.start(), m.end()):
                spans.append(Span(m.start(), m.end() - m.start(), kind))
    spans.sort(key=lambda s: s.start)
    return shown_text, spans


def _utf16_offsets(text: str):
    """Map a code-point offset of ``text`` to its UTF-16 offset (what Qt counts)."""
    if text.isascii() or all(ord(ch) < 0x10000 for ch in text):
        return lambda i: i
    prefix = [0]
    for ch in text:
        prefix.append(prefix[-1] + (2 if ord(ch) >= 0x10000 else 1))
    return lambda i: prefix[min(max(i, 0), len(text))]


def initials(view: PostView) -> str:
    name = (view.shown_name or "?").strip()
    parts = [p for p in re.split(r"[\s_.\-]+", name) if p]
    letters = "".join(p[0] for p in parts[:2]) or name[:1]
    return letters.upper()


def avatar_color(handle: str) -> QColor:
    digest = hashlib.blake2s(handle.lower().encode(), digest_size=2).digest()
    hue = int.from_bytes(digest, "big") % 360
    return QColor.fromHsl(hue, 140, 120)


def relative_time(created: float, now: float) -> str:
    delta = max(0.0, now - created)
    if delta < 10:
        return "now"
    if delta < 60:
        return f"{int(delta)}s"
    if delta < 3600:
        return f"{int(delta // 60)}m"
    if delta < 86400:
        return f"{int(delta // 3600)}h"
    return time.strftime("%b %d", time.localtime(created))


def clock_time(created: float) -> str:
    return time.strftime("%H:%M", time.localtime(created))


class PostDelegate(QStyledItemDelegate):
    retweet_requested = Signal(int)
    collect_requested = Signal(int)
    reply_requested = Signal(int)
    open_requested = Signal(str)

    def __init__(
        self, theme: themes.Theme, *, now: Callable[[], float] = time.time, parent=None
    ) -> None:
        super().__init__(parent)
        self.theme = theme
        self._now = now
        self.absolute_times = False  # offline review: show clock times, not "3h"
        self._heights: dict[tuple[int, int], int] = {}
        self._pixmaps: OrderedDict[tuple, QPixmap] = OrderedDict()

    # ------------------------------------------------------------ geometry
    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self._pixmaps.clear()

    def _fonts(self, base: QFont) -> tuple[QFont, QFont, QFont, QFont]:
        body = QFont(base)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() - 1.5))
        tag = QFont(small)
        tag.setBold(True)
        return body, bold, small, tag

    def _context(self, view: PostView) -> str:
        if view.kind == "retweet":
            who = view.author_name or "@" + view.author_handle
            # Isolate the name so a right-to-left name does not reorder the sentence.
            return f"\u2068{who}\u2069 retweeted" if view.original_handle else "Retweet"
        if view.kind == "quote":
            return "Quotes a post"
        if view.reply_to_handle:
            return f"Replying to @{view.reply_to_handle}"
        if view.kind == "reply":
            return "Reply"
        return ""

    def _layout(
        self, view: PostView, font: QFont, width: int
    ) -> tuple[QTextLayout, float, list[Span]]:
        text, spans = display_text(view)
        layout = QTextLayout(text, font)
        option = QTextOption()
        option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
        layout.setTextOption(option)
        formats = []
        to_utf16 = _utf16_offsets(text)
        for span in spans:
            fmt = QTextCharFormat()
            fmt.setForeground(self.theme.color("hashtag" if span.kind == "tag" else "accent"))
            if span.kind == "link":
                fmt.setFontUnderline(True)
            r = QTextLayout.FormatRange()
            # QTextLayout counts UTF-16 code units; Python counts code points (emoji!).
            start, end = to_utf16(span.start), to_utf16(span.start + span.length)
            r.start, r.length, r.format = start, end - start, fmt
            formats.append(r)
        layout.setFormats(formats)
        layout.beginLayout()
        height = 0.0
        while True:
            line = layout.createLine()
            if not line.isValid():
                break
            line.setLineWidth(max(40, width))
            line.setPosition(QPointF(0, height))
            height += line.height()
        layout.endLayout()
        return layout, height, spans

    def _content_width(self, total: int) -> int:
        return total - (PAD + AVATAR + GAP) - PAD

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        width = option.rect.width() if option.rect.width() > 0 else 320
        # Heights are cached by post id: a relayout must not read every post again.
        height = self._heights.get((index.data(PostIdRole), width))
        if height is not None:
            return QSize(width, height)
        view: PostView | None = index.data(PostRole)
        if view is None:
            return QSize(width, 24)
        key = (view.rowid, width)
        if height is None:
            body, bold, _small, _tag = self._fonts(option.font)
            _layout, text_h, _spans = self._layout(view, body, self._content_width(width))
            header_h = QFontMetrics(bold).height() + 4
            context_h = CONTEXT_H if self._context(view) else 0
            height = int(PAD + context_h + header_h + text_h + 4 + FOOTER_H + PAD / 2)
            height = max(height, PAD * 2 + AVATAR)
            if len(self._heights) > 50_000:  # bounded: heights are cheap, but not unbounded
                self._heights.clear()
            self._heights[key] = height
        return QSize(width, height)

    def forget(self, post_id: int) -> None:
        for key in [k for k in self._pixmaps if k[0] == post_id]:
            del self._pixmaps[key]
        for key in [k for k in self._heights if k[0] == post_id]:
            del self._heights[key]

    def action_rects(self, rect: QRect) -> dict[str, QRect]:
        y = rect.bottom() - int(PAD / 2) - FOOTER_H + (FOOTER_H - ACTION) // 2
        x = rect.right() - PAD - ACTION
        rects = {}
        for name in reversed(ACTIONS):
            rects[name] = QRect(x, y, ACTION, ACTION)
            x -= ACTION + ACTION_GAP
        return rects

    # ------------------------------------------------------------ painting
    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        # Rows are painted once into a pixmap and reused while nothing they show
        # changes: during a jam the viewport repaints on every batch.
        view: PostView | None = index.data(PostRole)
        rect = option.rect
        if view is None or rect.isEmpty():
            self._paint_row(painter, option, view)
            return
        state = option.state & (QStyle.StateFlag.State_Selected | QStyle.StateFlag.State_MouseOver)
        ratio = painter.device().devicePixelRatioF()
        key = (
            view.rowid,
            rect.width(),
            rect.height(),
            int(state.value),
            self.theme.name,
            self._when(view),
            view.question,
            view.question_source,
            view.collected,
            view.retweeted_by_me,
            ratio,
        )
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = QPixmap(round(rect.width() * ratio), round(rect.height() * ratio))
            pixmap.setDevicePixelRatio(ratio)
            local = QStyleOptionViewItem(option)
            local.rect = QRect(0, 0, rect.width(), rect.height())
            inner = QPainter(pixmap)
            inner.setFont(painter.font())
            self._paint_row(inner, local, view)
            inner.end()
            self._pixmaps[key] = pixmap
            if len(self._pixmaps) > 300:
                self._pixmaps.popitem(last=False)
        else:
            self._pixmaps.move_to_end(key)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def _when(self, view: PostView) -> str:
        return (
            clock_time(view.created_at)
            if self.absolute_times
            else relative_time(view.created_at, self._now())
        )

    def _paint_row(
        self, painter: QPainter, option: QStyleOptionViewItem, view: PostView | None
    ) -> None:
        rect = option.rect
        t = self.theme
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        hovered = bool(option.state & QStyle.StateFlag.State_MouseOver)
        background = t.base
        if view is not None and view.is_host:
            background = t.host_tint
        if selected:
            background = t.selected
        elif hovered:
            background = t.hover if not (view and view.is_host) else t.host_tint
        painter.fillRect(rect, QColor(background))
        if selected:
            painter.fillRect(QRect(rect.left(), rect.top(), 3, rect.height()), t.color("accent"))
        painter.setPen(QPen(t.color("separator"), 1))
        painter.drawLine(rect.left(), rect.bottom(), rect.right(), rect.bottom())
        if view is None:
            painter.restore()
            return
        body, bold, small, tag_font = self._fonts(option.font)
        x0 = rect.left() + PAD + AVATAR + GAP
        width = self._content_width(rect.width())
        y = rect.top() + PAD

        context = self._context(view)
        if context:
            painter.setFont(small)
            painter.setPen(t.color("muted"))
            icon = (
                "retweet"
                if view.kind == "retweet"
                else "reply"
                if view.kind == "reply" or view.reply_to_handle
                else "open"
            )
            pix = themes.tinted_pixmap(icon, t.muted, 12, painter.device().devicePixelRatioF())
            painter.drawPixmap(x0, y + 2, pix)
            painter.drawText(
                QRect(x0 + 16, y, width - 16, CONTEXT_H), Qt.AlignmentFlag.AlignVCenter, context
            )
            y += CONTEXT_H

        # Avatar: a coloured circle with initials (no network needed).
        avatar = QRect(rect.left() + PAD, y, AVATAR, AVATAR)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(avatar_color(view.shown_handle))
        painter.drawEllipse(avatar)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(bold)
        painter.drawText(avatar, Qt.AlignmentFlag.AlignCenter, initials(view))

        # Header: name, @handle, HOST, network mark ........ time
        fm_bold = QFontMetrics(bold)
        fm_small = QFontMetrics(small)
        header_h = fm_bold.height() + 4
        when = self._when(view)
        when_w = fm_small.horizontalAdvance(when)
        mark_w = 14
        right_reserved = when_w + mark_w + 10
        avail = max(20, width - right_reserved)
        name = view.shown_name
        name_text = fm_bold.elidedText(name, Qt.TextElideMode.ElideRight, int(avail * 0.6))
        painter.setFont(bold)
        painter.setPen(t.color("text"))
        name_w = fm_bold.horizontalAdvance(name_text)
        painter.drawText(
            QRect(x0, y, name_w + 2, header_h), Qt.AlignmentFlag.AlignVCenter, name_text
        )
        cx = x0 + name_w + 6
        host_w = 0
        if view.is_host and not view.original_handle:
            fm_tag = QFontMetrics(tag_font)
            host_w = fm_tag.horizontalAdvance("HOST") + 10
        handle_room = max(0, x0 + avail - cx - host_w)
        handle = fm_small.elidedText(
            "@" + view.shown_handle, Qt.TextElideMode.ElideRight, handle_room
        )
        painter.setFont(small)
        painter.setPen(t.color("muted"))
        painter.drawText(QRect(cx, y, handle_room, header_h), Qt.AlignmentFlag.AlignVCenter, handle)
        cx += fm_small.horizontalAdvance(handle) + 6
        if view.is_host and not view.original_handle:
            pill = QRect(cx, y + (header_h - 16) // 2, host_w, 16)
            painter.setPen(QPen(t.color("host_tag"), 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(pill, 4, 4)
            painter.setFont(tag_font)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, "HOST")
        right = x0 + width
        painter.setFont(small)
        painter.setPen(t.color("muted"))
        painter.drawText(
            QRect(right - when_w, y, when_w, header_h), Qt.AlignmentFlag.AlignVCenter, when
        )
        mark = themes.tinted_pixmap(
            view.network if view.network in ("x", "mastodon", "bluesky") else "open",
            t.muted,
            12,
            painter.device().devicePixelRatioF(),
        )
        painter.drawPixmap(right - when_w - mark_w - 2, y + (header_h - 12) // 2, mark)
        y += header_h

        # The text: plain text with formats (never rich text).
        layout, text_h, _spans = self._layout(view, body, width)
        painter.setPen(t.color("text"))
        layout.draw(painter, QPointF(x0, y))
        y += int(text_h) + 4

        # Footer: question badge, media, metrics; hover actions on the right.
        fy = rect.bottom() - int(PAD / 2) - FOOTER_H
        fx = x0
        painter.setFont(tag_font)
        fm_tag = QFontMetrics(tag_font)
        if view.question is not None:
            inferred = view.question_source == "time"
            label = f"Q{view.question}?" if inferred else f"Q{view.question}"
            if view.is_question:
                label += " · asked"
            bw = fm_tag.horizontalAdvance(label) + 12
            badge = QRect(fx, fy + (FOOTER_H - 18) // 2, bw, 18)
            if inferred:
                italic = QFont(tag_font)
                italic.setItalic(True)
                painter.setFont(italic)
                painter.setPen(QPen(t.color("badge"), 1, Qt.PenStyle.DashLine))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRoundedRect(QRectF(badge).adjusted(0.5, 0.5, -0.5, -0.5), 9, 9)
                painter.setPen(t.color("badge"))
            else:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(t.color("badge"))
                painter.drawRoundedRect(badge, 9, 9)
                painter.setPen(t.color("badge_text"))
            painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, label)
            painter.setFont(tag_font)
            fx += bw + 10
        painter.setFont(small)
        if view.has_media or view.media_count:
            pix = themes.tinted_pixmap("media", t.muted, 14, painter.device().devicePixelRatioF())
            painter.drawPixmap(fx, fy + (FOOTER_H - 14) // 2, pix)
            fx += 16
            if view.media_count > 1:
                painter.setPen(t.color("muted"))
                label = str(view.media_count)
                painter.drawText(QRect(fx, fy, 20, FOOTER_H), Qt.AlignmentFlag.AlignVCenter, label)
                fx += fm_small.horizontalAdvance(label) + 4
            fx += 8
        actions = self.action_rects(rect)
        if hovered:
            for name, r in actions.items():
                color = (
                    t.accent
                    if (name == "retweet" and view.retweeted_by_me)
                    or (name == "collect" and view.collected)
                    else t.muted
                )
                painter.drawPixmap(
                    r.topLeft(),
                    themes.tinted_pixmap(name, color, ACTION, painter.device().devicePixelRatioF()),
                )
        else:
            painter.setPen(t.color("muted"))
            metrics = []
            if view.replies:
                metrics.append(f"↩ {view.replies}")
            if view.retweets:
                metrics.append(f"⟲ {view.retweets}")
            if view.likes:
                metrics.append(f"♥ {view.likes}")
            if view.collected:
                metrics.append("★ collected")
            text = "   ".join(metrics)
            painter.drawText(
                QRect(fx, fy, x0 + width - fx, FOOTER_H),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
                text,
            )
        painter.restore()

    # ------------------------------------------------------------ clicks
    def editorEvent(
        self, event: QEvent, model, option: QStyleOptionViewItem, index: QModelIndex
    ) -> bool:
        if event.type() != QEvent.Type.MouseButtonRelease or not isinstance(event, QMouseEvent):
            return False
        if event.button() != Qt.MouseButton.LeftButton:
            return False
        view: PostView | None = index.data(PostRole)
        if view is None:
            return False
        pos = event.position().toPoint()
        for name, r in self.action_rects(option.rect).items():
            if r.adjusted(-3, -3, 3, 3).contains(pos):
                self.trigger(name, view)
                return True
        url = self.link_at(view, option, pos)
        if url:
            self.open_requested.emit(url)
            return True
        return False

    def trigger(self, action: str, view: PostView) -> None:
        if action == "retweet":
            self.retweet_requested.emit(view.rowid)
        elif action == "collect":
            self.collect_requested.emit(view.rowid)
        elif action == "reply":
            self.reply_requested.emit(view.rowid)
        elif action == "open" and view.url:
            self.open_requested.emit(view.url)

    def link_at(self, view: PostView, option: QStyleOptionViewItem, pos) -> str | None:
        body, bold, _small, _tag = self._fonts(option.font)
        x0 = option.rect.left() + PAD + AVATAR + GAP
        y0 = (
            option.rect.top()
            + PAD
            + (CONTEXT_H if self._context(view) else 0)
            + QFontMetrics(bold).height()
            + 4
        )
        layout, _h, spans = self._layout(view, body, self._content_width(option.rect.width()))
        local = QPointF(pos.x() - x0, pos.y() - y0)
        for i in range(layout.lineCount()):
            line = layout.lineAt(i)
            if line.rect().contains(local):
                cursor = line.xToCursor(local.x())
                to_utf16 = _utf16_offsets(layout.text())
                for span in spans:
                    if span.kind == "link" and to_utf16(span.start) <= cursor < to_utf16(
                        span.start + span.length
                    ):
                        return span.target
        return None
