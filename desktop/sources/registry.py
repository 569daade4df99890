"""Source specs to adapters: ``replay:FILE``, ``x[:ACCOUNT]``, ``mastodon[:INSTANCE_URL]``,
``bluesky[:SERVICE_URL]``.

Each network adapter is imported only when a spec names it, so start-up never
pays for tweepy or atproto.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from desktop.core.credentials import CredentialStore
from desktop.sources.base import Source

if TYPE_CHECKING:
    from desktop.sources.replay import ArchivePipeline

NETWORK_MODULES = {
    "x": "desktop.sources.x",
    "twitter": "desktop.sources.x",
    "mastodon": "desktop.sources.mastodon",
    "bluesky": "desktop.sources.bluesky",
    "bsky": "desktop.sources.bluesky",
}


_SPEC_ARGUMENT = {
    "desktop.sources.x": "account",
    "desktop.sources.mastodon": "instance",
    "desktop.sources.bluesky": "service",
}


class UnknownSource(ValueError):
    pass


def make_source(
    spec: str,
    *,
    hashtags: list[str],
    since: datetime | None = None,
    options: Mapping[str, str] | None = None,
    credentials: CredentialStore | None = None,
    speed: float = 0.0,
    replay_pipeline: ArchivePipeline | None = None,
) -> Source:
    """The adapter for ``spec``. ``replay_pipeline`` is a replay's ``pipeline``
    (see ``desktop.sources.replay``): the application passes its import's."""
    kind, _, arg = spec.partition(":")
    kind = kind.strip().lower()
    if kind == "replay":
        if not arg:
            raise UnknownSource("replay needs a file: --source replay:FILE")
        from desktop.sources.replay import ReplaySource

        return ReplaySource([p for p in arg.split(",") if p], speed=speed, pipeline=replay_pipeline)
    module_name = NETWORK_MODULES.get(kind)
    if module_name is None:
        raise UnknownSource(f"unknown source {spec!r}: use replay:FILE, x, mastodon or bluesky")
    options = dict(options or {})
    if arg:
        # "mastodon:https://inst.example" / "bluesky:https://pds.example" / "x:account":
        # one spec per source, so one session can follow several instances.
        options[_SPEC_ARGUMENT[module_name]] = arg
    module = importlib.import_module(module_name)
    return module.create_source(
        hashtags=hashtags, since=since, options=options, credentials=credentials
    )
