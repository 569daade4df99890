"""Issue 21.1: a column sorts by engagement (likes, retweets, replies) as well as by time."""

from __future__ import annotations

from desktop.store import columns as saved_columns
from tests.fakes.posts import make_post
from tests.qt.conftest import ingest


def by_name(window, name: str):
    return next(w for w in window.deck.columns.values() if w.spec.name == name)


def texts(column) -> list[str]:
    model = column.model
    return [model.view_at(r).text for r in range(model.rowCount())]


def sort_action(column, text: str):
    sort = next(a for a in column.menu_button.menu().actions() if a.text() == "Sort")
    return next(a for a in sort.menu().actions() if a.text() == text)


POSTS = [
    make_post(1, "quiet", likes=1),
    make_post(2, "loved", likes=9),
    make_post(3, "unliked", likes=0),
    make_post(4, "liked", likes=4),
]


def test_a_column_sorted_by_engagement_shows_the_most_liked_first_and_resorts_live(
    qtbot, jam_window
):
    window = jam_window(POSTS)
    everything = by_name(window, "All")
    assert texts(everything) == ["liked", "unliked", "loved", "quiet"]
    assert sort_action(everything, "Newest first").isChecked()

    sort_action(everything, "Most engaged first").trigger()
    assert texts(everything) == ["loved", "liked", "quiet", "unliked"]
    assert sort_action(everything, "Most engaged first").isChecked()
    assert everything.subtitle.text() == "every post · most engaged first"

    # Likes rise: the post moves up, live.
    ingest(window, window.session.id, [make_post(1, "quiet", likes=20)])
    qtbot.waitUntil(lambda: texts(everything)[0] == "quiet")
    assert texts(everything) == ["quiet", "loved", "liked", "unliked"]
    # A new post goes where it ranks, not on top.
    ingest(window, window.session.id, [make_post(5, "fresh", likes=2)])
    qtbot.waitUntil(lambda: "fresh" in texts(everything))
    assert texts(everything) == ["quiet", "loved", "liked", "fresh", "unliked"]

    # Ordinary columns are unchanged: newest first, new posts on top.
    others = by_name(window, "No retweets")
    assert texts(others) == ["fresh", "liked", "unliked", "loved", "quiet"]

    # The choice is saved, and the column opens sorted so after a restart.
    column_id = everything.spec.id
    session_id = window.session.id

    def saved_sort():
        saved = saved_columns.list_columns(window.conn, session_id)
        return next(c for c in saved if c.id == column_id).options.get("sort")

    qtbot.waitUntil(lambda: saved_sort() == "engagement")
    window.close()
    again = jam_window()
    reopened = by_name(again, "All")
    assert texts(reopened) == ["quiet", "loved", "liked", "fresh", "unliked"]
    assert sort_action(reopened, "Most engaged first").isChecked()
    assert texts(by_name(again, "No retweets"))[0] == "fresh"

    # And back to newest first.
    sort_action(reopened, "Newest first").trigger()
    assert texts(reopened) == ["fresh", "liked", "unliked", "loved", "quiet"]


def test_top_answers_is_most_engaged_first_in_a_new_session(qtbot, jam_window):
    window = jam_window([*POSTS, make_post(6, "older but loved", minutes=0.5, likes=30)])
    top = by_name(window, "Top answers")
    assert texts(top) == ["older but loved", "loved", "liked"]
    assert sort_action(top, "Most engaged first").isChecked()
