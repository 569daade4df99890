"""The quote list: collect, reorder within and between sections, notes, removal, persistence."""

from __future__ import annotations

import pytest

from desktop.core.normalize import Parsed
from desktop.core.post import Kind
from desktop.store import library, quotes
from desktop.store.db import open_library
from desktop.store.writer import StoreWriter
from tests.fakes.posts import make_post


@pytest.fixture
def db(tmp_path):
    return tmp_path / "library.db"


@pytest.fixture
def jam(db):
    """A session with Q1, Q2 and answers; returns (session id, {post id: rowid})."""
    writer = StoreWriter(db, threaded=False)
    sid = writer.call(
        lambda ctx: library.create_session(
            ctx.conn, "jam", title="Our jam", hashtags=["jamdeckdemo"], hosts=["host"]
        )
    )
    posts = [
        make_post(1, "Q1: What is a jam? #jamdeckdemo", handle="host"),
        make_post(2, "A1: a chat on a hashtag #jamdeckdemo", handle="ann"),
        make_post(3, "A1: a party with homework", handle="bo"),
        make_post(4, "Q2: Why do you come? #jamdeckdemo", handle="host"),
        make_post(5, "A2: the people", handle="cy"),
        make_post(6, "A2: the questions", handle="dee"),
        make_post(-30, "early bird, hello all", handle="eve"),  # before Q1: no question
    ]
    writer.ingest(sid, Parsed(posts=posts)).result()
    rowids = dict(
        writer.call(lambda ctx: ctx.conn.execute("SELECT network_id, id FROM posts").fetchall())
    )
    writer.close()
    return sid, rowids


@pytest.fixture
def writer(db, jam):
    w = StoreWriter(db, threaded=False)
    yield w
    w.close()


def layout(conn, sid):
    qlist = quotes.load_quote_list(conn, sid)
    return [(s.question, [(i.handle, i.position) for i in s.items]) for s in qlist.sections]


def read(db, sid):
    conn = open_library(db)
    try:
        return layout(conn, sid)
    finally:
        conn.close()


def test_collect_puts_posts_in_their_question_sections_and_is_idempotent(writer, jam, db):
    sid, ids = jam
    for pid in ("1005", "1002", "970", "1003"):
        writer.call(lambda ctx, pid=pid: quotes.collect(ctx.conn, sid, ids[pid]))
    again = writer.call(lambda ctx: quotes.collect(ctx.conn, sid, ids["1002"]))
    assert again.added == 0 and again.post_rowids == ()
    assert read(db, sid) == [
        (1, [("ann", 0), ("bo", 1)]),
        (2, [("cy", 0)]),
        (None, [("eve", 0)]),  # "Other" comes last
    ]


def test_the_list_has_the_session_title_and_the_hosts_question_texts(writer, jam, db):
    sid, ids = jam
    writer.call(lambda ctx: quotes.collect(ctx.conn, sid, ids["1005"]))
    writer.call(lambda ctx: quotes.collect(ctx.conn, sid, ids["1002"], question=2))
    conn = open_library(db)
    try:
        qlist = quotes.load_quote_list(conn, library.get_session(conn, "jam"))
        assert (qlist.title, qlist.hashtags, len(qlist)) == ("Our jam", ("jamdeckdemo",), 2)
        [q2] = qlist.sections
        assert (q2.question, q2.title, q2.text) == (2, "Q2", "Why do you come?")
        assert [(i.handle, i.display_name, i.text, i.url) for i in q2.items] == [
            ("cy", "Cy", "A2: the people", "https://x.com/cy/status/1005"),
            ("ann", "Ann", "A1: a chat on a hashtag #jamdeckdemo", "https://x.com/ann/status/1002"),
        ]
        # The panel also wants the empty sections as drop targets.
        empty = quotes.load_quote_list(conn, sid, include_empty=True)
        assert [(s.question, len(s.items)) for s in empty.sections] == [(1, 0), (2, 2), (None, 0)]
    finally:
        conn.close()


def test_reorder_within_and_between_sections_keeps_positions_dense(writer, jam, db):
    sid, ids = jam
    items = {}
    for pid in ("1002", "1003", "1005", "1006"):
        items[pid] = writer.call(
            lambda ctx, pid=pid: quotes.collect(ctx.conn, sid, ids[pid])
        ).item_ids[0]
    # Within Q1: bo first.
    writer.call(lambda ctx: quotes.move(ctx.conn, items["1003"], question=1, index=0))
    assert read(db, sid) == [(1, [("bo", 0), ("ann", 1)]), (2, [("cy", 0), ("dee", 1)])]
    # Between: dee to the middle of Q1; Q2 closes its gap.
    writer.call(lambda ctx: quotes.move(ctx.conn, items["1006"], question=1, index=1))
    assert read(db, sid) == [(1, [("bo", 0), ("dee", 1), ("ann", 2)]), (2, [("cy", 0)])]
    # To "Other", past the end: last.
    writer.call(lambda ctx: quotes.move(ctx.conn, items["1002"], question=None, index=99))
    # set_section: to the end of another section.
    writer.call(lambda ctx: quotes.set_section(ctx.conn, items["1003"], 2))
    assert read(db, sid) == [(1, [("dee", 0)]), (2, [("cy", 0), ("bo", 1)]), (None, [("ann", 0)])]


