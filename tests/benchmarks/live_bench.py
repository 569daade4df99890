"""Live figures: a post's way from a fake network to its row painted, and the CPU
cost of following Jetstream. Each runs in a fresh process that prints one JSON
object on its last line; the fake networks run in a process of their own
(``serve``), so their CPU and their GIL are not the app's. ``run.py`` starts them;
by hand::

    QT_QPA_PLATFORM=offscreen python -m tests.benchmarks.live_bench latency --seconds 30
    python -m tests.benchmarks.live_bench jetstream_cpu --seconds 30 --rate 100

- ``latency``: the window (``MainWindow``) records a session on ``x``,
  ``mastodon:URL`` and ``bluesky`` through the registry's adapters (tweepy's
  filtered stream, Mastodon.py's SSE stream, the Jetstream client) from the fakes
  on 127.0.0.1, the way the app does: LiveRecording -> LiveRecorder ->
  SessionRecording -> StoreWriter -> the trampoline -> the deck -> a column's
  model -> the delegate. Each network posts ``--rate`` posts/s (Poisson arrivals)
  at once for ``--seconds``, then a burst of ``--burst`` posts in one go per
  network. Every post's text carries ``time.monotonic_ns()`` taken just before
  the fake is handed it (a system-wide clock: the two processes share it); the
  delegate's ``paint`` is wrapped in this process only and notes when each row
  is first painted, in any column. Latency = first paint - stamp. A burst
  pushes most of its rows below the fold, where nothing paints them: the burst
  figure is the latency of each burst's last (newest) post.
- ``jetstream_cpu``: the Bluesky source alone, headless (``SessionRecording``
  into a ``StoreWriter``, as ``jamdeck record --source bluesky`` runs it),
  follows the fake Jetstream sending ``--rate`` posts/s of which ``--tagged``
  carry the jam's tag (the rest other tags or none, replies, links, images,
  some deletes). Its CPU is the CPU time of the source's threads (its own and
  the ``websockets`` reader thread) from ``/proc/self/task/*/schedstat``, over
  the wall time, as a percentage of one core.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[2]
TAG = "jam"
NETWORKS = ("x", "mastodon", "bluesky")
STAMP = re.compile(r"stamp(\d+)")


# ---------------------------------------------------------------- the fake networks


class Networks:
    """The three fakes, posting stamped posts on command (in the ``serve`` process)."""

    def __init__(self, work: Path) -> None:
        from tests.fakes.fake_jetstream import FakeJetstream
        from tests.fakes.fake_mastodon import FakeMastodon
        from tests.fakes.fake_x_api import FakeXApi
        from tests.fakes.payloads import write_tree

        fixtures = write_tree(work / "payloads")
        # X sends a keep-alive every 20 s (the fake's default, 50 ms, is for quick tests).
        self.x = FakeXApi(bearer_token="bench-bearer", keepalive_interval=20.0).start()
        self.mastodon = FakeMastodon(token="bench-token", fixtures=fixtures / "mastodon").start()
        self.jetstream = FakeJetstream().start()
        self.count = dict.fromkeys(NETWORKS, 0)
        self.noise_bytes = 0  # of the noise posts' events, as JSON

    def environ(self) -> dict[str, str]:
        return {
            "JAMDECK_X_BEARER_TOKEN": "bench-bearer",
            "JAMDECK_X_API_BASE": self.x.base_url,
            "JAMDECK_MASTODON_TOKEN": "bench-token",
            "JAMDECK_JETSTREAM_URL": self.jetstream.url,
            "JAMDECK_BLUESKY_APPVIEW": self.jetstream.appview_url,
        }

    def ready(self) -> dict:
        return {
            "x": self.x.connected.is_set(),
            "mastodon": self.mastodon.wait_for_streams(1, timeout=0),
            "bluesky": self.jetstream.open_connections > 0,
        }

    def counts(self) -> dict:
        return {"jetstream_frames": self.jetstream.sent, "jetstream_bytes": self.noise_bytes}

    def close(self) -> None:
        self.x.stop()
        self.mastodon.close()
        self.jetstream.close()

    # -- one stamped post; returns its stamp
    def post(self, network: str) -> int:
        n = self.count[network]
        self.count[network] += 1
        if network == "x" and n % 5 == 4:
            # make_tweets makes every 5th a retweet, whose row shows its original's text
            # (no stamp): originals and replies only.
            n = self.count[network]
            self.count[network] += 1
        now = datetime.now(UTC)
        if network == "x":
            from tests.fakes.fake_x_api import make_tweets

            (line,) = make_tweets(1, tag=TAG, start=n, at=now - timedelta(seconds=n))
            stamp = time.monotonic_ns()
            line["data"]["text"] += f" stamp{stamp}"
            self.x.release([line])
        elif network == "mastodon":
            user = ("alice", "bob", "carol")[n % 3]
            text = f"A{n}: answer from {user}, with a few more words"
            stamp = time.monotonic_ns()
            status = self.mastodon.factory.make(f"{text} stamp{stamp}", tags=(TAG,), at=now)
            self.mastodon.publish(status)
        else:
            stamp = time.monotonic_ns()
            self.jetstream.post(f"Bluesky take {n} on the question #{TAG} stamp{stamp}")
        return stamp

    def noise(self, rng: random.Random) -> None:
        """One post of the rest of Bluesky (other tags, none; replies, links, images),
        now and then a delete."""
        words = "the a jam music tonight great new show live vote art cats tea code".split()
        text = " ".join(rng.choice(words) for _ in range(rng.randint(6, 45)))
        tags = None
        if rng.random() < 0.3:
            text += f" #{rng.choice(['art', 'news', 'music', 'photography', 'dev'])}"
        elif rng.random() < 0.05:
            tags = [rng.choice(["bsky", "art"])]
        extra: dict = {}
        kind = rng.random()
        if kind < 0.35:
            parent = {"uri": "at://did:plc:someone/app.bsky.feed.post/3kabc", "cid": "bafyreiabc"}
            extra["reply"] = {"root": parent, "parent": parent}
        elif kind < 0.5:
            extra["embed"] = {
                "$type": "app.bsky.embed.external",
                "external": {
                    "uri": "https://example.com/some/article",
                    "title": "An article " * 3,
                    "description": "What it is about. " * 6,
                },
            }
        elif kind < 0.65:
            extra["embed"] = {
                "$type": "app.bsky.embed.images",
                "images": [
                    {
                        "alt": "a picture",
                        "image": {
                            "$type": "blob",
                            "ref": {"$link": "bafkreiimage"},
                            "mimeType": "image/jpeg",
                            "size": 123456,
                        },
                        "aspectRatio": {"width": 1200, "height": 800},
                    }
                ],
            }
        self.jetstream.post(text, did="did:plc:noise", tags=tags, extra=extra)
        self.noise_bytes += len(json.dumps(self.jetstream.events[-1]))
        if rng.random() < 0.05:  # a post deleted again (the stream carries those too)
            self.jetstream.delete(self.jetstream.events[-1]["commit"]["rkey"], did="did:plc:noise")

    def send(self, plan: dict) -> dict:
        """``plan``: networks, rate (posts/s each), seconds, burst (posts each, at the
        end), noise (other Bluesky posts/s besides). Returns the stamps per network."""
        stamps: dict[str, list[int]] = {network: [] for network in plan["networks"]}
        noise = [0]
        bursts: dict[str, list[int]] = {network: [] for network in plan["networks"]}
        lock = threading.Lock()
        end = time.monotonic() + plan["seconds"]

        def paced(network: str, rate: float, seed: int) -> None:
            rng = random.Random(seed)
            at = time.monotonic() + rng.expovariate(rate)
            while at < end:
                time.sleep(max(0.0, at - time.monotonic()))
                with lock:  # one network's fake at a time: no GIL fight inside the fakes
                    if network == "noise":
                        self.noise(rng)
                        noise[0] += 1
                    else:
                        stamps[network].append(self.post(network))
                at += rng.expovariate(rate)

        jobs = [(network, plan["rate"]) for network in plan["networks"]]
        if plan.get("noise"):
            jobs.append(("noise", plan["noise"]))
        threads = [
            threading.Thread(target=paced, args=(network, rate, seed), daemon=True)
            for seed, (network, rate) in enumerate(jobs)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        for network in plan["networks"]:
            if plan.get("burst"):
                time.sleep(1.0)  # the steady posts are on the screen first
                with lock:
                    bursts[network] = [self.post(network) for _ in range(plan["burst"])]
        return {"stamps": stamps, "bursts": bursts, "noise": noise[0]}


def serve() -> None:
    """The fakes' process: prints ``{"env": ...}``, then answers one JSON line per
    command line on stdin: ``ready``, ``send <plan json>``, ``quit``."""
    work = Path(tempfile.mkdtemp(prefix="jamdeck-live-fakes-"))
    networks = Networks(work)
    print(json.dumps({"env": networks.environ(), "mastodon": networks.mastodon.url}), flush=True)
    for line in sys.stdin:
        command, _, argument = line.strip().partition(" ")
        if command == "ready":
            answer = networks.ready()
        elif command == "counts":
            answer = networks.counts()
        elif command == "send":
            answer = networks.send(json.loads(argument))
        else:
            break
        print(json.dumps(answer), flush=True)
    networks.close()


class FakesProcess:
    """The ``serve`` process seen from a benchmark: its environment and its answers
    (read on a thread, so the GUI thread never blocks on the pipe)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.benchmarks.live_bench", "serve"],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        first = json.loads(self.proc.stdout.readline())
        self.env: dict[str, str] = first["env"]
        self.mastodon_url: str = first["mastodon"]
        self.answers: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.answers.put(json.loads(line))

    def ask(self, command: str, timeout: float = 10.0):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.answers.get(timeout=timeout)

    def command(self, command: str) -> None:
        """Send without waiting; the answer comes to ``answers``."""
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def close(self) -> None:
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def summary(values: list[float]) -> dict:
    if not values:
        return {"count": 0}
    return {
        "count": len(values),
        "p50_ms": statistics.median(values),
        "p99_ms": percentile(values, 0.99),
        "max_ms": max(values),
    }


