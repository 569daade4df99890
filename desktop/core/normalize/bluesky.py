"""Bluesky (AT Protocol) JSON -> ``Post``: PostViews, feeds, threads, post records.

Shapes handled: ``app.bsky.feed.defs#postView`` (searchPosts/getPosts/getQuotes
``posts[]``), ``#feedViewPost`` (``feed[]``: ``post`` + optional ``reason`` and
``reply``), ``#threadViewPost`` (``thread``), and bare post records
(``{uri, cid, value}`` from ``com.atproto.repo.getRecord``; the author is then
known only by DID).

Decisions:

- ``Post.id`` is the at:// URI. A repost (``reason: reasonRepost``) is a post of
  its own with id ``"<post uri>#repost-by-<reposter did>"``, the reposter as
  author, ``reason.indexedAt`` as its time and the original's text.
- Facet indexes count UTF-8 bytes; slices are cut from the encoded text.
- A mention's handle is the DID resolved through the authors this payload
  shows, else the ``@handle`` the facet covers in the text, else the DID.
- Hashtags: tag facets, then ``record.tags``, then any ``#word`` of the text that
  no facet covers (older clients and bots wrote tags without facets).
- A thread's focal post and its replies are ``posts``; its parents are
  ``referenced`` (context, not matches).
"""

from __future__ import annotations

import re
from typing import Any

from desktop.core.normalize import MalformedPayload, Parsed
from desktop.core.post import Author, Kind, Link, Media, Metrics, Network, Post, parse_time

POST_COLLECTION = "app.bsky.feed.post"
_AT_URI = re.compile(r"^at://([^/]+)/([^/]+)/([^/]+)$")
_TEXT_HASHTAG = re.compile(r"(?<![\w#&/])[#\uff03](\w+)")


def is_post_view(obj: Any) -> bool:
    return (
        isinstance(obj, dict)
        and str(obj.get("uri", "")).startswith("at://")
        and isinstance(obj.get("author"), dict)
        and isinstance(obj.get("record"), dict)
    )


def is_post_record(obj: Any) -> bool:
    """A ``{uri, cid, value}`` record of an ``app.bsky.feed.post``."""
    return (
        isinstance(obj, dict)
        and str(obj.get("uri", "")).startswith("at://")
        and isinstance(obj.get("value"), dict)
        and obj["value"].get("$type") == POST_COLLECTION
    )


def normalize_post_views(views: list[dict[str, Any]]) -> Parsed:
    """``posts[]`` of searchPosts/getPosts/getQuotes."""
    parsed = Parsed()
    for view in views:
        parsed.extend(_from_post_view(view))
    return _dedupe(parsed)


def normalize_feed(items: list[dict[str, Any]]) -> Parsed:
    """``feed[]`` of a timeline/author feed/custom feed: FeedViewPosts."""
    parsed = Parsed()
    for item in items:
        if not isinstance(item, dict) or not is_post_view(item.get("post")):
            raise MalformedPayload("Bluesky feed item without a 'post' view")
        reply = item.get("reply") if isinstance(item.get("reply"), dict) else None
        reason = item.get("reason") if isinstance(item.get("reason"), dict) else None
        if reason and str(reason.get("$type", "")).endswith("reasonRepost"):
            original = _from_post_view(item["post"], reply_view=reply)
            parsed.posts.append(_repost(item, reason, original.posts[0]))
            parsed.referenced.extend(original.posts + original.referenced)
        else:
            parsed.extend(_from_post_view(item["post"], reply_view=reply))
        for key in ("parent", "root"):
            ref = (reply or {}).get(key)
            if is_post_view(ref):
                parsed.referenced.extend(_flatten(_from_post_view(ref)))
    return _dedupe(parsed)


