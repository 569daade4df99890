"""The compiled Python predicate: what live columns show."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from desktop.core.post import Author, Kind, Media, Metrics, Network, Post
from desktop.core.record import PostRecord
from filters import FilterError, compile_predicate, explain
from tests.fakes.records import record_for

MIDNIGHT = datetime(2024, 5, 1, tzinfo=UTC).timestamp()


def record(text: str = "", **changes) -> PostRecord:
    post = Post(
        network=changes.pop("network", Network.X),
        id="1",
        author=Author(id="a", handle=changes.pop("handle", "alice")),
        text=text,
        created_at=datetime.fromtimestamp(changes.pop("at", MIDNIGHT), UTC),
        kind=changes.pop("kind", Kind.ORIGINAL),
        lang=changes.pop("lang", None),
        hashtags=tuple(changes.pop("tags", ())),
        mentions=tuple(changes.pop("mentions", ())),
        media=tuple(changes.pop("media", ())),
        reply_to_id="9" if changes.get("reply") else None,
        reply_to_handle=changes.pop("reply", None),
        quoted_id=changes.pop("quoted", None),
        metrics=changes.pop("metrics", Metrics()),
    )
    return dataclasses.replace(record_for(post), **changes)


def matches(expression: str, rec: PostRecord, *, now: float = MIDNIGHT) -> bool:
    return compile_predicate(expression, now=now)(rec)


def test_words_match_whole_tokens_ignoring_case_and_accents():
    rec = record("Best CAFÉ in town, socbizchat!")
    assert matches("cafe", rec) and matches("Café", rec) and matches("TOWN", rec)
    assert not matches("caf", rec)
    assert not matches("socbiz", rec)


def test_phrases_need_consecutive_tokens():
    rec = record("social, business and social media")
    assert matches('"social business"', rec)
    assert matches('"social media"', rec)
    assert not matches('"business social"', rec)
    assert not matches('"social and"', rec)


def test_hashtag_is_exact_and_comes_from_the_entities():
    rec = record("join #SocBizChat", tags=["SocBizChat"])
    assert matches("#socbizchat", rec)
    assert not matches("#socbiz", rec)
    assert not matches("#socbiz", record("#socbiz in text only"))


def test_handles_match_across_networks_unless_fully_qualified():
    masto = record("hi", handle="alice@mastodon.social", network=Network.MASTODON)
    bsky = record("hi", handle="alice.bsky.social", network=Network.BLUESKY)
    x = record("hi", handle="Alice")
    assert all(matches("from:alice", r) for r in (masto, bsky, x))
    assert matches("from:@alice@mastodon.social", masto)
    assert not matches("from:alice@mastodon.social", x)
    assert not matches("from:alice@other.social", masto)
    assert matches("@bob", record("hey", mentions=["bob@inst.social"]))
    assert matches("to:Bob", record("yes", reply="bob"))
    assert not matches("to:bob", record("yes"))


def test_kinds_attachments_counts_language_and_network():
    rt = record("x", kind=Kind.RETWEET)
    assert matches("is:retweet", rt) and not matches("is:original", rt)
    assert matches("is:reply", record("x", reply="bob"))
    assert matches("is:quote", record("x", quoted="5", kind=Kind.QUOTE))
    assert matches("has:media", record("x", media=[Media("image")]))
    assert not matches("has:links", record("x"))
    rec = record("x", metrics=Metrics(retweets=3, likes=10, replies=0))
    assert matches("min_retweets:3 min_likes:10 min_replies:0", rec)
    assert not matches("min_retweets:4", rec)
    assert matches("lang:en", record("x", lang="en-GB")) and not matches(
        "lang:e", record("x", lang="en")
    )
    assert not matches("lang:en", record("x", lang=None)) and matches("-lang:en", record("x"))
    assert matches("source:bsky", record("x", network=Network.BLUESKY))


def test_jam_facts_and_own_actions():
    rec = record("A1 yes", question=1, is_host=True, is_collected=True)
    assert matches("q:1 is:host is:collected -is:question -is:retweeted_by_me", rec)
    assert not matches("question:2", rec)
    assert not matches("q:1", record("x"))


def test_time_bounds_since_inclusive_until_exclusive():
    at_midnight = record("x", at=MIDNIGHT)
    assert matches("since:2024-05-01", at_midnight)
    assert not matches("until:2024-05-01", at_midnight)
    assert matches("until:2024-05-01", record("x", at=MIDNIGHT - 1))
    now = MIDNIGHT + 600
    assert matches("since:-10m", at_midnight, now=now)
    assert not matches("since:-9m", at_midnight, now=now)
    assert matches("until:-9m", at_midnight, now=now)


def test_relative_times_are_fixed_when_compiled():
    predicate = compile_predicate("since:-1h", now=MIDNIGHT + 3600)
    assert predicate(record("x", at=MIDNIGHT))
    assert not compile_predicate("since:-1h", now=MIDNIGHT + 3601)(record("x", at=MIDNIGHT))


def test_regex_is_case_sensitive_unless_i():
    rec = record("Q3: what next?")
    assert matches(r"regex:/^Q\d:/", rec)
    assert not matches(r"regex:/^q\d:/", rec)
    assert matches(r"regex:/^q\d:/i", rec)


def test_boolean_structure():
    rec = record("tea and cake")
    assert matches("tea (coffee OR cake)", rec)
    assert not matches("-(coffee OR cake)", rec)
    assert matches("coffee OR tea -biscuit", rec)
    assert matches("", rec)


def test_predicates_return_real_booleans():
    assert compile_predicate("is:reply", now=0)(record("x", reply="bob")) is True
    assert compile_predicate("is:reply OR cafe", now=0)(record("x")) is False


def test_invalid_text_raises_filter_error():
    with pytest.raises(FilterError):
        compile_predicate("from:")


def test_explain_says_what_the_filter_does():
    assert explain("café -is:retweet from:@alice") == (
        "posts that contain \u201ccafé\u201d, are not retweets and are from @alice"
    )
    assert explain("") == "all posts"
    assert explain("#q1 OR #a1") == "posts that either have the hashtag #q1 or have the hashtag #a1"
    assert explain("since:-10m") == "posts that were posted in the last 10 minutes"
