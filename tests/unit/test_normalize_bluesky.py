"""Bluesky normalizer on every recorded Bluesky payload of the fixtures."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import UTC, datetime

import pytest

from desktop.core.normalize import MalformedPayload, bluesky
from desktop.core.normalize.detect import normalize_document
from desktop.core.post import Kind, Network


def _load(fixtures_dir, name):
    return json.loads((fixtures_dir / "bluesky" / name).read_text(encoding="utf-8"))


def _body(fixtures_dir, name, index=0):
    return _load(fixtures_dir, name)[index]["body"]


def _assert_sound(parsed) -> None:
    for post in parsed.posts + parsed.referenced:
        assert post.network is Network.BLUESKY
        assert post.created_at.tzinfo is UTC
        assert post.raw
        assert post.url.startswith("https://bsky.app/profile/") and post.url.endswith(
            post.id.rsplit("/", 1)[1]
        )
        if post.kind is Kind.QUOTE:
            assert post.quoted_id.startswith("at://")
        elif post.reply_to_id:
            assert post.kind is Kind.REPLY


def _facet(text: str, fragment: str, feature: dict) -> dict:
    start = text.encode("utf-8").index(fragment.encode("utf-8"))
    return {
        "index": {"byteStart": start, "byteEnd": start + len(fragment.encode("utf-8"))},
        "features": [feature],
    }


def _view(
    text: str,
    facets: list,
    *,
    uri="at://did:plc:aaa/app.bsky.feed.post/3k1",
    handle="ann.bsky.social",
):
    return {
        "uri": uri,
        "cid": "bafy",
        "author": {"did": uri.split("/")[2], "handle": handle, "displayName": "Ann"},
        "record": {
            "$type": "app.bsky.feed.post",
            "text": text,
            "facets": facets,
            "createdAt": "2024-05-01T10:00:00Z",
        },
        "indexedAt": "2024-05-01T10:00:01Z",
        "likeCount": 2,
        "repostCount": 1,
        "replyCount": 0,
        "quoteCount": 0,
    }


# --- facets -------------------------------------------------------------------------------------


def test_facet_byte_offsets_after_emoji_and_cjk():
    text = "A1 🔥🎊 日本語 #jamchat with @bob.example.com see example.com/x…"
    facets = [
        _facet(text, "#jamchat", {"$type": "app.bsky.richtext.facet#tag", "tag": "jamchat"}),
        _facet(
            text,
            "@bob.example.com",
            {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:bob"},
        ),
        _facet(
            text,
            "example.com/x…",
            {"$type": "app.bsky.richtext.facet#link", "uri": "https://example.com/x/full"},
        ),
    ]
    post = bluesky.normalize_post_views([_view(text, facets)]).posts[0]
    assert post.text == text
    assert post.hashtags == ("jamchat",)
    assert post.mentions == ("bob.example.com",)  # the handle the facet covers in the text
    assert post.links[0].url == "example.com/x…"
    assert post.links[0].expanded_url == "https://example.com/x/full"


def test_mention_of_a_known_did_uses_its_handle_and_unknown_keeps_the_did():
    text = "hi @someone there"
    known = _facet(
        text, "@someone", {"$type": "app.bsky.richtext.facet#mention", "did": "did:plc:aaa"}
    )
    post = bluesky.normalize_post_views([_view(text, [known])]).posts[0]
    assert post.mentions == ("ann.bsky.social",)  # the author's DID: its real handle wins
    broken = {
        "index": {"byteStart": 90, "byteEnd": 99},
        "features": [known["features"][0] | {"did": "did:plc:zz"}],
    }
    assert bluesky.normalize_post_views([_view(text, [broken])]).posts[0].mentions == (
        "did:plc:zz",
    )


def test_hashtags_written_without_facets_are_still_hashtags(fixtures_dir):
    post = normalize_document(_load(fixtures_dir, "f_getposts.json")).posts[0]
    assert post.hashtags == ("rstats", "rgov")
    assert [link.url for link in post.links] == ["localview.net", "rstats.ai/gov.html"]
    assert post.links[0].expanded_url == "http://localview.net"


# --- every fixture ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "count", "kinds", "referenced"),
    [
        ("f_search.json", 25, {"original": 11, "reply": 12, "quote": 2}, 1),
        ("f_getposts.json", 1, {"original": 1}, 0),
        ("f_getquotes.json", 2, {"quote": 2}, 1),
        ("f_postthread.json", 1, {"original": 1}, 0),
        ("thread_view_post_with_embed_media.json", 1, {"quote": 1}, 1),
        ("post_record.json", 1, {"original": 1}, 0),
        ("extended_post_record.json", 1, {"original": 1}, 0),
        # getRecord answers of posts are posts (author known by DID only); createRecord,
        # resolveHandle, uploadBlob answers carry none.
        ("r_post_quote.json", 1, {"reply": 1}, 0),
        ("r_post_reply.json", 1, {"original": 1}, 0),
        ("r_post_repost.json", 1, {"quote": 1}, 0),
        ("r_post_emoji.json", 0, {}, 0),
        ("r_post_text.json", 0, {}, 0),
        ("custom_record.json", 0, {}, 0),
        ("extended_like_record.json", 0, {}, 0),
        ("like_record.json", 0, {}, 0),
        ("feed_record.json", 0, {}, 0),
        ("get_follows.json", 0, {}, 0),
    ],
)
def test_fixtures(fixtures_dir, name, count, kinds, referenced):
    parsed = normalize_document(_load(fixtures_dir, name))
    assert len(parsed.posts) == count
    assert dict(Counter(post.kind.value for post in parsed.posts)) == kinds
    assert len(parsed.referenced) == referenced
    _assert_sound(parsed)


def test_search_posts(fixtures_dir):
    body = _body(fixtures_dir, "f_search.json")
    parsed = bluesky.normalize_post_views(body["posts"])
    assert [post.id for post in parsed.posts] == [view["uri"] for view in body["posts"]]
    for post, view in zip(parsed.posts, body["posts"], strict=True):
        assert post.author.handle == view["author"]["handle"]
        assert post.text == view["record"]["text"]
        assert post.created_at.strftime("%Y-%m-%dT%H:%M:%S") == view["record"]["createdAt"][:19]
        assert (
            post.metrics.likes == view["likeCount"] and post.metrics.retweets == view["repostCount"]
        )
        assert post.lang == (view["record"].get("langs") or [None])[0]
        if "reply" in view["record"]:
            assert post.reply_to_id == view["record"]["reply"]["parent"]["uri"]
    # A self-thread: the parent's author is the post's own, so the handle is known.
    thread = [
        p for p in parsed.posts if p.author.handle == "uhackett.bsky.social" and p.reply_to_id
    ]
    assert thread and all(p.reply_to_handle == "uhackett.bsky.social" for p in thread)
    images = [p for p in parsed.posts if p.media]
    assert len(images) == 4 and all(
        m.type == "image" and m.url.startswith("https://cdn.bsky.app/")
        for p in images
        for m in p.media
    )
    assert any(m.alt_text == "Image 1" for p in images for m in p.media)
    externals = [
        p
        for p in parsed.posts
        if (p.raw.get("embed") or {}).get("$type") == "app.bsky.embed.external#view"
    ]
    assert len(externals) == 4 and all(p.links for p in externals)
    assert sum(1 for p in parsed.posts if any(ord(c) > 127 for c in p.text)) == 8
    quoted = parsed.referenced[0]
    assert quoted.author.handle == "marcelias.bsky.social" and quoted.metrics.likes == 3024
    assert quoted.raw["$type"] == "app.bsky.embed.record#viewRecord"


def test_quotes_with_emoji_before_facets(fixtures_dir):
    parsed = normalize_document(_load(fixtures_dir, "f_getquotes.json"))
    first, second = parsed.posts
    (quoted,) = parsed.referenced
    assert first.mentions == ("bskyr.bsky.social", "chriskenny.bsky.social")
    assert first.hashtags == ("rstats",)
    assert (
        first.quoted_id
        == quoted.id
        == "at://did:plc:5c2r73erhng4bszmxlfdtscf/app.bsky.feed.post/3lc5c5qv72r2w"
    )
    # recordWithMedia: a quote plus an external card.
    assert second.kind is Kind.QUOTE and second.quoted_id == quoted.id
    assert "https://christophertkenny.com/bskyr/" in {link.expanded_url for link in second.links}
    assert second.links[0].url == "christophertkenny.com/bskyr/'"
    # The quoted post has 🔥 and 🎊 (4 bytes each) before its mention and link facets.
    assert "🔥" in quoted.text and quoted.mentions == ("bskyr.bsky.social",)
    assert quoted.links[0].url == "https://christophertkenny.com/bskyr/"
    assert quoted.url == "https://bsky.app/profile/bskyr.bsky.social/post/3lc5c5qv72r2w"


def test_thread_with_record_with_media(fixtures_dir):
    parsed = normalize_document(_load(fixtures_dir, "thread_view_post_with_embed_media.json"))
    (post,) = parsed.posts
    assert post.kind is Kind.QUOTE and post.text == ""
    assert post.media[0].type == "image" and post.media[0].url.startswith(
        "https://cdn.bsky.app/img/feed_fullsize/"
    )
    assert parsed.referenced[0].text == "test" and parsed.referenced[0].id == post.quoted_id


def test_thread_replies_are_posts_and_parents_context(fixtures_dir):
    thread = _load(fixtures_dir, "thread_view_post_with_embed_media.json")["thread"]
    parent_view = _view(
        "the question Q1", [], uri="at://did:plc:host/app.bsky.feed.post/3q1", handle="host.example"
    )
    reply_view = _view(
        "A1 my answer", [], uri="at://did:plc:guest/app.bsky.feed.post/3a1", handle="guest.example"
    )
    reply_view["record"]["reply"] = {
        "parent": {"uri": thread["post"]["uri"]},
        "root": {"uri": parent_view["uri"]},
    }
    focal = copy.deepcopy(thread)
    focal["post"]["record"]["reply"] = {
        "parent": {"uri": parent_view["uri"]},
        "root": {"uri": parent_view["uri"]},
    }
    focal["parent"] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": parent_view}
    nested_view = _view(
        "+1", [], uri="at://did:plc:third/app.bsky.feed.post/3n1", handle="third.example"
    )
    nested_view["record"]["reply"] = {
        "parent": {"uri": reply_view["uri"]},
        "root": {"uri": parent_view["uri"]},
    }
    nested = {"$type": "app.bsky.feed.defs#threadViewPost", "post": nested_view, "replies": []}
    focal["replies"] = [
        {"$type": "app.bsky.feed.defs#threadViewPost", "post": reply_view, "replies": [nested]}
    ]
    parsed = bluesky.normalize_thread(focal)
    assert [p.id for p in parsed.posts] == [
        thread["post"]["uri"],
        reply_view["uri"],
        nested_view["uri"],
    ]
    assert parsed.posts[0].reply_to_handle == "host.example"
    assert parsed.posts[1].reply_to_handle == "test.marshal.dev"
    assert parsed.posts[2].reply_to_handle == "guest.example"
    assert parent_view["uri"] in {p.id for p in parsed.referenced}


def test_feed_repost_is_a_retweet_by_the_reposter():
    original = _view(
        "Q2 what now? #jamchat",
        [],
        uri="at://did:plc:host/app.bsky.feed.post/3q2",
        handle="host.example",
    )
    reason = {
        "$type": "app.bsky.feed.defs#reasonRepost",
        "by": {"did": "did:plc:fan", "handle": "fan.example", "displayName": "Fan"},
        "indexedAt": "2024-05-01T10:05:00.123Z",
    }
    item = {"post": original, "reason": reason}
    parsed = normalize_document({"feed": [item, {"post": original}]})
    repost, plain = parsed.posts
    assert repost.kind is Kind.RETWEET
    assert repost.id == "at://did:plc:host/app.bsky.feed.post/3q2#repost-by-did:plc:fan"
    assert repost.author.handle == "fan.example"
    assert repost.created_at == datetime(2024, 5, 1, 10, 5, 0, 123000, tzinfo=UTC)
    assert repost.retweeted_id == plain.id == original["uri"]
    assert repost.text == "Q2 what now? #jamchat" and repost.hashtags == ("jamchat",)
    assert repost.raw is item
    assert parsed.referenced == []  # the original is itself a post of this page


def test_feed_reply_refs_give_the_parent_handle():
    parent = _view(
        "Q3 go", [], uri="at://did:plc:host/app.bsky.feed.post/3q3", handle="host.example"
    )
    child = _view(
        "A3 yes", [], uri="at://did:plc:guest/app.bsky.feed.post/3a3", handle="guest.example"
    )
    child["record"]["reply"] = {"parent": {"uri": parent["uri"]}, "root": {"uri": parent["uri"]}}
    parsed = bluesky.normalize_feed([{"post": child, "reply": {"parent": parent, "root": parent}}])
    assert parsed.posts[0].kind is Kind.REPLY and parsed.posts[0].reply_to_handle == "host.example"
    assert [p.id for p in parsed.referenced] == [parent["uri"]]


def test_record_only_post_knows_its_author_by_did(fixtures_dir):
    post = normalize_document(_load(fixtures_dir, "post_record.json")).posts[0]
    assert post.author.id == post.author.handle == "did:plc:kvwvcn5iqfooopmyzvb4qzba"
    assert post.created_at == datetime(2024, 2, 22, 19, 58, 13, 903293, tzinfo=UTC)


def test_video_embed_and_malformed_view():
    view = _view("clip", [])
    view["record"]["embed"] = {
        "$type": "app.bsky.embed.video",
        "alt": "a dancing cube",
        "video": {},
    }
    view["embed"] = {
        "$type": "app.bsky.embed.video#view",
        "playlist": "https://video.example/p.m3u8",
        "thumbnail": "t.jpg",
    }
    media = bluesky.normalize_post_views([view]).posts[0].media
    assert (
        media[0].type == "video"
        and media[0].alt_text == "a dancing cube"
        and media[0].url.endswith(".m3u8")
    )
    with pytest.raises(MalformedPayload):
        bluesky.normalize_post_views([{"uri": "at://x", "record": {}}])
