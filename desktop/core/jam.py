"""Jam intelligence: which question does each post answer?

A jam host posts numbered questions ("Q1 How do you define social business?
#socbizchat"); participants answer with labels ("A1: ...", "Q1: ...", "#q1 ...",
"... A1"), reply to the question post, retweet answers, or just talk while a
question is open. The question of a post is, strongest first:

1. ``manual``: the user reassigned it;
2. ``label``: an explicit label at the start or the end of the text (a host's
   question post is labelled by its own "Qn");
3. ``reply``: a reply to (or quote of) one of the host's question posts;
4. ``retweet``: a retweet takes the question of the post it retweets;
5. ``time``: the question whose window the post falls in (``question_for_time``).

Label decisions (the ambiguous cases):

- A label is ``A`` or ``Q`` (any case, optional ``#``) and a number 1..99, and it
  must END there: followed by ``:`` ``=`` ``)``, by ``.`` not followed by a digit,
  by ``-`` (or a dash) followed by a space, by a space, or by the end of the text.
  So "A10k", "A1/" and "Q1.5" are not labels, and "1/2", "2/2", "1/" (thread
  markers) never are: there is no letter.
- A label followed by a space and a digit is not a label: "Q1 2024 earnings".
  "Q4 results are in" at the start does count: in a jam that reads as a label.
- At the start, reply mentions ("@host A2: yes", ".@host A2"), a leading
  "RT @user:" and hashtags that are not labels ("#socbizchat A1: ...") are
  skipped first.
- At the end, trailing links, hashtags that are not labels, punctuation and
  emoji are skipped: "... #a1 #socbizchat https://t.co/x" is labelled 1.
  A bare ``Qn`` at the end is NOT a label ("we ship in Q4"); ``An``, ``#qn``,
  ``#an``, ``(Qn)``, ``[An]`` are.
- Fullwidth forms ("Ａ３：", typed on CJK keyboards) read as their ASCII twins.

Out-of-order posts (backfill after a reconnect, importing an archive in
pieces): ``observe`` answers with what is known now. When a question appears or
moves, earlier ``time`` assignments (and unassigned posts) may change; the store
re-infers them with the same rule as ``question_for_time``::

    the latest question asked at or before the post (by asked_at), provided the
    post is before the next question, or, after the LAST question, at most
    ``window`` seconds after it.

In SQL, for a post at time t: take ``q = (SELECT number FROM questions WHERE
asked_at <= t ORDER BY asked_at DESC LIMIT 1)`` and keep it if ``EXISTS (SELECT
1 FROM questions WHERE asked_at > t)`` or ``t - q.asked_at <= window``. Replies
to a question post that arrived before the question post should be upgraded to
``reply`` at the same moment (``question_for_reply``), and retweets follow their
original. Re-observing every post in any order after all questions are known
gives the same result as observing them in order (the tests check this).
"""

from __future__ import annotations

import bisect
import dataclasses
import re
import unicodedata
from collections.abc import Iterable
from typing import NamedTuple

from desktop.core.post import Kind, Post
from filters.text import handle_keys

DEFAULT_WINDOW = 20 * 60.0  # seconds the last question stays open

# ---------------------------------------------------------------- labels

