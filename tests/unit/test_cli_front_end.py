"""The command line is a thin front end: it parses options, calls desktop.app, prints.

Read from the source (the commands import lazily, so importing them proves little):
no command module reaches the store, the sources or the exports but through
desktop.app, none submits work to the store writer or runs SQL itself, and none
uses another module's private names.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

CLI = Path(__file__).resolve().parents[2] / "desktop" / "cli"
MODULES = sorted(CLI.glob("*.py"))
# Below desktop.app: what a command would orchestrate itself if it imported them.
BELOW_APP = ("desktop.store", "desktop.sources", "desktop.export")
# Calls that do store or source work: the writer's queue, SQL, a source's loop.
WORK = {"call", "submit", "ingest", "execute", "executemany", "read_header"}


def imports(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name, None
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            for alias in node.names:
                yield node.lineno, node.module, alias.name


def test_the_package_has_the_command_modules():
    assert {p.stem for p in MODULES} >= {
        "__init__",
        "common",
        "import_",
        "record",
        "export",
        "sessions",
        "quotes",
        "filters",
        "demo",
        "gui",
    }


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_a_command_module_goes_through_desktop_app(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    below = [
        f"{path.name}:{line}: {module}"
        for line, module, _name in imports(tree)
        if module.startswith(BELOW_APP)
    ]
    assert not below, f"import desktop.app instead: {below}"
    private = [
        f"{path.name}:{line}: {module}.{name}"
        for line, module, name in imports(tree)
        if name and name.startswith("_") and name != "__version__"
    ]
    private += [
        f"{path.name}:{node.lineno}: .{node.attr}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
    ]
    assert not private, f"another module's private names: {private}"
    work = [
        f"{path.name}:{node.lineno}: .{node.func.attr}()"
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in WORK
    ]
    assert not work, f"store/source work belongs in desktop.app: {work}"
