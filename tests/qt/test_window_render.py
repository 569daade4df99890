"""The window painted with a cached session, in both themes, and the `jamdeck gui --screenshot` path."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QImage

from desktop.core.post import Kind, Network
from desktop.store.writer import StoreWriter
from desktop.ui import theme as themes
from desktop.ui.app import run_app, save_screenshot
from tests.fakes.posts import make_post
from tests.qt.conftest import create_jam_session, ingest


def jam_posts():
    return [
        make_post(0, "Q1 What makes a community feel like yours? #jam", handle="host"),
        make_post(
            1, "A1 When my feedback visibly changes the product #jam", handle="alice", likes=12
        ),
        make_post(
            2, "A1: being asked before, not after #jam https://t.co/x", handle="bob", link=True
        ),
        make_post(
            3,
            "RT @alice: A1 When my feedback visibly changes the product #jam",
            handle="carol",
            kind=Kind.RETWEET,
            retweeted_id="1001",
        ),
        make_post(
            4,
            "@alice so true, and #jam rewards that",
            handle="dave",
            kind=Kind.REPLY,
            reply_to_id="1001",
            reply_to_handle="alice",
            mentions=("alice",),
        ),
        make_post(
            5, "Our board from last week #jam", handle="erin", media=True, network=Network.MASTODON
        ),
        make_post(6, "Q2 How do you thank contributors? #jam", handle="host"),
        make_post(
            7, "A2 public changelog credits #jam", handle="frank", network=Network.BLUESKY, likes=4
        ),
        make_post(8, "hand-written notes still work wonders #jam", handle="grace"),
    ]


@pytest.mark.parametrize("theme", [themes.LIGHT, themes.DARK], ids=["light", "dark"])
def test_window_renders_a_cached_session(qtbot, make_window, tmp_path, theme):
    window = make_window(theme)
    session_id = create_jam_session(window)
    ingest(window, session_id, jam_posts())
    window.open_session("jam")
    window.show()
    qtbot.waitExposed(window)
    path = tmp_path / f"deck-{theme.name}.png"
    assert save_screenshot(window, path)
    image = QImage(str(path))
    assert (image.width(), image.height()) == (1400, 900)
    everything = window.deck.columns[window.deck.ordered_ids()[0]]
    assert everything.model.rowCount() == 9
    # The gutter between columns is painted in the theme's window colour.
    gutter = everything.mapTo(window, everything.rect().topRight())
    assert image.pixelColor(gutter.x() + 4, gutter.y() + 200) == QColor(theme.window)
    # Host posts stand out with their tint somewhere in the first column.
    host_row = next(r for r in range(9) if everything.model.view_at(r).is_host)
    rect = everything.view.visualRect(everything.model.index(host_row))
    point = everything.view.viewport().mapTo(window, rect.topRight()) + type(rect.topRight())(-4, 4)
    assert image.pixelColor(point.x(), point.y()) == QColor(theme.host_tint)


def test_gui_command_writes_a_screenshot_and_quits(qtbot, library_path, tmp_path):
    with StoreWriter(library_path) as writer:
        from desktop.core.normalize import Parsed
        from desktop.store import columns, library

        def op(ctx):
            session_id = library.create_session(
                ctx.conn, "recorded", hashtags=["jam"], hosts=["host"]
            )
            columns.apply_preset(ctx.conn, session_id)
            ctx.ingestor.write(session_id, Parsed(posts=jam_posts()))

        writer.call(op, notify=False)
    out = tmp_path / "shot.png"
    code = run_app(
        library=library_path,
        session_name="recorded",
        screenshot=str(out),
        quit_after=None,
        size=(1200, 800),
        theme="dark",
        demo=False,
        demo_speed=10,
    )
    assert code == 0
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1200, 800)


def test_gui_command_refuses_an_unknown_session(qtbot, library_path, capsys):
    code = run_app(
        library=library_path,
        session_name="nope",
        screenshot=None,
        quit_after=None,
        size=(800, 600),
        theme="light",
        demo=False,
        demo_speed=10,
    )
    assert code == 2
    assert "no session named 'nope'" in capsys.readouterr().err
