"""The Mastodon source against a fake instance, with the real Mastodon.py over HTTP."""

from __future__ import annotations

import contextlib
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.credentials import CredentialStore, MemoryKeyring
from desktop.core.post import Network
from desktop.sources.base import (
    ActionNotAllowed,
    RateLimitedError,
    SourceAuthError,
    SourceOfflineError,
    SourceState,
)
from desktop.sources.mastodon import (
    MastodonSource,
    authorization_url,
    create_source,
    credential_name,
    exchange_code,
    register_app,
)
from tests.fakes.fake_mastodon import FakeMastodon, rate_limit_headers
from tests.fakes.sink import CollectingSink as Sink

WAIT = 5.0  # seconds a test waits for the source's thread before failing


class FakeClock:
    def __init__(self) -> None:
        self.value = 1000.0

    def __call__(self) -> float:
        return self.value


@pytest.fixture
def fake(payloads):
    """The fake instance, its statuses made from a generated status, then from the recorded one."""
    with FakeMastodon(version="4.5.0", fixtures=payloads / "mastodon") as server:
        yield server


def make_source(
    fake: FakeMastodon, *, token: str | None = "good-token", **kwargs
) -> MastodonSource:
    kwargs.setdefault("sleep", lambda seconds: None)
    return MastodonSource(
        instance_url=fake.url,
        hashtags=kwargs.pop("hashtags", ["jam"]),
        token=token,
        tick=0.02,
        **kwargs,
    )


@contextlib.contextmanager
def running(source: MastodonSource, sink: Sink, stop: threading.Event | None = None):
    stop = stop or threading.Event()
    thread = threading.Thread(target=source.run, args=(sink, stop), name="mastodon-test-run")
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=WAIT)
        assert not thread.is_alive(), "run() did not return after stop"


def texts(sink: Sink) -> list[str]:
    return [p.text for p in sink.posts]


def test_a_rejected_token_stops_the_source_at_once_with_a_clear_message(fake):
    source = make_source(fake, token="expired-token")
    sink = Sink()
    started = time.monotonic()
    source.run(sink, threading.Event())  # returns by itself
    elapsed = time.monotonic() - started

    assert elapsed < 1.0
    assert sink.statuses[-1].state is SourceState.STOPPED
    message = sink.statuses[-1].message
    assert "rejected the access token (401)" in message
    assert "The access token is invalid" in message
    assert "expired-token" not in message  # never show the token
    assert fake.calls("GET", "/api/v1/streaming") == []  # never tried to stream


@pytest.fixture(params=["snowflake", "ulid"])
def any_fake(request, fixtures_dir):
    """A Mastodon-API server with Mastodon's snowflake ids, or GoToSocial's ULIDs."""
    with FakeMastodon(fixtures=fixtures_dir / "mastodon", ids=request.param) as server:
        yield server


def test_a_jam_with_a_cut_stream_delivers_every_post_exactly_once(any_fake):
    fake = any_fake
    now = datetime.now(UTC)
    # Before the recorder started: one inside the catch-up window, one too old.
    fake.add(fake.factory.make("too old", at=now - timedelta(minutes=45)))
    fake.add(fake.factory.make("early bird", at=now - timedelta(minutes=10)))
    sleeps: list[float] = []
    source = make_source(fake, sleep=sleeps.append)
    sink = Sink()
    with running(source, sink):
        assert fake.wait_for_streams(1)
        sink.wait(lambda s: SourceState.CONNECTED in s.states())
        fake.publish(fake.factory.make("Q1 what brings you here?"))
        fake.publish(fake.factory.make("A1 curiosity", user="bob", host="other.example"))
        sink.wait_posts(3)

        fake.cut_streams()
        # Posted while the stream is down: they can only come back through catch-up.
        fake.add(fake.factory.make("A1 lost in the gap", user="carol"))
        fake.add(fake.factory.make("A1 also lost", user="dan"))
        assert fake.wait_for_streams(1, total=2)
        sink.wait_posts(5)
        fake.publish(fake.factory.make("Q2 after the reconnect"))
        sink.wait_posts(6)

    assert sorted(texts(sink)) == sorted(
        [
            "early bird #jam",
            "Q1 what brings you here? #jam",
            "A1 curiosity #jam",
            "A1 lost in the gap #jam",
            "A1 also lost #jam",
            "Q2 after the reconnect #jam",
        ]
    )
    ids = [p.id for p in sink.posts]
    assert len(set(ids)) == len(ids)
    assert all(isinstance(i, str) for i in ids)
    assert all(p.network is Network.MASTODON for p in sink.posts)
    assert SourceState.RECONNECTING in sink.states()
    assert sleeps == [2.0]  # one backoff step before the reconnect
    # Ids are opaque: every cursor the source sent is an id the server gave it.
    given = set(fake.statuses)
    for call in fake.calls("GET", "/api/v1/timelines/tag/jam"):
        for key in ("min_id", "max_id", "since_id"):
            assert set(call.query.get(key, [])) <= given, (key, call.query)


