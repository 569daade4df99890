"""Exporting a quote list, laid out like a jam summary article.

The session title, then each question as a heading with the host's question
text, then its quotes as "@handle (Name): text" with a link to the original
post, and the user's private note under it only when asked (``include_notes``).
Formats: Markdown, HTML (one self-contained file), CSV (one row per quote) and
JSON (structured).

Post text, names, notes and even question texts are untrusted: Markdown
backslash-escapes everything that could make a link, an image, HTML or a
heading; HTML escapes every string and links only to http(s); CSV neutralises
cells a spreadsheet would run as formulas.
"""

from __future__ import annotations

import dataclasses
import json
import re
import unicodedata
from datetime import UTC, datetime, tzinfo

from desktop.core import bidi
from desktop.core.jam import answer_label
from desktop.core.quotes import QuoteItem, QuoteList, QuoteSection
from desktop.core.urls import url_spans
from desktop.export.safety import csv_row, html_isolated, html_text, safe_url

__all__ = [
    "FORMATS",
    "ExportOptions",
    "render",
    "to_csv",
    "to_html",
    "to_json",
    "to_markdown",
    "expand_links",
    "md_escape",
    "split_urls",
    "strip_answer_label",
    "strip_hashtags",
]

FORMATS = ("md", "html", "csv", "json")

CSV_FIELDS = [
    "question",
    "question_text",
    "position",
    "handle",
    "display_name",
    "text",
    "url",
    "created_at",
    "note",
    "network",
]


@dataclasses.dataclass(frozen=True, kw_only=True)
class ExportOptions:
    strip_hashtag: bool = False  # drop the session's hashtag(s) from quote texts
    strip_label: bool = False  # drop the "A3:" answer label
    include_times: bool = False  # Markdown/HTML: each quote's time (CSV/JSON always have it)
    timezone: tzinfo = UTC  # for the times shown in Markdown/HTML
    lang: str = "en"  # the HTML document's language
    include_notes: bool = False  # the user's notes are private: in a file only when asked


# ---------------------------------------------------------------- text clean-up


def _tidy(text: str) -> str:
    """Collapse the runs of spaces a removal leaves; keep line breaks."""
    lines = [re.sub(r"[ \t\u00a0]{2,}", " ", line).strip() for line in text.splitlines()]
    text = "\n".join(lines).strip()
    text = re.sub(r"\s+([,.;:!?])(?=\s|$)", r"\1", text)  # "great #jam ." -> "great."
    return re.sub(r"\n{3,}", "\n\n", text)


def strip_hashtags(text: str, hashtags: tuple[str, ...] | list[str]) -> str:
    """Remove ``#tag`` for each of ``hashtags`` (any case, anywhere), tidying the spaces."""
    tags = [t.lstrip("#") for t in hashtags if t.lstrip("#")]
    if not tags:
        return text
    pattern = r"(?<![\w#])#(?:" + "|".join(re.escape(t) for t in tags) + r")(?!\w)"
    stripped, count = re.subn(pattern, " ", text, flags=re.IGNORECASE)
    return _tidy(stripped) if count else text


# The label forms mirror desktop.core.jam (which decides WHETHER a post has a
# label; see its docstring); these only find WHERE it is, so it can be cut out.
_LEADING_SKIP = re.compile(
    r"""(?:
      \s+
    | RT\s+@\w+:
    | \.(?=@)
    | @\w+(?:[.@-]\w+)*
    | \#(?![AaQq]0?[1-9][0-9]?(?![\w/]))\w+
    )""",
    re.VERBOSE,
)
_START_LABEL = re.compile(
    r"""[(\[]?\#?[AaQq]0?[1-9][0-9]?
    (?: \s*[:=)\]] | \.(?![0-9]) | \s*[-\u2013\u2014](?=\s|$) | (?=\s+(?![0-9/])) | $ )\s*""",
    re.VERBOSE,
)
_TRAILING_SKIP = re.compile(
    r"""(?:
      \s+
    | https?://\S+
    | (?<![\w#])\#(?![AaQq]0?[1-9][0-9]?$)\w+
    | [^\w\s)\]\#]
    )$""",
    re.VERBOSE,
)
_END_LABEL = re.compile(
    r"""(?:
      (?:^|(?<=\s))\#[AaQq]0?[1-9][0-9]?
    | (?:^|(?<=\s))[Aa]0?[1-9][0-9]?
    | [(\[][AaQq]0?[1-9][0-9]?[)\]]
    )$""",
    re.VERBOSE,
)


