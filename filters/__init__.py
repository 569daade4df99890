"""The filter language of JamDeck columns: parse, compile to a predicate or SQL, explain.

Standard library only; nothing here imports ``desktop`` or Qt.
"""

import importlib
from typing import TYPE_CHECKING, Any

# Loaded on first use: the import worker (desktop.app.import_worker)
# needs only filters.text, and the whole language costs about 30 ms to import.
_HOMES = {
    "Node": "filters.ast",
    "render": "filters.ast",
    "FilterError": "filters.errors",
    "explain": "filters.explain",
    "HELP": "filters.help",
    "OPERATORS": "filters.help",
    "help_text": "filters.help",
    "parse": "filters.parser",
    "compile_predicate": "filters.predicate",
    "compile_sql": "filters.sql",
}

if TYPE_CHECKING:
    from filters.ast import Node, render
    from filters.errors import FilterError
    from filters.explain import explain
    from filters.help import HELP, OPERATORS, help_text
    from filters.parser import parse
    from filters.predicate import compile_predicate
    from filters.sql import compile_sql


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'filters' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


__all__ = [
    "HELP",
    "OPERATORS",
    "FilterError",
    "Node",
    "compile_predicate",
    "compile_sql",
    "explain",
    "help_text",
    "parse",
    "render",
]
