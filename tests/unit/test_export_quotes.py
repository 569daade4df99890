"""Quote-list export: golden files of the four formats on the demo jam, and
untrusted text that exports harmlessly.

Regenerate the goldens after an intended change with
``JAMDECK_UPDATE_GOLDEN=1 python3 -m pytest tests/unit/test_export_quotes.py`` and
read the diff before committing it.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
import threading
from pathlib import Path

import pytest

from desktop.app.recording import RecordingSink
from desktop.core.normalize import Parsed
from desktop.export.quotes import (
    ExportOptions,
    md_escape,
    render,
    split_urls,
    strip_answer_label,
    strip_hashtags,
)
from desktop.sources.replay import ReplaySource
from desktop.store import library, quotes
from desktop.store.quotes import load_quote_list
from desktop.store.writer import StoreWriter
from filters import compile_sql
from tests.fakes.posts import make_post

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
DEMO = Path(__file__).resolve().parents[2] / "resources" / "demo" / "demo_jam.jsonl"
UPDATE = os.environ.get("JAMDECK_UPDATE_GOLDEN") == "1"
ARTICLE = ExportOptions(strip_hashtag=True, strip_label=True, include_times=True)


def _demo_file(tmp: Path) -> Path:
    if DEMO.exists():
        return DEMO
    from tools.demo_jam.generator import write_demo  # the same jam, generated

    path = tmp / "demo_jam.jsonl"
    write_demo(path)
    return path


@pytest.fixture(scope="module")
def demo_quotes(tmp_path_factory):
    """The demo jam imported, and a write-up's worth of quotes collected and arranged."""
    tmp = tmp_path_factory.mktemp("demo")
    source = ReplaySource([_demo_file(tmp)], speed=0)
    header = source.read_header() or {}
    writer = StoreWriter(tmp / "library.db", threaded=False)
    try:
        sid = writer.call(
            lambda ctx: library.create_session(
                ctx.conn,
                "demo",
                title=header["title"],
                hashtags=header["hashtags"],
                hosts=header["hosts"],
            )
        )
        sink = RecordingSink(writer, sid)
        source.run(sink, threading.Event())
        sink.wait()
        where, params = compile_sql("min_likes:6 -is:retweet -is:question -is:host")
        writer.call(lambda ctx: quotes.collect_matching(ctx.conn, sid, where, params))
        listing = writer.call(lambda ctx: quotes.load_quote_list(ctx.conn, sid))
        items = {(i.handle, i.question): i.id for i in listing.items()}
        assert len(items) >= 12, "the demo jam changed: pick the quotes again"
        first = next(iter(listing.items()))
        last = list(listing.items())[-1]
        writer.call(
            lambda ctx: quotes.set_note(
                ctx.conn, first.id, "Opened the chat: the line everyone quoted."
            )
        )
        writer.call(
            lambda ctx: quotes.set_note(
                ctx.conn, last.id, "Follow up: ask for the list of questions."
            )
        )
        # The user's own order: the last quote of Q4 first, one Q6 quote kept aside in "Other".
        q4 = [i for i in listing.items() if i.question == 4]
        writer.call(lambda ctx: quotes.move(ctx.conn, q4[-1].id, question=4, index=0))
        q6 = [i for i in listing.items() if i.question == 6]
        writer.call(lambda ctx: quotes.move(ctx.conn, q6[0].id, question=None, index=0))
        return writer.call(
            lambda ctx: load_quote_list(ctx.conn, library.get_session(ctx.conn, sid))
        )
    finally:
        writer.close()


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
    if not path.exists():
        pytest.fail(f"no golden file {path}: run with JAMDECK_UPDATE_GOLDEN=1 and review it")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("fmt", ["md", "html", "csv", "json"])
def test_the_article_layout_matches_its_golden_file(demo_quotes, fmt):
    check_golden(f"quotes_demo.{fmt}", render(demo_quotes, fmt, options=ARTICLE))


def test_the_raw_markdown_matches_its_golden_file(demo_quotes):
    check_golden("quotes_demo_raw.md", render(demo_quotes, "md"))


