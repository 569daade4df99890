"""``XSource``: one X subscription (hashtags) by filtered stream or by polling recent search.

Stream mode: reconcile the stream rules, connect, and after every (re)connect run
a backfill by recent search so that posts made while the stream was down are not
lost; everything is deduplicated by id. Poll mode: recent search every
``interval`` seconds, counting the posts read (X bills reads per post) and
showing a cost estimate.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from desktop.core.compose import X_PRICES, x_post_cost
from desktop.core.normalize import MalformedPayload, Parsed
from desktop.core.normalize.detect import normalize_document
from desktop.core.post import Author, Kind, Network, Post
from desktop.sources.base import (
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
from desktop.sources.x import api
from desktop.sources.x.accounts import XCredentials
from desktop.sources.x.stream import END, LineReader

log = logging.getLogger("jamdeck.sources.x")

MODES = ("stream", "poll")
RULE_TAG_PREFIX = "jamdeck:"
# An estimate only: X's pay-per-use price of one post read at the time of writing
# (USD). Pass ``price_per_read`` with your plan's price; the UI labels it an estimate.
DEFAULT_PRICE_PER_READ = 0.005
DEFAULT_POLL_INTERVAL = 60.0  # frugal: every poll that finds posts is billed per post
DEFAULT_KEEPALIVE_TIMEOUT = 30.0  # X sends "\r\n" every ~20 s
SEARCH_WINDOW = timedelta(days=7)  # recent search reaches this far back

WHY_NOT_USER = {
    "retweet": "Retweeting needs a signed-in X account (user context)",
    "like": "Liking needs a signed-in X account (user context)",
    "reply": "Replying needs a signed-in X account (user context)",
    "post": "Posting needs a signed-in X account (user context)",
}
# What self-serve tiers lost in 2026 (developer docs changelog); the Enterprise tier keeps them.
WHY_NOT_QUOTE = "X removed quote posts from self-serve API tiers on 2026-04-20 (Enterprise only)"
WHY_NOT_LIKE = "X removed likes from self-serve API tiers on 2026-04-20 (Enterprise only)"
WHY_NOT_FOLLOW = "X removed follows from self-serve API tiers on 2026-04-20 (Enterprise only)"
WHY_NOT_REPLY = (
    "Since 2026-02-23 X lets apps reply only where the author summoned them: "
    "a jam answer goes out as a standalone post with the hashtag"
)
PRICES = X_PRICES  # X's pay-per-use prices in 2026 (USD)
RETWEET_BUDGET = 50  # retweets and undos per user...
RETWEET_WINDOW = timedelta(minutes=15)  # ...in this window
RETWEETS_NOT_SEARCHABLE = (
    "X's recent search returns no retweets since 2026-05-04: retweets made between "
    "{start:%H:%M:%S} and {end:%H:%M:%S} UTC, while the stream was down, cannot be recovered"
)


def post_cost(text: str) -> float:
    """What creating ``text`` as a post costs on X's pay-per-use plan (2026)."""
    return x_post_cost(text)


class _Stopped(Exception):
    """The stop event was set while waiting."""


class _Run:
    """State of one ``run()`` call, shared by its helpers."""

    def __init__(self, sink: SourceSink, stop: threading.Event, batcher: Batcher) -> None:
        self.sink = sink
        self.stop = stop
        self.batcher = batcher
        # X's documented reconnect waits (filtered stream, "handling disconnections"):
        # network errors linearly by 250 ms up to 16 s; HTTP errors doubling from 5 s up
        # to 320 s; 429 doubling from 1 minute (the 16-minute cap is ours).
        self.network_backoff = Backoff(first=0.25, step=0.25, factor=1.0, cap=16.0)
        self.http_backoff = Backoff(first=5.0, cap=320.0)
        self.rate_backoff = Backoff(first=60.0, cap=960.0)
        self.line_no = 0

    def reset_backoffs(self) -> None:
        """A connection or a search worked: every schedule starts again from its first wait."""
        for backoff in (self.network_backoff, self.http_backoff, self.rate_backoff):
            backoff.reset()


