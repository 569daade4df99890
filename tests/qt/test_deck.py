"""The real window, driven as a user would: live columns, pausing, keys, the editor."""

from __future__ import annotations

import json

from PySide6.QtCore import QEvent, QModelIndex, QPoint, QPointF, Qt
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QApplication, QDialogButtonBox

from desktop.core.post import Kind
from desktop.sources.replay import ReplaySource
from desktop.store import library
from desktop.ui.column_model import ColumnModel, PostRole
from desktop.ui.filter_editor import FilterEditor
from desktop.ui.post_delegate import display_text, safe_url
from tests.fakes.posts import make_post
from tests.qt.conftest import create_jam_session, ingest


def column(window, name):
    for widget in window.deck.columns.values():
        if widget.spec.name == name:
            return widget
    raise KeyError(name)


def opened_window(make_window, **kw):
    window = make_window(**kw)
    session_id = create_jam_session(window)
    window.open_session("jam")
    window.show()
    return window, session_id


def hover(widget, inside: bool) -> None:
    view = widget.view
    if inside:
        QApplication.sendEvent(view, QEnterEvent(QPointF(10, 10), QPointF(10, 10), QPointF(10, 10)))
    else:
        QApplication.sendEvent(view, QEvent(QEvent.Type.Leave))


# ------------------------------------------------------------------ live columns


def test_columns_fill_live_from_committed_batches(qtbot, make_window):
    window, session_id = opened_window(make_window)
    everything, hosts, no_rts = (
        column(window, "All"),
        column(window, "Host & questions"),
        column(window, "No retweets"),
    )
    assert everything.model.rowCount() == 0

    ingest(
        window,
        session_id,
        [
            make_post(1, "Q1 What brought you here? #jam", handle="host"),
            make_post(2, "A1 the people #jam", handle="alice"),
            make_post(
                3,
                "RT @alice: A1 the people #jam",
                handle="bob",
                kind=Kind.RETWEET,
                retweeted_id="1002",
            ),
        ],
    )
    qtbot.waitUntil(lambda: everything.model.rowCount() == 3)
    # Columns take a batch one event-loop turn after another: wait for each.
    qtbot.waitUntil(lambda: hosts.model.rowCount() == 1)
    qtbot.waitUntil(lambda: no_rts.model.rowCount() == 2)
    # Newest first, and what a row shows comes from the committed store.
    assert everything.model.data(everything.model.index(0)).startswith("@bob: RT @alice")

    ingest(window, session_id, [make_post(4, "A1 late but here #jam", handle="carol")])
    qtbot.waitUntil(lambda: everything.model.rowCount() == 4)
    assert everything.model.index(0).data(PostRole).author_handle == "carol"
    # The question strip counts answers (the question post itself is not an answer).
    qtbot.waitUntil(lambda: window.questions.count_text(1) == "Q1 · 3")
    # A per-question column appeared with the question and holds its answers.
    qtbot.waitUntil(lambda: window.deck.column_for_question(1) is not None)
    q1 = window.deck.columns[window.deck.column_for_question(1)]
    # "q:1 -is:retweet": the question, alice and carol
    qtbot.waitUntil(lambda: q1.model.rowCount() == 3)
    qtbot.waitUntil(lambda: window.count_label.text() == "4 posts")


