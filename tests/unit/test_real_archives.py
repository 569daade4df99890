"""Issue 19: real archives read right (each case on a payload made in the network's
real wire format by ``tests.fakes.wire``)."""

from __future__ import annotations

from desktop.core.normalize.detect import normalize_document
from desktop.core.post import Kind
from tests.fakes import wire

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
