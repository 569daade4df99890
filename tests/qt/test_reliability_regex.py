"""Issue 18.2 in the window: a catastrophic regex is an error while typing and in a
column, at once; a filter over its time budget says so in its column instead of hanging."""

from __future__ import annotations

import time

from PySide6.QtWidgets import QDialogButtonBox

from desktop.store import budget
from desktop.ui.filter_editor import FilterEditor
from tests.fakes.posts import make_post
from tests.qt.conftest import create_jam_session, ingest

HOSTILE = "a" * 30 + "!"


def opened(make_window):
    window = make_window()
    session_id = create_jam_session(window)
    ingest(window, session_id, [make_post(n, HOSTILE, minutes=n) for n in range(1, 40)])
    window.open_session("jam")
    window.show()
    return window, session_id


def column(window, name):
    return next(w for w in window.deck.columns.values() if w.spec.name == name)


def test_the_filter_editor_shows_the_error_while_typing(qtbot, make_window):
    window, session_id = opened(make_window)
    editor = FilterEditor(window.conn, session_id, name="Evil", expression="", debounce_ms=10)
    qtbot.addWidget(editor)
    ok = editor.buttons.button(QDialogButtonBox.StandardButton.Ok)
    started = time.perf_counter()
    editor.filter_edit.setText("regex:/(a+)+$/")
    assert time.perf_counter() - started < 2
    assert not editor.valid and not ok.isEnabled()
    message, expression, caret = editor.error_label.text().rsplit("\n", 2)
    assert "\n" in message  # a long message is wrapped, not cut off by the dialog's edge
    assert "exponential time (nested repetition" in message.replace("\n", " ")
    assert expression == "regex:/(a+)+$/"
    assert caret.index("^") == 6  # the pattern's opening slash
    assert editor.count_label.text() == ""  # nothing is counted

    editor.filter_edit.setText(r"regex:/^a+!$/")  # an ordinary one counts as before
    assert editor.valid and ok.isEnabled()
    qtbot.waitUntil(lambda: editor.count_label.text() == "39 cached posts match")
    editor.show()
    editor.filter_edit.setText("regex:/(a+)+$/")
    editor.grab().save("/tmp/regex_editor.png")


def test_a_column_with_the_pattern_says_why_at_once(qtbot, make_window):
    window, session_id = opened(make_window)
    started = time.perf_counter()
    window.columns.add_saved_column("Evil", "regex:/(a+)+$/")
    qtbot.waitUntil(lambda: any(w.spec.name == "Evil" for w in window.deck.columns.values()))
    assert time.perf_counter() - started < 2
    evil = column(window, "Evil")
    assert evil.subtitle.text().startswith("bad filter: regex at column 7 can take exponential")
    assert evil.model.rowCount() == 0
    # Live posts do not reach the refused pattern either (the router has no such column).
    started = time.perf_counter()
    ingest(window, session_id, [make_post(100, HOSTILE, minutes=100)])
    everything = column(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == 40)
    assert time.perf_counter() - started < 2
    assert evil.model.rowCount() == 0
    window.grab().save("/tmp/regex_column.png")


def test_a_column_over_its_time_budget_shows_the_error(qtbot, make_window, monkeypatch):
    window, session_id = opened(make_window)
    ingest(window, session_id, [make_post(n, "b" * 150, minutes=n) for n in range(100, 500)])
    monkeypatch.setattr(budget, "QUERY_BUDGET_S", 0.05)
    window.columns.add_saved_column("Slow", "regex:/.*.*x/")  # accepted, slow on 400 posts
    qtbot.waitUntil(lambda: any(w.spec.name == "Slow" for w in window.deck.columns.values()))
    slow = column(window, "Slow")
    assert slow.subtitle.text().startswith("the filter took longer than 0.05 s")
    assert slow.subtitle.property("error") is True
    assert slow.model.rowCount() == 0
    assert "took too long" in slow.view.placeholder
    window.grab().save("/tmp/regex_budget_column.png")