def test_replaying_an_x_v2_archive_fills_the_deck(qtbot, make_window, tmp_path):
    window, session_id = opened_window(make_window)
    lines = []
    for n in range(40):
        text = f"A{1 + n % 3}: answer number {n} #jam" if n else "Q1 Tell us about you #jam"
        handle = "host" if n == 0 else f"user{n % 7}"
        lines.append(
            {
                "data": {
                    "id": str(5000 + n),
                    "text": text,
                    "author_id": f"u{handle}",
                    "lang": "en",
                    "created_at": f"2026-03-12T18:{n:02d}:00.000Z",
                    "entities": {
                        "hashtags": [{"start": len(text) - 4, "end": len(text), "tag": "jam"}]
                    },
                },
                "includes": {
                    "users": [{"id": f"u{handle}", "name": handle.title(), "username": handle}]
                },
                "matching_rules": [{"id": "1", "tag": "#jam"}],
            }
        )
    lines.insert(7, "this line is not JSON")
    archive = tmp_path / "jam.jsonl"
    archive.write_text("\n".join(x if isinstance(x, str) else json.dumps(x) for x in lines) + "\n")

    runner = window.play_source(ReplaySource([archive], speed=0))
    label = lambda: window.live_status.line(runner.sources[0].name)  # noqa: E731
    qtbot.waitUntil(lambda: "finished" in label(), timeout=10_000)
    everything = column(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == 40)
    qtbot.waitUntil(lambda: column(window, "Host & questions").model.rowCount() == 1)
    assert library.get_session(window.conn, session_id).posts == 40
    assert runner.sink.counts.skipped and runner.sink.counts.skipped[0][0].endswith("jam.jsonl:8")


# ------------------------------------------------------------------ reading during a jam


def test_pause_on_hover_holds_new_posts_behind_a_bar(qtbot, make_window):
    window, session_id = opened_window(make_window)
    everything = column(window, "All")
    ingest(window, session_id, [make_post(1, "first #jam")])
    qtbot.waitUntil(lambda: everything.model.rowCount() == 1)

    hover(everything, True)
    ingest(window, session_id, [make_post(n, f"post {n} #jam") for n in (2, 3, 4)])
    qtbot.waitUntil(lambda: everything.new_count() == 3)
    assert everything.model.rowCount() == 1  # the column did not move under the pointer
    assert everything.new_bar.isVisible()
    assert everything.new_bar.text() == "3 new posts"
    # other columns kept going
    qtbot.waitUntil(lambda: column(window, "No retweets").model.rowCount() == 4)

    hover(everything, False)
    assert everything.model.rowCount() == 4
    assert not everything.new_bar.isVisible()
    assert everything.model.index(0).data(PostRole).text == "post 4 #jam"


def test_clicking_the_new_posts_bar_lets_them_in(qtbot, make_window):
    window, session_id = opened_window(make_window)
    everything = column(window, "All")
    everything.pause_button.setChecked(True)
    ingest(window, session_id, [make_post(n, f"post {n}") for n in (1, 2)])
    qtbot.waitUntil(lambda: everything.new_count() == 2)
    assert everything.model.rowCount() == 0
    assert everything.hold_badge.text() == "Held · 2 new"
    assert everything.unread_label.isHidden()  # counted once, on the hold badge
    qtbot.mouseClick(everything.new_bar, Qt.MouseButton.LeftButton)
    assert everything.model.rowCount() == 2
    assert not everything.pause_button.isChecked()


def test_slow_mode_lets_posts_in_a_few_at_a_time(qtbot, make_window):
    window, session_id = opened_window(make_window)
    everything = column(window, "All")
    everything.set_slow_mode(20)
    ingest(window, session_id, [make_post(n, f"post {n}") for n in range(1, 7)])
    qtbot.waitUntil(lambda: everything.new_count() + everything.model.rowCount() == 6)
    assert everything.model.rowCount() < 6  # not all at once
    qtbot.waitUntil(lambda: everything.model.rowCount() == 6, timeout=3000)
    # Oldest first: the newest post arrives last and sits on top.
    assert everything.model.index(0).data(PostRole).text == "post 6"


