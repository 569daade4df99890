"""Each of ``column_page``'s plans for a full-text filter returns exactly the page
the plain query returns (the plan is chosen by the number of hits, which a
small library cannot reach: the thresholds are forced here)."""

from __future__ import annotations

import pytest

from desktop.store import library
from desktop.store.db import open_library
from filters import compile_sql
from tests.unit.test_filters_sql_agreement import NOW, seeded_posts, store

PLANS = {
    "drive": {"_DRIVE_MAX_HITS": 10**9},
    "probe": {"_DRIVE_MAX_HITS": 0, "_SAMPLE_ROWS": 3, "_PROBE_MAX_ROWS": 10**9},
    "set": {"_DRIVE_MAX_HITS": 0, "_SAMPLE_ROWS": 3, "_PROBE_MAX_ROWS": 0},
}
FILTERS = [
    "cafe",
    "social business",
    '"social business"',
    "cafe -is:retweet",
    "#socbiz q:2",
    "cafe OR tea",
    "cafe is:collected",
    "tea -from:alice",
    "zzz",
]


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    conn = open_library(tmp_path_factory.mktemp("plans") / "library.db")
    session_id, _ = store(conn, seeded_posts(120, seed=7))
    yield conn, session_id
    conn.close()


def plain(conn, session_id, where, params, limit, before=None):
    sql = (
        "SELECT sp.post_id, sp.created_at FROM session_posts sp JOIN posts p ON p.id = sp.post_id "
        f"WHERE sp.session_id = ? AND ({where})"
    )
    args = [session_id, *params]
    if before:
        sql += " AND (sp.created_at < ? OR (sp.created_at = ? AND sp.post_id < ?))"
        args += [before[0], before[0], before[1]]
    sql += " ORDER BY sp.created_at DESC, sp.post_id DESC LIMIT ?"
    return conn.execute(sql, [*args, limit]).fetchall()


@pytest.mark.parametrize("plan", PLANS)
@pytest.mark.parametrize("expression", FILTERS)
def test_every_plan_pages_like_the_plain_query(session, monkeypatch, plan, expression):
    conn, session_id = session
    for name, value in PLANS[plan].items():
        monkeypatch.setattr(library, name, value)
    where, params = compile_sql(expression, now=NOW)
    everything = plain(conn, session_id, where, params, 1000)
    pages, before = [], None
    while True:
        page = library.column_page(conn, session_id, where, params, limit=4, before=before)
        assert page == plain(conn, session_id, where, params, 4, before)
        pages += page
        if len(page) < 4:
            break
        before = (page[-1][1], page[-1][0])
    assert pages == everything
    assert library.count_matching(conn, session_id, where, params) == len(everything)
    assert library.count_matching(conn, session_id, where, params, limit=2) == min(
        2, len(everything)
    )
