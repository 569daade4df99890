"""The router: each committed post enters the columns whose filter it matches."""

from __future__ import annotations

import logging

from desktop.core.router import Router
from tests.fakes.posts import make_post
from tests.fakes.records import record_for


def records(*texts: str):
    return [record_for(make_post(n, text), rowid=n) for n, text in enumerate(texts, start=1)]


def test_each_column_gets_the_posts_its_filter_matches_in_batch_order():
    router = Router()
    router.set_column("all", "", now=0)
    router.set_column("community", "community", now=0)
    router.set_column("nobody", "from:nobody", now=0)
    batch = records("A1: community first", "A2: listen", "Q3 community?")
    assert router.route(batch) == {"all": [1, 2, 3], "community": [1, 3]}


def test_a_filter_failing_on_one_post_costs_only_that_post_in_that_column(caplog):
    router = Router()
    router.set_column("all", "", now=0)
    router.set_column("regex", "regex:/e/", now=0)
    batch = records("one", "two", "three")
    batch[1].text = None  # a broken record: the regex filter raises on it
    with caplog.at_level(logging.ERROR, logger="jamdeck.router"):
        routed = router.route(batch)
    assert routed == {"all": [1, 2, 3], "regex": [1, 3]}
    assert "filter of column 'regex' failed on post 2" in caplog.text