def test_keyboard_moves_through_posts_and_columns(qtbot, make_window):
    window, session_id = opened_window(make_window)
    ingest(
        window,
        session_id,
        [make_post(n, f"post {n}", handle="host" if n == 1 else "ann") for n in range(1, 6)],
    )
    everything = column(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == 5)
    # The host's column gets its row a turn later (columns fill one per turn).
    qtbot.waitUntil(lambda: column(window, "Host & questions").model.rowCount() == 1)
    window.deck.focus_column(everything.spec.id, select=False)

    qtbot.keyClick(everything.view, Qt.Key.Key_J)
    assert everything.view.currentIndex().row() == 0
    qtbot.keyClick(everything.view, Qt.Key.Key_J)
    qtbot.keyClick(everything.view, Qt.Key.Key_J)
    assert everything.view.currentIndex().row() == 2
    qtbot.keyClick(everything.view, Qt.Key.Key_K)
    assert everything.view.currentIndex().row() == 1
    assert window.deck.selected_post() == everything.model.post_id(1)

    qtbot.keyClick(everything.view, Qt.Key.Key_L)
    hosts = column(window, "Host & questions")
    assert window.deck.current() is hosts
    assert hosts.view.currentIndex().isValid()
    qtbot.keyClick(hosts.view, Qt.Key.Key_H)
    assert window.deck.current() is everything

    with qtbot.waitSignal(window.retweet_requested) as retweet:
        qtbot.keyClick(everything.view, Qt.Key.Key_R)
    assert retweet.args == [everything.model.post_id(1)]
    qtbot.keyClick(everything.view, Qt.Key.Key_Question)
    assert window.keys_overlay.isVisible()


def test_number_key_assigns_the_selected_post_to_a_question(qtbot, make_window):
    window, session_id = opened_window(make_window)
    ingest(window, session_id, [make_post(1, "no label here", handle="ann")])
    everything = column(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == 1)
    everything.select_row(0)
    window.deck.current_id = everything.spec.id
    qtbot.keyClick(everything.view, Qt.Key.Key_3)
    qtbot.waitUntil(lambda: everything.model.index(0).data(PostRole).question == 3)
    assert everything.model.index(0).data(PostRole).question_source == "manual"


def test_hover_actions_emit_and_open_only_http_links(qtbot, make_window):
    window, session_id = opened_window(make_window)
    ingest(window, session_id, [make_post(1, "see this #jam", handle="ann")])
    everything = column(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == 1)
    rect = everything.view.visualRect(everything.model.index(0))
    actions = window.deck.delegate.action_rects(rect)
    with qtbot.waitSignal(window.collect_requested) as collected:
        qtbot.mouseClick(
            everything.view.viewport(), Qt.MouseButton.LeftButton, pos=actions["collect"].center()
        )
    assert collected.args == [everything.model.post_id(0)]
    qtbot.mouseClick(
        everything.view.viewport(), Qt.MouseButton.LeftButton, pos=actions["open"].center()
    )
    assert window.opened_urls == ["https://x.com/ann/status/1001"]
    window.post_actions.on_open_requested("javascript:alert(1)")
    window.post_actions.on_open_requested("file:///etc/passwd")
    assert window.opened_urls == ["https://x.com/ann/status/1001"]
    assert safe_url("HTTPS://example.com/a") is not None


def test_post_text_stays_plain_text(qtbot, make_window):
    window, session_id = opened_window(make_window)
    hostile = "<b>bold</b> <img src=x onerror=alert(1)> &amp; #jam"
    ingest(window, session_id, [make_post(1, hostile, handle="mallory")])
    everything = column(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == 1)
    view = everything.model.index(0).data(PostRole)
    shown, spans = display_text(view)
    assert shown == hostile  # shown character for character, never interpreted
    assert [s.kind for s in spans] == ["tag"]
    window.grab()  # paints it (a rich-text path would log or render markup)


def test_search_opens_a_temporary_column(qtbot, make_window):
    window, session_id = opened_window(make_window)
    ingest(
        window,
        session_id,
        [
            make_post(1, "pricing is hard"),
            make_post(2, "community first"),
            make_post(3, "Pricing, again"),
        ],
    )
    qtbot.waitUntil(lambda: column(window, "All").model.rowCount() == 3)
    window.search.setText("pricing")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    found = column(window, "Search: pricing")
    assert window.deck.ordered_ids()[0] == found.spec.id
    assert found.model.rowCount() == 2
    # It stays live.
    ingest(window, session_id, [make_post(4, "more pricing talk")])
    qtbot.waitUntil(lambda: found.model.rowCount() == 3)

    window.search.setText("from:")
    qtbot.keyClick(window.search, Qt.Key.Key_Return)
    assert "handle" in window.search_error.text()


