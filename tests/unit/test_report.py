"""The jam report's model and formats on a small library: the figures, the
first-timers, the transcript's groups, and hostile text kept harmless."""

from __future__ import annotations

import io
import json
import re

import pytest

from desktop.app.report import build_report, report_document, write_report
from desktop.core.normalize import Parsed
from desktop.core.post import Kind
from desktop.export import report as report_export
from desktop.store import library
from desktop.store.db import open_library
from desktop.store.writer import StoreWriter
from tests.fakes.posts import make_post

HOSTILE = "<script>alert(1)</script> [click](javascript:alert(1)) <img src=x onerror=alert(1)> $x$"


def _session(writer, name, posts, *, hashtags=("jam",)):
    sid = writer.call(
        lambda ctx: library.create_session(ctx.conn, name, hashtags=list(hashtags), hosts=["host"])
    )
    writer.ingest(sid, Parsed(posts=posts)).result()
    return sid


@pytest.fixture
def conn(tmp_path):
    path = tmp_path / "library.db"
    with StoreWriter(path, threaded=False) as writer:
        # An earlier jam on the same hashtag: ann was there.
        _session(writer, "last week", [make_post(1, "A1: hi #jam", handle="ann", minutes=-10_000)])
        posts = [
            make_post(9, "early bird #jam", handle="eve", minutes=0),
            make_post(10, "Q1: What is a jam? #jam", handle="host", minutes=1),
            make_post(11, "A1: a chat #jam", handle="ann", minutes=1.5, likes=5, link=True),
            make_post(12, HOSTILE + " A1", handle="bo", minutes=2, likes=2, link=True),
            make_post(
                13,
                "RT @ann: A1: a chat",
                handle="cy",
                minutes=2.5,
                kind=Kind.RETWEET,
                retweeted_id="1011",
            ),
            make_post(14, "I think so too #jam", handle="dee", minutes=3),  # inferred: Q1
            make_post(15, "Q2: Why come? #jam", handle="host", minutes=20),
            make_post(16, "A2: the people", handle="eve", minutes=21),
        ]
        _session(writer, "jam", posts)
    conn = open_library(path)
    yield conn
    conn.close()


def test_the_figures_of_a_small_jam(conn):
    report = build_report(conn, "jam")
    document = report_document(report)
    assert document["posts"] == 8
    assert document["participants"] == 6  # eve, host, ann, bo, cy, dee
    assert (document["returning_participants"], document["first_time_participants"]) == (1, 5)
    q1, q2 = document["questions"]
    assert (q1["number"], q1["posts"], q1["inferred"]) == (1, 5, 1)
    assert q1["labelled"] == 4 and q1["first_answer_after_s"] == 30
    assert [a["handle"] for a in q1["top_answers"]] == ["ann", "bo"]  # by engagement
    assert (q2["posts"], q2["first_answer_after_s"]) == (2, 60)
    assert document["unassigned_posts"] == 1
    assert sum(m["posts"] for m in document["volume"]) == 8
    assert len(document["volume"]) == 22  # minute 0 to 21, the quiet ones too
    assert [h["handle"] for h in document["hosts"]] == ["host"]
    assert document["hosts"][0]["questions_asked"] == 2
    retweeter = next(p for p in document["top_participants"] if p["handle"] == "cy")
    assert (retweeter["posts"], retweeter["answers"], retweeter["retweets_made"]) == (1, 0, 1)
    assert document["links"] == [{"url": "https://example.com/a", "posts": 2}]


def test_the_transcript_groups_posts_by_question_in_time_order(conn):
    out = io.StringIO()
    write_report(conn, "jam", "html", out)
    page = out.getvalue()
    transcript = page[page.index('<section class="transcript"') :]
    headings = [
        "Before the first question",
        "Q1: What is a jam?",
        "Q2: Why come?",
    ]
    positions = [transcript.index(h) for h in headings]
    assert positions == sorted(positions)
    assert transcript.count('<div class="post') == 8


