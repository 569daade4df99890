"""X normalizers (API v2 and v1.1) on every recorded X payload of the fixtures."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from desktop.core.normalize import MalformedPayload, Parsed, x_v1, x_v2
from desktop.core.normalize.detect import normalize_document, normalize_line
from desktop.core.post import Kind, Network


def _lines(path):
    return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _parse_jsonl(path) -> Parsed:
    parsed = Parsed()
    for line in _lines(path):
        parsed.extend(normalize_line(line))
    return parsed


def _kinds(posts) -> dict[str, int]:
    return dict(Counter(post.kind.value for post in posts))


def _assert_sound(parsed: Parsed) -> None:
    """What every X post must be: aware UTC time, an author, a URL, its raw JSON, the right kind."""
    for post in parsed.posts + parsed.referenced:
        assert post.network is Network.X
        assert post.created_at.tzinfo is UTC
        assert post.raw and str(post.raw.get("id") or post.raw.get("id_str")) == post.id
        assert post.url.endswith(f"/status/{post.id}")
        if post.retweeted_id:
            assert post.kind is Kind.RETWEET
        elif post.quoted_id:
            assert post.kind is Kind.QUOTE
        elif post.reply_to_id:
            assert post.kind is Kind.REPLY
        else:
            assert post.kind is Kind.ORIGINAL


# --- twarc2 raw pages ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "kinds", "referenced"),
    [
        ("kpop.jsonl", 100, {"retweet": 78, "original": 22}, 21),
        ("brexit.jsonl", 100, {"retweet": 67, "quote": 11, "reply": 10, "original": 12}, 55),
        ("noflat.jsonl", 100, {"retweet": 47, "reply": 31, "quote": 8, "original": 14}, 64),
        ("cashtags.jsonl", 1, {"original": 1}, 0),
        ("edited.jsonl", 1, {"original": 1}, 1),
        ("edited_after.jsonl", 1, {"original": 1}, 1),
        ("edited_before.jsonl", 1, {"original": 1}, 1),
        ("many_urls.jsonl", 1, {"reply": 1}, 1),
        ("media_tweet.jsonl", 1, {"original": 1}, 0),
        ("mentions_tweet.jsonl", 1, {"retweet": 1}, 1),
        ("quoted_edit.jsonl", 1, {"quote": 1}, 2),
        ("two_tweets.jsonl", 1, {"retweet": 1}, 1),
        ("verified_type.jsonl", 1, {"original": 1}, 0),
    ],
)
def test_twarc2_pages_give_every_tweet_of_data(fixtures_dir, name, count, kinds, referenced):
    path = fixtures_dir / "x" / "twarc2" / name
    raw_ids = set()
    for line in _lines(path):
        raw_ids |= {tweet["id"] for tweet in json.loads(line)["data"]}
    parsed = _parse_jsonl(path)

    assert len(raw_ids) == count
    assert [post.id for post in parsed.posts] == sorted(
        raw_ids, key=[p.id for p in parsed.posts].index
    )
    assert {post.id for post in parsed.posts} == raw_ids
    assert _kinds(parsed.posts) == kinds
    assert len(parsed.referenced) == referenced
    assert not {post.id for post in parsed.referenced} & raw_ids
    assert all(post.author.handle for post in parsed.posts + parsed.referenced)
    _assert_sound(parsed)


def test_kpop_retweets_carry_the_originals_full_text(fixtures_dir):
    page = json.loads(_lines(fixtures_dir / "x" / "twarc2" / "kpop.jsonl")[0])
    originals = {t["id"]: t for t in page["includes"]["tweets"]}
    parsed = x_v2.normalize_page(page)
    retweets = [post for post in parsed.posts if post.kind is Kind.RETWEET]
    assert len(retweets) == 78
    for post in retweets:
        assert not post.text.startswith("RT @")
        original = originals.get(post.retweeted_id)
        if original is not None:
            assert post.text == original["text"].replace("&amp;", "&").replace("&lt;", "<").replace(
                "&gt;", ">"
            )
            assert post.retweeted_id in {p.id for p in parsed.referenced + parsed.posts}
    # Korean hashtags and text survive intact.
    korean = [post for post in retweets if "원호" in post.hashtags]
    assert korean and "#원호 의 #잇츠라이브" in korean[0].text


def test_retweet_without_original_strips_the_rt_prefix():
    tweet = {
        "id": "2",
        "text": "RT @someone: hello #jam",
        "author_id": "9",
        "created_at": "2021-04-01T15:52:31.000Z",
    }
    tweet["referenced_tweets"] = [{"type": "retweeted", "id": "1"}]
    post = x_v2.normalize_page(
        {"data": [tweet], "includes": {"users": [{"id": "9", "username": "me"}]}}
    ).posts[0]
    assert post.text == "hello #jam"
    assert post.kind is Kind.RETWEET and post.retweeted_id == "1"
    assert post.url == "https://x.com/me/status/2"


def test_brexit_entities_media_and_reply_handles(fixtures_dir):
    page = json.loads(_lines(fixtures_dir / "x" / "twarc2" / "brexit.jsonl")[0])
    users = {u["id"]: u["username"] for u in page["includes"]["users"]}
    parsed = x_v2.normalize_page(page)
    by_id = {post.id: post for post in parsed.posts}
    originals = {t["id"]: t for t in page["includes"].get("tweets", ())}
    for tweet in page["data"]:
        post = by_id[tweet["id"]]
        assert post.author.handle == users[tweet["author_id"]]
        # A retweet carries its original's public metrics.
        counted = originals.get(post.retweeted_id, tweet)
        assert post.metrics.retweets == counted["public_metrics"]["retweet_count"]
        assert post.metrics.likes == counted["public_metrics"]["like_count"]
        if tweet.get("in_reply_to_user_id") in users and post.kind is Kind.REPLY:
            assert post.reply_to_handle == users[tweet["in_reply_to_user_id"]]
    replies = [post for post in parsed.posts if post.kind is Kind.REPLY]
    assert len(replies) == 10 and all(post.reply_to_handle for post in replies)
    with_media = [post for post in parsed.posts + parsed.referenced if post.media]
    assert with_media and all(
        m.type in {"image", "video", "gif"} for p in with_media for m in p.media
    )
    # Expanded media have their file; a retweeted post's unexpanded media_keys count too.
    assert any(m.url for p in with_media for m in p.media)
    links = [link for post in parsed.posts for link in post.links]
    assert links and all(
        link.url.startswith("https://t.co/") and link.expanded_url for link in links
    )
    # X escapes &, < and >; the plain text has them back.
    assert any("&" in post.text for post in parsed.posts + parsed.referenced)
    assert not any("&amp;" in post.text for post in parsed.posts + parsed.referenced)


def test_flat_lines_give_the_same_posts_as_the_raw_page(fixtures_dir):
    flat = _parse_jsonl(fixtures_dir / "x" / "twarc2" / "flat.jsonl")
    raw = _parse_jsonl(fixtures_dir / "x" / "twarc2" / "noflat.jsonl")
    assert len(flat.posts) == 100
    assert _kinds(flat.posts) == {"retweet": 47, "reply": 31, "quote": 8, "original": 14}
    fields = (
        "text",
        "kind",
        "author",
        "hashtags",
        "mentions",
        "links",
        "media",
        "retweeted_id",
        "quoted_id",
    )
    fields += ("reply_to_id", "reply_to_handle", "metrics", "url", "created_at", "lang")
    raw_by_id = {post.id: post for post in raw.posts}
    for post in flat.posts:
        other = raw_by_id[post.id]
        assert [getattr(post, f) for f in fields] == [getattr(other, f) for f in fields]
    # Each flat line inlines its own originals: the same 66 tweets as the page's includes.
    assert len({post.id for post in flat.referenced}) == 66
    _assert_sound(flat)


def test_stream_lines_parse_and_the_truncated_line_is_malformed(fixtures_dir):
    lines = _lines(fixtures_dir / "x" / "twarc2" / "streaming_output_with_error.jsonl")
    assert len(lines) == 8
    parsed = Parsed()
    bad = []
    for number, line in enumerate(lines, start=1):
        try:
            parsed.extend(normalize_line(line))
        except MalformedPayload:
            bad.append(number)
    # The recording's broken line is its last one (the fixture README says "first").
    assert bad == [8]
    assert len(parsed.posts) == 7
    assert _kinds(parsed.posts) == {"original": 3, "reply": 3, "quote": 1}
    assert all(post.reply_to_handle for post in parsed.posts if post.kind is Kind.REPLY)
    first = parsed.posts[0]
    assert first.id == "1377650090978992134" and first.media and first.media[0].type == "image"
    _assert_sound(parsed)


def test_edit_history(fixtures_dir):
    after = _parse_jsonl(fixtures_dir / "x" / "twarc2" / "edited_after.jsonl")
    latest = after.posts[0]
    assert latest.id == "1576994789110992896"
    assert latest.edited_at == datetime(2022, 10, 3, 17, 57, 11, tzinfo=UTC)
    assert latest.text == "hey :) https://t.co/rnwEIoNuqd"
    before = _parse_jsonl(fixtures_dir / "x" / "twarc2" / "edited_before.jsonl")
    first = before.posts[0]
    assert first.id == "1576994746135764992" and first.edited_at is None
    assert first.media[0].alt_text == "selfie of me with memoji"
    assert first.text.startswith("i miss y\u2019all so much")


def test_reply_that_quotes_is_a_quote_with_its_reply_target(fixtures_dir):
    parsed = _parse_jsonl(fixtures_dir / "x" / "twarc2" / "quoted_edit.jsonl")
    post = parsed.posts[0]
    assert post.kind is Kind.QUOTE
    assert post.quoted_id == "1576994746135764992"
    assert post.reply_to_id is not None and post.reply_to_handle == "wongmjane"
    assert {p.id for p in parsed.referenced} == {"1576994746135764992", "1576994789110992896"}
    assert all(p.raw["id"] == p.id for p in parsed.referenced)


def test_media_tweet_video_and_emoji(fixtures_dir):
    post = _parse_jsonl(fixtures_dir / "x" / "twarc2" / "media_tweet.jsonl").posts[0]
    assert post.text == "She's GOING with it! \U0001f40d https://t.co/uXqSAGWkWJ"
    assert post.media[0].type == "video" and post.media[0].preview_url.endswith(".jpg")


# --- tweepy cassettes (default fields: no author, no created_at) --------------------------------


@pytest.mark.parametrize(
    ("name", "count"),
    [
        ("test_client_get_home_timeline.json", 98),
        ("test_client_get_liked_tweets.json", 96),
        ("test_client_get_list_tweets.json", 97),
        ("test_client_get_quote_tweets.json", 9),
        ("test_client_get_tweet.json", 1),
        ("test_client_get_tweets.json", 2),
        ("test_client_get_users_mentions.json", 10),
        ("test_client_search_all_tweets.json", 10),
        ("test_client_search_recent_tweets.json", 10),
        ("test_client_get_all_tweets_count.json", 0),
        ("test_client_get_recent_tweets_count.json", 0),
        ("test_client_get_retweeters.json", 0),
    ],
)
def test_tweepy_cassettes(fixtures_dir, name, count):
    exchanges = json.loads(
        (fixtures_dir / "x" / "tweepy-cassettes" / name).read_text(encoding="utf-8")
    )
    parsed = normalize_document(exchanges)
    assert len(parsed.posts) == count
    assert all(post.author.handle == "" for post in parsed.posts)  # default fields carry no author
    _assert_sound(parsed)


def test_time_from_the_snowflake_id_when_created_at_is_missing(fixtures_dir):
    exchanges = json.loads(
        (fixtures_dir / "x" / "tweepy-cassettes" / "test_client_get_tweet.json").read_text()
    )
    post = normalize_document(exchanges).posts[0]
    assert post.created_at.replace(microsecond=0) == datetime(2020, 8, 12, 17, 1, 42, tzinfo=UTC)
    assert post.url == "https://x.com/i/status/1293593516040269825"
    assert "\U0001f941" in post.text


# --- v1.1 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "kinds", "referenced"),
    [
        ("search_tweets.json", 50, {"retweet": 36, "quote": 5, "reply": 1, "original": 8}, 25),
        ("testsearchtweets.json", 15, {"retweet": 6, "reply": 1, "original": 8}, 6),
        ("testcachedresult.json", 18, {"retweet": 7, "quote": 4, "original": 7}, 11),
        ("testretweetandunretweet.json", 2, {"retweet": 1, "original": 1}, 1),
    ],
)
def test_v1_cassettes(fixtures_dir, name, count, kinds, referenced):
    exchanges = json.loads((fixtures_dir / "x" / "v1.1" / name).read_text(encoding="utf-8"))
    parsed = normalize_document(exchanges)
    assert len(parsed.posts) == count
    assert _kinds(parsed.posts) == kinds
    assert len(parsed.referenced) == referenced
    assert all(post.author.handle for post in parsed.posts + parsed.referenced)
    _assert_sound(parsed)


def test_v1_search_extended_mode(fixtures_dir):
    body = json.loads((fixtures_dir / "x" / "v1.1" / "search_tweets.json").read_text())[0]["body"]
    statuses = {s["id_str"]: s for s in body["statuses"]}
    parsed = x_v1.normalize_tweets(body["statuses"])
    by_id = {post.id: post for post in parsed.posts}
    for post in parsed.posts:
        raw = statuses[post.id]
        assert post.author.handle == raw["user"]["screen_name"]
        if post.kind is Kind.RETWEET:
            original = raw["retweeted_status"]
            assert post.retweeted_id == original["id_str"]
            assert post.text == original["full_text"].replace("&amp;", "&").replace(
                "&lt;", "<"
            ).replace("&gt;", ">")
        if post.kind is Kind.QUOTE:
            assert post.quoted_id == raw["quoted_status_id_str"]
    reply = next(post for post in parsed.posts if post.kind is Kind.REPLY)
    assert reply.reply_to_handle == "robinson_es"
    assert reply.hashtags == ("thread", "rstats", "regex")
    photo = by_id["1587243808416202754"]
    assert photo.media[0].type == "image" and photo.media[0].url.startswith(
        "https://pbs.twimg.com/media/"
    )
    assert "agregação regional" in photo.text and photo.hashtags == ("Eleicoes2022", "rstats")


def test_v1_created_at_format():
    tweet = {
        "id_str": "5",
        "text": "Q1 what is a jam? &amp; why",
        "created_at": "Wed Apr 07 20:31:18 +0000 2021",
        "user": {"id_str": "7", "screen_name": "host", "name": "Host"},
        "in_reply_to_status_id_str": None,
    }
    post = x_v1.normalize_tweet(tweet).posts[0]
    assert post.created_at == datetime(2021, 4, 7, 20, 31, 18, tzinfo=UTC)
    assert post.text == "Q1 what is a jam? & why"
    assert post.kind is Kind.ORIGINAL and post.url == "https://x.com/host/status/5"


def test_v2_page_with_bad_data_is_malformed():
    with pytest.raises(MalformedPayload):
        x_v2.normalize_page({"data": [{"id": "1"}]})
