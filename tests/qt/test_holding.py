"""Issue 21.5: a column that holds new posts says so in its header and the help overlay,
and one click (or ".") lets them in."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop.ui.widgets import HOLDING_HELP, KeysOverlay
from tests.fakes.posts import make_post
from tests.qt.conftest import ingest
from tests.qt.test_deck import column, hover, opened_window


def test_a_held_column_says_so_in_its_header_and_one_click_lets_the_posts_in(qtbot, make_window):
    window, session_id = opened_window(make_window)
    everything = column(window, "All")
    ingest(window, session_id, [make_post(1, "first #jam")])
    qtbot.waitUntil(lambda: everything.model.rowCount() == 1)
    assert everything.hold_badge.isHidden()

    hover(everything, True)  # reading (or selecting) a post: the pointer is over the list
    assert everything.hold_badge.isVisible()
    assert everything.hold_badge.text() == "Held"
    ingest(window, session_id, [make_post(n, f"post {n} #jam") for n in (2, 3, 4)])
    qtbot.waitUntil(lambda: everything.new_count() == 3)
    assert everything.hold_badge.text() == "Held · 3 new"
    assert "pointer is over the list" in everything.hold_badge.toolTip()
    # The header is in sight even when the column is scrolled.
    assert everything.hold_badge.parentWidget() is everything.header

    qtbot.mouseClick(everything.hold_badge, Qt.MouseButton.LeftButton)
    assert everything.model.rowCount() == 4
    assert everything.new_count() == 0
    assert everything.hold_badge.isHidden()


def test_the_newest_key_lets_held_posts_in_even_when_paused(qtbot, make_window):
    window, session_id = opened_window(make_window)
    everything = column(window, "All")
    everything.pause_button.setChecked(True)
    assert everything.hold_badge.text() == "Held"
    assert "space resumes" in everything.hold_badge.toolTip()
    ingest(window, session_id, [make_post(n, f"post {n}") for n in (1, 2)])
    qtbot.waitUntil(lambda: everything.new_count() == 2)
    everything.view.setFocus()
    qtbot.keyClick(everything.view, Qt.Key.Key_Period)
    assert everything.model.rowCount() == 2
    assert not everything.pause_button.isChecked()
    assert everything.hold_badge.isHidden()


def test_the_help_overlay_explains_holding(qtbot, make_window):
    window = make_window()
    overlay = KeysOverlay(window)
    texts = [label.text() for label in overlay.findChildren(QLabel)]
    assert HOLDING_HELP in texts
    assert "Held · N new" in HOLDING_HELP
    assert any("let held posts in" in text for text in texts)


def test_the_pointer_over_an_empty_column_does_not_hold_its_first_posts(qtbot, make_window):
    """Seen in a demo jam under Xvfb: the pointer rested over "Host & questions" from
    the start, which stayed empty (every post held) for the whole jam."""

    window, session_id = opened_window(make_window)
    hosts = column(window, "Host & questions")
    hover(hosts, True)
    ingest(window, session_id, [make_post(1, "Q1 Why are you here? #jam", handle="host")])
    qtbot.waitUntil(lambda: hosts.model.rowCount() == 1)
    # Once it shows posts, the pointer holds the next ones as before.
    ingest(window, session_id, [make_post(2, "Welcome all #jam", handle="host")])
    qtbot.waitUntil(lambda: hosts.new_count() == 1)
    assert hosts.model.rowCount() == 1
