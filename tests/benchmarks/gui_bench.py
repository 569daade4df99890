"""GUI figures, each measured in a fresh process (offscreen Qt) that prints one
JSON object on its last line. ``run.py`` starts them; by hand::

    QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.gui_bench startup --data-dir DIR
    ... first_paint --data-dir DIR --session million
    ... lateness --seconds 10 --rate 1000
    ... jam_hour --posts 36000

- ``startup``: process start (the kernel's start time of this process, so the
  interpreter and every import count) to the main window painted (rendered
  with ``grab()``, which runs the same paint code as the screen).
- ``first_paint``: opening a session of the cached library until its columns'
  first pages are painted; ``rss``: the process's resident memory then (VmRSS)
  and at its peak (VmHWM).
- ``lateness``: a 5 ms ``QTimer`` on the GUI thread while a source thread
  normalizes X v2 stream lines and hands 1,000 posts/s to the store writer, in
  batches of 100 every 100 ms, into a session with 8 columns; each tick's
  lateness is how much later than 5 ms after the previous tick it fired
  (``--screenshot PATH`` saves the window as it is at the end).
- ``jam_hour``: an hour of a jam at 10 posts/s (36,000 posts) fed as fast as
  the writer takes it with the window open; resident memory before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def process_age() -> float:
    """Seconds since the kernel started this process."""
    ticks = os.sysconf("SC_CLK_TCK")
    with open("/proc/self/stat") as stat:
        start = int(stat.read().rsplit(")", 1)[1].split()[19]) / ticks
    with open("/proc/uptime") as uptime:
        return float(uptime.read().split()[0]) - start


def memory_mb() -> dict[str, float]:
    found = {}
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(("VmRSS:", "VmHWM:")):
                found[line.split(":")[0]] = int(line.split()[1]) / 1024
    return found


# 8 columns a host keeps open while the jam is live.
EIGHT = (
    ("All", ""),
    ("Host", "is:host OR is:question"),
    ("No RTs", "-is:retweet"),
    ("Q1", "q:1"),
    ("Q2", "q:2 -is:retweet"),
    ("Links", "has:links OR has:media"),
    ("People", "from:user3 OR @user5"),
    ("Word", "community"),
)


def _qt():
    from PySide6.QtWidgets import QApplication

    import desktop.ui  # noqa: F401  (the package's Qt workarounds come first)
    from desktop.ui import theme as themes
    from desktop.ui.app import apply_app_theme

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_app_theme(app, themes.LIGHT)
    return app, themes


def _rows(window) -> dict[str, int]:
    return {w.spec.name: w.model.rowCount() for w in window.deck.columns.values()}


def _paint(window) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.processEvents()
    window.grab()


def startup(data_dir: Path, session: str | None) -> dict:
    app, themes = _qt()
    from desktop.store.db import LIBRARY_FILENAME
    from desktop.ui.main_window import MainWindow

    window = MainWindow(data_dir / LIBRARY_FILENAME, theme=themes.LIGHT)
    window.resize(1400, 900)
    if session:
        window.open_session(session)
    else:
        window.open_most_recent()
    window.show()
    _paint(window)
    seconds = process_age()
    window.shutdown()
    return {"startup_s": seconds, **memory_mb()}


def first_paint(data_dir: Path, session: str) -> dict:
    app, themes = _qt()
    from desktop.store.db import LIBRARY_FILENAME
    from desktop.ui.main_window import MainWindow

    window = MainWindow(data_dir / LIBRARY_FILENAME, theme=themes.LIGHT)
    window.resize(1400, 900)
    window.show()
    _paint(window)
    started = time.perf_counter()
    window.open_session(session)
    _paint(window)
    seconds = time.perf_counter() - started
    rows = _rows(window)
    age = process_age()
    memory = memory_mb()
    window.shutdown()
    return {"first_paint_s": seconds, "process_age_s": age, "rows": rows, **memory}


def _stream_feeder(window, session_id: int, lines: list[str], rate: float, stop: threading.Event):
    """A source thread: normalize stream lines and hand batches to the writer."""
    from desktop.core.normalize import Parsed
    from desktop.core.normalize.detect import normalize_document

    state = {"sent": 0}

    def feed() -> None:
        batch = 100
        pending = []
        next_at = time.monotonic()
        for start in range(0, len(lines), batch):
            if stop.is_set():
                return
            parsed = Parsed()
            for line in lines[start : start + batch]:
                parsed.extend(normalize_document(json.loads(line)))
            pending.append(window.writer.ingest(session_id, parsed))
            state["sent"] += len(parsed.posts)
            if rate > 0:
                next_at += batch / rate
                stop.wait(max(0.0, next_at - time.monotonic()))
            elif len(pending) > 8:  # the recorder's back-pressure
                pending.pop(0).result()
        for future in pending:
            future.result()

    thread = threading.Thread(target=feed, name="bench-feeder")
    return thread, state


def _session_with_columns(window, *, hosts=("user7",)) -> int:
    from desktop.store import columns, library

    def setup(ctx):
        sid = library.create_session(ctx.conn, "bench", hashtags=["benchjam"], hosts=list(hosts))
        for name, expression in EIGHT:
            columns.add_column(ctx.conn, sid, name, expression)
        return sid

    return window.writer.call(setup, notify=False)


def lateness(seconds: float, rate: float, *, screenshot: Path | None = None) -> dict:
    app, themes = _qt()
    from PySide6.QtCore import QElapsedTimer, Qt, QTimer

    from desktop.ui.main_window import MainWindow
    from tests.fakes.archive import stream_lines

    work = Path(tempfile.mkdtemp(prefix="jamdeck-lateness-"))
    window = MainWindow(work / "library.db", theme=themes.LIGHT)
    window.resize(1400, 900)
    sid = _session_with_columns(window)
    window.open_session(sid)
    window.show()
    _paint(window)
    lines = list(stream_lines(int(seconds * rate) + 1000, rate=rate))
    stop = threading.Event()
    feeder, fed = _stream_feeder(window, sid, lines, rate, stop)

    late: list[float] = []
    clock = QElapsedTimer()
    clock.start()
    last = [0.0]

    def tick() -> None:
        now = clock.nsecsElapsed() / 1e6
        late.append(max(0.0, now - last[0] - 5.0))
        last[0] = now

    timer = QTimer()
    timer.setTimerType(Qt.TimerType.PreciseTimer)
    timer.setInterval(5)
    timer.timeout.connect(tick)

    def begin() -> None:
        last[0] = clock.nsecsElapsed() / 1e6
        timer.start()
        feeder.start()

    shown: dict[str, int] = {}

    def finish() -> None:
        stop.set()
        feeder.join()
        timer.stop()
        shown.update(_rows(window))
        if screenshot is not None:  # to look at rows laid out while posts poured in
            window.grab().save(str(screenshot))
        app.quit()  # Qt closes the window too: it shuts its writer down

    QTimer.singleShot(0, begin)
    QTimer.singleShot(int(seconds * 1000), finish)
    app.exec()
    window.shutdown()
    late = late[1:]  # the first tick measures the feeder's start, not the deck
    late.sort()
    return {
        "ticks": len(late),
        "p50_ms": statistics.median(late),
        "p99_ms": late[min(len(late) - 1, int(0.99 * len(late)))],
        "max_ms": late[-1],
        "posts_sent": fed["sent"],
        "rows": shown,
    }


def jam_hour(posts: int) -> dict:
    app, themes = _qt()
    from PySide6.QtCore import QTimer

    from desktop.ui.main_window import MainWindow
    from tests.fakes.archive import stream_lines

    work = Path(tempfile.mkdtemp(prefix="jamdeck-hour-"))
    window = MainWindow(work / "library.db", theme=themes.LIGHT)
    window.resize(1400, 900)
    sid = _session_with_columns(window)
    window.open_session(sid)
    window.show()
    lines = list(stream_lines(posts + 2000, rate=10.0))
    # Warm-up: the first posts fill caches that a long jam keeps anyway.
    warm_stop = threading.Event()
    warm, _ = _stream_feeder(window, sid, lines[:2000], 0, warm_stop)
    state: dict = {}

    def after_warmup() -> None:
        _paint(window)
        state["before"] = memory_mb()["VmRSS"]
        feeder, fed = _stream_feeder(window, sid, lines[2000:], 0, threading.Event())
        state["fed"] = fed
        feeder.start()

        def wait() -> None:
            if feeder.is_alive():
                QTimer.singleShot(50, wait)
                return
            QTimer.singleShot(500, done)  # let the last commits reach the deck

        wait()

    def done() -> None:
        _paint(window)
        state["after"] = memory_mb()
        state["rows"] = _rows(window)
        app.quit()

    def warm_wait() -> None:
        if warm.is_alive():
            QTimer.singleShot(50, warm_wait)
        else:
            after_warmup()

    started = time.perf_counter()
    warm.start()
    QTimer.singleShot(50, warm_wait)
    app.exec()
    after, rows = state["after"], state["rows"]
    window.shutdown()
    return {
        "rss_before_mb": state["before"],
        "rss_after_mb": after["VmRSS"],
        "growth_mb": after["VmRSS"] - state["before"],
        "peak_mb": after["VmHWM"],
        "posts": state["fed"]["sent"],
        "seconds": time.perf_counter() - started,
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["startup", "first_paint", "lateness", "jam_hour"])
    parser.add_argument("--data-dir", type=Path)
    parser.add_argument("--session")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=1000)
    parser.add_argument("--posts", type=int, default=36_000)
    parser.add_argument("--screenshot", type=Path, help="lateness: the window at the end, as PNG")
    parser.add_argument(
        "--switch-interval", type=float, help="sys.setswitchinterval (seconds), for experiments"
    )
    args = parser.parse_args()
    if args.switch_interval:
        sys.setswitchinterval(args.switch_interval)
    if args.what == "startup":
        result = startup(args.data_dir, args.session)
    elif args.what == "first_paint":
        result = first_paint(args.data_dir, args.session)
    elif args.what == "lateness":
        result = lateness(args.seconds, args.rate, screenshot=args.screenshot)
    else:
        result = jam_hour(args.posts)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
