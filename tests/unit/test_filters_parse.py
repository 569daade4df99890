"""Parsing filter text: precedence, every operator, and errors that point at the problem."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from filters import FilterError, compile_predicate, compile_sql, parse
from filters.ast import (
    And,
    Author,
    Has,
    Is,
    Lang,
    MatchAll,
    Mention,
    MinCount,
    Not,
    Or,
    QuestionIs,
    Regex,
    Source,
    Tag,
    Text,
    Time,
)


def word(w: str) -> Text:
    return Text((w,))


def test_empty_and_blank_expressions_match_everything():
    assert parse("") == MatchAll()
    assert parse("  \t ") == MatchAll()


def test_precedence_not_binds_tighter_than_and_which_binds_tighter_than_or():
    assert parse("a b OR c -d") == Or(
        (And((word("a"), word("b"))), And((word("c"), Not(word("d")))))
    )
    assert parse("a (b OR c)") == And((word("a"), Or((word("b"), word("c")))))
    assert parse("-(a | b)") == Not(Or((word("a"), word("b"))))
    assert parse("a AND b") == parse("a b")


def test_lower_case_or_is_a_word():
    assert parse("tea or coffee") == And((word("tea"), word("or"), word("coffee")))


def test_words_are_folded_and_punctuated_words_become_phrases():
    assert parse("Café") == word("cafe")
    assert parse("well-known") == Text(("well", "known"))
    assert parse('"Social  Business"') == Text(("social", "business"))
    assert parse('"#q1 answer"') == Text(("#q1", "answer"))


def test_hashtags_and_mentions():
    assert parse("#SocBiz") == Tag("socbiz")
    assert parse("#socbiz") != parse("#socbizchat")
    assert parse("@Alice") == Mention("alice")
    assert parse("@alice@mastodon.social") == Mention("alice_mastodon_social")


@pytest.mark.parametrize(
    ("text", "node"),
    [
        ("from:alice", Author("author", "alice")),
        ("FROM:@Alice", Author("author", "alice")),
        ("to:bob@other.example", Author("reply_to", "bob_other_example")),
        ("is:retweet", Is("retweet")),
        ("is:RT", Is("retweet")),
        ("is:retweeted_by_me", Is("retweeted_by_me")),
        ("has:links", Has("links")),
        ("has:link", Has("links")),
        ("lang:PT-br", Lang("pt-br")),
        ("source:twitter", Source("x")),
        ("source:bsky", Source("bluesky")),
        ("min_retweets:10", MinCount("retweets", 10)),
        ("min_likes:0", MinCount("likes", 0)),
        ("min_replies:3", MinCount("replies", 3)),
        ("q:2", QuestionIs(2)),
        ("question:12", QuestionIs(12)),
        ("since:-10m", Time("since", ago=600.0)),
        ("until:-2h", Time("until", ago=7200.0)),
        ("since:-1d", Time("since", ago=86400.0)),
        ("until:2024-05-01", Time("until", at=datetime(2024, 5, 1, tzinfo=UTC).timestamp())),
        (
            "since:2024-05-01T18:30",
            Time("since", at=datetime(2024, 5, 1, 18, 30, tzinfo=UTC).timestamp()),
        ),
        (
            "since:2024-05-01T18:30Z",
            Time("since", at=datetime(2024, 5, 1, 18, 30, tzinfo=UTC).timestamp()),
        ),
        (
            "since:2024-05-01T20:30+02:00",
            Time("since", at=datetime(2024, 5, 1, 18, 30, tzinfo=UTC).timestamp()),
        ),
        (
            'since:"2024-05-01 18:30"',
            Time("since", at=datetime(2024, 5, 1, 18, 30, tzinfo=UTC).timestamp()),
        ),
        (r"regex:/A\d+ (x|y)/", Regex(r"A\d+ (x|y)")),
        (r"regex:/caf\/e/i", Regex(r"caf\/e", ignore_case=True)),
    ],
)
def test_every_operator_parses(text, node):
    assert parse(text) == node


def test_negated_operators_and_groups():
    assert parse('-is:retweet -#spam -@bot -"buy now"') == And(
        (Not(Is("retweet")), Not(Tag("spam")), Not(Mention("bot")), Not(Text(("buy", "now"))))
    )


@pytest.mark.parametrize(
    ("text", "position", "fragment"),
    [
        ("from:", 5, "from: at column 1 needs a handle"),
        ("a from:@", 7, "from: at column 3 needs a handle"),
        ("cafe (a OR b", 5, "unclosed parenthesis opened at column 6"),
        ("a foo:bar", 2, "unknown operator 'foo:' at column 3; expected one of"),
        ("a)", 1, "unmatched ')' at column 2"),
        ("()", 1, "empty parentheses at column 1"),
        ("OR a", 0, "OR at column 1 needs a term before it"),
        ("a OR", 4, "OR at column 3 needs a term after it"),
        ("a -", 2, "'-' at column 3"),
        ('say "hello', 10, "unclosed quote opened at column 5"),
        ("is:tweet", 3, "unknown value 'tweet' for is: at column 1; expected one of retweet"),
        ("source:myspace", 7, "expected one of x, mastodon, bluesky"),
        ("min_likes:many", 10, "min_likes: at column 1 needs a whole number"),
        ("q:-1", 2, "q: at column 1 needs a whole number"),
        ("since:yesterday", 6, "since: at column 1 needs a date"),
        ("until:2024-13-01", 6, "until: at column 1 needs a date"),
        ("lang:e_n", 5, "lang: at column 1 needs a language code"),
        ("regex:/(ab/", 7, "invalid regular expression at column 8"),
        ("regex:/ab/x", 10, "unknown regex flag 'x'"),
        ("regex:/ab", 9, "unclosed regular expression opened at column 7"),
        ("regex:ab", 6, "needs a pattern between slashes"),
        ("!!!", 0, "has no letters or digits"),
        ("#", 1, "'#' at column 1 needs a hashtag"),
    ],
)
def test_errors_name_the_position_and_what_was_expected(text, position, fragment):
    with pytest.raises(FilterError) as info:
        parse(text)
    assert fragment in info.value.message
    assert info.value.position == position
    assert info.value.column == position + 1


def test_unknown_operator_lists_the_known_ones():
    with pytest.raises(FilterError) as info:
        parse("foo:bar")
    assert "from:" in info.value.expected and "regex:" in info.value.expected


def test_regex_error_points_into_the_pattern():
    text = "cafe regex:/a[b/"
    with pytest.raises(FilterError) as info:
        parse(text)
    assert text[info.value.position] == "["


def test_nesting_and_size_are_bounded_with_an_error_not_a_crash():
    with pytest.raises(FilterError, match="nested too deeply"):
        parse("(" * 500 + "a" + ")" * 500)
    with pytest.raises(FilterError, match="nested too deeply"):
        parse("-" * 500 + "a")
    with pytest.raises(FilterError, match="too many terms"):
        parse(" ".join(["a"] * 1000))
    assert isinstance(parse(" ".join(["w"] * 100)), And)


_FILTER_CHARS = st.sampled_from(
    list('ab #@-()|":/\\*+?[]{}^$.,!_ é日')
    + ["OR", "AND", "from:", "is:", "regex:/", "since:", "q:", "foo:"]
)


@settings(max_examples=600, deadline=None)
@given(st.text(max_size=40) | st.lists(_FILTER_CHARS, max_size=20).map("".join))
def test_fuzz_parse_either_succeeds_or_raises_a_filter_error_inside_the_text(text):
    try:
        node = parse(text)
    except FilterError as exc:
        assert 0 <= exc.position <= len(text)
        assert exc.message
        return
    # Whatever parses also compiles, both ways.
    assert callable(compile_predicate(node, now=0.0))
    fragment, params = compile_sql(node, now=0.0)
    assert fragment.count("?") == len(params)


def test_an_open_parenthesis_at_the_end_says_what_is_missing():
    with pytest.raises(FilterError) as info:
        parse("is:retweet (")
    assert "unclosed parenthesis opened at column 12" in str(info.value)
    assert info.value.position == 12


def test_a_regex_python_warns_about_is_a_filter_error_not_a_warning():
    """Found by the fuzz test: ``regex:/[[/`` raised FutureWarning ("possible nested set")."""
    with pytest.raises(FilterError, match="ambiguous regular expression"):
        parse("regex:/[[/")
