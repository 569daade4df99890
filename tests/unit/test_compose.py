"""Answering: label and hashtag added once, lengths as each network counts, drafts."""

from __future__ import annotations

import pytest

from desktop.core.compose import (
    clear_draft,
    compose_answer,
    grapheme_count,
    graphemes,
    length,
    load_draft,
    save_draft,
)
from desktop.store import library
from desktop.store.db import open_library
from desktop.store.writer import StoreWriter

FAMILY = "\U0001f469\u200d\U0001f469\u200d\U0001f467\u200d\U0001f466"  # 👩‍👩‍👧‍👦
FLAG_FR = "\U0001f1eb\U0001f1f7"
THUMB_DARK = "\U0001f44d\U0001f3fd"
RAINBOW_FLAG = "\U0001f3f3\ufe0f\u200d\U0001f308"


@pytest.mark.parametrize("network", ["x", "mastodon", "bluesky"])
def test_label_and_hashtag_are_added_once(network):
    once = compose_answer("community first", question=3, hashtag="jamdeckdemo", network=network)
    assert once == "A3: community first #jamdeckdemo"
    assert compose_answer(once, question=3, hashtag="#jamdeckdemo", network=network) == once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Already labelled (any form jam detection reads): no second label.
        ("A2: yes", "A2: yes #jamdeckdemo"),
        ("yes, every sprint #a3", "yes, every sprint #a3 #jamdeckdemo"),
        ("Ａ３：はい", "Ａ３：はい #jamdeckdemo"),
        # The hashtag already there, in another case: not twice.
        ("A3 listen first #JamDeckDemo", "A3 listen first #JamDeckDemo"),
        # A longer tag that starts the same is not the jam's tag.
        ("listen #jamdeckdemo2", "A3: listen #jamdeckdemo2 #jamdeckdemo"),
        # A reply keeps its mentions first.
        ("@mira_builds listen first", "@mira_builds A3: listen first #jamdeckdemo"),
        ("@alice@example.social listen", "@alice@example.social A3: listen #jamdeckdemo"),
    ],
)
def test_compose_answer_respects_what_is_there(text, expected):
    assert compose_answer(text, question=3, hashtag="jamdeckdemo", network="x") == expected


def test_no_question_no_label_and_no_hashtag_no_tag():
    assert (
        compose_answer("hello all", question=None, hashtag="jamdeckdemo", network="x")
        == "hello all #jamdeckdemo"
    )
    assert compose_answer("  A1 hi ", question=1, hashtag="", network="mastodon") == "A1 hi"
    with pytest.raises(ValueError):
        compose_answer("x", question=1, hashtag="t", network="myspace")


def test_x_counts_urls_as_23_whatever_their_length():
    long_url = "https://example.com/" + "a" * 80
    assert length(f"read {long_url}", "x") == (5 + 23, 280)
    assert length("read example.com/path.", "x") == (5 + 23 + 1, 280)  # no scheme is a URL on X too
    assert length("a" * 280, "x") == (280, 280)


def test_x_weighs_cjk_and_emoji_double_and_latin_single():
    assert length("日本語のテキスト", "x")[0] == 16
    assert length("한국어", "x")[0] == 6
    assert length("café naïve Ελλάδα русский", "x")[0] == 25
    assert length("\u201cquoted\u201d", "x")[0] == 8  # curly quotes are in the light range
    assert length(FAMILY, "x")[0] == 2  # one emoji sequence weighs 2, not 7 code points
    assert length(f"ok {THUMB_DARK}{FLAG_FR}", "x")[0] == 3 + 2 + 2
    # 140 CJK characters fill a post.
    assert length("字" * 140, "x")[0] == 280


def test_mastodon_counts_urls_as_23_and_remote_mentions_as_local():
    assert length("hi @bob@mastodon.social", "mastodon") == (len("hi @bob"), 500)
    assert length("see https://example.com/" + "x" * 60, "mastodon")[0] == 4 + 23
    assert length("x", "mastodon", limit=11000) == (1, 11000)  # the instance's own limit
    assert length(FAMILY + " hi", "mastodon")[0] == 4


@pytest.mark.parametrize(
    ("text", "x", "mastodon"),
    [
        ("see https://t.co/abc.", 4 + 23 + 1, 4 + 23 + 1),  # the full stop is not in the URL
        ("(https://example.com/x)", 1 + 23 + 1, 1 + 23 + 1),
        ("HTTPS://EXAMPLE.COM/" + "X" * 40, 23, 23),
        ('"https://a.example/x"', 1 + 23 + 1, 1 + 23 + 1),
        # Glued to an address or a word it is no URL: every character counts.
        ("me@https://a.example", 20, 20),
        ("xhttps://a.example", 18, 18),
    ],
)
def test_urls_are_counted_without_the_punctuation_around_them(text, x, mastodon):
    assert length(text, "x")[0] == x
    assert length(text, "mastodon")[0] == mastodon


def test_bluesky_counts_graphemes():
    assert length(FAMILY, "bluesky") == (1, 300)
    assert length(f"{FLAG_FR}{THUMB_DARK}{RAINBOW_FLAG}", "bluesky")[0] == 3
    assert length("e\u0301", "bluesky")[0] == 1  # e + combining acute
    assert length("\u1100\u1161\u11a8", "bluesky")[0] == 1  # Hangul jamo: one syllable
    assert length("https://example.com/long/link", "bluesky")[0] == 29  # links are not shortened
    assert grapheme_count("\r\n") == 1
    assert graphemes("a" + FLAG_FR + FLAG_FR) == ["a", FLAG_FR, FLAG_FR]


def test_drafts_survive_closing_the_library(tmp_path):
    db = tmp_path / "library.db"
    writer = StoreWriter(db, threaded=False)
    sid = writer.call(lambda ctx: library.create_session(ctx.conn, "jam"))
    writer.call(lambda ctx: save_draft(ctx.conn, sid, "A3: half an answ", None, now=1.0))
    writer.call(lambda ctx: save_draft(ctx.conn, sid, "A3: half an answer", 42, now=2.0))
    writer.close()  # the app crashed after the last debounced save

    conn = open_library(db)
    try:
        draft = load_draft(conn, sid)
        assert (draft.text, draft.reply_to, draft.updated_at) == ("A3: half an answer", 42, 2.0)
    finally:
        conn.close()

    writer = StoreWriter(db, threaded=False)
    try:
        writer.call(lambda ctx: clear_draft(ctx.conn, sid))
        assert writer.call(lambda ctx: load_draft(ctx.conn, sid)) is None
    finally:
        writer.close()
