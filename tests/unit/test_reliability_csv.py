"""CSV exports: a CR or LF inside a field never starts a row (issue 18, item 3)."""

from __future__ import annotations

import csv
import io

from desktop.core.normalize import Parsed
from desktop.export import posts as post_export
from desktop.export.quotes import ExportOptions, render
from desktop.store import library, quotes
from desktop.store.writer import StoreWriter
from tests.fakes.posts import make_post

SPLIT = "nice\r=2+2"


def _physical_lines(text: str) -> list[str]:
    """Lines as a spreadsheet that ends a row at any unquoted CR or LF sees them."""
    lines, current, quoted = [], [], False
    for ch in text:
        if ch == '"':
            quoted = not quoted
        if ch in "\r\n" and not quoted:
            lines.append("".join(current))
            current = []
            continue
        current.append(ch)
    return [line for line in lines + ["".join(current)] if line]


def test_posts_csv_quotes_fields_with_cr_or_lf_and_keeps_the_formula_guard():
    row = {f: "" for f in post_export.FIELDS}
    row.update(id=1, text=SPLIT, author_name="Eve\r+1", author="=eve", hashtags=[], is_host=False)
    out = io.StringIO()
    post_export.write_csv(iter([row, dict(row, text="a\nb")]), out)
    text = out.getvalue()
    assert len(_physical_lines(text)) == 3
    header, *body = list(csv.reader(io.StringIO(text, newline="")))
    assert [r[header.index("text")] for r in body] == [SPLIT, "a\nb"]
    assert body[0][header.index("author_name")] == "Eve\r+1"
    assert body[0][header.index("author")] == "'=eve"


def test_quotes_csv_quotes_fields_with_cr_or_lf(tmp_path):
    writer = StoreWriter(tmp_path / "library.db", threaded=False)
    try:
        sid = writer.call(lambda ctx: library.create_session(ctx.conn, "j", hashtags=["jam"]))
        post = make_post(1, SPLIT, handle="eve")
        writer.ingest(sid, Parsed(posts=[post])).result()
        writer.call(lambda ctx: quotes.collect_matching(ctx.conn, sid))
        item = writer.call(lambda ctx: quotes.load_quote_list(ctx.conn, sid)).sections[0].items[0]
        writer.call(lambda ctx: quotes.set_note(ctx.conn, item.id, "ok\r-3"))
        quote_list = writer.call(lambda ctx: quotes.load_quote_list(ctx.conn, sid))
    finally:
        writer.close()
    text = render(quote_list, "csv", options=ExportOptions(include_notes=True))
    assert len(_physical_lines(text)) == 2
    header, row = list(csv.reader(io.StringIO(text, newline="")))
    assert row[header.index("note")] == "ok\r-3"
    assert (
        row[header.index("text")].endswith(SPLIT.split("\r")[1])
        and "\r" in row[header.index("text")]
    )