# ------------------------------------------------------------------ the editor and models


def test_filter_editor_shows_the_error_position_while_typing(qtbot, make_window):
    window, session_id = opened_window(make_window)
    ingest(
        window,
        session_id,
        [make_post(1, "hello", handle="alice"), make_post(2, "hi", handle="bob")],
    )
    editor = FilterEditor(window.conn, session_id, name="Mine", expression="", debounce_ms=10)
    qtbot.addWidget(editor)
    ok = editor.buttons.button(QDialogButtonBox.StandardButton.Ok)

    editor.filter_edit.setText("from:alice (")
    assert not editor.valid
    assert not ok.isEnabled()
    assert not editor.error_label.isHidden()
    message, expression, caret = editor.error_label.text().rsplit("\n", 2)
    assert expression == "from:alice ("
    assert caret.index("^") == 12  # missing ")" at the end
    assert "column 13" in message

    editor.filter_edit.setText("from:alice")
    assert editor.valid and ok.isEnabled()
    assert editor.error_label.isHidden()
    assert "alice" in editor.explain_label.text()
    qtbot.waitUntil(lambda: editor.count_label.text() == "1 cached post match")


def test_column_model_passes_the_model_checker_and_pages(qtbot, qtmodeltester, make_window):
    window, session_id = opened_window(make_window)
    ingest(window, session_id, [make_post(n, f"post {n}", minutes=n / 10) for n in range(1, 451)])
    model = ColumnModel(window.conn, session_id, page_size=200, cache_size=240, fetch_window=60)
    assert model.rowCount() == 200
    qtmodeltester.check(model)
    while model.canFetchMore(QModelIndex()):
        model.fetchMore(QModelIndex())
    assert model.rowCount() == 450
    assert [model.post_id(r) for r in range(3)] == sorted(
        (model.post_id(r) for r in range(450)), reverse=True
    )[:3]
    for row in range(450):
        assert model.data(model.index(row)).endswith(f"post {450 - row}")
    assert model.cached_count() <= 240  # bounded
    assert model.queries < 450 / 20  # filled a window at a time, not a query per row
    qtmodeltester.check(model)
    live = ColumnModel(window.conn, session_id, "sp.is_host <> 0")
    live.prepend([(10_001, 1e10), (10_000, 1e10 - 1)])
    assert live.post_id(0) == 10_001
    qtmodeltester.check(live)


def test_rows_keep_their_place_while_reading_down(qtbot, make_window):
    window, session_id = opened_window(make_window, size=(1400, 700))
    ingest(window, session_id, [make_post(n, f"post {n} " + "words " * 20) for n in range(1, 60)])
    everything = column(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == 59)
    everything.view.doItemsLayout()
    everything.view.scrollTo(everything.model.index(20), everything.view.ScrollHint.PositionAtTop)
    top = everything.top_post_id()
    ingest(window, session_id, [make_post(n, f"new {n}") for n in range(60, 64)])
    qtbot.waitUntil(lambda: everything.model.rowCount() == 63)
    assert everything.top_post_id() == top  # what I was reading did not move
    assert everything.unread_label.text() == "4"
    everything.jump_to_newest()
    assert everything.view.indexAt(QPoint(4, 2)).row() == 0
    assert everything.unread_label.isHidden()


