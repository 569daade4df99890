"""Links in the deck's post text: found by the same rule as the exports', t.co links
shown in their display form and opened where they lead."""

from __future__ import annotations

import pytest

from desktop.core.views import PostView
from desktop.export.quotes import split_urls
from desktop.ui.post_delegate import display_text

TCO = ("https://t.co/abc", "https://example.com/long/article", "example.com/long/…")


def view(text: str, links: tuple[tuple[str, str, str], ...] = ()) -> PostView:
    return PostView(
        rowid=1,
        network="x",
        network_id="1",
        author_handle="ann",
        author_name="Ann",
        avatar_url=None,
        text=text,
        created_at=0.0,
        kind="original",
        url="https://x.com/ann/status/1",
        links=links,
    )


def styled(shown: str, spans) -> list[tuple[str, str, str]]:
    return [(s.kind, shown[s.start : s.start + s.length], s.target) for s in spans]


def test_a_tco_link_shows_its_display_form_and_opens_where_it_leads():
    shown, spans = display_text(view("A1: read https://t.co/abc #jam", links=(TCO,)))
    assert shown == "A1: read example.com/long/… #jam"
    assert styled(shown, spans) == [
        ("link", "example.com/long/…", "https://example.com/long/article"),
        ("tag", "#jam", ""),
    ]


def test_a_plain_url_is_linked_as_written_and_hides_no_tag_or_mention():
    shown, spans = display_text(view("@bob see https://example.com/a?b=1#c #jam"))
    assert shown == "@bob see https://example.com/a?b=1#c #jam"
    assert styled(shown, spans) == [
        ("mention", "@bob", ""),
        ("link", "https://example.com/a?b=1#c", "https://example.com/a?b=1#c"),
        ("tag", "#jam", ""),
    ]


def test_a_link_ends_before_the_punctuation_around_it():
    # The "." and ")" are the sentence's: the t.co is expanded and the link opens without them.
    shown, spans = display_text(view("read https://t.co/abc. (https://t.co/abc)", links=(TCO,)))
    assert shown == "read example.com/long/…. (example.com/long/…)"
    assert [s.target for s in spans] == ["https://example.com/long/article"] * 2


@pytest.mark.parametrize(
    "text",
    [
        "see https://t.co/abc.",
        '"https://a.example/x" and <https://b.example>',
        "HTTPS://A.EXAMPLE/X, http://b.example/y;",
        "no link: ftp://a.example example.com",
    ],
)
def test_the_deck_links_what_the_export_links(text):
    shown, spans = display_text(view(text))
    assert [s.target for s in spans if s.kind == "link"] == [
        piece for is_url, piece in split_urls(text) if is_url
    ]