# ---------------------------------------------------------------- latency (the window)


def latency(seconds: float, rate: float, burst: int) -> dict:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    import desktop.ui  # noqa: F401  (the package's Qt workarounds come first)
    from desktop.app.accounts import AccountStore
    from desktop.core.credentials import CredentialStore, MemoryKeyring
    from desktop.store import columns, library
    from desktop.ui import theme as themes
    from desktop.ui.app import apply_app_theme
    from desktop.ui.column_model import PostIdRole
    from desktop.ui.deck import NoticeDelegate
    from desktop.ui.main_window import MainWindow

    fakes = FakesProcess()
    os.environ.update(fakes.env)
    painted, stages = _note_stages(NoticeDelegate, PostIdRole)

    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_app_theme(app, themes.LIGHT)
    work = Path(tempfile.mkdtemp(prefix="jamdeck-latency-"))
    window = MainWindow(
        work / "library.db",
        theme=themes.LIGHT,
        accounts=AccountStore(work / "accounts.json"),
        credentials=CredentialStore(backend=MemoryKeyring()),
    )
    window.resize(1400, 900)
    specs = ["x", f"mastodon:{fakes.mastodon_url}", "bluesky"]

    def setup(ctx):
        sid = library.create_session(ctx.conn, "latency", hashtags=[TAG], sources=specs)
        # A column per network first (a post's own column shows it at the top), then the jam's.
        for name, expression in (("X", "source:x"), ("Mastodon", "source:mastodon")):
            columns.add_column(ctx.conn, sid, name, expression)
        columns.add_column(ctx.conn, sid, "Bluesky", "source:bluesky")
        columns.apply_preset(ctx.conn, sid)
        return sid

    session_id = window.writer.call(setup, notify=False)
    window.open_session(session_id)
    window.show()
    window.record_button.click()
    state: dict = {"phase": "connecting", "deadline": time.monotonic() + 60}
    plan = {"networks": list(NETWORKS), "rate": rate, "seconds": seconds, "burst": burst}

    def connected() -> bool:
        # Bluesky says connected on its first frame; the fake's open subscription tells.
        statuses = window.recording.statuses
        return len(statuses) == 3 and all(
            s.state.value == "connected"
            for label, s in statuses.items()
            if not label.startswith("Bluesky")
        )

    def tick() -> None:
        now = time.monotonic()
        if state["phase"] == "connecting":
            if connected() and all(fakes.ask("ready").values()):
                state["phase"] = "sending"
                state["started"] = now
                fakes.command("send " + json.dumps(plan))
            elif now > state["deadline"]:
                state["error"] = f"not connected: {window.recording.statuses}"
                app.quit()
                return
        elif state["phase"] == "sending":
            try:
                state["sent"] = fakes.answers.get_nowait()
            except queue.Empty:
                pass
            else:
                state["phase"] = "draining"
                state["deadline"] = now + 5
        elif state["phase"] == "draining":
            sent = state["sent"]
            wanted = [s for stamps in sent["stamps"].values() for s in stamps]
            wanted += [b[-1] for b in sent["bursts"].values() if b]
            stamps = _stamps(window, painted)
            if now > state["deadline"] or set(wanted) <= set(stamps):
                state["stamps"] = stamps
                state["rowids"] = _rowids(window, stages["committed"])
                state["statuses"] = {k: s.state.value for k, s in window.recording.statuses.items()}
                app.quit()
                return
        QTimer.singleShot(100, tick)

    QTimer.singleShot(100, tick)
    app.exec()
    window.shutdown()
    fakes.close()
    if "error" in state:
        raise RuntimeError(state["error"])
    sent, stamps_of = state["sent"], state["stamps"]
    rowid_of = state["rowids"]
    result: dict = {"seconds": seconds, "rate": rate, "burst": burst, "statuses": state["statuses"]}
    for network in NETWORKS:
        steady = [(stamps_of[s] - s) / 1e6 for s in sent["stamps"][network] if s in stamps_of]
        burst_stamps = sent["bursts"][network]
        last = burst_stamps[-1] if burst_stamps else None
        result[network] = {
            **summary(steady),
            "sent": len(sent["stamps"][network]),
            "burst_last_ms": (stamps_of[last] - last) / 1e6 if last in stamps_of else None,
            "burst_painted": sum(1 for s in burst_stamps if s in stamps_of),
            "stages": _stage_split(sent["stamps"][network], stages, rowid_of),
        }
    return result


