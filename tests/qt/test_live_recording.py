"""Live recording in the window: a session's network sources record into the deck,
the status bar says how each is doing, the schedule starts and stops it."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from desktop.app.source_specs import source_label, source_options, status_line
from desktop.core.accounts import AccountStore
from desktop.core.credentials import CredentialStore, MemoryKeyring
from desktop.core.normalize import Parsed
from desktop.core.post import Network
from desktop.core.schedule import LEAD_IN, LEAD_OUT
from desktop.sources.base import Source, SourceAuthError, SourceState, SourceStatus
from desktop.store import columns as saved_columns
from desktop.store import library
from desktop.ui import theme as themes
from desktop.ui.main_window import MainWindow
from tests.fakes.posts import make_post

START = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
END = START + timedelta(hours=1)
MASTODON = "mastodon:https://mastodon.social"


class ScriptedSource(Source):
    """Connects, delivers ``posts`` in one batch, reports ``then`` and waits for stop
    (or returns after a STOPPED status, as an adapter does)."""

    def __init__(self, network: str, posts=(), *, then: tuple[SourceStatus, ...] = ()) -> None:
        self.network = network
        self.name = f"scripted:{network}"
        self.posts = list(posts)
        self.then = then
        self.ran = threading.Event()
        self.ended = threading.Event()
        self.closed = False

    def run(self, sink, stop: threading.Event) -> None:
        self.ran.set()
        try:
            sink.on_status(self, SourceStatus(SourceState.CONNECTING))
            sink.on_status(self, SourceStatus(SourceState.CONNECTED))
            if self.posts:
                sink.on_posts(self, Parsed(posts=self.posts))
            for status in self.then:
                sink.on_status(self, status)
                if status.state == SourceState.STOPPED:
                    return
            stop.wait()
            sink.on_status(self, SourceStatus(SourceState.FINISHED, "stopped"))
        finally:
            self.ended.set()

    def close(self) -> None:
        self.closed = True


class Factory:
    """The window's source factory: hands out prepared sources by spec, or raises."""

    def __init__(self, **by_spec) -> None:
        self.by_spec = by_spec
        self.calls: list[tuple[str, datetime | None]] = []
        self.lock = threading.Lock()

    def __call__(self, spec, *, session, since):
        with self.lock:
            self.calls.append((spec, since))
        made = self.by_spec[spec]
        if isinstance(made, Exception):
            raise made
        return made() if callable(made) and not isinstance(made, Source) else made


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def open_window(qtbot, library_path, tmp_path):
    windows: list[MainWindow] = []

    def make(factory, clock=None) -> MainWindow:
        window = MainWindow(
            library_path,
            theme=themes.LIGHT,
            coalesce_ms=10,
            source_factory=factory,
            clock=clock or Clock(START),
            accounts=AccountStore(tmp_path / "accounts.json"),
            credentials=CredentialStore(backend=MemoryKeyring()),
        )
        qtbot.addWidget(window)
        window.resize(1400, 900)
        windows.append(window)
        return window

    yield make
    for window in windows:
        window.shutdown()


def create_session(window, name="jam", *, sources, start=START, end=END) -> int:
    def op(ctx):
        session_id = library.create_session(
            ctx.conn,
            name,
            hashtags=["jam"],
            hosts=["host"],
            sources=sources,
            scheduled_start=start.timestamp() if start else None,
            scheduled_end=end.timestamp() if end else None,
        )
        saved_columns.apply_preset(ctx.conn, session_id)
        return session_id

    return window.writer.call(op, notify=False)


def all_column(window):
    return next(w for w in window.deck.columns.values() if w.spec.name == "All")


def stored(window, session_id):
    return window.writer.call(lambda ctx: library.get_session(ctx.conn, session_id), notify=False)


