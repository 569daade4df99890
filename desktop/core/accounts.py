"""The configured accounts: which network, which name, which instance. No secrets.

The list is plain JSON in ``config_dir()/accounts.json`` so the UI can show the
accounts (and offer only the networks that have one) without touching the
keyring. The secrets themselves live only in the ``CredentialStore`` under the
names each adapter defines; the sign-in helpers of ``desktop.app.accounts`` put
them there.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop.core.paths import config_dir

log = logging.getLogger("jamdeck.accounts")

NETWORKS = ("x", "mastodon", "bluesky")
FILE_NAME = "accounts.json"
FORMAT_VERSION = 1


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
