"""The Bluesky source: app-password login, ``searchPosts`` polling for hashtags, actions.

Bluesky has no hashtag stream, so the source polls ``app.bsky.feed.searchPosts``
(``q="#tag"``, ``sort=latest``, ``since`` = the session's start) and pages back
with the cursor until it reaches posts it has already seen; posts are deduped
by URI. Search pages are read as raw JSON (not atproto's pydantic models) so one
malformed post is skipped and counted instead of failing the whole page, and
the normalizer and the stored raw JSON get the wire format unchanged.

Credentials: the atproto session string lives in the keyring under
``bluesky:<handle>:session`` and is saved again whenever atproto refreshes the
tokens; the app password (``bluesky:<handle>:app_password``, or
``JAMDECK_BLUESKY_HANDLE`` / ``JAMDECK_BLUESKY_APP_PASSWORD`` for headless
runs) is only used when there is no usable session. Secrets are never logged.

This is the only module that imports ``atproto``, and only when a source
connects (importing it takes most of a second).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

from desktop.core.credentials import CredentialStore, from_env
from desktop.core.normalize import MalformedPayload, Parsed
from desktop.core.post import Post, utc
from desktop.sources.base import (
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

log = logging.getLogger("jamdeck.sources.bluesky")

DEFAULT_SERVICE = "https://bsky.social"
DEFAULT_INTERVAL = 15.0  # seconds between search passes
PAGE_LIMIT = 100  # searchPosts' maximum
MAX_PAGES_PER_PASS = 50  # a first pass over a very busy tag stops here rather than paging for ever
BACKOFF_START = 1.0
BACKOFF_MAX = 60.0
RATE_LIMIT_FALLBACK = 60.0  # a 429 without RateLimit-Reset waits this long
ENV_HANDLE = "JAMDECK_BLUESKY_HANDLE"
ENV_APP_PASSWORD = "JAMDECK_BLUESKY_APP_PASSWORD"

REPOST = "app.bsky.feed.repost"
LIKE = "app.bsky.feed.like"
POST = "app.bsky.feed.post"

# XRPC error names that mean "the credentials are no good", whatever the status code.
_AUTH_ERRORS = frozenset(
    {
        "AuthenticationRequired",
        "InvalidToken",
        "ExpiredToken",
        "AccountTakedown",
        "AccountDeactivated",
    }
)

_NO_OPTIONS: Mapping[str, str] = MappingProxyType({})


def session_key(handle: str) -> str:
    return f"bluesky:{handle}:session"


def app_password_key(handle: str) -> str:
    return f"bluesky:{handle}:app_password"


def iso_z(moment: datetime) -> str:
    """``2025-05-19T17:10:09.561Z``: the datetime format Bluesky sends and accepts."""
    return utc(moment).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _clean_handle(handle: str) -> str:
    return handle.strip().removeprefix("@").lower()


def preload_sdk() -> None:
    """Import atproto now (most of a second): call it on a background thread at start-up so
    the first Bluesky sign-in does not pay for it."""
    import atproto  # noqa: F401


def _default_normalize(view: dict[str, Any]) -> Parsed:
    # Straight to the Bluesky normalizer: a broken PostView must not be sniffed as another network's.
    from desktop.core.normalize.bluesky import normalize_post_views

    return normalize_post_views([view])


# ---- atproto errors -> the source contract's errors ----------------------


def _xrpc_error(exc: BaseException) -> tuple[int | None, str, str]:
    """(status, XRPC error name, message) of an atproto request error."""
    response = getattr(exc, "response", None)
    if response is None:
        return None, "", ""
    content = response.content
    name = getattr(content, "error", "") or ""
    message = getattr(content, "message", "") or ""
    return response.status_code, str(name), str(message)


def _is_expired_token(exc: BaseException) -> bool:
    status, name, _ = _xrpc_error(exc)
    return status in (400, 401) and name == "ExpiredToken"


def translate_error(exc: BaseException, *, doing: str) -> SourceError:
    """Map an atproto exception to the contract: auth, rate limit, offline, or a plain error."""
    from atproto import exceptions

    status, name, message = _xrpc_error(exc)
    detail = f"{name}: {message}" if name and message else (name or message or str(status or exc))
    if isinstance(exc, exceptions.RateLimitExceededError):
        return RateLimitedError(f"Bluesky rate limit reached while {doing}", reset_at=exc.reset_at)
    if isinstance(exc, exceptions.UnauthorizedError) or name in _AUTH_ERRORS:
        return SourceAuthError(f"Bluesky rejected the account while {doing} ({detail})")
    if isinstance(exc, exceptions.NetworkError):  # transport failures, 502, 409, 413
        return SourceOfflineError(f"Bluesky could not be reached while {doing} ({detail})")
    if isinstance(exc, exceptions.RequestException) and (status is None or status >= 500):
        return SourceOfflineError(f"Bluesky is unavailable while {doing} ({detail})")
    return SourceError(f"Bluesky refused {doing} ({detail})")


class BlueskySource(Source):
    network = "bluesky"
    capabilities = Capabilities(
        stream=False,
        poll=True,
        retweet=True,
        like=True,
        reply=True,
        post=True,
        quote_post=True,
        needs_auth=True,
        why_not={"stream": "Bluesky has no hashtag stream; JamDeck polls search"},
    )

    def __init__(
        self,
        *,
        hashtags: list[str],
        handle: str,
        credentials: CredentialStore,
        service: str = DEFAULT_SERVICE,
        app_password: str | None = None,
        since: datetime | None = None,
        interval: float = DEFAULT_INTERVAL,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] | None = None,
        normalize: Callable[[dict[str, Any]], Parsed] | None = None,
        timeout: float = 10.0,
    ) -> None:
        """``app_password`` is for headless runs (kept in memory, never stored); otherwise the
        keyring is asked. ``clock`` (wall time, aware) and ``sleep`` are injectable for tests;
        by default ``run`` sleeps on its stop event so stopping is immediate."""
        self.hashtags = [
            tag.strip().removeprefix("#") for tag in hashtags if tag.strip().removeprefix("#")
        ]
        if not self.hashtags:
            raise ValueError("a Bluesky source needs at least one hashtag")
        self.handle = _clean_handle(handle)
        self.service = service.rstrip("/")
        self.interval = interval
        self.name = f"Bluesky {' '.join('#' + tag for tag in self.hashtags)}" + (
            f" (@{self.handle})" if self.handle else ""
        )
        self._credentials = credentials
        self._app_password = app_password
        self._since = utc(since) if since is not None else None
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sleep = sleep
        self._normalize = normalize or _default_normalize
        self._timeout = timeout
        self._client = None  # atproto Client once logged in
        self._did = ""
        self._connect_lock = threading.Lock()
        self._seen: set[str] = set()  # URIs of every post delivered (or skipped) so far
        self._settled: dict[str, set[str]] = {}  # tag -> URIs that completed passes reached
        self._undo: dict[tuple[str, str], str] = {}  # (collection, post uri) -> record uri

    # ---- login and session ------------------------------------------------

    def sign_in(self) -> None:
        """Log in now (a stored session first, else the app password) and save the
        session string: how an account is added. Raises ``SourceAuthError`` or
        ``SourceOfflineError``."""
        self._connected()

    def _connected(self):
        with self._connect_lock:
            if self._client is None:
                self._client = self._login()
            return self._client

    def _new_client(self):
        from atproto import Client, Request

        client = Client(base_url=self.service, request=Request(timeout=self._timeout))
        client.on_session_change(self._save_session)
        return client

    def _save_session(self, event, session) -> None:
        # atproto calls this on create, refresh and import; an import is what we stored already.
        if getattr(event, "value", "") in ("create", "refresh"):
            self._credentials.set(session_key(self.handle), session.export())

    def _login(self):
        """A logged-in client: from the stored session string when it still works, else the
        app password. Raises SourceAuthError when neither works."""
        if not self.handle:
            raise SourceAuthError(
                f"No Bluesky account: add one in Accounts, or set {ENV_HANDLE} and {ENV_APP_PASSWORD}."
            )
        stored = self._credentials.get(session_key(self.handle))
        if stored:
            client = self._resume(stored)
            if client is not None:
                return client
        return self._login_with_password()

    def _resume(self, stored: str):
        """A client on the stored session, or None when the session no longer works."""
        from atproto import exceptions

        client = self._new_client()
        try:
            client.login(session_string=stored, fetch_bsky_profile=False)
            self._whoami(client)  # atproto refreshes an expiring token here (and we save it)
            return client
        except (ValueError, exceptions.AtProtocolError) as exc:
            status, name, _ = _xrpc_error(exc)
            if _is_expired_token(exc) and self._try_refresh(client):
                return client
            client.request.close()
            unreachable = isinstance(
                exc, exceptions.NetworkError | exceptions.RateLimitExceededError
            )
            if unreachable or (status or 0) >= 500:  # says nothing about the session: keep it
                raise translate_error(exc, doing="signing in") from exc
        log.info(
            "stored Bluesky session for @%s no longer works (%s)", self.handle, name or "invalid"
        )
        self._credentials.delete(session_key(self.handle))
        return None

    def _login_with_password(self):
        from atproto import exceptions

        password = self._app_password or self._credentials.get(app_password_key(self.handle))
        if not password:
            raise SourceAuthError(
                f"No app password for Bluesky account @{self.handle}: sign in again in Accounts"
                f" (or set {ENV_APP_PASSWORD})."
            )
        client = self._new_client()
        try:
            client.login(self.handle, password, fetch_bsky_profile=False)
            self._whoami(client)
        except exceptions.AtProtocolError as exc:
            client.request.close()
            error = translate_error(exc, doing="signing in")
            status, _, _ = _xrpc_error(exc)
            if status in (400, 401, 403):
                error = SourceAuthError(
                    f"Bluesky rejected the app password for @{self.handle}: check the handle and "
                    f"create a new app password in Bluesky's settings ({error})."
                )
            raise error from exc
        return client

    def _whoami(self, client) -> None:
        answer = client.com.atproto.server.get_session()
        self._did = answer.did

    def _try_refresh(self, client) -> bool:
        from atproto import exceptions

        try:
            self._force_refresh(client)
            self._whoami(client)
        except exceptions.AtProtocolError:
            return False
        return True

    @staticmethod
    def _force_refresh(client) -> None:
        # atproto refreshes on its own only when the JWT says it is about to expire; a server that
        # answers ExpiredToken earlier (clock skew, revoked token) needs an explicit refresh. There
        # is no public call for it in atproto 0.0.73, hence the private one (pinned by our tests).
        with client._refresh_lock:
            client._refresh_and_set_session()

    def _call(self, fn: Callable[[Any], Any], *, doing: str) -> Any:
        """``fn(client)`` with one refresh-and-retry on ExpiredToken; atproto errors translated."""
        from atproto import exceptions

        client = self._connected()
        try:
            try:
                return fn(client)
            except exceptions.AtProtocolError as exc:
                if not _is_expired_token(exc):
                    raise
                try:
                    self._force_refresh(client)
                except exceptions.AtProtocolError:
                    log.info(
                        "Bluesky refresh token for @%s was refused; signing in again", self.handle
                    )
                    self.close()
                    self._credentials.delete(session_key(self.handle))
                    client = self._connected()
                return fn(client)
        except exceptions.AtProtocolError as exc:
            raise translate_error(exc, doing=doing) from exc

    def close(self) -> None:
        """Close the HTTP connections (the source can log in again later)."""
        with self._connect_lock:
            client, self._client = self._client, None
        if client is not None:
            client.request.close()

    # ---- polling ----------------------------------------------------------

    def run(self, sink: SourceSink, stop: threading.Event) -> None:
        sleep = self._sleep or stop.wait
        since = self._since or self._clock()
        batcher = Batcher(self, sink)
        backoff = Backoff(first=BACKOFF_START, cap=BACKOFF_MAX)
        state = SourceState.CONNECTING
        sink.on_status(
            self, SourceStatus(SourceState.CONNECTING, f"Signing in to Bluesky as @{self.handle}")
        )
        try:
            while not stop.is_set():
                try:
                    self._connected()
                    if state is not SourceState.CONNECTED:
                        state = SourceState.CONNECTED
                        sink.on_status(self, SourceStatus(state, self._polling_message()))
                    for tag in self.hashtags:
                        self._poll_tag(tag, since=since, batcher=batcher, sink=sink, stop=stop)
                    backoff.reset()
                    wait = self.interval
                except SourceAuthError as exc:
                    batcher.flush()
                    sink.on_status(
                        self, SourceStatus(SourceState.STOPPED, str(exc), auth_failed=True)
                    )
                    return
                except RateLimitedError as exc:
                    now = self._clock()
                    until = exc.reset_at or now + timedelta(seconds=RATE_LIMIT_FALLBACK)
                    wait = max((until - now).total_seconds(), 0.0)
                    state = SourceState.RATE_LIMITED
                    message = (
                        f"Bluesky rate limit reached: waiting until {until.astimezone():%H:%M:%S}"
                    )
                    sink.on_status(self, SourceStatus(state, message, until=until))
                except SourceOfflineError as exc:
                    wait = backoff.next_wait()
                    state = SourceState.RECONNECTING
                    until = self._clock() + timedelta(seconds=wait)
                    sink.on_status(
                        self, SourceStatus(state, f"{exc}; retrying in {wait:.0f} s", until=until)
                    )
                except SourceError as exc:
                    # e.g. the search itself was refused (400): retrying will not help
                    batcher.flush()
                    sink.on_status(self, SourceStatus(SourceState.STOPPED, str(exc)))
                    return
                batcher.flush()
                if not stop.is_set():
                    sleep(wait)
        finally:
            batcher.flush()
        sink.on_status(self, SourceStatus(SourceState.FINISHED, "Stopped"))

    def _polling_message(self) -> str:
        tags = " ".join(f"#{tag}" for tag in self.hashtags)
        return f"Polling Bluesky search for {tags} every {self.interval:g} s as @{self.handle}"

    def _poll_tag(
        self,
        tag: str,
        *,
        since: datetime,
        batcher: Batcher,
        sink: SourceSink,
        stop: threading.Event,
    ) -> None:
        """One pass: newest first, page back until a page reaches posts a completed pass saw.

        Only completed passes count: when a pass is cut short (429, 5xx) the next one pages
        past the posts it did get, so the older pages it never reached are not lost."""
        settled = self._settled.setdefault(tag, set())
        this_pass: set[str] = set()  # every URI this pass met (including ones seen before)
        pages = self._page_back(
            tag,
            since=since,
            settled=settled,
            this_pass=this_pass,
            batcher=batcher,
            sink=sink,
            stop=stop,
        )
        settled.update(this_pass)  # not reached when a page failed: the next pass pages further
        if pages > MAX_PAGES_PER_PASS:
            log.info(
                "Bluesky search for #%s: stopped paging after %d pages", tag, MAX_PAGES_PER_PASS
            )

    def _page_back(
        self,
        tag: str,
        *,
        since: datetime,
        settled: set[str],
        this_pass: set[str],
        batcher: Batcher,
        sink: SourceSink,
        stop: threading.Event,
    ) -> int:
        """Fetch pages until one reaches ``settled`` posts; returns the number of pages
        (one more than the limit when it ran out of pages to read)."""
        from atproto import models

        cursor: str | None = None
        for page_number in range(1, MAX_PAGES_PER_PASS + 1):
            params = models.AppBskyFeedSearchPosts.Params(
                q=f"#{tag}", sort="latest", since=iso_z(since), limit=PAGE_LIMIT, cursor=cursor
            )
            page = self._call(
                lambda client, params=params: (
                    client.invoke_query("app.bsky.feed.searchPosts", params=params).content
                ),
                doing=f"searching #{tag}",
            )
            where = f"searchPosts #{tag} page {page_number}"
            views = page.get("posts") if isinstance(page, dict) else None
            if not isinstance(views, list):
                sink.on_skipped(self, where, "the answer has no list of posts")
                return page_number
            reached_seen = False
            for index, view in enumerate(views, start=1):
                uri = view.get("uri") if isinstance(view, dict) else None
                if not isinstance(uri, str) or not uri:
                    sink.on_skipped(self, f"{where} item {index}", "post without a URI")
                    continue
                this_pass.add(uri)
                reached_seen = reached_seen or uri in settled
                if uri in self._seen:
                    continue
                self._seen.add(uri)  # a malformed post is counted once, not on every pass
                try:
                    parsed = self._normalize(view)
                except MalformedPayload as exc:
                    sink.on_skipped(self, f"{where} item {index}", str(exc))
                    continue
                except (KeyError, TypeError, ValueError, AttributeError) as exc:
                    # The normalizer should have said MalformedPayload; one odd post must not
                    # stop the jam.
                    log.warning(
                        "Bluesky post %s could not be normalized: %s", uri, type(exc).__name__
                    )
                    sink.on_skipped(
                        self, f"{where} item {index}", f"unreadable post ({type(exc).__name__})"
                    )
                    continue
                batcher.add(parsed)
            cursor = page.get("cursor")
            if reached_seen or not views or not cursor or stop.is_set():
                return page_number
        return MAX_PAGES_PER_PASS + 1

    # ---- actions ----------------------------------------------------------

    def retweet(self, post: Post) -> str | None:
        """Repost; returns the repost record's URI (``unretweet`` takes it back as ``remote_id``)."""
        return self._create_subject_record(REPOST, post, doing="reposting")

    def unretweet(self, post: Post, *, remote_id: str | None = None) -> None:
        self._delete_subject_record(REPOST, post, remote_id=remote_id, doing="undoing the repost")

    def like(self, post: Post) -> None:
        self._create_subject_record(LIKE, post, doing="liking")

    def unlike(self, post: Post, *, remote_id: str | None = None) -> None:
        self._delete_subject_record(LIKE, post, remote_id=remote_id, doing="undoing the like")

    def reply(self, text: str, *, in_reply_to: Post | None) -> Post | None:
        """Post ``text`` (a reply when ``in_reply_to`` is given) with hashtag and link facets."""
        from atproto import models

        reply_ref = None
        if in_reply_to is not None:
            parent = self._strong_ref(in_reply_to)
            root = _thread_root(in_reply_to) or parent
            reply_ref = models.AppBskyFeedPost.ReplyRef(root=root, parent=parent)
        return self._create_post(
            text, reply=reply_ref, embed=None, doing="replying" if in_reply_to else "posting"
        )

    def quote(self, text: str, *, quoted: Post) -> Post | None:
        """Post ``text`` quoting ``quoted`` (an ``app.bsky.embed.record`` embed)."""
        from atproto import models

        embed = models.AppBskyEmbedRecord.Main(record=self._strong_ref(quoted))
        return self._create_post(text, reply=None, embed=embed, doing="quoting")

    def _create_post(self, text: str, *, reply, embed, doing: str) -> Post | None:
        from atproto import client_utils, models

        record = models.AppBskyFeedPost.Record(
            text=text,
            created_at=iso_z(self._clock()),
            facets=client_utils.detect_facets(text) or None,
            reply=reply,
            embed=embed,
        )
        created = self._call(
            lambda client: client.app.bsky.feed.post.create(self._did, record), doing=doing
        )
        # The AppView indexes a new post a moment later: build its view from what was sent.
        view = {
            "uri": created.uri,
            "cid": created.cid,
            "author": {"did": self._did, "handle": self.handle},
            "record": record.model_dump(by_alias=True, exclude_none=True),
            "indexedAt": record.created_at,
        }
        try:
            parsed = self._normalize(view)
        except MalformedPayload:
            log.warning("could not normalize the post just created (%s)", created.uri)
            return None
        return parsed.posts[0] if parsed.posts else None

    def _create_subject_record(self, collection: str, post: Post, *, doing: str) -> str:
        from atproto import models

        subject = self._strong_ref(post)
        if collection == REPOST:
            record = models.AppBskyFeedRepost.Record(
                subject=subject, created_at=iso_z(self._clock())
            )
            create = lambda client: client.app.bsky.feed.repost.create(self._did, record)  # noqa: E731
        else:
            record = models.AppBskyFeedLike.Record(subject=subject, created_at=iso_z(self._clock()))
            create = lambda client: client.app.bsky.feed.like.create(self._did, record)  # noqa: E731
        created = self._call(create, doing=doing)
        self._undo[(collection, post.id)] = created.uri
        return created.uri

    def _delete_subject_record(
        self, collection: str, post: Post, *, remote_id: str | None, doing: str
    ) -> None:
        from atproto import models

        record_uri = remote_id or self._undo.pop((collection, post.id), None)
        if not record_uri:  # not made by this run: ask the AppView what our record is
            view = self._fetch_view(post.id)
            record_uri = ((view or {}).get("viewer") or {}).get(
                "repost" if collection == REPOST else "like"
            )
        if not record_uri:
            return  # nothing to undo
        repo, record_collection, rkey = _split_at_uri(record_uri)
        data = models.ComAtprotoRepoDeleteRecord.Data(
            repo=repo, collection=record_collection, rkey=rkey
        )
        self._call(lambda client: client.com.atproto.repo.delete_record(data), doing=doing)
        self._undo.pop((collection, post.id), None)

    def _strong_ref(self, post: Post):
        from atproto import models

        cid = post.raw.get("cid") if isinstance(post.raw, dict) else None
        if not isinstance(cid, str) or not cid:
            view = self._fetch_view(post.id)
            cid = (view or {}).get("cid")
        if not cid:
            raise SourceError("Bluesky no longer has this post (it may have been deleted)")
        return models.ComAtprotoRepoStrongRef.Main(uri=post.id, cid=cid)

    def _fetch_view(self, uri: str) -> dict[str, Any] | None:
        from atproto import models

        params = models.AppBskyFeedGetPosts.Params(uris=[uri])
        answer = self._call(
            lambda client: client.invoke_query("app.bsky.feed.getPosts", params=params).content,
            doing="looking up the post",
        )
        for view in (answer or {}).get("posts") or []:
            if isinstance(view, dict) and view.get("uri") == uri:
                return view
        return None


