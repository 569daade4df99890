"""tweepy, pointed at the right host, and X's errors mapped onto the source contract.

tweepy's ``Client`` and ``StreamingClient`` build every URL from the hardcoded
host ``https://api.twitter.com``. To send them elsewhere (``JAMDECK_X_API_BASE``:
tests, proxies) we mount a requests transport adapter on that prefix of the
client's own ``session`` that rewrites the URL just before it is sent. OAuth 1.0a
signatures are computed earlier, on the original URL, which is what a forwarding
proxy needs; nothing else in tweepy changes.

This package is the only place that imports tweepy; it does so lazily.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from desktop.sources.base import (
    RateLimitedError,
    SourceAuthError,
    SourceError,
    SourceOfflineError,
)

log = logging.getLogger("jamdeck.sources.x")

X_HOST = "https://api.twitter.com"
DEFAULT_API_BASE = X_HOST

# What we ask X for, on the stream and in search: enough to show the author, the
# retweeted/quoted/replied-to originals, media and counts without extra reads.
EXPANSIONS = (
    "author_id",
    "referenced_tweets.id",
    "referenced_tweets.id.author_id",
    "attachments.media_keys",
    "in_reply_to_user_id",
    "entities.mentions.username",
)
TWEET_FIELDS = (
    "created_at",
    "lang",
    "public_metrics",
    "entities",
    "referenced_tweets",
    "in_reply_to_user_id",
    "conversation_id",
    "attachments",
    "edit_history_tweet_ids",
    "author_id",
)
USER_FIELDS = ("username", "name", "profile_image_url")
MEDIA_FIELDS = ("type", "url", "preview_image_url", "alt_text")


def fields_params() -> dict[str, str]:
    """The expansions and fields as raw query parameters (for our own stream request)."""
    return {
        "expansions": ",".join(EXPANSIONS),
        "tweet.fields": ",".join(TWEET_FIELDS),
        "user.fields": ",".join(USER_FIELDS),
        "media.fields": ",".join(MEDIA_FIELDS),
    }


def fields_kwargs() -> dict[str, list[str]]:
    """The same, as tweepy keyword arguments."""
    return {
        "expansions": list(EXPANSIONS),
        "tweet_fields": list(TWEET_FIELDS),
        "user_fields": list(USER_FIELDS),
        "media_fields": list(MEDIA_FIELDS),
    }


class RebaseAdapter(HTTPAdapter):
    """Sends requests made for ``https://api.twitter.com/...`` to ``base/...`` instead."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base.rstrip("/")

    def send(self, request, **kwargs):
        if request.url.startswith(X_HOST):
            request.url = self.base + request.url[len(X_HOST) :]
        return super().send(request, **kwargs)


def rebase_session(session: requests.Session, api_base: str) -> requests.Session:
    """Point ``session`` (a tweepy client's) at ``api_base`` when it is not X's own host."""
    if api_base.rstrip("/") != X_HOST:
        session.mount(X_HOST, RebaseAdapter(api_base))
    return session


def _quiet_tweepy_debug() -> None:
    # tweepy's client logs every request's headers at DEBUG, bearer token included:
    # keep it above DEBUG so a verbose run never writes a token to a log.
    tweepy_log = logging.getLogger("tweepy.client")
    if tweepy_log.getEffectiveLevel() < logging.INFO:
        tweepy_log.setLevel(logging.INFO)


def make_client(
    *,
    api_base: str,
    bearer_token: str | None = None,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
    access_token: str | None = None,
    access_token_secret: str | None = None,
):
    """A ``tweepy.Client`` returning raw JSON dicts, talking to ``api_base``."""
    import tweepy

    _quiet_tweepy_debug()
    client = tweepy.Client(
        bearer_token=bearer_token,
        consumer_key=consumer_key,
        consumer_secret=consumer_secret,
        access_token=access_token,
        access_token_secret=access_token_secret,
        return_type=dict,
        wait_on_rate_limit=False,  # we wait ourselves, visibly and interruptibly
    )
    rebase_session(client.session, api_base)
    return client


def make_rules_client(*, api_base: str, bearer_token: str):
    """A ``tweepy.StreamingClient`` used only for the rules endpoints (we read the stream
    ourselves: tweepy's loop retries a 401 forever and cannot be given a sleep or a clock)."""
    import tweepy

    _quiet_tweepy_debug()
    client = tweepy.StreamingClient(bearer_token, return_type=dict)
    rebase_session(client.session, api_base)
    return client


def stream_rule(value: str, tag: str):
    import tweepy

    return tweepy.StreamRule(value=value, tag=tag)


def epoch_to_datetime(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), UTC)
    except (TypeError, ValueError, OverflowError):
        return None


def auth_message(status: int) -> str:
    return (
        f"X rejected the credentials ({status}): check the account's tokens "
        "(and that its access level allows this) in the X account settings."
    )


def map_error(exc: Exception) -> SourceError:
    """A tweepy/requests exception as the contract's error (message for the user)."""
    import tweepy

    if isinstance(exc, SourceError):
        return exc
    if isinstance(exc, tweepy.Unauthorized | tweepy.Forbidden):
        status = exc.response.status_code if exc.response is not None else 401
        detail = "; ".join(exc.api_messages) if exc.api_messages else ""
        message = auth_message(status) + (f" X said: {detail}" if detail else "")
        return SourceAuthError(message)
    if isinstance(exc, tweepy.TooManyRequests):
        reset_at = epoch_to_datetime(exc.reset_time)
        when = f" until {reset_at:%H:%M:%S} UTC" if reset_at else ""
        return RateLimitedError(f"X rate limit reached{when}.", reset_at=reset_at)
    if isinstance(exc, tweepy.TwitterServerError):
        status = exc.response.status_code if exc.response is not None else 500
        return SourceOfflineError(f"X is having trouble ({status}); try again later.")
    if isinstance(exc, tweepy.HTTPException):
        status = exc.response.status_code if exc.response is not None else 0
        detail = "; ".join(exc.api_messages) or "request refused"
        return SourceError(f"X refused the request ({status}): {detail}")
    if isinstance(exc, requests.RequestException | OSError):
        return SourceOfflineError(f"X could not be reached: {type(exc).__name__}")
    return SourceError(f"X request failed: {type(exc).__name__}: {exc}")


def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run a tweepy call, raising only the contract's errors."""
    import tweepy

    try:
        return fn(*args, **kwargs)
    except (tweepy.TweepyException, requests.RequestException, OSError) as exc:
        raise map_error(exc) from exc
