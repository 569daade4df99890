"""The full-text index keeps no copy of its rows (desktop/store/fulltext.py): a
post's index row must come out the same when it is computed again from the
stored post, and a library indexed under other word rules is re-indexed."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3

from hypothesis import given, settings
from hypothesis import strategies as st

from desktop.app.demo import demo_archive_path
from desktop.core.normalize import Parsed
from desktop.store import fulltext
from desktop.store.db import connect, open_library
from desktop.store.ingest import _STORED_ROW_SOURCE, encode_post
from desktop.store.library import create_session
from desktop.store.writer import StoreWriter
from filters.text import WORDS_VERSION, fold_key, handle_keys, tokenize
from tests.fakes.fixtures import recorded_posts
from tests.fakes.index import index_words
from tests.fakes.posts import make_post


def stored_row_of(post) -> tuple:
    """The index row of ``post`` as the store computes it again later, from the
    values its posts row holds."""
    columns, _fts, _answer = encode_post(post)
    return fulltext.stored_row(*[columns[i] for i in _STORED_ROW_SOURCE])


def test_every_recorded_post_is_indexed_as_it_will_be_read_back(payloads):
    """Every post of every payload file, generated then recorded."""
    posts = recorded_posts(sorted(payloads.rglob("*.json*")))
    assert len(posts) > (1000 if payloads.name == "fixtures" else 60)
    # Hashtags, mentions, replies and accented text are all in there.
    assert any(p.hashtags for p in posts) and any(p.mentions for p in posts)
    assert any(p.reply_to_handle for p in posts) and any(not p.text.isascii() for p in posts)
    different = [p.key for p in posts if encode_post(p)[1] != stored_row_of(p)]
    assert different == []


def test_every_demo_post_is_indexed_as_it_will_be_read_back():
    posts = recorded_posts([demo_archive_path()])
    assert len(posts) > 500
    assert [p.key for p in posts if encode_post(p)[1] != stored_row_of(p)] == []


words = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    text=words,
    hashtags=st.lists(words, max_size=4),
    mentions=st.lists(words, max_size=4),
    handle=words.filter(str.strip),
    reply_to=st.one_of(st.none(), words),
    retweeted=st.one_of(st.none(), words),
)
def test_any_post_is_indexed_as_it_will_be_read_back(
    text, hashtags, mentions, handle, reply_to, retweeted
):
    post = make_post(1, text, handle=handle, hashtags=tuple(hashtags), mentions=tuple(mentions))
    post = dataclasses.replace(post, reply_to_handle=reply_to or None)
    post = dataclasses.replace(post, retweeted_handle=retweeted or None)
    assert encode_post(post)[1] == stored_row_of(post)


# The words the rules make for a fixed text, hashed. If this changes, the rules
# changed: bump filters.text.WORDS_VERSION (libraries are then re-indexed when
# opened, see fulltext.ensure_current) and record the new digest here.
RULES_DIGEST = "b99314e6e6b4f3d3"
SAMPLE = [
    "A1: Café culture, #SocBizChat @Ann_B — naïve ﬁne Straße ΣΊΣΥΦΟΣ 東京 x#y a@b ##q",
    "RT @bo.bsky.social: Q2 https://t.co/x?y=1 l'été 50% e-mail 3.14 _under_ ¡hola!",
    "😀 emoji👍🏽 ＦＵＬＬＷＩＤＴＨ ① ² Ⅻ ǅ İstanbul ﬀ Ø œ ß ẞ",
    "東京で会いましょう #東京タワー ｶﾀｶﾅ",
]
HANDLES = ["Ann_B", "@alice@m.example", "bo.bsky.social", "Ünïcode.example.com", "#Tag-Name.x"]


def rules_digest() -> str:
    made = [tokenize(t) for t in SAMPLE] + [[fold_key(h), *handle_keys(h)] for h in HANDLES]
    return hashlib.sha256(json.dumps(made).encode()).hexdigest()[:16]


def test_a_change_to_the_word_rules_comes_with_a_new_version():
    assert (WORDS_VERSION, rules_digest()) == (3, RULES_DIGEST)


def test_a_library_indexed_under_other_rules_is_reindexed_when_opened(tmp_path):
    path = tmp_path / "library.db"
    conn = open_library(path)
    session_id = create_session(conn, "jam", hashtags=["socbizchat"])
    conn.close()
    with StoreWriter(path) as writer:
        writer.ingest(
            session_id, Parsed(posts=[make_post(1, "A1: Café culture", hashtags=("SocBiz",))])
        ).result()
    # As an older JamDeck left it: other rules, other words.
    conn = sqlite3.connect(path)
    conn.execute("UPDATE store_meta SET value = 'old rules' WHERE key = 'words_version'")
    conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('delete-all')")
    conn.execute(
        "INSERT INTO posts_fts (rowid, text, tags, mentions, authors, reply_to) "
        "VALUES (1, 'cafe_culture', '', '', 'alice', '')"
    )
    conn.commit()
    conn.close()

    conn = open_library(path)
    assert index_words(path, 1) == [
        ("authors", "alice"),
        ("tags", "socbiz"),
        ("text", "a1"),
        ("text", "cafe"),
        ("text", "culture"),
    ]
    assert conn.execute("SELECT value FROM store_meta").fetchall() == [(WORDS_VERSION,)]
    conn.close()
    # Opened again: nothing to do.
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO posts_fts (posts_fts) VALUES ('delete-all')")
    conn.commit()
    conn.close()
    conn = open_library(path)
    assert index_words(path, 1) == []
    conn.close()


def test_a_rebuild_waits_for_a_moment_when_the_library_is_busy(tmp_path, caplog):
    """Another process writing does not keep the library from opening: the
    rebuild is done at the next chance."""
    path = tmp_path / "library.db"
    open_library(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE store_meta SET value = 'old rules' WHERE key = 'words_version'")
    conn.commit()
    busy = sqlite3.connect(path, isolation_level=None)
    busy.execute("BEGIN IMMEDIATE")
    mine = connect(path)
    mine.execute("PRAGMA busy_timeout = 0")
    assert fulltext.ensure_current(mine) is False
    assert "not possible now" in caplog.text
    busy.execute("ROLLBACK")
    assert fulltext.ensure_current(mine) is True
    assert mine.execute("SELECT value FROM store_meta").fetchall() == [(WORDS_VERSION,)]


def test_a_post_with_damaged_entities_can_still_be_received_again(tmp_path):
    """The old index row is computed from the stored entities: a damaged value
    there must not fail every later batch that brings the post back."""
    path = tmp_path / "library.db"
    conn = open_library(path)
    session_id = create_session(conn, "jam", hashtags=["socbizchat"])
    conn.close()
    post = make_post(1, "A1: community first")
    with StoreWriter(path) as writer:
        writer.ingest(session_id, Parsed(posts=[post])).result()
        damage = sqlite3.connect(path)
        damage.execute("UPDATE posts SET entities = '{not json' WHERE id = 1")
        damage.commit()
        damage.close()
        edited = dataclasses.replace(post, text="A1: culture later")
        writer.ingest(session_id, Parsed(posts=[edited])).result()
    assert ("text", "culture") in index_words(path, 1)
