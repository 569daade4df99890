"""The X source against a fake X API v2 on 127.0.0.1, through the real tweepy over HTTP.

Waits between reconnects and polls go through an injected ``sleep`` that records
the duration and returns at once; everything else waits on events with timeouts.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.credentials import CredentialStore, MemoryKeyring
from desktop.core.post import Kind
from desktop.sources.base import (
    ActionNotAllowed,
    RateLimitedError,
    SourceAuthError,
    SourceOfflineError,
    SourceState,
)
from desktop.sources.x import XCredentials, XSource, create_source, save_account
from desktop.sources.x.source import PRICES, post_cost
from tests.fakes.fake_x_api import JAM_START, ORIGINAL, FakeXApi, make_tweets, tweet_id
from tests.fakes.sink import CollectingSink as RecordingSink

BEARER = "test-bearer"
USER = {
    "consumer_key": "ck-test",
    "consumer_secret": "cs-test",
    "access_token": "4242-at-test",
    "access_token_secret": "ats-test",
}
WAIT = 10  # seconds: generous upper bound for events on a loaded machine


class Sleeps(list):
    """The injected sleep: records each wait, waits for nothing."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def fake():
    with FakeXApi(bearer_token=BEARER) as api:
        yield api


def make_source(fake: FakeXApi, **kwargs) -> XSource:
    kwargs.setdefault("hashtags", ["jam"])
    kwargs.setdefault("credentials", XCredentials(bearer_token=BEARER))
    kwargs.setdefault("sleep", Sleeps())
    kwargs.setdefault("now", lambda: JAM_START + timedelta(minutes=10))  # the fake jam's "today"
    return XSource(api_base=fake.base_url, **kwargs)


@contextlib.contextmanager
def running(source: XSource, sink: RecordingSink):
    stop = threading.Event()
    thread = threading.Thread(target=source.run, args=(sink, stop), name="x-source-under-test")
    thread.start()
    try:
        yield stop
    finally:
        stop.set()
        thread.join(timeout=WAIT)
        assert not thread.is_alive(), "the source did not stop"


def wait_connected(fake: FakeXApi, sink: RecordingSink, connects: int = 1) -> None:
    sink.wait_for(
        lambda: fake.stream_connects >= connects and SourceState.CONNECTED in sink.states()[-1:]
    )


# -- rules -------------------------------------------------------------------------------


def test_rules_reconciled_missing_added_stale_deleted_no_duplicates(fake):
    fake.add_rule("#jam", "jamdeck:#jam")  # ours already: kept
    fake.add_rule("#lastweek", "jamdeck:#lastweek")  # stale jam: deleted
    fake.add_rule("#JAM", "jamdeck:#JAM")  # the same tag again: a duplicate, deleted
    fake.add_rule("#mine")  # someone else's rule: left alone
    sink = RecordingSink()
    with running(make_source(fake, hashtags=["#jam", "Second", "jam"]), sink):
        wait_connected(fake, sink)
    values = sorted((r["value"], r.get("tag")) for r in fake.rules.values())
    assert values == [("#Second", "jamdeck:#Second"), ("#jam", "jamdeck:#jam"), ("#mine", None)]

    # A restart with the same tags adds and deletes nothing.
    posts_before = [r for r in fake.requests if r[0] == "POST"]
    sink = RecordingSink()
    with running(make_source(fake, hashtags=["jam", "Second"]), sink):
        wait_connected(fake, sink, connects=2)
    assert [r for r in fake.requests if r[0] == "POST"] == posts_before
    assert len(fake.rules) == 3


def test_stream_request_asks_for_expansions_and_fields(fake):
    sink = RecordingSink()
    with running(make_source(fake), sink):
        wait_connected(fake, sink)
    query = next(q for method, path, q in fake.requests if path == "/2/tweets/search/stream")
    assert set(query["expansions"][0].split(",")) >= {
        "author_id",
        "referenced_tweets.id",
        "referenced_tweets.id.author_id",
        "attachments.media_keys",
        "in_reply_to_user_id",
        "entities.mentions.username",
    }
    assert {"created_at", "public_metrics", "entities", "edit_history_tweet_ids"} <= set(
        query["tweet.fields"][0].split(",")
    )
    assert query["user.fields"] == ["username,name,profile_image_url"]
    assert query["media.fields"] == ["type,url,preview_image_url,alt_text"]


# -- the jam -----------------------------------------------------------------------------


