"""The compiled SQL and the compiled Python predicate select exactly the same posts.

Live columns use the predicate, cached sessions the SQL: a post that shows up in
one and not the other is a bug the user sees. Posts are drawn at random, written
with the real ingest (``desktop.store.ingest``) into a real library, and random
expressions (built as trees, rendered to text, parsed back) are run both ways.
"""

from __future__ import annotations

import itertools
import random
import sqlite3
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop.core.post import Author, Kind, Link, Media, Metrics, Network, Post
from desktop.core.record import PostRecord
from desktop.store.db import open_library
from desktop.store.ingest import Ingestor
from filters import ast, compile_predicate, compile_sql, parse
from filters.text import fold_key

BASE = datetime(2024, 5, 1, tzinfo=UTC).timestamp()  # midnight: date-only bounds fall here
NOW = BASE + 180.0  # "now" for relative times
# Times are whole minutes in a small range, so bounds often fall exactly on a post.
MINUTES = st.integers(-4, 4)

ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "Zs"),
    include_characters="#@_éñüÉÑÜçøß日本語中文東京都で会い ",
    exclude_characters='"',
) | st.sampled_from(list("abcxyz#@_-.!?é ñü日本東京"))
VOCAB = [
    "cafe",
    "Café",
    "CAFÉ",
    "social",
    "business",
    "socbiz",
    "#socbiz",
    "#socbizchat",
    "@alice",
    "Q1:",
    "A1",
    "q1",
    "日本語",
    "東京で会いましょう",
    "東京",
    "京都",
    "タワー",
    "niño",
    "über",
    "and",
    "or",
    "tea",
    "x_y",
]
HANDLES = [
    "alice",
    "Alice@mastodon.social",
    "alice.bsky.social",
    "bob",
    "bob@other.example",
    "zoë",
    "carol_c",
    "dave.example.com",
]
TAGS = ["socbiz", "SocBizChat", "café", "q1", "Niño"]
LANGS = [None, "en", "EN-GB", "fr", "pt-BR"]
REGEXES = [
    r"caf",
    r"^\w",
    r"\d+",
    r"é",
    r"(?:soc|biz)",
    r"[#@]\w+",
    r"Q\d",
    r"x|y",
    r"\bA",
    r"^$",
    r"\s{2}",
    r"日本",
]

_ids = itertools.count(1)
_sessions = itertools.count(1)

# --------------------------------------------------------------------------- posts


def _text() -> st.SearchStrategy[str]:
    words = st.lists(st.sampled_from(VOCAB) | st.text(ALPHABET, max_size=6), max_size=8)
    joined = st.tuples(words, st.sampled_from([" ", "  ", ", ", "-", "."])).map(
        lambda t: t[1].join(t[0])
    )
    return joined | st.text(ALPHABET, max_size=30)


@st.composite
def posts(draw) -> tuple[Post, dict]:
    network = draw(st.sampled_from(list(Network)))
    n = next(_ids)
    kind = draw(st.sampled_from(list(Kind)))
    quoted = draw(st.booleans()) if kind is not Kind.RETWEET else False
    reply = draw(st.sampled_from(HANDLES)) if draw(st.booleans()) else None
    post = Post(
        network=network,
        id=f"p{n}",
        author=Author(id=f"a{HANDLES.index(h := draw(st.sampled_from(HANDLES)))}", handle=h),
        text=draw(_text()),
        created_at=datetime.fromtimestamp(BASE + 60 * draw(MINUTES), UTC),
        kind=kind,
        lang=draw(st.sampled_from(LANGS)),
        hashtags=tuple(draw(st.lists(st.sampled_from(TAGS), max_size=2))),
        mentions=tuple(draw(st.lists(st.sampled_from(HANDLES), max_size=2))),
        links=(Link("https://t.co/x", "https://example.com"),) if draw(st.booleans()) else (),
        media=(Media("image"),) if draw(st.booleans()) else (),
        retweeted_id="r1" if kind is Kind.RETWEET else None,
        retweeted_handle=draw(st.sampled_from(HANDLES)) if kind is Kind.RETWEET else None,
        quoted_id="q1" if quoted or kind is Kind.QUOTE else None,
        reply_to_id="t1" if reply else None,
        reply_to_handle=reply,
        metrics=Metrics(*(draw(st.integers(0, 4)) for _ in range(3))),
    )
    jam = {
        "question": draw(st.none() | st.integers(1, 3)),
        "is_question": draw(st.booleans()),
        "is_host": draw(st.booleans()),
        "is_collected": draw(st.booleans()),
        "is_retweeted_by_me": draw(st.booleans()),
    }
    return post, jam


