"""`jamdeck report` on the demo jam, as a user runs it: the three formats, and
their figures checked against what the other commands (the q:N columns'
filter, the post export) say about the same session."""

from __future__ import annotations

import html
import json
import re

import pytest

from tests.e2e.test_cli import jamdeck


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A library with the demo jam recorded, and its report in the three formats."""
    data = tmp_path_factory.mktemp("report")
    jamdeck("demo", "--headless", "--speed", "0", data_dir=data)
    for fmt in ("json", "md", "html"):
        jamdeck("report", "demo", "--format", fmt, "-o", data / f"report.{fmt}", data_dir=data)
    return data


def test_the_three_formats_are_written(demo):
    document = json.loads((demo / "report.json").read_text(encoding="utf-8"))
    assert document["session"]["name"] == "demo"
    assert document["participants"] > 10 and len(document["questions"]) >= 5
    page = (demo / "report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert page.count("<svg") == 2  # the charts, inline
    recap = (demo / "report.md").read_text(encoding="utf-8")
    assert "](<report-volume.png>)" in recap and "](<report-questions.png>)" in recap
    for chart in ("report-volume.png", "report-questions.png"):
        assert (demo / chart).read_bytes().startswith(b"\x89PNG")
    assert '<div class="post' not in recap  # the transcript is the page's only


def test_the_html_page_loads_nothing_from_the_network(demo):
    page = (demo / "report.html").read_text(encoding="utf-8")
    for needle in ("<script", "<link", "<img", "src=", "@import", "<iframe", "<object"):
        assert needle not in page.lower(), needle
    # The charts' clip paths point inside the page (url(#id)), nothing else does.
    assert re.search(r"url\((?!#)", page) is None
    assert re.search(r'href="(?!https?://|#)', page) is None


def test_each_question_counts_what_its_q_column_holds(demo):
    document = json.loads((demo / "report.json").read_text(encoding="utf-8"))
    for q in document["questions"]:
        column = jamdeck("export", "demo", "--filter", f"q:{q['number']}", data_dir=demo)
        assert q["posts"] == len(column.stdout.splitlines()), q["number"]
        assert q["labelled"] + q["inferred"] == q["posts"]


def test_the_volume_adds_up_to_the_posts(demo):
    document = json.loads((demo / "report.json").read_text(encoding="utf-8"))
    sessions = json.loads(jamdeck("sessions", "--json", data_dir=demo).stdout)
    assert document["posts"] == sessions[0]["posts"] == 669
    assert sum(minute["posts"] for minute in document["volume"]) == document["posts"]
    assert sum(p for p in document["networks"].values()) == document["posts"]
    assert (
        document["unassigned_posts"] + sum(q["posts"] for q in document["questions"])
        == document["posts"]
    )


def test_every_post_of_the_session_is_in_the_html_transcript(demo):
    page = (demo / "report.html").read_text(encoding="utf-8")
    transcript = page[page.index('<section class="transcript"') :]
    posts = [
        json.loads(line) for line in jamdeck("export", "demo", data_dir=demo).stdout.splitlines()
    ]
    assert transcript.count('<div class="post') == len(posts) == 669
    for post in posts:
        assert f'href="{html.escape(post["url"])}"' in transcript, post["id"]
