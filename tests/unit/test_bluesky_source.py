"""The Bluesky source against a fake XRPC server, with the real atproto client over HTTP."""

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
    iso_z,
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
        interval=15,
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


def test_no_account_at_all_stops_at_once_saying_what_to_set(credentials):
    source = create_source(hashtags=["jam"], credentials=credentials, environ={})
    sink = RecordingSink()
    source.run(sink, threading.Event())
    assert sink.states()[-1] is SourceState.STOPPED
    assert ENV_HANDLE in sink.statuses[-1].message


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
    assert len(fake.calls("app.bsky.feed.searchPosts")) == 2
    # The password never reaches the keyring from a headless run; no secret reaches the log.
    assert all("abcd-efgh" not in secret for secret in keyring.secrets.values())
    for secret in [fake.password, *stored.split(":::")[2:4]]:
        assert secret not in caplog.text


def test_an_expiring_stored_session_is_refreshed_and_saved_back(fake, credentials, fixture_posts):
    # atproto refreshes 15 minutes before the access token expires: this one has 1 minute left.
    answer = fake.issue_session(access_exp=time.time() + 60)
    old = fake.session_string(answer)
    credentials.set(session_key(fake.handle), old)
    fake.add_posts(*fixture_posts[:3])
    stop = threading.Event()
    time_ = FakeTime(stop)
    sink = run_until_script_ends(make_source(fake, credentials, time_, app_password=None), time_)

    assert len(fake.calls("com.atproto.server.refreshSession")) == 1
    assert fake.calls("com.atproto.server.createSession") == []
    saved = credentials.get(session_key(fake.handle))
    assert saved != old
    new_access = saved.split(":::")[2]
    assert all(
        call.authorization == f"Bearer {new_access}"
        for call in fake.calls("app.bsky.feed.searchPosts")
    )
    assert len(sink.posts) == 3


@pytest.mark.parametrize("status", [401, 400])
def test_an_expired_token_mid_session_is_refreshed_saved_and_the_poll_retried(
    fake, credentials, status
):
    fake.add_posts(*generated(3, first=0, at=START + timedelta(minutes=1)))
    stop = threading.Event()

    def expire_and_post() -> None:
        fake.expire_access_tokens(status=status)
        fake.add_posts(*generated(2, first=100, at=START + timedelta(minutes=2)))

    time_ = FakeTime(stop, expire_and_post)
    source = make_source(fake, credentials, time_)
    sink = run_until_script_ends(source, time_)
    saved = credentials.get(session_key(fake.handle))

    assert len(fake.calls("com.atproto.server.refreshSession")) == 1
    assert len(sink.posts) == 5
    assert SourceState.STOPPED not in sink.states()
    saved_access = saved.split(":::")[2]
    last_search = fake.calls("app.bsky.feed.searchPosts")[-1]
    # The keyring holds the refreshed token, the one the retried search used.
    assert last_search.authorization == f"Bearer {saved_access}"
    assert len(fake.calls("com.atproto.server.createSession")) == 1


def test_when_the_refresh_token_is_refused_too_the_source_signs_in_again(fake, credentials):
    stop = threading.Event()

    def sign_out_everywhere() -> None:
        fake.expire_access_tokens()
        fake.revoke_refresh_tokens()
        fake.add_posts(*generated(2, first=100, at=START + timedelta(minutes=2)))

    fake.add_posts(*generated(1, first=0, at=START + timedelta(minutes=1)))
    time_ = FakeTime(stop, sign_out_everywhere)
    sink = run_until_script_ends(make_source(fake, credentials, time_), time_)
    assert len(fake.calls("com.atproto.server.createSession")) == 2
    assert len(sink.posts) == 3
    assert SourceState.STOPPED not in sink.states()


