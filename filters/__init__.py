"""The filter language of JamDeck columns: parse, compile to a predicate or SQL, explain.

Standard library only; nothing here imports ``desktop`` or Qt.
"""

from filters.ast import Node, render
from filters.errors import FilterError
from filters.explain import explain
from filters.help import HELP, OPERATORS, help_text
from filters.parser import parse
from filters.predicate import compile_predicate
from filters.sql import compile_sql

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
