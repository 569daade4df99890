"""The jam report's formats: JSON, a Markdown recap, and one self-contained HTML
page (the recap, then the full archive of the session).

Plain data in (``desktop.app.report.report_document``, a ``QuoteList``, the
transcript's post dicts), text out. Every string that came from a post, a
profile or a question is untrusted and escaped as the quote-list export does
(``desktop.export.quotes``): Markdown backslash-escapes markup, HTML escapes
every string and links only to http(s). The HTML page loads nothing: its
charts are inline SVG, its style is in the page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import TextIO

from desktop.core.quotes import QuoteList, QuoteSection
from desktop.export.quotes import expand_links, md_escape, split_urls
from desktop.export.safety import html_text, safe_url

__all__ = ["FORMATS", "charts", "to_json", "to_markdown", "write_html"]

FORMATS = ("html", "md", "json")

CHART_TITLES = {
    "volume": "Posts per minute, questions marked",
    "questions": "Posts per question (labelled and inferred)",
}


# ---------------------------------------------------------------- shared


def _time(iso: str | None) -> datetime | None:
    return None if iso is None else datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _clock(iso: str | None) -> str:
    moment = _time(iso)
    return "" if moment is None else f"{moment:%H:%M} UTC"


def _date(iso: str | None) -> str:
    moment = _time(iso)
    return "" if moment is None else f"{moment:%A %d %B %Y}"


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "no answer"
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _hosts(document: dict) -> str:
    return ", ".join("@" + h for h in document["session"]["hosts"])


def _sections(quotes: QuoteList | None) -> dict[int | None, QuoteSection]:
    if quotes is None:
        return {}
    return {s.question: s for s in quotes.sections if s.items}


def charts(document: dict, *, fmt: str, dark: bool = False) -> dict[str, bytes]:
    """The report's charts as ``fmt`` (svg | png) files, by name (imports matplotlib)."""
    from desktop.export import charts as drawing

    volume = [(_time(v["minute"]).timestamp(), v["by_network"]) for v in document["volume"]]
    asked = [
        (q["number"], _time(q["asked_at"]).timestamp() if q["asked_at"] else None)
        for q in document["questions"]
    ]
    out = {"volume": drawing.volume_chart(volume, asked, fmt=fmt, dark=dark)}
    if document["questions"]:
        out["questions"] = drawing.questions_chart(
            [(q["number"], q["labelled"], q["inferred"]) for q in document["questions"]],
            fmt=fmt,
            dark=dark,
        )
    return out


# ---------------------------------------------------------------- JSON


def to_json(document: dict) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


# ---------------------------------------------------------------- Markdown


def _md_link(text: str, url: str | None) -> str:
    target = safe_url(url)
    if not target:
        return md_escape(text)
    escaped = "".join({"<": "%3C", ">": "%3E", " ": "%20"}.get(c, c) for c in target)
    return f"[{md_escape(text)}](<{escaped}>)"


def _md_cell(text: str) -> str:
    return md_escape(text).replace("\n", " ").replace("  ", " ")


