"""X API v1.1 JSON -> ``Post``: twarc v1 archives, ``search/tweets`` responses, timelines.

A v1.1 tweet carries its author (``user``) and its originals inline
(``retweeted_status``, ``quoted_status``); the originals become posts of their
own in ``Parsed.referenced``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from desktop.core.normalize import MalformedPayload, Parsed, checked_id
from desktop.core.normalize.x_v2 import unescape_text
from desktop.core.post import Author, Link, Media, Metrics, Network, Post, kind_of, parse_time

_MEDIA_TYPES = {"photo": "image", "video": "video", "animated_gif": "gif"}


def is_tweet(obj: Any) -> bool:
    """True for a v1.1 tweet: ``id_str``/``id``, a text field and its ``user``."""
    return (
        isinstance(obj, dict)
        and ("id_str" in obj or "id" in obj)
        and ("full_text" in obj or "text" in obj or "extended_tweet" in obj)
        and isinstance(obj.get("user"), dict)
    )


def normalize_tweets(tweets: list[dict[str, Any]]) -> Parsed:
    """A list of v1.1 tweets (``statuses`` of a search response, a timeline)."""
    parsed = Parsed()
    own_ids = set()
    referenced: dict[str, Post] = {}
    for tweet in tweets:
        if not is_tweet(tweet):
            raise MalformedPayload("X v1.1 tweet without id, text or user")
        parsed.posts.append(tweet_to_post(tweet))
        own_ids.add(_id(tweet))
        for original in _originals(tweet):
            referenced.setdefault(_id(original), tweet_to_post(original))
    parsed.referenced.extend(post for key, post in referenced.items() if key not in own_ids)
    return parsed


def normalize_tweet(tweet: dict[str, Any]) -> Parsed:
    """One v1.1 tweet (a twarc v1 line, a retweet response)."""
    return normalize_tweets([tweet])


def _originals(tweet: dict[str, Any]) -> list[dict[str, Any]]:
    """Every tweet embedded in ``tweet``: the retweeted one, the quoted ones (and theirs)."""
    found = []
    for key in ("retweeted_status", "quoted_status"):
        inner = tweet.get(key)
        if is_tweet(inner):
            found.append(inner)
            found.extend(_originals(inner))
    return found


def _id(tweet: dict[str, Any]) -> str:
    return checked_id(tweet.get("id_str") or tweet["id"], "X v1.1 tweet")


def tweet_to_post(tweet: dict[str, Any]) -> Post:
    """One v1.1 tweet as a Post (its embedded originals are not included; see normalize_tweets)."""
    try:
        tweet_id = _id(tweet)
        user = tweet["user"]
        created_at = _parse_v1_time(tweet["created_at"])
    except MalformedPayload:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise MalformedPayload(f"X v1.1 tweet without id, user or created_at: {exc}") from exc

    retweeted = tweet.get("retweeted_status") if is_tweet(tweet.get("retweeted_status")) else None
    quoted = tweet.get("quoted_status") if is_tweet(tweet.get("quoted_status")) else None
    retweeted_id = _id(retweeted) if retweeted else None
    quoted_id = tweet.get("quoted_status_id_str") or (_id(quoted) if quoted else None)
    if retweeted is not None:
        quoted_id = None  # the quote belongs to the original, not to the retweet
    reply_to_id = tweet.get("in_reply_to_status_id_str") or None
    if reply_to_id is None and tweet.get("in_reply_to_status_id"):
        reply_to_id = str(tweet["in_reply_to_status_id"])

    # A retweet's own text is the truncated "RT @x: ..." copy: carry the original's.
    content = retweeted if retweeted is not None else tweet
    extended = content.get("extended_tweet") or {}
    text = content.get("full_text") or extended.get("full_text") or content.get("text") or ""
    entities = extended.get("entities") or content.get("entities") or {}
    media_entities = (
        (extended.get("extended_entities") or content.get("extended_entities") or {}).get("media")
        or entities.get("media")
        or ()
    )
    handle = user.get("screen_name", "")
    return Post(
        network=Network.X,
        id=tweet_id,
        author=Author(
            id=str(user.get("id_str") or user.get("id") or ""),
            handle=handle,
            display_name=user.get("name", ""),
            avatar_url=user.get("profile_image_url_https") or user.get("profile_image_url"),
        ),
        text=unescape_text(text),
        created_at=created_at,
        kind=kind_of(retweeted_id=retweeted_id, quoted_id=quoted_id, reply_to_id=reply_to_id),
        lang=tweet.get("lang"),
        hashtags=tuple(h["text"] for h in entities.get("hashtags") or () if h.get("text")),
        mentions=tuple(
            m["screen_name"] for m in entities.get("user_mentions") or () if m.get("screen_name")
        ),
        links=tuple(_link(u) for u in entities.get("urls") or () if u.get("url")),
        media=tuple(_media(m) for m in media_entities),
        retweeted_id=retweeted_id,
        quoted_id=quoted_id,
        reply_to_id=reply_to_id,
        reply_to_handle=tweet.get("in_reply_to_screen_name") or None,
        # A retweet carries its original's public counts (its own likes are 0).
        metrics=Metrics(
            retweets=int(content.get("retweet_count") or 0),
            likes=int(content.get("favorite_count") or 0),
            replies=int(content.get("reply_count") or 0),
            quotes=int(content.get("quote_count") or 0),
        ),
        url=f"https://x.com/{handle or 'i'}/status/{tweet_id}",
        retweeted_handle=(retweeted["user"].get("screen_name") or None) if retweeted else None,
        edit_history=edit_history(tweet, tweet_id),
        raw=tweet,
    )


def edit_history(tweet: dict[str, Any], tweet_id: str) -> tuple[str, ...]:
    """The versions of an edited tweet, first to latest: v1.1's ``edit_history``
    (``initial_tweet_id``, ``edit_tweet_ids``) or the account archive's
    ``edit_info`` (``initial.editTweetIds``, or ``edit.initialTweetId`` on a later
    version, which does not list the others)."""
    ids: list[str] = []
    history = tweet.get("edit_history")
    info = tweet.get("edit_info")
    if isinstance(history, dict):
        ids = [str(i) for i in history.get("edit_tweet_ids") or ()]
        initial = history.get("initial_tweet_id")
        if initial is not None and (not ids or ids[0] != str(initial)):
            ids.insert(0, str(initial))
    elif isinstance(info, dict):
        initial = info.get("initial")
        later = info.get("edit")
        if isinstance(initial, dict):
            ids = [str(i) for i in initial.get("editTweetIds") or ()]
        elif isinstance(later, dict) and later.get("initialTweetId") is not None:
            ids = [str(later["initialTweetId"])]
            ids += [str(i) for i in later.get("editControlInitial", {}).get("editTweetIds") or ()]
    if tweet_id not in ids and ids:
        ids.append(tweet_id)
    return tuple(dict.fromkeys(ids)) if len(set(ids)) > 1 else ()


def _parse_v1_time(value: str) -> datetime:
    """v1.1 writes "Wed Apr 07 20:31:18 +0000 2021"; some archives rewrote it as ISO."""
    try:
        return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
    except ValueError:
        return parse_time(value)


def _link(entity: dict[str, Any]) -> Link:
    return Link(
        url=entity["url"],
        expanded_url=entity.get("expanded_url") or entity["url"],
        display_url=entity.get("display_url") or "",
    )


def _media(entity: dict[str, Any]) -> Media:
    kind = _MEDIA_TYPES.get(entity.get("type", ""), "unknown")
    url = entity.get("media_url_https") or entity.get("media_url")
    if kind in ("video", "gif"):
        # The playable file is the best-bitrate mp4 variant; media_url is its poster frame.
        variants = [
            v
            for v in (entity.get("video_info") or {}).get("variants") or ()
            if v.get("content_type") == "video/mp4"
        ]
        if variants:
            best = max(variants, key=lambda v: v.get("bitrate") or 0)
            return Media(
                type=kind, url=best.get("url"), alt_text=entity.get("ext_alt_text"), preview_url=url
            )
    return Media(type=kind, url=url, alt_text=entity.get("ext_alt_text"), preview_url=url)