def test_catch_up_on_ulids_pages_back_by_time_then_polls_forward_from_the_newest_id(
    fixtures_dir,
):
    with FakeMastodon(fixtures=fixtures_dir / "mastodon", ids="ulid") as fake:
        start = datetime.now(UTC) - timedelta(minutes=20)
        fake.add(fake.factory.make("before the session", at=start - timedelta(minutes=5)))
        for n in range(50):  # more than a page, posted before the recorder started
            fake.add(fake.factory.make(f"early {n}", at=start + timedelta(seconds=n)))
        rounds: list[float] = []
        stop = threading.Event()

        def between_rounds(seconds: float) -> None:
            rounds.append(seconds)
            if len(rounds) == 1:
                fake.add(fake.factory.make("between polls 1"))
                fake.add(fake.factory.make("between polls 2"))
            elif len(rounds) == 3:
                stop.set()

        source = make_source(
            fake, mode="poll", since=start - timedelta(seconds=1), sleep=between_rounds
        )
        sink = Sink()
        with running(source, sink, stop):
            assert stop.wait(WAIT)
    assert texts(sink) == [f"early {n} #jam" for n in range(50)] + [
        "between polls 1 #jam",
        "between polls 2 #jam",
    ]  # in time order, none twice, the one before the session left out
    calls = fake.calls("GET", "/api/v1/timelines/tag/jam")
    newest = max(fake.statuses)  # the fake may order its own ids; the client never does
    assert "max_id" not in calls[0].query and "max_id" in calls[1].query
    later = [c for c in calls[2:] if "min_id" in c.query]
    assert later and later[0].query["min_id"] != [newest]  # the first poll's newest id...
    assert all(c.query["min_id"][0] in fake.statuses for c in later)
    assert SourceState.STOPPED not in sink.states()


def test_a_truncated_answer_is_transient_backs_off_and_says_so(fake):
    fake.add(fake.factory.make("early", at=datetime.now(UTC) - timedelta(minutes=1)))
    fake.truncate("/api/v1/timelines/tag/jam")
    sleeps: list[float] = []
    source = make_source(fake, sleep=sleeps.append)
    sink = Sink()
    with running(source, sink):
        sink.wait_posts(1)
    reconnecting = [s for s in sink.statuses if s.state is SourceState.RECONNECTING]
    assert reconnecting and "malformed or truncated" in reconnecting[0].message
    assert sleeps[:1] == [2.0]
    assert SourceState.STOPPED not in sink.states()


def test_a_refused_request_other_than_401_403_does_not_stop_the_recording(fake):
    fake.add(fake.factory.make("early", at=datetime.now(UTC) - timedelta(minutes=1)))
    fake.fail("/api/v1/timelines/tag/jam", 422, error="Validation failed")
    source = make_source(fake)
    sink = Sink()
    with running(source, sink):
        sink.wait_posts(1)
    assert SourceState.STOPPED not in sink.states()
    assert any("422" in s.message for s in sink.statuses if s.state is SourceState.RECONNECTING)


def test_stop_is_prompt_while_a_connect_hangs():
    import socket

    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        source = MastodonSource(
            instance_url=f"http://127.0.0.1:{silent.getsockname()[1]}",
            hashtags=["jam"],
            token="good-token",
            request_timeout=30,
            tick=0.02,
        )
        sink = Sink()
        stop = threading.Event()
        thread = threading.Thread(target=source.run, args=(sink, stop))
        thread.start()
        sink.wait(lambda s: SourceState.CONNECTING in s.states())
        started = time.monotonic()
        stop.set()
        thread.join(WAIT)
        assert not thread.is_alive()
        assert time.monotonic() - started < 1.0
    assert sink.states()[-1] is SourceState.FINISHED


