"""Issue 18.2: a catastrophic regular expression must give a filter error, never a hang.

``regex:/(a+)+$/`` against thirty ``a`` and a ``!`` ran for minutes. Patterns that can
take exponential (or high polynomial) time are refused when the filter is parsed; every
column page and count also runs under a time budget (SQLite's progress handler).
Timings are measured, with generous bounds, never slept.
"""

from __future__ import annotations

import re
import time

import pytest

import filters
from desktop.core.normalize import Parsed
from desktop.store import budget, library
from desktop.store.db import open_library
from desktop.store.writer import StoreWriter
from filters import regex_safety
from tests.fakes.posts import make_post

HOSTILE_TEXT = "a" * 30 + "!"

CATASTROPHIC = [
    r"(a+)+$",
    r"(a*)*$",
    r"(a|aa)+$",
    r"(a|a?)+$",
    r"(x+x+)+y",
    r"(\w+\s?)+$",
    r"^(([a-z])+.)+[A-Z]([a-z])+$",
    r"((ab)*)+$",
    r"(a+)+?$",
    r"(?:a+){2,}$",
    r"(\d+|\w+)*!",
    r"(.*a){12}",
    r".*.*.*x",
    r"\w*\w*\w*x",
]
ORDINARY = [
    r"^A\d+",
    r"\bfoo\b",
    r"(foo|bar)+",
    r"^(Q|A)\d+:",
    r"[A-Z][a-z]+",
    r"[^\s]+@\w+",
    r"(\w+\s)+",
    r"(?:\d{1,3}\.){3}\d{1,3}",
    r"\bsoc ?biz\b",
    r".*foo.*bar.*",
    r"https?://\S+",
    r"(\d+,)*\d+",
    r"(a|b|c)*d",
    r"(\w|\d)+$",
    r"a++$",
    r"(?>a+)+$",
]


def test_the_catastrophic_pattern_of_the_issue_is_a_filter_error_at_once():
    started = time.perf_counter()
    with pytest.raises(filters.FilterError) as info:
        filters.parse("from:host regex:/(a+)+$/")
    assert time.perf_counter() - started < 2
    assert info.value.position == 16  # the pattern's opening slash
    assert "regex at column 17 can take exponential time (nested repetition" in str(info.value)


@pytest.mark.parametrize("pattern", CATASTROPHIC)
def test_patterns_that_backtrack_without_end_are_refused(pattern):
    started = time.perf_counter()
    for text in (f"regex:/{pattern}/", f"regex:/{pattern}/i"):
        with pytest.raises(filters.FilterError, match="can take"):
            filters.parse(text)
        with pytest.raises(filters.FilterError):  # and so never reach a predicate or SQL
            filters.compile_predicate(text)
        with pytest.raises(filters.FilterError):
            filters.compile_sql(text)
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("pattern", ORDINARY)
def test_ordinary_patterns_are_accepted_and_fast_on_hostile_text(pattern):
    filters.parse(f"regex:/{pattern}/")
    filters.parse(f"regex:/{pattern}/i")
    compiled = re.compile(pattern)
    for text in (HOSTILE_TEXT, "ab" * 200 + "!", "A1 " * 100, " " * 300 + "x", "x" * 400):
        started = time.perf_counter()
        compiled.search(text)
        assert time.perf_counter() - started < 0.5, (pattern, text[:20])


def test_ordinary_patterns_still_match_in_the_predicate():
    assert filters.compile_predicate(r"regex:/^A\d+/")
    check = regex_safety.check
    for pattern in ORDINARY:
        check(pattern)
    with pytest.raises(regex_safety.CatastrophicPattern):
        check("(A+)+$", ignore_case=True)
    with pytest.raises(regex_safety.CatastrophicPattern):
        check("(?i)(a+)+$")


# ------------------------------------------------------------------ the query budget


@pytest.fixture
def session(tmp_path):
    writer = StoreWriter(tmp_path / "library.db")
    session_id = writer.call(lambda ctx: library.create_session(ctx.conn, "jam", hashtags=["j"]))
    posts = [make_post(n, f"post {n} " + "a" * 150, minutes=n / 10) for n in range(1, 401)]
    writer.ingest(session_id, Parsed(posts=posts)).result(timeout=30)
    conn = open_library(tmp_path / "library.db")
    yield conn, session_id
    conn.close()
    writer.close()


def test_a_column_page_and_a_count_over_budget_stop_with_a_clear_error(session):
    conn, session_id = session
    # Accepted (two overlapping repeats) but slow on 150 characters times 400 posts (~0.5 s).
    where, params = filters.compile_sql("regex:/.*.*x/")
    for query in (
        lambda: library.column_page(conn, session_id, where, params, budget=0.05),
        lambda: library.count_matching(conn, session_id, where, params, budget=0.05),
    ):
        started = time.perf_counter()
        with pytest.raises(budget.QueryTooSlow, match="took longer than 0.05 s"):
            query()
        assert time.perf_counter() - started < 2
    # The connection is left as it was: the next query runs in full.
    assert library.count_matching(conn, session_id, "1", []) == 400
    assert (
        len(library.column_page(conn, session_id, *filters.compile_sql(r"regex:/^post 1\d/")))
        == 110
    )


def test_a_query_within_its_budget_is_untouched(session):
    conn, session_id = session
    where, params = filters.compile_sql(r"regex:/^post \d+ a/")
    assert library.count_matching(conn, session_id, where, params) == 400
