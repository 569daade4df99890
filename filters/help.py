"""The filter language's help: every operator with a one-line example.

``OPERATORS`` is the single list the help text, the column editor's hints and
the completeness test read; the test walks the parser's operator table and
fails if anything here is missing.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class OperatorHelp:
    syntax: str  # how it is written
    example: str  # a complete, valid filter
    meaning: str  # one line


OPERATORS: tuple[OperatorHelp, ...] = (
    OperatorHelp(
        "word",
        "cafe",
        "text contains the word or its hashtag (any case, accents ignored: Café = cafe = #cafe)",
    ),
    OperatorHelp('"exact phrase"', '"social business"', "text contains these words in this order"),
    OperatorHelp("#tag", "#socbiz", "has the hashtag (#socbiz does not match #socbizchat)"),
    OperatorHelp("@user", "@alice", "mentions the user, or retweets the user's post"),
    OperatorHelp(
        "from:user",
        "from:alice",
        "written by the user (from:alice@mastodon.social for one account)",
    ),
    OperatorHelp("to:user", "to:alice", "a reply to the user"),
    OperatorHelp(
        "retweets_of:user",
        "retweets_of:alice",
        "retweets of the user's posts (@alice finds them too)",
    ),
    OperatorHelp("-term", "-is:retweet", "leaves out what the term matches; also -(a OR b)"),
    OperatorHelp("OR", "#q1 OR #a1", "either side matches (also written |); upper case only"),
    OperatorHelp("AND", "cafe AND tea", "both sides match (the same as a space)"),
    OperatorHelp(
        "( )", "(#q1 OR #a1) -is:retweet", "groups terms; - binds tightest, then AND, then OR"
    ),
    OperatorHelp("is:retweet", "is:retweet", "retweets and boosts"),
    OperatorHelp("is:reply", "is:reply", "replies"),
    OperatorHelp("is:quote", "is:quote", "posts that quote another post"),
    OperatorHelp("is:original", "is:original", "posts that are not retweets, replies or quotes"),
    OperatorHelp("is:question", "is:question", "the host's question posts"),
    OperatorHelp("is:host", "is:host", "posts by the jam's hosts"),
    OperatorHelp("is:collected", "is:collected", "posts in the quote list"),
    OperatorHelp("is:retweeted_by_me", "-is:retweeted_by_me", "posts you have retweeted"),
    OperatorHelp("has:media", "has:media", "posts with images, video or audio"),
    OperatorHelp("has:links", "has:links", "posts with links"),
    OperatorHelp("lang:xx", "lang:en", "language (lang:en also matches en-gb)"),
    OperatorHelp("source:x", "source:x", "from X (source:twitter works too)"),
    OperatorHelp("source:mastodon", "source:mastodon", "from Mastodon"),
    OperatorHelp("source:bluesky", "source:bluesky", "from Bluesky (source:bsky works too)"),
    OperatorHelp("min_retweets:N", "min_retweets:10", "retweeted at least N times (at last sight)"),
    OperatorHelp("min_likes:N", "min_likes:5", "liked at least N times"),
    OperatorHelp("min_replies:N", "min_replies:2", "at least N replies"),
    OperatorHelp(
        "since:T",
        "since:-10m",
        "posted at or after T: 2024-05-01, 2024-05-01T18:00 (UTC unless an offset), "
        "or -30s/-10m/-2h/-1d/-1w ago",
    ),
    OperatorHelp(
        "until:T", "until:2024-05-01", "posted before T (a date means before that day starts, UTC)"
    ),
    OperatorHelp("q:N", "q:3", "answers (or asks) question N"),
    OperatorHelp("question:N", "question:3", "the same as q:N"),
    OperatorHelp(
        "regex:/.../",
        r"regex:/^A\d+/",
        "regular expression (Python syntax) on the text; case-sensitive",
    ),
    OperatorHelp("regex:/.../i", r"regex:/\bsoc ?biz\b/i", "the same, ignoring case"),
)


def help_text() -> str:
    """The help as plain text: one operator per line, with an example."""
    width = max(len(op.syntax) for op in OPERATORS)
    ex_width = max(len(op.example) for op in OPERATORS)
    lines = [
        "Filter a column by typing terms; all of them must match (implicit AND).",
        "An empty filter shows every post.",
        "",
    ]
    for op in OPERATORS:
        lines.append(f"  {op.syntax:<{width}}  {op.example:<{ex_width}}  {op.meaning}")
    lines += [
        "",
        'Put a word in "quotes" to search for it literally (for OR, AND, or words with a colon).',
    ]
    return "\n".join(lines) + "\n"


HELP: str = help_text()
