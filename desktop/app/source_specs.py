"""Source specs ("x", "mastodon:https://inst.example", "bluesky", "replay:FILE") to sources.

What a spec is called in the status bar, which configured account it records
with, how it is built (never raising: a spec that cannot be built says why),
and how a source's state reads in one line. The CLI, the window's live
recording and its action sources all build sources through here.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Protocol

from desktop.core.session import Session
from desktop.sources.base import CATCH_UP, Source, SourceAuthError, SourceState, SourceStatus

log = logging.getLogger("jamdeck.sources")

# Spec kind -> network: the specs recorded live (``replay:`` is not one).
NETWORK_KINDS = {
    "x": "x",
    "twitter": "x",
    "mastodon": "mastodon",
    "bluesky": "bluesky",
    "bsky": "bluesky",
}
NETWORK_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}
LOOKBACK = CATCH_UP  # a recording with no session start to go by catches up this far
# The Preferences' poll interval of each polling network (an adapter option).
POLL_SETTINGS = {"x": "x_poll_interval", "mastodon": "mastodon_poll_interval"}
# The Preferences' hosts of the Bluesky source: adapter option -> setting ("" = the
# public hosts; JAMDECK_JETSTREAM_URL / JAMDECK_BLUESKY_APPVIEW win in the adapter).
BLUESKY_HOST_SETTINGS = {"jetstream": "bluesky_jetstream_url", "appview": "bluesky_appview"}


def spec_network(spec: str) -> str | None:
    """The network a spec records live ("x", "mastodon", "bluesky"), None for others."""
    return NETWORK_KINDS.get(spec.partition(":")[0].strip().lower())


def network_specs(specs: Iterable[str]) -> list[str]:
    return [s for s in specs if spec_network(s) is not None]


def host_of(url: str) -> str:
    return url.split("://", 1)[-1].split("/", 1)[0].lower()


def source_label(spec: str) -> str:
    """What the status bar calls a source: "X", "X (work)", "Mastodon (mastodon.social)"."""
    network = spec_network(spec) or spec
    name = NETWORK_NAMES.get(network, network)
    arg = spec.partition(":")[2].strip()
    return f"{name} ({host_of(arg) if '://' in arg or network != 'x' else arg})" if arg else name


def source_labels(specs: list[str]) -> list[str]:
    """One label per spec, numbered when two would read the same (one status line each)."""
    labels: list[str] = []
    for spec in specs:
        label, n = source_label(spec), 2
        while label in labels:
            label, n = f"{source_label(spec)} {n}", n + 1
        labels.append(label)
    return labels


def source_options(spec: str, accounts, *, acting: bool = False) -> dict[str, str]:
    """Adapter options naming the configured account a spec records (or, ``acting``,
    retweets and posts) with.

    "x" takes the first X account; "mastodon:URL" the account on that instance
    ("mastodon" alone: the first Mastodon account and its instance); "bluesky"
    the first Bluesky handle (and its service when the spec names none)."""
    network = spec_network(spec)
    arg = spec.partition(":")[2].strip()
    mine = list(accounts.accounts(network)) if network else []
    if acting:
        mine = [a for a in mine if a.can_act]
    options: dict[str, str] = {}
    if network == "x":
        if not arg and mine:
            options["account"] = mine[0].name
    elif network == "mastodon":
        match = (
            [a for a in mine if a.instance and host_of(a.instance) == host_of(arg)] if arg else mine
        )
        if match:
            options["account"] = match[0].name
            if not arg and match[0].instance:
                options["instance"] = match[0].instance
    elif network == "bluesky":
        match = [a for a in mine if not arg or (a.instance and host_of(a.instance) == host_of(arg))]
        match = match or mine
        if match:
            options["handle"] = match[0].name
            if not arg and match[0].instance:
                options["service"] = match[0].instance
    return options


def catch_up_since(session: Session, *, is_new: bool, now: datetime | None = None) -> datetime:
    """Where a recording starts reading: the session's start (what was posted while
    nothing recorded is fetched), or ``LOOKBACK`` ago for a session made just now."""
    now = now or datetime.now(UTC)
    if is_new:
        return now - LOOKBACK
    return datetime.fromtimestamp(session.started_at or session.created_at, UTC)


class SourceFactory(Protocol):
    """Builds one live source for a session (may block: SDK import, keyring, log-in).
    Raises ``SourceError`` / ``ValueError`` with a message meant for the user."""

    def __call__(self, spec: str, *, session: Session, since: datetime | None) -> Source: ...


class RegistrySources:
    """The default factory: the registry's adapters, with the configured accounts
    (an ``AccountContext``: the accounts file and the credential store)."""

    def __init__(
        self, account_context, *, options: Mapping[str, str] | None = None, speed: float = 0.0
    ) -> None:
        self._context = account_context
        self._options = dict(options or {})  # e.g. the CLI's --instance / --mode
        self._speed = speed  # replay specs: N× the original pace (0 = fastest)

    def __call__(self, spec: str, *, session: Session, since: datetime | None) -> Source:
        from desktop.app.import_pipeline import WorkerPipeline
        from desktop.app.settings import Settings
        from desktop.sources.registry import make_source

        network = spec_network(spec) or ""
        settings = Settings.load()
        poll = POLL_SETTINGS.get(network)
        preferred = {"interval": str(settings.get(poll))} if poll else {}
        if network == "bluesky":
            for option, name in BLUESKY_HOST_SETTINGS.items():
                if value := str(settings.get(name)).strip():
                    preferred[option] = value
        return make_source(
            spec,
            hashtags=list(session.hashtags),
            since=since,
            options={**preferred, **source_options(spec, self._context.accounts), **self._options},
            credentials=self._context.credentials,
            speed=self._speed,
            replay_pipeline=WorkerPipeline(),  # replay:FILE at full speed: as an import does
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Built:
    """One spec after the builder ran: a source, or why there is none."""

    label: str
    network: str
    source: Source | None = None
    error: str = ""
    auth_failed: bool = False


def build_sources(
    factory: SourceFactory, specs: list[str], session: Session, since: datetime | None
) -> list[Built]:
    """Build every spec's source; a spec that cannot be built says why (never raises)."""
    built: list[Built] = []
    for spec, label in zip(specs, source_labels(specs), strict=True):
        network = spec_network(spec) or ""
        try:
            source = factory(spec, session=session, since=since)
        except SourceAuthError as exc:
            built.append(Built(label, network, error=str(exc), auth_failed=True))
        except Exception as exc:  # noqa: BLE001 - any adapter failure becomes a stopped line
            if not isinstance(exc, (ValueError, LookupError, OSError, ImportError)):
                log.exception("building the source %s failed", spec)
            built.append(Built(label, network, error=str(exc) or type(exc).__name__))
        else:
            built.append(Built(label, network, source=source))
    return built


def status_line(
    label: str, status: SourceStatus, *, per_minute: int = 0, now: datetime | None = None
) -> str:
    """One source's state in words: "X: connected · 42/min"."""
    now = now or datetime.now(UTC)
    state = status.state
    if state == SourceState.CONNECTED:
        return f"{label}: connected · {per_minute:,}/min"
    if state == SourceState.RECONNECTING:
        if status.until is not None:
            seconds = max(0, round((status.until - now).total_seconds()))
            return f"{label}: reconnecting in {seconds} s"
        return f"{label}: reconnecting…"
    if state == SourceState.RATE_LIMITED:
        if status.until is not None:
            return f"{label}: rate limited until {status.until.astimezone().strftime('%H:%M')}"
        return f"{label}: rate limited"
    if state == SourceState.STOPPED:
        return f"{label}: stopped — {status.message or 'no reason given'}"
    if state == SourceState.FINISHED:
        # The source's own last word ("replay finished", "stopped following #jam").
        message = status.message or "stopped"
        return f"{label}: {message[:1].lower()}{message[1:]}"
    if state == SourceState.CONNECTING:
        return f"{label}: connecting…"
    return f"{label}: {state.value}"
