"""GUI benchmarks (not collected by pytest): run by hand, offscreen.

    python -m tests.qt.bench_deck lateness [--seconds 10] [--rate 1000]
    python -m tests.qt.bench_deck million [--posts 1000000] [--library /tmp/million.db]

``lateness``: posts stream into 8 columns through the store writer at ``rate``
posts/s while a 5 ms QTimer on the GUI thread records how late it fires.
``million``: a session of N posts (built once), then the window's first paint
time and the process's resident memory.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QElapsedTimer, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

import desktop.ui  # noqa: E402,F401  (the None-refcount workaround first)
from desktop.core.normalize import Parsed  # noqa: E402
from desktop.core.post import Kind  # noqa: E402
from desktop.store import columns, library  # noqa: E402
from desktop.store.writer import StoreWriter  # noqa: E402
from desktop.ui import theme as themes  # noqa: E402
from desktop.ui.app import apply_app_theme, save_screenshot  # noqa: E402
from desktop.ui.main_window import MainWindow  # noqa: E402
from tests.fakes.posts import make_post  # noqa: E402

EIGHT = [
    ("All", ""),
    ("Host", "is:host OR is:question"),
    ("No RTs", "-is:retweet"),
    ("Q1", "q:1"),
    ("Q2", "q:2 -is:retweet"),
    ("Links", "has:links"),
    ("Alice", "from:user3 OR @user5"),
    ("Word", "community"),
]


def fake_posts(start: int, count: int, *, seconds_per_post: float = 0.05):
    out = []
    for n in range(start, start + count):
        label = f"A{1 + n % 2} " if n % 3 else ""
        kind = Kind.RETWEET if n % 5 == 0 else Kind.ORIGINAL
        out.append(
            make_post(
                n,
                f"{label}post {n} about community and design #jam",
                handle=f"user{n % 40}",
                minutes=n * seconds_per_post / 60,
                kind=kind,
                link=n % 7 == 0,
                retweeted_id="1001" if kind is Kind.RETWEET else None,
            )
        )
    return out


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def lateness(seconds: float, rate: int, library_path: Path) -> None:
    app = QApplication.instance() or QApplication([])
    apply_app_theme(app, themes.LIGHT)
    window = MainWindow(library_path, theme=themes.LIGHT)

    def setup(ctx):
        sid = library.create_session(ctx.conn, "bench", hashtags=["jam"], hosts=["user0"])
        for name, expr in EIGHT:
            columns.add_column(ctx.conn, sid, name, expr)
        ctx.ingestor.write(
            sid,
            Parsed(
                posts=[
                    make_post(0, "Q1 first question #jam", handle="user0"),
                    make_post(1, "Q2 second #jam", handle="user0", minutes=0.01),
                ]
            ),
        )
        return sid

    sid = window.writer.call(setup, notify=False)
    window.resize(1400, 900)
    window.open_session(sid)
    window.show()
    stop = threading.Event()

    def feed():
        n, batch = 10, max(1, rate // 10)
        next_at = time.monotonic()
        while not stop.is_set():
            window.writer.ingest(sid, Parsed(posts=fake_posts(n, batch)))
            n += batch
            next_at += 0.1
            stop.wait(max(0.0, next_at - time.monotonic()))

    late: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    expected = [5.0]

    def tick():
        now = clock.nsecsElapsed() / 1e6
        late.append(max(0.0, now - expected[0]))
        expected[0] = now + 5.0

    timer = QTimer()
    timer.setInterval(5)
    timer.timeout.connect(tick)
    timer.start()
    feeder = threading.Thread(target=feed)
    feeder.start()
    shown = []

    def finish():
        stop.set()
        feeder.join()
        timer.stop()
        shown.append(window.deck.columns[window.deck.ordered_ids()[0]].model.rowCount())
        app.quit()  # Qt 6 closes the windows too: the window shuts its writer down

    QTimer.singleShot(int(seconds * 1000), finish)
    app.exec()
    window.shutdown()
    shown = shown[0]
    print(
        f"lateness over {len(late)} ticks at {rate} posts/s into 8 columns "
        f"(All column shows {shown} rows): p50 {statistics.median(late):.2f} ms, "
        f"p99 {percentile(late, 99):.2f} ms, max {max(late):.2f} ms"
    )


def million(posts: int, library_path: Path) -> None:
    if not library_path.exists():
        started = time.perf_counter()
        with StoreWriter(library_path) as writer:
            sid = writer.call(
                lambda ctx: library.create_session(
                    ctx.conn, "million", hashtags=["jam"], hosts=["user0"]
                )
            )
            writer.call(lambda ctx: columns.apply_preset(ctx.conn, sid))
            for start in range(0, posts, 5000):
                writer.ingest(
                    sid,
                    Parsed(
                        posts=fake_posts(start, min(5000, posts - start), seconds_per_post=0.01)
                    ),
                )
            writer.call(lambda ctx: None)
        print(f"built {posts:,} posts in {time.perf_counter() - started:.0f}s")
    started = time.perf_counter()
    app = QApplication.instance() or QApplication([])
    apply_app_theme(app, themes.LIGHT)
    window = MainWindow(library_path, theme=themes.LIGHT)
    window.resize(1400, 900)
    window.open_session("million")
    window.show()
    save_screenshot(window, "/tmp/million.png")
    first_paint = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    window.shutdown()
    print(f"{posts:,}-post session: first paint {first_paint * 1000:.0f} ms, max RSS {rss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["lateness", "million"])
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--rate", type=int, default=1000)
    parser.add_argument("--posts", type=int, default=1_000_000)
    parser.add_argument("--library", type=Path, default=None)
    args = parser.parse_args()
    if args.what == "lateness":
        path = args.library or Path(f"/tmp/jamdeck-bench-{os.getpid()}.db")
        lateness(args.seconds, args.rate, path)
    else:
        million(args.posts, args.library or Path("/tmp/jamdeck-million.db"))


if __name__ == "__main__":
    main()