def store(conn: sqlite3.Connection, drawn: list[tuple[Post, dict]]) -> tuple[int, list[PostRecord]]:
    """Write ``drawn`` as a new session's members; return (session id, records)."""
    session_id = next(_sessions)
    conn.execute("BEGIN")
    conn.execute(
        "INSERT INTO sessions (id, name, created_at) VALUES (?, ?, ?)",
        (session_id, f"s{session_id}", BASE),
    )
    by_key, _ = Ingestor(conn).upsert_posts([p for p, _ in drawn], now=NOW)
    records = []
    for position, (post, jam) in enumerate(drawn):
        record = by_key[(str(post.network), post.key)]
        for name, value in jam.items():
            setattr(record, name, value)
        conn.execute(
            "INSERT INTO session_posts (session_id, post_id, created_at, question, is_question, "
            "is_host) VALUES (?, ?, ?, ?, ?, ?)",
            (
                session_id,
                record.rowid,
                record.created_at,
                jam["question"],
                jam["is_question"],
                jam["is_host"],
            ),
        )
        conn.execute(
            "UPDATE posts SET retweeted_by_me = ? WHERE id = ?",
            (int(jam["is_retweeted_by_me"]), record.rowid),
        )
        if jam["is_collected"]:
            conn.execute(
                "INSERT INTO quote_items (session_id, post_id, position, added_at) VALUES (?, ?, ?, ?)",
                (session_id, record.rowid, position, BASE),
            )
        records.append(record)
    conn.execute("COMMIT")
    return session_id, records


# --------------------------------------------------------------------------- expressions


def leaves(words: list[str], phrases: list[tuple[str, ...]]) -> st.SearchStrategy[ast.Node]:
    handle_keys = st.sampled_from([fold_key(h) for h in HANDLES] + ["alice", "bob", "nobody"])
    return st.one_of(
        st.sampled_from(words).map(lambda w: ast.Text((w,))),
        st.sampled_from(phrases).map(ast.Text),
        st.sampled_from([fold_key(t) for t in TAGS] + ["socbizchat", "none"]).map(ast.Tag),
        handle_keys.map(ast.Mention),
        st.tuples(st.sampled_from(["author", "reply_to", "retweeted"]), handle_keys).map(
            lambda t: ast.Author(*t)
        ),
        st.sampled_from(ast.IS_VALUES).map(ast.Is),
        st.sampled_from(ast.HAS_VALUES).map(ast.Has),
        st.sampled_from(["en", "fr", "pt", "pt-br", "en-gb", "de"]).map(ast.Lang),
        st.sampled_from(ast.SOURCE_VALUES).map(ast.Source),
        st.tuples(st.sampled_from(ast.COUNT_FIELDS), st.integers(0, 5)).map(
            lambda t: ast.MinCount(*t)
        ),
        st.tuples(st.sampled_from(["since", "until"]), MINUTES).map(
            lambda t: ast.Time(t[0], at=BASE + 60 * t[1])
        ),
        st.tuples(st.sampled_from(["since", "until"]), st.integers(0, 8)).map(
            lambda t: ast.Time(t[0], ago=60.0 * t[1])
        ),
        st.integers(0, 4).map(ast.QuestionIs),
        st.tuples(st.sampled_from(REGEXES), st.booleans()).map(lambda t: ast.Regex(*t)),
    )


