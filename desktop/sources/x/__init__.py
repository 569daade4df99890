"""The X source: filtered stream or polling of recent search, with tweepy.

The only package that imports tweepy (lazily: importing it does not). See
``source.XSource`` for the behaviour and ``accounts`` for where tokens live.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from desktop.core.credentials import CredentialStore
from desktop.sources.base import SourceAuthError
from desktop.sources.x.accounts import (
    API_BASE_ENV,
    BEARER_ENV,
    DEFAULT_ACCOUNT,
    PinFlow,
    XCredentials,
    forget_account,
    load_credentials,
    save_account,
    verify_credentials,
)
from desktop.sources.x.api import DEFAULT_API_BASE
from desktop.sources.x.source import (
    DEFAULT_KEEPALIVE_TIMEOUT,
    DEFAULT_POLL_INTERVAL,
    DEFAULT_PRICE_PER_READ,
    XSource,
)

_TRUE = {"1", "true", "yes", "on"}


def create_source(
    *,
    hashtags: list[str],
    since: datetime | None = None,
    options: Mapping[str, str] = {},  # noqa: B006 - read only
    credentials: CredentialStore | None = None,
    environ: Mapping[str, str] | None = None,
) -> XSource:
    """An ``XSource`` from the CLI's/registry's options: ``mode`` (stream|poll),
    ``interval`` (s), ``account``, ``api_base``, ``price_per_read``, ``enterprise``,
    ``keepalive_timeout`` (s). The API base may also come from ``JAMDECK_X_API_BASE``."""
    import os

    env = environ if environ is not None else os.environ
    account = options.get("account") or DEFAULT_ACCOUNT
    creds = load_credentials(account=account, credentials=credentials, environ=env)
    if not creds.has_app_context:
        raise SourceAuthError(f"No X bearer token: set {BEARER_ENV} or add an X account")
    api_base = options.get("api_base") or env.get(API_BASE_ENV, "").strip() or DEFAULT_API_BASE
    try:
        interval = float(options.get("interval", DEFAULT_POLL_INTERVAL))
        price = float(options.get("price_per_read", DEFAULT_PRICE_PER_READ))
        keepalive = float(options.get("keepalive_timeout", DEFAULT_KEEPALIVE_TIMEOUT))
    except ValueError as exc:
        raise ValueError(f"X source option is not a number: {exc}") from None
    return XSource(
        hashtags=hashtags,
        credentials=creds,
        mode=options.get("mode", "stream"),
        since=since,
        api_base=api_base,
        account=account,
        interval=interval,
        price_per_read=price,
        enterprise=str(options.get("enterprise", "")).lower() in _TRUE,
        keepalive_timeout=keepalive,
    )


__all__ = [
    "API_BASE_ENV",
    "BEARER_ENV",
    "PinFlow",
    "XCredentials",
    "XSource",
    "create_source",
    "forget_account",
    "load_credentials",
    "save_account",
    "verify_credentials",
]
