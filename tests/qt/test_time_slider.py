"""The time slider: a recorded session replays into the deck in time order, at N×
speed, and stopping the replay brings the full view back."""

from __future__ import annotations

from desktop.core.post import Network
from desktop.store.ingest import IngestResult
from tests.fakes.posts import T0, make_post
from tests.qt.conftest import create_jam_session, ingest

N = 40  # one post a minute for 40 minutes


def jam_posts():
    posts = [
        make_post(n, f"answer {n}", handle=f"user{n % 7}", minutes=n, likes=n % 5) for n in range(N)
    ]
    posts[0] = make_post(0, "Q1 What is a jam? #jam", handle="host", minutes=0)
    posts[5] = make_post(5, "a bluesky answer", network=Network.BLUESKY, minutes=5)
    return posts


def column(window, name):
    return next(w for w in window.deck.columns.values() if w.spec.name == name)


def times(widget):
    model = widget.model
    return [model._rows[r][1] for r in range(model.rowCount())]


class Steps:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def recorded_window(qtbot, make_window):
    window = make_window()
    session_id = create_jam_session(window)
    window.open_session(session_id)
    with qtbot.waitSignal(window.deck.flushed, timeout=5000):  # recorded, and shown
        ingest(window, session_id, jam_posts())
    window.open_session(session_id)  # reopened: the replay slider sees the posts
    return window, session_id


def test_the_slider_replays_a_cached_session_in_time_order(qtbot, make_window):
    window, _session_id = recorded_window(qtbot, make_window)
    everything = column(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == N)
    hosts_before = column(window, "Host & questions").model.rowCount()
    assert window.replay_button.isVisibleTo(window)

    window.replay_button.click()
    bar = window.replay_bar
    assert bar.isVisibleTo(window)
    assert (bar.first, bar.last) == (T0.timestamp(), T0.timestamp() + (N - 1) * 60)
    assert bar.slider.maximum() == (N - 1) * 60

    fed: list[IngestResult] = []
    original = window.deck.on_committed
    window.deck.on_committed = lambda result: (fed.append(result), original(result))
    bar.set_speed(0.0)  # as fast as possible
    bar.from_here.click()
    # The columns start empty, then fill as if the jam were live.
    assert everything.model.rowCount() == 0
    assert window.count_label.text() == "0 posts"
    qtbot.waitUntil(lambda: bar.replay.state == "finished", timeout=5000)
    qtbot.waitUntil(lambda: everything.model.rowCount() == N, timeout=5000)
    arrived = [r.created_at for result in fed for r in result.added]
    assert arrived == sorted(arrived) and len(arrived) == N
    assert times(everything) == sorted(times(everything), reverse=True)
    # Columns take their rows one event-loop turn after another (never all in one turn).
    qtbot.waitUntil(lambda: column(window, "Host & questions").model.rowCount() == hosts_before)
    qtbot.waitUntil(lambda: window.count_label.text() == f"{N} posts")
    assert bar.time_label.text() == f"end · {N} posts"

    # Stop: every column is read from the cache again.
    bar.stop_button.click()
    assert bar.replay.state == "stopped"
    assert everything.model.rowCount() == N
    assert times(everything) == sorted(times(everything), reverse=True)
    assert window.count_label.text() == f"{N} posts"


def test_replay_from_the_middle_at_sixty_times_the_pace(qtbot, make_window):
    window, _session_id = recorded_window(qtbot, make_window)
    everything = column(window, "All")
    qtbot.waitUntil(lambda: everything.model.rowCount() == N)
    window.replay_button.click()
    bar = window.replay_bar
    replay = bar.replay
    steps = Steps()
    replay.clock = steps

    bar.set_speed(60.0)
    bar.slider.setValue(10 * 60)  # from minute 10
    bar.from_here.click()
    replay.timer.stop()  # the test moves the replay's clock itself

    steps.now += 4.5  # 4.5 s at 60× = 4.5 minutes of the jam: minutes 10..14
    replay.tick()
    window.deck.flush()
    assert everything.model.rowCount() == 5
    assert times(everything)[-1] == T0.timestamp() + 10 * 60
    assert times(everything)[0] == T0.timestamp() + 14 * 60
    assert bar.slider.value() == int(14.5 * 60)

    bar.toggle_pause()
    assert replay.state == "paused" and bar.play.text() == "Resume"
    steps.now += 100
    replay.tick()  # paused: nothing moves
    window.deck.flush()
    assert everything.model.rowCount() == 5

    bar.toggle_pause()
    replay.timer.stop()
    steps.now += 60  # one more real minute = an hour of the jam: the rest
    replay.tick()
    window.deck.flush()
    assert everything.model.rowCount() == N - 10
    assert replay.state == "finished"

    # Hiding the slider stops the replay and restores the view.
    window.replay_button.click()
    assert not bar.isVisibleTo(window) and replay.state == "stopped"
    assert everything.model.rowCount() == N


def test_replay_is_offered_only_for_sessions_with_posts(qtbot, make_window):
    window = make_window()
    empty = create_jam_session(window, "empty")
    window.open_session(empty)
    assert not window.replay_button.isVisibleTo(window)
    assert not window.replay_bar.from_here.isEnabled()


def test_the_sidebar_keeps_the_sessions_count_during_a_replay(qtbot, make_window):
    """Issue 21.9: the sidebar said "3 posts" while the replay was at its third post."""
    window, _session_id = recorded_window(qtbot, make_window)
    assert f"{N} posts" in window.sessions.item(0).text()
    window.replay_button.click()
    bar, replay, steps = window.replay_bar, window.replay_bar.replay, Steps()
    replay.clock = steps
    bar.set_speed(60.0)
    bar.from_here.click()
    replay.timer.stop()  # the test moves the replay's clock itself
    steps.now += 2.5  # 2.5 minutes of the jam: three posts
    replay.tick()
    window.deck.flush()
    assert window.count_label.text() == "3 posts"  # the deck counts the replay...
    assert f"{N} posts" in window.sessions.item(0).text()  # ...the sidebar the session
