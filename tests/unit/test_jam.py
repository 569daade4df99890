"""Jam intelligence: question labels, answer labels, and which question a post answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from desktop.core.jam import Assignment, JamState, Question, answer_label, question_label
from desktop.core.post import Author, Kind, Network, Post

T0 = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
HOST = "mira_builds"


def post(
    text: str,
    *,
    at: float = 0.0,
    by: str = "ana",
    id: str | None = None,
    kind: Kind = Kind.ORIGINAL,
    reply_to: str | None = None,
    quoted: str | None = None,
    retweeted: str | None = None,
    network: Network = Network.X,
    uri: str | None = None,
) -> Post:
    return Post(
        network=network,
        id=id or f"{by}-{at}",
        author=Author(id=by, handle=by),
        text=text,
        created_at=T0 + timedelta(seconds=at),
        kind=kind,
        reply_to_id=reply_to,
        quoted_id=quoted,
        retweeted_id=retweeted,
        uri=uri,
    )


def jam(**kw) -> JamState:
    return JamState(hosts=kw.pop("hosts", [HOST]), hashtags=["socbizchat"], **kw)


# ---------------------------------------------------------------- answer labels


@pytest.mark.parametrize(
    ("text", "number"),
    [
        # at the start
        ("A1: we co-design with members", 1),
        ("A1 we co-design", 1),
        ("A1:we co-design", 1),
        ("a1. lowercase and a dot", 1),
        ("Q1: people often answer with Q", 1),
        ("q1 lowercase q", 1),
        ("#q1 hashtag label", 1),
        ("#A1 hashtag label", 1),
        ("A1 - dash with spaces", 1),
        ("A1- dash after", 1),
        ("A1 — em dash", 1),
        ("A1) paren", 1),
        ("(A1) in parens", 1),
        ("A1 = equals", 1),
        ("A1", 1),
        ("A12: two digits", 12),
        ("A99 max", 99),
        ("A01: leading zero", 1),
        ("@mira_builds A2: yes, every sprint", 2),
        ("@mira_builds @teo_cx A2 yes", 2),
        (".@mira_builds A2 the old public-reply dot", 2),
        ("@alice@mastodon.social A3: fediverse handle", 3),
        ("@bob.bsky.social A3: bluesky handle", 3),
        ("#socbizchat A4: tag first", 4),
        ("#socbizchat #cx A4: two tags first", 4),
        ("RT @ana: A5: the retweeted answer", 5),
        ("Ａ３：全角のラベル", 3),  # fullwidth, as typed on CJK keyboards
        ("A6: التصميم مع المجتمع", 6),
        # at the end
        ("we co-design with members A1", 1),
        ("we co-design with members a1", 1),
        ("we co-design #q1", 1),
        ("we co-design #A1", 1),
        ("we co-design (A1)", 1),
        ("we co-design(A1)", 1),
        ("we co-design [Q1]", 1),
        ("we co-design A1.", 1),
        ("we co-design A1 🚀", 1),
        ("we co-design #a1 #socbizchat", 1),
        ("we co-design #socbizchat A1", 1),
        ("we co-design A1 https://t.co/abcdefghij", 1),
        ("we co-design #q2 #socbizchat https://t.co/abcdefghij https://t.co/klmnopqrst", 2),
        ("1/2 the thread marker is not it, the end is A3", 3),
        ("A4: start wins over end A5", 4),
    ],
)
def test_answer_labels(text, number):
    assert answer_label(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "1/2 thread markers are not labels #socbizchat",
        "2/2 and the second half",
        "1/ a thread opener",
        "A1/ a slash is not a label end",
        "A10k users joined",
        "Q1 2024 earnings were up",
        "Q1.5 a version number",
        "A1-rated service",
        "A0 is out of range",
        "A100 is out of range",
        "#q1results is a different tag",
        "we ship it in Q4",  # a bare Q at the end is a quarter
        "the middle A1 does not count here",
        "great answer @ana",
        "thanks all! #socbizchat",
        "",
        "@mira_builds love this 👏",
        "see part 2/2",
        "(see below)",
    ],
)
def test_not_answer_labels(text):
    assert answer_label(text) is None


def test_the_quick_no_label_check_never_hides_a_label():
    """answer_label first looks for a label's core anywhere ([AaQq]0?[1-9]) and
    gives up without one: it must agree with the full start-and-end reading."""
    import random

    from desktop.core import jam

    def full_reading(text):
        folded = jam._ascii_forms(text)
        start = jam._start_label(folded)
        return start if start is not None else jam._end_label(folded)

    rng = random.Random(9)
    alphabet = "AaQq0123#()[]:.- xé＃Ａ１：\n"
    for _ in range(20000):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 10)))
        assert answer_label(text) == full_reading(text), text


def test_a_label_followed_by_words_counts_even_when_ambiguous():
    # Decided: at the start, "Qn"/"An" then a space counts; only a number after it doesn't.
    assert answer_label("Q4 results are in") == 4
    assert answer_label("Q4 2025 results") is None


# ---------------------------------------------------------------- question labels


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Q1 How do you define social business? #socbizchat",
            (1, "How do you define social business?"),
        ),
        ("Q2: Where do customers show up? #SocBizChat", (2, "Where do customers show up?")),
        ("Q3. What is hard? #socbizchat", (3, "What is hard?")),
        ("Q4 = How do you close the loop?", (4, "How do you close the loop?")),
        ("Q5) Which tools help? #socbizchat", (5, "Which tools help?")),
        ("Q6 - Who is missing? #socbizchat", (6, "Who is missing?")),
        ("q7: lower case works too?", (7, "lower case works too?")),
        ("#Q8 What now? #socbizchat", (8, "What now?")),
        ("#socbizchat Q9: tag first?", (9, "tag first?")),
        ("Q10 #socbizchat tags in the middle #socbizchat go?", (10, "tags in the middle go?")),
        ("Q11：fullwidth colon?", (11, "fullwidth colon?")),
        ("Q3 coming up in a minute!", (3, "coming up in a minute!")),
    ],
)
def test_question_labels(text, expected):
    assert question_label(text, hashtags=["socbizchat"]) == expected


@pytest.mark.parametrize(
    "text",
    [
        "RT @mira_builds: Q1 How do you define social business?",  # a retweet never asks
        "@ana Q1 was a tough one!",  # a reply in a conversation
        "A1: hosts answer too",
        "Q1 2024 earnings call",
        "#launch Q1 not a session tag first",
        "Welcome to the chat! Questions start at :05",
        "1/2 thread",
    ],
)
def test_not_question_labels(text):
    assert question_label(text, hashtags=["socbizchat"]) is None


def test_question_label_keeps_other_hashtags():
    assert question_label("Q1 Is #cx social? #socbizchat", hashtags=["#socbizchat"]) == (
        1,
        "Is #cx social?",
    )


# ---------------------------------------------------------------- hosts


@pytest.mark.parametrize(
    ("hosts", "handle", "expected"),
    [
        (["mira_builds"], "mira_builds", True),
        (["@Mira_Builds"], "mira_builds", True),
        (["mira_builds"], "@MIRA_BUILDS", True),
        (["mira_builds"], "mira_builds@mastodon.social", True),
        (["mira_builds"], "mira_builds.bsky.social", True),
        (["mira_builds@mastodon.social"], "mira_builds@mastodon.social", True),
        (["mira_builds@mastodon.social"], "mira_builds", False),  # a full handle names one account
        (["mira_builds", "teo_cx"], "teo_cx", True),
        (["mira_builds"], "mira", False),
        (["mira_builds"], "", False),
        ([""], "", False),
    ],
)
def test_is_host(hosts, handle, expected):
    assert JamState(hosts=hosts, hashtags=[]).is_host(handle) is expected


# ---------------------------------------------------------------- observe


def test_host_question_defines_the_question():
    state = jam()
    a = state.observe(
        post("Q1 How do you define social business? #socbizchat", at=60, by=HOST, id="q1")
    )
    assert a == Assignment(1, "label", True, True)
    assert state.questions == {
        1: Question(
            1, "How do you define social business?", (T0 + timedelta(seconds=60)).timestamp(), "q1"
        )
    }


def test_a_participant_posting_q1_is_answering_not_asking():
    state = jam()
    assert state.observe(post("Q1: we co-design", at=10)) == Assignment(1, "label", False, False)
    assert state.questions == {}


def test_a_host_retweet_or_answer_is_not_a_question():
    state = jam()
    state.observe(post("Q1 What? #socbizchat", at=0, by=HOST, id="q1"))
    rt = state.observe(
        post("RT @teo_cx: Q2 Why?", at=30, by=HOST, kind=Kind.RETWEET, retweeted="x")
    )
    assert rt.is_question is False and rt.is_host is True
    assert set(state.questions) == {1}
    host_answer = state.observe(post("A1: I'd say listening", at=40, by=HOST))
    assert host_answer == Assignment(1, "label", False, True)


def test_order_of_strength():
    state = jam()
    state.observe(post("Q1 First? #socbizchat", at=0, by=HOST, id="q1"))
    state.observe(post("Q2 Second? #socbizchat", at=600, by=HOST, id="q2"))
    # manual beats everything
    assert state.observe(post("A2: x", at=700, reply_to="q1"), manual=5).source == "manual"
    assert state.observe(post("A2: x", at=700, reply_to="q1"), manual=5).question == 5
    # a label beats a reply to another question's post
    assert state.observe(post("@mira_builds A2: x", at=700, reply_to="q1")) == Assignment(
        2, "label"
    )
    # a reply to Q1's post, after Q2 was asked, is for Q1
    assert state.observe(post("@mira_builds we co-design", at=700, reply_to="q1")) == Assignment(
        1, "reply"
    )
    # a quote of a question post counts like a reply
    assert state.observe(post("our take https://t.co/x", at=700, quoted="q1")) == Assignment(
        1, "reply"
    )
    # the time window otherwise
    assert state.observe(post("we co-design", at=700)) == Assignment(2, "time")


def test_manual_on_a_question_post_still_defines_the_question():
    state = jam()
    a = state.observe(post("Q3 Why? #socbizchat", at=0, by=HOST, id="q3"), manual=2)
    assert a == Assignment(2, "manual", True, True)
    assert set(state.questions) == {3}


def test_retweets_take_the_question_of_the_original():
    state = jam()
    state.observe(post("Q1 First? #socbizchat", at=0, by=HOST, id="q1"))
    state.observe(post("Q2 Second? #socbizchat", at=600, by=HOST, id="q2"))
    rt = post("RT @ana: we co-design", at=700, by="bob", kind=Kind.RETWEET, retweeted="a1")
    assert state.observe(rt, retweeted_question=1) == Assignment(1, "retweet")
    # unknown original: its carried label, then the retweet's own time
    labelled = post(
        "RT @ana: A1: we co-design", at=700, by="bob", kind=Kind.RETWEET, retweeted="zz"
    )
    assert state.observe(labelled) == Assignment(1, "retweet")
    assert state.observe(rt) == Assignment(2, "time")


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (-60, None),  # before the first question
        (0, 1),  # at the question itself
        (599, 1),
        (600, 2),  # the next question opens
        (600 + 20 * 60, 2),  # the last question stays open `window` seconds
        (600 + 20 * 60 + 1, None),
    ],
)
def test_time_window(at, expected):
    state = jam()
    state.observe(post("Q1 First? #socbizchat", at=0, by=HOST, id="q1"))
    state.observe(post("Q2 Second? #socbizchat", at=600, by=HOST, id="q2"))
    a = state.observe(post("no label here", at=at))
    assert a == Assignment(expected, "time" if expected else None)
    assert state.question_for_time((T0 + timedelta(seconds=at)).timestamp()) == expected


def test_a_long_gap_between_questions_stays_with_the_earlier_one():
    state = jam(window=60)
    state.observe(post("Q1 First? #socbizchat", at=0, by=HOST))
    state.observe(post("Q2 Second? #socbizchat", at=3600, by=HOST))
    assert state.observe(post("still on Q1", at=3000)).question == 1
    assert state.window == 60


def test_questions_out_of_order_and_reinference():
    state = jam()
    reply = post("@mira_builds we co-design", at=650, reply_to="q2")
    plain = post("side chat", at=650)
    # Backfill: Q2 arrives after posts that belong to it.
    state.observe(post("Q1 First? #socbizchat", at=0, by=HOST, id="q1"))
    assert state.observe(reply) == Assignment(1, "time")
    assert state.observe(plain) == Assignment(1, "time")
    state.observe(post("Q2 Second? #socbizchat", at=600, by=HOST, id="q2"))
    # Re-observing (the store's re-inference) now gives the right answers.
    assert state.observe(reply) == Assignment(2, "reply")
    assert state.observe(plain) == Assignment(2, "time")
    assert state.question_for_reply("q2") == 2
    # A question asked earlier than the known ones slots in by time, not by number.
    state.observe(post("Q3 Odd order? #socbizchat", at=300, by=HOST, id="q3"))
    assert state.observe(post("x", at=400)).question == 3
    assert list(state.questions) == [1, 2, 3]


def test_a_teaser_does_not_move_the_question():
    state = jam()
    state.observe(post("Q1 First? #socbizchat", at=0, by=HOST, id="q1"))
    teaser = state.observe(post("Q2 coming up in a minute! #socbizchat", at=540, by=HOST, id="t2"))
    assert teaser == Assignment(2, "label", True, True)
    state.observe(post("Q2 Second? #socbizchat", at=600, by=HOST, id="q2"))
    q2 = state.questions[2]
    assert (q2.text, q2.post_key) == ("Second?", "q2")
    assert state.observe(post("late Q1 chat", at=570)).question == 1
    # a correction posted later keeps the original time; replies to either post count
    state.observe(post("Q2 Second, fixed? #socbizchat", at=660, by=HOST, id="q2b"))
    assert state.questions[2].asked_at == (T0 + timedelta(seconds=600)).timestamp()
    assert state.observe(post("@mira_builds yes", at=700, reply_to="q2b")) == Assignment(2, "reply")


def test_initial_questions_and_mastodon_keys():
    asked = (T0 + timedelta(seconds=0)).timestamp()
    state = jam(
        questions=[Question(1, "First?", asked, "https://inst.social/users/mira/statuses/1")]
    )
    assert state.question_for_time(asked + 10) == 1
    toot = post(
        "we co-design",
        at=30,
        network=Network.MASTODON,
        reply_to="https://inst.social/users/mira/statuses/1",
        uri="https://other.social/users/ana/statuses/9",
    )
    assert state.observe(toot) == Assignment(1, "reply")


def test_hashtags_may_be_given_with_or_without_hash():
    state = JamState(hosts=[HOST], hashtags=["#socbizchat"])
    state.observe(post("Q1 First? #socbizchat", at=0, by=HOST))
    assert state.questions[1].text == "First?"
