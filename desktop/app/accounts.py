"""Accounts, as the application uses them: signing in, the credential store, and the
sources that act (retweet, post) for the user.

The sign-in helpers block (they talk to the network): run them on a worker
thread. Each adapter is imported only when a sign-in or an action needs it, so
a start-up that only lists accounts imports no network SDK.
"""

from __future__ import annotations

import logging
import threading

from desktop.app.source_specs import source_options
from desktop.core.accounts import Account, AccountsFileError, AccountStore
from desktop.core.credentials import CredentialStore
from desktop.sources.base import ActionNotAllowed, Capabilities, Source, SourceError

log = logging.getLogger("jamdeck.accounts")

NETWORKS = ("x", "mastodon", "bluesky")


class NoAccounts:
    """Stands in for an accounts file that cannot be read (the app still starts)."""

    def networks(self, *, acting: bool = False) -> list[str]:
        return []

    def accounts(self, network: str | None = None) -> list:
        return []

    def __len__(self) -> int:
        return 0


class AccountContext:
    """The configured accounts and the credential store, opened on first use:
    start-up reads neither the accounts file nor the keyring."""

    def __init__(self, *, accounts=None, credentials=None) -> None:
        self._accounts = accounts
        self._credentials = credentials
        self._lock = threading.Lock()

    @property
    def accounts(self):
        with self._lock:
            if self._accounts is None:
                try:
                    self._accounts = AccountStore()
                except AccountsFileError as exc:
                    log.warning("%s: starting with no accounts", exc)
                    return NoAccounts()
            return self._accounts

    @property
    def credentials(self):
        with self._lock:
            if self._credentials is None:
                self._credentials = CredentialStore()
            return self._credentials

    def acting_networks(self) -> list[str]:
        return self.accounts.networks(acting=True)


class NoAccountSource:
    """Acts for a network the user has no account on: every action is refused at once
    with the reason (``ActionNotAllowed``), nothing is queued."""

    name = "no account"

    def __init__(self, network: str) -> None:
        self.network = network
        names = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}
        reason = (
            f"there is no {names.get(network, network)} account to act with "
            "(add one: menu ▸ Accounts…)"
        )
        self.reason = reason
        self.capabilities = Capabilities(
            needs_auth=True,
            why_not={what: reason for what in ("retweet", "like", "reply", "post", "quote_post")},
        )

    def _refuse(self, *_args, **_kwargs):
        raise ActionNotAllowed(self.reason)

    retweet = unretweet = like = unlike = reply = _refuse

    def close(self) -> None:
        pass


class ConfiguredSources:
    """The action sources of the user's accounts: ``sources(network)`` is a Source for
    an account that can act on ``network``, built (and kept) on first use, or None
    (no such account: actions wait, "offline"). Thread-safe: called from the GUI
    thread and the action queue's worker."""

    def __init__(self, context: AccountContext) -> None:
        self._context = context
        self._lock = threading.Lock()
        self._sources: dict[str, Source | None] = {}

    def __call__(self, network: str) -> Source | None:
        with self._lock:
            if network not in self._sources:
                self._sources[network] = self._make(network)
            return self._sources[network]

    def _make(self, network: str) -> Source | None:
        options = source_options(network, self._context.accounts, acting=True)
        if not options:
            # Refused at once, saying why: not queued as "offline" for an account
            # that does not exist (the demo, a cached session).
            return NoAccountSource(network)
        from desktop.sources.registry import UnknownSource, make_source

        try:
            return make_source(
                network, hashtags=[], options=options, credentials=self._context.credentials
            )
        except (SourceError, UnknownSource, ValueError) as exc:
            log.warning("no action source for %s: %s", network, exc)
            return None

    def prewarm(self) -> None:
        """Build the sources on a background thread now, so the first retweet does
        not import a network SDK (tweepy, atproto: up to a second) on the GUI thread."""
        threading.Thread(target=self._prewarm, name="jamdeck-action-sources", daemon=True).start()

    def _prewarm(self) -> None:
        for network in NETWORKS:
            try:
                self(network)
            except Exception:  # reported when the user acts; never kill the thread
                log.exception("building the %s action source failed", network)

    def forget(self) -> None:
        """The accounts changed: build the sources again when next asked."""
        with self._lock:
            old, self._sources = self._sources, {}
        for source in old.values():
            if source is not None:
                source.close()

    close = forget