def test_opening_a_live_session_records_its_sources_into_the_columns(qtbot, open_window):
    x = ScriptedSource("x", [make_post(n, minutes=n) for n in range(3)])
    rejected = SourceStatus(
        SourceState.STOPPED, "Mastodon rejected the token (401): sign in again", auth_failed=True
    )
    mastodon = ScriptedSource("mastodon", then=(rejected,))
    factory = Factory(x=x, **{MASTODON: mastodon})
    window = open_window(factory, Clock(START + timedelta(minutes=10)))
    backs: list[str] = []
    window.actions.source_back = backs.append
    session_id = create_session(window, sources=["x", MASTODON, "replay:old.jsonl"])

    window.open_session(session_id)

    # Only the network specs are recorded, catching up from the window's start.
    assert window.recording.active
    qtbot.waitUntil(lambda: all_column(window).model.rowCount() == 3, timeout=5000)
    assert sorted(spec for spec, _ in factory.calls) == sorted(["x", MASTODON])
    assert {since for _, since in factory.calls} == {START - LEAD_IN}
    assert [all_column(window).model.view_at(r).network_id for r in range(3)] == [
        "1002",
        "1001",
        "1000",
    ]
    bar = window.live_status
    qtbot.waitUntil(lambda: "stopped" in bar.line("Mastodon (mastodon.social)"), timeout=5000)
    assert bar.line("X") == "X: connected · 3/min"
    assert bar.line("Mastodon (mastodon.social)") == (
        "Mastodon (mastodon.social): stopped — Mastodon rejected the token (401): sign in again"
    )
    stopped = bar.items["Mastodon (mastodon.social)"]
    assert themes.LIGHT.error in stopped.text.styleSheet()
    assert stopped.fix.isVisibleTo(window) and not bar.items["X"].fix.isVisibleTo(window)
    assert "x" in backs  # actions that waited for X run now
    assert not window.no_sources.isVisibleTo(window)
    assert window.record_button.text().startswith("● Recording until")
    qtbot.waitUntil(lambda: stored(window, session_id).started_at is not None, timeout=5000)
    assert stored(window, session_id).started_at == (START + timedelta(minutes=10)).timestamp()

    # "Fix account…" opens the accounts dialog.
    stopped.fix.click()
    assert window.accounts_dialog.isVisible()
    window.accounts_dialog.reject()

    window.close()
    assert x.ended.is_set() and mastodon.ended.is_set()
    assert x.closed and mastodon.closed
    assert not any(t.name.startswith("jamdeck-source") for t in threading.enumerate())
    with library_conn(window) as conn:
        ended = library.get_session(conn, session_id).ended_at
    assert ended == (START + timedelta(minutes=10)).timestamp()


def library_conn(window):
    from contextlib import closing

    from desktop.store.db import connect

    return closing(connect(window.library_path, readonly=True))


def test_a_scheduled_session_records_from_lead_in_to_lead_out(qtbot, open_window):
    made: list[ScriptedSource] = []

    def make_x():
        made.append(ScriptedSource("x", [make_post(len(made), minutes=len(made))]))
        return made[-1]

    clock = Clock(START - timedelta(hours=1))
    window = open_window(Factory(x=make_x), clock)
    session_id = create_session(window, sources=["x"])
    window.open_session(session_id)

    # Before the window: nothing runs, one timer waits for start - LEAD_IN.
    assert not window.recording.active and not made
    assert window.recording.timer.isActive()
    assert (
        window.recording.timer.interval()
        == (timedelta(hours=1) - LEAD_IN) // timedelta(milliseconds=1) + 1
    )
    assert window.record_button.text().startswith("Records from")
    assert not window.record_button.isEnabled()

    clock.now = START - LEAD_IN
    window.recording.on_schedule_tick()
    assert window.recording.active
    qtbot.waitUntil(lambda: all_column(window).model.rowCount() == 1, timeout=5000)
    # The next change (end + LEAD_OUT) is 70 min away: the timer re-checks after an hour.
    assert window.recording.timer.interval() == 3_600_001
    qtbot.waitUntil(lambda: stored(window, session_id).started_at is not None, timeout=5000)
    assert stored(window, session_id).started_at == (START - LEAD_IN).timestamp()

    # Still inside at the scheduled end; stops at end + LEAD_OUT.
    clock.now = END
    window.recording.on_schedule_tick()
    assert window.recording.active
    clock.now = END + LEAD_OUT
    window.recording.on_schedule_tick()
    assert not window.recording.active
    assert made[0].ended.wait(5)
    qtbot.waitUntil(lambda: window.live_status.line("X") == "X: stopped", timeout=5000)
    qtbot.waitUntil(lambda: stored(window, session_id).ended_at is not None, timeout=5000)
    assert stored(window, session_id).ended_at == (END + LEAD_OUT).timestamp()
    assert not window.recording.timer.isActive()  # the window is over: no next change
    assert window.record_button.text() == "Recorded"
    assert len(made) == 1