def normalize_thread(thread: dict[str, Any]) -> Parsed:
    """A ``threadViewPost``: the focal post and its replies are posts, the parents context."""
    parsed = Parsed()
    if not isinstance(thread, dict) or not is_post_view(thread.get("post")):
        raise MalformedPayload("Bluesky thread without a 'post' view")
    parsed.extend(_from_post_view(thread["post"], parent_view=_post_of(thread.get("parent"))))
    # (node, the post it answers): nested replies answer their own parent, not the focal post.
    pending = [(node, thread["post"]) for node in thread.get("replies") or ()]
    while pending:
        node, answered = pending.pop(0)
        if isinstance(node, dict) and is_post_view(node.get("post")):
            parsed.extend(_from_post_view(node["post"], parent_view=answered))
            pending.extend((child, node["post"]) for child in node.get("replies") or ())
    parent = thread.get("parent")
    while isinstance(parent, dict) and is_post_view(parent.get("post")):
        parsed.referenced.extend(
            _flatten(_from_post_view(parent["post"], parent_view=_post_of(parent.get("parent"))))
        )
        parent = parent.get("parent")
    return _dedupe(parsed)


def normalize_record(record: dict[str, Any]) -> Parsed:
    """A bare post record ``{uri, cid, value}``: the author is known only by DID."""
    if not is_post_record(record):
        raise MalformedPayload("not an app.bsky.feed.post record")
    did = _AT_URI.match(record["uri"])
    author_did = did.group(1) if did else ""
    post = _build(
        uri=record["uri"],
        record=record["value"],
        author=Author(id=author_did, handle=author_did),
        embed_view=None,
        counts={},
        raw=record,
        known={},
        parent_view=None,
    )
    return Parsed(posts=[post])


def _post_of(node: Any) -> dict[str, Any] | None:
    return node.get("post") if isinstance(node, dict) and is_post_view(node.get("post")) else None


def _flatten(parsed: Parsed) -> list[Post]:
    return parsed.posts + parsed.referenced


def _dedupe(parsed: Parsed) -> Parsed:
    own = {post.id for post in parsed.posts}
    seen: set[str] = set()
    posts = []
    for post in parsed.posts:
        if post.id not in seen:
            seen.add(post.id)
            posts.append(post)
    referenced = []
    for post in parsed.referenced:
        if post.id not in own and post.id not in seen:
            seen.add(post.id)
            referenced.append(post)
    return Parsed(posts=posts, referenced=referenced)


def _author(view: dict[str, Any]) -> Author:
    return Author(
        id=view.get("did", ""),
        handle=view.get("handle") or view.get("did", ""),
        display_name=view.get("displayName") or "",
        avatar_url=view.get("avatar") or None,
    )


def _from_post_view(
    view: dict[str, Any],
    *,
    reply_view: dict[str, Any] | None = None,
    parent_view: dict[str, Any] | None = None,
) -> Parsed:
    """A PostView and the record views it embeds (quotes) as referenced posts."""
    if not is_post_view(view):
        raise MalformedPayload("Bluesky post view without uri, author or record")
    known = _known_handles(view, reply_view, parent_view)
    if parent_view is None and reply_view is not None and is_post_view(reply_view.get("parent")):
        parent_view = reply_view["parent"]
    post = _build(
        uri=view["uri"],
        record=view["record"],
        author=_author(view["author"]),
        embed_view=view.get("embed"),
        counts=view,
        raw=view,
        known=known,
        parent_view=parent_view,
    )
    parsed = Parsed(posts=[post])
    quoted = _quoted_view(view.get("embed"))
    if quoted is not None:
        parsed.referenced.extend(_from_view_record(quoted))
    return parsed


def _from_view_record(view: dict[str, Any]) -> list[Post]:
    """An ``embed.record#viewRecord`` (the quoted post) and what it quotes in turn."""
    embeds = view.get("embeds") or []
    embed_view = embeds[0] if embeds else None
    post = _build(
        uri=view["uri"],
        record=view["value"],
        author=_author(view["author"]),
        embed_view=embed_view,
        counts=view,
        raw=view,
        known=_known_handles(view, None, None),
        parent_view=None,
    )
    found = [post]
    inner = _quoted_view(embed_view)
    if inner is not None:
        found.extend(_from_view_record(inner))
    return found