def add_x_account(
    credentials: CredentialStore,
    accounts: AccountStore,
    *,
    name: str,
    bearer_token: str | None = None,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
    access_token: str | None = None,
    access_token_secret: str | None = None,
) -> Account:
    """Store an X account's tokens (the bearer token reads; the four OAuth 1.0a values act)."""
    from desktop.sources.x import accounts as x_accounts

    name = name.strip() or "default"
    x = x_accounts
    x.save_account(
        credentials,
        account=name,
        bearer_token=bearer_token,
        consumer_key=consumer_key,
        consumer_secret=consumer_secret,
        access_token=access_token,
        access_token_secret=access_token_secret,
    )
    stored = x.load_credentials(account=name, credentials=credentials, environ={})
    if not stored.has_app_context and not stored.has_user_context:
        raise ValueError("an X account needs a bearer token, or the four OAuth 1.0a values")
    return accounts.add(
        Account(network="x", name=name, handle=name, can_act=stored.has_user_context)
    )


def check_x_credentials(
    *,
    bearer_token: str | None = None,
    consumer_key: str | None = None,
    consumer_secret: str | None = None,
    access_token: str | None = None,
    access_token_secret: str | None = None,
) -> str:
    """Ask X whether the tokens work before they are stored (blocking): the username for
    the four OAuth 1.0a values, "" for a bearer token alone. A made-up token raises the
    adapter's ``SourceAuthError``. When X cannot answer (offline, 5xx, rate limited) this
    raises ``SourceOfflineError`` saying nothing was stored: an unchecked token is never
    listed as a working account (the first sign of a typo would be a dead column mid-jam)."""
    from desktop.sources.base import RateLimitedError, SourceAuthError, SourceOfflineError
    from desktop.sources.x import accounts as x_accounts

    given = x_accounts.XCredentials(
        bearer_token=(bearer_token or "").strip() or None,
        consumer_key=(consumer_key or "").strip() or None,
        consumer_secret=(consumer_secret or "").strip() or None,
        access_token=(access_token or "").strip() or None,
        access_token_secret=(access_token_secret or "").strip() or None,
    )
    try:
        return x_accounts.verify_credentials(given)
    except SourceAuthError as exc:
        raise SourceAuthError(f"Not added: {exc}") from None
    except (SourceOfflineError, RateLimitedError) as exc:
        raise SourceOfflineError(
            f"Could not check the X credentials ({exc}); nothing was stored: "
            "try again once X answers."
        ) from None


def x_pin_flow(*, consumer_key: str, consumer_secret: str):
    """Start X's PIN sign-in (asks X for a request token: blocking)."""
    from desktop.sources.x import accounts as x_accounts

    return x_accounts.PinFlow(consumer_key=consumer_key, consumer_secret=consumer_secret)


def mastodon_register(instance_url: str) -> tuple[str, str, str]:
    """Register JamDeck on the instance: ``(client_id, client_secret, authorization_url)``."""
    from desktop.sources.mastodon import oauth as mastodon_oauth

    oauth = mastodon_oauth
    client_id, client_secret = oauth.register_app(instance_url)
    url = oauth.authorization_url(instance_url, client_id=client_id, client_secret=client_secret)
    return client_id, client_secret, url


def mastodon_exchange(instance_url: str, *, client_id: str, client_secret: str, code: str) -> str:
    from desktop.sources.mastodon import oauth as mastodon_oauth

    return mastodon_oauth.exchange_code(
        instance_url, client_id=client_id, client_secret=client_secret, code=code
    )


