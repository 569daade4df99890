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
from collections.abc import Callable, Iterable

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
from PySide6.QtWidgets import (
    QAbstractItemView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
)

from desktop.core import bidi
from desktop.core.urls import url_spans
from desktop.core.views import PostView, is_media_link, is_quote_link
from desktop.ui import post_cards
from desktop.ui import theme as themes
from desktop.ui.avatars import AvatarLoader
from desktop.ui.column_model import PostIdRole, PostRole

PAD = 10
AVATAR = 36
GAP = 10
CONTEXT_H = 18
FOOTER_H = 24
ACTION = 18
ACTION_GAP = 10
ACTIONS = ("retweet", "like", "collect", "reply", "open")

# Painted rows are kept up to this many logical pixels (10 MB at 1x: about 70 rows
# of 330 x 110, twice what a 1400 px wide deck shows); laid-out texts and heights by count.
PIXMAP_AREA_KEPT = 2_500_000
LAYOUTS_KEPT = 256
HEIGHTS_KEPT = 4096

_TAG = re.compile(r"(?<![\w&])[#＃][\w]+", re.UNICODE)
_MENTION = re.compile(r"(?<![\w])@[A-Za-z0-9_.\-]+[A-Za-z0-9_]", re.UNICODE)


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


_LINE_BREAK = re.compile(r"\r\n|[\r\n]")


def shown_label(text: str) -> str:
    """A name or handle as drawn: on one line, its bidi controls kept to itself."""
    return bidi.isolated(_LINE_BREAK.sub(" ", text))


def display_text(view: PostView, *, hide_media: bool = False) -> tuple[str, list[Span]]:
    """The text as shown (t.co links replaced by their display form) and its styled spans.
    Left out: the link to the quoted post when its card shows, and with ``hide_media``
    X's pic.x.com link of the media shown as pictures.

    Untrusted text: line breaks become U+2028 (QTextLayout breaks a line there; it
    draws a LF as a space, which ran "nice" and "# heading" together), and bidi
    controls are isolated (``desktop.core.bidi``: an override cannot show
    ``gnp.exe`` as ``exe.png``)."""
    text = bidi.isolated(_LINE_BREAK.sub("\u2028", view.text))
    spans: list[Span] = []
    links = {short: (expanded, shown) for short, expanded, shown in view.links if short}
    out, pos, length = [], 0, 0
    for url_start, url_end in url_spans(text):
        before = text[pos:url_start]
        out.append(before)
        url = text[url_start:url_end]
        expanded, shown = links.get(url, (url, ""))
        if (hide_media and is_media_link(expanded, shown)) or (
            view.quoted is not None and is_quote_link(expanded, view.quoted_id)
        ):
            out.append("")
            pos = url_end
            continue
        shown = shown or url
        start = length + len(before)
        out.append(shown)
        length = start + len(shown)
        spans.append(Span(start, len(shown), "link", expanded or url))
        pos = url_end
    out.append(text[pos:])
    shown_text = "".join(out).rstrip()
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
    # Only characters outside the BMP take two UTF-16 units (checked at C speed).
    if text.isascii() or len(text.encode("utf-16-le")) == 2 * len(text):
        return lambda i: i
    prefix = [0]
    for ch in text:
        prefix.append(prefix[-1] + (2 if ord(ch) >= 0x10000 else 1))
    return lambda i: prefix[min(max(i, 0), len(text))]


def _lay_out_lines(layout: QTextLayout, width: int, *, place: bool = True) -> float:
    """Break ``layout`` into lines ``width`` wide; returns the text's height.
    Without ``place`` the lines are not positioned (only measured: not drawable)."""
    option = QTextOption()
    option.setWrapMode(QTextOption.WrapMode.WrapAtWordBoundaryOrAnywhere)
    layout.setTextOption(option)
    layout.beginLayout()
    height = 0.0
    line_width = max(40, width)
    while True:
        line = layout.createLine()
        if not line.isValid():
            break
        line.setLineWidth(line_width)
        if place:
            line.setPosition(QPointF(0, height))
        height += line.height()
    layout.endLayout()
    return height