def _note_stages(delegate_class, post_id_role) -> tuple[dict[int, int], dict[str, dict]]:
    """Wrap, in this process only, the hand-overs of a post's way: the source hands a
    batch to the recording's sink (by stamp), the committed batch reaches the deck on
    the GUI thread, a column's model inserts the row, the delegate paints it (by the
    posts' rowid). Painted means the delegate's ``paint`` ran for the row."""
    from desktop.app.recording import RecordingSink
    from desktop.ui.column_model import ColumnModel
    from desktop.ui.deck import Deck

    stages: dict[str, dict] = {"handed": {}, "committed": {}, "inserted": {}, "painted": {}}
    handed, committed = stages["handed"], stages["committed"]
    inserted, painted = stages["inserted"], stages["painted"]
    on_posts, on_committed = RecordingSink.on_posts, Deck.on_committed
    prepend, paint = ColumnModel.prepend, delegate_class.paint

    def noting_on_posts(self, source, parsed) -> None:
        now = time.monotonic_ns()
        for post in getattr(parsed, "posts", ()):
            match = STAMP.search(post.text)
            if match:
                handed.setdefault(int(match.group(1)), now)
        on_posts(self, source, parsed)

    def noting_on_committed(self, result) -> None:
        now = time.monotonic_ns()
        for record in result.added:
            committed.setdefault(record.rowid, now)
        on_committed(self, result)

    def noting_prepend(self, rows, views=None) -> int:
        placed = prepend(self, rows, views)
        now = time.monotonic_ns()
        for row in rows:
            inserted.setdefault(row[0], now)
        return placed

    def noting_paint(self, painter, option, index) -> None:
        paint(self, painter, option, index)
        post_id = index.data(post_id_role)
        if post_id is not None and post_id not in painted:
            painted[post_id] = time.monotonic_ns()

    RecordingSink.on_posts = noting_on_posts
    Deck.on_committed = noting_on_committed
    ColumnModel.prepend = noting_prepend
    delegate_class.paint = noting_paint
    return painted, stages