def expressions(words: list[str], phrases: list[tuple[str, ...]]) -> st.SearchStrategy[ast.Node]:
    return st.recursive(
        leaves(words, phrases),
        lambda inner: st.one_of(
            inner.map(ast.Not),
            st.lists(inner, min_size=2, max_size=4).map(lambda cs: ast.and_(*cs)),
            st.lists(inner, min_size=2, max_size=4).map(lambda cs: ast.or_(*cs)),
        ),
        max_leaves=8,
    )


def vocabulary(records: list[PostRecord]) -> tuple[list[str], list[tuple[str, ...]]]:
    words = sorted({t for r in records for t in r.tokens} | {"cafe", "zzz", "#socbiz"})
    phrases = [r.tokens[i : i + 2] for r in records for i in range(len(r.tokens) - 1)]
    return words, phrases or [("social", "business")]


def normalized(node: ast.Node) -> ast.Node:
    """``node`` as the parser builds it (relative times keep their seconds)."""
    match node:
        case ast.Not(child=child):
            return ast.Not(normalized(child))
        case ast.And(children=cs):
            return ast.and_(*map(normalized, cs))
        case ast.Or(children=cs):
            return ast.or_(*map(normalized, cs))
    return node


# --------------------------------------------------------------------------- the check

SELECT = (
    "SELECT sp.post_id FROM session_posts sp JOIN posts p ON p.id = sp.post_id "
    "WHERE sp.session_id = ? AND ({}) ORDER BY sp.created_at DESC, sp.post_id DESC"
)


def assert_agree(conn, session_id: int, records: list[PostRecord], node: ast.Node) -> None:
    text = ast.render(node)
    parsed = parse(text)
    assert parsed == normalized(node), text  # rendering and parsing are inverse
    predicate = compile_predicate(parsed, now=NOW)
    fragment, params = compile_sql(parsed, now=NOW)
    by_sql = {row[0] for row in conn.execute(SELECT.format(fragment), [session_id, *params])}
    by_python = {r.rowid for r in records if predicate(r)}
    assert by_sql == by_python, (text, fragment, params)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    conn = open_library(tmp_path_factory.mktemp("agreement") / "library.db")
    yield conn
    conn.close()


_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    database=None,
)


@settings(_SETTINGS, max_examples=500)
@given(drawn=st.lists(posts(), min_size=1, max_size=8), data=st.data())
def test_sql_and_predicate_select_the_same_posts(library, drawn, data):
    session_id, records = store(library, drawn)
    words, phrases = vocabulary(records)
    for node in data.draw(st.lists(expressions(words, phrases), min_size=4, max_size=4)):
        assert_agree(library, session_id, records, node)


def seeded_posts(count: int, *, seed: int) -> list[tuple[Post, dict]]:
    """A fixed, varied session (hypothesis may not share drawn data between examples)."""
    rnd = random.Random(seed)
    drawn = []
    for i in range(count):
        kind = rnd.choice(list(Kind))
        reply = rnd.choice(HANDLES) if rnd.random() < 0.4 else None
        words = rnd.sample(VOCAB, rnd.randint(0, 6))
        handle = rnd.choice(HANDLES)
        post = Post(
            network=rnd.choice(list(Network)),
            id=f"s{next(_ids)}",
            author=Author(id=handle, handle=handle),
            text=rnd.choice([" ", ", ", "-"]).join(words),
            created_at=datetime.fromtimestamp(BASE + 60 * rnd.randint(-4, 4), UTC),
            kind=kind,
            lang=rnd.choice(LANGS),
            hashtags=tuple(rnd.sample(TAGS, rnd.randint(0, 2))),
            mentions=tuple(rnd.sample(HANDLES, rnd.randint(0, 2))),
            links=(Link("https://t.co/x", "https://example.com"),) if i % 3 == 0 else (),
            media=(Media("image"),) if i % 4 == 0 else (),
            retweeted_id="r1" if kind is Kind.RETWEET else None,
            retweeted_handle=rnd.choice(HANDLES) if kind is Kind.RETWEET else None,
            quoted_id="q1" if kind is Kind.QUOTE else None,
            reply_to_id="t1" if reply else None,
            reply_to_handle=reply,
            metrics=Metrics(rnd.randint(0, 4), rnd.randint(0, 4), rnd.randint(0, 4)),
        )
        jam = {
            "question": rnd.choice([None, 1, 2, 3]),
            "is_question": rnd.random() < 0.2,
            "is_host": rnd.random() < 0.3,
            "is_collected": rnd.random() < 0.3,
            "is_retweeted_by_me": rnd.random() < 0.3,
        }
        drawn.append((post, jam))
    return drawn