def _quoted_view(embed_view: Any) -> dict[str, Any] | None:
    """The viewRecord of a quote embed (record or recordWithMedia), if the post is visible."""
    if not isinstance(embed_view, dict):
        return None
    kind = str(embed_view.get("$type", ""))
    holder = embed_view.get("record")
    if kind.startswith("app.bsky.embed.recordWithMedia") and isinstance(holder, dict):
        holder = holder.get("record")
    if (
        isinstance(holder, dict)
        and str(holder.get("$type", "")).endswith("#viewRecord")
        and isinstance(holder.get("value"), dict)
        and isinstance(holder.get("author"), dict)
        and holder["value"].get("$type", POST_COLLECTION) == POST_COLLECTION
    ):
        return holder
    return None


def _known_handles(view: dict[str, Any], *others: dict[str, Any] | None) -> dict[str, str]:
    """DID -> handle for every author this payload shows."""
    known: dict[str, str] = {}

    def add(author: Any) -> None:
        if isinstance(author, dict) and author.get("did") and author.get("handle"):
            known.setdefault(author["did"], author["handle"])

    add(view.get("author"))
    quoted = _quoted_view(view.get("embed"))
    if quoted:
        add(quoted.get("author"))
    for other in others:
        if isinstance(other, dict):
            add(other.get("author"))
            for key in ("parent", "root"):
                if isinstance(other.get(key), dict):
                    add(other[key].get("author"))
    return known


def _build(
    *,
    uri: str,
    record: dict[str, Any],
    author: Author,
    embed_view: Any,
    counts: dict[str, Any],
    raw: dict[str, Any],
    known: dict[str, str],
    parent_view: dict[str, Any] | None,
) -> Post:
    try:
        text = record.get("text") or ""
        created_at = parse_time(record.get("createdAt") or counts["indexedAt"])
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedPayload(f"Bluesky post {uri!r} without a valid createdAt: {exc}") from exc
    hashtags, mentions, links = _facets(text, record.get("facets") or (), known)
    # "Outline" tags (record.tags) are the post's without being in the text; and posts
    # from older clients and bots carry "#tag" in the text without a tag facet.
    for tag in list(record.get("tags") or ()) + _TEXT_HASHTAG.findall(text):
        if (
            tag.casefold() not in {known_tag.casefold() for known_tag in hashtags}
            and not tag.isdigit()
        ):
            hashtags.append(tag)

    embed = record.get("embed") if isinstance(record.get("embed"), dict) else {}
    quoted_id = _quoted_uri(embed)
    media, embed_links = _embed_media(embed, embed_view)
    for link in embed_links:
        if link.expanded_url not in {existing.expanded_url for existing in links}:
            links.append(link)

    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    reply_to_id = (reply.get("parent") or {}).get("uri") or None
    reply_to_handle = None
    if reply_to_id:
        if parent_view is not None and parent_view.get("uri") == reply_to_id:
            reply_to_handle = _author(parent_view["author"]).handle
        else:
            did = _AT_URI.match(reply_to_id)
            reply_to_handle = known.get(did.group(1)) if did else None

    langs = record.get("langs") or ()
    return Post(
        network=Network.BLUESKY,
        id=uri,
        author=author,
        text=text,
        created_at=created_at,
        kind=Kind.QUOTE if quoted_id else Kind.REPLY if reply_to_id else Kind.ORIGINAL,
        lang=langs[0] if langs else None,
        hashtags=tuple(hashtags),
        mentions=tuple(mentions),
        links=tuple(links),
        media=tuple(media),
        quoted_id=quoted_id,
        reply_to_id=reply_to_id,
        reply_to_handle=reply_to_handle,
        metrics=Metrics(
            retweets=int(counts.get("repostCount") or 0),
            likes=int(counts.get("likeCount") or 0),
            replies=int(counts.get("replyCount") or 0),
            quotes=int(counts.get("quoteCount") or 0),
        ),
        url=post_url(uri, author.handle),
        raw=raw,
    )


def post_url(uri: str, handle: str) -> str:
    """The bsky.app page of a post: https://bsky.app/profile/{handle}/post/{rkey}."""
    match = _AT_URI.match(uri)
    if not match:
        return ""
    did, _, rkey = match.groups()
    return f"https://bsky.app/profile/{handle or did}/post/{rkey}"


