"""User settings: declared once in ``SCHEMA``, stored as TOML in the config dir.

The schema is the single source of truth: the preferences dialog is built
from it, ``Settings.set`` validates against it, and ``save`` writes only what
it declares. Settings never hold credentials (those live in the OS keyring,
see desktop.core.credentials); a test checks that no schema name looks like a
secret.

A settings file that cannot be read (bad TOML, a wrong type, a value out of
range, a name from a newer version) never stops the app: the bad entries fall
back to their defaults and are listed in ``Settings.problems``. So does a
setting an older version declared and this one dropped.

Every setting is read where it takes effect (a test checks both ways): theme,
avatar_cache, media_previews, pause_on_hover, demo_speed and log_level by the window
(desktop.ui.app, desktop.ui.window_menu on save), column_width by a new saved
column, the poll intervals and the Bluesky hosts by desktop.app.source_specs.RegistrySources.
"""

from __future__ import annotations

import json
import logging
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop.core import paths

log = logging.getLogger("jamdeck.settings")

FILE_NAME = "settings.toml"


class SettingsError(ValueError):
    """A setting name or value the schema does not allow."""


@dataclass(frozen=True)
class Setting:
    """One user setting: what it is called, what it holds and what it means."""

    name: str
    type: type  # bool, int, float or str
    default: Any
    label: str  # short, for the preferences dialog
    description: str  # one or two sentences: what changes when you change it
    group: str = "General"
    choices: tuple[str, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None
    decimals: int = 2  # floats only: digits shown in the dialog
    unit: str = ""  # shown after the number ("s", "posts/s", "px")
    zero_means: str | None = None  # what 0 stands for, e.g. "off"
    empty_means: str = ""  # text only: what "" stands for (the editor's placeholder)

    def validate(self, value: Any) -> Any:
        """``value`` converted to this setting's type, or SettingsError saying why not."""
        if self.type is bool:
            if not isinstance(value, bool):
                raise SettingsError(f"{self.name} must be true or false, not {value!r}")
            return value
        if self.type is int:
            # bool is an int subclass: true/false for a number is a mistake, not a 1/0.
            if isinstance(value, bool) or not isinstance(value, int):
                raise SettingsError(f"{self.name} must be a whole number, not {value!r}")
        elif self.type is float:
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise SettingsError(f"{self.name} must be a number, not {value!r}")
            value = float(value)
            if not math.isfinite(value):
                raise SettingsError(f"{self.name} must be a finite number, not {value!r}")
        elif self.type is str:
            if not isinstance(value, str):
                raise SettingsError(f"{self.name} must be text, not {value!r}")
        if self.choices is not None and value not in self.choices:
            allowed = ", ".join(self.choices)
            raise SettingsError(f"{self.name} must be one of {allowed}; got {value!r}")
        if self.minimum is not None and value < self.minimum:
            raise SettingsError(
                f"{self.name} must be at least {_number(self.minimum)}; got {value!r}"
            )
        if self.maximum is not None and value > self.maximum:
            raise SettingsError(
                f"{self.name} must be at most {_number(self.maximum)}; got {value!r}"
            )
        return value


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


SCHEMA: list[Setting] = [
    Setting(
        "theme",
        str,
        "system",
        "Theme",
        "Colours of the window: follow the system, or always light or dark.",
        group="Appearance",
        choices=("system", "light", "dark"),
    ),
    Setting(
        "column_width",
        int,
        360,
        "Column width",
        "Width of a new column in the deck. Existing columns keep the width you dragged them to.",
        group="Appearance",
        minimum=240,
        maximum=800,
        step=10,
        unit="px",
    ),
    Setting(
        "pause_on_hover",
        bool,
        True,
        "Pause a column while the pointer is over it",
        "New posts wait above the column instead of pushing down the one you are reading.",
        group="Reading",
    ),
    Setting(
        "media_previews",
        bool,
        True,
        "Show pictures in posts",
        "Image and video previews under the text, downloaded in the background and kept in "
        "the cache folder. Off: a post shows its media links instead.",
        group="Reading",
    ),
    Setting(
        "x_poll_interval",
        int,
        60,
        "X: poll every",
        "How often to search X when the filtered stream is not available. "
        "X charges for every post read, so a longer interval costs less.",
        group="Networks",
        minimum=15,
        maximum=3600,
        step=15,
        unit="s",
    ),
    Setting(
        "mastodon_poll_interval",
        int,
        15,
        "Mastodon: poll every",
        "How often to page the hashtag timeline when streaming is not available.",
        group="Networks",
        minimum=5,
        maximum=600,
        step=5,
        unit="s",
    ),
    Setting(
        "bluesky_jetstream_url",
        str,
        "",
        "Bluesky: Jetstream",
        "Where live Bluesky posts come from: one Jetstream address (wss://…) or several, "
        "comma-separated, tried in that order. Empty: Bluesky's public Jetstream hosts. "
        "JAMDECK_JETSTREAM_URL, when set, wins.",
        group="Networks",
        empty_means="Bluesky's public hosts",
    ),
    Setting(
        "bluesky_appview",
        str,
        "",
        "Bluesky: AppView",
        "Where authors' names and pictures are looked up. Empty: https://public.api.bsky.app. "
        "JAMDECK_BLUESKY_APPVIEW, when set, wins.",
        group="Networks",
        empty_means="https://public.api.bsky.app",
    ),
    Setting(
        "demo_speed",
        float,
        10.0,
        "Demo jam speed",
        "How fast the demo jam plays, as a multiple of its real pace. 0 plays it all at once.",
        group="Demo",
        minimum=0.0,
        maximum=100.0,
        step=1.0,
        decimals=1,
        unit="×",
        zero_means="all at once",
    ),
    Setting(
        "avatar_cache",
        bool,
        True,
        "Keep avatars on disk",
        "Store downloaded profile pictures in the cache folder so they show at once next time.",
        group="Advanced",
    ),
    Setting(
        "log_level",
        str,
        "INFO",
        "Log file detail",
        "How much goes into the log file in the state folder. Tokens are always redacted.",
        group="Advanced",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
    ),
]

SCHEMA_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SCHEMA}