def _fold_same_length(text: str) -> str:
    # Fullwidth "Ａ３：" reads as "A3:"; only characters that fold to ONE character
    # are folded, so offsets in the folded text are offsets in the original.
    out = []
    for ch in text:
        folded = unicodedata.normalize("NFKC", ch)
        out.append(folded if len(folded) == 1 else ch)
    return "".join(out)


def strip_answer_label(text: str) -> str:
    """Remove the answer label ("A3:", "#a3", "(A3)"...) at the start or the end."""
    if answer_label(text) is None:
        return text
    folded = _fold_same_length(text)
    pos = 0
    while (m := _LEADING_SKIP.match(folded, pos)) and m.end() > pos:
        pos = m.end()
    m = _START_LABEL.match(folded, pos)
    if m:
        return _tidy(text[:pos] + " " + text[m.end() :])
    end = len(folded)
    while (m := _TRAILING_SKIP.search(folded, 0, end)) and m.start() < end:
        end = m.start()
    m = _END_LABEL.search(folded, 0, end)
    if m:
        return _tidy(text[: m.start()] + " " + text[m.end() :])
    return text


# X appends a t.co link to a post's own photo or video; in a write-up it is noise
# (the quote links to the post anyway).
_OWN_MEDIA = re.compile(
    r"^https?://(?:www\.)?(?:twitter|x)\.com/[^/]+/status/\d+/(?:photo|video)/\d+$"
)


def expand_links(text: str, links: tuple[tuple[str, str], ...]) -> str:
    """Short links (t.co) replaced by where they lead, when that is http(s); links
    to the post's own media dropped."""
    for short, expanded in links:
        if _OWN_MEDIA.match(expanded or ""):
            text = re.sub(rf"\s*{re.escape(short)}", "", text)
            continue
        target = safe_url(expanded)
        if target and short != expanded:
            text = text.replace(short, target)
    return text


def split_urls(text: str) -> list[tuple[bool, str]]:
    """``text`` as (is_url, piece) pieces: http(s) URLs (without the punctuation
    that ends a sentence) and the text between them."""
    pieces: list[tuple[bool, str]] = []
    last = 0
    for start, end in url_spans(text):
        if start > last:
            pieces.append((False, text[last:start]))
        pieces.append((True, text[start:end]))
        last = end
    if last < len(text):
        pieces.append((False, text[last:]))
    return pieces


def _quote_text(item: QuoteItem, quote_list: QuoteList, options: ExportOptions) -> str:
    text = expand_links(item.text, item.links)
    if options.strip_label:
        text = strip_answer_label(text)
    if options.strip_hashtag:
        text = strip_hashtags(text, quote_list.hashtags)
    return text


def _question_text(section: QuoteSection, quote_list: QuoteList, options: ExportOptions) -> str:
    if options.strip_hashtag:
        return strip_hashtags(section.text, quote_list.hashtags)
    return section.text


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z")


def _clock(ts: float, options: ExportOptions) -> str:
    moment = datetime.fromtimestamp(ts, options.timezone)
    return f"{moment:%H:%M} {moment.tzname() or ''}".strip()


# ---------------------------------------------------------------- Markdown

