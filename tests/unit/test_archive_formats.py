"""Issue 19, items 8 and 9: the archives people have, made here in their real formats."""

from __future__ import annotations

import json
import threading
import zipfile

import pytest

from desktop.core.post import Network
from desktop.sources.replay import ReplaySource
from tests.fakes.sink import CollectingSink

TWEETS_JS = "window.YTD.tweets.part0 = " + json.dumps(
    [
        {
            "tweet": {
                "edit_info": {"initial": {"editTweetIds": ["1790000000000000001"]}},
                "retweeted": False,
                "source": '<a href="https://mobile.twitter.com">Twitter Web App</a>',
                "entities": {
                    "hashtags": [{"text": "jam", "indices": ["9", "13"]}],
                    "symbols": [],
                    "user_mentions": [],
                    "urls": [],
                },
                "display_text_range": ["0", "13"],
                "favorite_count": "7",
                "id_str": "1790000000000000001",
                "truncated": False,
                "retweet_count": "2",
                "id": "1790000000000000001",
                "created_at": "Wed May 01 18:00:00 +0000 2024",
                "favorited": False,
                "full_text": "A1 yes!! #jam",
                "lang": "en",
            }
        }
    ],
    indent=2,
)
ACCOUNT_JS = "window.YTD.account.part0 = " + json.dumps(
    [
        {
            "account": {
                "email": "me@example.com",
                "createdVia": "web",
                "username": "jamfan",
                "accountId": "4242",
                "createdAt": "2015-01-01T00:00:00.000Z",
                "accountDisplayName": "Jam Fan",
            }
        }
    ],
    indent=2,
)


def _import(*paths):
    source = ReplaySource(list(paths), speed=0)
    sink = CollectingSink()
    source.run(sink, threading.Event())
    return source, sink


def _x_archive(root):
    data = root / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_text(TWEETS_JS, encoding="utf-8")
    (data / "account.js").write_text(ACCOUNT_JS, encoding="utf-8")
    return data


@pytest.mark.parametrize("given", ["tweets.js", "both files", "folder", "zip"])
def test_the_x_account_archive_imports_with_its_owner(tmp_path, given):
    data = _x_archive(tmp_path / "archive")
    if given == "tweets.js":
        paths = [data / "tweets.js"]
    elif given == "both files":
        paths = [data / "tweets.js", data / "account.js"]
    elif given == "folder":
        paths = [tmp_path / "archive"]
    else:
        zipped = tmp_path / "twitter-2024-05-01.zip"
        with zipfile.ZipFile(zipped, "w") as z:
            z.write(data / "tweets.js", "data/tweets.js")
            z.write(data / "account.js", "data/account.js")
        paths = [zipped]
    source, sink = _import(*paths)
    [post] = sink.posts
    assert (post.network, post.id, post.author.handle) == (
        Network.X,
        "1790000000000000001",
        "jamfan",
    )
    assert post.text == "A1 yes!! #jam" and post.hashtags == ("jam",)
    assert post.metrics.likes == 7
    assert source.stats.posts == 1 and source.stats.skipped == []


def test_the_mastodon_outbox_imports_notes_and_reports_boosts(tmp_path):
    actor = "https://masto.example/users/zoe"
    note = {
        "id": f"{actor}/statuses/111",
        "type": "Note",
        "summary": None,
        "inReplyTo": None,
        "published": "2024-05-01T18:00:00Z",
        "url": "https://masto.example/@zoe/111",
        "attributedTo": actor,
        "to": ["https://www.w3.org/ns/activitystreams#Public"],
        "cc": [f"{actor}/followers"],
        "content": '<p>A1 hello <a href="https://masto.example/tags/jam" rel="tag">#<span>jam</span></a></p>',
        "contentMap": {"en": "<p>A1 hello #jam</p>"},
        "attachment": [],
        "tag": [{"type": "Hashtag", "href": "https://masto.example/tags/jam", "name": "#jam"}],
    }
    outbox = {
        "@context": "https://www.w3.org/ns/activitystreams",
        "id": "outbox.json",
        "type": "OrderedCollection",
        "totalItems": 3,
        "orderedItems": [
            {"id": f"{actor}/statuses/111/activity", "type": "Create", "actor": actor,
             "published": "2024-05-01T18:00:00Z", "object": note},
            {"id": f"{actor}/statuses/112/activity", "type": "Announce", "actor": actor,
             "published": "2024-05-01T18:01:00Z", "object": "https://other.example/users/x/statuses/9"},
            {"id": f"{actor}/statuses/113/activity", "type": "Announce", "actor": actor,
             "published": "2024-05-01T18:02:00Z", "object": "https://other.example/users/x/statuses/8"},
        ],
    }  # fmt: skip
    path = tmp_path / "outbox.json"
    path.write_text(json.dumps(outbox), encoding="utf-8")
    source, sink = _import(path)
    [post] = sink.posts
    assert post.network is Network.MASTODON and post.author.handle == "zoe@masto.example"
    assert post.text == "A1 hello #jam" and post.hashtags == ("jam",) and post.lang == "en"
    assert [reason for _where, reason in source.stats.skipped] == [
        "2 boosts (Announce) carry only the boosted post's URL: not imported"
    ]