def test_scripted_jam_with_two_disconnects_ends_with_every_post_exactly_once(fake):
    jam = make_tweets(60)
    fake.publish_only(jam[:5])  # posted in the minutes before the session started
    sleeps = Sleeps()
    sink = RecordingSink()
    source = make_source(
        fake,
        since=JAM_START - timedelta(minutes=2),
        search_page_size=10,
        sleep=sleeps,
        now=lambda: JAM_START + timedelta(minutes=1),
    )
    with running(source, sink):
        wait_connected(fake, sink)
        sink.wait_posts(5)  # the catch-up at start
        fake.release(jam[5:15])
        sink.wait_posts(15)

        # Disconnect 1: 25 posts are made while the stream is down (3 search pages).
        fake.cut_stream(published_while_down=jam[15:40])
        sink.wait_posts(40)
        wait_connected(fake, sink, connects=2)
        fake.redeliver(jam[37:40])  # X repeats a few posts after a reconnect
        fake.release(jam[40:50])
        sink.wait_posts(50)

        # Disconnect 2.
        fake.cut_stream(published_while_down=jam[50:55])
        sink.wait_posts(55)
        wait_connected(fake, sink, connects=3)
        fake.release(jam[55:60])
        sink.wait_posts(60)

    assert sorted(sink.ids(), key=int) == [tweet_id(line) for line in jam]
    assert len(sink.ids()) == len(set(sink.ids())) == 60
    assert sink.states().count(SourceState.RECONNECTING) == 2
    # Recent search returns no retweets since 2026-05-04: after each outage, the status says so.
    back = [s.message for s in sink.statuses if s.state is SourceState.CONNECTED]
    assert "cannot be recovered" not in back[0]
    assert all("retweets made between" in m and "cannot be recovered" in m for m in back[1:])
    assert len(back) == 3
    assert sleeps == [0.25, 0.25]  # network error: X's first linear step, reset after success
    assert sink.states()[-1] is SourceState.FINISHED
    # The gap of 25 was read page by page and since_id only advanced after the last page.
    searches = [q for method, path, q in fake.requests if path == "/2/tweets/search/recent"]
    gap = [q for q in searches if q.get("since_id") == [tweet_id(jam[14])]]
    assert [q.get("next_token", [None])[0] for q in gap] == [None, "10", "20"]
    assert searches[0]["start_time"] == ["2026-03-05T17:58:00Z"]
    # What a user sees: authors, retweets pointing at their originals, replies.
    by_id = {post.id: post for post in sink.posts}
    retweet = by_id[tweet_id(jam[4])]
    assert retweet.kind is Kind.RETWEET and retweet.retweeted_id == ORIGINAL["id"]
    reply = by_id[tweet_id(jam[6])]
    assert reply.kind is Kind.REPLY and reply.reply_to_handle == "ken_t"
    assert by_id[tweet_id(jam[0])].author.handle == "ada_l"
    assert ORIGINAL["id"] in {post.id for post in sink.referenced}


def test_stream_posts_are_delivered_without_waiting_for_more(fake):
    sink = RecordingSink()
    with running(make_source(fake), sink):
        wait_connected(fake, sink)
        fake.release(make_tweets(1))
        sink.wait_posts(1)  # a lone post is flushed on the next quiet tick, not held
    assert sink.posts[0].text == "Post 0 in the jam #jam — café ☕"
    assert sink.posts[0].hashtags == ("jam",)


# -- faults ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setup", "status"),
    [
        (lambda fake: setattr(fake, "bearer_token", "another-token"), 401),  # rules call refused
        (lambda fake: fake.fail_next("stream", 401), 401),  # the stream itself refused
        (lambda fake: fake.fail_next("stream", 403), 403),
    ],
)
def test_rejected_credentials_stop_the_source_within_a_second(fake, setup, status):
    setup(fake)
    sleeps = Sleeps()
    sink = RecordingSink()
    source = make_source(fake, sleep=sleeps)
    started = time.monotonic()
    source.run(sink, threading.Event())
    assert time.monotonic() - started < 1.0
    last = sink.statuses[-1]
    assert last.state is SourceState.STOPPED
    assert last.message.startswith(f"X rejected the credentials ({status})")
    assert sleeps == []  # never retried


