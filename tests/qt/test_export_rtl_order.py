"""A Hebrew quote in the Markdown export reads in its own order when laid out
(issue 21, item 7): the @handle it starts with is read first (rightmost), the
#tag it ends with last (leftmost), and "#A7" stays "#A7"."""

from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QTextLayout, QTextOption
from PySide6.QtWidgets import QApplication

from desktop.core.quotes import QuoteItem, QuoteList, QuoteSection
from desktop.export.quotes import render

HEBREW = "@noa_cohen אנחנו מפרסמים את מפת הדרכים ומצביעים כל חודש #A7"


def _markdown_line() -> str:
    item = QuoteItem(
        id=1,
        post_rowid=1,
        question=1,
        position=0,
        network="x",
        network_id="1",
        handle="yael_b",
        display_name="Yael",
        text=HEBREW,
        url="https://x.com/yael_b/status/1",
        created_at=0.0,
    )
    quotes = QuoteList(1, "jam", "jam", sections=(QuoteSection(1, "Why?", (item,)),))
    md = render(quotes, "md")
    return next(line for line in md.splitlines() if "אנחנו" in line).rstrip()


def _layout(text: str) -> QTextLayout:
    layout = QTextLayout(text, QFont(QApplication.font().family(), 14))
    option = QTextOption()
    option.setTextDirection(QApplication.layoutDirection())  # an English document
    layout.setTextOption(option)
    layout.beginLayout()
    line = layout.createLine()
    line.setLineWidth(2000)
    layout.endLayout()
    return layout


def _x(layout: QTextLayout, text: str, needle: str) -> float:
    line = layout.lineAt(0)
    return line.cursorToX(text.index(needle))[0]


def test_a_hebrew_quote_reads_right_to_left_with_its_handle_first(qapp, tmp_path):
    text = _markdown_line()
    layout = _layout(text)
    handle, first_word, last_word, tag = (
        _x(layout, text, "cohen"),
        _x(layout, text, "אנחנו"),
        _x(layout, text, "חודש"),
        _x(layout, text, "#A7"),
    )
    # Right to left: the handle, then the first Hebrew word, ... then the tag.
    assert handle > first_word > last_word > tag, (handle, first_word, last_word, tag)
    # The tag keeps its "#" in front: "#A7", not "A7#".
    assert _x(layout, text, "#A7") < _x(layout, text, "A7")
    # The author's name, on the left, is outside the Hebrew run.
    assert _x(layout, text, "**@yael") < tag

    image = QImage(1400, 60, QImage.Format.Format_RGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    layout.draw(painter, QPointF(10, 10))
    painter.end()
    out = Path(os.environ.get("JAMDECK_SHOTS", tmp_path))
    image.save(str(out / "export_rtl_markdown_line.png"))
