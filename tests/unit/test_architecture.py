"""The dependency rules of DESIGN.md, checked: contracts and a real import."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_linter_contracts_hold():
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; "
            "sys.exit(lint_imports_command())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 broken" in proc.stdout, proc.stdout


def test_the_core_runs_without_qt_or_network_sdks():
    # In a subprocess: pytest-qt has imported Qt into this one already.
    code = (
        "import sys, desktop.cli, desktop.core.jam, desktop.core.router, desktop.store.writer, "
        "desktop.store.library, desktop.sources.replay, desktop.sources.registry, desktop.export.posts, "
        "filters\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "{'PySide6', 'shiboken6', 'tweepy', 'mastodon', 'atproto'})\n"
        "print(bad)\n"
        "sys.exit(1 if bad else 0)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_start_up_leaves_sqlite_utils_to_the_exports():
    """sqlite-utils takes about 50 ms to import, and imports numpy where it is
    installed (100 ms more, and OpenBLAS threads): only the exports use it.
    matplotlib (and numpy under it) is only for the report's charts."""
    code = (
        "import sys, desktop.cli, desktop.ui.app, desktop.ui.main_window, desktop.store.writer, "
        "desktop.app.import_pipeline, desktop.app.import_worker\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlite_utils', 'numpy', 'matplotlib'}))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


def _private_uses(path: Path) -> list[str]:
    """``from our.module import _name`` and ``our_module._name`` in one file."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    ours = ("desktop", "filters")
    modules: set[str] = set()  # local names bound to our modules
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ours:
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__"):
                    found.append(f"{path}:{node.lineno} imports {node.module}.{alias.name}")
                else:
                    modules.add(alias.asname or alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] in ours:
                    modules.add(alias.asname or alias.name.split(".")[0])
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in modules
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            found.append(f"{path}:{node.lineno} uses {node.value.id}.{node.attr}")
    return found


def test_no_module_uses_a_private_name_of_another():
    files = [p for top in ("desktop", "filters") for p in (ROOT / top).rglob("*.py")]
    found = [use for path in files for use in _private_uses(path)]
    assert found == []


def test_importing_desktop_changes_nothing_process_wide():
    """Importing any of our modules leaves the interpreter as it was: no sqlite3
    adapter or converter registered, the garbage collector's settings untouched
    (nothing frozen), Ctrl-C's handler and the thread switch interval as they
    were. Such settings are the whole process's (a caller's connections, the
    benchmark's yardsticks), not a library's to change. In a fresh interpreter:
    this one has imported them all long ago."""
    code = """
import gc, json, pkgutil, signal, sqlite3, sys
import desktop, filters

def state():
    return {
        "adapters": sorted(map(repr, sqlite3.adapters.items())),
        "converters": sorted(map(repr, sqlite3.converters.items())),
        "gc_threshold": gc.get_threshold(),
        "gc_enabled": gc.isenabled(),
        "gc_frozen": gc.get_freeze_count(),
        "sigint": repr(signal.getsignal(signal.SIGINT)),
        "switch_interval": sys.getswitchinterval(),
    }

before = state()
names = []
for package in (desktop, filters):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.endswith(".__main__"):  # those run the app
            __import__(module.name)
            names.append(module.name)
print(json.dumps({"before": before, "after": state(), "modules": names}))
"""
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.splitlines()[-1])
    for module in ("desktop.store.db", "desktop.app.import_pipeline", "desktop.sources.replay"):
        assert module in result["modules"]
    assert result["after"] == result["before"]
    assert result["after"]["gc_frozen"] == 0


def test_every_package_of_desktop_is_in_a_layer():
    """A new top package must take its place in the layers contract (pyproject.toml)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    contracts = config["tool"]["importlinter"]["contracts"]
    (layers,) = [c["layers"] for c in contracts if c["type"] == "layers"]
    layered = {name.strip() for layer in layers for name in layer.split("|")}
    packages = {
        f"desktop.{path.stem if path.is_file() else path.name}"
        for path in (ROOT / "desktop").iterdir()
        if (path.is_dir() and (path / "__init__.py").exists())
        or (path.suffix == ".py" and path.stem not in ("__init__", "__main__"))
    }
    assert packages <= layered, sorted(packages - layered)
