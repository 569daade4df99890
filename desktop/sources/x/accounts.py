"""X accounts: their tokens live only in the CredentialStore (the OS keyring).

Names: ``x:<account>:bearer`` (app bearer token: stream, search) and
``x:<account>:consumer_key`` / ``consumer_secret`` / ``access_token`` /
``access_token_secret`` (OAuth 1.0a user context: retweet, like, post).
Headless runs may give the bearer token in ``JAMDECK_X_BEARER_TOKEN`` instead;
it wins over the keyring so a script can override a stored account.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping

from desktop.core.credentials import CredentialStore, from_env
from desktop.sources.base import SourceAuthError

BEARER_ENV = "JAMDECK_X_BEARER_TOKEN"
API_BASE_ENV = "JAMDECK_X_API_BASE"
DEFAULT_ACCOUNT = "default"
USER_CONTEXT_KEYS = ("consumer_key", "consumer_secret", "access_token", "access_token_secret")


def credential_name(account: str, key: str) -> str:
    return f"x:{account}:{key}"


@dataclasses.dataclass(frozen=True, slots=True)
class XCredentials:
    """One account's secrets. ``repr`` hides them so they never reach a log."""

    bearer_token: str | None = dataclasses.field(default=None, repr=False)
    consumer_key: str | None = dataclasses.field(default=None, repr=False)
    consumer_secret: str | None = dataclasses.field(default=None, repr=False)
    access_token: str | None = dataclasses.field(default=None, repr=False)
    access_token_secret: str | None = dataclasses.field(default=None, repr=False)

    @property
    def has_app_context(self) -> bool:
        return bool(self.bearer_token)

    @property
    def has_user_context(self) -> bool:
        return all(getattr(self, key) for key in USER_CONTEXT_KEYS)

    @property
    def user_id(self) -> str | None:
        """X access tokens start with the account's numeric id: "<id>-<secret part>"."""
        if not self.access_token or "-" not in self.access_token:
            return None
        return self.access_token.partition("-")[0]


def load_credentials(
    *,
    account: str = DEFAULT_ACCOUNT,
    credentials: CredentialStore | None = None,
    environ: Mapping[str, str] | None = None,
) -> XCredentials:
    """An account's secrets from the environment (bearer only) and the store."""
    stored = {}
    if credentials is not None:
        for key in ("bearer", *USER_CONTEXT_KEYS):
            stored[key] = credentials.get(credential_name(account, key))
    bearer = from_env(BEARER_ENV, environ) or stored.get("bearer")
    return XCredentials(
        bearer_token=bearer,
        **{key: stored.get(key) for key in USER_CONTEXT_KEYS},
    )


def save_account(
    credentials: CredentialStore,
    *,
    account: str,
    bearer_token: str | None = None,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
    access_token: str | None = None,
    access_token_secret: str | None = None,
) -> None:
    """Store the given secrets of ``account`` (those left None are not touched)."""
    given = {
        "bearer": bearer_token,
        "consumer_key": consumer_key,
        "consumer_secret": consumer_secret,
        "access_token": access_token,
        "access_token_secret": access_token_secret,
    }
    for key, value in given.items():
        if value:
            credentials.set(credential_name(account, key), value)


def forget_account(credentials: CredentialStore, *, account: str) -> None:
    for key in ("bearer", *USER_CONTEXT_KEYS):
        credentials.delete(credential_name(account, key))


def api_base_from(environ: Mapping[str, str] | None = None) -> str:
    """``JAMDECK_X_API_BASE`` (tests, proxies) or X's own host."""
    from desktop.sources.x.api import DEFAULT_API_BASE

    env = os.environ if environ is None else environ
    return env.get(API_BASE_ENV, "").strip() or DEFAULT_API_BASE


def verify_credentials(creds: XCredentials, *, api_base: str | None = None) -> str:
    """Ask X whether the tokens work, with the cheapest call each (blocking).

    The four OAuth 1.0a values: ``GET /2/users/me`` (who am I); a bearer token:
    ``GET /2/tweets/search/stream/rules`` (the filtered stream reads it anyway).
    Returns the user's ``username`` (user context) or "" (bearer only). Raises
    ``SourceAuthError`` (X rejected them), ``SourceOfflineError`` / ``RateLimitedError``
    (X could not say), or ``SourceError``. No secret is ever in a message."""
    from desktop.sources.x import api

    base = api_base or api_base_from()
    if not creds.has_app_context and not creds.has_user_context:
        raise SourceAuthError("an X account needs a bearer token, or the four OAuth 1.0a values")
    username = ""
    if creds.has_user_context:
        client = api.make_client(
            api_base=base,
            consumer_key=creds.consumer_key,
            consumer_secret=creds.consumer_secret,
            access_token=creds.access_token,
            access_token_secret=creds.access_token_secret,
        )
        try:
            answer = api.call(client.get_me, user_auth=True)
        finally:
            client.session.close()
        username = str(((answer or {}).get("data") or {}).get("username") or "")
    if creds.has_app_context:
        rules = api.make_rules_client(api_base=base, bearer_token=creds.bearer_token)
        try:
            api.call(rules.get_rules)
        finally:
            rules.session.close()
    return username


class PinFlow:
    """OAuth 1.0a PIN flow (the simplest sign-in for a desktop app): open
    ``authorization_url()`` in a browser, the user copies the PIN X shows, and
    ``finish(pin)`` returns ``(access_token, access_token_secret)``."""

    def __init__(self, *, consumer_key: str, consumer_secret: str) -> None:
        import tweepy

        self._handler = tweepy.OAuth1UserHandler(consumer_key, consumer_secret, callback="oob")

    def authorization_url(self) -> str:
        return self._handler.get_authorization_url()

    def finish(self, pin: str) -> tuple[str, str]:
        return self._handler.get_access_token(pin.strip())
