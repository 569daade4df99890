"""Following a Bluesky hashtag live through Jetstream, with no account.

Jetstream (the v1 wire) re-serves the network's firehose as JSON text frames::

    GET <base>/subscribe?wantedCollections=app.bsky.feed.post&cursor=<time_us>
    {"did": ..., "time_us": ..., "kind": "commit",
     "commit": {"operation": "create", "collection": "app.bsky.feed.post",
                "rkey": ..., "cid": ..., "record": {...}}}

The whole network is ~25 posts/s, so every post is read and matched here, on its
tag facets (``app.bsky.richtext.facet#tag``, stored without ``#``) and the
record-level ``tags`` array, case-folded. Jetstream keeps 36 hours of replay: the
first connection sends a ``cursor`` at the session's start; a reconnect resumes from
the last ``time_us`` seen minus ``RESUME_OVERLAP`` (delivery is at-least-once and
each host stamps its own times), and duplicates are dropped by URI. Connection
failures fail over to the next host with ``Backoff``.

atproto 0.0.73's ``JetstreamClient`` speaks only the v2 wire that the public hosts do
not, hence this small client on ``websockets`` (a dependency of atproto). Authors
come as DIDs; ``ProfileResolver`` turns them into handles and display names with
``app.bsky.actor.getProfiles`` (25 a call) on the AppView, cached for the run.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop.core import jsonio
from desktop.core.normalize import MalformedPayload, Parsed
from desktop.core.normalize.bluesky import normalize_post_views
from desktop.sources.base import (
    Backoff,
    Batcher,
    Source,
    SourceSink,
    SourceState,
    SourceStatus,
)

log = logging.getLogger("jamdeck.sources.bluesky")

ENV_JETSTREAM_URL = "JAMDECK_JETSTREAM_URL"
ENV_APPVIEW = "JAMDECK_BLUESKY_APPVIEW"
DEFAULT_JETSTREAM_HOSTS = (
    "wss://jetstream2.us-east.bsky.network",
    "wss://jetstream1.us-east.bsky.network",
    "wss://jetstream1.us-west.bsky.network",
    "wss://jetstream2.us-west.bsky.network",
)
DEFAULT_APPVIEW = "https://public.api.bsky.app"
POST_COLLECTION = "app.bsky.feed.post"
TAG_FACET = "app.bsky.richtext.facet#tag"
REPLAY_WINDOW = timedelta(hours=36)  # how far back a Jetstream cursor reaches
RESUME_OVERLAP = 3_000_000  # µs: a reconnect re-reads this much (hosts stamp their own times)
PROFILES_PER_CALL = 25  # app.bsky.actor.getProfiles' maximum
RESOLVE_DELAY = 0.05  # s: matched posts wait this long for others to share a getProfiles call
RECV_POLL = 0.25  # s: how often a quiet connection looks at the stop event
CONNECT_TIMEOUT = 10.0
HTTP_TIMEOUT = 10.0


def jetstream_hosts(value: str | None) -> list[str]:
    """``JAMDECK_JETSTREAM_URL`` (or the setting): one base URL or several, comma-separated
    (failed over in that order); empty means the public hosts."""
    hosts = [part.strip().rstrip("/") for part in (value or "").split(",") if part.strip()]
    return hosts or list(DEFAULT_JETSTREAM_HOSTS)


def subscribe_url(base: str, *, cursor: int | None) -> str:
    query = [("wantedCollections", POST_COLLECTION)]
    if cursor is not None:
        query.append(("cursor", str(cursor)))
    return f"{base}/subscribe?{urllib.parse.urlencode(query)}"


def time_us(moment: datetime) -> int:
    return int(moment.timestamp() * 1_000_000)


def record_tags(record: Mapping[str, Any]) -> set[str]:
    """The record's hashtags, case-folded: its tag facets and its ``tags`` array."""
    found: set[str] = set()
    for facet in record.get("facets") or ():
        if not isinstance(facet, dict):
            continue
        for feature in facet.get("features") or ():
            if isinstance(feature, dict) and feature.get("$type") == TAG_FACET:
                tag = feature.get("tag")
                if isinstance(tag, str):
                    found.add(tag.removeprefix("#").casefold())
    for tag in record.get("tags") or ():
        if isinstance(tag, str):
            found.add(tag.removeprefix("#").casefold())
    return found