# A label core: optional "#", A or Q, a number 1..99 (one leading zero allowed).
_CORE = r"\#?(?P<letter>[AaQq])0?(?P<num>[1-9][0-9]?)"
# What may follow a label for it to be one (see the module docstring).
_END = r"""(?:
      \s*[:=)\]]                 # "A1:", "A1 =", "A1)", "[A1]"
    | \.(?![0-9])                # "A1." but not "Q1.5"
    | \s*[-\u2013\u2014](?=\s|$) # "A1 - x", "A1- x", "A1 — x" but not "A1-rated"
    | \s+(?![0-9/])              # "A1 yes" but not "Q1 2024"
    | $
)"""
_START_LABEL = re.compile(r"[(\[]?" + _CORE + _END, re.VERBOSE)
# What every label holds, wherever it is: one search rules most posts out.
_LABEL_CORE = re.compile(r"[AaQq]0?[1-9]")
# Things that may precede a label at the start of a post.
_LEADING_SKIP = re.compile(
    r"""^(?:
      \s+
    | RT\s+@\w+:                 # a retweet's prefix
    | \.(?=@)                    # ".@host" (old public-reply habit)
    | @\w+(?:[.@-]\w+)*          # reply mentions (also user@instance, x.bsky.social)
    | \#(?![AaQq]0?[1-9][0-9]?(?![\w/]))\w+   # hashtags that are not labels
    )""",
    re.VERBOSE,
)
_TRAILING_SKIP = re.compile(
    r"""(?:
      \s+
    | https?://\S+
    | (?<![\w#])\#(?![AaQq]0?[1-9][0-9]?$)\w+   # a hashtag that is not a label
    | [^\w\s)\]\#]               # punctuation, emoji
    )$""",
    re.VERBOSE,
)
_END_LABEL = re.compile(
    r"""(?:
      (?:^|(?<=\s))\#[AaQq]0?(?P<hn>[1-9][0-9]?)        # "#q1", "#a1"
    | (?:^|(?<=\s))[Aa]0?(?P<an>[1-9][0-9]?)            # "A1" (a bare Q1 is a quarter)
    | [(\[][AaQq]0?(?P<pn>[1-9][0-9]?)[)\]]             # "(A1)", "[Q1]", glued or not
    )$""",
    re.VERBOSE,
)


def _ascii_forms(text: str) -> str:
    # NFKC maps fullwidth letters, digits and colons to ASCII; only used for matching.
    if text.isascii():  # already what NFKC gives, without its pass over the text
        return text
    return unicodedata.normalize("NFKC", text)


def _skip_leading(text: str) -> str:
    while True:
        m = _LEADING_SKIP.match(text)
        if not m or not m.group(0):
            return text
        text = text[m.end() :]


def _start_label(text: str) -> int | None:
    m = _START_LABEL.match(_skip_leading(text))
    return int(m.group("num")) if m else None


def _last_word_start(text: str) -> int:
    """Where the last whitespace-free run of ``text`` (with any trailing
    whitespace) starts. ``re``'s ``\\s`` is exactly ``str.isspace``."""
    i = len(text)
    while i and text[i - 1].isspace():
        i -= 1
    while i and not text[i - 1].isspace():
        i -= 1
    return i


def _end_label(text: str) -> int | None:
    # Every alternative of _TRAILING_SKIP and _END_LABEL is anchored at the end
    # and holds no whitespace followed by non-whitespace, so a match can only
    # start in the last word: searching from there (lookbehinds still see the
    # character before) finds the same match without scanning the whole post.
    rest = text
    while True:
        m = _TRAILING_SKIP.search(rest, _last_word_start(rest))
        if not m or not m.group(0):
            break
        rest = rest[: m.start()]
    m = _END_LABEL.search(rest, _last_word_start(rest))
    if not m:
        return None
    return int(m.group("hn") or m.group("an") or m.group("pn"))


def answer_label(text: str) -> int | None:
    """The question number an explicit label at the start or end of ``text`` names.

    >>> answer_label("@host A2: yes, every sprint #jamdeckdemo")
    2
    >>> answer_label("1/2 we started with office hours") is None
    True
    """
    folded = _ascii_forms(text)
    if _LABEL_CORE.search(folded) is None:  # most chat posts: no label anywhere
        return None
    start = _start_label(folded)
    return start if start is not None else _end_label(folded)


_QUESTION_LABEL = re.compile(
    r"^\s*(?P<tags>(?:\#\w+\s+)*?)\#?[Qq]0?(?P<num>[1-9][0-9]?)"
    r"(?:\s*[:=)\uff1a]|\.(?![0-9])|\s*[-\u2013\u2014](?=\s|$)|\s+(?![0-9/])|$)\s*"
)


