"""The Bluesky source's account side against a fake XRPC server, with the real atproto client
over HTTP: signing in, sessions, refreshes and the actions. (Following the hashtag through
Jetstream is tested in test_bluesky_jetstream.py.)"""

from __future__ import annotations

import json
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.credentials import CredentialStore, MemoryKeyring
from desktop.core.normalize.bluesky import normalize_post_views
from desktop.core.post import Post
from desktop.sources.base import RateLimitedError, SourceAuthError, SourceOfflineError, SourceState
from desktop.sources.bluesky import (
    ENV_APP_PASSWORD,
    ENV_HANDLE,
    LIKE,
    POST,
    REPOST,
    BlueskySource,
    create_source,
    preload_sdk,
    session_key,
)
from tests.fakes.fake_bluesky import FakeBluesky, post_view, retag_fixture_post
from tests.fakes.sink import CollectingSink as RecordingSink

preload_sdk()  # here, so the timing tests measure the source, not atproto's import

START = datetime(2026, 3, 1, 18, 0, 0, tzinfo=UTC)
TAG = "jam"


class FakeTime:
    """A wall clock and a sleep that advances it; ``between_polls`` scripts what happens
    while the source sleeps (new posts, faults), and the run stops after the script ends."""

    def __init__(self, stop: threading.Event, *between_polls) -> None:
        self.now = START + timedelta(minutes=5)
        self.stop = stop
        self.slept: list[float] = []
        self._script = list(between_polls)

    def clock(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += timedelta(seconds=seconds)
        if self._script:
            self._script.pop(0)()
        else:
            self.stop.set()


@pytest.fixture
def fake():
    with FakeBluesky(page_size=10) as server:
        yield server


@pytest.fixture
def keyring() -> MemoryKeyring:
    return MemoryKeyring()


@pytest.fixture
def credentials(keyring) -> CredentialStore:
    return CredentialStore(backend=keyring)


@pytest.fixture
def fixture_posts(payloads) -> list[dict]:
    """A searchPosts page of 25 (two quotes), generated then recorded, moved into #jam
    after the session's start (newest last)."""
    exchange = json.loads((payloads / "bluesky" / "f_search.json").read_text())[0]
    return [
        retag_fixture_post(
            view, tag=TAG, rkey=f"fx{i:03d}", indexed_at=START + timedelta(seconds=10 + i)
        )
        for i, view in enumerate(exchange["body"]["posts"])
    ]


def generated(
    n: int, *, first: int, at: datetime, text: str = "live from the jam #jam"
) -> list[dict]:
    return [
        post_view(
            rkey=f"gen{first + i:04d}",
            text=f"{text} {first + i}",
            indexed_at=at + timedelta(seconds=i),
        )
        for i in range(n)
    ]


def make_source(fake, credentials, time_: FakeTime | None = None, **kwargs) -> BlueskySource:
    kwargs.setdefault("app_password", fake.password)
    return BlueskySource(
        hashtags=[TAG],
        handle=fake.handle,
        credentials=credentials,
        service=fake.url,
        since=START,
        clock=time_.clock if time_ else (lambda: START),
        sleep=time_.sleep if time_ else None,
        **kwargs,
    )


def run_until_script_ends(source: BlueskySource, time_: FakeTime) -> RecordingSink:
    sink = RecordingSink()
    try:
        source.run(sink, time_.stop)
    finally:
        source.close()
    return sink


def uris(posts) -> list[str]:
    return [post.id for post in posts]


# ---- login -----------------------------------------------------------------


def test_a_wrong_app_password_stops_the_source_within_a_second_with_a_clear_message(
    fake, credentials, caplog
):
    caplog.set_level(logging.DEBUG)
    source = create_source(
        hashtags=["#jam"],
        options={"service": fake.url},
        credentials=credentials,
        environ={ENV_HANDLE: "@" + fake.handle, ENV_APP_PASSWORD: "wrong-pass-0000"},
    )
    sink = RecordingSink()
    started = time.monotonic()
    source.run(sink, threading.Event())
    elapsed = time.monotonic() - started
    source.close()

    assert elapsed < 1.0
    assert sink.states() == [SourceState.CONNECTING, SourceState.STOPPED]
    message = sink.statuses[-1].message
    assert "rejected the app password for @jammer.test" in message
    assert "Invalid identifier or password" in message
    assert "wrong-pass-0000" not in message + caplog.text
    assert fake.calls("app.bsky.feed.searchPosts") == []
    assert credentials.get(session_key(fake.handle)) is None


def test_with_no_account_the_source_follows_and_only_actions_say_what_to_set(credentials):
    stop = threading.Event()
    time_ = FakeTime(stop)  # Jetstream (nothing on 127.0.0.1:9) fails once, then the run stops
    source = BlueskySource(
        hashtags=["jam"], handle="", credentials=credentials, clock=time_.clock, sleep=time_.sleep
    )
    sink = run_until_script_ends(source, time_)
    assert SourceState.STOPPED not in sink.states()
    assert sink.states()[-1] is SourceState.FINISHED
    with pytest.raises(SourceAuthError, match=ENV_HANDLE):
        source.sign_in()


def test_login_stores_the_session_string_and_the_next_start_uses_it(
    fake, credentials, keyring, caplog
):
    caplog.set_level(logging.DEBUG)
    stop = threading.Event()
    first = make_source(fake, credentials, FakeTime(stop))
    run_until_script_ends(first, FakeTime(stop))
    stored = credentials.get(session_key(fake.handle))
    assert stored and stored.split(":::")[0] == fake.handle
    # The PDS endpoint atproto took from createSession's didDoc: the fake itself.
    assert stored.split(":::")[4] == fake.url
    assert len(fake.calls("com.atproto.server.createSession")) == 1

    # Next start: no password anywhere, the stored session is enough.
    stop2 = threading.Event()
    second = make_source(fake, credentials, FakeTime(stop2), app_password=None)
    sink = run_until_script_ends(second, FakeTime(stop2))
    assert SourceState.STOPPED not in sink.states()
    assert len(fake.calls("com.atproto.server.createSession")) == 1
    # The password never reaches the keyring from a headless run; no secret reaches the log.
    assert all("abcd-efgh" not in secret for secret in keyring.secrets.values())
    for secret in [fake.password, *stored.split(":::")[2:4]]:
        assert secret not in caplog.text


def test_an_expiring_stored_session_is_refreshed_and_saved_back(fake, credentials, fixture_posts):
    # atproto refreshes 15 minutes before the access token expires: this one has 1 minute left.
    answer = fake.issue_session(access_exp=time.time() + 60)
    old = fake.session_string(answer)
    credentials.set(session_key(fake.handle), old)
    stop = threading.Event()
    time_ = FakeTime(stop)
    sink = run_until_script_ends(make_source(fake, credentials, time_, app_password=None), time_)

    assert len(fake.calls("com.atproto.server.refreshSession")) == 1
    assert fake.calls("com.atproto.server.createSession") == []
    saved = credentials.get(session_key(fake.handle))
    assert saved != old
    new_access = saved.split(":::")[2]
    assert fake.calls("com.atproto.server.getSession")[-1].authorization == f"Bearer {new_access}"
    assert SourceState.STOPPED not in sink.states()


@pytest.mark.parametrize("status", [401, 400])
def test_an_expired_token_mid_session_is_refreshed_saved_and_the_action_retried(
    fake, credentials, status, jam_post
):
    source = make_source(fake, credentials)
    try:
        source.sign_in()
        fake.expire_access_tokens(status=status)
        source.retweet(jam_post)
    finally:
        source.close()
    saved = credentials.get(session_key(fake.handle))
    assert len(fake.calls("com.atproto.server.refreshSession")) == 1
    assert len(fake.records_in(REPOST)) == 1
    # The keyring holds the refreshed token, the one the retried action used.
    last_create = fake.calls("com.atproto.repo.createRecord")[-1]
    assert last_create.authorization == f"Bearer {saved.split(':::')[2]}"
    assert len(fake.calls("com.atproto.server.createSession")) == 1


def test_when_the_refresh_token_is_refused_too_the_source_signs_in_again(
    fake, credentials, jam_post
):
    source = make_source(fake, credentials)
    try:
        source.sign_in()
        fake.expire_access_tokens()
        fake.revoke_refresh_tokens()
        source.retweet(jam_post)
    finally:
        source.close()
    assert len(fake.calls("com.atproto.server.createSession")) == 2
    assert len(fake.records_in(REPOST)) == 1


def test_a_revoked_stored_session_falls_back_to_the_app_password(fake, credentials):
    bad = {"accessJwt": "not.a.token", "refreshJwt": "not.a.token"}
    stale = fake.session_string({"handle": fake.handle, "did": fake.did, **bad})
    credentials.set(session_key(fake.handle), stale)
    stop = threading.Event()
    time_ = FakeTime(stop)
    sink = run_until_script_ends(make_source(fake, credentials, time_), time_)
    assert SourceState.STOPPED not in sink.states()
    assert len(fake.calls("com.atproto.server.createSession")) == 1
    assert credentials.get(session_key(fake.handle)) not in (None, stale)


def test_an_unreachable_pds_is_offline_not_an_auth_error_and_following_goes_on(credentials):
    import socket

    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    stop = threading.Event()
    time_ = FakeTime(stop)
    source = BlueskySource(
        hashtags=[TAG],
        handle="jammer.test",
        credentials=credentials,
        service=f"http://127.0.0.1:{port}",
        app_password="abcd-efgh-ijkl-mnop",
        clock=time_.clock,
        sleep=time_.sleep,
    )
    sink = run_until_script_ends(source, time_)
    # Signing in could not reach the PDS: following goes on without it (Jetstream needs none).
    assert SourceState.STOPPED not in sink.states()
    assert sink.states()[-1] is SourceState.FINISHED
    with pytest.raises(SourceOfflineError):
        source.sign_in()


# ---- actions ---------------------------------------------------------------


@pytest.fixture
def jam_post(fake) -> Post:
    """A post in the jam that is itself a reply in a thread (so replies keep its root)."""
    root = {"uri": "at://did:plc:root/app.bsky.feed.post/root1", "cid": "bafyreiroot1cid"}
    view = post_view(
        rkey="target1",
        text="what's everyone's favourite #jam?",
        indexed_at=START + timedelta(minutes=1),
        reply={"root": root, "parent": root},
    )
    fake.add_posts(view)
    return normalize_post_views([view]).posts[0]


def test_repost_and_unrepost_create_and_delete_the_repost_record(fake, credentials, jam_post):
    source = make_source(fake, credentials)
    try:
        repost_uri = source.retweet(jam_post)
        reposts = fake.records_in(REPOST)
        assert list(reposts) == [repost_uri]
        assert repost_uri.startswith(f"at://{fake.did}/app.bsky.feed.repost/")
        record = reposts[repost_uri]
        assert record["$type"] == REPOST
        assert strong_ref(record["subject"]) == {"uri": jam_post.id, "cid": jam_post.raw["cid"]}

        source.unretweet(jam_post, remote_id=repost_uri)
        assert fake.records_in(REPOST) == {}
        delete = fake.calls("com.atproto.repo.deleteRecord")[-1].body
        assert (delete["repo"], delete["collection"]) == (fake.did, REPOST)
        assert repost_uri.endswith("/" + delete["rkey"])
    finally:
        source.close()


def test_unrepost_from_a_later_run_finds_the_record_through_the_post_viewer(
    fake, credentials, jam_post
):
    first = make_source(fake, credentials)
    first.retweet(jam_post)
    first.like(jam_post)
    first.close()
    later = make_source(fake, credentials)  # knows nothing of the records made above
    try:
        later.unretweet(jam_post)
        later.unlike(jam_post)
        assert fake.records_in(REPOST) == {} and fake.records_in(LIKE) == {}
        assert len(fake.calls("app.bsky.feed.getPosts")) == 2
    finally:
        later.close()


def test_like_and_unlike(fake, credentials, jam_post):
    source = make_source(fake, credentials)
    try:
        source.like(jam_post)
        (like_uri, record), *_ = fake.records_in(LIKE).items()
        assert strong_ref(record["subject"]) == {"uri": jam_post.id, "cid": jam_post.raw["cid"]}
        source.unlike(jam_post)
        assert fake.records_in(LIKE) == {}
        assert fake.calls("app.bsky.feed.getPosts") == []  # the like's URI was remembered
    finally:
        source.close()


def strong_ref(ref: dict) -> dict:
    """A strong ref without atproto's ``$type`` marker (optional on the wire)."""
    return {key: value for key, value in ref.items() if key != "$type"}


def _facet(record: dict, kind: str) -> list[tuple[int, int, str]]:
    found = []
    for facet in record.get("facets", []):
        for feature in facet["features"]:
            if feature["$type"] == f"app.bsky.richtext.facet#{kind}":
                value = feature.get("tag") or feature.get("uri")
                found.append((facet["index"]["byteStart"], facet["index"]["byteEnd"], value))
    return found


def test_a_reply_keeps_the_thread_root_and_gets_hashtag_and_link_facets(
    fake, credentials, jam_post
):
    text = "🎉🍓 strawberry, obviously #jam #Café https://example.com/jam"
    source = make_source(fake, credentials)
    try:
        new = source.reply(text, in_reply_to=jam_post)
    finally:
        source.close()
    (uri, record), *_ = fake.records_in(POST).items()
    assert record["text"] == text
    assert strong_ref(record["reply"]["parent"]) == {"uri": jam_post.id, "cid": jam_post.raw["cid"]}
    assert strong_ref(record["reply"]["root"]) == {
        "uri": "at://did:plc:root/app.bsky.feed.post/root1",
        "cid": "bafyreiroot1cid",
    }
    data = text.encode("utf-8")
    jam_at = data.index(b"#jam")
    cafe_at = data.index("#Café".encode())
    assert jam_at == 31  # two 4-byte emoji before it: the character offset would be 25
    assert _facet(record, "tag") == [(jam_at, jam_at + 4, "jam"), (cafe_at, cafe_at + 6, "Café")]
    link_at = data.index(b"https://")
    assert _facet(record, "link") == [(link_at, len(data), "https://example.com/jam")]
    assert new is not None and new.id == uri
    assert new.reply_to_id == jam_post.id
    assert set(new.hashtags) == {"jam", "Café"}
    assert new.author.handle == fake.handle


def test_a_plain_post_is_its_own_thread(fake, credentials):
    source = make_source(fake, credentials)
    try:
        new = source.reply("hello #jam", in_reply_to=None)
    finally:
        source.close()
    (_, record), *_ = fake.records_in(POST).items()
    assert "reply" not in record
    assert _facet(record, "tag") == [(6, 10, "jam")]
    assert new is not None and new.reply_to_id is None


def test_a_quote_post_embeds_the_quoted_record(fake, credentials, jam_post):
    source = make_source(fake, credentials)
    try:
        new = source.quote("this 👇 #jam", quoted=jam_post)
    finally:
        source.close()
    (_, record), *_ = fake.records_in(POST).items()
    assert record["embed"]["$type"] == "app.bsky.embed.record"
    assert strong_ref(record["embed"]["record"]) == {"uri": jam_post.id, "cid": jam_post.raw["cid"]}
    assert _facet(record, "tag") == [(10, 14, "jam")]  # "this 👇 " is 10 bytes
    assert new is not None and new.quoted_id == jam_post.id


def test_action_errors_follow_the_contract(fake, credentials, jam_post):
    source = make_source(fake, credentials)
    try:
        reset = int(time.time()) + 120
        fake.fail_next(
            "com.atproto.repo.createRecord",
            429,
            error="RateLimitExceeded",
            headers={"RateLimit-Reset": str(reset)},
        )
        with pytest.raises(RateLimitedError) as limited:
            source.like(jam_post)
        assert limited.value.reset_at == datetime.fromtimestamp(reset, tz=UTC)
        fake.fail_next("com.atproto.repo.createRecord", 503)
        with pytest.raises(SourceOfflineError):
            source.retweet(jam_post)
        assert fake.records_in(LIKE) == {} and fake.records_in(REPOST) == {}
    finally:
        source.close()
    wrong = make_source(fake, CredentialStore(backend=MemoryKeyring()), app_password="nope")
    with pytest.raises(SourceAuthError):
        wrong.retweet(jam_post)
    wrong.close()


def test_capabilities_stream_with_no_account_and_say_why_there_is_no_polling():
    caps = BlueskySource.capabilities
    assert (caps.stream, caps.retweet, caps.like, caps.reply, caps.post, caps.quote_post) == (
        True,
    ) * 6
    assert caps.poll is False and caps.needs_auth is False
    assert "search" in caps.reason("poll")


def test_create_source_reads_options_and_the_environment(credentials):
    source = create_source(
        hashtags=["#Jam", "  ", "tea"],
        options={"service": "https://pds.example/"},
        credentials=credentials,
        environ={ENV_HANDLE: "@Someone.bsky.social", ENV_APP_PASSWORD: "xxxx-xxxx-xxxx-xxxx"},
    )
    assert source.hashtags == ["Jam", "tea"]
    assert source.handle == "someone.bsky.social"
    assert source.service == "https://pds.example"
