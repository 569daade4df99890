"""Issue 19: real archives read right (each case on a payload made in the network's
real wire format by ``tests.fakes.wire``)."""

from __future__ import annotations

import json

from desktop.core.normalize import Parsed
from desktop.core.normalize.detect import normalize_document
from desktop.core.post import Kind
from desktop.export import posts as posts_export
from desktop.store import library
from desktop.store.db import open_library
from desktop.store.ingest import Ingestor
from filters import compile_predicate, compile_sql
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


# --- a library helper: the real ingest into a real library -------------------------------------


def _ingest(tmp_path, *documents):
    """Write the posts of ``documents`` as one session; return (conn, session id, records)."""
    tmp_path.mkdir(exist_ok=True)
    conn = open_library(tmp_path / "library.db")
    conn.execute("BEGIN")
    session_id = library.create_session(conn, "jam")
    parsed = Parsed()
    for document in documents:
        parsed.extend(normalize_document(document))
    result = Ingestor(conn).write(session_id, parsed)
    conn.execute("COMMIT")
    return conn, session_id, result.added


def _matching(conn, session_id, records, expression) -> tuple[set[int], set[int]]:
    """(rowids the predicate accepts, rowids the SQL selects)."""
    predicate = compile_predicate(expression)
    fragment, params = compile_sql(expression)
    by_sql = {
        row[0]
        for row in conn.execute(
            "SELECT sp.post_id FROM session_posts sp JOIN posts p ON p.id = sp.post_id "
            f"WHERE sp.session_id = ? AND ({fragment})",
            [session_id, *params],
        )
    }
    return {r.rowid for r in records if predicate(r)}, by_sql


def test_a_retweet_is_found_by_its_original_author_and_exported_with_it(tmp_path):
    original = wire.v2_tweet("100", "Q1 what is a jam? #jam", author_id="11", hashtags=["jam"])
    retweet = wire.v2_tweet(
        "200", "RT @alice: Q1 what is a jam? #jam", author_id="22", retweeted="100", seconds=5
    )
    carol = wire.x_user("33", "carol")
    own = wire.v2_tweet("300", "A1 mine #jam", author_id="33", seconds=9, hashtags=["jam"])
    mastodon_reblog = wire.mastodon_status(
        "900", "", acct="dave@example.social", reblog=wire.mastodon_status("901", "<p>Hi</p>")
    )
    conn, session_id, records = _ingest(
        tmp_path,
        wire.v2_page([retweet, own], users=[ALICE, BOB, carol], tweets=[original]),
        mastodon_reblog,
    )
    by_id = {r.rowid: r for r in records}
    retweet_row = next(r for r in records if r.kind == "retweet" and r.network == "x")
    reblog_row = next(r for r in records if r.network == "mastodon")
    for expression, expected in [
        ("@alice", {retweet_row.rowid}),
        ("retweets_of:alice", {retweet_row.rowid}),
        ("retweets_of:@alice -from:alice", {retweet_row.rowid}),
        ("from:alice", set()),
        ("retweets_of:bob", set()),
        ("-retweets_of:alice", set(by_id) - {retweet_row.rowid}),
        ("retweets_of:zoe", {reblog_row.rowid}),
    ]:
        assert _matching(conn, session_id, records, expression) == (expected, expected), expression

    rows = list(posts_export.to_rows(library.post_records(conn, session_id)))
    original_authors = {row["id"]: row["original_author"] for row in rows}
    assert original_authors == {"200": "alice", "300": None, "900": "zoe@origin.social"}
    assert "original_author" in posts_export.FIELDS


def test_a_word_finds_its_hashtag_form_and_a_hashtag_stays_exact(tmp_path):
    tweets = [
        wire.v2_tweet("1", "Big news from #Reliance today", author_id="11", hashtags=["Reliance"]),
        wire.v2_tweet("2", "reliance on volunteers", author_id="11", seconds=1),
        wire.v2_tweet("3", "Q1 #socbizchat", author_id="11", seconds=2, hashtags=["socbizchat"]),
        wire.v2_tweet("4", "A1 #socbiz rocks", author_id="11", seconds=3, hashtags=["socbiz"]),
        wire.v2_tweet("5", "@reliance said so", author_id="11", seconds=4),
    ]
    conn, session_id, records = _ingest(tmp_path, wire.v2_page(tweets, users=[ALICE]))
    rowid = {r.text.split()[0] + r.text.split()[-1]: r.rowid for r in records}
    one, two, three, four = (
        rowid["Bigtoday"],
        rowid["reliancevolunteers"],
        rowid["Q1#socbizchat"],
        rowid["A1rocks"],
    )
    for expression, expected in [
        ("reliance", {one, two}),
        ("RELIANCE -#reliance", {two}),
        ("#reliance", {one}),
        ("socbiz", {four}),
        ("#socbiz", {four}),
        ("socbizchat OR rocks", {three, four}),
        ('"news from reliance"', set()),  # a phrase stays word for word
    ]:
        assert _matching(conn, session_id, records, expression) == (expected, expected), expression


