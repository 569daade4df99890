"""On the demo jam, `q:N` returns exactly the posts the generator meant for question N,
through the whole pipeline: replay -> normalize -> store (jam facts) -> SQL filter,
and the live predicate agrees."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest

from desktop.app.demo import demo_archive_path
from desktop.app.recording import RecordingSink
from desktop.core.router import Router
from desktop.sources.replay import ReplaySource
from desktop.store import library
from desktop.store.db import open_library
from desktop.store.writer import StoreWriter
from filters import compile_sql


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    path = tmp_path_factory.mktemp("demo") / "library.db"
    live: dict[int, list[int]] = defaultdict(list)
    router = Router()
    for n in range(1, 8):
        router.set_column(n, f"q:{n}")

    def on_commit(result):
        if hasattr(result, "added"):
            for column, ids in router.route(result.added).items():
                live[column].extend(ids)

    source = ReplaySource([demo_archive_path()])
    header = source.read_header()
    with StoreWriter(path, on_commit=on_commit) as writer:
        sid = writer.call(
            lambda ctx: library.create_session(
                ctx.conn, "demo", hashtags=header["hashtags"], hosts=header["hosts"]
            )
        )
        sink = RecordingSink(writer, sid)
        import threading

        source.run(sink, threading.Event())
        sink.wait()
    intents: dict[int | None, set[str]] = defaultdict(set)
    for line in demo_archive_path().read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        if "intent" in record:
            intents[record["intent"]["question"]].add(record["payload"]["data"]["id"])
    return open_library(path), sid, intents, live, sink


def test_the_whole_demo_lands(demo):
    conn, sid, intents, _, sink = demo
    assert sink.counts.skipped == []
    assert library.get_session(conn, sid).posts == sum(len(v) for v in intents.values())


@pytest.mark.parametrize("number", range(1, 8))
def test_q_n_returns_exactly_the_posts_meant_for_question_n(demo, number):
    conn, sid, intents, live, _ = demo
    where, params = compile_sql(f"q:{number}")
    rows = conn.execute(
        "SELECT p.network_id FROM session_posts sp JOIN posts p ON p.id = sp.post_id "
        f"WHERE sp.session_id = ? AND ({where})",
        [sid, *params],
    ).fetchall()
    assert {r[0] for r in rows} == intents[number]
    # The live predicate (what a column shows while the jam runs) agrees with the SQL.
    live_ids = {
        r[0]
        for r in conn.execute(
            f"SELECT network_id FROM posts WHERE id IN ({','.join('?' * len(live[number]))})",
            live[number],
        )
    }
    assert live_ids == intents[number]