def test_notes_and_removal_persist_across_reopening_the_library(writer, jam, db):
    sid, ids = jam
    a = writer.call(lambda ctx: quotes.collect(ctx.conn, sid, ids["1002"])).item_ids[0]
    b = writer.call(lambda ctx: quotes.collect(ctx.conn, sid, ids["1003"])).item_ids[0]
    c = writer.call(lambda ctx: quotes.collect(ctx.conn, sid, ids["1005"])).item_ids[0]
    writer.call(lambda ctx: quotes.set_note(ctx.conn, b, "  lead with this one "))
    writer.call(lambda ctx: quotes.remove(ctx.conn, a))
    changed = writer.call(lambda ctx: quotes.uncollect(ctx.conn, sid, ids["1005"]))
    assert changed.removed == 1 and changed.post_rowids == (ids["1005"],)
    writer.close()

    conn = open_library(db)  # a new connection: what a restarted window reads
    try:
        qlist = quotes.load_quote_list(conn, sid)
        [section] = qlist.sections
        [item] = section.items
        assert (item.id, item.handle, item.position, item.note) == (
            b,
            "bo",
            0,
            "lead with this one",
        )
        assert c not in {i.id for i in qlist.items()}
        assert quotes.collected_rowids(conn, sid) == {ids["1003"]}
        # The deck's "collected" mark reads the same table.
        views = library.post_views(conn, sid, [ids["1003"], ids["1002"]])
        assert views[ids["1003"]].collected and not views[ids["1002"]].collected
    finally:
        conn.close()


def test_toggle_collects_then_takes_out(writer, jam, db):
    sid, ids = jam
    first = writer.call(lambda ctx: quotes.toggle(ctx.conn, sid, ids["1006"]))
    assert first.added == 1
    second = writer.call(lambda ctx: quotes.toggle(ctx.conn, sid, ids["1006"]))
    assert second.removed == 1 and read(db, sid) == []


def test_collect_matching_adds_every_match_in_time_order(writer, jam, db):
    from filters import compile_sql

    sid, ids = jam
    writer.call(
        lambda ctx: quotes.collect(ctx.conn, sid, ids["1006"])
    )  # already there: stays first
    where, params = compile_sql("-is:question")
    changed = writer.call(lambda ctx: quotes.collect_matching(ctx.conn, sid, where, params))
    assert changed.added == 4
    assert read(db, sid) == [
        (1, [("ann", 0), ("bo", 1)]),
        (2, [("dee", 0), ("cy", 1)]),
        (None, [("eve", 0)]),
    ]
    again = writer.call(lambda ctx: quotes.collect_matching(ctx.conn, sid, where, params))
    assert again.added == 0


def test_a_collected_retweet_is_quoted_as_the_original(db, jam):
    sid, _ids = jam
    writer = StoreWriter(db, threaded=False)
    try:
        original = make_post(7, "A2: the people who stay after", handle="fay")
        rt = make_post(
            8,
            "RT @fay: A2: the people who stay after",
            handle="gus",
            kind=Kind.RETWEET,
            retweeted_id=original.id,
        )
        result = writer.ingest(sid, Parsed(posts=[rt], referenced=[original])).result()
        writer.call(lambda ctx: quotes.collect(ctx.conn, sid, result.added[0].rowid))
        qlist = writer.call(lambda ctx: quotes.load_quote_list(ctx.conn, sid), notify=False)
    finally:
        writer.close()
    [item] = qlist.items()
    assert (item.handle, item.text, item.url) == (
        "fay",
        "A2: the people who stay after",
        "https://x.com/fay/status/1007",
    )


def test_unknown_items_and_posts_are_specific_errors(writer, jam):
    sid, _ids = jam
    with pytest.raises(quotes.QuoteItemNotFound):
        writer.call(lambda ctx: quotes.set_note(ctx.conn, 12345, "x"))
    with pytest.raises(quotes.PostNotFound):
        writer.call(lambda ctx: quotes.collect(ctx.conn, sid, 98765))


def test_quotes_add_and_list_commands(db, jam):
    import click
    from click.testing import CliRunner

    from desktop.cli.quotes import quotes as quotes_group

    root = click.Group("jamdeck", commands={"quotes": quotes_group})
    runner = CliRunner()
    data = ["--data-dir", str(db.parent)]
    added = runner.invoke(root, ["quotes", "add", "jam", "--filter", "A1 OR from:cy", *data])
    assert added.exit_code == 0, added.output
    assert "Collected 3 posts" in added.output
    listed = runner.invoke(root, ["quotes", "list", "jam", *data])
    assert listed.exit_code == 0, listed.output
    assert listed.output.splitlines()[:6] == [
        "Q1: What is a jam?",
        "  1. @ann: A1: a chat on a hashtag #jamdeckdemo",
        "     https://x.com/ann/status/1002",
        "  2. @bo: A1: a party with homework",
        "     https://x.com/bo/status/1003",
        "Q2: Why do you come?",
    ]
    assert listed.output.splitlines()[-1] == "3 quotes in 2 sections."
    missing = runner.invoke(root, ["quotes", "list", "nope", *data])
    assert missing.exit_code == 1 and "no session named 'nope'" in missing.output