def test_a_mastodon_quote_pending_approval_is_a_quote():
    status = wire.mastodon_status(
        "700",
        '<p class="quote-inline">RE: <a href="https://b.example/@x/1">b.example/@x/1</a></p>'
        "<p>Agreed! #jam</p>",
        quote={"state": "pending", "quoted_status": None},
    )
    [post] = normalize_document(status).posts
    assert post.kind is Kind.QUOTE and post.is_quote
    assert post.text == "Agreed! #jam"
    assert compile_predicate("is:quote")(record_for(post))


def _edited_pair():
    first = wire.v2_tweet(
        "500", "Q1 what is a jamm? #jam", author_id="11", edit_history=["500"], hashtags=["jam"]
    )
    later = wire.v2_tweet(
        "501",
        "Q1 what is a jam? #jam",
        author_id="11",
        seconds=60,
        edit_history=["500", "501"],
        hashtags=["jam"],
    )
    return first, later


def test_an_edited_tweet_and_its_edit_are_one_post_the_latest_with_its_history(tmp_path):
    first, later = _edited_pair()
    conn, session_id, _ = _ingest(
        tmp_path,
        wire.v2_page([first], users=[ALICE]),
        wire.v2_page([later], users=[ALICE]),
        wire.v2_page([first], users=[ALICE]),  # the old version seen again, later
    )
    rows = list(library.post_records(conn, session_id))
    assert len(rows) == 1
    [row] = rows
    assert row["text"] == "Q1 what is a jam? #jam"
    assert row["id"] == "501" and row["url"].endswith("/status/501")
    assert json.loads(row["entities"])["edit_history"] == ["500", "501"]
    assert conn.execute("SELECT count(*) FROM posts").fetchone()[0] == 1
    # Searchable by the latest words only.
    fragment, params = compile_sql("jamm")
    assert not conn.execute(
        f"SELECT 1 FROM session_posts sp JOIN posts p ON p.id = sp.post_id WHERE ({fragment})",
        params,
    ).fetchall()


def test_an_edit_stored_before_its_first_version_stays_the_post(tmp_path):
    first, later = _edited_pair()
    for order in ([later, first], [first, later]):
        path = tmp_path / f"{order[0]['id']}"
        path.mkdir()
        conn, session_id, _ = _ingest(path, *[wire.v2_page([t], users=[ALICE]) for t in order])
        [row] = library.post_records(conn, session_id)
        assert (row["id"], row["text"]) == ("501", "Q1 what is a jam? #jam")
        # One batch with both versions, in either order.
        conn, session_id, _ = _ingest(path / "one", wire.v2_page(order, users=[ALICE]))
        [row] = library.post_records(conn, session_id)
        assert row["id"] == "501"


def test_cjk_text_is_found_by_a_word_in_the_predicate_and_the_index(tmp_path):
    tweets = [
        wire.v2_tweet("1", "東京で会いましょう #jam", author_id="11", hashtags=["jam"]),
        wire.v2_tweet("2", "京都に行きます", author_id="11", seconds=1),
    ]
    toot = wire.mastodon_status("9", "<p>明日は東京タワーへ</p>", seconds=2)
    conn, session_id, records = _ingest(tmp_path, wire.v2_page(tweets, users=[ALICE]), toot)
    by_text = {r.text.split()[0]: r.rowid for r in records}
    tokyo, kyoto, tower = (
        by_text["東京で会いましょう"],
        by_text["京都に行きます"],
        by_text["明日は東京タワーへ"],
    )
    for expression, expected in [
        ("東京", {tokyo, tower}),
        ("会いましょう", {tokyo}),
        ("東京タワー", {tower}),
        ("京都", {kyoto}),
        ("東京 -タワー", {tokyo}),
        ("大阪", set()),
    ]:
        assert _matching(conn, session_id, records, expression) == (expected, expected), expression
