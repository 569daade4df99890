"""normalize_document / normalize_line: any one JSON document of any network, routed."""

from __future__ import annotations

import json

import pytest

from desktop.core.normalize import MalformedPayload, Parsed
from desktop.core.normalize.detect import normalize_document, normalize_line
from desktop.core.post import Kind, Network

# Every fixture file and the posts it holds (primary, referenced), as the detector routes it.
EXPECTED = {
    "bluesky/custom_record.json": (0, 0),
    "bluesky/extended_like_record.json": (0, 0),
    "bluesky/extended_post_record.json": (1, 0),
    "bluesky/f_getposts.json": (1, 0),
    "bluesky/f_getquotes.json": (2, 1),
    "bluesky/f_postthread.json": (1, 0),
    "bluesky/f_search.json": (25, 1),
    "bluesky/feed_record.json": (0, 0),
    "bluesky/get_follows.json": (0, 0),
    "bluesky/like_record.json": (0, 0),
    "bluesky/post_record.json": (1, 0),
    "bluesky/r_post_emoji.json": (0, 0),
    "bluesky/r_post_quote.json": (1, 0),
    "bluesky/r_post_reply.json": (1, 0),
    "bluesky/r_post_repost.json": (1, 0),
    "bluesky/r_post_text.json": (0, 0),
    "bluesky/thread_view_post_with_embed_media.json": (1, 1),
    "mastodon/rest/get_timeline_hashtag_default.json": (5, 0),
    "mastodon/rest/get_timeline_hashtag_instance.json": (5, 0),
    "mastodon/rest/post_status_success.json": (1, 1),
    "mastodon/rest/test_entity_customemoji.json": (1, 0),
    "mastodon/rest/test_entity_mediaattachment.json": (2, 0),
    "mastodon/rest/test_entity_poll.json": (1, 0),
    "mastodon/rest/test_entity_quote.json": (1, 1),
    "mastodon/rest/test_entity_status.json": (2, 0),
    "mastodon/rest/test_entity_statusedit.json": (0, 0),
    "mastodon/rest/test_hashtag_tl.json": (2, 0),
    "mastodon/rest/test_public_tl.json": (17, 0),
    "mastodon/rest/test_status_post_with_quote.json": (2, 1),
    "mastodon/rest/test_status_reblog_unreblog.json": (3, 1),
    "mastodon/rest/test_stream_healthy.json": (0, 0),
    "mastodon/sse/streaming_events.jsonl": (4, 0),
    "x/twarc2/brexit.jsonl": (100, 55),
    "x/twarc2/cashtags.jsonl": (1, 0),
    "x/twarc2/edited.jsonl": (1, 1),
    "x/twarc2/edited_after.jsonl": (1, 1),
    "x/twarc2/edited_before.jsonl": (1, 1),
    "x/twarc2/flat.jsonl": (100, 94),  # each flat line inlines its own originals (66 distinct)
    "x/twarc2/kpop.jsonl": (100, 21),
    "x/twarc2/many_urls.jsonl": (1, 1),
    "x/twarc2/media_tweet.jsonl": (1, 0),
    "x/twarc2/mentions_tweet.jsonl": (1, 1),
    "x/twarc2/noflat.jsonl": (100, 64),
    "x/twarc2/quoted_edit.jsonl": (1, 2),
    "x/twarc2/streaming_output_with_error.jsonl": (7, 4),
    "x/twarc2/two_tweets.jsonl": (1, 1),
    "x/twarc2/verified_type.jsonl": (1, 0),
    "x/tweepy-cassettes/test_client_get_all_tweets_count.json": (0, 0),
    "x/tweepy-cassettes/test_client_get_home_timeline.json": (98, 0),
    "x/tweepy-cassettes/test_client_get_liked_tweets.json": (96, 0),
    "x/tweepy-cassettes/test_client_get_list_tweets.json": (97, 0),
    "x/tweepy-cassettes/test_client_get_quote_tweets.json": (9, 0),
    "x/tweepy-cassettes/test_client_get_recent_tweets_count.json": (0, 0),
    "x/tweepy-cassettes/test_client_get_retweeters.json": (0, 0),
    "x/tweepy-cassettes/test_client_get_tweet.json": (1, 0),
    "x/tweepy-cassettes/test_client_get_tweets.json": (2, 0),
    "x/tweepy-cassettes/test_client_get_users_mentions.json": (10, 0),
    "x/tweepy-cassettes/test_client_search_all_tweets.json": (10, 0),
    "x/tweepy-cassettes/test_client_search_recent_tweets.json": (10, 0),
    "x/v1.1/search_tweets.json": (50, 25),
    "x/v1.1/testcachedresult.json": (18, 11),
    "x/v1.1/testretweetandunretweet.json": (2, 1),
    "x/v1.1/testsearchtweets.json": (15, 6),
}
NETWORK_OF_FOLDER = {"x": Network.X, "mastodon": Network.MASTODON, "bluesky": Network.BLUESKY}


