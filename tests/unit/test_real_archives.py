"""Issue 19: real archives read right (each case on a payload made in the network's
real wire format by ``tests.fakes.wire``)."""

from __future__ import annotations

from desktop.core.normalize.detect import normalize_document
from desktop.core.post import Kind
from filters import compile_predicate
from tests.fakes import wire
from tests.fakes.records import record_for

ALICE = wire.x_user("11", "alice")
BOB = wire.x_user("22", "bob")


def test_a_retweet_of_a_photo_post_has_media_when_the_media_is_not_expanded():
    # twarc2's default expansions: the original's media_keys, no includes.media.
    original = wire.v2_tweet("100", "look at this #jam", author_id="11", media_keys=["3_900"])
    retweet = wire.v2_tweet("200", "RT @alice: look at this #jam", author_id="22", retweeted="100")
    parsed = normalize_document(wire.v2_page([retweet], users=[ALICE, BOB], tweets=[original]))
    [post] = parsed.posts
    assert post.kind is Kind.RETWEET
    assert post.has_media
    assert post.media[0].type == "image"
    [referenced] = parsed.referenced
    assert referenced.has_media


def test_a_retweet_carries_its_originals_public_metrics_in_v2_and_v1():
    original = wire.v2_tweet("100", "Q1 #jam", author_id="11", metrics=(20, 13, 73, 3))
    retweet = wire.v2_tweet(
        "200", "RT @alice: Q1 #jam", author_id="22", retweeted="100", metrics=(20, 0, 0, 0)
    )
    [v2] = normalize_document(wire.v2_page([retweet], users=[ALICE, BOB], tweets=[original])).posts

    alice, bob = wire.v1_user("11", "alice"), wire.v1_user("22", "bob")
    original_v1 = wire.v1_tweet("100", "Q1 #jam", user=alice, retweets=20, likes=73)
    retweet_v1 = wire.v1_tweet(
        "200", "RT @alice: Q1 #jam", user=bob, retweets=20, retweeted_status=original_v1
    )
    [v1] = normalize_document(retweet_v1).posts

    for post in (v2, v1):
        assert post.kind is Kind.RETWEET
        assert (post.metrics.retweets, post.metrics.likes) == (20, 73)
        assert compile_predicate("min_likes:50")(record_for(post))
