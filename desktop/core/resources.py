"""Finding bundled resources the same way from a checkout, a wheel or a frozen app."""

from __future__ import annotations

import sys
from importlib import resources as importlib_resources
from pathlib import Path


def resource_path(*parts: str) -> Path:
    """A real file path to ``resources/<parts>``.

    Resources ship as package data of the top-level ``resources`` package, so
    importlib.resources finds them in a checkout and in a wheel; PyInstaller's
    one-folder build collects them under ``sys._MEIPASS/resources``.
    """
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidate = Path(frozen_root, "resources", *parts)
        if candidate.exists():
            return candidate
    root = importlib_resources.files("resources")
    return Path(str(root.joinpath(*parts)))
