"""Where JamDeck keeps its files: platformdirs defaults, overridable per run.

``--data-dir`` (CLI) beats ``JAMDECK_DATA_DIR`` beats the platform default;
likewise ``JAMDECK_CONFIG_DIR``, ``JAMDECK_CACHE_DIR``, ``JAMDECK_STATE_DIR``.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "jamdeck"


def _dir(env: str, default: str, override: str | os.PathLike | None) -> Path:
    if override:
        return Path(override).expanduser()
    value = os.environ.get(env)
    if value:
        return Path(value).expanduser()
    return Path(default)


def data_dir(override: str | os.PathLike | None = None) -> Path:
    return _dir("JAMDECK_DATA_DIR", platformdirs.user_data_dir(APP, appauthor=False), override)


def config_dir(override: str | os.PathLike | None = None) -> Path:
    return _dir("JAMDECK_CONFIG_DIR", platformdirs.user_config_dir(APP, appauthor=False), override)


def cache_dir(override: str | os.PathLike | None = None) -> Path:
    return _dir("JAMDECK_CACHE_DIR", platformdirs.user_cache_dir(APP, appauthor=False), override)


def state_dir(override: str | os.PathLike | None = None) -> Path:
    return _dir("JAMDECK_STATE_DIR", platformdirs.user_state_dir(APP, appauthor=False), override)


def library_path(data: str | os.PathLike | None = None) -> Path:
    return data_dir(data) / "library.db"
