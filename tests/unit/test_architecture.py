"""The dependency rules of DESIGN.md, checked: contracts and a real import."""

from __future__ import annotations

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
        "desktop.sources.replay_pipeline\n"
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
