"""The Mastodon source (Mastodon.py): hashtag streaming with catch-up, polling, actions.

The only package that imports Mastodon.py, and only inside functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from desktop.core.credentials import CredentialStore, from_env
from desktop.sources.mastodon.oauth import (
    authorization_url,
    credential_name,
    exchange_code,
    register_app,
    save_token,
)
from desktop.sources.mastodon.source import MastodonSource

ENV_TOKEN = "JAMDECK_MASTODON_TOKEN"

__all__ = [
    "ENV_TOKEN",
    "MastodonSource",
    "authorization_url",
    "create_source",
    "credential_name",
    "exchange_code",
    "register_app",
    "save_token",
]


def create_source(
    *,
    hashtags: list[str],
    since: datetime | None = None,
    options: Mapping[str, str] | None = None,
    credentials: CredentialStore | None = None,
    environ: Mapping[str, str] | None = None,
) -> MastodonSource:
    """A source for one instance. Options: ``instance`` (URL, required), ``account``,
    ``mode`` (``stream`` | ``poll``), ``interval`` (poll seconds).

    The token comes from the keyring entry of that instance and account, else from
    ``JAMDECK_MASTODON_TOKEN`` (headless runs); with none the source polls anonymously.
    """
    options = dict(options or {})
    instance = (options.get("instance") or "").strip()
    if not instance:
        raise ValueError("the Mastodon source needs an instance URL (option 'instance')")
    account = (options.get("account") or "").strip().lstrip("@")
    token = credentials.get(credential_name(instance, account)) if credentials is not None else None
    if not token:
        token = from_env(ENV_TOKEN, environ)
    interval = float(options.get("interval") or 30.0)
    if interval <= 0:
        raise ValueError("the poll interval must be a positive number of seconds")
    return MastodonSource(
        instance_url=instance,
        hashtags=hashtags,
        token=token,
        account=account,
        since=since,
        mode=(options.get("mode") or "stream").strip().lower(),
        poll_interval=interval,
    )
