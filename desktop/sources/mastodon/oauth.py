"""Signing in to a Mastodon instance: app registration and the authorization-code flow.

Plain blocking functions the accounts dialog calls (on a worker thread):

1. ``register_app(instance_url)`` once per instance -> client id and secret
   (not secret in any strong sense for a desktop app, but kept in the keyring);
2. ``authorization_url(...)`` -> open it in the browser; the user approves and
   the instance shows a code (out-of-band redirect) or redirects with ``?code=``;
3. ``exchange_code(...)`` -> the access token, to store with ``save_token``.

Tokens are never logged.
"""

from __future__ import annotations

from desktop.core.credentials import CredentialStore
from desktop.sources.base import SourceAuthError, SourceOfflineError
from desktop.sources.mastodon import wire

APP_NAME = "JamDeck"
APP_WEBSITE = None
OOB = "urn:ietf:wg:oauth:2.0:oob"
# Granular scopes (Mastodon 2.4+): read the jam, search to resolve remote posts, post,
# boost and favourite. Register, authorize and exchange must all use the same set.
SCOPES = ("read:accounts", "read:statuses", "read:search", "write:statuses", "write:favourites")


def credential_name(instance_url: str, account: str = "") -> str:
    """The keyring name of an account's token: ``"mastodon:<host>:<account>:token"``."""
    return f"mastodon:{wire.host_of(instance_url)}:{account or 'default'}:token"


def save_token(
    credentials: CredentialStore, *, instance_url: str, account: str, token: str
) -> None:
    credentials.set(credential_name(instance_url, account), token)


def register_app(
    instance_url: str,
    *,
    app_name: str = APP_NAME,
    redirect_uri: str = OOB,
    scopes: tuple[str, ...] = SCOPES,
    timeout: float = 30.0,
) -> tuple[str, str]:
    """Register JamDeck on the instance; returns ``(client_id, client_secret)``."""
    from mastodon import Mastodon

    with _errors(instance_url):
        client_id, client_secret = Mastodon.create_app(
            app_name,
            scopes=list(scopes),
            redirect_uris=redirect_uri,
            website=APP_WEBSITE,
            api_base_url=wire.normalize_instance_url(instance_url),
            request_timeout=timeout,
        )
    return str(client_id), str(client_secret)


def authorization_url(
    instance_url: str,
    *,
    client_id: str,
    client_secret: str,
    redirect_uri: str = OOB,
    scopes: tuple[str, ...] = SCOPES,
    state: str | None = None,
    force_login: bool = True,
) -> str:
    """The page where the user approves JamDeck. ``force_login`` lets a second account sign in."""
    api = _client(instance_url, client_id=client_id, client_secret=client_secret)
    with _errors(instance_url):
        return api.auth_request_url(
            redirect_uris=redirect_uri,
            scopes=list(scopes),
            force_login=force_login,
            state=state,
            # The instance may publish its authorization endpoint; the default path is the fallback.
            skip_server_info=False,
        )


def exchange_code(
    instance_url: str,
    *,
    client_id: str,
    client_secret: str,
    code: str,
    redirect_uri: str = OOB,
    scopes: tuple[str, ...] = SCOPES,
) -> str:
    """Trade the code the user got for an access token."""
    api = _client(instance_url, client_id=client_id, client_secret=client_secret)
    with _errors(instance_url):
        return str(api.log_in(code=code.strip(), redirect_uri=redirect_uri, scopes=list(scopes)))


def verify_token(instance_url: str, token: str) -> str:
    """Check a token with the instance's cheapest "who am I" call
    (``account_verify_credentials``); returns the account's ``acct``. A rejected token
    raises ``SourceAuthError``, an unreachable instance ``SourceOfflineError``."""
    from mastodon import Mastodon

    api = Mastodon(
        access_token=token,
        api_base_url=wire.normalize_instance_url(instance_url),
        version_check_mode="none",
        request_timeout=15,
    )
    with _errors(instance_url):
        account = api.account_verify_credentials()
    return str(account.get("acct") or account.get("username") or "")


def _client(instance_url: str, *, client_id: str, client_secret: str):
    from mastodon import Mastodon

    return Mastodon(
        client_id=client_id,
        client_secret=client_secret,
        api_base_url=wire.normalize_instance_url(instance_url),
        version_check_mode="none",
    )


class _errors:
    """Mastodon.py's errors as the source contract's (the dialog shows the message)."""

    def __init__(self, instance_url: str) -> None:
        self._host = wire.host_of(instance_url)

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type, exc, tb) -> bool:
        if exc is None:
            return False
        from mastodon.errors import (
            MastodonAPIError,
            MastodonIllegalArgumentError,
            MastodonNetworkError,
        )

        if isinstance(exc, MastodonNetworkError):
            raise SourceOfflineError(f"cannot reach {self._host}") from None
        if isinstance(exc, MastodonIllegalArgumentError | MastodonAPIError):
            # log_in raises MastodonIllegalArgumentError for a bad or expired code.
            raise SourceAuthError(
                f"{self._host} did not accept the sign-in: {exc.args[-1] if exc.args else exc}"
            ) from None
        return False