@pytest.fixture(scope="module")
def corpus(library):
    session_id, records = store(library, seeded_posts(60, seed=20240501))
    return session_id, records, vocabulary(records)


@settings(_SETTINGS, max_examples=600)
@given(data=st.data())
def test_agreement_on_a_shared_session(library, corpus, data):
    session_id, records, (words, phrases) = corpus
    assert_agree(library, session_id, records, data.draw(expressions(words, phrases)))


# --------------------------------------------------------------------------- named cases


def _post(
    text="",
    *,
    handle="alice",
    tags=(),
    mentions=(),
    reply=None,
    lang=None,
    minutes=0,
    kind=Kind.ORIGINAL,
):
    n = next(_ids)
    return (
        Post(
            network=Network.MASTODON if "@" in handle else Network.X,
            id=f"n{n}",
            author=Author(id=handle, handle=handle),
            text=text,
            created_at=datetime.fromtimestamp(BASE + 60 * minutes, UTC),
            kind=kind,
            lang=lang,
            hashtags=tuple(tags),
            mentions=tuple(mentions),
            reply_to_id="t" if reply else None,
            reply_to_handle=reply,
        ),
        {
            "question": None,
            "is_question": False,
            "is_host": False,
            "is_collected": False,
            "is_retweeted_by_me": False,
        },
    )


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("cafe", {0, 1}),
        ('"social business"', {1}),
        ("#socbiz", {0}),
        ("-#socbiz", {1, 2, 3}),
        ("from:alice", {0, 2}),
        ("from:alice@mastodon.social", {2}),
        ("to:bob", {3}),
        ("-to:bob", {0, 1, 2}),  # posts that answer nobody stay (NULL reply_to_keys)
        ("-lang:en", {1, 2, 3}),  # posts without a language stay (NULL lang)
        ("lang:en", {0}),
        ("until:2024-05-01", {3}),  # before that day starts
        ("since:2024-05-01", {0, 1, 2}),
        ("since:-3m", {0, 1, 2}),  # now is 00:03: 00:00 exactly is inclusive
        ("@carol", {2}),
        ("regex:/^CAF/i", {0}),
        ("regex:/^CAF/", set()),
    ],
)
def test_named_cases_agree_and_match_what_users_expect(library, expression, expected):
    drawn = [
        _post("Café au lait #socbiz", tags=["socbiz"], lang="EN-GB"),
        _post("social business at the cafe", handle="zed", tags=["socbizchat"]),
        _post("hello", handle="alice@mastodon.social", mentions=["carol@x.social"], lang=None),
        _post("answer", handle="dan", reply="bob", minutes=-1),
    ]
    session_id, records = store(library, drawn)
    node = parse(expression)
    predicate = compile_predicate(node, now=NOW)
    assert {i for i, r in enumerate(records) if predicate(r)} == expected
    fragment, params = compile_sql(node, now=NOW)
    rows = {row[0] for row in library.execute(SELECT.format(fragment), [session_id, *params])}
    assert rows == {records[i].rowid for i in expected}