def test_exports_follow_the_users_sections_order_and_notes(demo_quotes):
    with_notes = dataclasses.replace(ARTICLE, include_notes=True)
    document = json.loads(render(demo_quotes, "json", options=with_notes))
    numbers = [s["question"] for s in document["sections"]]
    assert numbers == sorted(n for n in numbers if n is not None) + [None]
    assert document["session"]["title"] == "#jamdeckdemo: community-led product design"
    assert document["session"]["quotes"] == len(demo_quotes)
    for section, listed in zip(document["sections"], demo_quotes.sections, strict=True):
        assert [q["handle"] for q in section["quotes"]] == [i.handle for i in listed.items]
        assert section["text"] == listed.text
    notes = [q["note"] for s in document["sections"] for q in s["quotes"] if q["note"]]
    assert len(notes) == 2
    # The options did their job on every quote.
    texts = [q["text"] for s in document["sections"] for q in s["quotes"]]
    assert not any("#jamdeckdemo" in t.lower() for t in texts)
    rows = list(csv.DictReader(io.StringIO(render(demo_quotes, "csv"))))
    assert len(rows) == len(demo_quotes)
    assert all(r["url"].startswith("https://") for r in rows)


# ---------------------------------------------------------------- untrusted text

HOSTILE = '<script>alert(1)</script> =HYPERLINK("http://evil","x") [click](javascript:alert(1)) *x* _y_ `z`'


@pytest.fixture
def hostile_list(tmp_path):
    writer = StoreWriter(tmp_path / "library.db", threaded=False)
    try:
        sid = writer.call(
            lambda ctx: library.create_session(
                ctx.conn, "evil", title="<b>Jam</b> & co", hashtags=["jam"]
            )
        )
        posts = [
            make_post(1, "<script>alert(1)</script>", handle="mallory"),
            make_post(2, '=HYPERLINK("http://evil","x")', handle="mallory"),
            make_post(3, HOSTILE, handle="mal_lory"),
        ]
        writer.ingest(sid, Parsed(posts=posts)).result()
        # A stored link that is not http(s) is never emitted.
        writer.call(
            lambda ctx: ctx.conn.execute(
                "UPDATE posts SET url = 'javascript:alert(1)' WHERE network_id = '1003'"
            )
        )
        writer.call(lambda ctx: quotes.collect_matching(ctx.conn, sid))
        item = writer.call(lambda ctx: quotes.load_quote_list(ctx.conn, sid)).sections[0].items[0]
        writer.call(
            lambda ctx: quotes.set_note(ctx.conn, item.id, "@evil <img src=x onerror=alert(1)>")
        )
        return writer.call(lambda ctx: quotes.load_quote_list(ctx.conn, sid))
    finally:
        writer.close()


