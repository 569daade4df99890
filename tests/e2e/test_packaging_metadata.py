"""The Linux metadata files pass the distributions' own validators, and agree with each other."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGING = ROOT / "packaging"
DESKTOP_FILE = PACKAGING / "jamdeck.desktop"
METAINFO = PACKAGING / "io.github.jamdeck.JamDeck.metainfo.xml"
APP_ICONS = ROOT / "resources" / "icons" / "app"


def run_validator(tool: str, *args: str) -> subprocess.CompletedProcess:
    if shutil.which(tool) is None:
        pytest.skip(
            f"{tool} is not installed (Debian package: "
            f"{'desktop-file-utils' if tool == 'desktop-file-validate' else 'appstream'})"
        )
    return subprocess.run([tool, *args], capture_output=True, text=True, timeout=60, check=False)


def test_desktop_file_is_valid():
    result = run_validator("desktop-file-validate", str(DESKTOP_FILE))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in (result.stdout + result.stderr).lower()


def test_metainfo_is_valid():
    result = run_validator("appstreamcli", "validate", "--no-net", str(METAINFO))
    assert result.returncode == 0, result.stdout + result.stderr


def test_metainfo_has_a_screenshot_release_notes_and_points_at_the_desktop_file():
    root = ET.parse(METAINFO).getroot()
    assert root.findtext("launchable") == DESKTOP_FILE.name
    screenshot = root.find("screenshots/screenshot[@type='default']/image")
    assert screenshot is not None and screenshot.text.startswith("https://")
    release = root.find("releases/release")
    assert release.get("version") == _project_version()
    assert release.find("description/p") is not None


def test_desktop_file_names_the_installed_command_and_icon():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(DESKTOP_FILE, encoding="utf-8")
    section = entry["Desktop Entry"]
    assert section["Exec"].split()[0] == "jamdeck"
    assert section["Icon"] == "jamdeck"
    assert (APP_ICONS / "jamdeck.svg").is_file()
    for size in (16, 32, 48, 64, 128, 256, 512):
        png = APP_ICONS / f"jamdeck-{size}.png"
        header = png.read_bytes()[:24]
        assert header[:8] == b"\x89PNG\r\n\x1a\n"
        assert int.from_bytes(header[16:20], "big") == size, png.name


def _project_version() -> str:
    import tomllib

    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "version"
    ]
