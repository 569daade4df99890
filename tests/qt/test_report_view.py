"""The Report view: opened from the window's menu during a replay, it follows the
jam as posts are committed, and its tables open the matching columns."""

from __future__ import annotations

import os
from pathlib import Path

from desktop.app.demo import demo_archive_path
from desktop.store import library


def demo_posts() -> int:
    """Posts in the demo archive (every line after its header is one)."""
    return len(demo_archive_path().read_text(encoding="utf-8").splitlines()) - 1


def test_the_report_view_updates_during_a_replay(qtbot, make_window):
    window = make_window()
    window.show()
    qtbot.waitExposed(window)
    # About 2 s of replay: the report is opened while the jam is still coming in.
    window.start_demo(speed=3000)
    view = window.menu.on_report()
    view.timer.setInterval(50)  # follow every batch closely (the window's is 1 s)
    with qtbot.waitSignal(view.updated, timeout=20_000) as first:
        pass
    assert first.args[0]["posts"] < demo_posts(), "the replay ended before the report opened"
    total = demo_posts()
    qtbot.waitUntil(lambda: view.document["posts"] == total, timeout=60_000)
    assert view.builds >= 2
    document = view.document
    assert sum(m["posts"] for m in document["volume"]) == total
    # The questions table shows what the q:N columns hold.
    session_id = window.session.id
    for row, q in enumerate(document["questions"]):
        assert view.questions.item(row, 2).text() == f"{q['posts']:,}"
        assert q["posts"] == library.count_matching(
            window.conn, session_id, "sp.question IS ?", [q["number"]]
        )
    if shots := os.environ.get("JAMDECK_SHOTS"):  # for the README's picture
        view.resize(1000, 1250)
        view.grab().save(str(Path(shots) / "report_view.png"))

    # Clicking a question focuses its column; clicking a person opens a column of theirs.
    columns_before = len(window.deck.columns)
    view.questions.cellClicked.emit(2, 1)
    number = document["questions"][2]["number"]
    assert window.deck.column_for_question(number) is not None
    handle = document["top_participants"][0]["handle"]
    view.people.cellClicked.emit(0, 0)
    qtbot.waitUntil(lambda: len(window.deck.columns) > columns_before)
    assert any(w.spec.filter == f"from:{handle}" for w in window.deck.columns.values())


def test_post_text_is_plain_text_in_the_report_view(qtbot, make_window):
    window = make_window()
    window.start_demo(speed=0)
    view = window.menu.on_report()
    qtbot.waitUntil(
        lambda: view.document is not None and view.document["posts"] > 0, timeout=30_000
    )
    from PySide6.QtCore import Qt

    for label in (view.title, view.facts, view.stats, view.links):
        assert label.textFormat() == Qt.TextFormat.PlainText