def to_markdown(
    document: dict, *, charts: Mapping[str, str] | None = None, quotes: QuoteList | None = None
) -> str:
    """The recap (no transcript); ``charts``: chart name -> image file beside it."""
    session = document["session"]
    out = [f"# {md_escape(session['title'])}", ""]
    facts = [
        _date(session["first_post"]),
        f"{_clock(session['first_post'])}–{_clock(session['last_post'])}".strip("–"),
        " ".join("#" + t for t in session["hashtags"]),
    ]
    if session["hosts"]:
        facts.append("hosted by " + _hosts(document))
    out += [md_escape(" · ".join(f for f in facts if f)), ""]
    returning = (
        f" ({document['first_time_participants']:,} first-time, "
        f"{document['returning_participants']:,} returning)"
        if document["earlier_sessions"]
        else ""
    )
    out += [
        f"**{document['posts']:,}** posts · **{document['participants']:,}** participants"
        f"{returning} · **{len(document['questions'])}** questions",
        "",
    ]
    for name, path in (charts or {}).items():
        out += [f"![{md_escape(CHART_TITLES.get(name, name))}](<{path}>)", ""]
    sections = _sections(quotes)
    for q in document["questions"]:
        heading = f"Q{q['number']}: {q['text']}" if q["text"] else f"Q{q['number']}"
        out += [f"## {md_escape(heading)}", ""]
        out += [
            md_escape(
                f"Asked {_clock(q['asked_at']) or '(not asked)'} · {q['posts']:,} posts "
                f"({q['labelled']:,} labelled, {q['inferred']:,} inferred) · "
                f"first answer after {_duration(q['first_answer_after_s'])}"
            ),
            "",
        ]
        out += _md_quotes(sections.get(q["number"]))
        if q["top_answers"]:
            out += ["Most-engaged answers:", ""]
            for a in q["top_answers"]:
                out.append(
                    f"- **@{md_escape(a['handle'])}**: "
                    f"{md_escape(a['text'], autolinks=True).replace('  ' + chr(10), ' ')} "
                    f"({_count(a['retweets'], 'repost')}, {_count(a['likes'], 'like')}) "
                    f"{_md_link('original post', a['url'])}"
                )
            out.append("")
    if None in sections:
        out += ["## Other quotes", ""] + _md_quotes(sections[None])
    out += ["## Top participants", "", "| who | network | posts | answers | reposts received |"]
    out.append("|---|---|---:|---:|---:|")
    for p in document["top_participants"]:
        who = f"@{p['handle']}" + (" (host)" if p["is_host"] else "")
        out.append(
            f"| {_md_cell(who)} | {_md_cell(p['network'])} | {p['posts']:,} | {p['answers']:,} "
            f"| {p['retweets_received']:,} |"
        )
    out.append("")
    if document["hosts"]:
        out += ["## Hosts", ""]
        for p in document["hosts"]:
            out.append(
                f"- **@{md_escape(p['handle'])}**: {p['posts']:,} posts, "
                f"{p['questions_asked']} questions asked, {p['answers']:,} answers"
            )
        out.append("")
    if document["links"]:
        out += ["## Most shared links", ""]
        for link in document["links"]:
            out.append(f"- {_md_link(link['url'], link['url'])} ({link['posts']:,} posts)")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _md_quotes(section: QuoteSection | None) -> list[str]:
    if section is None:
        return []
    out = ["Collected quotes:", ""]
    for item in section.items:
        text = md_escape(expand_links(item.text, item.links), autolinks=True)
        out.append(f"> **@{md_escape(item.handle)}**: {text.replace(chr(10), chr(10) + '> ')}")
        if item.note:
            out.append(f">  \n> *{md_escape(item.note)}*")
        out.append("")
    return out


# ---------------------------------------------------------------- HTML