def test_hostile_text_stays_text_in_every_format(conn, tmp_path):
    for fmt in ("html", "md", "json"):
        out = io.StringIO()
        write_report(conn, "jam", fmt, out, charts_dir=tmp_path if fmt == "md" else None)
        text = out.getvalue()
        if fmt == "json":
            answers = json.loads(text)["questions"][0]["top_answers"]
            assert any("<script>" in a["text"] for a in answers)  # data stays data
            continue
        if fmt == "html":
            assert "<script" not in text and "<img" not in text
            assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
            assert "javascript:" not in text.replace("](javascript:alert(1))", "")
            assert 'href="javascript' not in text
        else:  # Markdown: every bracket escaped, so no tag, link or image comes out
            assert re.search(r"(?<!\\)[<\[]script|(?<!\\)<img|(?<!\\)\[click", text) is None
            assert "\\<script\\>" in text and "\\[click\\]" in text


def test_json_has_the_documented_fields(conn):
    document = json.loads(report_export.to_json(report_document(build_report(conn, "jam"))))
    assert {"posts", "participants", "questions", "top_participants", "volume"} <= set(document)
    assert set(document["questions"][0]) >= {
        "number",
        "text",
        "asked_at",
        "posts",
        "labelled",
        "inferred",
    }
    assert set(document["top_participants"][0]) >= {"handle", "network", "posts"}
    assert set(document["volume"][0]) >= {"minute", "posts"}


def test_an_empty_session_has_a_report(conn, tmp_path):
    with StoreWriter(tmp_path / "library.db", threaded=False):
        pass
    writer = StoreWriter(tmp_path / "other.db", threaded=False)
    _session(writer, "empty", [])
    writer.close()
    other = open_library(tmp_path / "other.db")
    try:
        document = report_document(build_report(other, "empty"))
        assert (document["posts"], document["volume"], document["questions"]) == (0, [], [])
        out = io.StringIO()
        write_report(other, "empty", "html", out)
        assert "The full transcript" in out.getvalue()
    finally:
        other.close()


def test_a_session_on_several_networks_counts_each_minute_by_network(tmp_path):
    from desktop.core.post import Network

    with StoreWriter(tmp_path / "library.db", threaded=False) as writer:
        posts = [
            make_post(1, "Q1: Where are you? #jam", handle="host", minutes=0),
            make_post(2, "A1: here", handle="ann", minutes=0.5),
            make_post(3, "A1: there", handle="bo", minutes=0.7, network=Network.BLUESKY),
            make_post(4, "A1: everywhere", handle="cy", minutes=2, network=Network.MASTODON),
        ]
        _session(writer, "mixed", posts)
    conn = open_library(tmp_path / "library.db")
    try:
        document = report_document(build_report(conn, "mixed"))
    finally:
        conn.close()
    assert document["networks"] == {"x": 2, "bluesky": 1, "mastodon": 1}
    assert [m["by_network"] for m in document["volume"]] == [
        {"bluesky": 1, "x": 2},
        {},
        {"mastodon": 1},
    ]
    assert [m["posts"] for m in document["volume"]] == [3, 0, 1]


def test_each_question_shows_its_collected_quotes_first(conn, tmp_path):
    from desktop.store import quotes

    sid, rowid = conn.execute(
        "SELECT sp.session_id, p.id FROM posts p JOIN session_posts sp ON sp.post_id = p.id "
        "JOIN sessions s ON s.id = sp.session_id WHERE s.name = 'jam' AND p.text LIKE 'A1: a chat%'"
    ).fetchone()
    with StoreWriter(tmp_path / "library.db", threaded=False) as writer:
        writer.call(lambda ctx: quotes.collect(ctx.conn, sid, rowid))
        writer.call(lambda ctx: quotes.set_note(ctx.conn, 1, "<b>the</b> definition"))
    for fmt in ("html", "md"):
        out = io.StringIO()
        write_report(conn, "jam", fmt, out)
        text = out.getvalue()
        q1 = text[text.index("What is a jam?") : text.index("Why come?")]
        assert q1.index("Collected quotes") < q1.index("Most-engaged answers"), fmt
        assert "&lt;b&gt;the&lt;/b&gt; definition" in q1 if fmt == "html" else "\\<b\\>" in q1
