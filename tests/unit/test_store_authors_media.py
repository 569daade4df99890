"""What a row needs of people and media, read back from the cache (issue 21.8): an
author's picture survives a partial sighting, a retweet shows its original's
picture, media keep their alt texts, a quote carries its quoted post."""

from __future__ import annotations

import dataclasses

import pytest

from desktop.core.normalize import Parsed
from desktop.core.post import Kind, Media
from desktop.store import library
from desktop.store.db import open_library
from desktop.store.writer import StoreWriter
from tests.fakes.posts import make_post

PIC = "https://cdn.example/alice.png"


@pytest.fixture
def writer(tmp_path):
    w = StoreWriter(tmp_path / "library.db")
    yield w
    w.close()


def views(writer, tmp_path, posts):
    sid = writer.call(lambda ctx: library.create_session(ctx.conn, "jam", hashtags=["jam"]))
    for batch in posts:
        writer.ingest(sid, Parsed(posts=batch)).result()
    conn = open_library(tmp_path / "library.db")
    ids = [r[0] for r in conn.execute("SELECT id FROM posts ORDER BY id")]
    found = library.post_views(conn, sid, ids)
    return {v.network_id: v for v in found.values()}


def with_author(post, **fields):
    return dataclasses.replace(post, author=dataclasses.replace(post.author, **fields))


def test_a_partial_sighting_of_an_author_keeps_the_known_picture_and_handle(writer, tmp_path):
    first = with_author(make_post(1, "A1 hi", handle="alice"), avatar_url=PIC)
    # A quoted post's bare record (Bluesky) knows its author by id only, with no picture.
    bare = with_author(make_post(2, "A1 later"), handle="u-alice", display_name="", avatar_url=None)
    found = views(writer, tmp_path, [[first], [bare]])
    assert found[bare.id].avatar_url == PIC
    assert found[bare.id].author_name == "Alice"
    assert found[first.id].avatar_url == PIC


def test_a_retweet_row_shows_the_originals_picture(writer, tmp_path):
    original = with_author(make_post(1, "A1 the original", handle="alice"), avatar_url=PIC)
    retweet = with_author(
        make_post(2, "RT @alice: A1 the original", handle="bob", kind=Kind.RETWEET),
        avatar_url="https://cdn.example/bob.png",
    )
    retweet = dataclasses.replace(retweet, retweeted_id=original.id)
    found = views(writer, tmp_path, [[original, retweet]])
    assert found[retweet.id].shown_avatar_url == PIC


def test_media_and_the_quoted_post_reach_the_view(writer, tmp_path):
    quoted = dataclasses.replace(
        with_author(make_post(1, "Q1 the question", handle="host"), avatar_url=PIC),
        media=(Media("image", "https://pbs.twimg.com/media/abc.jpg", "a whiteboard"),),
    )
    quote = dataclasses.replace(
        make_post(2, "A1 quoting", handle="ann"), kind=Kind.QUOTE, quoted_id=quoted.id
    )
    found = views(writer, tmp_path, [[quoted, quote]])
    media = found[quoted.id].media
    assert [(m.type, m.alt_text) for m in media] == [("image", "a whiteboard")]
    assert media[0].thumbnail_url == "https://pbs.twimg.com/media/abc.jpg?name=small"
    card = found[quote.id].quoted
    assert (card.handle, card.name, card.avatar_url, card.text) == (
        "host",
        "Host",
        PIC,
        "Q1 the question",
    )
    assert card.thumbnails[0].alt_text == "a whiteboard"
    assert found[quoted.id].quoted is None