def default_path() -> Path:
    return paths.config_dir() / FILE_NAME


class Settings:
    """The user's settings: schema defaults overlaid with the settings file."""

    def __init__(
        self, values: Mapping[str, Any] | None = None, *, path: Path | None = None
    ) -> None:
        self.path = Path(path) if path is not None else default_path()
        self.problems: list[str] = []  # entries of the file that were skipped, and why
        self._values: dict[str, Any] = {s.name: s.default for s in SCHEMA}
        for name, value in (values or {}).items():
            self.set(name, value)

    @classmethod
    def load(cls, path: Path | None = None) -> Settings:
        """Read the settings file; a missing file means all defaults."""
        settings = cls(path=path)
        try:
            with open(settings.path, "rb") as fh:
                data = tomllib.load(fh)
        except FileNotFoundError:
            return settings
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            settings._problem(f"{settings.path}: unreadable, using defaults ({exc})")
            return settings
        for name, value in data.items():
            try:
                settings.set(name, value)
            except SettingsError as exc:
                settings._problem(f"{settings.path}: {exc}; using the default")
        return settings

    def _problem(self, message: str) -> None:
        self.problems.append(message)
        log.warning("%s", message)

    def get(self, name: str) -> Any:
        return self._values[_setting(name).name]

    def set(self, name: str, value: Any) -> None:
        self._values[name] = _setting(name).validate(value)

    def reset(self, name: str) -> None:
        self._values[name] = _setting(name).default

    def as_dict(self) -> dict[str, Any]:
        return dict(self._values)

    def save(self) -> Path:
        """Write every setting to the file (atomically) and return its path."""
        text = to_toml(self._values)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, self.path)
        return self.path


def _setting(name: str) -> Setting:
    try:
        return SCHEMA_BY_NAME[name]
    except KeyError:
        raise SettingsError(f"unknown setting {name!r}") from None


def to_toml(values: Mapping[str, Any]) -> str:
    """The settings file text: one commented ``name = value`` line per setting.

    Refuses names that are not in the schema, so nothing but declared settings
    (and never a credential) can reach the file.
    """
    unknown = sorted(set(values) - set(SCHEMA_BY_NAME))
    if unknown:
        raise SettingsError(f"refusing to save unknown settings: {', '.join(unknown)}")
    lines = ["# JamDeck settings. Edit with Preferences, or here while JamDeck is closed.", ""]
    for setting in SCHEMA:
        if setting.name not in values:
            continue
        value = setting.validate(values[setting.name])
        lines.append(f"# {setting.description}")
        lines.append(f"{setting.name} = {_toml_value(value)}")
        lines.append("")
    return "\n".join(lines)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value)  # finite (validated): repr round-trips and is valid TOML
    if isinstance(value, str):
        # A JSON string with only ASCII is a valid TOML basic string (\uXXXX escapes).
        return json.dumps(value, ensure_ascii=True)
    raise SettingsError(f"cannot write {value!r} to TOML")