def test_a_revoked_stored_session_falls_back_to_the_app_password(fake, credentials):
    bad = {"accessJwt": "not.a.token", "refreshJwt": "not.a.token"}
    stale = fake.session_string({"handle": fake.handle, "did": fake.did, **bad})
    credentials.set(session_key(fake.handle), stale)
    stop = threading.Event()
    time_ = FakeTime(stop)
    sink = run_until_script_ends(make_source(fake, credentials, time_), time_)
    assert SourceState.CONNECTED in sink.states()
    assert len(fake.calls("com.atproto.server.createSession")) == 1
    assert credentials.get(session_key(fake.handle)) not in (None, stale)


# ---- polling ---------------------------------------------------------------


def test_polling_pages_back_and_every_post_arrives_exactly_once(fake, credentials, fixture_posts):
    old = generated(4, first=900, at=START - timedelta(hours=1))  # before the session: not wanted
    other_tag = [
        post_view(
            rkey="other1", text="not this one #otherjam", indexed_at=START + timedelta(minutes=1)
        )
    ]
    fake.add_posts(*old, *other_tag, *fixture_posts)  # 25 posts: three pages of 10
    later = generated(12, first=0, at=START + timedelta(minutes=10))
    stop = threading.Event()
    time_ = FakeTime(stop, lambda: fake.add_posts(*later), lambda: None)
    sink = run_until_script_ends(make_source(fake, credentials, time_), time_)

    expected = {view["uri"] for view in fixture_posts + later}
    assert len(sink.posts) == len(expected) == 37
    assert set(uris(sink.posts)) == expected
    assert sink.skipped == []

    searches = fake.calls("app.bsky.feed.searchPosts")
    first = searches[0].params
    assert first["q"] == ["#jam"] and first["sort"] == ["latest"]
    assert first["since"] == [iso_z(START)] == ["2026-03-01T18:00:00.000Z"]
    assert "cursor" not in first
    # Pass 1 pages through all 25; pass 2 stops on the page that reaches seen posts; pass 3 is one page.
    cursors = [call.params.get("cursor", [None])[0] for call in searches]
    assert cursors == [None, "10", "20", None, "10", None]
    assert time_.slept == [15, 15, 15]
    assert sink.states() == [SourceState.CONNECTING, SourceState.CONNECTED, SourceState.FINISHED]


def test_posts_normalize_with_their_wire_json(fake, credentials, fixture_posts):
    fake.add_posts(*fixture_posts)
    stop = threading.Event()
    time_ = FakeTime(stop)
    sink = run_until_script_ends(make_source(fake, credentials, time_), time_)
    by_uri = {post.id: post for post in sink.posts}
    view = fixture_posts[0]
    post = by_uri[view["uri"]]
    assert post.raw == view
    assert TAG in post.hashtags
    assert post.author.handle == view["author"]["handle"]
    quotes = [post for post in sink.posts if post.quoted_id]
    assert len(quotes) == 2  # each page has two posts that embed a record


def test_a_malformed_post_is_skipped_and_counted_once_and_the_rest_lands(fake, credentials):
    good = generated(3, first=0, at=START + timedelta(minutes=1))
    no_author = post_view(
        rkey="broken1", text="broken #jam", indexed_at=START + timedelta(minutes=2)
    )
    del no_author["author"]
    no_uri = post_view(rkey="broken2", text="no uri #jam", indexed_at=START + timedelta(minutes=3))
    del no_uri["uri"]
    fake.add_posts(good[0], no_author, good[1], no_uri, good[2])
    stop = threading.Event()
    time_ = FakeTime(stop, lambda: None)
    sink = run_until_script_ends(make_source(fake, credentials, time_), time_)

    assert sorted(uris(sink.posts)) == sorted(view["uri"] for view in good)
    wheres = [where for where, _ in sink.skipped]
    # Newest first: no_uri is item 1, no_author item 2. The URI-less post has no identity to
    # remember, so each pass reports it again; the one with a URI is reported once.
    assert wheres == [
        "searchPosts #jam page 1 item 1",
        "searchPosts #jam page 1 item 2",
        "searchPosts #jam page 1 item 1",
    ]
    assert "URI" in sink.skipped[0][1]