def test_catch_up_pages_forward_through_more_than_one_page(fake):
    start = datetime.now(UTC) - timedelta(minutes=20)
    for n in range(95):
        fake.add(fake.factory.make(f"post {n}", at=start + timedelta(seconds=n)))
    source = make_source(fake, mode="poll", since=start - timedelta(seconds=1))
    sink = Sink()
    stop = threading.Event()
    source._sleep = lambda seconds: stop.set()  # one polling round, then stop
    with running(source, sink, stop):
        assert stop.wait(WAIT)
    assert [p.text for p in sink.posts] == [f"post {n} #jam" for n in range(95)]  # in order
    pages = fake.calls("GET", "/api/v1/timelines/tag/jam")
    assert len(pages) == 4  # 40 + 40 + 15 + the empty page that ends it


def test_an_edit_redelivers_the_post_with_its_new_text(fake):
    source = make_source(fake)
    sink = Sink()
    with running(source, sink):
        assert fake.wait_for_streams(1)
        sink.wait(lambda s: SourceState.CONNECTED in s.states())
        status = fake.publish(fake.factory.make("A2 teh answer"))
        sink.wait_posts(1)
        fake.edit(status["id"], "A2 the answer")
        sink.wait_posts(2)
        fake.delete(status["id"])  # ignored for now, and must not break the stream
        fake.publish(fake.factory.make("still streaming"))
        sink.wait_posts(3)

    first, edited, later = sink.posts
    assert first.id == edited.id == status["id"]
    assert edited.text == "A2 the answer"
    assert edited.edited_at is not None
    assert later.text == "still streaming #jam"


def test_a_malformed_payload_is_skipped_and_the_stream_goes_on(fake):
    source = make_source(fake)
    sink = Sink()
    with running(source, sink):
        assert fake.wait_for_streams(1)
        sink.wait(lambda s: SourceState.CONNECTED in s.states())
        fake.push_raw('event: update\ndata: {"id": "1", "content": <p>cut off\n\n')
        fake.publish(fake.factory.make("after the bad one"))
        sink.wait_posts(1)

    assert len(sink.skipped) == 1
    where, reason = sink.skipped[0]
    assert "#jam stream" in where and "not JSON" in reason
    assert texts(sink) == ["after the bad one #jam"]
    assert SourceState.RECONNECTING not in sink.states()
    assert len(fake.calls("GET", "/api/v1/streaming/hashtag")) == 1  # same connection throughout


def test_a_rate_limit_waits_until_the_reset_time(fake):
    fake.add(fake.factory.make("waiting for me"))
    fake.fail("/api/v1/timelines/tag/", 429, headers=rate_limit_headers(90))
    sleeps: list[float] = []
    source = make_source(fake, sleep=sleeps.append)
    sink = Sink()
    with running(source, sink):
        sink.wait_posts(1)

    limited = [s for s in sink.statuses if s.state is SourceState.RATE_LIMITED]
    assert len(limited) == 1
    expected = datetime.now(UTC) + timedelta(seconds=90)
    assert abs((limited[0].until - expected).total_seconds()) < 5
    assert len(sleeps) == 1 and 84 < sleeps[0] <= 91
    assert texts(sink) == ["waiting for me #jam"]


def test_server_errors_back_off_exponentially_then_recover(fake):
    fake.fail("/api/v1/streaming/hashtag", 503, times=3)
    sleeps: list[float] = []
    source = make_source(fake, sleep=sleeps.append, backoff_base=1.0, backoff_cap=3.0)
    sink = Sink()
    with running(source, sink):
        sink.wait(lambda s: SourceState.CONNECTED in s.states())
    assert sleeps == [1.0, 2.0, 3.0]  # doubled, capped
    reconnecting = [s for s in sink.statuses if s.state is SourceState.RECONNECTING]
    assert "503" in reconnecting[0].message and reconnecting[0].until is not None