def question_label(text: str, *, hashtags: Iterable[str] = ()) -> tuple[int, str] | None:
    """A host's question post: ``(number, question text)``, or None.

    The post must start with the label ("Q1", "Q1:", "Q1.", "Q1 =", "Q1)",
    "Q1 -", "#Q1"), optionally after the session's own hashtags; a retweet, or a
    post that starts with a mention (a reply in a conversation), is not a
    question. The label and the session ``hashtags`` are removed from the text.
    """
    if text.lstrip().startswith("RT @"):
        return None
    m = _QUESTION_LABEL.match(text)
    if not m:
        return None
    tags = {t.lstrip("#").casefold() for t in hashtags if t.lstrip("#")}
    if any(w[1:].casefold() not in tags for w in m.group("tags").split()):
        return None  # "#Launch Q3 ..." is not the host asking Q3
    body = text[m.end() :]
    for tag in tags:
        body = re.sub(r"(?<!\w)#" + re.escape(tag) + r"(?!\w)", " ", body, flags=re.IGNORECASE)
    return int(m.group("num")), " ".join(body.split())


# ---------------------------------------------------------------- per-session state


@dataclasses.dataclass(frozen=True)
class Question:
    number: int
    text: str
    asked_at: float  # epoch seconds (UTC)
    post_key: str | None = None


class Assignment(NamedTuple):
    """What the jam made of a post. A named tuple: one is made per post received
    (a quarter of the cost of a frozen dataclass)."""

    question: int | None
    source: str | None  # "manual" | "label" | "reply" | "retweet" | "time" | None
    is_question: bool = False
    is_host: bool = False


def _prefer(new: Question, old: Question) -> bool:
    """Which post defines question N when the host posts it twice?

    A teaser ("Q4 coming up in a minute!") and the real question both start with
    "Q4"; a corrected repost does too. The one that asks something ("?") wins;
    between equals, the earlier one (its time opens the window).
    """
    new_asks, old_asks = "?" in new.text, "?" in old.text
    if new_asks != old_asks:
        return new_asks
    return new.asked_at < old.asked_at


# ``JamState.observe``'s default for ``answer``: parse the label from the text.
UNPARSED = object()