def _row_width(option: QStyleOptionViewItem) -> int:
    """The width a row is painted at: its list's viewport width. (Qt asks sizes with
    no rect, or with the width before a scroll bar shows; a height measured at any
    other width than the painted one clips text or leaves a gap.)"""
    viewport = getattr(option.widget, "viewport", None)
    width = viewport().width() if viewport is not None else option.rect.width()
    return width if width > 0 else 320


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
    like_requested = Signal(int)
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
        # Bumped whenever a measured height may be stale (theme, font): the models'
        # height caches are keyed on (width, generation) and start over when it moves.
        self.generation = 0
        # Heights measured lately, shared by all columns (each ColumnModel also keeps
        # those of its loaded rows): (post id, width, generation) -> height.
        self._heights: OrderedDict[tuple[int, int, int], int] = OrderedDict()
        self._pixmaps: OrderedDict[tuple, QPixmap] = OrderedDict()
        self._pixmap_area = 0  # logical pixels held by _pixmaps
        # Laid-out post text for painting and link hits: (post id, width, generation).
        self._layouts: OrderedDict[tuple[int, int, int], tuple[QTextLayout, float, list]] = (
            OrderedDict()
        )
        # Pictures of the authors (None: initials only). Set by the deck's owner.
        self.avatars: AvatarLoader | None = None
        # Media previews (None: no pictures, media links stay in the text). Set by the
        # deck, which calls invalidate(): row heights depend on it.
        self.media: AvatarLoader | None = None
        self._font_sets: dict[str, tuple[QFont, QFont, QFont, QFont, int]] = {}
        self._span_formats: dict[str, QTextCharFormat] = {}  # per span kind, theme colours

    # ------------------------------------------------------------ geometry
    def set_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.invalidate()

    def invalidate(self) -> None:
        """Forget every cached height, layout and painted row (the look changed)."""
        self.generation += 1
        self._heights.clear()
        self._pixmaps.clear()
        self._pixmap_area = 0
        self._layouts.clear()
        self._font_sets.clear()
        self._span_formats.clear()

    def _fonts(self, base: QFont) -> tuple[QFont, QFont, QFont, QFont]:
        return self._font_set(base)[:4]

    def _font_set(self, base: QFont) -> tuple[QFont, QFont, QFont, QFont, int]:
        """body, bold, small, tag fonts and the header height, made once per base font."""
        key = base.key()
        found = self._font_sets.get(key)
        if found is not None:
            return found
        body = QFont(base)
        bold = QFont(base)
        bold.setBold(True)
        small = QFont(base)
        small.setPointSizeF(max(7.0, base.pointSizeF() - 1.5))
        tag = QFont(small)
        tag.setBold(True)
        found = (body, bold, small, tag, QFontMetrics(bold).height() + 4)
        if len(self._font_sets) > 8:
            self._font_sets.clear()
        self._font_sets[key] = found
        return found

    def _context(self, view: PostView) -> str:
        if view.kind == "retweet":
            who = view.author_name or "@" + view.author_handle
            # Isolate the name so a right-to-left name does not reorder the sentence.
            return (
                f"\u2068{shown_label(who)}\u2069 retweeted" if view.original_handle else "Retweet"
            )
        if view.reply_to_handle:
            return f"Replying to @{shown_label(view.reply_to_handle)}"
        if view.kind == "reply":
            return "Reply"
        return ""

    def _layout(
        self, view: PostView, font: QFont, width: int
    ) -> tuple[QTextLayout, float, list[Span]]:
        """The post's text laid out with its formats (kept for the rows on screen)."""
        key = (view.rowid, width, self.generation)
        found = self._layouts.get(key)
        if found is not None:
            self._layouts.move_to_end(key)
            return found
        layout, spans = self._formatted(view, font)
        found = (layout, _lay_out_lines(layout, width), spans)
        self._layouts[key] = found
        if len(self._layouts) > LAYOUTS_KEPT:
            self._layouts.popitem(last=False)
        return found

    def _formatted(self, view: PostView, font: QFont) -> tuple[QTextLayout, list[Span]]:
        """The post's text with its formats, not yet broken into lines. (The format
        ranges split the text into runs, which can change line heights: e.g. CJK
        text with font fallback. So measuring uses the same formats as painting.)"""
        text, spans = display_text(view, hide_media=self.media is not None)
        layout = QTextLayout(text, font)
        if spans:
            formats = []
            to_utf16 = _utf16_offsets(text)
            for span in spans:
                r = QTextLayout.FormatRange()
                # QTextLayout counts UTF-16 code units; Python counts code points (emoji!).
                start, end = to_utf16(span.start), to_utf16(span.start + span.length)
                r.start, r.length, r.format = start, end - start, self._span_format(span.kind)
                formats.append(r)
            layout.setFormats(formats)
        return layout, spans

    def _span_format(self, kind: str) -> QTextCharFormat:
        fmt = self._span_formats.get(kind)
        if fmt is None:
            fmt = QTextCharFormat()
            fmt.setForeground(self.theme.color("hashtag" if kind == "tag" else "accent"))
            if kind == "link":
                fmt.setFontUnderline(True)
            self._span_formats[kind] = fmt
        return fmt

    def _text_height(self, view: PostView, font: QFont, width: int) -> float:
        """The height of the post's text at ``width``, as ``_layout`` lays it out."""
        found = self._layouts.get((view.rowid, width, self.generation))
        if found is not None:
            return found[1]
        return _lay_out_lines(self._formatted(view, font)[0], width, place=False)

    def _content_width(self, total: int) -> int:
        return total - (PAD + AVATAR + GAP) - PAD

    def measure(self, option: QStyleOptionViewItem, view: PostView, width: int) -> int:
        """The row height of ``view`` at ``width`` (lays its text out: the slow part)."""
        body, _bold, _small, _tag, header_h = self._font_set(option.font)
        content = self._content_width(width)
        text_h = self._text_height(view, body, content)
        context_h = CONTEXT_H if self._context(view) else 0
        extra = sum(
            h + post_cards.BLOCK_GAP for h in self._block_heights(view, option.font, content)
        )
        height = int(PAD + context_h + header_h + text_h + 4 + extra + FOOTER_H + PAD / 2)
        return max(height, PAD * 2 + AVATAR)

    # ------------------------------------------------------------ pictures and quotes
    def _pictures_shown(self, view: PostView) -> tuple:
        """The media a row shows as pictures (none while previews are off)."""
        return view.thumbnails if self.media is not None else ()

    def _card(self, view: PostView, base: QFont, width: int) -> post_cards.QuoteCard | None:
        if view.quoted is None and view.kind != "quote":
            return None
        _body, _bold, small, tag, _h = self._font_set(base)
        return post_cards.QuoteCard(view.quoted, width, small, tag, thumb=self.media is not None)

    def _block_heights(self, view: PostView, base: QFont, width: int) -> list[int]:
        heights = []
        if self._pictures_shown(view):
            heights.append(post_cards.media_height(width))
        card = self._card(view, base, width)
        if card is not None:
            heights.append(card.height)
        return heights

    def _blocks(
        self, view: PostView, option: QStyleOptionViewItem
    ) -> tuple[QRect | None, QRect | None, post_cards.QuoteCard | None]:
        """Where a row's picture block and quote card go (as paint puts them)."""
        body, _bold, _small, _tag, header_h = self._font_set(option.font)
        rect = option.rect
        width = self._content_width(rect.width())
        x0 = rect.left() + PAD + AVATAR + GAP
        y = rect.top() + PAD + (CONTEXT_H if self._context(view) else 0) + header_h
        y += int(self._layout(view, body, width)[1]) + 4
        media_rect = card_rect = None
        if self._pictures_shown(view):
            media_rect = QRect(x0, y, width, post_cards.media_height(width))
            y += media_rect.height() + post_cards.BLOCK_GAP
        card = self._card(view, option.font, width)
        if card is not None:
            card_rect = QRect(x0, y, width, card.height)
        return media_rect, card_rect, card

    def _pictures_ready(self, view: PostView) -> tuple:
        """Which of a row's pictures are in memory (asks for the others): part of the
        painted row's key, so a row is painted again when one comes."""
        if self.media is None:
            return ()
        urls = [m.thumbnail_url for m in self._pictures_shown(view)]
        if view.quoted is not None:
            urls += [m.thumbnail_url for m in view.quoted.thumbnails]
        ready = tuple(self.media.pixmap(url) is not None for url in urls)
        if view.quoted is not None and self.avatars is not None and view.quoted.avatar_url:
            ready += (self.avatars.pixmap(view.quoted.avatar_url) is not None,)
        return ready

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        # Called for every loaded row on every relayout (each live insert): a hit is
        # a dict lookup in the model's cache, never a text layout.
        width = _row_width(option)
        model = index.model()
        heights_for = getattr(model, "heights_for", None)
        if heights_for is None:  # any other model: only the shared LRU
            post_id = index.data(PostIdRole)
            if post_id is None:
                return QSize(width, 24)
            return QSize(width, self._shared_height(option, post_id, width, index.data, None))
        row = index.row()
        heights = heights_for(width, self.generation)
        post_id = model.post_id(row)
        height = heights.get(post_id)
        if height is None:
            height = self._shared_height(option, post_id, width, None, lambda: model.view_at(row))
            if height is None:
                return QSize(width, 24)
            heights[post_id] = height
        return QSize(width, height)

    def premeasure(self, view: QAbstractItemView, posts: Iterable[PostView]) -> None:
        """Measure ``posts`` as rows of ``view`` ahead of their insert (into the
        LRU shared by the columns; a measured post is skipped)."""
        option = QStyleOptionViewItem()
        view.initViewItemOption(option)
        width = _row_width(option)
        for post in posts:
            key = (post.rowid, width, self.generation)
            if key not in self._heights:
                self._heights[key] = self.measure(option, post, width)
                if len(self._heights) > HEIGHTS_KEPT:
                    self._heights.popitem(last=False)

    def _shared_height(self, option, post_id: int, width: int, data, view_of) -> int | None:
        """A post's height from the LRU shared by every column (a post is in several
        columns, but is measured once per width), measuring it on a miss."""
        key = (post_id, width, self.generation)
        height = self._heights.get(key)
        if height is not None:
            self._heights.move_to_end(key)
            return height
        view: PostView | None = view_of() if view_of is not None else data(PostRole)
        if view is None:
            return None
        height = self._heights[key] = self.measure(option, view, width)
        if len(self._heights) > HEIGHTS_KEPT:
            self._heights.popitem(last=False)
        return height

    def forget(self, post_id: int) -> None:
        for key in [k for k in self._pixmaps if k[0] == post_id]:
            self._drop_pixmap(key)
        for key in [k for k in self._heights if k[0] == post_id]:
            del self._heights[key]
        for key in [k for k in self._layouts if k[0] == post_id]:
            del self._layouts[key]

    def cache_sizes(self) -> dict[str, int]:
        """How much each cache holds (tests check they stay bounded)."""
        return {
            "pixmaps": len(self._pixmaps),
            "pixmap_area": self._pixmap_area,
            "layouts": len(self._layouts),
            "heights": len(self._heights),
        }

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
        # The picture if it is in memory (else it is asked for, and the row painted
        # with initials now and again when it comes: a row never waits for it).
        avatar = self.avatar_for(view)
        pictures = self._pictures_ready(view)
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
            view.liked_by_me,
            avatar is not None,
            pictures,
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
            self._paint_row(inner, local, view, avatar)
            inner.end()
            self._pixmaps[key] = pixmap
            self._pixmap_area += rect.width() * rect.height()
            while self._pixmap_area > PIXMAP_AREA_KEPT and len(self._pixmaps) > 1:
                self._drop_pixmap(next(iter(self._pixmaps)))
        else:
            self._pixmaps.move_to_end(key)
        painter.drawPixmap(rect.topLeft(), pixmap)

    def _drop_pixmap(self, key: tuple) -> None:
        self._pixmaps.pop(key)
        self._pixmap_area -= key[1] * key[2]

    def _when(self, view: PostView) -> str:
        return self._when_of(view.created_at)

    def _when_of(self, created: float) -> str:
        return clock_time(created) if self.absolute_times else relative_time(created, self._now())

    def avatar_for(self, view: PostView) -> QPixmap | None:
        url = view.shown_avatar_url
        if self.avatars is None or not url:
            return None
        return self.avatars.pixmap(url)

    def _paint_row(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        view: PostView | None,
        avatar: QPixmap | None = None,
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

        # Avatar: the picture when it is here, else a coloured circle with initials.
        circle = QRect(rect.left() + PAD, y, AVATAR, AVATAR)
        if avatar is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            painter.drawPixmap(circle, avatar)
        else:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(avatar_color(view.shown_handle))
            painter.drawEllipse(circle)
            painter.setPen(QColor("#ffffff"))
            painter.setFont(bold)
            painter.drawText(circle, Qt.AlignmentFlag.AlignCenter, initials(view))

        # Header: name, @handle, HOST, network mark ........ time
        fm_bold = QFontMetrics(bold)
        fm_small = QFontMetrics(small)
        header_h = fm_bold.height() + 4
        when = self._when(view)
        when_w = fm_small.horizontalAdvance(when)
        mark_w = 14
        right_reserved = when_w + mark_w + 10
        avail = max(20, width - right_reserved)
        name = shown_label(view.shown_name)
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
            "@" + shown_label(view.shown_handle), Qt.TextElideMode.ElideRight, handle_room
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

        # Under the text: the pictures (rounded), then the quoted post's card.
        media_rect, card_rect, card = self._blocks(view, option)
        if media_rect is not None:
            post_cards.paint_pictures(
                painter, media_rect, self._pictures_shown(view), self.media, t, small
            )
        if card is not None and card_rect is not None:
            quoted = view.quoted
            card.paint(
                painter,
                card_rect,
                t,
                avatars=self.avatars,
                media=self.media,
                when=self._when_of(quoted.created_at) if quoted else "",
                placeholder_color=avatar_color(quoted.handle if quoted else "?"),
                initials=(quoted.shown_name if quoted else "?").strip()[:1].upper(),
            )

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
        if (view.has_media or view.media_count) and not self._pictures_shown(view):
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
                color = t.muted
                if (name == "retweet" and view.retweeted_by_me) or (
                    name == "collect" and view.collected
                ):
                    color = t.accent
                elif name == "like" and view.liked_by_me:
                    color = t.error  # a red heart, as every network shows a like
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
            if view.liked_by_me:
                metrics.append("♥ liked")
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
        target = self.block_target(view, option, pos)
        if target is not None and target[1]:
            self.open_requested.emit(target[1])
            return True
        return False

    def block_target(
        self, view: PostView, option: QStyleOptionViewItem, pos
    ) -> tuple[str, str] | None:
        """(tooltip, URL to open) of the picture or quote card under ``pos``, or None."""
        media_rect, card_rect, _card = self._blocks(view, option)
        if media_rect is not None and media_rect.contains(pos):
            shown = self._pictures_shown(view)
            for item, tile in zip(
                shown, post_cards.media_tiles(media_rect, len(shown)), strict=False
            ):
                if tile.contains(pos):
                    return post_cards.alt_label(item), item.url or item.thumbnail_url or view.url
        if card_rect is not None and card_rect.contains(pos):
            quoted = view.quoted
            if quoted is None:
                return "Quoted post not in the cache", ""
            return f"@{quoted.handle}: {quoted.text}", quoted.url
        return None

    def helpEvent(self, event, view, option: QStyleOptionViewItem, index: QModelIndex) -> bool:  # noqa: N802
        # The alt text of the picture under the pointer (or the quoted post's text).
        if event is not None and event.type() == QEvent.Type.ToolTip:
            post: PostView | None = index.data(PostRole)
            target = self.block_target(post, option, event.pos()) if post is not None else None
            if target is not None:
                QToolTip.showText(event.globalPos(), target[0], view)
                return True
        return super().helpEvent(event, view, option, index)

    def trigger(self, action: str, view: PostView) -> None:
        if action == "retweet":
            self.retweet_requested.emit(view.rowid)
        elif action == "like":
            self.like_requested.emit(view.rowid)
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