def test_a_source_that_cannot_be_built_says_why(qtbot, open_window):
    factory = Factory(
        x=SourceAuthError("No X bearer token: set JAMDECK_X_BEARER_TOKEN or add an X account"),
        bluesky=ValueError("Bluesky poll interval must be positive"),
    )
    window = open_window(factory)
    session_id = create_session(window, sources=["x", "bluesky"], start=None, end=None)
    window.open_session(session_id)

    # No schedule: nothing records until the user presses Record.
    assert window.record_button.isVisibleTo(window) and window.record_button.isEnabled()
    assert window.record_button.text() == "● Record"
    assert not window.recording.active and not factory.calls
    window.record_button.click()

    bar = window.live_status
    qtbot.waitUntil(lambda: "stopped" in bar.line("Bluesky"), timeout=5000)
    qtbot.waitUntil(lambda: "stopped" in bar.line("X"), timeout=5000)
    assert bar.line("X") == (
        "X: stopped — No X bearer token: set JAMDECK_X_BEARER_TOKEN or add an X account"
    )
    assert bar.line("Bluesky") == "Bluesky: stopped — Bluesky poll interval must be positive"
    assert bar.items["X"].fix.isVisibleTo(window)
    assert themes.LIGHT.error in bar.items["X"].text.styleSheet()
    # Nothing could start: the toggle is off again, and nothing was stamped.
    assert not window.recording.active and not window.record_button.isChecked()
    assert stored(window, session_id).started_at is None


def test_record_toggle_starts_and_stops_an_unscheduled_session(qtbot, open_window):
    x = ScriptedSource("x", [make_post(1)])
    window = open_window(Factory(x=x))
    session_id = create_session(window, sources=["x"], start=None, end=None)
    window.open_session(session_id)
    window.record_button.click()
    qtbot.waitUntil(lambda: all_column(window).model.rowCount() == 1, timeout=5000)
    assert window.record_button.isChecked() and window.record_button.text() == "● Recording"
    window.record_button.click()
    assert x.ended.wait(5)
    assert not window.recording.active and window.record_button.text() == "● Record"
    qtbot.waitUntil(lambda: stored(window, session_id).ended_at is not None, timeout=5000)


def test_status_lines_say_what_each_state_means():
    now = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
    label = source_label(MASTODON)
    assert label == "Mastodon (mastodon.social)"
    assert source_label("x") == "X" and source_label("bluesky") == "Bluesky"
    later = SourceStatus(SourceState.RECONNECTING, until=now + timedelta(seconds=8))
    assert status_line(label, later, now=now) == "Mastodon (mastodon.social): reconnecting in 8 s"
    limited = SourceStatus(SourceState.RATE_LIMITED, until=datetime(2026, 5, 1, 19, 42, tzinfo=UTC))
    expected = datetime(2026, 5, 1, 19, 42, tzinfo=UTC).astimezone().strftime("%H:%M")
    assert status_line("Bluesky", limited, now=now) == f"Bluesky: rate limited until {expected}"
    connected = SourceStatus(SourceState.CONNECTED)
    assert status_line("X", connected, per_minute=42, now=now) == "X: connected · 42/min"


def test_sources_record_with_the_configured_accounts(tmp_path):
    from desktop.core.accounts import Account

    accounts = AccountStore(tmp_path / "accounts.json")
    accounts.add(Account("x", "work"))
    accounts.add(Account("mastodon", "ann", instance="https://mastodon.social"))
    accounts.add(Account("mastodon", "bob", instance="https://fosstodon.org"))
    accounts.add(Account("bluesky", "ann.bsky.social", instance="https://bsky.social"))
    assert source_options("x", accounts) == {"account": "work"}
    assert source_options("x:other", accounts) == {}
    assert source_options("mastodon:https://fosstodon.org", accounts) == {"account": "bob"}
    assert source_options("mastodon", accounts) == {
        "account": "ann",
        "instance": "https://mastodon.social",
    }
    assert source_options("bluesky", accounts) == {
        "handle": "ann.bsky.social",
        "service": "https://bsky.social",
    }
    assert source_options("x", AccountStore(tmp_path / "none.json")) == {}


def test_a_network_post_arrives_marked_with_its_network(qtbot, open_window):
    """Two sources record into one session; each post shows up once."""
    x = ScriptedSource("x", [make_post(1), make_post(2)])
    bluesky = ScriptedSource("bluesky", [make_post(3, network=Network.BLUESKY)])
    window = open_window(Factory(x=x, bluesky=bluesky), Clock(START))
    session_id = create_session(window, sources=["x", "bluesky"])
    window.open_session(session_id)
    qtbot.waitUntil(lambda: all_column(window).model.rowCount() == 3, timeout=5000)
    networks = sorted(all_column(window).model.view_at(r).network for r in range(3))
    assert networks == ["bluesky", "x", "x"]
    qtbot.waitUntil(lambda: window.live_status.line("Bluesky") == "Bluesky: connected · 1/min")
