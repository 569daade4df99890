"""The fast JSON path (msgspec) gives the standard library's results, and the
archive reader that uses it on raw bytes reads every line ending, encoding
slip and broken line as before."""

from __future__ import annotations

import dataclasses
import gzip
import json
import math

import pytest

from desktop.core import jsonio
from desktop.sources.replay import read_documents

DOCUMENTS = [
    '{"id": 1800000000000000001, "text": "caf\\u00e9 \\u2028 na\\u00efve"}',
    '{"big": 123456789012345678901234567890, "neg": -18446744073709551617}',
    '{"a": 1, "a": 2}',
    '[1.5, -0.0, 1e16, 1e-7, true, false, null, ""]',
    '{"nested": {"list": [{"k": "v"}], "emoji": "\\ud83d\\ude00"}}',
    '{"lone": "\\ud800"}',  # a lone surrogate: msgspec refuses, json takes it
    "[NaN, Infinity, -Infinity, 1e400]",  # not JSON, but json.loads reads them
    '  {"padded": true}  \n',
]


@pytest.mark.parametrize("text", DOCUMENTS)
def test_loads_is_json_loads(text):
    expected = json.loads(text)
    for data in (text, text.encode("utf-8", "surrogatepass")):
        got = jsonio.loads(data)
        assert repr(got) == repr(expected)  # repr: NaN != NaN, and int vs float shows


def test_integers_beyond_64_bits_stay_exact():
    # orjson would give 1.2345678901234568e+29 here: the reason for msgspec.
    assert (
        jsonio.loads(b'{"n": 123456789012345678901234567890}')["n"]
        == 123456789012345678901234567890
    )


def test_undecodable_bytes_become_replacement_characters():
    assert jsonio.loads(b'{"t": "a\xffb"}') == {"t": "a\ufffdb"}


@pytest.mark.parametrize("bad", ['{"a": 1', "[1,]", "{'a': 1}", "", "tru"])
def test_broken_json_raises_the_standard_error_and_message(bad):
    with pytest.raises(json.JSONDecodeError) as expected:
        json.loads(bad)
    with pytest.raises(json.JSONDecodeError) as got:
        jsonio.loads(bad)
    assert (got.value.msg, got.value.colno) == (expected.value.msg, expected.value.colno)


@pytest.mark.parametrize("text", [d for d in DOCUMENTS if "NaN" not in d])
def test_dumps_writes_the_same_json_value(text):
    value = json.loads(text)
    written = jsonio.dumps(value)
    assert repr(json.loads(written)) == repr(value)
    # Character for character, but for the spelling of exponents (1e16, not 1e+16).
    expected = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    assert written == expected.replace("e+16", "e16").replace("e-07", "e-7")


def test_dumps_keeps_non_ascii_and_writes_non_finite_numbers_as_null():
    assert jsonio.dumps({"t": "café 😀"}) == '{"t":"café 😀"}'
    assert jsonio.dumps([math.nan, math.inf]) == "[null,null]"
    assert jsonio.dumps({"t": "\ud800"}) == json.dumps({"t": "\ud800"}, ensure_ascii=False).replace(
        " ", ""
    )


@pytest.mark.parametrize("text", [d for d in DOCUMENTS if "NaN" not in d])
def test_dumps_utf8_is_valid_utf8_of_the_same_json_value(text):
    value = json.loads(text)
    written = jsonio.dumps_utf8(value)
    assert repr(json.loads(written.decode("utf-8"))) == repr(value)  # strict: no surrogates
    if "\\ud800" not in text:
        assert written == jsonio.dumps(value).encode()
    else:  # the lone surrogate stays an escape
        assert written == b'{"lone":"\\ud800"}'


def test_stored_raw_json_is_text_even_with_a_lone_surrogate(tmp_path):
    """The posts table gets the raw JSON as UTF-8 bytes (CAST to text in the
    SQL): what comes back is text, and the surrogate's escape survives."""
    from desktop.core.normalize import Parsed
    from desktop.store import library
    from desktop.store.writer import StoreWriter
    from tests.fakes.posts import make_post

    post = make_post(1, "A1: café 😀")
    odd = dataclasses.replace(make_post(2, "fine"), raw={"t": "\ud800"})
    with StoreWriter(tmp_path / "lib.db") as writer:
        sid = writer.call(lambda ctx: library.create_session(ctx.conn, "jam", hashtags=["x"]))
        writer.ingest(sid, Parsed(posts=[post, odd])).result()
        writer.ingest(sid, Parsed(posts=[odd])).result()  # received again: an update
        rows = writer.call(
            lambda ctx: ctx.conn.execute(
                "SELECT typeof(raw), raw FROM posts ORDER BY id"
            ).fetchall(),
            notify=False,
        )
    assert rows == [("text", '{"id":"1001","text":"A1: café 😀"}'), ("text", '{"t":"\\ud800"}')]


# ------------------------------------------------------------------ the archive reader


def _read(path):
    errors = []
    docs = list(read_documents(path, on_error=lambda where, why: errors.append((where, why))))
    return [(d.where, d.obj) for d in docs], errors


LINES = ['{"n": 1}', '{"n": 123456789012345678901234567890}', '{"t": "caf\u00e9"}']


@pytest.mark.parametrize("ending", ["\n", "\r\n", "\r"])
def test_jsonl_with_any_line_ending(tmp_path, ending):
    path = tmp_path / "a.jsonl"
    path.write_bytes(("\ufeff" + ending.join(LINES) + ending).encode())
    docs, errors = _read(path)
    assert errors == []
    assert [obj for _, obj in docs] == [json.loads(line) for line in LINES]
    assert [where for where, _ in docs] == ["a.jsonl:1", "a.jsonl:2", "a.jsonl:3"]


def test_a_broken_line_is_reported_with_its_place_and_the_rest_is_read(tmp_path):
    path = tmp_path / "b.jsonl.gz"
    body = "\n".join([LINES[0], '{"cut": ', "", " \t ", LINES[2]]) + "\n"  # blank lines: skipped
    path.write_bytes(gzip.compress(body.encode()))
    docs, errors = _read(path)
    assert [obj for _, obj in docs] == [json.loads(LINES[0]), json.loads(LINES[2])]
    assert len(errors) == 1 and errors[0][0] == "b.jsonl.gz:2"
    assert errors[0][1].startswith("not valid JSON: Expecting value")


def test_a_line_with_bad_utf8_is_read_with_replacement_characters(tmp_path):
    path = tmp_path / "c.jsonl"
    path.write_bytes(b'{"t": "a\xffb"}\n{"n": 2}\n')
    docs, errors = _read(path)
    assert errors == []
    assert [obj for _, obj in docs] == [{"t": "a\ufffdb"}, {"n": 2}]


def test_a_pretty_printed_document_is_one_document(tmp_path):
    path = tmp_path / "page.json"
    path.write_text(json.dumps({"data": [{"id": "1", "text": "é"}]}, indent=2), encoding="utf-8")
    docs, errors = _read(path)
    assert errors == [] and docs == [("page.json", {"data": [{"id": "1", "text": "é"}]})]