_CSS = """
body { margin: 0; background: #fafaf7; color: #1d1d1f;
  font: 16px/1.55 -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
main { max-width: 52rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1 { font-size: 2rem; line-height: 1.25; margin: 0 0 .25rem; }
.facts { color: #6b6b70; margin: 0 0 1.5rem; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(8.5rem, 1fr));
  gap: .75rem; margin: 0 0 1.5rem; padding: 0; list-style: none; }
.stats li { background: #fff; border: 1px solid #e2e2dc; border-radius: 6px; padding: .6rem .8rem; }
.stats b { display: block; font-size: 1.5rem; }
.stats span { color: #6b6b70; font-size: .85rem; }
figure { margin: 0 0 1.5rem; }
figure svg { width: 100%; height: auto; display: block; }
figcaption { color: #6b6b70; font-size: .85rem; }
h2 { font-size: 1.3rem; line-height: 1.35; margin: 2.5rem 0 .5rem; padding-top: 1rem;
  border-top: 1px solid #e2e2dc; }
h2 .q { color: #8a5a00; margin-right: .35rem; }
h3 { font-size: 1rem; margin: 1.25rem 0 .5rem; color: #3d3d40; }
.qmeta { color: #6b6b70; font-size: .9rem; margin: 0 0 1rem; }
.quote { margin: 0 0 1rem; padding: .6rem .9rem; background: #fff;
  border-left: 4px solid #d9a441; border-radius: 4px; }
.quote.top { border-left-color: #9ab0d0; }
.quote p { margin: 0; overflow-wrap: anywhere; }
.handle { font-weight: 600; }
.meta { margin-top: .3rem; font-size: .85em; color: #6b6b70; }
a { color: #2a5db0; }
.note { margin: .4rem 0 0; font-style: italic; color: #3d3d40; }
table { border-collapse: collapse; width: 100%; margin: 0 0 1rem; font-size: .95rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid #e2e2dc; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
.links li { overflow-wrap: anywhere; }
.transcript h3 { position: sticky; top: 0; background: #fafaf7; padding: .4rem 0;
  border-bottom: 1px solid #e2e2dc; }
.post { display: grid; grid-template-columns: 4.2rem 1fr; gap: .5rem; padding: .3rem 0;
  border-bottom: 1px solid #efefea; font-size: .93rem; }
.post time { color: #6b6b70; font-variant-numeric: tabular-nums; }
.post p { margin: 0; overflow-wrap: anywhere; }
.post.rt { color: #6b6b70; font-size: .85rem; }
.post.asked { background: #fff6e0; }
.tag { font-size: .75rem; color: #6b6b70; border: 1px solid #e2e2dc; border-radius: 3px;
  padding: 0 .25rem; margin-left: .25rem; }
@media (prefers-color-scheme: dark) {
  body, .transcript h3 { background: #1b1b1d; color: #e8e8ea; }
  .stats li, .quote { background: #252528; border-color: #3a3a3e; }
  h2, th, td, .post, .transcript h3 { border-color: #3a3a3e; }
  a { color: #8ab4f8; } h2 .q { color: #e0b060; } .post.asked { background: #2e2a20; }
  figure svg { background: #fff; border-radius: 4px; }
}
""".strip()


def _h(text: object) -> str:
    return html_text(str(text))


def _html_text(text: str, links: tuple = ()) -> str:
    """Escaped post text with its short links expanded, http(s) URLs as links,
    line breaks as <br>."""
    if not links and "http" not in text.lower():  # most posts: nothing to link
        return "<br>".join(_h(line) for line in text.splitlines())
    out = []
    for line in expand_links(text, links).splitlines():
        out.append(
            "".join(
                f'<a href="{_h(piece)}" rel="noopener noreferrer">{_h(piece)}</a>'
                if is_url
                else _h(piece)
                for is_url, piece in split_urls(line)
            )
        )
    return "<br>".join(out)


def _html_link(text: str, url: str | None) -> str:
    target = safe_url(url)
    if not target:
        return _h(text)
    return f'<a href="{_h(target)}" rel="noopener noreferrer">{_h(text)}</a>'


def _svg(data: bytes) -> str:
    """An SVG file's markup for inlining: without its XML prolog and doctype."""
    text = data.decode("utf-8")
    return text[text.index("<svg") :]


def _question_heading(q: dict) -> str:
    return f'<span class="q">Q{q["number"]}</span>{_h(q["text"])}'


def _html_quotes(section: QuoteSection | None) -> list[str]:
    if section is None:
        return []
    out = ["<h3>Collected quotes</h3>"]
    for item in section.items:
        out.append('<blockquote class="quote">')
        out.append(
            f'<p><span class="handle">@{_h(item.handle)}</span>: '
            f"{_html_text(item.text, item.links)}</p>"
        )
        if safe_url(item.url):
            out.append(f'<p class="meta">{_html_link("original post", item.url)}</p>')
        if item.note:
            out.append(f'<p class="note">{_h(item.note)}</p>')
        out.append("</blockquote>")
    return out