def test_jetstream_lines_import_their_posts_and_nothing_else(tmp_path):
    did = "did:plc:abcdefghijklmnopqrstuvwx"
    lines = [
        {"did": did, "time_us": 1714586400000000, "kind": "identity",
         "identity": {"did": did, "handle": "zoe.bsky.social", "seq": 1, "time": "2024-05-01T18:00:00Z"}},
        {"did": did, "time_us": 1714586400000001, "kind": "commit",
         "commit": {"rev": "3ksxyz", "operation": "create", "collection": "app.bsky.feed.post",
                    "rkey": "3ksabc", "cid": "bafyreiabc",
                    "record": {"$type": "app.bsky.feed.post", "createdAt": "2024-05-01T18:00:00.000Z",
                               "langs": ["en"], "text": "A1 hello #jam",
                               "facets": [{"index": {"byteStart": 9, "byteEnd": 13},
                                           "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "jam"}]}]}}},
        {"did": did, "time_us": 1714586400000002, "kind": "commit",
         "commit": {"rev": "3ksxz0", "operation": "create", "collection": "app.bsky.feed.like",
                    "rkey": "3ksabd", "cid": "bafyreiabd",
                    "record": {"$type": "app.bsky.feed.like", "createdAt": "2024-05-01T18:00:01.000Z",
                               "subject": {"uri": f"at://{did}/app.bsky.feed.post/3ksabc", "cid": "bafyreiabc"}}}},
    ]  # fmt: skip
    path = tmp_path / "jetstream.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    source, sink = _import(path)
    [post] = sink.posts
    assert post.network is Network.BLUESKY
    assert post.id == f"at://{did}/app.bsky.feed.post/3ksabc"
    assert post.text == "A1 hello #jam" and post.hashtags == ("jam",)
    assert source.stats.posts == 1 and source.stats.skipped == []


def test_a_tags_csv_imports_its_rows(tmp_path):
    header = (
        "id_str,from_user,text,created_at,time,geo_coordinates,user_lang,"
        "in_reply_to_user_id_str,in_reply_to_screen_name,from_user_id_str,"
        "in_reply_to_status_id_str,source,profile_image_url,user_followers_count,"
        "user_friends_count,user_location,status_url,entities_str"
    )
    rows = [
        '1234567890123456789,hostie,"Q1 What is social business? #socbizchat",'
        "Wed May 01 18:00:00 +0000 2024,01/05/2024 18:00:00,,en,,,111,,"
        '<a href="http://twitter.com">Twitter Web Client</a>,http://pbs.twimg.com/a.png,'
        "10,20,Here,http://twitter.com/hostie/statuses/1234567890123456789,"
        '"{""hashtags"":[{""text"":""socbizchat"",""indices"":[29,40]}],""user_mentions"":[],""urls"":[]}"',
        "not-a-number,x,broken,,,,,,,,,,,,,,,",
    ]
    path = tmp_path / "TAGS - socbizchat - Archive.csv"
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    source, sink = _import(path)
    [post] = sink.posts
    assert (post.id, post.author.handle) == ("1234567890123456789", "hostie")
    assert post.hashtags == ("socbizchat",) and post.text.startswith("Q1 What")
    assert [where for where, _reason in source.stats.skipped] == [f"{path.name}:3"]