# What CommonMark (and GFM's tables and strikethrough) could read as markup
# anywhere in a paragraph. "!" is not here: it only makes an image before "[",
# which is always escaped; "#" only matters where a line starts; "_" only where
# it could open or close emphasis (not inside a word: "@noa_cohen").
_MD_ALWAYS = frozenset("\\`*[]<>&|~")
# What makes a block where a line starts: an ATX heading ("#" to "######" then a
# space), a block quote, a bullet or an ordered list item, a setext underline.
_MD_LINE_START = re.compile(
    r"^([ \t]*)(?:"
    r"(?P<hash>#{1,6})(?=[ \t]|$)"
    r"|(?P<quote>>)"
    r"|(?P<bullet>[-+])(?=[ \t]|$)"
    r"|(?P<digits>\d{1,9})(?P<dot>[.)])(?=[ \t]|$)"
    r"|(?P<rule>[-=])(?=[-= \t]*$)"
    r")"
)
# A heading's closing sequence: a run of "#" at its end, after a space.
_MD_HEADING_END = re.compile(r"(^|[ \t])(#+[ \t]*)$")


def _md_wordish(text: str, index: int) -> bool:
    """Whether ``text[index]`` is neither whitespace nor punctuation (CommonMark's
    test for whether "_" is inside a word); False outside the text."""
    if not 0 <= index < len(text):
        return False
    ch = text[index]
    return not ch.isspace() and unicodedata.category(ch)[0] not in "PS"


def _md_inline(piece: str) -> str:
    out = []
    for index, ch in enumerate(piece):
        if ch in _MD_ALWAYS or (
            ch == "_" and not (_md_wordish(piece, index - 1) and _md_wordish(piece, index + 1))
        ):
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def _md_line_start(line: str) -> str:
    m = _MD_LINE_START.match(line)
    if not m:
        return line
    if m.group("digits"):
        cut = m.start("dot")  # "1\. " (a backslash before a digit would be shown)
    else:
        cut = m.end(1)
    return line[:cut] + "\\" + line[cut:]


def md_escape(
    text: str,
    *,
    autolinks: bool = False,
    block_start: bool = True,
    heading: bool = False,
    rtl: bool = False,
) -> str:
    """Escape untrusted text for a Markdown paragraph: no links, images, HTML,
    code or headings can come out of it; line breaks stay (as hard breaks).
    Only what CommonMark would read as markup is escaped.

    ``autolinks``: http(s) URLs become ``<url>`` autolinks (nothing inside one
    is read as markup), instead of being escaped character by character.
    ``block_start``: the text starts a line of the document (False after
    "**@handle**: " or "# "); every later line does. ``heading``: the text is
    a heading's content (a trailing run of "#" would close it).
    ``rtl``: the text (already ``bidi.contained``) reads right to left: each
    line is a right-to-left isolate, with its @handles, #tags and links
    isolated in it.
    """
    lines = []
    for number, line in enumerate(text.splitlines() or [""]):
        pieces = split_urls(line) if autolinks else [(False, line)]
        escaped = []
        for is_url, piece in pieces:
            if is_url:
                link = f"<{_md_url(piece)}>"
                escaped.append(bidi.LRI + link + bidi.PDI if rtl else link)
            else:
                escaped.append(_md_inline(bidi.isolate_tokens(piece) if rtl else piece))
        line = "".join(escaped)
        if block_start or number:
            line = _md_line_start(line)
        if heading:
            line = _MD_HEADING_END.sub(lambda m: m.group(1) + "\\" + m.group(2), line)
        lines.append(bidi.rtl_line(line) if rtl else line)
    return "  \n".join(lines)


def _md_text(text: str, **kwargs) -> str:
    """Untrusted text escaped, right-to-left text in its direction, bidi
    controls kept to the text."""
    if bidi.is_rtl(text):
        return md_escape(bidi.contained(text), rtl=True, **kwargs)
    return md_escape(bidi.isolated(text), **kwargs)


def _md_url(url: str) -> str:
    # Inside <...> a link destination may hold anything but "<", ">" and line breaks.
    return "".join({"<": "%3C", ">": "%3E", " ": "%20", "\n": "", "\r": ""}.get(c, c) for c in url)


