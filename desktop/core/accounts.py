"""The configured accounts: which network, which name, which instance. No secrets.

The list is plain JSON in ``config_dir()/accounts.json`` so the UI can show the
accounts (and offer only the networks that have one) without touching the
keyring. The secrets themselves live only in the ``CredentialStore`` under the
names each adapter defines; the sign-in helpers here put them there.

The adapters are imported by name (``importlib``) when a sign-in needs them, as
the source registry does: each network SDK stays inside its own adapter and a
start-up that only lists accounts imports none of them.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop.core.credentials import CredentialStore
from desktop.core.paths import config_dir

log = logging.getLogger("jamdeck.accounts")

NETWORKS = ("x", "mastodon", "bluesky")
FILE_NAME = "accounts.json"
FORMAT_VERSION = 1

_X = "desktop.sources.x.accounts"
_MASTODON = "desktop.sources.mastodon.oauth"
_MASTODON_WIRE = "desktop.sources.mastodon.wire"
_BLUESKY = "desktop.sources.bluesky"


class AccountsFileError(ValueError):
    """accounts.json exists but cannot be read as an account list."""


@dataclasses.dataclass(frozen=True, slots=True)
class Account:
    network: str  # "x" | "mastodon" | "bluesky"
    name: str  # the name its secrets are stored under (X label, Mastodon account, Bluesky handle)
    handle: str = ""  # what the user sees ("@ann", "@ann@mastodon.social"); "" shows ``name``
    instance: str = ""  # Mastodon instance URL or Bluesky service URL ("" for X)
    can_act: bool = True  # has user context (retweet, post); an X bearer-only account reads only
    added_at: float = 0.0

    @property
    def key(self) -> str:
        """Identity in the list: one account per network, instance and name."""
        return f"{self.network}:{self.instance.rstrip('/').lower()}:{self.name.lower()}"

    @property
    def label(self) -> str:
        """ "X — @ann (reads only)": one line for lists and checkboxes."""
        network = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}.get(
            self.network, self.network
        )
        who = self.handle or self.name
        if self.network == "mastodon" and self.instance and "@" not in who.lstrip("@"):
            who = f"{who} on {_host(self.instance)}"
        suffix = "" if self.can_act else " (reads only)"
        return f"{network} — {who}{suffix}"

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Account:
        fields = {f.name for f in dataclasses.fields(cls)}
        known = {k: v for k, v in data.items() if k in fields}
        if known.get("network") not in NETWORKS or not known.get("name"):
            raise AccountsFileError(f"not an account: {sorted(data)}")
        return cls(**known)


def _host(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0]


class AccountStore:
    """The account list, saved at once on every change (atomically: a crash keeps the old file).

    ``path``: the JSON file (default ``config_dir()/accounts.json``).
    ``on_change``: called after every add/remove (the UI refreshes its lists).
    """

    def __init__(
        self, path: Path | str | None = None, *, on_change: Callable[[], None] | None = None
    ) -> None:
        self.path = Path(path) if path is not None else config_dir() / FILE_NAME
        self.on_change = on_change
        self._accounts: list[Account] = self._read()

    def _read(self) -> list[Account]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return []
        except (OSError, ValueError) as exc:
            raise AccountsFileError(f"cannot read {self.path}: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("accounts"), list):
            raise AccountsFileError(f"{self.path} is not a JamDeck account list")
        return [Account.from_json(item) for item in data["accounts"] if isinstance(item, dict)]

    def _write(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"version": FORMAT_VERSION, "accounts": [a.to_json() for a in self._accounts]}
        fd, tmp = tempfile.mkstemp(prefix=".accounts-", suffix=".json", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(payload, out, indent=2, ensure_ascii=False)
                out.write("\n")
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        if self.on_change is not None:
            self.on_change()

    def __iter__(self) -> Iterator[Account]:
        return iter(list(self._accounts))

    def __len__(self) -> int:
        return len(self._accounts)

    def accounts(self, network: str | None = None) -> list[Account]:
        return [a for a in self._accounts if network is None or a.network == network]

    def networks(self, *, acting: bool = False) -> list[str]:
        """Networks with at least one account (``acting``: one that can post), in NETWORKS order."""
        have = {a.network for a in self._accounts if a.can_act or not acting}
        return [n for n in NETWORKS if n in have]

    def add(self, account: Account) -> Account:
        """Add, or replace the account with the same key (signing in again)."""
        if not account.added_at:
            account = dataclasses.replace(account, added_at=time.time())
        self._accounts = [a for a in self._accounts if a.key != account.key] + [account]
        self._write()
        return account

    def remove(self, account: Account) -> bool:
        before = len(self._accounts)
        self._accounts = [a for a in self._accounts if a.key != account.key]
        if len(self._accounts) == before:
            return False
        self._write()
        return True


# ---------------------------------------------------------------- signing in (blocking: run on a worker)


def _adapter(module: str):
    return importlib.import_module(module)


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
    name = name.strip() or "default"
    x = _adapter(_X)
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


def x_pin_flow(*, consumer_key: str, consumer_secret: str):
    """Start X's PIN sign-in (asks X for a request token: blocking)."""
    return _adapter(_X).PinFlow(consumer_key=consumer_key, consumer_secret=consumer_secret)


def mastodon_register(instance_url: str) -> tuple[str, str, str]:
    """Register JamDeck on the instance: ``(client_id, client_secret, authorization_url)``."""
    oauth = _adapter(_MASTODON)
    client_id, client_secret = oauth.register_app(instance_url)
    url = oauth.authorization_url(instance_url, client_id=client_id, client_secret=client_secret)
    return client_id, client_secret, url


def mastodon_exchange(instance_url: str, *, client_id: str, client_secret: str, code: str) -> str:
    return _adapter(_MASTODON).exchange_code(
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
    oauth = _adapter(_MASTODON)
    instance = _adapter(_MASTODON_WIRE).normalize_instance_url(instance_url)
    name = name.strip().lstrip("@") or "default"
    if not token.strip():
        raise ValueError("no access token")
    oauth.save_token(credentials, instance_url=instance, account=name, token=token.strip())
    handle = f"@{name}" if name != "default" else ""
    return accounts.add(Account(network="mastodon", name=name, handle=handle, instance=instance))


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
    bluesky = _adapter(_BLUESKY)
    service = (service or bluesky.DEFAULT_SERVICE).rstrip("/")
    source = bluesky.BlueskySource(
        hashtags=["jamdeck"],  # the source needs one; signing in never searches
        handle=handle,
        credentials=credentials,
        service=service,
        app_password=app_password,
    )
    try:
        # WORKAROUND: the adapter has no public sign-in call; _connected() is its login path
        # (stored session first, else the app password) and saves the session string.
        source._connected()
    finally:
        source.close()
    credentials.set(bluesky.app_password_key(source.handle), app_password)
    return accounts.add(
        Account(network="bluesky", name=source.handle, handle=f"@{source.handle}", instance=service)
    )


def forget(credentials: CredentialStore, accounts: AccountStore, account: Account) -> None:
    """Remove the account from the list and its secrets from the credential store."""
    if account.network == "x":
        _adapter(_X).forget_account(credentials, account=account.name)
    elif account.network == "mastodon":
        oauth = _adapter(_MASTODON)
        credentials.delete(oauth.credential_name(account.instance, account.name))
    elif account.network == "bluesky":
        bluesky = _adapter(_BLUESKY)
        credentials.delete(bluesky.session_key(account.name))
        credentials.delete(bluesky.app_password_key(account.name))
    accounts.remove(account)
