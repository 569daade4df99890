"""Mastodon Status JSON -> ``Post`` (REST responses and streaming ``update``/``status.update``).

Accepts raw JSON and what Mastodon.py returns (``AttribAccessDict``, a dict
subclass, with ``int`` ids and ``datetime`` values already parsed).

Decisions:

- ``text`` is the HTML ``content`` as plain text (``html_text.html_to_text``).
  A content warning is kept in front: ``"CW: <spoiler_text>\\n\\n<text>"``, so
  the reader sees what the author flagged and full-text search finds it.
- A reblog is a post of its own (kind RETWEET, the wrapper's id, author and
  time) carrying the original's text and entities; the original goes to
  ``referenced``. Mastodon.py's reblog ``url`` ends in ``/activity``; kept as sent.
- Quotes: Mastodon 4.5 ``quote: {state, quoted_status | quoted_status_id}``;
  forks that put the quoted status itself in ``quote``, or only ``quote_id``.
  The "RE: <link>" fallback paragraph (``class="quote-inline"``) is dropped
  from the text of a quote post since the quote is linked by ``quoted_id``.
- Hashtags keep the case they are written with in the text (Mastodon's
  ``tags[].name`` is lower-cased).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from desktop.core.normalize import MalformedPayload, Parsed, checked_id
from desktop.core.normalize.html_text import html_to_text
from desktop.core.post import (
    Author,
    Link,
    Media,
    Metrics,
    Network,
    Post,
    kind_of,
    parse_time,
    utc,
)

_MEDIA_TYPES = {"image": "image", "video": "video", "gifv": "gif", "audio": "audio"}


def is_status(obj: Any) -> bool:
    """True for a Mastodon Status: an id, an account and HTML ``content``."""
    return (
        isinstance(obj, dict)
        and "id" in obj
        and isinstance(obj.get("account"), dict)
        and "content" in obj
    )


def normalize_statuses(statuses: list[dict[str, Any]]) -> Parsed:
    """A list of statuses (a timeline page); reblogged and quoted originals go to ``referenced``."""
    parsed = Parsed()
    own_keys = set()
    referenced: dict[str, Post] = {}
    for status in statuses:
        if not is_status(status):
            raise MalformedPayload("Mastodon status without id, account or content")
        post = status_to_post(status)
        parsed.posts.append(post)
        own_keys.add(post.key)
        for inner in _embedded(status):
            inner_post = status_to_post(inner)
            referenced.setdefault(inner_post.key, inner_post)
    parsed.referenced.extend(post for key, post in referenced.items() if key not in own_keys)
    return parsed


def normalize_status(status: dict[str, Any]) -> Parsed:
    """One status (a REST response, a streaming ``update`` or ``status.update`` payload)."""
    return normalize_statuses([status])


def _embedded(status: dict[str, Any]) -> list[dict[str, Any]]:
    """Statuses carried inside ``status``: the reblogged one, the quoted ones, recursively."""
    found = []
    for inner in (status.get("reblog"), _quoted_status(status)):
        if is_status(inner):
            found.append(inner)
            found.extend(_embedded(inner))
    return found


def _quoted_status(status: dict[str, Any]) -> dict[str, Any] | None:
    quote = status.get("quote")
    if not isinstance(quote, dict):
        return None
    if is_status(quote):  # forks (Fedibird, Akkoma) embed the quoted status itself
        return quote
    inner = quote.get("quoted_status")
    return inner if is_status(inner) else None


def _quoted_id(status: dict[str, Any]) -> str | None:
    inner = _quoted_status(status)
    if inner is not None:
        return str(inner["id"])
    quote = status.get("quote")
    if isinstance(quote, dict) and quote.get("quoted_status_id") is not None:
        return str(quote["quoted_status_id"])
    if status.get("quote_id") is not None:
        return str(status["quote_id"])
    if isinstance(quote, dict) and quote.get("state"):
        # Mastodon 4.5 sends a quote awaiting the quoted author's approval
        # ("pending"; also "revoked", "deleted"...) without the quoted status or
        # its id: still a quote post, of a post it cannot name.
        return ""
    return None


def status_to_post(status: dict[str, Any]) -> Post:
    """One status as a Post (its embedded reblog/quote are not included; see normalize_statuses)."""
    try:
        status_id = status["id"]
        account = status["account"]
        created_at = _time(status["created_at"])
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedPayload(f"Mastodon status without id, account or created_at: {exc}") from exc
    status_id = checked_id(status_id, "Mastodon status")

    reblog = status.get("reblog") if is_status(status.get("reblog")) else None
    # A reblog shows the original: its text, entities and quote.
    content = reblog if reblog is not None else status
    retweeted_id = str(reblog["id"]) if reblog is not None else None
    quoted_id = _quoted_id(status) if reblog is None else None
    reply_to_id = _str_or_none(status.get("in_reply_to_id"))

    text = html_to_text(
        content.get("content") or "", drop_quote_inline=_quoted_id(content) is not None
    )
    spoiler = (content.get("spoiler_text") or "").strip()
    if spoiler:
        text = f"CW: {spoiler}\n\n{text}" if text else f"CW: {spoiler}"

    edited = status.get("edited_at")
    return Post(
        network=Network.MASTODON,
        id=status_id,
        author=_author(account),
        text=text,
        created_at=created_at,
        kind=kind_of(retweeted_id=retweeted_id, quoted_id=quoted_id, reply_to_id=reply_to_id),
        lang=content.get("language") or None,
        hashtags=_hashtags(content, text),
        mentions=tuple(m["acct"] for m in content.get("mentions") or () if m.get("acct")),
        links=_links(content),
        media=tuple(_media(m) for m in content.get("media_attachments") or ()),
        retweeted_id=retweeted_id,
        quoted_id=quoted_id,
        reply_to_id=reply_to_id,
        reply_to_handle=_reply_to_handle(status, account) if reply_to_id is not None else None,
        metrics=Metrics(
            retweets=int(content.get("reblogs_count") or 0),
            likes=int(content.get("favourites_count") or 0),
            replies=int(content.get("replies_count") or 0),
            quotes=int(content.get("quotes_count") or 0),
        ),
        url=status.get("url") or status.get("uri") or "",
        edited_at=_time(edited) if edited else None,
        uri=status.get("uri") or None,
        retweeted_handle=(_author(reblog["account"]).handle or None)
        if reblog is not None
        else None,
        raw=status,
    )


def _time(value: str | datetime) -> datetime:
    return utc(value) if isinstance(value, datetime) else parse_time(value)


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _author(account: dict[str, Any]) -> Author:
    return Author(
        id=str(account.get("id", "")),
        handle=account.get("acct") or account.get("username") or "",
        display_name=account.get("display_name") or "",
        avatar_url=account.get("avatar") or None,
    )


def _reply_to_handle(status: dict[str, Any], account: dict[str, Any]) -> str | None:
    target = _str_or_none(status.get("in_reply_to_account_id"))
    if target is None:
        return None
    if target == str(account.get("id")):  # a thread: the author answers themself
        return account.get("acct") or None
    for mention in status.get("mentions") or ():
        if str(mention.get("id")) == target:
            return mention.get("acct") or None
    return None


def _hashtags(status: dict[str, Any], text: str) -> tuple[str, ...]:
    found = []
    for tag in status.get("tags") or ():
        name = tag.get("name")
        if not name:
            continue
        written = re.search(rf"#({re.escape(name)})(?!\w)", text, flags=re.IGNORECASE)
        found.append(written.group(1) if written else name)
    return tuple(found)


def _links(status: dict[str, Any]) -> tuple[Link, ...]:
    """Links of the text: anchors that are neither mentions nor hashtags."""
    html = status.get("content") or ""
    if "<a " not in html:
        return ()
    links = []
    seen = set()
    for match in re.finditer(r"<a\s([^>]*)>(.*?)</a>", html, flags=re.DOTALL):
        attrs, inner = match.groups()
        classes = re.search(r'class="([^"]*)"', attrs)
        if classes and ({"mention", "hashtag", "u-url"} & set(classes.group(1).split())):
            continue
        href = re.search(r'href="([^"]*)"', attrs)
        if not href:
            continue
        url = html_to_text(href.group(1))
        shown = html_to_text(re.sub(r'<span class="invisible">.*?</span>', "", inner))
        if url not in seen:
            seen.add(url)
            links.append(
                Link(url=url, expanded_url=url, display_url=shown.replace("\u2026", "") or url)
            )
    return tuple(links)


def _media(attachment: dict[str, Any]) -> Media:
    return Media(
        type=_MEDIA_TYPES.get(attachment.get("type") or "", "unknown"),
        url=attachment.get("url") or attachment.get("remote_url"),
        alt_text=attachment.get("description") or None,
        preview_url=attachment.get("preview_url") or None,
    )