def _participants_table(
    people: list[dict], *, hosts: bool = False, earlier: bool = True
) -> list[str]:
    extra = '<th class="n">questions asked</th>' if hosts else ""
    out = [
        "<table>",
        '<thead><tr><th>who</th><th>network</th><th class="n">posts</th>'
        f'<th class="n">answers</th><th class="n">reposts received</th>{extra}</tr></thead>',
        "<tbody>",
    ]
    for p in people:
        badges = ('<span class="tag">host</span>' if p["is_host"] and not hosts else "") + (
            '<span class="tag">first time</span>' if p["first_time"] and earlier else ""
        )
        name = f" {_h(p['display_name'])}" if p["display_name"] else ""
        asked = f'<td class="n">{p["questions_asked"]}</td>' if hosts else ""
        out.append(
            f'<tr><td><span class="handle">@{_h(p["handle"])}</span>{name}{badges}</td>'
            f'<td>{_h(p["network"])}</td><td class="n">{p["posts"]:,}</td>'
            f'<td class="n">{p["answers"]:,}</td><td class="n">{p["retweets_received"]:,}</td>'
            f"{asked}</tr>"
        )
    out += ["</tbody>", "</table>"]
    return out


def _group_title(post: dict, titles: dict[int, str]) -> tuple[object, str]:
    """The transcript group of a post: (key, heading)."""
    number = post["question"]
    if number is not None:
        text = titles.get(number, "")
        return ("q", number), f"Q{number}" + (f": {text}" if text else "")
    after = post["after"]
    if after is None:
        return ("before", None), "Before the first question"
    following = min((n for n in titles if n > after), default=None)
    if following is None:
        return ("after", after), f"After Q{after}"
    return ("after", after), f"Between Q{after} and Q{following}"


def _transcript_post(post: dict) -> str:
    classes = ["post"]
    if post["kind"] == "retweet":
        classes.append("rt")
    if post["is_question"]:
        classes.append("asked")
    moment = datetime.fromtimestamp(post["created_at"], UTC)
    stamp = moment.isoformat().replace("+00:00", "Z")
    handle = _html_link(f"@{post['handle']}", post["url"])
    inferred = '<span class="tag">inferred</span>' if post["question_source"] == "time" else ""
    host = '<span class="tag">host</span>' if post["is_host"] else ""
    if post["kind"] == "retweet":
        inferred = '<span class="tag">repost</span>'
    return (
        f'<div class="{" ".join(classes)}"><time datetime="{stamp}">{moment:%H:%M:%S}</time>'
        f'<p><span class="handle">{handle}</span>{host}{inferred} '
        f"{_html_text(post['text'], post['links'])}</p></div>"
    )