def _facets(
    text: str, facets: Any, known: dict[str, str]
) -> tuple[list[str], list[str], list[Link]]:
    """Hashtags, mentions and links of the text; facet indexes are UTF-8 byte offsets."""
    encoded = text.encode("utf-8")
    hashtags: list[str] = []
    mentions: list[str] = []
    links: list[Link] = []
    for facet in facets:
        if not isinstance(facet, dict):
            continue
        index = facet.get("index") or {}
        start, end = index.get("byteStart"), index.get("byteEnd")
        covered = ""
        if isinstance(start, int) and isinstance(end, int) and 0 <= start <= end <= len(encoded):
            covered = encoded[start:end].decode("utf-8", errors="replace")
        for feature in facet.get("features") or ():
            kind = str(feature.get("$type", ""))
            if kind.endswith("#tag") and feature.get("tag"):
                hashtags.append(feature["tag"])
            elif kind.endswith("#mention") and feature.get("did"):
                did = feature["did"]
                written = covered[1:] if covered.startswith("@") else ""
                mentions.append(known.get(did) or written or did)
            elif kind.endswith("#link") and feature.get("uri"):
                links.append(
                    Link(
                        url=covered or feature["uri"],
                        expanded_url=feature["uri"],
                        display_url=covered,
                    )
                )
    return hashtags, mentions, links


def _quoted_uri(embed: dict[str, Any]) -> str | None:
    kind = str(embed.get("$type", ""))
    holder = embed.get("record")
    if kind == "app.bsky.embed.recordWithMedia" and isinstance(holder, dict):
        holder = holder.get("record")
    if kind in ("app.bsky.embed.record", "app.bsky.embed.recordWithMedia") and isinstance(
        holder, dict
    ):
        uri = holder.get("uri") or ""
        # A record embed may also point at a feed generator or a list: only posts are quotes.
        if f"/{POST_COLLECTION}/" in uri:
            return uri
    return None


def _embed_media(embed: dict[str, Any], embed_view: Any) -> tuple[list[Media], list[Link]]:
    """Images, video and external links of a post, from the view (URLs) or the record (alt)."""
    view = embed_view if isinstance(embed_view, dict) else {}
    if str(embed.get("$type", "")) == "app.bsky.embed.recordWithMedia":
        embed = embed.get("media") or {}
        view = view.get("media") or {}
    kind = str(embed.get("$type", "") or view.get("$type", "")).split("#")[0]
    media: list[Media] = []
    links: list[Link] = []
    if kind == "app.bsky.embed.images":
        viewed = view.get("images") or []
        for i, image in enumerate(embed.get("images") or viewed):
            shown = viewed[i] if i < len(viewed) else {}
            media.append(
                Media(
                    type="image",
                    url=shown.get("fullsize"),
                    alt_text=(image.get("alt") or shown.get("alt")) or None,
                    preview_url=shown.get("thumb"),
                )
            )
    elif kind == "app.bsky.embed.video":
        media.append(
            Media(
                type="video",
                url=view.get("playlist"),
                alt_text=(embed.get("alt") or view.get("alt")) or None,
                preview_url=view.get("thumbnail"),
            )
        )
    elif kind == "app.bsky.embed.external":
        external = embed.get("external") or view.get("external") or {}
        if external.get("uri"):
            links.append(
                Link(
                    url=external["uri"],
                    expanded_url=external["uri"],
                    display_url=external.get("title") or "",
                )
            )
    return media, links


def _repost(item: dict[str, Any], reason: dict[str, Any], original: Post) -> Post:
    """A repost as a post: the reposter's, at the repost's time, showing the original."""
    view = item["post"]
    by = reason.get("by") if isinstance(reason.get("by"), dict) else {}
    reposter = _author(by)
    try:
        created_at = parse_time(reason.get("indexedAt") or view["indexedAt"])
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedPayload(f"Bluesky repost without indexedAt: {exc}") from exc
    return Post(
        network=Network.BLUESKY,
        id=f"{view['uri']}#repost-by-{reposter.id}",
        author=reposter,
        text=original.text,
        created_at=created_at,
        kind=Kind.RETWEET,
        lang=original.lang,
        hashtags=original.hashtags,
        mentions=original.mentions,
        links=original.links,
        media=original.media,
        retweeted_id=original.id,
        retweeted_handle=original.author.handle or None,
        metrics=original.metrics,
        url=original.url,
        raw=item,
    )
