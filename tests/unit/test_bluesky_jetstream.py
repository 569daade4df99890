"""The Bluesky source on Jetstream: a fake Jetstream on 127.0.0.1 speaking the v1 wire."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.credentials import CredentialStore, MemoryKeyring
from desktop.sources.base import Backoff, SourceState
from desktop.sources.bluesky import BlueskySource, create_source
from desktop.sources.bluesky_jetstream import (
    RESUME_OVERLAP,
    ProfileResolver,
    post_event,
    record_tags,
    subscribe_url,
)
from tests.fakes.fake_jetstream import FakeJetstream
from tests.fakes.sink import CollectingSink

TAG = "Jam"


@pytest.fixture
def jetstream():
    with FakeJetstream() as fake:
        yield fake


def follower(
    jetstream: FakeJetstream, *, since: datetime, hosts: str | None = None
) -> BlueskySource:
    return BlueskySource(
        hashtags=[TAG],
        handle="",
        credentials=CredentialStore(backend=MemoryKeyring()),
        since=since,
        jetstream=hosts or jetstream.url,
        appview=jetstream.appview_url,
        backoff=Backoff(first=0.05, cap=0.2),
    )


class Running:
    """A source on its own thread with a collecting sink; stops and joins on exit."""

    def __init__(self, source) -> None:
        self.source = source
        self.sink = CollectingSink()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=source.run, args=(self.sink, self.stop))

    def __enter__(self) -> Running:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop.set()
        self.thread.join(10)
        assert not self.thread.is_alive()


def test_the_subscribe_url_is_the_v1_wire():
    assert subscribe_url("wss://js.example", cursor=17) == (
        "wss://js.example/subscribe?wantedCollections=app.bsky.feed.post&cursor=17"
    )
    assert subscribe_url("wss://js.example", cursor=None).endswith(
        "wantedCollections=app.bsky.feed.post"
    )


def test_tags_come_from_facets_and_the_records_tags_case_folded():
    record = {
        "text": "#JAM and more",
        "facets": [{"features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "JAM"}]}],
        "tags": ["Other", "#Third"],
    }
    assert record_tags(record) == {"jam", "other", "third"}
    # a #word in the text with no facet is not a tag on Bluesky's wire
    assert record_tags({"text": "#jam"}) == set()


def test_only_creates_and_updates_of_posts_are_post_events():
    base = {"did": "did:plc:a", "time_us": 1, "kind": "commit"}
    create = {
        **base,
        "commit": {
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": "r1",
            "cid": "c",
            "record": {"text": "x"},
        },
    }
    assert post_event(create) == ("at://did:plc:a/app.bsky.feed.post/r1", "c", {"text": "x"})
    delete = {
        **base,
        "commit": {"operation": "delete", "collection": "app.bsky.feed.post", "rkey": "r1"},
    }
    like = {
        **base,
        "commit": {
            "operation": "create",
            "collection": "app.bsky.feed.like",
            "rkey": "r2",
            "record": {},
        },
    }
    identity = {"did": "did:plc:a", "time_us": 2, "kind": "identity", "identity": {}}
    assert [post_event(e) for e in (delete, like, identity, "junk", None)] == [None] * 5


def test_every_tagged_post_arrives_once_from_before_the_start_and_live_with_handles(jetstream):
    now = datetime.now(UTC)
    jetstream.post("too old for the session #jam", at=now - timedelta(minutes=20))
    jetstream.noise(3, at=now - timedelta(minutes=9))
    before = [
        jetstream.post("Q1 what is a jam? #jam", at=now - timedelta(minutes=8)),
        jetstream.post("A1 shouting #JAM", did="did:plc:ben", at=now - timedelta(minutes=7)),
        # the tag only in the record's tags array (no facet, not in the text)
        jetstream.post("A1 quietly", did="did:plc:cy", tags=["jam"], at=now - timedelta(minutes=6)),
    ]
    with Running(follower(jetstream, since=now - timedelta(minutes=10))) as run:
        run.sink.wait_posts(3)
        live = [jetstream.post("A2 live #jam", did="did:plc:ben")]
        jetstream.noise(2)
        live.append(jetstream.post("A3 live again", tags=["JAM"]))
        run.sink.wait_posts(5)
        assert SourceState.CONNECTED in run.sink.states()
    assert sorted(run.sink.ids()) == sorted(before + live)
    by_id = {post.id: post for post in run.sink.posts}
    assert by_id[before[1]].author.handle == "ben.test"
    assert by_id[before[0]].author.display_name == "Ana Answers"
    assert by_id[before[2]].author.handle == "cy.test"
    assert jetstream.cursors[0] == int((now - timedelta(minutes=10)).timestamp() * 1_000_000)
    assert all(len(call) <= 25 for call in jetstream.profile_calls)
    assert run.sink.states()[-1] is SourceState.FINISHED


def test_a_server_side_cut_resumes_a_little_before_the_last_event_and_drops_duplicates(jetstream):
    now = datetime.now(UTC)
    first = [jetstream.post(f"A{n} #jam", at=now - timedelta(seconds=60 - n)) for n in range(3)]
    with Running(follower(jetstream, since=now - timedelta(minutes=5))) as run:
        run.sink.wait_posts(3)
        last_seen = jetstream.events[-1]["time_us"]
        assert jetstream.cut() == 1
        jetstream.refuse()  # while it is down, more posts are made
        during = [jetstream.post(f"B{n} #jam") for n in range(2)]
        jetstream.refuse(False)
        run.sink.wait_posts(5)
        after = jetstream.post("C after the cut #jam")
        run.sink.wait_posts(6)
    assert sorted(run.sink.ids()) == sorted([*first, *during, after])
    assert len(run.sink.ids()) == len(set(run.sink.ids()))
    resumed = [c for c in jetstream.cursors[1:] if c is not None]
    assert resumed and resumed[-1] == last_seen - RESUME_OVERLAP
    assert SourceState.RECONNECTING in run.sink.states()


def test_a_host_that_is_down_fails_over_to_the_next(jetstream):
    now = datetime.now(UTC)
    uri = jetstream.post("A1 #jam", at=now - timedelta(seconds=30))
    with FakeJetstream() as down:
        down.refuse()
        source = follower(
            jetstream, since=now - timedelta(minutes=1), hosts=f"{down.url},{jetstream.url}"
        )
        with Running(source) as run:
            run.sink.wait_posts(1)
    assert run.sink.ids() == [uri]
    reconnecting = [s for s in run.sink.statuses if s.state is SourceState.RECONNECTING]
    assert reconnecting and "127.0.0.1" in reconnecting[0].message


def test_stopping_is_prompt_while_the_stream_is_quiet(jetstream):
    with Running(follower(jetstream, since=datetime.now(UTC))) as run:
        run.sink.wait(lambda s: SourceState.CONNECTING in s.states())
    assert not run.thread.is_alive()


def test_profiles_are_fetched_25_at_a_time_and_cached(jetstream):
    dids = [f"did:plc:p{n}" for n in range(30)]
    jetstream.profiles.update({did: (f"p{n}.test", "") for n, did in enumerate(dids)})
    resolver = ProfileResolver(jetstream.appview_url)
    first = resolver.resolve(dids + ["did:plc:unknown"])
    assert first["did:plc:p29"]["handle"] == "p29.test"
    assert first["did:plc:unknown"]["handle"] == "did:plc:unknown"
    assert [len(c) for c in jetstream.profile_calls] == [25, 6]
    resolver.resolve(dids[:3])
    assert len(jetstream.profile_calls) == 2  # cached


def test_an_unreachable_appview_leaves_authors_as_dids():
    resolver = ProfileResolver("http://127.0.0.1:9", timeout=2)
    assert resolver.resolve(["did:plc:a"]) == {
        "did:plc:a": {"did": "did:plc:a", "handle": "did:plc:a"}
    }


def test_no_account_is_needed_and_the_environment_points_at_jetstream_and_the_appview():
    source = create_source(
        hashtags=["jam"],
        credentials=CredentialStore(backend=MemoryKeyring()),
        environ={
            "JAMDECK_JETSTREAM_URL": "ws://a.example, ws://b.example/",
            "JAMDECK_BLUESKY_APPVIEW": "http://appview.example/",
        },
    )
    assert source.handle == ""
    assert source.jetstream_hosts == ["ws://a.example", "ws://b.example"]
    assert source.appview == "http://appview.example"
    assert source.capabilities.stream and not source.capabilities.needs_auth
    default = create_source(
        hashtags=["jam"], credentials=CredentialStore(backend=MemoryKeyring()), environ={}
    )
    assert default.jetstream_hosts[0].startswith("wss://jetstream")
    assert default.appview == "https://public.api.bsky.app"