def post_event(event: Any) -> tuple[str, str, dict[str, Any]] | None:
    """(uri, cid, record) of a Jetstream event that creates or updates a post, else None
    (identity and account events, deletes, other collections)."""
    if not isinstance(event, dict) or event.get("kind") != "commit":
        return None
    commit = event.get("commit")
    if not isinstance(commit, dict) or commit.get("collection") != POST_COLLECTION:
        return None
    if commit.get("operation") not in ("create", "update"):
        return None
    did, rkey, record = event.get("did"), commit.get("rkey"), commit.get("record")
    if not (isinstance(did, str) and isinstance(rkey, str) and isinstance(record, dict)):
        return None
    return f"at://{did}/{POST_COLLECTION}/{rkey}", str(commit.get("cid") or ""), record


def _iso_from_us(micros: int) -> str:
    moment = datetime.fromtimestamp(micros / 1_000_000, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class ProfileResolver:
    """DIDs to ``{did, handle, displayName, avatar}`` through ``app.bsky.actor.getProfiles``
    on the AppView, 25 a call, cached for the life of the resolver. A DID the AppView does
    not answer for (or cannot be reached about) stays a DID, and is asked again next time."""

    def __init__(self, appview: str, *, timeout: float = HTTP_TIMEOUT) -> None:
        self.appview = appview.rstrip("/")
        self.timeout = timeout
        self.calls = 0
        self._cache: dict[str, dict[str, Any]] = {}

    def resolve(self, dids: Iterable[str]) -> dict[str, dict[str, Any]]:
        wanted = list(dict.fromkeys(dids))
        missing = [did for did in wanted if did not in self._cache]
        for start in range(0, len(missing), PROFILES_PER_CALL):
            self._fetch(missing[start : start + PROFILES_PER_CALL])
        return {did: self._cache.get(did) or {"did": did, "handle": did} for did in wanted}

    def _fetch(self, dids: list[str]) -> None:
        query = urllib.parse.urlencode([("actors", did) for did in dids])
        url = f"{self.appview}/xrpc/app.bsky.actor.getProfiles?{query}"
        self.calls += 1
        try:
            with urllib.request.urlopen(url, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read())
        except (OSError, ValueError) as exc:  # URLError/HTTPError/timeouts are OSErrors
            log.info("Bluesky profiles could not be fetched (%s): authors stay DIDs", exc)
            return
        for profile in answer.get("profiles") or () if isinstance(answer, dict) else ():
            if isinstance(profile, dict) and isinstance(profile.get("did"), str):
                self._cache[profile["did"]] = {
                    key: profile[key]
                    for key in ("did", "handle", "displayName", "avatar")
                    if isinstance(profile.get(key), str)
                }


class _Closed(Exception):
    """The connection ended (the server cut it, or it broke)."""


class JetstreamFollower:
    """Reads Jetstream for one source until ``stop`` is set: matched posts go to the
    source's sink, states to its status line. Runs on the source's thread."""

    def __init__(
        self,
        source: Source,
        *,
        hashtags: list[str],
        hosts: list[str],
        resolver: ProfileResolver,
        since: datetime,
        clock: Callable[[], datetime],
        backoff: Backoff | None = None,
        sleep: Callable[[float], None] | None = None,
        normalize: Callable[[list[dict[str, Any]]], Parsed] = normalize_post_views,
    ) -> None:
        self.source = source
        self.tags = {tag.casefold() for tag in hashtags}
        self.hosts = hosts
        self.resolver = resolver
        self.clock = clock
        self.backoff = backoff or Backoff(first=1.0, cap=60.0)
        self._sleep = sleep
        self._normalize = normalize
        oldest = clock() - REPLAY_WINDOW + timedelta(minutes=1)
        self.beyond_window = since < oldest  # posts older than 36 h are not caught up
        self.cursor: int | None = time_us(max(since, oldest))
        self.seen: set[str] = set()  # URIs delivered (or skipped) so far
        self.frames = 0

    def run(self, sink: SourceSink, stop: threading.Event) -> None:
        sleep = self._sleep or stop.wait
        batcher = Batcher(self.source, sink)
        host_index = 0
        try:
            while not stop.is_set():
                host = self.hosts[host_index % len(self.hosts)]
                frames_before = self.frames
                try:
                    self._follow(host, sink, batcher, stop)
                    return  # stopped
                except _Closed as exc:
                    batcher.flush()
                    if stop.is_set():
                        return
                    if self.frames == frames_before:  # nothing from this host: try the next
                        host_index += 1
                    wait = self.backoff.next_wait()
                    until = self.clock() + timedelta(seconds=wait)
                    sink.on_status(
                        self.source,
                        SourceStatus(
                            SourceState.RECONNECTING,
                            f"Jetstream {_host_name(host)}: {exc}; retrying in {wait:.0f} s",
                            until=until,
                        ),
                    )
                    sleep(wait)
        finally:
            batcher.flush()

    def _follow(self, host: str, sink: SourceSink, batcher: Batcher, stop: threading.Event) -> None:
        from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI
        from websockets.sync.client import connect

        url = subscribe_url(host, cursor=self.cursor)
        sink.on_status(
            self.source,
            SourceStatus(SourceState.CONNECTING, f"Connecting to Jetstream {_host_name(host)}"),
        )
        try:
            connection = connect(url, open_timeout=CONNECT_TIMEOUT, close_timeout=2, max_size=2**21)
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI) as exc:
            raise _Closed(f"could not connect ({exc or type(exc).__name__})") from exc
        pending: list[tuple[str, str, dict[str, Any], int]] = []
        first_pending = 0.0
        connected = False
        try:
            with connection:
                while not stop.is_set():
                    wait = RECV_POLL
                    if pending:
                        wait = max(0.0, first_pending + RESOLVE_DELAY - time.monotonic())
                    try:
                        frame = connection.recv(timeout=wait)
                    except TimeoutError:
                        frame = None
                    except ConnectionClosed as exc:
                        self._deliver(pending, sink, batcher)
                        raise _Closed(_close_reason(exc)) from exc
                    if frame is not None:
                        if not connected:
                            connected = True
                            self.backoff.reset()
                            sink.on_status(self.source, self._connected_status(host))
                        matched = self._read(frame, sink)
                        if matched is not None:
                            if not pending:
                                first_pending = time.monotonic()
                            pending.append(matched)
                    if pending and (
                        frame is None
                        or len(pending) >= PROFILES_PER_CALL
                        or time.monotonic() - first_pending >= RESOLVE_DELAY
                    ):
                        self._deliver(pending, sink, batcher)
                        pending = []
                    if batcher.due():
                        batcher.flush()
                self._deliver(pending, sink, batcher)
        except OSError as exc:
            raise _Closed(f"connection failed ({exc})") from exc

    def _connected_status(self, host: str) -> SourceStatus:
        tags = " ".join(f"#{tag}" for tag in sorted(self.tags))
        note = (
            "; posts older than Jetstream's 36 h window are not caught up"
            if self.beyond_window
            else ""
        )
        return SourceStatus(
            SourceState.CONNECTED,
            f"Following {tags} on Bluesky through Jetstream {_host_name(host)}{note}",
        )

    def _read(self, frame: str | bytes, sink: SourceSink):
        """Advance the cursor; a post of the jam not seen before -> (uri, cid, record, time_us)."""
        self.frames += 1
        try:
            event = jsonio.loads(frame)
        except ValueError:
            sink.on_skipped(self.source, f"Jetstream frame {self.frames}", "not JSON")
            return None
        stamp = event.get("time_us") if isinstance(event, dict) else None
        if isinstance(stamp, int) and not isinstance(stamp, bool):
            # Resume a little before the last event seen: at-least-once, deduped by URI.
            self.cursor = max(self.cursor or 0, stamp - RESUME_OVERLAP)
        found = post_event(event)
        if found is None:
            return None
        uri, cid, record = found
        if uri in self.seen or not (record_tags(record) & self.tags):
            return None
        self.seen.add(uri)
        return uri, cid, record, stamp if isinstance(stamp, int) else 0

    def _deliver(self, pending, sink: SourceSink, batcher: Batcher) -> None:
        if not pending:
            return
        authors = self.resolver.resolve(uri.split("/")[2] for uri, _, _, _ in pending)
        for uri, cid, record, stamp in pending:
            view = {
                "uri": uri,
                "cid": cid,
                "author": authors[uri.split("/")[2]],
                "record": record,
                "indexedAt": _iso_from_us(stamp) if stamp else record.get("createdAt", ""),
            }
            try:
                parsed = self._normalize([view])
            except MalformedPayload as exc:
                sink.on_skipped(self.source, f"Jetstream post {uri}", str(exc))
                continue
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                log.warning("Bluesky post %s could not be normalized: %s", uri, type(exc).__name__)
                sink.on_skipped(
                    self.source, f"Jetstream post {uri}", f"unreadable post ({type(exc).__name__})"
                )
                continue
            batcher.add(parsed)
        batcher.flush()  # live: a matched post is shown at once, not after 100 ms


def _host_name(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


def _close_reason(exc: Exception) -> str:
    received = getattr(exc, "rcvd", None)
    if received is not None and getattr(received, "reason", ""):
        return f"the server closed the connection ({received.reason})"
    return "the connection was closed"
