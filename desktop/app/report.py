"""The jam report: the recap a host publishes, computed from the library (no Qt).

``build_report`` reads any session, live or cached, of any mix of networks, in
a few aggregate queries (``desktop.store.report``): the posts and people, the
first-timers (people not seen in the library's earlier sessions on the same
hashtag), posts per minute by network, each question with the posts its
``q:N`` column holds (counted exactly as that column counts: the filter
compiled to SQL, ``store.library.count_matching``), labelled vs inferred, the
time to its first answer and its most-engaged answers, the top participants,
the hosts' activity and the most shared links.

``report_document`` is the report as plain data (the JSON export, and what the
export formats lay out); ``write_report`` writes one of the three formats.
Charts (matplotlib) are drawn only by the formats that show them, so building
a report imports no plotting library.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from desktop.core.session import Session
from desktop.export import report as report_export
from desktop.export.quotes import expand_links
from desktop.store import library
from desktop.store import quotes as store_quotes
from desktop.store import report as store_report
from filters import compile_sql

__all__ = [
    "FORMATS",
    "Answer",
    "Participant",
    "QuestionStats",
    "Report",
    "build_report",
    "report_document",
    "transcript",
    "write_report",
]

FORMATS = report_export.FORMATS
TOP_PARTICIPANTS = 10
TOP_ANSWERS = 3
TOP_LINKS = 10


@dataclasses.dataclass(frozen=True, slots=True)
class Answer:
    handle: str
    network: str
    text: str
    created_at: float
    url: str
    retweets: int
    likes: int
    quotes: int

    @property
    def engagement(self) -> int:
        return self.retweets + self.likes + self.quotes


@dataclasses.dataclass(frozen=True, slots=True)
class QuestionStats:
    number: int
    text: str
    asked_at: float | None  # None: answers carry its label, but the host never asked it
    posts: int  # what the q:N column holds (the question post included)
    labelled: int  # assigned by a label, a reply, a retweet or by hand
    inferred: int  # assigned by time (posted while it was the open question)
    first_answer_after: float | None  # seconds from the question to its first answer
    top_answers: tuple[Answer, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Participant:
    handle: str
    network: str
    display_name: str
    posts: int
    answers: int
    retweets_received: int  # on their own posts, as last seen
    retweets_made: int
    questions_asked: int
    first_time: bool  # not seen in the library's earlier sessions on the hashtag
    is_host: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Report:
    session: Session
    posts: int
    first_post: float | None
    last_post: float | None
    participants: int
    first_time: int
    returning: int
    earlier_sessions: int
    networks: dict[str, int]  # posts per network
    volume: tuple[tuple[float, dict[str, int]], ...]  # (minute start, {network: posts})
    questions: tuple[QuestionStats, ...]
    unassigned: int  # posts of no question
    top_participants: tuple[Participant, ...]
    hosts: tuple[Participant, ...]  # every host handle that posted
    links: tuple[tuple[str, int], ...]  # (url, posts), most shared first


def _minutes(rows: list[tuple], network: str | None) -> tuple[tuple[float, dict], ...]:
    """Every minute from the first post's to the last one's (quiet minutes too)."""
    by_minute: dict[int, dict[str, int]] = {}
    for minute, net, count in rows:
        bucket = by_minute.setdefault(int(minute), {})
        key = net or network or ""
        bucket[key] = bucket.get(key, 0) + count
    if not by_minute:
        return ()
    first, last = min(by_minute), max(by_minute)
    return tuple((float(m), by_minute.get(m, {})) for m in range(first, last + 60, 60))


def build_report(
    conn: sqlite3.Connection,
    session: Session | str | int,
    *,
    top: int = TOP_PARTICIPANTS,
) -> Report:
    """The report of ``session`` (a ``Session``, a name or an id) as the library has it now."""
    if not isinstance(session, Session):
        session = library.get_session(conn, session, count_posts=False)
    sid = session.id
    hosts = {h.lower().lstrip("@") for h in session.hosts}

    # The one pass over the posts, by author and question: most of the time.
    author_rows = store_report.author_question_rows(conn, sid)
    links = store_report.shared_links(conn, sid, limit=TOP_LINKS)
    span = library.session_time_range(conn, sid)
    minutes = store_report.volume_rows(conn, sid, by_network=False, span=span)
    totals: dict[int, list] = {}
    per_question: dict[int | None, list[int]] = {}  # question -> [posts, inferred]
    best: dict[int, list[tuple[int, int]]] = {}  # question -> [(engagement, post rowid)]
    networks: dict[str, int] = {}
    for row in author_rows:
        author, number, network, count, answers, received, made, asked, inferred = row[:9]
        engagement, post = row[9:]
        t = totals.setdefault(author, [network, 0, 0, 0, 0, 0])
        t[1] += count
        t[2] += answers or 0
        t[3] += received or 0
        t[4] += made or 0
        t[5] += asked or 0
        networks[network] = networks.get(network, 0) + count
        q = per_question.setdefault(number, [0, 0])
        q[0] += count
        q[1] += inferred or 0
        if number is not None and engagement:
            best.setdefault(number, []).append((engagement, post))
    posts = sum(networks.values())
    earlier = store_report.earlier_sessions(conn, session)
    seen_before = store_report.authors_in(conn, earlier)
    returning = len(seen_before & totals.keys())

    ranked = sorted(totals, key=lambda a: (-totals[a][1], a))
    host_rowids = store_report.author_rowids(conn, hosts)
    host_ids = [a for a in ranked if a in host_rowids]
    names = store_report.authors(conn, list(dict.fromkeys(ranked[:top] + host_ids)))

    def participant(author: int) -> Participant:
        network, count, answers, received, made, asked = totals[author]
        net, handle, display = names.get(author, (network, "?", ""))
        return Participant(
            handle=handle,
            network=net,
            display_name=display,
            posts=count,
            answers=answers,
            retweets_received=received,
            retweets_made=made,
            questions_asked=asked,
            first_time=author not in seen_before,
            is_host=handle.lower() in hosts,
        )

    # Questions: the ones asked, and any number answers carry.
    asked_at = library.question_texts(conn, sid)
    numbers = sorted(set(asked_at) | {n for n in per_question if n is not None})
    top_posts = {
        number: sorted(candidates, key=lambda c: (-c[0], c[1]))[:TOP_ANSWERS]
        for number, candidates in best.items()
    }
    answer_rows = store_report.post_rows(
        conn, [post for chosen in top_posts.values() for _e, post in chosen]
    )
    questions = []
    for number in numbers:
        text, when = asked_at.get(number, ("", None))
        where, params = compile_sql(f"q:{number}")
        inferred = per_question.get(number, [0, 0])[1]
        count = library.count_matching(conn, sid, where, params)
        first = store_report.first_answer(conn, sid, number)
        answers = []
        for _engagement, post in top_posts.get(number, ()):
            row = answer_rows.get(post)
            if row is not None:
                network, handle, text_, created, url, retweets, likes, quotes, short = row
                text_ = expand_links(text_, short)  # where t.co links lead
                answers.append(
                    Answer(handle, network, text_, created, url, retweets, likes, quotes)
                )
        questions.append(
            QuestionStats(
                number=number,
                text=text,
                asked_at=when,
                posts=count,
                labelled=count - inferred,
                inferred=inferred,
                first_answer_after=None
                if first is None or when is None
                else max(0.0, first - when),
                top_answers=tuple(answers),
            )
        )

    if len(networks) > 1:  # the minutes by network: a pass over the posts again
        minutes = store_report.volume_rows(conn, sid, by_network=True)
    volume = _minutes(minutes, next(iter(networks), None))
    return Report(
        session=session,
        posts=posts,
        first_post=volume[0][0] if volume else None,
        last_post=volume[-1][0] + 60 if volume else None,
        participants=len(totals),
        first_time=len(totals) - returning,
        returning=returning,
        earlier_sessions=len(earlier),
        networks=dict(sorted(networks.items(), key=lambda kv: -kv[1])),
        volume=volume,
        questions=tuple(questions),
        unassigned=per_question.get(None, [0, 0])[0],
        top_participants=tuple(participant(a) for a in ranked[:top]),
        hosts=tuple(participant(a) for a in host_ids),
        links=tuple((url, n) for url, n in links),
    )


def _iso(ts: float | None) -> str | None:
    if ts is None:
        return None
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _participant(p: Participant) -> dict:
    return {
        "handle": p.handle,
        "network": p.network,
        "display_name": p.display_name,
        "posts": p.posts,
        "answers": p.answers,
        "retweets_received": p.retweets_received,
        "retweets_made": p.retweets_made,
        "questions_asked": p.questions_asked,
        "first_time": p.first_time,
        "is_host": p.is_host,
    }


def report_document(report: Report) -> dict:
    """The report as plain, JSON-ready data (what every format lays out)."""
    session = report.session
    return {
        "session": {
            "name": session.name,
            "title": session.title or session.name,
            "hashtags": list(session.hashtags),
            "hosts": list(session.hosts),
            "first_post": _iso(report.first_post),
            "last_post": _iso(report.last_post),
        },
        "posts": report.posts,
        "participants": report.participants,
        "first_time_participants": report.first_time,
        "returning_participants": report.returning,
        "earlier_sessions": report.earlier_sessions,
        "networks": dict(report.networks),
        "unassigned_posts": report.unassigned,
        "questions": [
            {
                "number": q.number,
                "text": q.text,
                "asked_at": _iso(q.asked_at),
                "posts": q.posts,
                "labelled": q.labelled,
                "inferred": q.inferred,
                "first_answer_after_s": q.first_answer_after,
                "top_answers": [
                    {
                        "handle": a.handle,
                        "network": a.network,
                        "text": a.text,
                        "created_at": _iso(a.created_at),
                        "url": a.url,
                        "retweets": a.retweets,
                        "likes": a.likes,
                        "quotes": a.quotes,
                    }
                    for a in q.top_answers
                ],
            }
            for q in report.questions
        ],
        "top_participants": [_participant(p) for p in report.top_participants],
        "hosts": [_participant(p) for p in report.hosts],
        "links": [{"url": url, "posts": n} for url, n in report.links],
        "volume": [
            {"minute": _iso(minute), "posts": sum(nets.values()), "by_network": dict(nets)}
            for minute, nets in report.volume
        ],
    }


def transcript(conn: sqlite3.Connection, session: Session) -> Iterator[dict]:
    """Every post of the session, grouped by question and in time order (streamed)."""
    return store_report.transcript(conn, session.id)


def write_report(
    conn: sqlite3.Connection,
    session_name: str,
    fmt: str,
    out: TextIO,
    *,
    charts_dir: Path | None = None,
    charts_stem: str = "report",
) -> list[Path]:
    """Write the session's report as ``fmt`` (html | md | json) to ``out``.

    ``md``: the charts go to PNG files in ``charts_dir`` (named after
    ``charts_stem``), linked from the text; without a ``charts_dir`` the text
    has none. Returns the chart files written.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown report format {fmt!r} (one of {', '.join(FORMATS)})")
    session = library.get_session(conn, session_name, count_posts=False)
    document = report_document(build_report(conn, session))
    if fmt == "json":
        out.write(report_export.to_json(document))
        return []
    quote_list = store_quotes.load_quote_list(conn, session)
    if fmt == "html":
        charts = report_export.charts(document, fmt="svg")
        report_export.write_html(
            document, out, charts=charts, quotes=quote_list, transcript=transcript(conn, session)
        )
        return []
    written: list[Path] = []
    links: dict[str, str] = {}
    if charts_dir is not None:
        for name, data in report_export.charts(document, fmt="png").items():
            path = Path(charts_dir) / f"{charts_stem}-{name}.png"
            path.write_bytes(data)
            written.append(path)
            links[name] = path.name
    out.write(report_export.to_markdown(document, charts=links, quotes=quote_list))
    return written