def test_every_json_fixture_is_listed(fixtures_dir):
    found = {
        str(path.relative_to(fixtures_dir))
        for path in fixtures_dir.rglob("*")
        if path.suffix in {".json", ".jsonl"} and path.is_file()
    }
    assert found == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_fixture_routes_to_its_network(fixtures_dir, name):
    path = fixtures_dir / name
    parsed = Parsed()
    malformed = []
    if path.suffix == ".jsonl":
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            try:
                parsed.extend(normalize_line(line))
            except MalformedPayload:
                malformed.append(number)
    else:
        parsed = normalize_document(json.loads(path.read_text(encoding="utf-8")))
    assert (len(parsed.posts), len(parsed.referenced)) == EXPECTED[name]
    assert malformed == ([8] if name.endswith("streaming_output_with_error.jsonl") else [])
    network = NETWORK_OF_FOLDER[name.split("/")[0]]
    assert all(post.network is network for post in parsed.posts + parsed.referenced)


def test_archive_lines_route_by_network(fixtures_dir):
    stream_line = (
        (fixtures_dir / "x" / "twarc2" / "streaming_output_with_error.jsonl")
        .read_text()
        .splitlines()[0]
    )
    toot = json.loads((fixtures_dir / "mastodon" / "rest" / "test_entity_status.json").read_text())[
        0
    ]["body"]
    skeet = json.loads((fixtures_dir / "bluesky" / "f_getposts.json").read_text())[0]["body"][
        "posts"
    ][0]
    archive = [
        {
            "jamdeck": 1,
            "network": "x",
            "received_at": "2021-04-01T15:52:32Z",
            "payload": json.loads(stream_line),
        },
        {
            "jamdeck": 1,
            "network": "mastodon",
            "received_at": "2023-05-28T12:10:00Z",
            "payload": toot,
        },
        {
            "jamdeck": 1,
            "network": "bluesky",
            "received_at": "2023-09-19T11:33:00Z",
            "payload": skeet,
        },
    ]
    parsed = [normalize_line(json.dumps(line, ensure_ascii=False)) for line in archive]
    assert [p.posts[0].network for p in parsed] == [Network.X, Network.MASTODON, Network.BLUESKY]
    assert parsed[0].posts[0].id == "1377650090978992134"
    assert parsed[1].posts[0].uri == toot["uri"]
    assert parsed[2].posts[0].id == skeet["uri"]
    with pytest.raises(MalformedPayload, match="unknown network"):
        normalize_document({"jamdeck": 1, "network": "myspace", "payload": {}})
    with pytest.raises(MalformedPayload, match="version"):
        normalize_document({"jamdeck": 2, "network": "x", "payload": {}})
    with pytest.raises(MalformedPayload, match="unknown shape"):
        normalize_document({"jamdeck": 1, "network": "x", "payload": {"hello": 1}})


def test_mastodon_streaming_payload_as_a_json_string(fixtures_dir):
    toot = json.loads((fixtures_dir / "mastodon" / "rest" / "test_entity_status.json").read_text())[
        0
    ]["body"]
    parsed = normalize_document({"event": "update", "payload": json.dumps(toot)})
    assert parsed.posts[0].id == toot["id"]
    assert normalize_document({"event": "delete", "payload": toot["id"]}).posts == []
    with pytest.raises(MalformedPayload):
        normalize_document({"event": "update", "payload": "{not json"})


def test_lists_of_each_kind(fixtures_dir):
    statuses = json.loads((fixtures_dir / "x" / "v1.1" / "testsearchtweets.json").read_text())[0][
        "body"
    ]["statuses"]
    assert len(normalize_document(statuses).posts) == 15
    assert len(normalize_document({"statuses": statuses}).posts) == 15
    toots = json.loads(
        (fixtures_dir / "mastodon" / "rest" / "get_timeline_hashtag_default.json").read_text()
    )[0]["body"]
    assert len(normalize_document(toots).posts) == 5
    flat = (fixtures_dir / "x" / "twarc2" / "flat.jsonl").read_text().splitlines()[:3]
    mixed = normalize_document([json.loads(line) for line in flat] + [toots[0]])
    assert [p.network for p in mixed.posts] == [Network.X] * 3 + [Network.MASTODON]
    assert mixed.posts[0].kind is Kind.RETWEET


@pytest.mark.parametrize(
    "document",
    [
        {"hello": "world"},
        42,
        "a string",
        {"data": 5},
        [{"hello": "world"}],
    ],
)
def test_unknown_shapes_are_malformed(document):
    with pytest.raises(MalformedPayload):
        normalize_document(document)


def test_bad_lines():
    with pytest.raises(MalformedPayload, match="not JSON"):
        normalize_line('{"data": {"author_id": "1021159080151404544"')
    assert normalize_line("   \n") == Parsed()
    assert normalize_line(b'{"data": [], "meta": {"result_count": 0}}') == Parsed()
