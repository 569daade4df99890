"""The ingest figure: X v2 stream lines -> normalize -> 10 column predicates ->
committed writes with FTS, next to two yardsticks measured in the same run:

- the raw limit: ``json.loads`` of each line and one ``executemany`` of the
  very rows our posts table receives into a bare table (no indexes, no FTS);
- ``sqlite-utils insert DB TABLE FILE --nl`` of the same lines (a subprocess).

The pipeline is the app's import, as the CLI and the window run it:
``import_source`` (a big file is read, normalized and prepared by the app's
worker process, see ``desktop.app.import_pipeline``) into a ``RecordingSink``
and the threaded ``StoreWriter``; each committed batch goes through the
``Router``'s 10 predicates in the commit callback, as the GUI bridge does.
Nothing process-wide is set up for it: this process is the app's as it
imports ``desktop``, and the worker is the one the frozen app starts.
"""

from __future__ import annotations

import json
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from desktop.app.import_pipeline import import_source
from desktop.app.recording import RecordingSink
from desktop.core.router import Router
from desktop.store.db import open_library
from desktop.store.library import create_session
from desktop.store.writer import StoreWriter
from tests.fakes.archive import write_archive

# Ten columns a jam host would keep open (the demo deck plus a few searches).
FILTERS = (
    "",
    "is:question",
    "is:host OR from:user1",
    "q:1",
    "(#q1 OR #a1) -is:retweet",
    "community OR culture",
    '"social business"',
    "min_likes:5 -is:retweet",
    "has:links OR has:media",
    r"regex:/^A\d+/ lang:en",
)


def _router() -> Router:
    router = Router()
    for i, expression in enumerate(FILTERS):
        router.set_column(i, expression, now=time.time())
    return router


def measure_pipeline(archive: Path, db_path: Path) -> tuple[float, float, int, dict[int, int]]:
    """(wall seconds, CPU seconds of this process and its children, posts, entered per
    column) for the app's import: ``import_source`` into a ``RecordingSink`` and
    the threaded ``StoreWriter`` (a big file is read by the import's worker)."""
    conn = open_library(db_path)
    session_id = create_session(conn, "bench", hashtags=["benchjam"], hosts=["user7"])
    conn.close()
    router = _router()
    entered: dict[int, int] = {}
    lock = threading.Lock()

    def on_commit(result) -> None:
        routed = router.route(result.added)
        with lock:
            for column, ids in routed.items():
                entered[column] = entered.get(column, 0) + len(ids)

    start, cpu = time.perf_counter(), time.process_time() + _children_cpu()
    writer = StoreWriter(db_path, on_commit=on_commit)
    try:
        source = import_source([archive])
        sink = RecordingSink(writer, session_id)
        source.run(sink, threading.Event())
        sink.wait()
    finally:
        writer.close()
    if sink.counts.failed_batches or source.stats.skipped:
        raise RuntimeError(f"the import failed: {sink.counts}")
    cpu = time.process_time() + _children_cpu() - cpu
    return time.perf_counter() - start, cpu, source.stats.posts, entered


def _posts_rows(db_path: Path) -> list[tuple]:
    conn = sqlite3.connect(db_path)
    try:
        return conn.execute("SELECT * FROM posts ORDER BY id").fetchall()
    finally:
        conn.close()


def measure_raw(archive: Path, rows: list[tuple], db_path: Path) -> tuple[float, float]:
    """Seconds for json.loads of every line plus one executemany of ``rows`` into a
    bare table with the posts table's columns, committed."""
    conn = sqlite3.connect(db_path, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    width = len(rows[0])
    conn.execute(f"CREATE TABLE bare ({', '.join(f'c{i}' for i in range(width))})")
    insert = f"INSERT INTO bare VALUES ({','.join('?' * width)})"
    start, cpu = time.perf_counter(), time.process_time()
    with open(archive, encoding="utf-8") as lines:
        for line in lines:
            json.loads(line)
    conn.execute("BEGIN")
    conn.executemany(insert, rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start, time.process_time() - cpu
    conn.close()
    return elapsed


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure_sqlite_utils(archive: Path, db_path: Path) -> tuple[float, float]:
    start, cpu = time.perf_counter(), _children_cpu()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "sqlite_utils",
            "insert",
            str(db_path),
            "lines",
            str(archive),
            "--nl",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start, _children_cpu() - cpu


def run(*, posts: int, repeat: int = 3) -> list[dict]:
    """The ingest figures. The machine is shared, so each contender runs
    ``repeat`` times, interleaved, and the best wall time counts; the CPU
    seconds (both threads) are reported too, as they hardly depend on load."""
    work = Path(tempfile.mkdtemp(prefix="jamdeck-ingest-"))
    inf = (float("inf"), float("inf"))
    try:
        archive = write_archive(work / "stream.jsonl", posts)
        best = {"ours": inf, "raw": inf, "su": inf}
        rows: list[tuple] = []
        entered: dict[int, int] = {}
        count = 0
        for attempt in range(repeat):
            db = work / f"pipeline{attempt}.db"
            wall, cpu, count, entered = measure_pipeline(archive, db)
            best["ours"] = min(best["ours"], (wall, cpu))
            if not rows:
                rows = _posts_rows(db)
            best["raw"] = min(best["raw"], measure_raw(archive, rows, work / f"raw{attempt}.db"))
            best["su"] = min(best["su"], measure_sqlite_utils(archive, work / f"su{attempt}.db"))
        if entered.get(0) != count:
            raise RuntimeError(f"the match-all column got {entered.get(0)} of {count} posts")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ours, raw, su = (count / best[k][0] for k in ("ours", "raw", "su"))
    cpu_ours, cpu_raw, cpu_su = (count / best[k][1] for k in ("ours", "raw", "su"))
    detail = f"CPU: ours {cpu_ours:,.0f}/s, raw {cpu_raw:,.0f}/s, sqlite-utils {cpu_su:,.0f}/s; {count} posts"
    return [
        _row("ingest", round(ours), "posts/s", None, None, detail),
        _row(
            "ingest_raw_limit",
            round(raw),
            "posts/s",
            None,
            None,
            "json.loads + executemany, bare table",
        ),
        _row("ingest_sqlite_utils", round(su), "posts/s", None, None, "sqlite-utils insert --nl"),
        _row(
            "ingest_ratio_to_raw",
            round(ours / raw, 3),
            "x",
            ">= 0.4",
            ours / raw >= 0.4,
            f"CPU-time ratio {cpu_ours / cpu_raw:.3f}",
        ),
        _row(
            "ingest_ratio_to_sqlite_utils",
            round(ours / su, 2),
            "x",
            ">= 1",
            ours / su >= 1,
            f"CPU-time ratio {cpu_ours / cpu_su:.2f}",
        ),
    ]


def _row(name, value, unit, target, ok, note="") -> dict:
    return {"name": name, "value": value, "unit": unit, "target": target, "ok": ok, "note": note}


if __name__ == "__main__":
    for row in run(posts=int(sys.argv[1]) if len(sys.argv) > 1 else 20000, repeat=1):
        print(row)