def _rowids(window, committed: dict[int, int]) -> dict[int, int]:
    """stamp -> posts.rowid of every committed post that carries one."""
    found: dict[int, int] = {}
    ids = list(committed)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = window.conn.execute(
            f"SELECT id, text FROM posts WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        for rowid, text in rows:
            match = STAMP.search(text)
            if match:
                found[int(match.group(1))] = rowid
    return found


def _stage_split(stamps: list[int], stages: dict[str, dict], rowid_of: dict[int, int]) -> dict:
    """Median ms of each leg of the painted posts' way, and where the others stopped."""
    legs: dict[str, list[float]] = {
        "network_and_source": [],
        "store_to_gui": [],
        "deck_coalescing": [],
        "to_paint": [],
    }
    stopped = {"not_handed": 0, "not_committed": 0, "not_inserted": 0, "not_painted": 0}
    for stamp in stamps:
        handed = stages["handed"].get(stamp)
        rowid = rowid_of.get(stamp)
        committed = stages["committed"].get(rowid)
        inserted = stages["inserted"].get(rowid)
        painted = stages["painted"].get(rowid)
        if handed is None:
            stopped["not_handed"] += 1
        elif committed is None:
            stopped["not_committed"] += 1
        elif inserted is None:
            stopped["not_inserted"] += 1
        elif painted is None:
            stopped["not_painted"] += 1
        else:
            legs["network_and_source"].append((handed - stamp) / 1e6)
            legs["store_to_gui"].append((committed - handed) / 1e6)
            legs["deck_coalescing"].append((inserted - committed) / 1e6)
            legs["to_paint"].append((painted - inserted) / 1e6)
    split = {f"{leg}_p50_ms": statistics.median(v) for leg, v in legs.items() if v}
    split.update({f"{leg}_max_ms": max(v) for leg, v in legs.items() if v})
    missing = [i for i, stamp in enumerate(stamps) if stamp not in stages["handed"]]
    return {**split, **{k: v for k, v in stopped.items() if v}, "missing_at": missing}


def _stamps(window, painted: dict[int, int]) -> dict[int, int]:
    """stamp -> first paint (monotonic ns) of the painted posts that carry one."""
    if not painted:
        return {}
    ids = list(painted)
    found: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = window.conn.execute(
            f"SELECT id, text FROM posts WHERE id IN ({','.join('?' * len(chunk))})", chunk
        ).fetchall()
        for rowid, text in rows:
            match = STAMP.search(text)
            if match:
                found[int(match.group(1))] = painted[rowid]
    return found


# ---------------------------------------------------------------- Jetstream CPU (headless)


def _thread_cpu() -> dict[int, int]:
    """Native thread id -> CPU nanoseconds run so far."""
    times = {}
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/schedstat") as stat:
                times[int(task)] = int(stat.read().split()[0])
        except OSError:
            continue
    return times


def _source_threads() -> set[int]:
    """The Bluesky source's thread and the websockets reader it started."""
    return {
        t.native_id
        for t in threading.enumerate()
        if t.native_id is not None
        and (t.name.startswith("jamdeck-source-") or "recv_events" in t.name)
    }


def jetstream_cpu(seconds: float, rate: float, tagged: float) -> dict:
    from desktop.app.recording import SessionRecording
    from desktop.sources.base import SourceState
    from desktop.sources.registry import make_source
    from desktop.store import library
    from desktop.store.writer import StoreWriter

    fakes = FakesProcess()
    os.environ.update(fakes.env)
    work = Path(tempfile.mkdtemp(prefix="jamdeck-jetstream-cpu-"))
    writer = StoreWriter(work / "library.db")
    session_id = writer.call(
        lambda ctx: library.create_session(ctx.conn, "cpu", hashtags=[TAG], sources=["bluesky"]),
        notify=False,
    )
    source = make_source("bluesky", hashtags=[TAG], since=datetime.now(UTC) - timedelta(minutes=1))
    recording = SessionRecording(writer, session_id, [source])
    recording.start()
    deadline = time.monotonic() + 30
    warm = 0
    while not (
        (status := recording.sink.statuses.get(source.name)) is not None
        and status.state is SourceState.CONNECTED
        and recording.sink.counts.added >= warm
    ):
        if time.monotonic() > deadline:
            raise RuntimeError(f"Jetstream not connected: {recording.sink.statuses}")
        if status is None or status.state is not SourceState.CONNECTED:
            # It says connected on its first frame: a few posts before the measured run.
            warmup = {"networks": ["bluesky"], "rate": 20, "seconds": 0.2}
            warm += len(fakes.ask("send " + json.dumps(warmup))["stamps"]["bluesky"])
        else:
            time.sleep(0.01)
    warm = recording.sink.counts.added
    frames_before = fakes.ask("counts")["jetstream_frames"]
    before_threads, before_self = _thread_cpu(), time.process_time_ns()
    wall = time.monotonic_ns()
    plan = {
        "networks": ["bluesky"],
        "rate": rate * tagged,
        "seconds": seconds,
        "noise": rate * (1 - tagged),
    }
    sent = fakes.ask("send " + json.dumps(plan), timeout=seconds + 60)
    tagged_sent = len(sent["stamps"]["bluesky"])
    deadline = time.monotonic() + 5  # the last frames read and matched
    while recording.sink.counts.added < warm + tagged_sent and time.monotonic() < deadline:
        time.sleep(0.01)
    wall = time.monotonic_ns() - wall
    threads = _source_threads()
    after_threads, after_self = _thread_cpu(), time.process_time_ns()
    added = recording.sink.counts.added - warm
    counts = fakes.ask("counts")
    recording.stop()
    recording.wait(10)
    writer.close()
    fakes.close()
    source_ns = sum(
        after_threads[t] - before_threads.get(t, 0) for t in threads if t in after_threads
    )
    return {
        "seconds": wall / 1e9,
        "posts_sent": tagged_sent + sent["noise"],
        "frames_sent": counts["jetstream_frames"] - frames_before,
        "noise_bytes_avg": counts["jetstream_bytes"] / max(1, sent["noise"]),
        "tagged_sent": tagged_sent,
        "tagged_recorded": added,
        "source_threads": len(threads),
        "source_cpu_pct": 100 * source_ns / wall,
        "process_cpu_pct": 100 * (after_self - before_self) / wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["serve", "latency", "jetstream_cpu"])
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--rate", type=float, default=None)
    parser.add_argument("--burst", type=int, default=50)
    parser.add_argument("--tagged", type=float, default=0.01)
    args = parser.parse_args()
    if args.what == "serve":
        serve()
        return
    if args.what == "latency":
        result = latency(args.seconds, args.rate or 10.0, args.burst)
    else:
        result = jetstream_cpu(args.seconds, args.rate or 100.0, args.tagged)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
