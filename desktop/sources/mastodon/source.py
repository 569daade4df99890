"""``MastodonSource``: one instance, one account, one or more hashtags.

How a run goes:

1. verify the token (``account_verify_credentials``): a rejected token stops the
   source at once with a message, because Mastodon.py's streaming would retry a
   401 forever without saying so;
2. read the instance info: version (quote posts need 4.5) and where the
   streaming server is;
3. stream mode: open one SSE connection per hashtag, *then* catch up with
   ``timeline_hashtag(min_id=...)`` paged forward until empty (the stream is
   already buffering, so nothing falls between the two), dedupe by status id,
   and read events. No event or heartbeat for ``health_timeout`` seconds, or
   a cut stream, means reconnect with backoff and catch up again from a little
   before the last healthy moment (remote posts get ids from their own
   ``published`` time and may land below the newest id we saw);
4. poll mode (no token, the instance refuses streaming, or ``mode="poll"``):
   the same catch-up on an interval.

Deletes (``event: delete``) are ignored for now: the sink has no way to say
"this post is gone" (see the module's report). Edits (``status.update``, or a
newer ``edited_at`` seen on catch-up) re-deliver the post; the store upserts.

Only this package imports Mastodon.py, and lazily.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from desktop.core.normalize import MalformedPayload, Parsed
from desktop.core.normalize.mastodon import normalize_status
from desktop.core.post import Network, Post, parse_time
from desktop.sources.base import (
    CATCH_UP,
    ActionNotAllowed,
    Backoff,
    Batcher,
    Capabilities,
    RateLimitedError,
    Source,
    SourceAuthError,
    SourceError,
    SourceOfflineError,
    SourceSink,
    SourceState,
    SourceStatus,
)
from desktop.sources.mastodon import wire
from desktop.sources.mastodon.stream import (
    CLOSED,
    HEARTBEAT,
    SseConnection,
    StreamEvent,
    StreamRefused,
)

log = logging.getLogger("jamdeck.sources.mastodon")

USER_AGENT = "JamDeck/0.1 (+Mastodon.py)"
QUOTE_MIN_VERSION = (4, 5, 0)
PAGE_LIMIT = 40  # Mastodon's maximum for timelines
MAX_CATCH_UP_PAGES = 250  # 10,000 posts: a catch-up never pages for ever
LIVE_IDLE = 0.05  # s of a quiet stream after which held posts are flushed

Sleep = Callable[[float], None]


# Why a run attempt ended; caught in ``run``.
class _Stopped(Exception):
    """The user must fix something (token, permissions): stop."""

    def __init__(self, message: str, *, auth: bool = False) -> None:
        super().__init__(message)
        self.auth = auth


class _RateLimited(Exception):
    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


class _Transient(Exception):
    """Network trouble, 5xx, a cut or silent stream: back off and reconnect."""


class _Refused(_Transient):
    """The server refused a request (4xx other than 401/403): a run retries, an action fails."""


class _Interrupted(Exception):
    """``stop`` was set while a request was still waiting for the server."""


class _NoStreaming(Exception):
    """The instance will not stream to us: fall back to polling."""


class _Run:
    """What one ``run()`` call keeps between reconnects."""

    def __init__(
        self, sink: SourceSink, stop: threading.Event, batcher: Batcher, backoff: Backoff
    ) -> None:
        self.sink = sink
        self.stop = stop
        self.batcher = batcher
        self.backoff = backoff  # between reconnects after a transient failure
        self.seen: dict[str, Any] = {}  # status id -> edited_at last delivered
        self.cursor: dict[str, str] = {}  # tag -> newest status id seen on it
        self.healthy_at: datetime | None = None  # wall time of the last event while streaming
        self.skipped = 0


class MastodonSource(Source):
    network = "mastodon"

    def __init__(
        self,
        *,
        instance_url: str,
        hashtags: list[str],
        token: str | None,
        account: str = "",
        since: datetime | None = None,
        mode: str = "stream",
        poll_interval: float = 30.0,
        health_timeout: float = 60.0,
        catchup_overlap: float = 120.0,
        backoff_base: float = 2.0,
        backoff_cap: float = 300.0,
        request_timeout: float = 30.0,
        tick: float = 0.25,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] | None = None,
        sleep: Sleep | None = None,
    ) -> None:
        tags = [t.strip().lstrip("#") for t in hashtags if t.strip().lstrip("#")]
        if not tags:
            raise ValueError("the Mastodon source needs at least one hashtag")
        if mode not in ("stream", "poll"):
            raise ValueError(f"mode must be 'stream' or 'poll', not {mode!r}")
        self.instance_url = wire.normalize_instance_url(instance_url)
        self.host = wire.host_of(self.instance_url)
        self.hashtags = tags
        self.account = account
        self.mode = mode
        self._token = token
        self._now = now or (lambda: datetime.now(UTC))
        self.since = wire_utc(since) if since else self._now() - CATCH_UP
        self.poll_interval = poll_interval
        self.health_timeout = health_timeout
        self.catchup_overlap = catchup_overlap
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.request_timeout = request_timeout
        self.tick = tick
        self._clock = clock
        self._sleep = sleep
        self.name = f"{self.host} {' '.join('#' + t for t in tags)}"
        self.version: str | None = None
        self._streaming_base: str | None = None
        self.capabilities = self._capabilities()
        self.status = SourceStatus(SourceState.IDLE)
        # status key (uri) -> this instance's id, for actions on posts we delivered
        self._local_ids: dict[str, str] = {}
        self._action_api: Any = None
        self._action_lock = threading.Lock()
        self._run_stop: threading.Event | None = None  # run()'s calls give way to it
        self._run_thread: threading.Thread | None = None

    # ------------------------------------------------------------------ run
    def run(self, sink: SourceSink, stop: threading.Event) -> None:
        # The API docs give no reconnect schedule; ours doubles from backoff_base to backoff_cap.
        backoff = Backoff(first=self.backoff_base, cap=self.backoff_cap)
        ctx = _Run(sink, stop, Batcher(self, sink, clock=self._clock), backoff)
        self._emit(ctx, SourceState.CONNECTING, f"connecting to {self.host}")
        api = None
        mode = self.mode
        ready = False
        self._run_stop, self._run_thread = stop, threading.current_thread()
        while not stop.is_set():
            try:
                if api is None:
                    api = self._make_api()
                if not ready:
                    self._verify(api)
                    self._load_instance(api)
                    ready = True
                if mode == "stream" and not self._token:
                    mode = "poll"
                    log.info(
                        "%s: no access token, polling (hashtag streaming needs one)", self.host
                    )
                if mode == "stream":
                    self._stream(api, ctx)
                else:
                    self._poll(api, ctx)
            except _Interrupted:
                break
            except _Stopped as exc:
                ctx.batcher.flush()
                self._emit(ctx, SourceState.STOPPED, str(exc), auth_failed=exc.auth)
                return
            except _RateLimited as exc:
                ctx.batcher.flush()
                self._emit(ctx, SourceState.RATE_LIMITED, str(exc), until=exc.until)
                self._pause((exc.until - self._now()).total_seconds(), stop)
            except _NoStreaming as exc:
                mode = "poll"
                self._emit(ctx, SourceState.RECONNECTING, f"{exc}; polling instead")
            except _Transient as exc:
                ctx.batcher.flush()
                delay = ctx.backoff.next_wait()
                until = self._now() + timedelta(seconds=delay)
                self._emit(
                    ctx, SourceState.RECONNECTING, f"{exc}; retrying in {delay:.0f} s", until=until
                )
                self._pause(delay, stop)
        ctx.batcher.flush()
        self._emit(ctx, SourceState.FINISHED, f"stopped following {self.name}")

    def _stream(self, api: Any, ctx: _Run) -> None:
        import requests

        events: queue.Queue[StreamEvent] = queue.Queue()
        connections: list[SseConnection] = []
        base = self._streaming_base or self.instance_url
        try:
            for tag in self.hashtags:
                connection = SseConnection(
                    session=api.session,
                    url=f"{base}/api/v1/streaming/hashtag?tag={quote(tag)}",
                    tag=tag,
                    events=events,
                    token=self._token,
                    user_agent=USER_AGENT,
                    connect_timeout=self.request_timeout,
                    # A safety net only: the health watch below notices silence first.
                    read_timeout=self.health_timeout + 30,
                )
                try:
                    self._blocking(lambda c=connection: _open_or_close(c, ctx.stop), api=None)
                except StreamRefused as exc:
                    raise self._refused(exc) from None
                except requests.RequestException as exc:
                    raise _Transient(
                        f"cannot reach the streaming server of {self.host} ({type(exc).__name__})"
                    ) from None
                connections.append(connection)
            for tag in self.hashtags:
                self._catch_up(api, tag, ctx)
            ctx.batcher.flush()
            ctx.backoff.reset()
            ctx.healthy_at = self._now()
            self._emit(ctx, SourceState.CONNECTED, f"streaming {self.name}")
            last_seen = self._clock()
            while not ctx.stop.is_set():
                # Posts held for a batch go out as soon as the stream goes quiet
                # (a live post is not kept waiting for the next event or tick).
                held = ctx.batcher.waiting
                try:
                    event = events.get(timeout=min(self.tick, LIVE_IDLE) if held else self.tick)
                except queue.Empty:
                    event = None
                    ctx.batcher.flush()
                if event is not None:
                    if event.name == CLOSED:
                        raise _Transient(f"{self.host}: {event.reason}")
                    last_seen = self._clock()
                    ctx.healthy_at = self._now()
                    self._on_event(event, ctx)
                if self._clock() - last_seen > self.health_timeout:
                    raise _Transient(
                        f"no event or heartbeat from {self.host} in {self.health_timeout:.0f} s"
                    )
                if ctx.batcher.due():
                    ctx.batcher.flush()
        finally:
            ctx.batcher.flush()
            for connection in connections:
                connection.close()

    def _poll(self, api: Any, ctx: _Run) -> None:
        while not ctx.stop.is_set():
            for tag in self.hashtags:
                self._catch_up(api, tag, ctx)
            ctx.batcher.flush()
            ctx.backoff.reset()
            self._emit(
                ctx,
                SourceState.CONNECTED,
                f"polling {self.name} every {self.poll_interval:.0f} s",
            )
            self._pause(self.poll_interval, ctx.stop)

    def _catch_up(self, api: Any, tag: str, ctx: _Run) -> None:
        """Fetch what the stream did not bring. Ids are opaque strings (GoToSocial ULIDs,
        Pleroma flake ids, Mastodon snowflakes): they are only ever sent back to the server.

        A (re)connect pages back newest-first, each ``max_id`` the oldest id of the page the
        server just gave, until ``created_at`` is older than the floor: the session's start,
        or a little before the last healthy moment (remote posts can arrive late). A poll
        round pages forward with ``min_id`` = the newest id the server gave us."""
        if tag in ctx.cursor and ctx.healthy_at is None:  # polling: forward from the cursor
            statuses = self._page_forward(api, tag, ctx)
        else:
            floor = self.since
            if ctx.healthy_at is not None:
                floor = max(floor, ctx.healthy_at - timedelta(seconds=self.catchup_overlap))
            statuses = self._page_back(api, tag, ctx, floor=floor)
        # Order by time, never by id.
        for status in sorted(statuses, key=_created_at):
            self._deliver(status, tag, ctx, where=f"{self.host} #{tag} timeline")

    def _page(self, api: Any, tag: str, **cursor: str) -> list[dict[str, Any]]:
        page = self._rest(api, lambda: api.timeline_hashtag(tag, limit=PAGE_LIMIT, **cursor))
        if not isinstance(page, list):
            raise _Transient(f"{self.host} sent a malformed timeline page (not a list)")
        return [status for status in map(wire.to_wire, page) if isinstance(status, dict)]

    def _page_back(self, api: Any, tag: str, ctx: _Run, *, floor: datetime) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        asked: set[str] = set()
        max_id: str | None = None
        for _ in range(MAX_CATCH_UP_PAGES):
            if ctx.stop.is_set():
                break
            page = self._page(api, tag, **({"max_id": max_id} if max_id else {}))
            if not page:
                break
            if max_id is None and page[0].get("id"):
                ctx.cursor[tag] = str(page[0]["id"])  # newest first: the next poll's min_id
            found.extend(s for s in page if _created_at(s) >= floor)
            oldest = str(page[-1].get("id") or "")
            if _created_at(page[-1]) < floor or not oldest or oldest in asked:
                break  # reached the floor (or the server ignores max_id: do not loop)
            asked.add(oldest)
            max_id = oldest
        found.reverse()  # oldest first in the server's order: it breaks ties of created_at
        return found

    def _page_forward(self, api: Any, tag: str, ctx: _Run) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for _ in range(MAX_CATCH_UP_PAGES):
            if ctx.stop.is_set():
                break
            cursor = ctx.cursor[tag]
            page = self._page(api, tag, min_id=cursor)
            new = [s for s in page if str(s.get("id") or "") not in ctx.seen]
            if not page or not page[0].get("id") or str(page[0]["id"]) == cursor:
                break
            ctx.cursor[tag] = str(page[0]["id"])  # the page just above min_id, newest first
            found.extend(reversed(new))
            if not new:
                break  # the server ignores min_id (same page again): do not loop
        return found

    def _on_event(self, event: StreamEvent, ctx: _Run) -> None:
        if event.name == HEARTBEAT:
            return
        where = f"{self.host} #{event.tag} stream"
        if event.name in ("update", "status.update"):
            try:
                status = json.loads(event.data or "")
            except ValueError:
                self._skip(ctx, where, f"{event.name} event whose payload is not JSON")
                return
            if not isinstance(status, dict):
                self._skip(ctx, where, f"{event.name} event whose payload is not a status")
                return
            self._deliver(status, event.tag, ctx, where=where)
        elif event.name == "delete":
            # Deletes are not passed on yet: SourceSink has no "post gone" call.
            log.debug("%s: status %s deleted (ignored)", self.host, event.data)

    def _deliver(self, status: dict[str, Any], tag: str, ctx: _Run, *, where: str) -> None:
        status_id = str(status.get("id") or "")
        if not status_id:
            self._skip(ctx, where, "status without an id")
            return
        edited = status.get("edited_at")
        if status_id in ctx.seen and ctx.seen[status_id] == edited:
            return
        try:
            parsed = normalize_status(status)
        # A payload the normalizer trips over must not end the jam: skip it, say so.
        except (MalformedPayload, KeyError, TypeError, ValueError, AttributeError) as exc:
            self._skip(ctx, where, f"status {status_id}: {exc}")
            return
        ctx.seen[status_id] = edited
        for post in parsed.posts + parsed.referenced:
            self._local_ids[post.key] = post.id
        ctx.batcher.add(parsed)

    def _skip(self, ctx: _Run, where: str, reason: str) -> None:
        ctx.skipped += 1
        ctx.sink.on_skipped(self, where, reason)

    # ------------------------------------------------------------ helpers
    def _make_api(self) -> Any:
        from mastodon import Mastodon

        return Mastodon(
            access_token=self._token,
            api_base_url=self.instance_url,
            ratelimit_method="throw",  # we wait ourselves, interruptibly, and say so
            request_timeout=self.request_timeout,
            version_check_mode="none",
            user_agent=USER_AGENT,
        )

    def _verify(self, api: Any) -> None:
        if not self._token:
            return
        account = self._rest(api, api.account_verify_credentials)
        handle = str(account.get("acct") or account.get("username") or "")
        if handle and not self.account:
            self.account = handle

    def _load_instance(self, api: Any) -> None:
        from mastodon.errors import MastodonNotFoundError

        def fetch() -> Any:
            try:
                return api.instance_v2()
            except MastodonNotFoundError:  # older servers and forks only have v1
                return api.instance_v1()

        info = wire.to_wire(self._rest(api, fetch))
        self.version = str(info.get("version") or "")
        self._streaming_base = wire.streaming_base(info, self.instance_url)
        self.capabilities = self._capabilities()

    def _capabilities(self) -> Capabilities:
        why: dict[str, str] = {}
        signed_in = bool(self._token)
        if not signed_in:
            no = f"sign in to {self.host} in Accounts to do this"
            why.update(retweet=no, like=no, reply=no, post=no, quote_post=no)
            why["stream"] = (
                "hashtag streaming needs an access token (Mastodon 4.2+): polling instead"
            )
        quote = False
        if signed_in:
            parsed = wire.parse_version(self.version or "")
            if self.version is None:
                why["quote_post"] = f"{self.host} has not been checked for quote posts yet"
            elif parsed is None or parsed < QUOTE_MIN_VERSION:
                why["quote_post"] = (
                    f"quote posts need Mastodon 4.5 or later; {self.host} runs {self.version or 'an unknown version'}"
                )
            else:
                quote = True
        return Capabilities(
            stream=signed_in,
            poll=True,
            retweet=signed_in,
            like=signed_in,
            reply=signed_in,
            post=signed_in,
            quote_post=quote,
            needs_auth=False,  # polling public hashtags works without an account on most instances
            why_not=why,
        )

    def refresh_capabilities(self) -> Capabilities:
        """Read the instance version now (blocking) and return the capabilities it allows."""
        self._load_instance(self._actions_api())
        return self.capabilities

    def _rest(self, api: Any, call: Callable[[], Any]) -> Any:
        """Call Mastodon.py and turn its errors into the run loop's reasons."""
        from mastodon.errors import (
            MastodonAPIError,
            MastodonNetworkError,
            MastodonRatelimitError,
            MastodonServerError,
        )

        try:
            return self._blocking(call, api=api)
        except MastodonRatelimitError:
            until = self._reset_time(api)
            raise _RateLimited(
                f"{self.host} rate limit reached; waiting until {until:%H:%M:%S} UTC", until
            ) from None
        except MastodonNetworkError as exc:
            raise _Transient(f"cannot reach {self.host} ({_cause(exc)})") from None
        except MastodonServerError as exc:
            raise _Transient(f"{self.host} answered {_status_code(exc)} (server trouble)") from None
        except MastodonAPIError as exc:
            code = _status_code(exc)
            if code in (401, 403):
                raise _Stopped(self._auth_message(code, _api_message(exc)), auth=True) from None
            if "Could not parse response as JSON" in str(exc):
                raise _Transient(
                    f"{self.host} sent a malformed or truncated answer ({code or 'no status'})"
                ) from None
            # Only 401/403 stop a recording; anything else may pass (a restart, a proxy).
            raise _Refused(
                f"{self.host} refused the request ({code}): {_api_message(exc)}"
            ) from None

    def _blocking(self, call: Callable[[], Any], *, api: Any) -> Any:
        """``call()``, but while ``run`` runs it gives way to the stop event: a connect or read
        that hangs (up to ``request_timeout``) must not hold up ``--duration`` or Stop. The
        call then finishes on its own daemon thread and its answer is dropped."""
        stop = self._run_stop
        if stop is None or threading.current_thread() is not self._run_thread:
            return call()  # an action (its own thread, its own timeouts)
        done = threading.Event()
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["value"] = call()
            except BaseException as exc:  # handed to the caller's thread below
                outcome["error"] = exc
            finally:
                done.set()

        threading.Thread(target=work, name=f"mastodon-call-{self.host}", daemon=True).start()
        while not done.wait(self.tick):
            if stop.is_set():
                raise _Interrupted
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def _reset_time(self, api: Any) -> datetime:
        reset = getattr(api, "ratelimit_reset", None)
        if reset:
            return datetime.fromtimestamp(float(reset), UTC)
        return self._now() + timedelta(seconds=60)  # no usable header: a safe minute

    def _auth_message(self, code: int, detail: str) -> str:
        what = "rejected the access token" if code == 401 else "refused access with this token"
        account = f" for {self.account}" if self.account else ""
        tail = f": {detail}" if detail else ""
        return f"{self.host} {what} ({code}){account}{tail}. Sign in again in Accounts."

    def _refused(self, exc: StreamRefused) -> Exception:
        if exc.status == 401:
            return _Stopped(self._auth_message(401, "the streaming server refused it"), auth=True)
        if exc.status == 429:
            until = _parse_reset(exc.headers) or self._now() + timedelta(seconds=60)
            return _RateLimited(f"{self.host} streaming rate limit reached", until)
        if exc.status >= 500:
            return _Transient(f"the streaming server of {self.host} answered {exc.status}")
        # 403/404/410...: streaming is off for us here (disabled, needs another scope).
        return _NoStreaming(f"{self.host} does not allow hashtag streaming ({exc.status})")

    def _emit(
        self,
        ctx: _Run,
        state: SourceState,
        message: str,
        *,
        until: datetime | None = None,
        auth_failed: bool = False,
    ) -> None:
        status = SourceStatus(state, message, until, auth_failed=auth_failed)
        if status == self.status and state is SourceState.CONNECTED:
            return  # polling re-confirms CONNECTED each round; say it once
        self.status = status
        log.info("%s: %s %s", self.name, state.value, message)
        ctx.sink.on_status(self, status)

    def _pause(self, seconds: float, stop: threading.Event) -> None:
        if seconds <= 0 or stop.is_set():
            return
        if self._sleep is not None:
            self._sleep(seconds)
        else:
            stop.wait(seconds)

    # ------------------------------------------------------------ actions
    def _actions_api(self) -> Any:
        # Its own client: Mastodon.py objects keep rate-limit state and are not shared across threads.
        with self._action_lock:
            if self._action_api is None:
                self._action_api = self._make_api()
            return self._action_api

    def _act(self, what: str, call: Callable[[Any], Any]) -> Any:
        if not self._token:
            raise ActionNotAllowed(self.capabilities.reason(what))
        api = self._actions_api()
        try:
            return self._rest(api, lambda: call(api))
        except _Stopped as exc:
            raise (SourceAuthError if exc.auth else SourceError)(str(exc)) from None
        except _RateLimited as exc:
            raise RateLimitedError(str(exc), reset_at=exc.until) from None
        except _Refused as exc:
            raise SourceError(str(exc)) from None
        except _Transient as exc:
            raise SourceOfflineError(str(exc)) from None

    def _local_id(self, post: Post) -> str:
        """This instance's id for ``post``: ids are per instance, URIs are global."""
        if post.network is not Network.MASTODON:
            raise ActionNotAllowed(
                f"this is a {post.network.value} post; act on it from its own network"
            )
        known = self._local_ids.get(post.key)
        if known:
            return known
        target = post.uri or post.url
        # WORKAROUND (Mastodon.py 2.3.3): exclude_unreviewed=True makes search_v2 check the
        # server version, which recurses forever when the instance cannot be reached.
        # It only filters hashtag results anyway.
        found = self._act(
            "retweet",
            lambda api: api.search_v2(
                target, resolve=True, result_type="statuses", limit=1, exclude_unreviewed=False
            ),
        )
        statuses = (found or {}).get("statuses") or []
        if not statuses:
            raise SourceError(f"{self.host} cannot find this post ({target})")
        local = str(statuses[0]["id"])
        self._local_ids[post.key] = local
        return local

    def retweet(self, post: Post) -> str | None:
        local = self._local_id(post)
        result = self._act("retweet", lambda api: api.status_reblog(local))
        return str(result["id"]) if result and "id" in result else None

    def unretweet(self, post: Post, *, remote_id: str | None = None) -> None:
        local = self._local_id(post)
        self._act("retweet", lambda api: api.status_unreblog(local))

    def like(self, post: Post) -> None:
        local = self._local_id(post)
        self._act("like", lambda api: api.status_favourite(local))

    def unlike(self, post: Post, *, remote_id: str | None = None) -> None:
        local = self._local_id(post)
        self._act("like", lambda api: api.status_unfavourite(local))

    def reply(self, text: str, *, in_reply_to: Post | None) -> Post | None:
        """Post ``text`` as is (the composer adds the @mention and the hashtag)."""
        what = "reply" if in_reply_to else "post"
        local = self._local_id(in_reply_to) if in_reply_to else None
        result = self._act(what, lambda api: api.status_post(text, in_reply_to_id=local))
        return self._created_post(result)

    def quote(self, text: str, *, quoted: Post) -> Post | None:
        """Post ``text`` quoting ``quoted`` (Mastodon 4.5+; the author's quote policy applies)."""
        if self._token and self.version is None:
            try:
                self.refresh_capabilities()
            except (_Transient, _RateLimited) as exc:
                raise SourceOfflineError(str(exc)) from None
            except _Stopped as exc:
                raise SourceAuthError(str(exc)) from None
        if not self.capabilities.quote_post:
            raise ActionNotAllowed(self.capabilities.reason("quote_post"))
        local = self._local_id(quoted)
        result = self._act("quote_post", lambda api: api.status_post(text, quoted_status_id=local))
        return self._created_post(result)

    def _created_post(self, result: Any) -> Post | None:
        if not result:
            return None
        try:
            parsed: Parsed = normalize_status(wire.to_wire(result))
        except MalformedPayload:
            return None
        for post in parsed.posts:
            self._local_ids[post.key] = post.id
        return parsed.posts[0] if parsed.posts else None


