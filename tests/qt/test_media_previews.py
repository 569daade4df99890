"""Media and people (issue 21.8): pictures under a post's text (fetched in the
background from a local server into the on-disk cache), the quoted post's card,
alt texts for the pointer and for screen readers, and rows measured with them."""

from __future__ import annotations

import dataclasses

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
from PySide6.QtGui import QColor, QImage

from desktop.core.avatars import AvatarCache, media_directory
from desktop.core.post import Kind, Link, Media
from desktop.ui.post_delegate import display_text
from tests.fakes.image_server import image_server
from tests.fakes.posts import make_post

GREEN = QColor("#10b050")
ALT = "Sticky notes grouped into five themes on a glass wall"


def png(color: QColor, w: int = 120, h: int = 80) -> bytes:
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(color)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


@pytest.fixture
def server():
    with image_server(default=png(GREEN)) as served:
        yield served


def photo_post(base: str):
    post = make_post(2, "A1 our wall after the workshop #jam https://t.co/pic1", handle="noa")
    return dataclasses.replace(
        post,
        links=(Link("https://t.co/pic1", "https://x.com/noa/status/1002/photo/1", "pic.x.com/ab"),),
        media=(Media("image", f"{base}/photo.png", ALT),),
    )


def quote_posts():
    quoted = make_post(1, "Q1 What does community-led design mean to you? #jam", handle="host")
    quote = make_post(3, "A1 This, exactly #jam https://t.co/q1", handle="rafael")
    quote = dataclasses.replace(
        quote,
        kind=Kind.QUOTE,
        quoted_id=quoted.id,
        links=(Link("https://t.co/q1", f"https://x.com/host/status/{quoted.id}", "x.com/host/…"),),
    )
    return quoted, quote


def column_of(window):
    return window.deck.columns[window.deck.ordered_ids()[0]]


def row_of(column, handle: str) -> int:
    model = column.model
    return next(r for r in range(model.rowCount()) if model.view_at(r).author_handle == handle)


def option_for(column, row: int):
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    column.view.initViewItemOption(option)
    option.rect = column.view.visualRect(column.model.index(row))
    return option


def test_a_photo_shows_as_a_rounded_picture_with_its_alt_text_and_no_pic_link(
    qtbot, jam_window, server
):
    httpd, base = server
    window = jam_window([photo_post(base)], media=True)
    column = column_of(window)
    qtbot.waitUntil(lambda: column.model.rowCount() == 1)
    window.deck.load_all_first_pages()
    delegate = window.deck.delegate
    view = column.model.view_at(0)
    # The pic.x.com link is the picture now: not in the text.
    text, _spans = display_text(view, hide_media=True)
    assert "pic.x.com" not in text and text.endswith("#jam")
    option = option_for(column, 0)
    media_rect, card_rect, _card = delegate._blocks(view, option)  # noqa: SLF001
    assert media_rect is not None and card_rect is None
    # The row is measured with the picture: it fits inside the row, above the footer.
    assert option.rect.contains(media_rect)
    assert option.rect.height() == delegate.measure(option, view, option.rect.width())
    # The picture comes from a worker, into the media cache on disk, and is painted.
    url = f"{base}/photo.png"
    qtbot.waitUntil(lambda: window.pictures.media.cached(url) is not None)

    def painted() -> QColor:
        image = column.view.viewport().grab().toImage()
        return image.pixelColor(media_rect.center())

    qtbot.waitUntil(lambda: painted() == GREEN)
    assert AvatarCache(media_directory()).has(url)
    assert httpd.paths == ["/photo.png"]
    # The alt text: the pointer's tooltip over the picture, and the screen reader's.
    assert delegate.block_target(view, option, media_rect.center())[0] == ALT
    spoken = column.model.data(column.model.index(0), Qt.ItemDataRole.AccessibleTextRole)
    assert f"Image: {ALT}" in spoken


def test_without_media_previews_the_row_keeps_its_link_and_asks_for_nothing(
    qtbot, jam_window, server
):
    httpd, base = server
    window = jam_window([photo_post(base)], media=False)
    column = column_of(window)
    qtbot.waitUntil(lambda: column.model.rowCount() == 1)
    window.deck.load_all_first_pages()
    view = column.model.view_at(0)
    short = column.view.visualRect(column.model.index(0)).height()
    assert window.deck.delegate._blocks(view, option_for(column, 0))[0] is None  # noqa: SLF001
    assert httpd.paths == []
    # Turned on: the rows are measured again, taller by the picture.
    window.set_media_enabled(True)
    qtbot.waitUntil(lambda: column.view.visualRect(column.model.index(0)).height() > short + 80)


def test_a_quote_shows_the_quoted_post_as_a_card(qtbot, jam_window):
    quoted, quote = quote_posts()
    window = jam_window([quoted, quote])
    column = column_of(window)
    qtbot.waitUntil(lambda: column.model.rowCount() == 2)
    window.deck.load_all_first_pages()
    delegate = window.deck.delegate
    row = row_of(column, "rafael")
    view = column.model.view_at(row)
    assert view.quoted is not None and view.quoted.handle == "host"
    assert view.quoted.text.startswith("Q1 What does")
    # The link to the quoted post is the card now; no "Quotes a post" line.
    assert "x.com/host" not in display_text(view)[0]
    assert delegate._context(view) == ""  # noqa: SLF001
    option = option_for(column, row)
    _media, card_rect, _card = delegate._blocks(view, option)  # noqa: SLF001
    assert card_rect is not None and option.rect.contains(card_rect)
    tip, url = delegate.block_target(view, option, card_rect.center())
    assert tip.startswith("@host: Q1 What does") and url == view.quoted.url
    # Clicking the card opens the quoted post.
    opened = []
    window.url_opener = lambda url: opened.append(url.toString())
    qtbot.mouseClick(column.view.viewport(), Qt.MouseButton.LeftButton, pos=card_rect.center())
    assert opened == [view.quoted.url]
    spoken = column.model.data(column.model.index(row), Qt.ItemDataRole.AccessibleTextRole)
    assert "Quoting @host: Q1 What does" in spoken


def test_rows_with_pictures_and_cards_neither_overlap_nor_leave_gaps(qtbot, jam_window, server):
    _httpd, base = server
    quoted, quote = quote_posts()
    posts = [quoted, photo_post(base), quote, make_post(4, "A1 plain #jam", handle="eve")]
    window = jam_window(posts, media=True)
    column = column_of(window)
    qtbot.waitUntil(lambda: column.model.rowCount() == 4)
    window.deck.load_all_first_pages()
    delegate = window.deck.delegate
    rects = [column.view.visualRect(column.model.index(r)) for r in range(4)]
    for above, below in zip(rects, rects[1:], strict=False):
        assert above.bottom() + 1 == below.top()
    for row, rect in enumerate(rects):
        view = column.model.view_at(row)
        option = option_for(column, row)
        assert rect.height() == delegate.measure(option, view, rect.width())
        # Every block ends above the footer (the footer is anchored to the row's bottom).
        footer_top = rect.bottom() - 5 - 24
        for block in delegate._blocks(view, option)[:2]:  # noqa: SLF001
            if block is not None:
                assert block.bottom() < footer_top