def test_429_on_the_stream_waits_until_the_reset_then_streams(fake):
    now = JAM_START
    reset = int(now.timestamp()) + 90
    fake.fail_next("stream", 429, reset=reset)
    sleeps = Sleeps()
    sink = RecordingSink()
    with running(make_source(fake, sleep=sleeps, now=lambda: now), sink):
        wait_connected(fake, sink, connects=1)
        fake.release(make_tweets(3))
        sink.wait_posts(3)
    assert sleeps == [90.0]
    limited = [s for s in sink.statuses if s.state is SourceState.RATE_LIMITED]
    assert [s.until for s in limited] == [datetime.fromtimestamp(reset, UTC)]
    assert "18:01:30 UTC" in limited[0].message


def test_429_on_search_waits_until_the_reset_and_reads_the_same_page_again(fake):
    now = JAM_START + timedelta(minutes=5)
    reset = int(now.timestamp()) + 45
    fake.publish_only(make_tweets(4))
    fake.fail_next("search", 429, reset=reset)
    sleeps = Sleeps()
    sink = RecordingSink()
    source = make_source(fake, mode="poll", since=JAM_START, sleep=sleeps, now=lambda: now)
    with running(source, sink):
        sink.wait_posts(4)
    assert sleeps[0] == 45.0
    assert SourceState.RATE_LIMITED in sink.states()
    assert len(sink.posts) == 4


def test_503_backs_off_exponentially_and_recovers(fake):
    fake.fail_next("stream", 503, times=2)
    sleeps = Sleeps()
    sink = RecordingSink()
    with running(make_source(fake, sleep=sleeps), sink):
        wait_connected(fake, sink)
        fake.release(make_tweets(2))
        sink.wait_posts(2)
    assert sleeps == [5.0, 10.0]
    reconnecting = [s for s in sink.statuses if s.state is SourceState.RECONNECTING]
    assert [s.message for s in reconnecting] == [
        "X answered 503; reconnecting in 5 s",
        "X answered 503; reconnecting in 10 s",
    ]


def test_a_malformed_line_is_skipped_and_counted_and_the_stream_goes_on(fake):
    jam = make_tweets(4)
    sink = RecordingSink()
    with running(make_source(fake), sink):
        wait_connected(fake, sink)
        fake.release(jam[:2])
        fake.send_raw(b'{"data": {"id": "17", "text": \r\n')  # cut off mid-object
        fake.send_raw(b'{"errors": [{"title": "operational-disconnect"}]}\r\n')
        fake.release(jam[2:])
        sink.wait_posts(4)
    assert sink.ids() == [tweet_id(line) for line in jam]
    assert len(sink.skipped) == 2
    assert sink.skipped[0][0] == "x stream line 3"
    assert "operational-disconnect" in sink.skipped[1][1]
    assert fake.stream_connects == 1


def test_a_silent_stream_is_reconnected_by_the_keepalive_watchdog(fake):
    sleeps = Sleeps()
    sink = RecordingSink()
    with running(make_source(fake, sleep=sleeps, keepalive_timeout=0.3), sink):
        wait_connected(fake, sink)
        fake.stall_stream()
        sink.wait_for(lambda: SourceState.RECONNECTING in sink.states())
        fake.stall_stream(False)
        wait_connected(fake, sink, connects=2)
        fake.release(make_tweets(1))
        sink.wait_posts(1)
    message = next(s.message for s in sink.statuses if s.state is SourceState.RECONNECTING)
    assert message.startswith("No data or keep-alive from X for 0.3 s")


def test_stop_ends_a_quiet_stream_promptly(fake):
    sink = RecordingSink()
    source = make_source(fake)
    stop = threading.Event()
    thread = threading.Thread(target=source.run, args=(sink, stop))
    thread.start()
    wait_connected(fake, sink)
    fake.stall_stream()  # nothing to read: the source must not wait for the next line
    started = time.monotonic()
    stop.set()
    thread.join(timeout=WAIT)
    assert not thread.is_alive()
    assert time.monotonic() - started < 1.0
    assert sink.statuses[-1].state is SourceState.FINISHED


# -- polling -----------------------------------------------------------------------------


