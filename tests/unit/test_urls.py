"""The one http(s) URL rule of desktop.core.urls."""

from __future__ import annotations

import pytest

from desktop.core.urls import HTTP_URL, HTTP_URL_AT_WORD_START, url_spans


def found(text: str, pattern=HTTP_URL) -> list[str]:
    return [text[start:end] for start, end in url_spans(text, pattern)]


@pytest.mark.parametrize(
    ("text", "urls"),
    [
        ("read https://example.com/a?b=1#c now", ["https://example.com/a?b=1#c"]),
        ("two http://a.example https://b.example", ["http://a.example", "https://b.example"]),
        ("HTTPS://EXAMPLE.COM/X", ["HTTPS://EXAMPLE.COM/X"]),  # the scheme in any case
        ("see https://t.co/abc.", ["https://t.co/abc"]),  # the sentence's full stop is not in it
        ("(https://a.example/x), and", ["https://a.example/x"]),
        ("https://t.co/abc...", ["https://t.co/abc"]),
        ('"https://a.example" or <https://b.example>', ["https://a.example", "https://b.example"]),
        ("no scheme: example.com/x, ftp://a.example, https://", []),
    ],
)
def test_urls_are_found_without_the_punctuation_that_ends_a_sentence(text, urls):
    assert found(text) == urls


def test_spans_are_offsets_into_the_text():
    text = "A1: yes https://t.co/xyz. #jam"
    assert url_spans(text) == [(8, 24)]
    assert text[8:24] == "https://t.co/xyz"


def test_the_word_start_variant_skips_urls_glued_to_a_word_or_an_address():
    text = "me@https://a.example xhttps://b.example https://c.example"
    assert found(text) == ["https://a.example", "https://b.example", "https://c.example"]
    assert found(text, HTTP_URL_AT_WORD_START) == ["https://c.example"]
    # Otherwise it is the same rule.
    assert found("(https://a.example/x).", HTTP_URL_AT_WORD_START) == ["https://a.example/x"]