def test_html_export_escapes_every_untrusted_string(hostile_list):
    html = render(hostile_list, "html")
    assert "<script>" not in html and "<img" not in html and "<b>" not in html
    assert 'href="javascript' not in html
    assert (
        '<p><span class="handle">@mallory</span> <span class="name">(Mallory)</span>: '
        "&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    ) in html
    assert '<p class="note">' not in html  # notes are private unless asked for
    html = render(hostile_list, "html", options=ExportOptions(include_notes=True))
    assert '<p class="note">@evil &lt;img src=x onerror=alert(1)&gt;</p>' in html
    # A URL in a post becomes a link only because it is http(s); quotes stay text.
    assert (
        '=HYPERLINK(&quot;<a href="http://evil" rel="noopener noreferrer">http://evil</a>&quot;,&quot;x&quot;)'
        " [click](javascript:alert(1)) *x* _y_ `z`</p>"
    ) in html
    assert "<title>&lt;b&gt;Jam&lt;/b&gt; &amp; co</title>" in html
    assert '<meta charset="utf-8">' in html and '<html lang="en">' in html
    # Only http(s) links: the post whose stored URL is javascript: gets no "original post".
    hrefs = [chunk.split('"')[0] for chunk in html.split('href="')[1:]]
    assert hrefs == [
        "https://x.com/mallory/status/1001",
        "http://evil",
        "https://x.com/mallory/status/1002",
        "http://evil",
    ]


def test_csv_export_neutralises_formulas(hostile_list):
    options = ExportOptions(include_notes=True)
    rows = list(csv.reader(io.StringIO(render(hostile_list, "csv", options=options))))
    header, *body = rows
    text = {r[header.index("text")] for r in body}
    assert '\'=HYPERLINK("http://evil","x")' in text
    notes = [r[header.index("note")] for r in body if r[header.index("note")]]
    # "(1)" could be a function call: this mention keeps its guard.
    assert notes == ["'@evil <img src=x onerror=alert(1)>"]
    assert all(not cell.startswith(("=", "+", "-")) for row in body for cell in row)


def test_markdown_export_cannot_inject_links_html_or_code(hostile_list):
    md = render(hostile_list, "md")
    assert "**@mallory** (Mallory): \\<script\\>alert(1)\\</script\\>" in md
    assert (
        '**@mal_lory** (Mal_Lory): \\<script\\>alert(1)\\</script\\> =HYPERLINK("<http://evil>","x") '
        "\\[click\\](javascript:alert(1)) \\*x\\* \\_y\\_ \\`z\\`"
    ) in md
    assert "@evil" not in md  # the note is private unless asked for
    md = render(hostile_list, "md", options=ExportOptions(include_notes=True))
    assert "> @evil \\<img src=x onerror=alert(1)\\>" in md
    assert "# \\<b\\>Jam\\</b\\> \\& co" in md
    assert "](<javascript" not in md and "<javascript" not in md
    # A URL that tries to carry markup stays one inert autolink.
    assert md_escape("see https://a.example/[x](javascript:alert(1))", autolinks=True) == (
        "see <https://a.example/[x](javascript:alert(1>))"
    )


@pytest.mark.parametrize(
    ("text", "pieces"),
    [
        ("see https://t.co/abc.", [(False, "see "), (True, "https://t.co/abc"), (False, ".")]),
        (
            "(https://a.example/x), b",
            [(False, "("), (True, "https://a.example/x"), (False, "), b")],
        ),
        ('"HTTPS://A.EXAMPLE"', [(False, '"'), (True, "HTTPS://A.EXAMPLE"), (False, '"')]),
        ("<https://a.example/x>", [(False, "<"), (True, "https://a.example/x"), (False, ">")]),
        ("no link: ftp://a.example", [(False, "no link: ftp://a.example")]),
    ],
)
def test_links_in_quotes_end_before_the_punctuation_around_them(text, pieces):
    assert split_urls(text) == pieces


def test_markdown_escapes_line_starts_that_would_make_headings():
    assert md_escape("line one\n# not a heading\n> not a quote") == (
        "line one  \n\\# not a heading  \n\\> not a quote"
    )


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("text", "stripped"),
    [
        ("A1: community first #socbizchat", "community first #socbizchat"),
        ("@host A2: yes, every sprint", "@host yes, every sprint"),
        ("#jamdeckdemo Q1: less asking", "#jamdeckdemo less asking"),
        (
            "great answer #a1 #jamdeckdemo https://t.co/x",
            "great answer #jamdeckdemo https://t.co/x",
        ),
        ("open reviews (A5) #jamdeckdemo", "open reviews #jamdeckdemo"),
        ("a6) grupos menores", "grupos menores"),
        ("Ａ３：全角で答える", "全角で答える"),
        ("Q1 2024 earnings were fine", "Q1 2024 earnings were fine"),  # not a label
        ("we ship in Q4", "we ship in Q4"),
        ("1/2 we started with office hours", "1/2 we started with office hours"),
    ],
)
def test_strip_label_removes_the_leading_or_trailing_label(text, stripped):
    assert strip_answer_label(text) == stripped


def test_strip_hashtag_removes_every_jam_tag_in_any_case_and_tidies_spaces():
    text = "#JamDeckDemo A1: listen first #jamdeckdemo2 , then #jamdeckdemo ship"
    assert strip_hashtags(text, ["jamdeckdemo"]) == "A1: listen first #jamdeckdemo2, then ship"
    assert strip_hashtags("no tags here  ok", ["jamdeckdemo"]) == "no tags here  ok"


def test_unknown_format_is_a_clear_error(hostile_list):
    with pytest.raises(ValueError, match="md, html, csv, json"):
        render(hostile_list, "pdf")
