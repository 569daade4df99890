"""The help lists every operator of the grammar, and every example in it works."""

from __future__ import annotations

import pytest

from filters import HELP, OPERATORS, explain, help_text, parse
from filters.ast import HAS_VALUES, IS_VALUES, SOURCE_VALUES
from filters.parser import VALUE_OPERATORS

SYNTAX = ["word", '"exact phrase"', "#tag", "@user", "-term", "OR", "AND", "( )", "regex:/.../i"]


def documented() -> set[str]:
    return {op.syntax for op in OPERATORS}


def test_every_operator_in_the_grammar_table_is_in_the_help():
    missing = [
        name for name in VALUE_OPERATORS if not any(s.startswith(f"{name}:") for s in documented())
    ]
    assert missing == []


@pytest.mark.parametrize(
    ("name", "values"), [("is", IS_VALUES), ("has", HAS_VALUES), ("source", SOURCE_VALUES)]
)
def test_every_keyword_value_is_in_the_help(name, values):
    assert [v for v in values if f"{name}:{v}" not in documented()] == []


def test_the_syntax_forms_are_in_the_help():
    assert [s for s in SYNTAX if s not in documented()] == []


def test_help_text_shows_every_entry_with_its_example():
    assert HELP == help_text()
    for op in OPERATORS:
        line = next(line for line in HELP.splitlines() if line.strip().startswith(op.syntax))
        assert op.example in line and op.meaning in line


@pytest.mark.parametrize("op", OPERATORS, ids=lambda op: op.syntax)
def test_every_example_parses_and_explains(op):
    parse(op.example)
    assert explain(op.example).startswith("posts that ")
