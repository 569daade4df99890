"""Quote exports read like an article (issue 21, item 7): private notes stay out
unless asked for, Markdown has display names and escapes only what CommonMark
needs, a mention is no spreadsheet formula, and a Hebrew or Arabic quote keeps
its direction."""

from __future__ import annotations

import csv
import io
import json

import pytest
from markdown_it import MarkdownIt

from desktop.core import bidi
from desktop.core.quotes import QuoteItem, QuoteList, QuoteSection
from desktop.export.quotes import ExportOptions, md_escape, render
from desktop.export.safety import csv_cell

HEBREW = "@noa_cohen אנחנו מפרסמים את מפת הדרכים ומצביעים כל חודש #A7"
NOTE = "Private: ask Noa before quoting"


def _item(item_id: int, text: str, *, handle: str, name: str, note: str = "") -> QuoteItem:
    return QuoteItem(
        id=item_id,
        post_rowid=item_id,
        network_id=str(item_id),
        network="x",
        handle=handle,
        display_name=name,
        text=text,
        url=f"https://x.com/{handle}/status/{item_id}",
        created_at=1_773_338_978.0,
        note=note,
        question=1,
        position=item_id - 1,
    )


@pytest.fixture
def article() -> QuoteList:
    items = (
        _item(1, "Barely! We tried #A7", handle="dana_levi", name="Dana Levi", note=NOTE),
        _item(2, HEBREW, handle="yael_b", name="יעל ב"),
        _item(3, "@noa_cohen agreed, ship it", handle="omer", name="Omer"),
    )
    return QuoteList(
        session_id=1,
        session_name="jam",
        title="#jam: a chat",
        hashtags=("jam",),
        sections=(QuoteSection(question=1, text="Why?", items=items),),
    )


def test_notes_stay_out_of_every_format_unless_asked_for(article):
    for fmt in ("md", "html", "csv", "json"):
        assert NOTE not in render(article, fmt), fmt
        assert NOTE in render(article, fmt, options=ExportOptions(include_notes=True)), fmt
    quotes = json.loads(render(article, "json"))["sections"][0]["quotes"]
    assert all("note" not in q for q in quotes)
    assert "note" not in next(csv.reader(io.StringIO(render(article, "csv"))))


def test_markdown_names_people_and_escapes_only_markup(article):
    md = render(article, "md")
    assert md.startswith("# #jam: a chat\n")
    assert "**@dana_levi** (Dana Levi): Barely! We tried #A7  \n" in md
    assert "**@omer** (Omer): @noa_cohen agreed, ship it" in md
    # What it reads as in a CommonMark renderer: the same words, no markup.
    html = MarkdownIt("commonmark").render(md)
    assert "<h1>#jam: a chat</h1>" in html
    assert "<strong>@dana_levi</strong> (Dana Levi): Barely! We tried #A7<br />" in html
    assert "\\" not in html


@pytest.mark.parametrize(
    ("text", "block_start", "escaped", "rendered"),
    [
        ("#A7 is mine", True, "#A7 is mine", "<p>#A7 is mine</p>"),
        ("# not a heading", True, "\\# not a heading", "<p># not a heading</p>"),
        ("1. not a list", True, "1\\. not a list", "<p>1. not a list</p>"),
        ("- not a list", True, "\\- not a list", "<p>- not a list</p>"),
        ("> not a quote", False, "\\> not a quote", "<p>&gt; not a quote</p>"),
        ("_y_ and *x* and snake_case", True, "\\_y\\_ and \\*x\\* and snake_case", None),
        ("Barely! ![img](x)", True, "Barely! !\\[img\\](x)", "<p>Barely! ![img](x)</p>"),
    ],
)
def test_markdown_escapes_what_commonmark_reads_as_markup(text, block_start, escaped, rendered):
    assert md_escape(text, block_start=block_start) == escaped
    html = MarkdownIt("commonmark").render(md_escape(text))
    if rendered:
        assert html.strip() == rendered
    assert "<em>" not in html and "<img" not in html and "<h1>" not in html


def test_a_heading_cannot_be_closed_by_a_trailing_hash():
    assert md_escape("What now #", block_start=False, heading=True) == "What now \\#"
    html = MarkdownIt("commonmark").render("## " + md_escape("What now #", heading=True))
    assert html.strip() == "<h2>What now #</h2>"


@pytest.mark.parametrize(
    ("cell", "guarded"),
    [
        ("@mira_builds Nous publions la feuille de route", False),
        ("@noa_cohen Barely!", False),
        ("＠noa thanks", False),
        ("@SUM(1+9)*cmd|' /C calc'!A0", True),
        ("@x cmd|' /C calc'!A0", True),
        ("@x Sheet2!A1", True),
        ("=1+1", True),
        ("-2", True),
        ("@", True),
    ],
)
def test_a_mention_is_no_formula_but_a_formula_stays_guarded(cell, guarded):
    assert csv_cell(cell) == ("'" + cell if guarded else cell)


def test_csv_keeps_replies_as_typed(article):
    rows = list(csv.DictReader(io.StringIO(render(article, "csv"))))
    assert rows[2]["text"] == "@noa_cohen agreed, ship it"


def test_a_hebrew_quote_is_a_right_to_left_run_with_its_handle_and_tag_isolated(article):
    assert bidi.is_rtl(HEBREW) and not bidi.is_rtl("@noa_cohen agreed #A7")
    md = render(article, "md")
    iso = f"{bidi.FSI}@noa_cohen{bidi.PDI}"
    tag = f"{bidi.FSI}#A7{bidi.PDI}"
    assert (
        f"(⁧יעל ב⁩): {bidi.RLI}{iso} אנחנו מפרסמים את מפת הדרכים ומצביעים כל חודש {tag}{bidi.PDI}  \n"
        in md
    )
    html = render(article, "html")
    assert (
        '<bdi dir="rtl"><bdi>@noa_cohen</bdi> אנחנו מפרסמים את מפת הדרכים ומצביעים כל חודש '
        "<bdi>#A7</bdi></bdi>"
    ) in html
    # The data formats keep the text as it was written.
    assert json.loads(render(article, "json"))["sections"][0]["quotes"][1]["text"] == HEBREW
