"""The compose box: label and hashtag added once, per-network counters, replies, drafts."""

from __future__ import annotations

import pytest

from desktop.core.normalize import Parsed
from desktop.store import library
from desktop.store.writer import StoreWriter
from desktop.ui import theme as themes
from desktop.ui.compose_box import ComposeBox
from tests.fakes.posts import make_post


@pytest.fixture
def db(tmp_path):
    return tmp_path / "library.db"


@pytest.fixture
def writer(db):
    w = StoreWriter(db)  # threaded, as in the app
    yield w
    w.close()


@pytest.fixture
def session(writer):
    sid = writer.call(
        lambda ctx: library.create_session(
            ctx.conn, "jam", hashtags=["JamDeckDemo"], hosts=["host"]
        )
    )
    result = writer.ingest(
        sid,
        Parsed(
            posts=[
                make_post(1, "Q1: What is a jam? #JamDeckDemo", handle="host"),
                make_post(2, "A1: a chat on a hashtag", handle="ann"),
            ]
        ),
    ).result()
    views = writer.call(
        lambda ctx: library.post_views(ctx.conn, sid, [r.rowid for r in result.added])
    )
    by_handle = {v.author_handle: v for v in views.values()}
    return sid, by_handle


@pytest.fixture
def make_box(qtbot, writer, session):
    def make(networks=("x", "mastodon", "bluesky"), question=3, **kwargs) -> ComposeBox:
        box = ComposeBox(writer, session[0], list(networks), lambda: question, **kwargs)
        qtbot.addWidget(box)
        box.resize(900, 150)
        return box

    return make


def test_the_label_and_the_hashtag_are_added_once_per_network(qtbot, make_box):
    box = make_box()
    box.editor.setPlainText("listen first")
    assert box.composed("x") == "A3: listen first #JamDeckDemo"
    box.editor.setPlainText("A3: listen first #jamdeckdemo")
    assert box.composed("mastodon") == "A3: listen first #jamdeckdemo"

    box.checks["mastodon"].setChecked(False)
    with qtbot.waitSignal(box.send_requested) as sent:
        assert box.send()
    assert sent.args == [
        {"x": "A3: listen first #jamdeckdemo", "bluesky": "A3: listen first #jamdeckdemo"},
        None,
    ]
    assert box.editor.toPlainText() == ""
    assert not box.send_button.isEnabled()  # nothing to send now


def test_a_reply_threads_on_the_posts_network_with_its_question(qtbot, make_box, session):
    sid, posts = session
    box = make_box(hashtags={"bluesky": "bskyjam"})
    box.set_reply_to(posts["host"])  # the host's Q1 post
    assert "Replying to @host on X" in box.reply_label.text()
    assert box.chosen_networks() == ["x"]  # a reply lives on its post's network
    box.editor.setPlainText("@host a chat on a hashtag")
    with qtbot.waitSignal(box.send_requested) as sent:
        box.send()
    assert sent.args == [{"x": "@host A1: a chat on a hashtag #JamDeckDemo"}, posts["host"].rowid]
    assert box.reply_to is None and box.chosen_networks() == ["x", "mastodon", "bluesky"]
    box.editor.setPlainText("hello")
    assert box.composed("bluesky") == "A3: hello #bskyjam"


def test_the_x_counter_shows_what_the_post_costs_before_sending(qtbot, make_box):
    box = make_box()
    box.editor.setPlainText("fakes over mocks")
    assert box.counters["x"].text().endswith("· $0.015")
    box.editor.setPlainText("notes at https://example.org/jam")  # X bills a URL at $0.20
    assert box.counters["x"].text().endswith("· $0.200")
    assert "$0.200" in box.counters["x"].toolTip()
    assert "$" not in box.counters["mastodon"].text() + box.counters["bluesky"].text()


def test_the_counter_turns_red_over_the_limit_and_send_is_off(qtbot, make_box):
    box = make_box(limits={"mastodon": 270})
    box.editor.setPlainText("x" * 260)  # + "A3: " and " #JamDeckDemo" = 277
    assert box.lengths() == {"x": (277, 280), "mastodon": (277, 270), "bluesky": (277, 300)}
    assert box.counters["mastodon"].property("over") is True
    assert themes.LIGHT.error in box.counters["mastodon"].styleSheet()
    assert box.counters["x"].property("over") is False
    assert box.counters["x"].text() == "277/280 · $0.015"
    assert not box.send_button.isEnabled()
    assert not box.send()

    box.checks["mastodon"].setChecked(False)
    assert box.send_button.isEnabled()
    box.editor.setPlainText("漢" * 140)  # X weighs CJK as 2
    assert box.lengths()["x"][0] > 280 and box.counters["x"].property("over") is True
    assert box.counters["bluesky"].property("over") is False


def test_the_draft_is_saved_and_restored_after_re_creating_the_box(qtbot, make_box, session):
    sid, posts = session
    box = make_box(draft_delay_ms=20)
    box.set_reply_to(posts["ann"])
    with qtbot.waitSignal(box.draft_saved):
        qtbot.keyClicks(box.editor, "half an answer")
    assert not box.draft_pending
    box.close()

    again = make_box()  # "after a crash": a new box for the same session
    assert again.editor.toPlainText() == "half an answer"
    assert again.reply_to is not None and again.reply_to.rowid == posts["ann"].rowid
    assert again.chosen_networks() == ["x"]

    with qtbot.waitSignal(again.draft_saved):
        again.send()
    assert make_box().editor.toPlainText() == ""  # sent: the draft is gone


def test_only_networks_with_accounts_are_offered(qtbot, make_box):
    box = make_box(networks=())
    assert box.checks == {} and box.no_accounts.isVisibleTo(box)
    box.editor.setPlainText("hello")
    assert not box.send_button.isEnabled()
    box.set_networks(["bluesky"])
    assert list(box.checks) == ["bluesky"] and box.send_button.isEnabled()