def test_a_429_waits_until_the_rate_limit_resets(fake, credentials):
    fake.add_posts(*generated(2, first=0, at=START + timedelta(minutes=1)))
    stop = threading.Event()
    time_ = FakeTime(stop, lambda: None)
    reset = time_.now + timedelta(seconds=93)
    fake.fail_next(
        "app.bsky.feed.searchPosts",
        429,
        error="RateLimitExceeded",
        message="Rate Limit Exceeded",
        headers={
            "RateLimit-Limit": "3000",
            "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(int(reset.timestamp())),
        },
    )
    sink = run_until_script_ends(make_source(fake, credentials, time_), time_)

    limited = [status for status in sink.statuses if status.state is SourceState.RATE_LIMITED]
    assert len(limited) == 1 and limited[0].until == reset
    assert time_.slept[0] == 93.0
    assert len(sink.posts) == 2
    assert sink.states()[-2:] == [SourceState.CONNECTED, SourceState.FINISHED]


def test_a_pass_cut_short_by_a_429_is_finished_by_the_next_pass(fake, credentials, fixture_posts):
    fake.add_posts(*fixture_posts)  # pages of 10, 10, 5
    fake.fail_next("app.bsky.feed.searchPosts", 429, error="RateLimitExceeded", after=1)
    newer = generated(3, first=0, at=START + timedelta(minutes=10))
    stop = threading.Event()
    time_ = FakeTime(stop, lambda: fake.add_posts(*newer), lambda: None)
    sink = run_until_script_ends(make_source(fake, credentials, time_), time_)

    assert set(uris(sink.posts)) == {view["uri"] for view in fixture_posts + newer}
    assert len(sink.posts) == 28
    assert time_.slept[0] == 60.0  # no RateLimit-Reset header: the fallback wait
    cursors = [
        call.params.get("cursor", [None])[0] for call in fake.calls("app.bsky.feed.searchPosts")
    ]
    # 429 on page 2; the next pass pages past the 10 it had, to the end; the last pass: one page.
    assert cursors == [None, "10", None, "10", "20", None]


def test_server_errors_back_off_exponentially_then_recover(fake, credentials):
    fake.add_posts(*generated(2, first=0, at=START + timedelta(minutes=1)))
    fake.fail_next("app.bsky.feed.searchPosts", 503, times=3)
    stop = threading.Event()
    time_ = FakeTime(stop, lambda: None, lambda: None, lambda: None)
    sink = run_until_script_ends(make_source(fake, credentials, time_), time_)

    assert time_.slept == [1.0, 2.0, 4.0, 15]
    reconnecting = [status for status in sink.statuses if status.state is SourceState.RECONNECTING]
    assert len(reconnecting) == 3 and "unavailable" in reconnecting[0].message
    assert len(sink.posts) == 2


def test_an_unreachable_service_is_offline_not_an_auth_error(credentials):
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
    assert sink.states() == [SourceState.CONNECTING, SourceState.RECONNECTING, SourceState.FINISHED]
    assert time_.slept == [1.0]


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


def test_capabilities_say_why_there_is_no_stream():
    caps = BlueskySource.capabilities
    assert (caps.poll, caps.retweet, caps.like, caps.reply, caps.post, caps.quote_post) == (
        True,
    ) * 6
    assert caps.stream is False
    assert caps.reason("stream") == "Bluesky has no hashtag stream; JamDeck polls search"


def test_create_source_reads_options_and_the_environment(credentials):
    source = create_source(
        hashtags=["#Jam", "  ", "tea"],
        options={"service": "https://pds.example/", "interval": "30"},
        credentials=credentials,
        environ={ENV_HANDLE: "@Someone.bsky.social", ENV_APP_PASSWORD: "xxxx-xxxx-xxxx-xxxx"},
    )
    assert source.hashtags == ["Jam", "tea"]
    assert source.handle == "someone.bsky.social"
    assert source.service == "https://pds.example"
    assert source.interval == 30.0
    with pytest.raises(ValueError, match="interval"):
        create_source(
            hashtags=["jam"], options={"interval": "soon"}, credentials=credentials, environ={}
        )