def _thread_root(post: Post):
    """The root of the thread ``post`` belongs to, from its record's reply refs (None: it is the root)."""
    from atproto import models

    record = post.raw.get("record") if isinstance(post.raw, dict) else None
    root = ((record or {}).get("reply") or {}).get("root") or {}
    if isinstance(root.get("uri"), str) and isinstance(root.get("cid"), str):
        return models.ComAtprotoRepoStrongRef.Main(uri=root["uri"], cid=root["cid"])
    return None


def _split_at_uri(uri: str) -> tuple[str, str, str]:
    """``at://did/collection/rkey`` -> (did, collection, rkey)."""
    parts = uri.removeprefix("at://").split("/")
    if len(parts) != 3 or not all(parts):
        raise SourceError(f"not a record URI: {uri!r}")
    return parts[0], parts[1], parts[2]


def create_source(
    *,
    hashtags: list[str],
    since: datetime | None = None,
    options: Mapping[str, str] = _NO_OPTIONS,
    credentials: CredentialStore | None = None,
    environ: Mapping[str, str] | None = None,
) -> BlueskySource:
    """A Bluesky source for ``hashtags``. ``options``: ``service`` (default bsky.social),
    ``handle`` and ``interval`` (seconds). With no handle option, ``JAMDECK_BLUESKY_HANDLE``
    and ``JAMDECK_BLUESKY_APP_PASSWORD`` are used (headless runs)."""
    env_handle = from_env(ENV_HANDLE, environ)
    env_password = from_env(ENV_APP_PASSWORD, environ)
    handle = _clean_handle(options.get("handle") or env_handle or "")
    # The environment's password belongs to the environment's handle only.
    app_password = env_password if env_handle and _clean_handle(env_handle) == handle else None
    try:
        interval = float(options.get("interval", DEFAULT_INTERVAL))
    except ValueError as exc:
        raise ValueError(
            f"Bluesky poll interval must be a number of seconds, not {options['interval']!r}"
        ) from exc
    if interval <= 0:
        raise ValueError("Bluesky poll interval must be positive")
    return BlueskySource(
        hashtags=hashtags,
        handle=handle,
        credentials=credentials if credentials is not None else CredentialStore(),
        service=options.get("service") or DEFAULT_SERVICE,
        app_password=app_password,
        since=since,
        interval=interval,
    )
