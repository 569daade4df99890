"""Untrusted text: bidi controls are isolated in every export (issue 18, item 8)."""

from __future__ import annotations

import io

import pytest

from desktop.core import bidi
from desktop.core.normalize import Parsed
from desktop.export import posts as post_export
from desktop.export.quotes import ExportOptions, render
from desktop.store import library, quotes
from desktop.store.writer import StoreWriter
from tests.fakes.posts import make_post

RLO = "\u202e"
TRICK = f"see photo_{RLO}gnp.exe now"
OVERRIDES = "\u202a\u202b\u202d\u202e"


def _no_override_left(text: str) -> None:
    assert not any(ch in text for ch in OVERRIDES), repr(text)


def _balanced(text: str) -> None:
    depth = 0
    for ch in text:
        if ch in (bidi.LRI, bidi.RLI, bidi.FSI):
            depth += 1
        elif ch == bidi.PDI:
            depth -= 1
            assert depth >= 0, repr(text)
    assert depth == 0, repr(text)


def test_isolated_turns_overrides_into_closed_isolates():
    assert bidi.isolated("plain text") == "plain text"
    out = bidi.isolated(TRICK)
    assert out == f"{bidi.FSI}see photo_{bidi.RLI}gnp.exe now{bidi.PDI}{bidi.PDI}"
    assert bidi.isolated(f"a{bidi.PDI}{bidi.PDI}b\u202c") == f"{bidi.FSI}ab{bidi.PDI}"
    _balanced(bidi.isolated(f"{RLO}one\ntwo\u2066"))


@pytest.fixture
def hostile_quotes(tmp_path):
    writer = StoreWriter(tmp_path / "library.db", threaded=False)
    try:
        sid = writer.call(lambda ctx: library.create_session(ctx.conn, "j", hashtags=["jam"]))
        post = make_post(1, TRICK, handle="eve")
        post = post.__class__(
            **{
                **{f: getattr(post, f) for f in post.__dataclass_fields__},
                "author": post.author.__class__(
                    id="u-eve", handle="eve", display_name=f"Eve{RLO}evil"
                ),
            }
        )
        writer.ingest(sid, Parsed(posts=[post])).result()
        writer.call(lambda ctx: quotes.collect_matching(ctx.conn, sid))
        item = writer.call(lambda ctx: quotes.load_quote_list(ctx.conn, sid)).sections[0].items[0]
        writer.call(lambda ctx: quotes.set_note(ctx.conn, item.id, f"note {RLO}txt.exe"))
        return writer.call(lambda ctx: quotes.load_quote_list(ctx.conn, sid))
    finally:
        writer.close()


@pytest.mark.parametrize("fmt", ["md", "csv"])
def test_plain_text_exports_isolate_every_untrusted_field(hostile_quotes, fmt):
    out = render(hostile_quotes, fmt, options=ExportOptions(include_notes=True))
    _no_override_left(out)
    _balanced(out)
    assert f"{bidi.FSI}see photo\\_{bidi.RLI}gnp.exe now" in out or (
        f"{bidi.FSI}see photo_{bidi.RLI}gnp.exe now" in out
    )


def test_html_export_isolates_with_bdi(hostile_quotes):
    out = render(hostile_quotes, "html", options=ExportOptions(include_notes=True))
    _no_override_left(out)
    assert f"<bdi>see photo_{bidi.RLI}gnp.exe now{bidi.PDI}</bdi>" in out
    assert f"<bdi>Eve{bidi.RLI}evil{bidi.PDI}</bdi>" in out
    assert f"<bdi>note {bidi.RLI}txt.exe{bidi.PDI}</bdi>" in out


def test_posts_csv_isolates_text_and_names():
    row = {f: "" for f in post_export.FIELDS}
    row.update(text=TRICK, author_name=f"Eve{RLO}", author="eve", hashtags=[], is_host=False)
    out = io.StringIO()
    post_export.write_csv(iter([row]), out)
    _no_override_left(out.getvalue())
    _balanced(out.getvalue())
