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
    installed (100 ms more, and OpenBLAS threads): only the exports use it."""
    code = (
        "import sys, desktop.cli, desktop.ui.app, desktop.ui.main_window, desktop.store.writer, "
        "desktop.sources.replay_pipeline\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'sqlite_utils', 'numpy'}))"
    )
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