def _open_or_close(connection: SseConnection, stop: threading.Event) -> None:
    connection.open()
    if stop.is_set():  # given up on while it connected: nobody will read it
        connection.close()


def _created_at(status: Mapping[str, Any]) -> datetime:
    """A status's ``created_at``; one without a readable time sorts as the oldest."""
    try:
        return wire_utc(parse_time(str(status.get("created_at") or "")))
    except (TypeError, ValueError):
        return datetime.min.replace(tzinfo=UTC)


def wire_utc(dt: datetime) -> datetime:
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def _status_code(exc: Exception) -> int:
    for arg in getattr(exc, "args", ())[1:2]:
        if isinstance(arg, int):
            return arg
    return 0


def _api_message(exc: Exception) -> str:
    args = getattr(exc, "args", ())
    if len(args) >= 4 and args[3]:
        return str(args[3])
    if len(args) >= 3 and args[2]:
        return str(args[2])
    return ""


def _cause(exc: Exception) -> str:
    cause = exc.__cause__ or exc.__context__
    return type(cause).__name__ if cause else "network error"


def _parse_reset(headers: Mapping[str, str]) -> datetime | None:
    """``X-RateLimit-Reset``: an ISO time (Mastodon) or epoch seconds (GoToSocial)."""
    value = next((v for k, v in headers.items() if k.lower() == "x-ratelimit-reset"), None)
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except ValueError:
        pass
    try:
        from desktop.core.post import parse_time

        return parse_time(value)
    except ValueError:
        return None
