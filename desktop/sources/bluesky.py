"""The Bluesky source: Jetstream for the hashtag (no account needed), an app password for actions.

Live posts come from Jetstream (``desktop.sources.bluesky_jetstream``): every post of
the network, matched here on its tags, caught up from the session's start by cursor.
Following needs no account; when one is configured the source signs in at start (so a
rejected app password says so at once) and uses it for reposts, likes and posts.
``app.bsky.feed.searchPosts`` is not polled: Bluesky asks that it serve only searches a
person typed.

Credentials: the atproto session string lives in the keyring under
``bluesky:<handle>:session`` and is saved again whenever atproto refreshes the
tokens; the app password (``bluesky:<handle>:app_password``, or
``JAMDECK_BLUESKY_HANDLE`` / ``JAMDECK_BLUESKY_APP_PASSWORD`` for headless
runs) is only used when there is no usable session. Secrets are never logged.

This is the only module that imports ``atproto``, and only when a source
signs in (importing it takes most of a second).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from desktop.core.credentials import CredentialStore, from_env
from desktop.core.normalize import MalformedPayload, Parsed
from desktop.core.post import Post, utc
from desktop.sources.base import (
    CATCH_UP,
    Backoff,
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
from desktop.sources.bluesky_jetstream import (
    DEFAULT_APPVIEW,
    ENV_APPVIEW,
    ENV_JETSTREAM_URL,
    JetstreamFollower,
    ProfileResolver,
    jetstream_hosts,
)

log = logging.getLogger("jamdeck.sources.bluesky")

DEFAULT_SERVICE = "https://bsky.social"
BACKOFF_START = 1.0
BACKOFF_MAX = 60.0
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
        stream=True,
        poll=False,
        retweet=True,
        like=True,
        reply=True,
        post=True,
        quote_post=True,
        needs_auth=False,  # to follow; reposts, likes and posts need an account
        why_not={
            "poll": "Bluesky asks that search serve only what a person typed: JamDeck streams"
        },
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
        jetstream: str | None = None,
        appview: str = DEFAULT_APPVIEW,
        backoff: Backoff | None = None,
        clock: Callable[[], datetime] | None = None,
        sleep: Callable[[float], None] | None = None,
        normalize: Callable[[dict[str, Any]], Parsed] | None = None,
        timeout: float = 10.0,
    ) -> None:
        """``app_password`` is for headless runs (kept in memory, never stored); otherwise the
        keyring is asked; with no handle at all the source follows without an account.
        ``jetstream`` is one Jetstream base URL or several, comma-separated (empty: the public
        hosts); ``appview`` answers ``getProfiles``. ``clock`` (wall time, aware), ``sleep``
        and ``backoff`` are injectable for tests; by default ``run`` sleeps on its stop event
        so stopping is immediate."""
        self.hashtags = [
            tag.strip().removeprefix("#") for tag in hashtags if tag.strip().removeprefix("#")
        ]
        if not self.hashtags:
            raise ValueError("a Bluesky source needs at least one hashtag")
        self.handle = _clean_handle(handle)
        self.service = service.rstrip("/")
        self.jetstream_hosts = jetstream_hosts(jetstream)
        self.appview = appview.rstrip("/")
        self._backoff = backoff
        self._resolver = ProfileResolver(self.appview, timeout=timeout)
        self.name = f"Bluesky {' '.join('#' + tag for tag in self.hashtags)}" + (
            f" (@{self.handle})" if self.handle else ""
        )
        self._credentials = credentials
        self._app_password = app_password
        self._since = utc(since) if since is not None else None
        self._clock = clock or (lambda: datetime.now(UTC))
        self._sleep = sleep
        self._normalize = normalize or _default_normalize  # views the actions build
        self._timeout = timeout
        self._client = None  # atproto Client once logged in
        self._did = ""
        self._connect_lock = threading.Lock()
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

    # ---- following ----------------------------------------------------------

    def run(self, sink: SourceSink, stop: threading.Event) -> None:
        if self.handle:
            sink.on_status(
                self,
                SourceStatus(SourceState.CONNECTING, f"Signing in to Bluesky as @{self.handle}"),
            )
            try:
                self._connected()
            except SourceAuthError as exc:
                sink.on_status(self, SourceStatus(SourceState.STOPPED, str(exc), auth_failed=True))
                return
            except SourceError as exc:
                # Following needs no account: go on, the actions sign in when they are used.
                log.info("Bluesky sign-in failed for now (%s); following without it", exc)
        follower = JetstreamFollower(
            self,
            hashtags=self.hashtags,
            hosts=self.jetstream_hosts,
            resolver=self._resolver,
            since=self._since or self._clock() - CATCH_UP,
            clock=self._clock,
            backoff=self._backoff or Backoff(first=BACKOFF_START, cap=BACKOFF_MAX),
            sleep=self._sleep,
        )
        follower.run(sink, stop)
        sink.on_status(self, SourceStatus(SourceState.FINISHED, "Stopped"))

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
    """A Bluesky source for ``hashtags``. ``options``: ``service`` (the PDS for actions,
    default bsky.social), ``handle``, ``jetstream`` and ``appview``. With no handle option,
    ``JAMDECK_BLUESKY_HANDLE`` and ``JAMDECK_BLUESKY_APP_PASSWORD`` are used (headless runs);
    with no handle at all the source follows without an account. ``JAMDECK_JETSTREAM_URL``
    and ``JAMDECK_BLUESKY_APPVIEW`` win over the options (that is how tests point it at fakes)."""
    env_handle = from_env(ENV_HANDLE, environ)
    env_password = from_env(ENV_APP_PASSWORD, environ)
    handle = _clean_handle(options.get("handle") or env_handle or "")
    # The environment's password belongs to the environment's handle only.
    app_password = env_password if env_handle and _clean_handle(env_handle) == handle else None
    return BlueskySource(
        hashtags=hashtags,
        handle=handle,
        credentials=credentials if credentials is not None else CredentialStore(),
        service=options.get("service") or DEFAULT_SERVICE,
        app_password=app_password,
        since=since,
        jetstream=from_env(ENV_JETSTREAM_URL, environ) or options.get("jetstream") or None,
        appview=from_env(ENV_APPVIEW, environ) or options.get("appview") or DEFAULT_APPVIEW,
    )
