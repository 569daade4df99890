"""Authors' pictures in the deck: fetched in the background from a local server,
kept on disk for the next start, and the initials placeholder when unreachable."""

from __future__ import annotations

import dataclasses
import socket

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QPoint
from PySide6.QtGui import QColor, QImage

from desktop.core.avatars import AvatarCache
from desktop.ui.post_delegate import AVATAR, PAD, avatar_color
from tests.fakes.image_server import image_server
from tests.fakes.posts import make_post

RED = QColor("#d01020")


def red_png() -> bytes:
    image = QImage(48, 48, QImage.Format.Format_RGB32)
    image.fill(RED)
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())


@pytest.fixture
def server():
    with image_server(default=red_png()) as served:
        yield served


def with_avatar(post, url):
    return dataclasses.replace(post, author=dataclasses.replace(post.author, avatar_url=url))


@pytest.fixture
def avatar_window(jam_window):
    return lambda posts=(), *, avatars=True: jam_window(posts, avatars=avatars)


def all_column(window):
    return window.deck.columns[window.deck.ordered_ids()[0]]


def avatar_pixel(window, handle: str) -> QColor:
    """The colour near the top of ``handle``'s avatar (above the initials), as the
    "All" column paints it."""
    column = all_column(window)
    model = column.model
    row = next(r for r in range(model.rowCount()) if model.view_at(r).author_handle == handle)
    rect = column.view.visualRect(model.index(row))
    image = column.view.viewport().grab().toImage()
    return image.pixelColor(QPoint(rect.left() + PAD + AVATAR // 2, rect.top() + PAD + 5))


def near(a: QColor, b: QColor) -> bool:
    return all(abs(x - y) <= 12 for x, y in zip(a.getRgb()[:3], b.getRgb()[:3], strict=True))


def test_an_avatar_is_fetched_in_the_background_kept_on_disk_and_read_back_next_start(
    qtbot, avatar_window, server
):
    httpd, base = server
    url = f"{base}/alice.png"
    posts = [
        with_avatar(make_post(1, "A1 first #jam", handle="alice"), url),
        with_avatar(make_post(2, "A1 second #jam", handle="alice"), url),
        make_post(3, "A1 no picture #jam", handle="bob"),
    ]
    window = avatar_window(posts)
    column = all_column(window)
    qtbot.waitUntil(lambda: column.model.rowCount() == 3)
    window.deck.load_all_first_pages()
    loader = window.deck.delegate.avatars
    # The picture arrives (from a worker thread) and the row repaints with it.
    qtbot.waitUntil(lambda: loader.cached(url) is not None)
    qtbot.waitUntil(lambda: near(avatar_pixel(window, "alice"), RED))
    assert near(avatar_pixel(window, "bob"), avatar_color("bob"))  # no picture: initials
    assert httpd.paths == ["/alice.png"]  # two posts, one author: asked once
    assert AvatarCache().has(url)
    window.close()

    # Next start: read from disk, no request.
    again = avatar_window()
    again.deck.load_all_first_pages()
    qtbot.waitUntil(lambda: again.deck.delegate.avatars.cached(url) is not None)
    qtbot.waitUntil(lambda: near(avatar_pixel(again, "alice"), RED))
    assert httpd.paths == ["/alice.png"]


def test_an_unreachable_avatar_leaves_the_placeholder_without_errors(qtbot, avatar_window):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: connections are refused
    url = f"http://127.0.0.1:{port}/carol.png"
    window = avatar_window([with_avatar(make_post(1, "A1 offline #jam", handle="carol"), url)])
    column = all_column(window)
    qtbot.waitUntil(lambda: column.model.rowCount() == 1)
    window.deck.load_all_first_pages()
    loader = window.deck.delegate.avatars
    qtbot.waitUntil(lambda: loader.failed(url))
    assert loader.cached(url) is None and loader.waiting() == 0
    assert near(avatar_pixel(window, "carol"), avatar_color("carol"))
    # Painting again does not ask again (it waits RETRY_AFTER).
    requests = loader.requests
    column.view.viewport().repaint()
    assert loader.requests == requests


def test_avatars_are_off_by_default_and_with_the_setting_off(qtbot, avatar_window, server):
    httpd, base = server
    url = f"{base}/dave.png"
    window = avatar_window(
        [with_avatar(make_post(1, "A1 hi #jam", handle="dave"), url)], avatars=False
    )
    assert window.deck.delegate.avatars is None and window.avatar_loader is None
    column = all_column(window)
    qtbot.waitUntil(lambda: column.model.rowCount() == 1)
    window.deck.load_all_first_pages()
    assert near(avatar_pixel(window, "dave"), avatar_color("dave"))
    # Turned on from the preferences: the picture comes.
    window.set_avatars_enabled(True)
    qtbot.waitUntil(lambda: near(avatar_pixel(window, "dave"), RED))
    window.set_avatars_enabled(False)
    assert window.deck.delegate.avatars is None
    qtbot.waitUntil(lambda: near(avatar_pixel(window, "dave"), avatar_color("dave")))
    assert httpd.paths == ["/dave.png"]
