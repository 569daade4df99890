"""A full disk stops recording at the first SQLITE_FULL, in one line (issue 18, item 5).

The disk is made full for real, on a real file: ``PRAGMA max_page_count`` on the
writer's connection caps the library a few pages above its size."""

from __future__ import annotations

import logging
import threading

import pytest

from desktop.app.recording import SessionRecording
from desktop.core.normalize import Parsed
from desktop.sources.base import Source
from desktop.store import library
from desktop.store.db import DiskFullError
from desktop.store.writer import StoreWriter
from tests.fakes.posts import make_post

BATCHES = 400  # far more than fit


def _fill_up(writer: StoreWriter, spare_pages: int = 20) -> None:
    def cap(ctx):
        pages = ctx.conn.execute("PRAGMA page_count").fetchone()[0]
        ctx.conn.execute(f"PRAGMA max_page_count = {pages + spare_pages}")

    writer.call(cap, notify=False)


class EndlessSource(Source):
    """Delivers batches of long posts until stopped (or BATCHES are out)."""

    network = "x"
    name = "endless"

    def __init__(self) -> None:
        self.delivered = 0

    def run(self, sink, stop: threading.Event) -> None:
        n = 0
        while not stop.is_set() and self.delivered < BATCHES:
            posts = [make_post(n + i, "word " * 400, handle=f"u{n + i}") for i in range(20)]
            n += 20
            sink.on_posts(self, Parsed(posts=posts))
            self.delivered += 1


@pytest.fixture
def full_writer(tmp_path):
    writer = StoreWriter(tmp_path / "library.db")
    sid = writer.call(lambda ctx: library.create_session(ctx.conn, "jam", hashtags=["x"]))
    _fill_up(writer)
    yield writer, sid
    writer.close()


def test_the_store_raises_disk_full_in_one_line(full_writer, caplog):
    writer, sid = full_writer
    with caplog.at_level(logging.WARNING):
        with pytest.raises(DiskFullError) as caught:
            for n in range(0, 2000, 20):
                posts = [make_post(i, "word " * 400, handle=f"u{i}") for i in range(n, n + 20)]
                writer.ingest(sid, Parsed(posts=posts)).result()
    message = str(caught.value)
    assert "disk is full" in message and "\n" not in message
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"


def test_recording_stops_its_sources_at_the_first_full_disk(full_writer, caplog):
    writer, sid = full_writer
    source = EndlessSource()
    recording = SessionRecording(writer, sid, [source], max_in_flight=2)
    with caplog.at_level(logging.WARNING):
        recording.run()
    assert isinstance(recording.sink.fatal, DiskFullError)
    assert recording.sink.counts.failed_batches >= 1
    assert source.delivered < BATCHES
    assert not [r for r in caplog.records if r.exc_info], "a traceback was logged"