def test_a_silent_stream_is_reconnected_by_the_health_watch(fake):
    clock = FakeClock()
    source = make_source(fake, clock=clock, health_timeout=30.0)
    sink = Sink()
    with running(source, sink):
        assert fake.wait_for_streams(1)
        sink.wait(lambda s: SourceState.CONNECTED in s.states())
        clock.value += 31  # no event or heartbeat for longer than the timeout
        sink.wait(lambda s: SourceState.RECONNECTING in s.states())
        assert fake.wait_for_streams(1, total=2)
    message = next(s.message for s in sink.statuses if s.state is SourceState.RECONNECTING)
    assert "no event or heartbeat" in message


def test_a_lone_streamed_post_is_delivered_when_the_stream_goes_quiet(fake):
    # The batch clock stands still: only the stream going quiet can let the post out,
    # not the batch's 100 ms nor the next event (a jam's lone post is shown at once).
    source = make_source(fake, clock=FakeClock())
    sink = Sink()
    with running(source, sink):
        assert fake.wait_for_streams(1)
        sink.wait(lambda s: SourceState.CONNECTED in s.states())
        fake.publish(fake.factory.make("a lone answer"))
        sink.wait(lambda s: any("a lone answer" in text for text in texts(s)))


def test_poll_mode_reads_the_timeline_on_an_interval(fake):
    fake.add(fake.factory.make("first"))
    polls: list[float] = []
    source = make_source(fake, mode="poll", poll_interval=15.0)
    sink = Sink()
    stop = threading.Event()

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        if len(polls) <= 2:
            fake.add(fake.factory.make(f"between polls {len(polls)}"))
        elif len(polls) == 4:
            stop.set()

    source._sleep = sleep
    with running(source, sink, stop):
        assert stop.wait(WAIT)

    assert texts(sink) == ["first #jam", "between polls 1 #jam", "between polls 2 #jam"]
    assert set(polls) == {15.0}
    assert fake.calls("GET", "/api/v1/streaming") == []
    assert sink.states().count(SourceState.CONNECTED) == 1  # said once, not every round


def test_without_a_token_the_source_polls_anonymously(fake):
    fake.add(fake.factory.make("public post"))
    source = make_source(fake, token=None)
    assert not source.capabilities.stream and "token" in source.capabilities.reason("stream")
    sink = Sink()
    with running(source, sink):
        sink.wait_posts(1)
    assert fake.calls("GET", "/api/v1/accounts/verify_credentials") == []
    assert all(c.authorization is None for c in fake.requests)


def test_boost_favourite_and_reply_hit_the_right_endpoints(fake):
    source = make_source(fake)
    sink = Sink()
    status = fake.add(fake.factory.make("boost me"))
    with running(source, sink):
        sink.wait_posts(1)
    post = sink.posts[0]

    reblog_id = source.retweet(post)
    source.unretweet(post)
    source.like(post)
    source.unlike(post)
    reply = source.reply("@alice great point #jam", in_reply_to=post)

    posted = [c.path for c in fake.requests if c.method == "POST"]
    sid = status["id"]
    assert posted == [
        f"/api/v1/statuses/{sid}/reblog",
        f"/api/v1/statuses/{sid}/unreblog",
        f"/api/v1/statuses/{sid}/favourite",
        f"/api/v1/statuses/{sid}/unfavourite",
        "/api/v1/statuses",
    ]
    assert isinstance(reblog_id, str) and reblog_id != sid
    assert fake.calls("POST", "/api/v1/statuses")[-1].form["in_reply_to_id"] == [sid]
    assert (
        reply is not None and reply.reply_to_id == sid and reply.text == "@alice great point #jam"
    )


def test_a_post_from_another_instance_is_resolved_by_its_uri_first(fake):
    other = fake.factory.make("seen on another instance", host="elsewhere.example")
    fake.remote[other["uri"]] = other
    from desktop.core.normalize.mastodon import normalize_status

    foreign = normalize_status(other).posts[0]  # its id is elsewhere's, not ours
    source = make_source(fake)
    source.like(foreign)

    search = fake.calls("GET", "/api/v2/search")
    assert search[0].query["q"] == [other["uri"]] and search[0].query["resolve"] == ["1"]
    liked = fake.calls("POST", "/api/v1/statuses/")[-1].path
    assert liked.endswith("/favourite") and other["id"] not in liked
    source.unlike(foreign)
    assert len(fake.calls("GET", "/api/v2/search")) == 1  # remembered