def test_poll_mode_counts_reads_and_shows_the_cost_estimate(fake):
    jam = make_tweets(15)
    fake.publish_only(jam[:12])
    sink = RecordingSink()
    stop = threading.Event()
    sleeps = []

    def sleep(seconds: float) -> None:  # between polls: the jam goes on, then the user stops
        sleeps.append(seconds)
        if len(sleeps) == 1:
            fake.publish_only(jam[12:])
        else:
            stop.set()

    source = make_source(
        fake, mode="poll", since=JAM_START, sleep=sleep, search_page_size=10, price_per_read=0.01
    )
    assert source.capabilities.poll and not source.capabilities.stream
    source.run(sink, stop)

    assert sorted(sink.ids(), key=int) == [tweet_id(line) for line in jam]
    assert source.reads_used == 15 and source.requests_made == 3
    assert sleeps == [60.0, 60.0]  # the frugal default interval
    polled = [s for s in sink.statuses if s.state is SourceState.CONNECTED]
    assert polled[-1].message == (
        "Polling #jam every 60 s · 15 posts read in 3 searches · about $0.15 at $0.01 a read (estimate)"
    )
    searches = [q for method, path, q in fake.requests if path == "/2/tweets/search/recent"]
    assert searches[-1]["since_id"] == [tweet_id(jam[11])]
    assert not any(path == "/2/tweets/search/stream" for _, path, _ in fake.requests)


# -- actions -----------------------------------------------------------------------------


def _post(fake: FakeXApi, line_no: int):
    sink = RecordingSink()
    with running(make_source(fake, mode="poll", since=JAM_START), sink):
        sink.wait_posts(line_no + 1)
    return sorted(sink.posts, key=lambda p: int(p.id))[line_no]


def test_retweet_unretweet_like_and_reply_hit_the_right_endpoints(fake):
    fake.publish_only(make_tweets(6))
    original, retweet = _post(fake, 0), _post(fake, 4)
    # Likes and (unsummoned) replies are left only on the Enterprise tier in 2026.
    source = make_source(
        fake, credentials=XCredentials(bearer_token=BEARER, **USER), enterprise=True
    )
    caps = source.capabilities
    assert caps.retweet and caps.like and caps.reply and caps.post

    assert source.retweet(original) is None
    source.unretweet(original)
    source.like(retweet)  # acting on a retweet acts on the post it retweets
    source.unlike(retweet)
    answer = source.reply("A1: fakes over mocks #jam", in_reply_to=original)
    fresh = source.reply("Thanks all for joining #jam", in_reply_to=None)

    assert fake.actions == [
        ("POST", "/2/users/4242/retweets", {"tweet_id": original.id}),
        ("DELETE", f"/2/users/4242/retweets/{original.id}", None),
        ("POST", "/2/users/4242/likes", {"tweet_id": ORIGINAL["id"]}),
        ("DELETE", f"/2/users/4242/likes/{ORIGINAL['id']}", None),
        (
            "POST",
            "/2/tweets",
            {"text": "A1: fakes over mocks #jam", "reply": {"in_reply_to_tweet_id": original.id}},
        ),
        ("POST", "/2/tweets", {"text": "Thanks all for joining #jam"}),
    ]
    assert answer.kind is Kind.REPLY and answer.reply_to_id == original.id
    assert answer.reply_to_handle == "ada_l" and answer.author.id == "4242"
    assert fresh.kind is Kind.ORIGINAL and fresh.text == "Thanks all for joining #jam"


def test_without_user_context_actions_are_not_allowed_and_say_why(fake):
    fake.publish_only(make_tweets(1))
    post = _post(fake, 0)
    source = make_source(fake)
    caps = source.capabilities
    assert caps.stream and not (caps.retweet or caps.like or caps.reply or caps.post)
    with pytest.raises(
        ActionNotAllowed, match=r"^Retweeting needs a signed-in X account \(user context\)$"
    ):
        source.retweet(post)
    with pytest.raises(ActionNotAllowed, match="Replying needs a signed-in X account"):
        source.reply("hi", in_reply_to=post)
    assert not caps.quote_post
    assert caps.reason("quote_post") == (
        "Posting quote posts needs a signed-in X account (user context)"
    )
    assert fake.actions == []


def test_capabilities_follow_the_2026_self_serve_tiers():
    caps = XSource(
        hashtags=["jam"], credentials=XCredentials(bearer_token=BEARER, **USER)
    ).capabilities
    assert caps.retweet and caps.post
    assert not (caps.like or caps.quote_post or caps.reply)
    assert "2026-04-20" in caps.reason("like") and "2026-04-20" in caps.reason("quote_post")
    assert "2026-04-20" in caps.reason("follow")
    assert "standalone post with the hashtag" in caps.reason("reply")


def test_the_2026_price_table_and_a_post_with_a_url():
    assert PRICES == {
        "post_read": 0.005,
        "user_read": 0.010,
        "post_create": 0.015,
        "post_create_with_url": 0.20,
    }
    assert post_cost("A1: fakes over mocks #jam") == 0.015
    assert post_cost("A1: see https://example.org/notes #jam") == 0.20