def to_markdown(quote_list: QuoteList, *, options: ExportOptions | None = None) -> str:
    options = options or ExportOptions()
    out = [f"# {_md_text(quote_list.title, block_start=False, heading=True)}", ""]
    for section in quote_list.sections:
        if not section.items:
            continue
        question = _question_text(section, quote_list, options)
        heading = section.title
        if question:
            heading += ": " + _md_text(question, block_start=False, heading=True)
        out += [f"## {heading}", ""]
        for item in section.items:
            text = _quote_text(item, quote_list, options)
            line = f"**@{_md_text(item.handle, block_start=False)}**"
            if item.display_name:
                line += f" ({_md_text(item.display_name, block_start=False)})"
            line += f": {_md_text(text, autolinks=True, block_start=False)}"
            tail = []
            url = safe_url(item.url)
            if url:
                tail.append(f"[original post](<{_md_url(url)}>)")
            if options.include_times:
                tail.append(md_escape(_clock(item.created_at, options), block_start=False))
            if tail:
                line += "  \n" + " · ".join(tail)
            out += [line, ""]
            if item.note and options.include_notes:
                out += ["> " + _md_text(item.note).replace("  \n", "  \n> "), ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ---------------------------------------------------------------- HTML

_CSS = """
body { margin: 0; background: #fafaf7; color: #1d1d1f;
  font: 17px/1.6 -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
article { max-width: 44rem; margin: 0 auto; padding: 2.5rem 1.25rem 4rem; }
h1 { font-size: 2rem; line-height: 1.25; margin: 0 0 .25rem; }
.tags { color: #6b6b70; margin: 0 0 2rem; }
h2 { font-size: 1.3rem; line-height: 1.35; margin: 2.5rem 0 1rem; padding-top: 1rem;
  border-top: 1px solid #e2e2dc; }
h2 .q { color: #8a5a00; margin-right: .35rem; }
.quote { margin: 0 0 1.25rem; padding: .75rem 1rem; background: #fff;
  border-left: 4px solid #d9a441; border-radius: 4px; }
.quote p { margin: 0; overflow-wrap: anywhere; }
.handle { font-weight: 600; }
.name { color: #6b6b70; font-size: .9em; }
.meta { margin-top: .35rem; font-size: .85em; color: #6b6b70; }
.meta a { color: #2a5db0; }
.note { margin: .5rem 0 0; padding-top: .4rem; border-top: 1px dashed #e2e2dc;
  font-style: italic; color: #3d3d40; }
@media (prefers-color-scheme: dark) {
  body { background: #1b1b1d; color: #e8e8ea; }
  .quote { background: #252528; }
  h2 { border-color: #3a3a3e; } .note { color: #c9c9cc; border-color: #3a3a3e; }
  .meta a { color: #8ab4f8; } h2 .q { color: #e0b060; }
}
""".strip()


def _html_field(text: str) -> str:
    """Escaped one-line text, in ``<bdi>`` when it holds bidi controls."""
    return html_isolated(html_text(bidi.contained(text)), text)


def _html_lines(text: str, *, links: bool = False) -> str:
    """Escaped text, line breaks as <br>; ``links``: http(s) URLs as links. Text
    with bidi controls is isolated in ``<bdi>``; right-to-left text is a
    right-to-left ``<bdi>`` with its @handles, #tags and links isolated in it."""
    untrusted = text
    rtl = bidi.is_rtl(text)
    text = bidi.contained(text)
    out = []
    for line in text.splitlines():
        pieces = split_urls(line) if links else [(False, line)]
        html_pieces = []
        for is_url, piece in pieces:
            if is_url:
                direction = ' dir="ltr"' if rtl else ""
                html_pieces.append(
                    f'<a href="{html_text(piece)}"{direction} rel="noopener noreferrer">'
                    f"{html_text(piece)}</a>"
                )
            elif rtl:
                html_pieces.append(
                    "".join(
                        f"<bdi>{html_text(part)}</bdi>" if index % 2 else html_text(part)
                        for index, part in enumerate(bidi.TOKEN_SPLIT.split(piece))
                    )
                )
            else:
                html_pieces.append(html_text(piece))
        out.append("".join(html_pieces))
    joined = "<br>\n".join(out)
    if rtl:
        return f'<bdi dir="rtl">{joined}</bdi>'
    return html_isolated(joined, untrusted)


def to_html(quote_list: QuoteList, *, options: ExportOptions | None = None) -> str:
    options = options or ExportOptions()
    title = _html_field(quote_list.title)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{html_text(options.lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>\n{_CSS}\n</style>",
        "</head>",
        "<body>",
        "<article>",
        f"<h1>{title}</h1>",
    ]
    if quote_list.hashtags:
        out.append(
            f'<p class="tags">{html_text(" ".join("#" + t for t in quote_list.hashtags))}</p>'
        )
    for section in quote_list.sections:
        if not section.items:
            continue
        question = _question_text(section, quote_list, options)
        out += [
            "<section>",
            f'<h2><span class="q">{html_text(section.title)}</span>{_html_lines(question)}</h2>',
        ]
        for item in section.items:
            name = (
                f' <span class="name">({_html_field(item.display_name)})</span>'
                if item.display_name
                else ""
            )
            out += [
                '<blockquote class="quote">',
                f'<p><span class="handle">@{_html_field(item.handle)}</span>{name}: '
                f"{_html_lines(_quote_text(item, quote_list, options), links=True)}</p>",
            ]
            meta = []
            url = safe_url(item.url)
            if url:
                meta.append(
                    f'<a href="{html_text(url)}" rel="noopener noreferrer">original post</a>'
                )
            if options.include_times:
                meta.append(
                    f'<time datetime="{_iso(item.created_at)}">{html_text(_clock(item.created_at, options))}</time>'
                )
            if meta:
                out.append(f'<p class="meta">{" · ".join(meta)}</p>')
            if item.note and options.include_notes:
                out.append(f'<p class="note">{_html_lines(item.note)}</p>')
            out.append("</blockquote>")
        out.append("</section>")
    out += ["</article>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- CSV and JSON


def _rows(quote_list: QuoteList, options: ExportOptions):
    for section in quote_list.sections:
        question_text = _question_text(section, quote_list, options)
        for position, item in enumerate(section.items, start=1):
            yield section, question_text, position, item


def to_csv(quote_list: QuoteList, *, options: ExportOptions | None = None) -> str:
    options = options or ExportOptions()
    fields = CSV_FIELDS if options.include_notes else [f for f in CSV_FIELDS if f != "note"]
    out = [csv_row(fields)]
    for section, question_text, position, item in _rows(quote_list, options):
        row = [
            "" if section.question is None else section.question,
            question_text,
            position,
            item.handle,
            item.display_name,
            _quote_text(item, quote_list, options),
            safe_url(item.url) or "",
            _iso(item.created_at),
            item.note,
            item.network,
        ]
        if not options.include_notes:
            del row[CSV_FIELDS.index("note")]
        out.append(csv_row(row))
    return "".join(out)


def to_json(quote_list: QuoteList, *, options: ExportOptions | None = None) -> str:
    options = options or ExportOptions()
    sections = []
    for section in quote_list.sections:
        if not section.items:
            continue
        sections.append(
            {
                "question": section.question,
                "title": section.title,
                "text": _question_text(section, quote_list, options),
                "quotes": [
                    _without_note(
                        {
                            "position": position,
                            "handle": item.handle,
                            "display_name": item.display_name,
                            "text": _quote_text(item, quote_list, options),
                            "url": safe_url(item.url) or "",
                            "created_at": _iso(item.created_at),
                            "note": item.note,
                            "network": item.network,
                            "post_id": item.network_id,
                        },
                        options,
                    )
                    for position, item in enumerate(section.items, start=1)
                ],
            }
        )
    document = {
        "session": {
            "name": quote_list.session_name,
            "title": quote_list.title,
            "hashtags": list(quote_list.hashtags),
            "quotes": len(quote_list),
        },
        "sections": sections,
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _without_note(quote: dict, options: ExportOptions) -> dict:
    if not options.include_notes:
        del quote["note"]
    return quote


_RENDERERS = {"md": to_markdown, "html": to_html, "csv": to_csv, "json": to_json}


def render(quote_list: QuoteList, fmt: str, *, options: ExportOptions | None = None) -> str:
    """The quote list as ``fmt`` (md | html | csv | json)."""
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(
            f"unknown quote-list format {fmt!r} (one of {', '.join(FORMATS)})"
        ) from None
    return renderer(quote_list, options=options)
