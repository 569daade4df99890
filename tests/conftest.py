"""Test-wide fixtures: no test touches a real profile, the network, or leaves threads behind."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.fakes.fixtures import fixtures_root, missing_reason, require_fixtures
from tests.fakes.payloads import write_tree

# Qt must run offscreen everywhere (CI has no display); set before any Qt import.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


# --- recorded payloads: optional, counted, and said so ------------------------------------------
# Every behaviour is tested on payloads generated in the project (tests/fakes/payloads.py);
# the recorded ones (outside the repository) are an extra check. A test that reads them is
# marked ``recorded`` (those asking for ``fixtures_dir`` are marked here), skips without
# them, and the header says how many there are and where they were looked for.


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "fixtures_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.recorded)


def pytest_runtest_setup(item):
    if item.get_closest_marker("recorded") is not None and not fixtures_root().exists():
        pytest.skip(missing_reason(fixtures_root()))


def _where() -> str:
    root = fixtures_root()
    if root.exists():
        return f"found at {root}"
    return f"not found at {root} (JAMDECK_FIXTURES to point elsewhere): those tests skip"


def pytest_report_header(config):
    return [f"recorded payloads: {_where()}"]


def pytest_report_collectionfinish(config, start_path, items):
    count = sum(1 for item in items if item.get_closest_marker("recorded") is not None)
    return [f"recorded payloads: {count} tests use them; {_where()}"]


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return require_fixtures()


@pytest.fixture(scope="session")
def generated_dir(tmp_path_factory) -> Path:
    """Generated payloads laid out like the recorded ones (``tests/fakes/payloads.py``)."""
    return write_tree(tmp_path_factory.mktemp("payloads"))


@pytest.fixture(params=["generated", pytest.param("recorded", marks=pytest.mark.recorded)])
def payloads(request, generated_dir) -> Path:
    """A payload tree: the generated one, then the recorded one when present."""
    return generated_dir if request.param == "generated" else require_fixtures()


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
    # No test downloads avatars or media previews (the app's default does): tests never
    # leave 127.0.0.1.
    (root / "config").mkdir(parents=True, exist_ok=True)
    (root / "config" / "settings.toml").write_text(
        "avatar_cache = false\nmedia_previews = false\n", encoding="utf-8"
    )
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