def test_action_errors_are_the_contract_errors(fake):
    status = fake.add(fake.factory.make("x"))
    source = make_source(fake)
    sink = Sink()
    with running(source, sink):
        sink.wait_posts(1)
    post = sink.posts[0]

    fake.fail(f"/api/v1/statuses/{status['id']}/favourite", 401)
    with pytest.raises(SourceAuthError, match="401"):
        source.like(post)
    fake.fail(f"/api/v1/statuses/{status['id']}/favourite", 403, error="This action is not allowed")
    with pytest.raises(SourceAuthError, match="403"):
        source.like(post)
    fake.fail(f"/api/v1/statuses/{status['id']}/reblog", 429, headers=rate_limit_headers(60))
    with pytest.raises(RateLimitedError) as limited:
        source.retweet(post)
    assert limited.value.reset_at > datetime.now(UTC) + timedelta(seconds=50)

    offline = MastodonSource(instance_url="http://127.0.0.1:9", hashtags=["jam"], token="t")
    with pytest.raises(SourceOfflineError):
        offline.like(post)


@pytest.mark.parametrize(
    ("version", "allowed"),
    [
        ("4.5.0", True),
        ("4.6.4+glitch", True),
        ("4.4.3", False),
        ("2.7.2 (compatible; Pleroma 2.6.0)", False),
    ],
)
def test_quote_posts_follow_the_instance_version(fake, version, allowed):
    fake.version = version
    quoted = fake.add(fake.factory.make("quote me"))
    from desktop.core.normalize.mastodon import normalize_status

    post = normalize_status(quoted).posts[0]
    source = make_source(fake)
    assert source.refresh_capabilities().quote_post is allowed
    if allowed:
        created = source.quote("So true #jam", quoted=post)
        assert fake.calls("POST", "/api/v1/statuses")[-1].form["quoted_status_id"] == [quoted["id"]]
        assert created is not None and created.quoted_id == quoted["id"]
    else:
        assert "4.5" in source.capabilities.reason("quote_post")
        assert version.split(" ")[0] in source.capabilities.reason("quote_post")
        with pytest.raises(ActionNotAllowed, match="4.5"):
            source.quote("So true", quoted=post)
        assert fake.calls("POST", "/api/v1/statuses") == []


def test_create_source_takes_the_token_from_the_keyring_then_the_environment(fake):
    store = CredentialStore(backend=MemoryKeyring())
    options = {"instance": fake.url, "account": "jammer", "mode": "poll", "interval": "20"}
    store.set(credential_name(fake.url, "jammer"), "good-token")
    assert credential_name(fake.url, "jammer") == f"mastodon:{fake.url.split('//')[1]}:jammer:token"

    source = create_source(hashtags=["#Jam"], options=options, credentials=store, environ={})
    assert source.hashtags == ["Jam"] and source.mode == "poll" and source.poll_interval == 20.0
    assert source.capabilities.stream

    headless = create_source(
        hashtags=["jam"],
        options={"instance": fake.url},
        environ={"JAMDECK_MASTODON_TOKEN": "good-token"},
    )
    assert headless.capabilities.like
    anonymous = create_source(hashtags=["jam"], options={"instance": fake.url}, environ={})
    assert not anonymous.capabilities.like
    since = datetime(2026, 1, 1, tzinfo=UTC)
    assert (
        create_source(hashtags=["jam"], since=since, options={"instance": fake.url}).since == since
    )
    with pytest.raises(ValueError, match="instance"):
        create_source(hashtags=["jam"], options={})


def test_signing_in_registers_the_app_and_exchanges_the_code(fake):
    client_id, client_secret = register_app(fake.url)
    assert (client_id, client_secret) == ("fake-client-id", "fake-client-secret")
    url = authorization_url(fake.url, client_id=client_id, client_secret=client_secret, state="s1")
    assert url.startswith(f"{fake.url}/oauth/authorize?") and "client_id=fake-client-id" in url
    assert "read%3Astatuses" in url and "state=s1" in url
    token = exchange_code(
        fake.url, client_id=client_id, client_secret=client_secret, code="good-code"
    )
    assert token == "good-token"
    with pytest.raises(SourceAuthError):
        exchange_code(fake.url, client_id=client_id, client_secret=client_secret, code="wrong")


def test_the_package_imports_mastodon_py_only_when_used():
    import subprocess
    import sys

    code = "import sys, desktop.sources.mastodon; print('mastodon' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
