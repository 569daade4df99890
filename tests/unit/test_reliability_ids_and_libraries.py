"""Bad libraries give one clear line; ids of the wrong type are malformed (issue 18, item 7)."""

from __future__ import annotations

import json
import os
import sqlite3
import threading

import pytest

from desktop.app.library import Library, LibraryError, open_reader
from desktop.app.recording import SessionRecording
from desktop.core.normalize import MalformedPayload, Parsed
from desktop.core.normalize.detect import normalize_document
from desktop.sources.base import Source
from desktop.store import library
from desktop.store.db import StoreError
from tests.fakes.archive import stream_lines
from tests.fakes.posts import make_post

BAD_IDS = [{"x": 1}, [1, 2], -5, "1" * 400, 10**400, True, "", "12/../34", "a b"]


def _x_v2(tweet_id):
    doc = json.loads(next(stream_lines(1)))
    doc["data"]["id"] = tweet_id
    return doc


def _x_v1(tweet_id):
    return {
        "id": tweet_id,
        "text": "A1 hello",
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "user": {"id": 7, "id_str": "7", "screen_name": "eve", "name": "Eve"},
    }


def _mastodon(status_id):
    return {
        "id": status_id,
        "uri": "https://m.example/statuses/1",
        "url": "https://m.example/@eve/1",
        "created_at": "2026-05-01T18:00:00.000Z",
        "content": "<p>A1 hello</p>",
        "account": {"id": "7", "acct": "eve", "username": "eve", "display_name": "Eve"},
        "tags": [],
        "mentions": [],
        "media_attachments": [],
    }


@pytest.mark.parametrize("make", [_x_v2, _x_v1, _mastodon], ids=["x_v2", "x_v1", "mastodon"])
def test_ids_of_the_wrong_type_are_malformed(make):
    good = normalize_document(make("1234567890"))
    assert [p.id for p in good.posts] == ["1234567890"]
    for bad in BAD_IDS:
        with pytest.raises(MalformedPayload, match="id"):
            normalize_document(make(bad))


def _one_line(message: str) -> None:
    assert message and "\n" not in message and "Traceback" not in message


def test_an_uncreatable_data_dir_is_one_clear_line(tmp_path):
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the data directory should be")
    for opener in (Library.open, open_reader):
        with pytest.raises(LibraryError) as caught:
            opener(blocker / "data")
        _one_line(str(caught.value))
        assert "cannot create the data directory" in str(caught.value)
    assert blocker.read_text().startswith("a file")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes read-only files")
def test_a_read_only_library_is_one_clear_line(tmp_path):
    Library.open(tmp_path / "data").close()
    path = tmp_path / "data" / "library.db"
    os.chmod(path, 0o444)
    os.chmod(tmp_path / "data", 0o555)
    try:
        with pytest.raises(LibraryError) as caught:
            Library.open(tmp_path / "data")
        _one_line(str(caught.value))
        assert "cannot be written" in str(caught.value)
    finally:
        os.chmod(tmp_path / "data", 0o755)


class OneBatch(Source):
    network = "x"
    name = "one"

    def run(self, sink, stop: threading.Event) -> None:
        for start in range(0, 400, 50):
            if stop.is_set():
                return
            sink.on_posts(
                self, Parsed(posts=[make_post(n, "w " * 200) for n in range(start, start + 50)])
            )


def test_a_corrupted_page_is_one_clear_line_and_stops_the_recording(tmp_path):
    data = tmp_path / "data"
    with Library.open(data) as lib:
        sid = lib.writer.call(lambda ctx: library.create_session(ctx.conn, "j", hashtags=["x"]))
        posts = [make_post(n, "word " * 300, handle=f"u{n}") for n in range(600)]
        lib.writer.ingest(sid, Parsed(posts=posts)).result()
    path = data / "library.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'posts'").fetchone()[0]
    page_size = conn.execute("PRAGMA page_size").fetchone()[0]
    conn.close()
    with open(path, "r+b") as f:  # the posts table's root page: garbage
        f.seek((root - 1) * page_size)
        f.write(b"\xa5" * page_size)
    try:
        lib = Library.open(data)
    except LibraryError as exc:
        _one_line(str(exc))
        assert "damaged" in str(exc)
        return
    try:
        recording = SessionRecording(lib.writer, sid, [OneBatch()])
        recording.run()
        fatal = recording.sink.fatal
        assert isinstance(fatal, StoreError)
        _one_line(str(fatal))
        assert "damaged" in str(fatal)
    finally:
        lib.close()