def test_retweets_and_undos_have_a_visible_budget_of_50_per_15_minutes(fake):
    fake.publish_only(make_tweets(1))
    post = _post(fake, 0)
    clock = [JAM_START]
    source = make_source(
        fake, credentials=XCredentials(bearer_token=BEARER, **USER), now=lambda: clock[0]
    )
    for n in range(50):
        (source.retweet if n % 2 == 0 else source.unretweet)(post)
    assert source.retweets_left() == 0
    assert "0 of 50 retweets left in 15 min" in source.usage_text()
    with pytest.raises(RateLimitedError, match="50 retweets and undos per 15 minutes") as raised:
        source.retweet(post)
    assert raised.value.reset_at == JAM_START + timedelta(minutes=15)
    assert len(fake.actions) == 50  # the 51st never reached X
    clock[0] = JAM_START + timedelta(minutes=15, seconds=1)
    assert source.retweets_left() == 50


def test_quote_posts_only_with_the_enterprise_option():
    creds = XCredentials(bearer_token=BEARER, **USER)
    assert not XSource(hashtags=["jam"], credentials=creds).capabilities.quote_post
    assert XSource(hashtags=["jam"], credentials=creds, enterprise=True).capabilities.quote_post


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, SourceAuthError),
        (403, SourceAuthError),
        (429, RateLimitedError),
        (503, SourceOfflineError),
    ],
)
def test_action_errors_map_to_the_contract(fake, status, error):
    fake.publish_only(make_tweets(1))
    post = _post(fake, 0)
    reset = int(JAM_START.timestamp()) + 60
    fake.fail_next("actions", status, reset=reset if status == 429 else None)
    source = make_source(fake, credentials=XCredentials(bearer_token=BEARER, **USER))
    with pytest.raises(error) as caught:
        source.retweet(post)
    if status == 429:
        assert caught.value.reset_at == datetime.fromtimestamp(reset, UTC)


def test_an_unreachable_api_is_offline_for_actions(fake):
    fake.publish_only(make_tweets(1))
    post = _post(fake, 0)
    base = fake.base_url
    fake.stop()  # nothing listens there any more
    source = XSource(
        hashtags=["jam"], credentials=XCredentials(bearer_token=BEARER, **USER), api_base=base
    )
    with pytest.raises(SourceOfflineError):
        source.retweet(post)


# -- credentials and the factory ----------------------------------------------------------


def test_create_source_reads_the_account_from_the_keyring_and_the_base_from_env(fake, caplog):
    store = CredentialStore(backend=MemoryKeyring())
    save_account(store, account="jams", bearer_token=BEARER, **USER)
    assert store.get("x:jams:bearer") == BEARER
    source = create_source(
        hashtags=["jam"],
        options={"account": "jams", "mode": "stream"},
        credentials=store,
        environ={"JAMDECK_X_API_BASE": fake.base_url},
    )
    assert source.api_base == fake.base_url and source.capabilities.retweet
    source._sleep_fn = Sleeps()
    sink = RecordingSink()
    caplog.set_level(logging.DEBUG)
    with running(source, sink):
        wait_connected(fake, sink)
        fake.release(make_tweets(2))
        sink.wait_posts(2)
    assert BEARER not in caplog.text and USER["access_token"] not in caplog.text
    assert BEARER not in repr(source._credentials)


def test_the_environment_bearer_token_serves_headless_runs(fake):
    source = create_source(
        hashtags=["jam"],
        options={"mode": "poll", "interval": "300", "api_base": fake.base_url},
        credentials=CredentialStore(backend=MemoryKeyring()),
        environ={"JAMDECK_X_BEARER_TOKEN": BEARER},
    )
    assert source.mode == "poll" and source.interval == 300.0
    assert not source.capabilities.retweet


def test_no_bearer_token_is_an_auth_error_that_says_what_to_do():
    with pytest.raises(
        SourceAuthError, match="No X bearer token: set JAMDECK_X_BEARER_TOKEN or add an X account"
    ):
        create_source(
            hashtags=["jam"], credentials=CredentialStore(backend=MemoryKeyring()), environ={}
        )


def test_importing_the_adapter_does_not_import_tweepy():
    import subprocess
    import sys

    code = "import sys, desktop.sources.x; print('tweepy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