def add_mastodon_account(
    credentials: CredentialStore,
    accounts: AccountStore,
    *,
    instance_url: str,
    token: str,
    name: str = "",
) -> Account:
    """Store a Mastodon token (from the code exchange, or pasted) and list the account."""
    from desktop.sources.mastodon import oauth as mastodon_oauth
    from desktop.sources.mastodon import wire as mastodon_wire

    oauth = mastodon_oauth
    instance = mastodon_wire.normalize_instance_url(instance_url)
    name = name.strip().lstrip("@") or "default"
    if not token.strip():
        raise ValueError("no access token")
    oauth.save_token(credentials, instance_url=instance, account=name, token=token.strip())
    handle = f"@{name}" if name != "default" else ""
    return accounts.add(Account(network="mastodon", name=name, handle=handle, instance=instance))


def check_mastodon_token(instance_url: str, token: str) -> str:
    """Ask the instance who the token belongs to (blocking): its ``acct``, or the
    adapter's ``SourceAuthError`` / ``SourceOfflineError``. A fake token is refused."""
    from desktop.sources.mastodon import oauth as mastodon_oauth

    return mastodon_oauth.verify_token(instance_url, token.strip())


def needs_sign_in(credentials: CredentialStore, account: Account) -> bool:
    """The account is listed but its secrets are not in the credential store (kept for
    one run only without a keyring, or removed from it): it must be signed in again."""
    if account.network == "x":
        from desktop.sources.x import accounts as x_accounts

        stored = x_accounts.load_credentials(
            account=account.name, credentials=credentials, environ={}
        )
        return not (stored.has_user_context if account.can_act else stored.has_app_context)
    if account.network == "mastodon":
        from desktop.sources.mastodon import oauth as mastodon_oauth

        return (
            credentials.get(mastodon_oauth.credential_name(account.instance, account.name)) is None
        )
    if account.network == "bluesky":
        from desktop.sources import bluesky as bluesky_source

        return not (
            credentials.get(bluesky_source.session_key(account.name))
            or credentials.get(bluesky_source.app_password_key(account.name))
        )
    return False


def add_bluesky_account(
    credentials: CredentialStore,
    accounts: AccountStore,
    *,
    handle: str,
    app_password: str,
    service: str | None = None,
) -> Account:
    """Sign in with the app password (the adapter's own login: raises its ``SourceAuthError``
    or ``SourceOfflineError``); on success the session string and the app password are in
    the credential store and the account is listed."""
    from desktop.sources import bluesky as bluesky_source

    bluesky = bluesky_source
    service = (service or bluesky.DEFAULT_SERVICE).rstrip("/")
    source = bluesky.BlueskySource(
        hashtags=["jamdeck"],  # the source needs one; signing in never searches
        handle=handle,
        credentials=credentials,
        service=service,
        app_password=app_password,
    )
    try:
        source.sign_in()
    finally:
        source.close()
    credentials.set(bluesky.app_password_key(source.handle), app_password)
    return accounts.add(
        Account(network="bluesky", name=source.handle, handle=f"@{source.handle}", instance=service)
    )


def forget(credentials: CredentialStore, accounts: AccountStore, account: Account) -> None:
    """Remove the account from the list and its secrets from the credential store."""
    from desktop.sources import bluesky as bluesky_source
    from desktop.sources.mastodon import oauth as mastodon_oauth
    from desktop.sources.x import accounts as x_accounts

    if account.network == "x":
        x_accounts.forget_account(credentials, account=account.name)
    elif account.network == "mastodon":
        oauth = mastodon_oauth
        credentials.delete(oauth.credential_name(account.instance, account.name))
    elif account.network == "bluesky":
        bluesky = bluesky_source
        credentials.delete(bluesky.session_key(account.name))
        credentials.delete(bluesky.app_password_key(account.name))
    accounts.remove(account)