def test_a_post_re_received_with_more_likes_enters_top_answers_live(qtbot, make_window):
    """Issue 21.1: "Top answers" (min_likes:3) filled only after a restart."""
    window, session_id = opened_window(make_window)
    everything, top = column(window, "All"), column(window, "Top answers")
    ingest(window, session_id, [make_post(1, "A1: small steps #jam", likes=1)])
    qtbot.waitUntil(lambda: everything.model.rowCount() == 1)
    assert top.model.rowCount() == 0

    ingest(window, session_id, [make_post(1, "A1: small steps #jam", likes=7)])
    qtbot.waitUntil(lambda: top.model.rowCount() == 1)
    assert everything.model.rowCount() == 1  # the same post, not a second one

    # Counts can fall too (an unlike, a corrected count): it leaves again.
    ingest(window, session_id, [make_post(1, "A1: small steps #jam", likes=2)])
    qtbot.waitUntil(lambda: top.model.rowCount() == 0)


def test_a_column_the_user_adds_is_scrolled_into_view_and_focused(qtbot, make_window):
    """Issue 21.10: a new column landed off-screen, at the right of the deck."""
    window, _session_id = opened_window(make_window, size=(1000, 700))
    window.columns.add_saved_column("From alice", "from:alice")
    qtbot.waitUntil(lambda: any(w.spec.name == "From alice" for w in window.deck.columns.values()))
    added = column(window, "From alice")
    deck = window.deck

    def in_view() -> bool:
        left = added.mapTo(deck.viewport(), added.rect().topLeft()).x()
        return left >= 0 and left + added.width() <= deck.viewport().width()

    qtbot.waitUntil(lambda: deck.current() is added)
    qtbot.waitUntil(in_view)


def test_an_empty_column_says_what_it_waits_for(qtbot, make_window):
    """Issue 21.10: empty columns showed nothing at all."""
    window, session_id = opened_window(make_window)
    top = column(window, "Top answers")
    assert top.view.placeholder == (
        "Waiting for posts that are not retweets and have at least 3 likes."
    )
    assert column(window, "All").view.placeholder == "Waiting for the first post."
    with_words = top.view.viewport().grab().toImage()
    placeholder, top.view.placeholder = top.view.placeholder, ""
    assert top.view.viewport().grab().toImage() != with_words  # the words are painted
    top.view.placeholder = placeholder
    ingest(window, session_id, [make_post(1, "A1: yes #jam", likes=5)])
    qtbot.waitUntil(lambda: top.model.rowCount() == 1)


def test_a_finished_replay_gives_the_status_bar_back(qtbot, make_window, tmp_path):
    """Issue 21.9: the status bar stayed on "… finished" after the demo or an import."""
    window, _session_id = opened_window(make_window)
    window.live_status.linger_ms = 50
    archive = tmp_path / "tiny.jsonl"
    archive.write_text("this line is not JSON\n")
    play = window.play_source(ReplaySource([archive], speed=0))
    label = play.sources[0].name
    qtbot.waitUntil(lambda: "finished" in window.live_status.line(label), timeout=10_000)
    qtbot.waitUntil(lambda: label not in window.live_status.items, timeout=5_000)
    assert not window.live_status.isVisibleTo(window)
    assert window.no_sources.isVisibleTo(window)


def test_a_busy_column_is_laid_out_whole_when_posts_arrive(qtbot, make_window):
    """Seen in a demo jam under Xvfb: the busiest columns were blank for seconds at a
    time, laying their rows out a hundred per event-loop turn after every insert."""
    window, session_id = opened_window(make_window)
    everything = column(window, "All")
    ingest(window, session_id, [make_post(n, f"post {n} #jam", minutes=n / 10) for n in range(250)])
    qtbot.waitUntil(lambda: everything.model.rowCount() >= 200)
    with qtbot.waitSignal(window.deck.flushed):
        ingest(window, session_id, [make_post(999, "one more #jam", minutes=60)])
    model, view = everything.model, everything.view
    rects = [view.visualRect(model.index(r)) for r in range(model.rowCount())]
    assert all(rect.height() > 0 for rect in rects)  # every row has its place at once
    assert [r.top() for r in rects] == sorted(r.top() for r in rects)
