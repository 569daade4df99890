"""Test-wide fixtures: no test touches a real profile, the network, or leaves threads behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.fakes.fixtures import require_fixtures

# Qt must run offscreen everywhere (CI has no display); set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return require_fixtures()


@pytest.fixture(autouse=True)
def isolated_profile(tmp_path_factory, monkeypatch):
    """Point every JamDeck directory (data, config, cache, state) at a temporary one."""
    root = tmp_path_factory.mktemp("profile")
    monkeypatch.setenv("JAMDECK_DATA_DIR", str(root / "data"))
    monkeypatch.setenv("JAMDECK_CONFIG_DIR", str(root / "config"))
    monkeypatch.setenv("JAMDECK_CACHE_DIR", str(root / "cache"))
    monkeypatch.setenv("JAMDECK_STATE_DIR", str(root / "state"))
    monkeypatch.setenv("XDG_DATA_HOME", str(root / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(root / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(root / "xdg-cache"))
    monkeypatch.setenv("XDG_STATE_HOME", str(root / "xdg-state"))
    # Credentials never come from the developer's environment or keyring.
    for name in list(os.environ):
        if name.startswith(("JAMDECK_X_", "JAMDECK_MASTODON_", "JAMDECK_BLUESKY_")):
            monkeypatch.delenv(name, raising=False)
    # Bluesky follows Jetstream with no account: point it at nothing unless a test sets a fake.
    monkeypatch.setenv("JAMDECK_JETSTREAM_URL", "ws://127.0.0.1:9")
    monkeypatch.setenv("JAMDECK_BLUESKY_APPVIEW", "http://127.0.0.1:9")
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    # No test downloads avatars (the app's default does): tests never leave 127.0.0.1.
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config" / "settings.toml").write_text("avatar_cache = false\n", encoding="utf-8")
    return root


@pytest.fixture(autouse=True)
def no_leftover_threads():
    """Fail a test that leaves a thread of its own running."""
    before = set(threading.enumerate())
    yield
    leftovers = []
    for thread in set(threading.enumerate()) - before:
        thread.join(timeout=5)
        if thread.is_alive() and not thread.daemon:
            leftovers.append(thread.name)
    assert not leftovers, f"test left threads running: {leftovers}"
