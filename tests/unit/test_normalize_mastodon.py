"""Mastodon normalizer and HTML-to-text on every recorded Mastodon payload of the fixtures."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from desktop.core.normalize import MalformedPayload, Parsed, mastodon
from desktop.core.normalize.detect import normalize_document
from desktop.core.normalize.html_text import html_to_text
from desktop.core.post import Kind, Network


def _cassette(fixtures_dir, name):
    return json.loads((fixtures_dir / "mastodon" / "rest" / name).read_text(encoding="utf-8"))


def _assert_sound(parsed: Parsed) -> None:
    for post in parsed.posts + parsed.referenced:
        assert post.network is Network.MASTODON
        assert post.created_at.tzinfo is UTC
        assert post.raw["id"] == post.id or str(post.raw["id"]) == post.id
        assert post.key == post.raw["uri"] and post.uri == post.raw["uri"]
        assert post.author.handle == post.raw["account"]["acct"]
        assert "<" not in post.text or "<" in html_to_text(post.raw["content"])
        if post.retweeted_id:
            assert post.kind is Kind.RETWEET
        elif post.quoted_id:
            assert post.kind is Kind.QUOTE
        elif post.reply_to_id:
            assert post.kind is Kind.REPLY
        else:
            assert post.kind is Kind.ORIGINAL


# --- HTML -> text -------------------------------------------------------------------------------


def test_html_paragraphs_breaks_links_and_entities():
    html = (
        '<p>Q1 <a href="https://x.example/tags/jam" class="mention hashtag" rel="tag">#<span>jam</span></a>'
        " it&#39;s on<br>second line<br />third</p><p>new paragraph :blobcat: "
        '<span class="h-card"><a href="https://m.example/@ann" class="u-url mention">@<span>ann</span></a></span>'
        ' see <a href="https://example.com/a/very/long/path" rel="nofollow noopener">'
        '<span class="invisible">https://</span><span class="ellipsis">example.com/a/very/lo</span>'
        '<span class="invisible">ng/path</span></a></p>'
    )
    assert html_to_text(html) == (
        "Q1 #jam it's on\nsecond line\nthird\n\nnew paragraph :blobcat: @ann see https://example.com/a/very/long/path"
    )


def test_html_quote_inline_dropped_only_when_asked():
    html = '<p class="quote-inline">RE: <a href="https://m.example/@a/1">m.example/@a/1</a></p><p>yes!</p>'
    assert html_to_text(html, drop_quote_inline=True) == "yes!"
    assert html_to_text(html) == "RE: m.example/@a/1\n\nyes!"


def test_html_plain_and_empty():
    assert html_to_text("") == ""
    assert html_to_text("no markup") == "no markup"
    assert html_to_text("<p>caf\u00e9 \u65e5\u672c &lt;b&gt;</p>") == "caf\u00e9 \u65e5\u672c <b>"


# --- every fixture ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "kinds", "referenced"),
    [
        ("get_timeline_hashtag_default.json", 5, {"original": 5}, 0),
        ("get_timeline_hashtag_instance.json", 5, {"original": 5}, 0),
        ("post_status_success.json", 1, {"retweet": 1}, 1),
        ("test_entity_customemoji.json", 1, {"original": 1}, 0),
        ("test_entity_mediaattachment.json", 2, {"reply": 2}, 0),
        ("test_entity_poll.json", 1, {"original": 1}, 0),
        ("test_entity_quote.json", 1, {"quote": 1}, 1),
        ("test_entity_status.json", 2, {"original": 2}, 0),
        ("test_entity_statusedit.json", 0, {}, 0),  # StatusEdit versions are not statuses
        ("test_hashtag_tl.json", 2, {"original": 2}, 0),  # the posted status, then the timeline
        ("test_public_tl.json", 17, {"original": 17}, 0),  # posted + 2 timelines of 8
        ("test_status_post_with_quote.json", 2, {"original": 1, "quote": 1}, 1),
        ("test_status_reblog_unreblog.json", 3, {"original": 2, "retweet": 1}, 1),
        ("test_stream_healthy.json", 0, {}, 0),
    ],
)
def test_rest_cassettes(fixtures_dir, name, count, kinds, referenced):
    parsed = normalize_document(_cassette(fixtures_dir, name))
    assert len(parsed.posts) == count
    assert dict(Counter(post.kind.value for post in parsed.posts)) == kinds
    assert len(parsed.referenced) == referenced
    _assert_sound(parsed)


def test_hashtag_timeline_text_tags_mentions_media(fixtures_dir):
    statuses = _cassette(fixtures_dir, "get_timeline_hashtag_default.json")[0]["body"]
    parsed = mastodon.normalize_statuses(statuses)
    assert [post.id for post in parsed.posts] == [s["id"] for s in statuses]
    first, conference, aws, rtoot, bridged = parsed.posts
    assert first.author.handle == "simonpcouch@rstats.me"
    assert first.hashtags == ("rstats",)
    assert first.text.endswith(
        "so helpful: https://www.simonpcouch.com/blog/2025-07-17-claude-code-2/"
    )
    assert first.media[0].type == "image" and first.media[0].alt_text.startswith(
        "A screenshot of a Claude Code"
    )
    assert conference.hashtags == (
        "useR2025",
        "RStats",
    )  # as written, not Mastodon's lower-cased names
    assert "Less than 50 left!\nJoin this gathering" in conference.text
    assert aws.mentions == ("snystrom@genomic.social",)
    assert aws.text.startswith(
        "Fun thing that @snystrom and I found today for those using #AWS in #Rstats"
    )
    assert aws.links[0].expanded_url == "https://github.com/cloudyr/aws.s3/pull/438"
    assert rtoot.text.endswith("sparks joy :maxheadroom:")  # custom emoji stay as shortcodes
    assert rtoot.metrics.replies == 1 and rtoot.metrics.likes == 2 and rtoot.metrics.retweets == 1
    assert bridged.hashtags == ("rstats", "FunctionalProgramming")
    assert [link.url for link in bridged.links] == ["https://github.com/mailund/tailr"]
    assert all(post.lang == "en" for post in parsed.posts)


def test_reblog_structure(fixtures_dir):
    parsed = normalize_document(
        _cassette(fixtures_dir, "test_status_reblog_unreblog.json")[1]["body"]
    )
    (wrapper,) = parsed.posts
    (original,) = parsed.referenced
    assert wrapper.kind is Kind.RETWEET
    assert (
        wrapper.id == "117020586027094262"
        and wrapper.retweeted_id == original.id == "117020586019094258"
    )
    assert wrapper.text == original.text == "Toot!"
    assert wrapper.author.handle == "mastodonpy_test"
    assert wrapper.created_at == datetime(2026, 8, 1, 13, 53, 58, 160000, tzinfo=UTC)
    assert wrapper.raw["reblog"] is original.raw
    assert original.kind is Kind.ORIGINAL and original.uri.endswith("/statuses/117020586019094258")


def test_quote_post_shapes(fixtures_dir):
    posted = normalize_document(
        _cassette(fixtures_dir, "test_status_post_with_quote.json")[1]["body"]
    )
    quote = posted.posts[0]
    assert quote.kind is Kind.QUOTE and quote.quoted_id == "117020582917124092"
    assert quote.text == "yoooooooo"  # the "RE: <link>" fallback is not the author's text
    assert posted.referenced[0].id == "117020582917124092" and posted.referenced[0].text == "Toot!"

    bridged = normalize_document(_cassette(fixtures_dir, "test_entity_quote.json"))
    reply_quote = bridged.posts[0]
    assert reply_quote.kind is Kind.QUOTE
    assert reply_quote.reply_to_id == "115044053131672379"
    assert reply_quote.reply_to_handle is None  # the account answered is not among the mentions
    assert reply_quote.quoted_id == "115044070560414080"
    inner = bridged.referenced[0]
    assert inner.quoted_id == "115044056977193502"  # a shallow quote: only the id is known
    assert inner.kind is Kind.QUOTE


def test_fork_shapes_quote_embedded_and_quote_id(fixtures_dir):
    toot = _cassette(fixtures_dir, "test_status_post_with_quote.json")[0]["body"]
    embedded = copy.deepcopy(toot)
    embedded["id"], embedded["uri"] = "900", "https://m.example/statuses/900"
    embedded["quote"] = copy.deepcopy(toot)
    parsed = mastodon.normalize_status(embedded)
    assert parsed.posts[0].quoted_id == toot["id"] and parsed.referenced[0].id == toot["id"]
    only_id = dict(toot, quote=None, quote_id="123")
    assert mastodon.normalize_status(only_id).posts[0].quoted_id == "123"


def test_edits_spoiler_gifv_and_mentions(fixtures_dir):
    post = normalize_document(_cassette(fixtures_dir, "test_entity_status.json")).posts[0]
    assert post.edited_at == datetime(2023, 5, 28, 12, 9, 44, tzinfo=UTC)
    assert post.text.startswith(
        "CW: test post for mastodon.py stuff\n\n@halcy you're a doo-doo head\n\nedit:"
    )
    assert ":trans_heart:" in post.text
    assert post.media[0].type == "gif" and post.media[0].alt_text == "a furry cube breakdancing"
    assert post.mentions == ("halcy@icosahedron.website",)
    assert post.hashtags == ("ThisIsAHashtag",)
    assert post.lang == "de"


def test_reply_handle_and_audio(fixtures_dir):
    audio, image = normalize_document(
        _cassette(fixtures_dir, "test_entity_mediaattachment.json")
    ).posts
    assert audio.kind is Kind.REPLY and audio.reply_to_id == "110447003454258227"
    assert audio.reply_to_handle == "halcy"
    assert audio.media[0].type == "audio" and audio.media[0].alt_text is None
    assert image.media[0].type == "image" and image.media[0].alt_text == "furry cube"
    # image answers its own author (a thread): the handle is the author's own.
    assert image.reply_to_handle == "halcy" == image.author.handle


def test_streaming_events(fixtures_dir):
    parsed = Parsed()
    events = Counter()
    for line in (
        (fixtures_dir / "mastodon" / "sse" / "streaming_events.jsonl").read_text().splitlines()
    ):
        record = json.loads(line)
        events[record["event"]] += 1
        parsed.extend(normalize_document(record))
    assert events == {
        "conversation": 3,
        "update": 3,
        "notification": 2,
        "status.update": 1,
        "delete": 1,
    }
    assert [post.text for post in parsed.posts] == [
        "only real cars respond.",
        "@mastodonpy_test_2 pssssst",
        "only real animals respond.",
        "it's cool guy",
    ]
    edited = parsed.posts[2]
    assert edited.id == parsed.posts[0].id and edited.edited_at is not None
    _assert_sound(parsed)


@pytest.mark.parametrize(
    ("name", "statuses"),
    [
        ("test_stream_direct__direct.sse", 0),
        ("test_stream_user_direct__direct.sse", 0),
        ("test_stream_user_direct__user.sse", 3),
        ("test_stream_user_local__user.sse", 1),
    ],
)
def test_raw_sse_bodies(fixtures_dir, name, statuses):
    """The raw event-stream: every update/status.update data line is a status we parse."""
    parsed = Parsed()
    event = None
    for line in (fixtures_dir / "mastodon" / "sse" / name).read_text().splitlines():
        if line.startswith("event:"):
            event = line.partition(":")[2].strip()
        elif line.startswith("data:"):
            parsed.extend(
                normalize_document({"event": event, "payload": line.partition(":")[2].strip()})
            )
    assert len(parsed.posts) == statuses
    _assert_sound(parsed)


def test_mastodon_py_values_ints_and_datetimes(fixtures_dir):
    """Mastodon.py hands out int ids and parsed datetimes (in a dict subclass)."""

    class AttribAccessDict(dict):
        def __getattr__(self, name):
            return self[name]

    raw = _cassette(fixtures_dir, "test_entity_mediaattachment.json")[0]["body"]
    status = AttribAccessDict(raw)
    status["id"] = int(raw["id"])
    status["in_reply_to_id"] = int(raw["in_reply_to_id"])
    status["in_reply_to_account_id"] = int(raw["in_reply_to_account_id"])
    status["created_at"] = datetime(2023, 5, 28, 15, 27, 44, tzinfo=UTC)
    status["account"] = AttribAccessDict(raw["account"], id=int(raw["account"]["id"]))
    post = mastodon.normalize_status(status).posts[0]
    assert post.id == raw["id"] and post.reply_to_id == raw["in_reply_to_id"]
    assert post.author.id == raw["account"]["id"]
    assert post.created_at == datetime(2023, 5, 28, 15, 27, 44, tzinfo=UTC)
    assert post.reply_to_handle == "halcy"


def test_not_a_status_is_malformed():
    with pytest.raises(MalformedPayload):
        mastodon.normalize_statuses([{"id": "1", "content": "<p>x</p>"}])