def write_html(
    document: dict,
    out: TextIO,
    *,
    charts: Mapping[str, bytes] | None = None,
    quotes: QuoteList | None = None,
    transcript: Iterable[dict] = (),
    lang: str = "en",
) -> None:
    """The recap and the full archive as one page, written to ``out`` as it goes
    (the transcript is streamed: a session of a million posts is never in memory)."""
    session = document["session"]
    title = _h(session["title"])
    write = out.write
    write(
        "<!DOCTYPE html>\n"
        f'<html lang="{_h(lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # Nothing on this page may load or run anything.
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'; img-src data:\">\n"
        f"<title>{title}</title>\n<style>\n{_CSS}\n</style>\n</head>\n<body>\n<main>\n"
        f"<h1>{title}</h1>\n"
    )
    facts = [
        _h(_date(session["first_post"])),
        _h(f"{_clock(session['first_post'])}–{_clock(session['last_post'])}".strip("–")),
        _h(" ".join("#" + t for t in session["hashtags"])),
    ]
    if session["hosts"]:
        facts.append("hosted by " + _h(_hosts(document)))
    write(f'<p class="facts">{" · ".join(f for f in facts if f)}</p>\n')
    stats = [
        (document["posts"], "posts"),
        (document["participants"], "participants"),
        (len(document["questions"]), "questions"),
    ]
    if document["earlier_sessions"]:  # else everyone is a first-timer: nothing to say
        stats[2:2] = [
            (document["first_time_participants"], "first-time"),
            (document["returning_participants"], "returning"),
        ]
    if len(document["networks"]) > 1:
        stats += [(n, f"on {network}") for network, n in document["networks"].items()]
    write(
        '<ul class="stats">'
        + "".join(f"<li><b>{n:,}</b><span>{_h(label)}</span></li>" for n, label in stats)
        + "</ul>\n"
    )
    for name, data in (charts or {}).items():
        caption = _h(CHART_TITLES.get(name, name))
        write(
            f'<figure role="img" aria-label="{caption}">{_svg(data)}'
            f"<figcaption>{caption}</figcaption></figure>\n"
        )
    sections = _sections(quotes)
    for q in document["questions"]:
        lines = [f'<section id="q{q["number"]}">', f"<h2>{_question_heading(q)}</h2>"]
        lines.append(
            '<p class="qmeta">'
            + _h(
                f"Asked {_clock(q['asked_at']) or '(not asked)'} · {q['posts']:,} posts "
                f"({q['labelled']:,} labelled, {q['inferred']:,} inferred) · "
                f"first answer after {_duration(q['first_answer_after_s'])}"
            )
            + "</p>"
        )
        lines += _html_quotes(sections.get(q["number"]))
        if q["top_answers"]:
            lines.append("<h3>Most-engaged answers</h3>")
            for a in q["top_answers"]:
                lines += [
                    '<blockquote class="quote top">',
                    f'<p><span class="handle">@{_h(a["handle"])}</span>: {_html_text(a["text"])}</p>',
                    f'<p class="meta">{_count(a["retweets"], "repost")} · {_count(a["likes"], "like")} · '
                    f"{_html_link('original post', a['url'])}</p>",
                    "</blockquote>",
                ]
        lines.append("</section>")
        write("\n".join(lines) + "\n")
    if None in sections:
        write("<section><h2>Other quotes</h2>\n" + "\n".join(_html_quotes(sections[None])))
        write("\n</section>\n")
    write("<section><h2>Top participants</h2>\n")
    # With no earlier session on the hashtag everyone is a first-timer: no tags then.
    earlier = document["earlier_sessions"] > 0
    table = _participants_table(document["top_participants"], earlier=earlier)
    write("\n".join(table) + "\n</section>\n")
    if document["hosts"]:
        write("<section><h2>Hosts</h2>\n")
        write(
            "\n".join(_participants_table(document["hosts"], hosts=True, earlier=earlier))
            + "\n</section>\n"
        )
    if document["links"]:
        write('<section><h2>Most shared links</h2>\n<ol class="links">\n')
        for link in document["links"]:
            write(f"<li>{_html_link(link['url'], link['url'])} ({link['posts']:,} posts)</li>\n")
        write("</ol>\n</section>\n")
    write(
        '<section class="transcript" id="transcript">\n<h2>The full transcript</h2>\n'
        f'<p class="qmeta">All {document["posts"]:,} posts, grouped by question, in time '
        "order (UTC).</p>\n"
    )
    titles = {q["number"]: q["text"] for q in document["questions"]}
    current = object()
    for post in transcript:
        key, heading = _group_title(post, titles)
        if key != current:
            current = key
            write(f"<h3>{_h(heading)}</h3>\n")
        write(_transcript_post(post) + "\n")
    write("</section>\n</main>\n</body>\n</html>\n")
