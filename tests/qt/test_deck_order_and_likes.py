"""Moving columns (menu, keys, drag and drop), liking posts, and the remembered
read position: all saved, and all there again when the window opens next time."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop.core.actions import ActionState
from desktop.store import columns as saved_columns
from desktop.ui.column_widget import column_mime
from desktop.ui.main_window import MainWindow
from desktop.ui.widgets import KEYS_HELP
from tests.fakes.fake_source import FakeSource
from tests.fakes.posts import make_post
from tests.qt.conftest import create_jam_session


@pytest.fixture
def window_on(jam_window):
    """``window_on(seed=..., sources=...)``: a shown window on the "jam" session;
    call it again for the same library "after a restart" (close the first one)."""
    return lambda *, seed=(), sources=None: jam_window(seed, sources=sources)


def names(window: MainWindow) -> list[str]:
    return [window.deck.columns[c].spec.name for c in window.deck.ordered_ids()]


def saved_names(window: MainWindow) -> list[str]:
    session_id = window.session.id
    return [c.name for c in saved_columns.list_columns(window.conn, session_id)]


def by_name(window: MainWindow, name: str):
    return next(w for w in window.deck.columns.values() if w.spec.name == name)


def menu_action(column, text: str):
    return next(a for a in column.menu_button.menu().actions() if a.text() == text)


# ------------------------------------------------------------------ moving columns


def test_columns_move_by_menu_keys_and_drop_and_the_order_survives_a_restart(qtbot, window_on):
    window = window_on(seed=[make_post(1, "A1 hello #jam")])
    first = names(window)
    assert len(first) >= 3
    a, b, c = first[:3]

    # "Move right" in the first column's menu: it swaps with its neighbour.
    menu_action(by_name(window, a), "Move right").trigger()
    assert names(window)[:3] == [b, a, c]
    qtbot.waitUntil(lambda: saved_names(window)[:3] == [b, a, c])

    # "Move left" by key (Ctrl+Shift+Left) while the column has the focus.
    column = by_name(window, c)
    column.view.setFocus()
    qtbot.waitUntil(lambda: column.view.hasFocus())
    qtbot.keyClick(
        column.view,
        Qt.Key.Key_Left,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert names(window)[:3] == [b, c, a]
    qtbot.waitUntil(lambda: saved_names(window)[:3] == [b, c, a])
    # At the left end, "Move left" does nothing.
    menu_action(by_name(window, b), "Move left").trigger()
    assert names(window)[:3] == [b, c, a]

    # A header dropped right of the last column: the column goes to the end.
    window.deck.load_all_first_pages()
    last = window.deck.columns[window.deck.ordered_ids()[-1]]
    x = last.geometry().right() + 2
    assert window.deck.drop_column(column_mime(by_name(window, b).spec.id), x)
    assert names(window)[-1] == b
    # ... and dropped left of the first: it goes first again, before c (once the
    # layout has moved c to the front: geometry follows on an event-loop turn).
    lefts = lambda: [col.geometry().left() for col in window.deck.columns.values()]  # noqa: E731
    qtbot.waitUntil(lambda: by_name(window, c).geometry().left() == min(lefts()))
    x = by_name(window, c).geometry().left() + 3
    assert window.deck.drop_column(column_mime(by_name(window, b).spec.id), x)
    assert names(window)[:3] == [b, c, a]
    # Something that is not a column is refused.
    assert not window.deck.drop_column(column_mime(999_999), x)
    expected = names(window)
    qtbot.waitUntil(lambda: saved_names(window) == expected)

    # Restart: the deck opens in the saved order.
    window.close()
    again = window_on()
    assert names(again) == expected


def test_a_dropped_header_goes_where_the_drop_marker_shows(qtbot, window_on):
    window = window_on(seed=[make_post(1, "A1 hello #jam")])
    order = names(window)
    moving = by_name(window, order[0])
    # Between the second and the third column (past the second's centre).
    second, third = by_name(window, order[1]), by_name(window, order[2])
    x = (second.geometry().right() + third.geometry().left()) // 2
    window.deck._show_drop_marker(moving.spec.id, x)
    marker = window.deck.drop_marker.geometry()
    assert second.geometry().right() < marker.center().x() < third.geometry().left() + 1
    assert window.deck.drop_column(column_mime(moving.spec.id), x)
    assert names(window)[:3] == [order[1], order[0], order[2]]
    assert window.deck.drop_marker.isHidden()


# ------------------------------------------------------------------ liking


def jam_posts():
    return [
        make_post(0, "Q1 What makes a community feel like yours? #jam", handle="host"),
        make_post(1, "A1 When my feedback visibly changes the product #jam", handle="alice"),
        make_post(2, "A1: being asked before, not after #jam", handle="bob"),
    ]


def all_column(window: MainWindow):
    return window.deck.columns[window.deck.ordered_ids()[0]]


def row_of(window: MainWindow, handle: str) -> int:
    model = all_column(window).model
    return next(r for r in range(model.rowCount()) if model.view_at(r).author_handle == handle)


def shown(window: MainWindow, handle: str):
    return all_column(window).model.view_at(row_of(window, handle))


def test_like_by_key_and_unlike_by_the_heart_show_at_once_and_call_the_source(qtbot, window_on):
    fake = FakeSource("x")
    window = window_on(seed=jam_posts(), sources={"x": fake})
    column = all_column(window)
    qtbot.waitUntil(lambda: column.model.rowCount() == 3)
    alice = shown(window, "alice")
    assert not alice.liked_by_me
    seen = []
    window.actions.action_changed.connect(
        lambda a: seen.append((a.kind, a.state, shown(window, "alice").liked_by_me))
    )

    column.view.setFocus()
    column.select_row(row_of(window, "alice"))
    window.deck.current_id = column.spec.id
    with qtbot.waitSignal(
        window.actions.action_changed,
        check_params_cb=lambda a: a.kind == "like" and a.state is ActionState.DONE,
    ):
        qtbot.keyClick(column.view, Qt.Key.Key_F)
    # The heart filled as soon as the like was recorded, before the network answered.
    assert seen[0] == ("like", ActionState.QUEUED, True)
    assert fake.calls == [("like", alice.network_id)]
    assert shown(window, "alice").liked_by_me

    # One click on the post's heart undoes it.
    index = column.model.index(row_of(window, "alice"))
    rects = window.deck.delegate.action_rects(column.view.visualRect(index))
    assert set(rects) == {"retweet", "like", "collect", "reply", "open"}
    assert rects["retweet"].right() < rects["like"].left()  # next to retweet
    with qtbot.waitSignal(
        window.actions.action_changed,
        check_params_cb=lambda a: a.kind == "unlike" and a.state is ActionState.DONE,
    ):
        qtbot.mouseClick(
            column.view.viewport(), Qt.MouseButton.LeftButton, pos=rects["like"].center()
        )
    assert ("unlike", ActionState.QUEUED, False) in seen
    assert fake.calls == [("like", alice.network_id), ("unlike", alice.network_id)]
    assert not shown(window, "alice").liked_by_me
    assert not fake.remote_ids or fake.remote_ids.get(alice.network_id) is None


def test_the_keys_overlay_lists_the_like_key(qtbot, window_on):
    assert ("f", "like it (again: undo the like)") in KEYS_HELP
    window = window_on(seed=jam_posts())
    window.toggle_keys()
    assert window.keys_overlay.isVisible()
    texts = " ".join(
        label.text() for label in window.keys_overlay.findChildren(type(window.session_title))
    )
    assert "like it" in texts


# ------------------------------------------------------------------ read position


def many_posts(n: int = 80):
    return [make_post(i, f"A1 answer number {i} with some words to wrap #jam") for i in range(n)]


def test_the_read_position_is_saved_on_close_and_restored_on_open(qtbot, window_on):
    window = window_on(seed=many_posts(260))
    everything = by_name(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() >= 200)
    window.deck.load_all_first_pages()
    assert everything.at_top()
    # Scroll "All" far down: past the first page a column loads when it opens.
    assert everything.model.load_through(everything.model.post_id(0) - 230) == 230
    everything.view.lay_out_now()
    everything.view.scrollTo(everything.model.index(230), everything.view.ScrollHint.PositionAtTop)
    qtbot.waitUntil(lambda: not everything.at_top())
    top = everything.top_post_id()
    assert top == everything.model.post_id(230)
    column_id = everything.spec.id
    window.close()

    again = window_on()
    restored = again.deck.columns[column_id]
    qtbot.waitUntil(lambda: restored.top_post_id() == top)
    assert not restored.at_top()
    # The other columns were read at the top: they open on the newest post again.
    others = [w for c, w in again.deck.columns.items() if c != column_id and w.model.rowCount()]
    assert others and all(w.at_top() for w in others)
    options = {c.id: c.options for c in saved_columns.list_columns(again.conn, again.session.id)}
    assert options[column_id]["read_position"] == top
    assert all(options[w.spec.id].get("read_position") is None for w in others)


def test_switching_sessions_saves_the_read_position_too(qtbot, window_on):
    window = window_on(seed=many_posts())
    create_jam_session(window, "other")
    everything = by_name(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == 80)
    window.deck.load_all_first_pages()
    everything.view.scrollTo(everything.model.index(20), everything.view.ScrollHint.PositionAtTop)
    qtbot.waitUntil(lambda: not everything.at_top())
    top, column_id = everything.top_post_id(), everything.spec.id
    jam_id = window.session.id

    window.open_session("other")

    def saved_position():
        columns = saved_columns.list_columns(window.conn, jam_id)
        return next(c.options.get("read_position") for c in columns if c.id == column_id)

    qtbot.waitUntil(lambda: saved_position() == top)
    window.open_session("jam")
    qtbot.waitUntil(lambda: window.deck.columns[column_id].top_post_id() == top)
