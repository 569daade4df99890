"""A deterministic, realistic demo jam in JamDeck's own archive format (JSONL).

``generate()`` plays an hour-long #jamdeckdemo chat on "community-led product
design": a host and a co-host ask Q1..Q7 every 8-10 minutes, 45 people answer
with every label form real jams use (and without any), reply to the question
posts, retweet and quote each other, start side conversations, post links,
images with alt text, emoji, CJK and right-to-left text; two spammers, a few late
joiners and stragglers. Every payload is an X API v2 filtered-stream line.

Each post line also records the generator's INTENT (outside ``payload``, so
normalizers never see it): which question the post is meant for and how the jam
rules should find it (``label`` | ``reply`` | ``retweet`` | ``time`` | null).
Tests compare ``q:N`` results with it.

    python -m tools.demo_jam.generator OUT.jsonl [--seed 7] [--participants 45]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import re
import string
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tools.demo_jam import texts

ARCHIVE_VERSION = 1
DEFAULT_START = datetime(2026, 3, 12, 18, 0, tzinfo=UTC)
WINDOW = 20 * 60.0  # the last question stays open this long (JamState's default)
MATCHING_RULES = [{"id": "1", "tag": f"#{texts.HASHTAG}"}]
_TWITTER_EPOCH_MS = 1288834974657
_TAG = f"#{texts.HASHTAG}"

# Label forms real jams use. Start forms are prefixes, end forms suffixes.
START_FORMS = [
    "A{n}: ",
    "A{n}: ",
    "A{n}: ",
    "Q{n}: ",
    "A{n} - ",
    "#q{n} ",
    "#A{n} ",
    "a{n}) ",
    "A{n}. ",
    "A{n} ",
    "a{n}: ",
    "A{n}= ",
    "A{n}- ",
]
END_FORMS = [" A{n}", " #q{n}", " (A{n})", " #a{n}", " A{n}."]


@dataclasses.dataclass(eq=False)
class _Person:
    handle: str
    name: str
    lang: str
    bio: str
    id: str = ""
    created_at: str = ""
    metrics: tuple[tuple[str, int], ...] = ()


@dataclasses.dataclass(eq=False)
class _Draft:
    """One post before it becomes a payload."""

    t: float  # seconds from the jam's start
    author: _Person
    kind: str  # what the choreography meant (counted in the report/tests)
    body: str = ""  # text without reply mentions, links and media urls
    lang: str = "en"
    label: int | None = None  # the label written into the body
    asks: int | None = None  # a host's question post for question N
    reply_to: _Draft | None = None
    quoted: _Draft | None = None
    retweeted: _Draft | None = None
    link: tuple[str, str] | None = None
    image: bool = False
    alt: str | None = None
    # filled in by _finish
    id: str = ""
    text: str = ""
    payload_tweet: dict[str, Any] = dataclasses.field(default_factory=dict)
    intent: tuple[int | None, str | None] = (None, None)


def _iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{dt.microsecond // 1000:03d}Z"


class _Jam:
    def __init__(self, *, seed: int, start: datetime, participants: int) -> None:
        self.rng = random.Random(seed)
        self.start = start
        self.drafts: list[_Draft] = []
        self.host = self._person(texts.HOST, joined_years=9)
        self.cohost = self._person(texts.COHOST, joined_years=6)
        pool = list(texts.PARTICIPANTS)
        while len(pool) < participants:  # more than the cast: numbered guests
            i = len(pool) + 1
            pool.append((f"guest_{i:03d}", f"Guest {i}", "en", "Here for the chat"))
        self.people = [self._person(p, joined_years=None) for p in pool[:participants]]
        self.spammers = [self._person(p, joined_years=0) for p in texts.SPAMMERS]
        # Late joiners: the last fifth arrive at Q4.
        cut = len(self.people) - max(1, len(self.people) // 5)
        self.early, self.late = self.people[:cut], self.people[cut:]
        self.question_posts: dict[int, _Draft] = {}
        self.question_times: list[float] = []
        self.blocked: tuple[float, float] | None = (
            None  # no posts between a teaser and its question
        )

    # -- people and ids

    def _person(self, row: tuple[str, str, str, str], *, joined_years: int | None) -> _Person:
        handle, name, lang, bio = row
        years = joined_years if joined_years is not None else self.rng.randint(1, 14)
        joined = self.start - timedelta(
            days=365 * years + self.rng.randint(0, 300), seconds=self.rng.randint(0, 86399)
        )
        if joined.year < 2011:  # old accounts have short numeric ids
            uid = str(self.rng.randint(10_000_000, 999_999_999))
        else:
            uid = self._snowflake(joined.timestamp())
        followers = int(self.rng.lognormvariate(6, 1.3))
        metrics = (
            ("followers_count", followers),
            ("following_count", self.rng.randint(50, 3000)),
            ("tweet_count", self.rng.randint(100, 60000)),
            ("listed_count", followers // 40),
        )
        return _Person(handle, name, lang, bio, uid, _iso(joined), metrics)

    def _snowflake(self, ts: float) -> str:
        ms = int(ts * 1000)
        return str(((ms - _TWITTER_EPOCH_MS) << 22) | self.rng.getrandbits(22))

    def _tco(self) -> str:
        alphabet = string.ascii_letters + string.digits
        return "https://t.co/" + "".join(self.rng.choice(alphabet) for _ in range(10))

    # -- scheduling

    def _at(self, t: float) -> float:
        """Keep posts out of the gap between a teaser and its real question."""
        if self.blocked and self.blocked[0] <= t < self.blocked[1]:
            return self.blocked[1] + 1.0 + (t - self.blocked[0])
        return t

    def add(self, t: float, author: _Person, kind: str, **kw: Any) -> _Draft:
        t = round(self._at(t), 3)
        for parent in (kw.get("reply_to"), kw.get("quoted"), kw.get("retweeted")):
            if parent is not None and t <= parent.t:
                t = round(self._at(parent.t + 5.0), 3)
        lang = kw.pop("lang", None) or "en"  # foreign-language bodies pass their own
        d = _Draft(t=t, author=author, kind=kind, lang=lang, **kw)
        self.drafts.append(d)
        return d

    def answer_body(self, person: _Person, n: int) -> tuple[str, str]:
        if person.lang in texts.FOREIGN:
            return self.rng.choice(texts.FOREIGN[person.lang]), person.lang
        claim = self.rng.choice(texts.CLAIMS[n - 1])
        return claim + self.rng.choice(texts.TAILS), "en"

    def labelled(self, body: str, n: int, *, end: bool = False) -> str:
        """Put label ``n`` and the session hashtag around ``body`` like people do."""
        if end:
            form = self.rng.choice(END_FORMS).format(n=n)
            if self.rng.random() < 0.5:
                return f"{body}{form} {_TAG}"
            return f"{body} {_TAG}{form}" if not form.endswith(".") else f"{body}{form} {_TAG}"
        form = self.rng.choice(START_FORMS).format(n=n)
        if self.rng.random() < 0.1:
            return f"{_TAG} {form}{body}"
        return f"{form}{body} {_TAG}"

    def decorate(self, **kw: Any) -> dict[str, Any]:
        """Sometimes an image (alt text or not), sometimes a link."""
        r = self.rng.random()
        if r < 0.14:
            kw["image"] = True
            kw["alt"] = self.rng.choice(texts.IMAGE_ALTS)
        elif r < 0.24:
            kw["link"] = self.rng.choice(texts.LINKS)
        return kw

    # -- the choreography

    def play(self) -> None:
        rng = self.rng
        host, cohost = self.host, self.cohost
        for i, line in enumerate(texts.PRE_JAM):
            self.add(-300 + i * 70 + rng.uniform(0, 40), rng.choice(self.early), "pre", body=line)
        intro = self.add(
            0.0,
            host,
            "intro",
            body=(
                f"Welcome to {_TAG}! 🎉 Today: community-led product design. 7 questions, "
                "answer with A1, A2… Introduce yourselves below 👇"
            ),
        )
        self.add(
            25.0, cohost, "intro", body=f"Hi all, co-hosting {_TAG} today with @{host.handle} ☕"
        )
        for p in self.early:
            if rng.random() < 0.6:
                place = rng.choice(texts.PLACES)
                line = rng.choice(texts.INTROS).format(name=p.name.split()[0], place=place)
                if _TAG not in line:
                    line += f" {_TAG}"
                reply = intro if rng.random() < 0.5 else None
                self.add(rng.uniform(30, 170), p, "intro", body=line, reply_to=reply, lang="en")

        t = 180.0
        times = []
        for _ in texts.QUESTIONS:
            times.append(t)
            t += rng.uniform(480, 600)
        thread_tail = intro
        for n, (asked, question) in enumerate(zip(times, texts.QUESTIONS, strict=True), start=1):
            forms = {1: "Q{n} ", 2: "Q{n}: ", 3: "Q{n}. ", 4: "Q{n} = ", 5: "Q{n}) ", 6: "Q{n} - "}
            prefix = forms.get(n, "Q{n}: ").format(n=n)
            if n in (4, 6):  # the co-host asks these, standalone; the host teases Q4 first
                if n == 4:
                    self.add(
                        asked - 45,
                        host,
                        "teaser",
                        body=f"Q4 coming up in a minute ⏳ {_TAG}",
                        asks=4,
                    )
                    self.blocked = (asked - 45, asked)
                post = self.add(
                    asked, cohost, "question", body=f"{prefix}{question} {_TAG}", asks=n
                )
                self.add(asked + rng.uniform(8, 20), host, "host_retweet", retweeted=post)
            else:
                post = self.add(
                    asked,
                    host,
                    "question",
                    body=f"{prefix}{question} {_TAG}",
                    asks=n,
                    reply_to=thread_tail,
                )
                thread_tail = post
            self.question_posts[n] = post
            self.question_times.append(post.t)

        for n in range(1, len(times) + 1):
            start = times[n - 1]
            end = times[n] if n < len(times) else start + 420
            self.play_window(n, start, end)

        # Outro, stragglers inside the last window, then after it (unassigned).
        last = times[-1]
        self.add(
            last + 430,
            host,
            "outro",
            body=(
                f"That's a wrap on {_TAG}! Thank you all 💜 Recap + quotes on the blog next week"
            ),
            link=texts.LINKS[0],
        )
        self.add(last + 445, cohost, "outro", body=f"Thanks everyone, what a chat! 🙏 {_TAG}")
        for p in rng.sample(self.people, 4):
            body, lang = self.answer_body(p, 7)
            self.add(
                last + rng.uniform(460, 700),
                p,
                "late_answer",
                body=self.labelled(body, 7),
                label=7,
                lang=lang,
            )
        for p in rng.sample(self.people, 3):
            self.add(
                last + rng.uniform(460, 900),
                p,
                "after",
                body=f"Great chat today, thanks all! {_TAG}",
            )
        answers = [d for d in self.drafts if d.kind == "answer" and d.t > last]
        for p in rng.sample(self.people, 3):
            self.add(
                last + WINDOW + rng.uniform(120, 900),
                p,
                "after",
                body=f"Catching up on {_TAG} now, so many good ideas 📚",
            )
        for p in rng.sample(self.people, 2):
            self.add(
                last + WINDOW + rng.uniform(120, 900), p, "retweet", retweeted=rng.choice(answers)
            )

    def play_window(self, n: int, start: float, end: float) -> None:
        rng = self.rng
        qpost = self.question_posts[n]
        active = self.early + (self.late if n >= 4 else [])
        span = end - start
        answers: list[_Draft] = []

        def when(lo: float = 20.0) -> float:
            # Most answers come in the first minutes after the question.
            return start + min(span - 5, lo + rng.expovariate(1 / (span * 0.3)))

        for p in active:
            if rng.random() > 0.8:
                continue
            body, lang = self.answer_body(p, n)
            r = rng.random()
            if r < 0.42:
                d = self.add(
                    when(),
                    p,
                    "answer",
                    **self.decorate(body=self.labelled(body, n), label=n, lang=lang),
                )
            elif r < 0.54:
                d = self.add(
                    when(),
                    p,
                    "answer",
                    **self.decorate(body=self.labelled(body, n, end=True), label=n, lang=lang),
                )
            elif r < 0.68:  # a reply to the question post, no label
                d = self.add(
                    when(),
                    p,
                    "reply_q",
                    reply_to=qpost,
                    lang=lang,
                    **self.decorate(body=f"{body} {_TAG}"),
                )
            elif r < 0.74:  # a reply to the question post WITH a label
                d = self.add(
                    when(),
                    p,
                    "answer",
                    reply_to=qpost,
                    label=n,
                    lang=lang,
                    body=self.labelled(body, n),
                )
            elif r < 0.90:  # no label at all: the time window decides
                d = self.add(
                    when(), p, "unlabelled", lang=lang, **self.decorate(body=f"{body} {_TAG}")
                )
            else:  # a two-part thread; "1/2" and "2/2" are not labels
                d = self.add(
                    when(), p, "answer", label=n, lang=lang, body=f"A{n}: {body} 1/2 {_TAG}"
                )
                more = self.rng.choice(texts.CLAIMS[n - 1])
                self.add(
                    d.t + rng.uniform(20, 70), p, "thread", reply_to=d, body=f"2/2 {more} {_TAG}"
                )
            answers.append(d)

        # Late answers to the previous question: by label, and by replying to its post.
        if n > 1:
            for p in rng.sample(active, 3):
                body, lang = self.answer_body(p, n - 1)
                self.add(
                    start + rng.uniform(40, span - 30),
                    p,
                    "late_answer",
                    body=self.labelled(f"(late) {body}", n - 1),
                    label=n - 1,
                    lang=lang,
                )
            for p in rng.sample(active, 2):
                body, lang = self.answer_body(p, n - 1)
                self.add(
                    start + rng.uniform(40, span - 30),
                    p,
                    "late_reply_q",
                    reply_to=self.question_posts[n - 1],
                    body=f"{body} {_TAG}",
                    lang=lang,
                )

        # Side conversations between participants (no labels).
        for d in rng.sample(answers, min(5, len(answers))):
            other = rng.choice([p for p in active if p is not d.author])
            opener = self.add(
                d.t + rng.uniform(30, 150),
                other,
                "side",
                body=f"{rng.choice(texts.SIDE_OPENERS)} {_TAG}",
                reply_to=d,
            )
            back = self.add(
                opener.t + rng.uniform(30, 120),
                d.author,
                "side",
                body=f"{rng.choice(texts.SIDE_ANSWERS)} {_TAG}",
                reply_to=opener,
            )
            if rng.random() < 0.5:
                self.add(
                    back.t + rng.uniform(20, 90),
                    other,
                    "side",
                    body=f"{rng.choice(texts.SIDE_CLOSERS)} {_TAG}",
                    reply_to=back,
                )

        # The hosts react.
        for d in rng.sample(answers, min(2, len(answers))):
            self.add(
                d.t + rng.uniform(20, 90),
                rng.choice([self.host, self.cohost]),
                "host_reply",
                body=f"{rng.choice(texts.HOST_REPLIES)} {_TAG}",
                reply_to=d,
            )
        for d in rng.sample(answers, min(3, len(answers))):
            self.add(d.t + rng.uniform(10, 120), self.host, "host_retweet", retweeted=d)

        # Retweets of good answers (some answers collect several), and of the question.
        for _ in range(20):
            d = rng.choice(answers[: max(3, len(answers) // 2)] if rng.random() < 0.6 else answers)
            p = rng.choice(active)
            if p is not d.author:
                self.add(d.t + rng.uniform(5, 240), p, "retweet", retweeted=d)
        for p in rng.sample(active, 4):
            self.add(qpost.t + rng.uniform(5, 90), p, "retweet", retweeted=qpost)
        if n > 1:  # retweets of the previous question's answers keep their question
            earlier = [
                d
                for d in self.drafts
                if d.kind in ("answer", "reply_q")
                and d.t < start
                and d.t > self.question_times[n - 2]
            ]
            for p in rng.sample(active, 2):
                self.add(start + rng.uniform(30, 200), p, "retweet", retweeted=rng.choice(earlier))

        # Quote posts: a comment on a good answer, labelled or not; one quotes the question.
        for d in rng.sample(answers, min(3, len(answers))):
            p = rng.choice([x for x in active if x is not d.author])
            comment = rng.choice(texts.QUOTE_COMMENTS)
            if rng.random() < 0.5:
                self.add(
                    d.t + rng.uniform(30, 200),
                    p,
                    "quote",
                    quoted=d,
                    label=n,
                    body=self.labelled(comment, n),
                )
            else:
                self.add(d.t + rng.uniform(30, 200), p, "quote", quoted=d, body=f"{comment} {_TAG}")
        if n % 2 == 1:
            p = rng.choice(active)
            body, lang = self.answer_body(p, n)
            self.add(
                qpost.t + rng.uniform(60, 240),
                p,
                "quote_q",
                quoted=qpost,
                lang=lang,
                body=f"{body} {_TAG}",
            )

        if n in (3, 5):  # spam lands in whatever window is open
            spammer = self.spammers[0 if n == 3 else 1]
            self.add(
                start + rng.uniform(60, span - 60),
                spammer,
                "spam",
                link=texts.LINKS[4],
                body=f"{texts.SPAM[0 if n == 3 else 1]} {_TAG} #crypto",
            )

    # -- intent and payloads

    def finish(self) -> list[dict[str, Any]]:
        self.drafts.sort(key=lambda d: d.t)
        last_ms = 0
        for d in self.drafts:
            ms = int((self.start.timestamp() + d.t) * 1000)
            last_ms = max(ms, last_ms + 1)
            d.id = str(((last_ms - _TWITTER_EPOCH_MS) << 22) | self.rng.getrandbits(22))
        defining: dict[int, _Draft] = {}
        for d in self.drafts:
            if d.asks is not None:
                old = defining.get(d.asks)
                if old is None or ("?" in d.body and "?" not in old.body):
                    defining[d.asks] = d
        times = sorted((d.t, n) for n, d in defining.items())
        counts: dict[str, dict[str, int]] = {}
        records: list[dict[str, Any]] = []
        received = self.start.timestamp() - 3600.0
        for d in self.drafts:
            d.intent = self._intent(d, times)
            self._count(counts, d)
            tweet, includes = self._payload(d, counts)
            created = self.start.timestamp() + d.t
            received = max(received + 0.001, created + self.rng.uniform(0.3, 2.2))
            records.append(
                {
                    "jamdeck": ARCHIVE_VERSION,
                    "network": "x",
                    "received_at": _iso(datetime.fromtimestamp(received, UTC)),
                    "payload": {
                        "data": tweet,
                        "includes": includes,
                        "matching_rules": MATCHING_RULES,
                    },
                    "intent": {
                        "question": d.intent[0],
                        "via": d.intent[1],
                        "is_question": d.asks is not None,
                    },
                }
            )
        first = self.start + timedelta(seconds=self.drafts[0].t)
        last = self.start + timedelta(seconds=self.drafts[-1].t)
        header = {
            "jamdeck": ARCHIVE_VERSION,
            "type": "session",
            "name": "demo",
            "title": texts.TITLE,
            "hashtags": [texts.HASHTAG],
            "hosts": [self.host.handle, self.cohost.handle],
            "started_at": _iso(first.replace(second=0, microsecond=0)),
            "ended_at": _iso((last + timedelta(minutes=1)).replace(second=0, microsecond=0)),
        }
        return [header, *records]

    def _intent(self, d: _Draft, times: list[tuple[float, int]]) -> tuple[int | None, str | None]:
        if d.asks is not None:
            return d.asks, "label"
        if d.retweeted is not None:
            if d.retweeted.intent[0] is not None:
                return d.retweeted.intent[0], "retweet"
        elif d.label is not None:
            return d.label, "label"
        else:
            for ref in (d.reply_to, d.quoted):
                if ref is not None and ref.asks is not None:
                    return ref.asks, "reply"
        before = [(t, n) for t, n in times if t <= d.t]
        if not before:
            return None, None
        t, n = before[-1]
        if len(before) < len(times) or d.t - t <= WINDOW:
            return n, "time"
        return None, None

    @staticmethod
    def _count(counts: dict[str, dict[str, int]], d: _Draft) -> None:
        for ref, key in (
            (d.retweeted, "retweet_count"),
            (d.reply_to, "reply_count"),
            (d.quoted, "quote_count"),
        ):
            if ref is not None:
                c = counts.setdefault(ref.id, {})
                c[key] = c.get(key, 0) + 1

    def _metrics(self, d: _Draft, counts: dict[str, dict[str, int]]) -> dict[str, int]:
        c = counts.get(d.id, {})
        rt, rp, qt = c.get("retweet_count", 0), c.get("reply_count", 0), c.get("quote_count", 0)
        likes = 3 * rt + 2 * qt + rp + (len(d.body) % 3 if rt else 0)
        return {
            "retweet_count": rt,
            "reply_count": rp,
            "like_count": likes,
            "quote_count": qt,
            "bookmark_count": rt // 3,
            "impression_count": 40 * (rt + qt) + 12 * rp + (17 if rt or qt or rp else 0),
        }

    def _conversation(self, d: _Draft) -> str:
        root = d
        while root.reply_to is not None:
            root = root.reply_to
        return root.id

    def _build_text(self, d: _Draft) -> tuple[str, list[dict[str, Any]], list[dict[str, Any]]]:
        """The post text as X sends it, its url entities and its media objects."""
        parts = []
        if d.reply_to is not None and d.reply_to.author is not d.author:
            parts.append(f"@{d.reply_to.author.handle} ")
        text = "".join(parts) + d.body
        urls: list[dict[str, Any]] = []
        media: list[dict[str, Any]] = []
        if d.link is not None:
            short = self._tco()
            text += f" {short}"
            urls.append({"url": short, "expanded_url": d.link[0], "display_url": d.link[1]})
        if d.quoted is not None:
            short = self._tco()
            text += f" {short}"
            target = f"https://twitter.com/{d.quoted.author.handle}/status/{d.quoted.id}"
            urls.append(
                {
                    "url": short,
                    "expanded_url": target,
                    "display_url": f"twitter.com/{d.quoted.author.handle}/stat…",
                }
            )
        if d.image:
            short = self._tco()
            key = "3_" + self._snowflake(self.start.timestamp() + d.t - 20)
            text += f" {short}"
            urls.append(
                {
                    "url": short,
                    "display_url": f"pic.twitter.com/{short[-10:]}",
                    "expanded_url": f"https://twitter.com/{d.author.handle}/status/{d.id}/photo/1",
                    "media_key": key,
                }
            )
            name = "".join(
                self.rng.choice(string.ascii_letters + string.digits + "_-") for _ in range(15)
            )
            item: dict[str, Any] = {
                "media_key": key,
                "type": "photo",
                "url": f"https://pbs.twimg.com/media/{name}.jpg",
                "width": self.rng.choice([1200, 1600, 2048]),
                "height": self.rng.choice([900, 1200, 1536]),
            }
            if d.alt:
                item["alt_text"] = d.alt
            media.append(item)
        return text, urls, media

    def _entities(self, text: str, urls: list[dict[str, Any]]) -> dict[str, Any]:
        ents: dict[str, Any] = {}
        tags = [
            {"start": m.start(), "end": m.end(), "tag": m.group(1)}
            for m in re.finditer(r"(?<![\w&])#(\w+)", text)
        ]
        by_handle = {p.handle: p for p in (self.host, self.cohost, *self.people, *self.spammers)}
        mentions = [
            {
                "start": m.start(),
                "end": m.end(),
                "username": m.group(1),
                "id": by_handle[m.group(1)].id,
            }
            for m in re.finditer(r"(?<![\w])@(\w{1,15})", text)
            if m.group(1) in by_handle
        ]
        placed = []
        for u in urls:
            at = text.find(u["url"])
            if at >= 0:
                placed.append({**u, "start": at, "end": at + len(u["url"])})
        if tags:
            ents["hashtags"] = tags
        if mentions:
            ents["mentions"] = mentions
        if placed:
            ents["urls"] = placed
        return ents

    def _tweet(self, d: _Draft, counts: dict[str, dict[str, int]]) -> dict[str, Any]:
        if d.payload_tweet:  # referenced again later: same post, fresher counts
            return {**d.payload_tweet, "public_metrics": self._metrics(d, counts)}
        # X's created_at has whole seconds ("...:05.000Z"); the id keeps the milliseconds.
        created = datetime.fromtimestamp(int(self.start.timestamp() + d.t), UTC)
        tweet: dict[str, Any] = {
            "id": d.id,
            "edit_history_tweet_ids": [d.id],
            "author_id": d.author.id,
            "created_at": _iso(created),
            "conversation_id": self._conversation(d),
            "lang": d.lang,
            "possibly_sensitive": False,
            "reply_settings": "everyone",
            "edit_controls": {
                "edits_remaining": 5,
                "is_edit_eligible": d.retweeted is None,
                "editable_until": _iso(created + timedelta(hours=1)),
            },
        }
        refs: list[dict[str, str]] = []
        if d.retweeted is not None:
            orig = d.retweeted
            text = f"RT @{orig.author.handle}: {orig.text}"
            if len(text) > 140:  # X truncates the retweet's own text; the original is in includes
                text = text[:139] + "…"
            ents = self._entities(
                text,
                [
                    u
                    for u in orig.payload_tweet.get("entities", {}).get("urls", [])
                    if u["url"] in text
                ],
            )
            refs.append({"type": "retweeted", "id": orig.id})
            tweet["lang"] = orig.lang
            tweet["conversation_id"] = d.id
        else:
            text, urls, media = self._build_text(d)
            ents = self._entities(text, urls)
            if media:
                tweet["attachments"] = {"media_keys": [m["media_key"] for m in media]}
                tweet["_media"] = media
            if d.quoted is not None:
                refs.append({"type": "quoted", "id": d.quoted.id})
            if d.reply_to is not None:
                refs.append({"type": "replied_to", "id": d.reply_to.id})
                tweet["in_reply_to_user_id"] = d.reply_to.author.id
        d.text = text
        tweet["text"] = text
        if ents:
            tweet["entities"] = ents
        if refs:
            tweet["referenced_tweets"] = refs
        d.payload_tweet = tweet
        return {**tweet, "public_metrics": self._metrics(d, counts)}

    def _user(self, p: _Person) -> dict[str, Any]:
        return {
            "id": p.id,
            "name": p.name,
            "username": p.handle,
            "created_at": p.created_at,
            "description": p.bio,
            "profile_image_url": f"https://pbs.twimg.com/profile_images/{p.id[-12:]}/avatar_normal.jpg",
            "protected": False,
            "verified": False,
            "public_metrics": dict(p.metrics),
        }

    def _payload(
        self, d: _Draft, counts: dict[str, dict[str, int]]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        tweet = self._tweet(d, counts)
        if d.retweeted is not None:  # a retweet shows the original's counts
            tweet["public_metrics"] = self._metrics(d.retweeted, counts)
        media = tweet.pop("_media", None)
        users = [d.author]
        refs = [r for r in (d.retweeted, d.quoted, d.reply_to) if r is not None]
        ref_tweets = []
        media = list(media or [])
        for r in refs:
            rt = self._tweet(r, counts)
            media.extend(
                rt.pop("_media", None) or []
            )  # like the referenced_tweets.id.attachments expansion
            ref_tweets.append(rt)
            users.append(r.author)
        for m in tweet.get("entities", {}).get("mentions", []):
            users.extend(
                p for p in (self.host, self.cohost, *self.people) if p.handle == m["username"]
            )
        seen: list[_Person] = []
        for u in users:
            if all(u is not s for s in seen):
                seen.append(u)
        includes: dict[str, Any] = {}
        if media:
            includes["media"] = media
        includes["users"] = [self._user(u) for u in seen]
        if ref_tweets:
            includes["tweets"] = ref_tweets
        return tweet, includes


def generate(
    *, seed: int = 7, start: datetime | None = None, participants: int = 45
) -> list[dict[str, Any]]:
    """The demo jam as archive records: the session header, then one line per post."""
    if participants < 5:
        raise ValueError("a jam needs at least 5 participants")
    jam = _Jam(seed=seed, start=(start or DEFAULT_START).astimezone(UTC), participants=participants)
    jam.play()
    return jam.finish()


def dump_lines(records: list[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_demo(path: str | Path, **kw: Any) -> int:
    """Write ``generate(**kw)`` to ``path``; returns the number of post lines."""
    records = generate(**kw)
    with Path(path).open("w", encoding="utf-8", newline="\n") as fh:
        fh.writelines(dump_lines(records))
    return len(records) - 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write the demo jam archive (JSONL).")
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--participants", type=int, default=45)
    args = parser.parse_args(argv)
    count = write_demo(args.out, seed=args.seed, participants=args.participants)
    print(f"wrote {count} posts to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