def clean_hashtags(hashtags: list[str]) -> list[str]:
    """Tags without "#", first spelling kept, duplicates (any case) dropped."""
    seen: set[str] = set()
    tags = []
    for raw in hashtags:
        tag = raw.strip().lstrip("#").strip()
        if tag and tag.casefold() not in seen:
            seen.add(tag.casefold())
            tags.append(tag)
    return tags


class XSource(Source):
    network = "x"

    def __init__(
        self,
        *,
        hashtags: list[str],
        credentials: XCredentials,
        mode: str = "stream",
        since: datetime | None = None,
        api_base: str = api.DEFAULT_API_BASE,
        account: str = "default",
        interval: float = DEFAULT_POLL_INTERVAL,
        price_per_read: float = DEFAULT_PRICE_PER_READ,
        enterprise: bool = False,
        keepalive_timeout: float = DEFAULT_KEEPALIVE_TIMEOUT,
        search_page_size: int = 100,
        connect_timeout: float = 10.0,
        sleep: Callable[[float], None] | None = None,
        now: Callable[[], datetime] | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``sleep`` (tests) replaces the waits between reconnects and polls; by default
        they wait on the stop event. ``now`` gives wall time (rate-limit resets)."""
        if mode not in MODES:
            raise ValueError(f"X mode must be one of {MODES}, not {mode!r}")
        if interval <= 0 or keepalive_timeout <= 0:
            raise ValueError("X poll interval and keep-alive timeout must be positive")
        self.hashtags = clean_hashtags(hashtags)
        if not self.hashtags:
            raise ValueError("an X source needs at least one hashtag")
        self.mode = mode
        self.since = since
        self.api_base = api_base.rstrip("/")
        self.account = account
        self.interval = interval
        self.price_per_read = price_per_read
        self.keepalive_timeout = keepalive_timeout
        self.search_page_size = max(10, min(100, search_page_size))  # X's limits
        self.connect_timeout = connect_timeout
        self._credentials = credentials
        self._sleep_fn = sleep
        self._now = now or (lambda: datetime.now(UTC))
        self._monotonic = monotonic
        self._tick = 0.05  # how often a quiet stream checks stop, batches and the watchdog
        self.name = f"X {' '.join('#' + t for t in self.hashtags)}"
        self.capabilities = _capabilities(credentials, mode=mode, enterprise=enterprise)
        self.reads_used = 0  # posts read by search (billed per post)
        self.requests_made = 0  # search requests
        self.newest_id: str | None = None
        self.retweets_made: list[datetime] = []  # retweets and undos, for the 50 / 15 min budget
        self.lost_at: datetime | None = None  # when the stream went down (retweets are lost)
        self._seen: set[str] = set()
        self._rule_ids: set[str] = set()
        self._search_client = None
        self._user_client = None

    # -- what the user sees --------------------------------------------------------

    @property
    def query(self) -> str:
        terms = " OR ".join(f"#{tag}" for tag in self.hashtags)
        return f"({terms})" if len(self.hashtags) > 1 else terms

    @property
    def estimated_cost(self) -> float:
        return self.reads_used * self.price_per_read

    def usage_text(self) -> str:
        text = (
            f"{self.reads_used} posts read in {self.requests_made} searches · "
            f"about ${self.estimated_cost:.2f} at ${self.price_per_read:g} a read (estimate)"
        )
        if self.capabilities.retweet:
            text += f" · {self.retweets_left()} of {RETWEET_BUDGET} retweets left in 15 min"
        return text

    def retweets_left(self) -> int:
        """X's budget of retweets and undos: 50 per 15 minutes per user."""
        since = self._now() - RETWEET_WINDOW
        self.retweets_made = [at for at in self.retweets_made if at > since]
        return max(0, RETWEET_BUDGET - len(self.retweets_made))

    def _spend_retweet(self) -> None:
        if self.retweets_left() == 0:
            reset_at = self.retweets_made[0] + RETWEET_WINDOW
            raise RateLimitedError(
                f"X allows {RETWEET_BUDGET} retweets and undos per 15 minutes: "
                f"the next one at {reset_at:%H:%M:%S} UTC",
                reset_at=reset_at,
            )
        self.retweets_made.append(self._now())

    def _status(
        self,
        ctx: _Run,
        state: SourceState,
        message: str,
        until: datetime | None = None,
        *,
        auth_failed: bool = False,
    ) -> None:
        ctx.batcher.flush()  # posts first: a status describes what came before it
        ctx.sink.on_status(self, SourceStatus(state, message, until, auth_failed=auth_failed))

    # -- run -------------------------------------------------------------------------

    def run(self, sink: SourceSink, stop: threading.Event) -> None:
        ctx = _Run(sink, stop, Batcher(self, sink))
        try:
            if not self._credentials.has_app_context:
                raise SourceAuthError(
                    "No X bearer token: set JAMDECK_X_BEARER_TOKEN or add an X account"
                )
            if self.mode == "stream":
                self._run_stream(ctx)
            else:
                self._run_poll(ctx)
        except _Stopped:
            pass
        except SourceError as exc:  # auth, or a request X will never accept (400)
            self._status(
                ctx, SourceState.STOPPED, str(exc), auth_failed=isinstance(exc, SourceAuthError)
            )
            return
        except Exception as exc:  # a bug must still end in a status the user can see
            log.exception("X source failed")
            self._status(
                ctx, SourceState.STOPPED, f"The X source failed: {type(exc).__name__}: {exc}"
            )
            return
        self._status(ctx, SourceState.FINISHED, "Stopped")

    def _wait(self, ctx: _Run, seconds: float) -> None:
        ctx.batcher.flush()  # never hold posts back while we wait
        if self._sleep_fn is not None:
            self._sleep_fn(seconds)
        else:
            ctx.stop.wait(seconds)
        if ctx.stop.is_set():
            raise _Stopped

    def _wait_rate_limit(self, ctx: _Run, reset_at: datetime | None) -> None:
        if reset_at is None:
            wait = ctx.rate_backoff.next_wait()
            reset_at = self._now() + timedelta(seconds=wait)
        else:
            wait = max(0.0, (reset_at - self._now()).total_seconds())
        self._status(
            ctx,
            SourceState.RATE_LIMITED,
            f"X rate limit reached: waiting until {reset_at:%H:%M:%S} UTC",
            reset_at,
        )
        self._wait(ctx, wait)

    def _reconnect_later(self, ctx: _Run, wait: float, reason: str) -> None:
        if self.lost_at is None and self.mode == "stream":
            self.lost_at = self._now()
        until = self._now() + timedelta(seconds=wait)
        self._status(ctx, SourceState.RECONNECTING, f"{reason}; reconnecting in {wait:g} s", until)
        self._wait(ctx, wait)

    def _call(self, ctx: _Run, fn: Callable[..., Any], **kwargs: Any) -> Any:
        """A tweepy call that waits out 429s (visibly) and retries; other errors raise."""
        while True:
            try:
                return api.call(fn, **kwargs)
            except RateLimitedError as exc:
                self._wait_rate_limit(ctx, exc.reset_at)

    # -- stream ------------------------------------------------------------------------

    def _run_stream(self, ctx: _Run) -> None:
        self._status(ctx, SourceState.CONNECTING, f"Connecting to X for {self.query}")
        self._with_retries(ctx, self._reconcile_rules)
        session = requests.Session()
        session.headers["Authorization"] = f"Bearer {self._credentials.bearer_token}"
        try:
            while not ctx.stop.is_set():
                self._stream_once(ctx, session)
        finally:
            session.close()

    def _with_retries(self, ctx: _Run, step: Callable[[_Run], None]) -> None:
        while True:
            try:
                return step(ctx)
            except SourceOfflineError as exc:
                self._reconnect_later(ctx, ctx.http_backoff.next_wait(), str(exc))

    def _reconcile_rules(self, ctx: _Run) -> None:
        """Make the app's stream rules match our hashtags: add what is missing, delete
        jamdeck rules for other tags, never add a rule whose value already exists."""
        client = api.make_rules_client(
            api_base=self.api_base, bearer_token=self._credentials.bearer_token
        )
        rules = self._call(ctx, client.get_rules).get("data") or []
        wanted = {f"#{tag}": f"{RULE_TAG_PREFIX}#{tag}" for tag in self.hashtags}
        wanted_folded = {value.casefold() for value in wanted}
        kept: dict[str, str] = {}  # folded value -> rule id
        stale = []
        for rule in rules:
            value, tag, rule_id = rule.get("value", ""), rule.get("tag") or "", str(rule.get("id"))
            folded = value.casefold()
            if folded in wanted_folded and folded not in kept:
                kept[folded] = rule_id
            elif tag.startswith(RULE_TAG_PREFIX):
                stale.append(rule_id)  # a jam of another day, or a duplicate of ours
        if stale:
            self._call(ctx, client.delete_rules, ids=stale)
        missing = [
            api.stream_rule(value, tag)
            for value, tag in wanted.items()
            if value.casefold() not in kept
        ]
        if missing:
            added = self._call(ctx, client.add_rules, add=missing)
            for rule in added.get("data") or []:
                kept[str(rule.get("value", "")).casefold()] = str(rule.get("id"))
            for error in added.get("errors") or []:
                log.warning("X refused a stream rule: %s", error.get("title") or error)
        self._rule_ids = set(kept.values())
        log.info("stream rules: %d kept/added, %d stale deleted", len(kept), len(stale))

    def _stream_once(self, ctx: _Run, session: requests.Session) -> None:
        """One connection: connect, backfill, read until it ends; then wait before the next."""
        try:
            response = session.get(
                f"{self.api_base}/2/tweets/search/stream",
                params=api.fields_params(),
                stream=True,
                timeout=(self.connect_timeout, self.keepalive_timeout + 10),
            )
        except requests.RequestException as exc:
            self._reconnect_later(
                ctx,
                ctx.network_backoff.next_wait(),
                f"X could not be reached ({type(exc).__name__})",
            )
            return
        with response:
            status = response.status_code
            if status in (401, 403):
                raise SourceAuthError(api.auth_message(status))
            if status == 429:
                reset = api.epoch_to_datetime(response.headers.get("x-rate-limit-reset"))
                self._wait_rate_limit(ctx, reset)
                return
            if status != 200:
                self._reconnect_later(ctx, ctx.http_backoff.next_wait(), f"X answered {status}")
                return
            try:
                reason = self._read_stream(ctx, response)
                backoff = ctx.network_backoff
            except SourceOfflineError as exc:  # the backfill search failed (5xx, network)
                reason = f"Backfill failed: {exc}"
                backoff = ctx.http_backoff
        if reason is not None:
            self._reconnect_later(ctx, backoff.next_wait(), reason)

    def _read_stream(self, ctx: _Run, response: requests.Response) -> str | None:
        """Returns why the connection ended (to reconnect), or None when stopped."""
        reader = LineReader(response)
        try:
            # The stream is connected before we search, so nothing falls between the two.
            self._backfill(ctx)
            ctx.reset_backoffs()
            message = f"Streaming {self.query}"
            if self.lost_at is not None:  # back after an outage: say what search cannot give
                lost = RETWEETS_NOT_SEARCHABLE.format(start=self.lost_at, end=self._now())
                message = f"{message} · {lost}"
                self.lost_at = None
            self._status(ctx, SourceState.CONNECTED, message)
            return self._consume(ctx, reader)
        finally:
            reader.abort()
            reader.join(timeout=2)

    def _consume(self, ctx: _Run, reader: LineReader) -> str | None:
        last_heard = self._monotonic()
        while True:
            try:
                kind, value = reader.queue.get(timeout=self._tick)
            except queue.Empty:
                ctx.batcher.flush()
                if ctx.stop.is_set():
                    return None
                if self._monotonic() - last_heard > self.keepalive_timeout:
                    return f"No data or keep-alive from X for {self.keepalive_timeout:g} s"
                continue
            last_heard = self._monotonic()
            if kind == END:
                ctx.batcher.flush()
                return str(value)
            if value:  # an empty line is X's keep-alive
                self._handle_line(ctx, value)
            if ctx.stop.is_set():
                return None

    def _handle_line(self, ctx: _Run, raw: bytes) -> None:
        ctx.line_no += 1
        where = f"x stream line {ctx.line_no}"
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise MalformedPayload("a stream line that is not a JSON object")
            if "data" not in obj:
                errors = obj.get("errors") or []
                detail = "; ".join(
                    str(e.get("title") or e.get("detail") or e)
                    for e in errors
                    if isinstance(e, dict)
                )
                raise MalformedPayload(f"X sent no post: {detail or 'no data'}")
            if not self._matches_our_rules(obj):
                return
            self._deliver(ctx, normalize_document(obj), advance=True)
        except Exception as exc:  # one bad line must never end the stream
            log.debug("skipped %s: %s", where, type(exc).__name__)
            ctx.sink.on_skipped(self, where, f"{type(exc).__name__}: {exc}")

    def _matches_our_rules(self, obj: dict[str, Any]) -> bool:
        """The app may have rules that are not ours (another tool): skip their posts."""
        matching = obj.get("matching_rules")
        if not matching or not self._rule_ids:
            return True
        for rule in matching:
            if str(rule.get("id")) in self._rule_ids or str(rule.get("tag") or "").startswith(
                RULE_TAG_PREFIX
            ):
                return True
        return False

    def _deliver(self, ctx: _Run, parsed: Parsed, *, advance: bool) -> None:
        fresh = [post for post in parsed.posts if post.key not in self._seen]
        self._seen.update(post.key for post in fresh)
        if advance:
            for post in fresh:
                self._advance(post.id)
        ctx.batcher.add(Parsed(fresh, list(parsed.referenced)))

    def _advance(self, post_id: str | None) -> None:
        if (
            post_id
            and post_id.isdigit()
            and (self.newest_id is None or int(post_id) > int(self.newest_id))
        ):
            self.newest_id = post_id

    # -- search: backfill and polling ---------------------------------------------------

    def _backfill(self, ctx: _Run) -> None:
        if self.newest_id is not None:
            self._search_all(ctx, since_id=self.newest_id)
        elif self.since is not None:
            self._search_all(ctx, start_time=self.since)

    def _search_all(
        self, ctx: _Run, *, since_id: str | None = None, start_time: datetime | None = None
    ) -> None:
        """Read every page of a recent search, then (only then) advance ``newest_id``."""
        client = self._searcher()
        params: dict[str, Any] = {"max_results": self.search_page_size, **api.fields_kwargs()}
        if since_id is not None:
            params["since_id"] = since_id
        elif start_time is not None:
            params["start_time"] = max(
                start_time, self._now() - SEARCH_WINDOW + timedelta(minutes=1)
            )
        newest: str | None = None
        token: str | None = None
        while True:
            page = self._call(
                ctx, client.search_recent_tweets, query=self.query, next_token=token, **params
            )
            self.requests_made += 1
            tweets = page.get("data") or []
            self.reads_used += len(tweets)
            if tweets:
                try:
                    parsed = normalize_document(page)
                except MalformedPayload as exc:
                    ctx.sink.on_skipped(self, f"x search page {self.requests_made}", str(exc))
                else:
                    self._deliver(ctx, parsed, advance=False)
                for tweet in tweets:
                    tweet_id = str(tweet.get("id", ""))
                    if tweet_id.isdigit() and (newest is None or int(tweet_id) > int(newest)):
                        newest = tweet_id
            token = (page.get("meta") or {}).get("next_token")
            if not token:
                break
            if ctx.stop.is_set():
                raise _Stopped  # leave newest_id alone: the next search covers the rest
        self._advance(newest)

    def _searcher(self):
        if self._search_client is None:
            self._search_client = api.make_client(
                api_base=self.api_base, bearer_token=self._credentials.bearer_token
            )
        return self._search_client

    def _run_poll(self, ctx: _Run) -> None:
        start = self.since or self._now()
        self._status(
            ctx, SourceState.CONNECTING, f"Polling X for {self.query} every {self.interval:g} s"
        )
        while True:
            try:
                if self.newest_id is not None:
                    self._search_all(ctx, since_id=self.newest_id)
                else:
                    self._search_all(ctx, start_time=start)
            except SourceOfflineError as exc:
                self._reconnect_later(
                    ctx, max(self.interval, ctx.http_backoff.next_wait()), str(exc)
                )
                continue
            ctx.reset_backoffs()
            next_at = self._now() + timedelta(seconds=self.interval)
            self._status(
                ctx,
                SourceState.CONNECTED,
                f"Polling {self.query} every {self.interval:g} s · {self.usage_text()}",
                next_at,
            )
            self._wait(ctx, self.interval)

    # -- actions (user context) -----------------------------------------------------------

    def _actor(self, what: str):
        if not getattr(self.capabilities, what):
            raise ActionNotAllowed(self.capabilities.reason(what))
        if self._user_client is None:
            creds = self._credentials
            self._user_client = api.make_client(
                api_base=self.api_base,
                consumer_key=creds.consumer_key,
                consumer_secret=creds.consumer_secret,
                access_token=creds.access_token,
                access_token_secret=creds.access_token_secret,
            )
        return self._user_client

    @staticmethod
    def _target(post: Post) -> str:
        """Acting on a retweet means acting on the post it retweets."""
        if post.kind is Kind.RETWEET and post.retweeted_id:
            return post.retweeted_id
        return post.id

    def retweet(self, post: Post) -> str | None:
        client = self._actor("retweet")
        self._spend_retweet()
        api.call(client.retweet, self._target(post), user_auth=True)
        return None  # X answers {"retweeted": true}, without the retweet's id

    def unretweet(self, post: Post, *, remote_id: str | None = None) -> None:
        client = self._actor("retweet")
        self._spend_retweet()
        api.call(client.unretweet, self._target(post), user_auth=True)

    def like(self, post: Post) -> None:
        client = self._actor("like")
        api.call(client.like, self._target(post), user_auth=True)

    def unlike(self, post: Post, *, remote_id: str | None = None) -> None:
        client = self._actor("like")
        api.call(client.unlike, self._target(post), user_auth=True)

    def reply(self, text: str, *, in_reply_to: Post | None) -> Post | None:
        client = self._actor("reply" if in_reply_to is not None else "post")
        reply_id = self._target(in_reply_to) if in_reply_to is not None else None
        answer = api.call(
            client.create_tweet, text=text, in_reply_to_tweet_id=reply_id, user_auth=True
        )
        data = (answer or {}).get("data") or {}
        if "id" not in data:
            return None
        return Post(
            network=Network.X,
            id=str(data["id"]),
            author=Author(id=self._credentials.user_id or "", handle=""),
            text=str(data.get("text", text)),
            created_at=self._now(),
            kind=Kind.REPLY if reply_id else Kind.ORIGINAL,
            reply_to_id=reply_id,
            reply_to_handle=in_reply_to.author.handle if in_reply_to is not None else None,
            raw=dict(data),
        )


def _capabilities(credentials: XCredentials, *, mode: str, enterprise: bool) -> Capabilities:
    """What X allows in 2026: reading with the app's bearer token; retweets and standalone
    posts with a user context; likes, quote posts, follows and (unsummoned) replies only on
    the Enterprise tier."""
    app = credentials.has_app_context
    user = credentials.has_user_context
    why_not: dict[str, str] = {}
    if not app:
        why_not["stream"] = why_not["poll"] = "Reading X needs an app bearer token"
    elif mode != "stream":
        why_not["stream"] = "This X source polls recent search (stream mode is off)"
    if not enterprise:
        why_not.update(
            like=WHY_NOT_LIKE, quote_post=WHY_NOT_QUOTE, follow=WHY_NOT_FOLLOW, reply=WHY_NOT_REPLY
        )
    if not user:  # the first thing to fix
        why_not.update(WHY_NOT_USER)
        why_not["quote_post"] = "Posting quote posts needs a signed-in X account (user context)"
    return Capabilities(
        stream=app and mode == "stream",
        poll=app,
        retweet=user,
        like=user and enterprise,
        reply=user and enterprise,
        post=user,
        quote_post=user and enterprise,
        needs_auth=True,
        why_not=why_not,
    )


__all__ = ["XSource", "DEFAULT_PRICE_PER_READ", "PRICES", "SourceOfflineError", "post_cost"]