class JamState:
    """What one session knows about its questions; assigns posts as they arrive.

    In memory and Qt-free; the store keeps the results (session_posts, questions).
    """

    def __init__(
        self,
        *,
        hosts: Iterable[str],
        hashtags: Iterable[str],
        questions: Iterable[Question] = (),
        window: float = DEFAULT_WINDOW,
    ) -> None:
        self._host_keys = {handle_keys(h)[0] for h in hosts if h.strip().lstrip("@")}
        self._is_host: dict[str, bool] = {}  # by handle as written: asked for every post
        self.hashtags = tuple(t.lstrip("#") for t in hashtags)
        self.window = float(window)
        self._questions: dict[int, Question] = {}
        self._question_posts: dict[str, int] = {}  # every post key/id that asked a question
        self._times: list[tuple[float, int]] = []  # (asked_at, number), sorted
        for q in questions:
            self._define(q, extra_keys=())

    # -- hosts

    def is_host(self, handle: str) -> bool:
        """Case-insensitive, with or without "@"; "alice" also matches Mastodon's
        "alice@instance" and Bluesky's "alice.bsky.social" (see ``handle_keys``)."""
        known = self._is_host.get(handle)
        if known is None:
            known = bool(handle and handle.strip().lstrip("@")) and any(
                k in self._host_keys for k in handle_keys(handle)
            )
            if len(self._is_host) < 100_000:  # a jam has far fewer authors
                self._is_host[handle] = known
        return known

    # -- questions

    @property
    def questions(self) -> dict[int, Question]:
        return dict(sorted(self._questions.items()))

    @property
    def question_count(self) -> int:
        """How many questions are known (grows when ``observe`` meets a new one)."""
        return len(self._questions)

    def _define(self, q: Question, *, extra_keys: Iterable[str]) -> bool:
        """Record a question definition; True if question ``q.number`` changed."""
        for key in (q.post_key, *extra_keys):
            self.remember_question_post(key, q.number)
        old = self._questions.get(q.number)
        if old is not None and not _prefer(q, old):
            return False
        self._questions[q.number] = q
        self._times = sorted((x.asked_at, x.number) for x in self._questions.values())
        return True

    def question_for_time(self, ts: float) -> int | None:
        """The question whose window holds time ``ts`` (epoch seconds), or None."""
        i = bisect.bisect_right(self._times, (ts, float("inf")))
        if i == 0:
            return None  # before the first question
        asked_at, number = self._times[i - 1]
        if i < len(self._times) or ts - asked_at <= self.window:
            return number
        return None

    def remember_question_post(self, ref: str | None, number: int) -> None:
        """Another name (a network's own id, where it differs from the key) of a
        post that asked question ``number``: replies may point at either."""
        if ref:
            self._question_posts[ref] = number

    def question_for_reply(self, post_id: str | None) -> int | None:
        """The question asked by the post with this key/id, if it is a question post."""
        return self._question_posts.get(post_id) if post_id else None

    # -- posts

    def observe(
        self,
        post: Post,
        *,
        retweeted_question: int | None = None,
        manual: int | None = None,
        answer: int | None | object = UNPARSED,
    ) -> Assignment:
        """Assign ``post`` (and learn from it, if it is a host's question).

        ``retweeted_question``: for a retweet, the question the caller assigned to
        the retweeted post (None if it has none or is unknown: then the label in the
        carried text, then the retweet's own time decide). ``manual``: the user's
        own assignment, which always wins. ``answer``: ``answer_label(post.text)``
        when the caller parsed it already.
        """
        return self.observe_fields(
            post.key,
            post.id,
            post.author.handle,
            post.text,
            post.created_at.timestamp(),
            post.kind,
            post.reply_to_id,
            post.quoted_id,
            retweeted_question=retweeted_question,
            manual=manual,
            answer=answer,
        )

    def observe_fields(
        self,
        key: str,
        post_id: str,
        handle: str,
        text: str,
        created_at: float,
        kind: str,
        reply_to_id: str | None,
        quoted_id: str | None,
        *,
        retweeted_question: int | None = None,
        manual: int | None = None,
        answer: int | None | object = UNPARSED,
    ) -> Assignment:
        """``observe`` from the post's fields (``created_at`` in epoch seconds,
        ``kind`` a ``Kind`` or its value): the store calls this with the values
        it writes, and never needs a whole ``Post`` (see
        ``desktop.store.ingest.PreparedPost``)."""
        is_host = self.is_host(handle)
        is_retweet = kind == Kind.RETWEET
        asked = None
        if is_host and not is_retweet:
            asked = question_label(text, hashtags=self.hashtags)
        if asked is not None:
            number, question_text = asked
            self._define(
                Question(number, question_text, created_at, key),
                extra_keys=(post_id,),
            )
            if manual is not None:
                return Assignment(manual, "manual", True, is_host)
            return Assignment(number, "label", True, is_host)
        if manual is not None:
            return Assignment(manual, "manual", False, is_host)
        if is_retweet and retweeted_question is not None:
            return Assignment(retweeted_question, "retweet", False, is_host)
        if answer is UNPARSED:
            answer = answer_label(text)
        if is_retweet:
            if answer is not None:
                return Assignment(answer, "retweet", False, is_host)  # type: ignore[arg-type]
        else:
            if answer is not None:
                return Assignment(answer, "label", False, is_host)  # type: ignore[arg-type]
            for ref in (reply_to_id, quoted_id):
                number = self.question_for_reply(ref)
                if number is not None:
                    return Assignment(number, "reply", False, is_host)
        number = self.question_for_time(created_at)
        if number is not None:
            return Assignment(number, "time", False, is_host)
        return Assignment(None, None, False, is_host)
