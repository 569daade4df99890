"""X API v2 JSON -> ``Post``: stream lines, search pages, twarc2 raw pages and flattened lines.

Shapes handled:

- a filtered-stream line: ``{"data": {tweet}, "includes": {...}, "matching_rules": [...]}``
- a search/timeline page or a twarc2 raw page: ``{"data": [tweets], "includes", "meta", "__twarc"}``
- a twarc2 flattened line: one tweet with ``author``, ``in_reply_to_user``,
  ``attachments.media`` and ``referenced_tweets[*]`` inlined.

Tweets of ``includes.tweets`` (the retweeted, quoted and replied-to originals)
become posts of their own in ``Parsed.referenced``.

Tweets fetched with tweepy's default fields carry only ``id``, ``text`` and
``edit_history_tweet_ids``: their time then comes from the snowflake id and
their author is unknown (empty id and handle).
"""

from __future__ import annotations

import dataclasses
import re
from datetime import UTC, datetime
from typing import Any

from desktop.core.normalize import MalformedPayload, Parsed, checked_id
from desktop.core.post import Author, Link, Media, Metrics, Network, Post, kind_of, parse_time

_RT_PREFIX = re.compile(r"^RT @(\w+): ")
_MEDIA_TYPES = {"photo": "image", "video": "video", "animated_gif": "gif"}
# A media key's prefix names its type ("3_" photo, "7_" video, "16_" animated GIF):
# what is left to say of media that the response did not expand.
_MEDIA_KEY_TYPES = {"3": "image", "7": "video", "16": "gif"}
_TWITTER_EPOCH_MS = 1288834974657  # snowflake ids count milliseconds from here
_EMPTY: dict[str, Any] = {}  # read-only stand-in for a missing object (never mutated)


@dataclasses.dataclass(slots=True)
class Includes:
    """The ``includes`` of a response, indexed for lookups."""

    users: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    tweets: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)
    media: dict[str, dict[str, Any]] = dataclasses.field(default_factory=dict)

    @classmethod
    def from_json(cls, includes: Any) -> Includes:
        found = cls()
        if not isinstance(includes, dict):
            return found
        for user in includes.get("users") or ():
            if isinstance(user, dict) and "id" in user:
                found.users[str(user["id"])] = user
        for tweet in includes.get("tweets") or ():
            if isinstance(tweet, dict) and "id" in tweet:
                found.tweets[str(tweet["id"])] = tweet
        for item in includes.get("media") or ():
            if isinstance(item, dict) and "media_key" in item:
                found.media[str(item["media_key"])] = item
        return found


def is_tweet(obj: Any) -> bool:
    """True for a v2 tweet object (raw or flattened): an id and a text, no v1.1 ``user``."""
    return isinstance(obj, dict) and "id" in obj and "text" in obj and "user" not in obj


def normalize_page(page: dict[str, Any]) -> Parsed:
    """A stream line or a response page: ``data`` (one tweet or a list) plus ``includes``."""
    if not isinstance(page, dict) or "data" not in page:
        raise MalformedPayload(
            f"X v2 page without 'data': keys {sorted(page)[:8] if isinstance(page, dict) else type(page).__name__}"
        )
    data = page["data"]
    tweets = [data] if isinstance(data, dict) else data
    if not isinstance(tweets, list) or not all(is_tweet(t) for t in tweets):
        raise MalformedPayload("X v2 'data' is not a tweet or a list of tweets")
    return normalize_checked_page(page, tweets)


def normalize_checked_page(page: dict[str, Any], tweets: list[dict[str, Any]]) -> Parsed:
    """``normalize_page`` for a caller that has checked ``tweets`` (``page["data"]``
    as a list) are tweets."""
    return _normalize_tweets(tweets, Includes.from_json(page.get("includes")))


def normalize_flat_tweet(tweet: dict[str, Any]) -> Parsed:
    """One line of twarc2's flattened output: the tweet with its expansions inlined."""
    if not is_tweet(tweet):
        raise MalformedPayload("flattened X v2 tweet without 'id' and 'text'")
    includes = Includes()
    _collect_inlined(tweet, includes)
    return _normalize_tweets([tweet], includes)


def _collect_inlined(tweet: dict[str, Any], includes: Includes) -> None:
    """Gather the users, media and tweets that twarc2's flattener put inside a tweet."""
    for key in ("author", "in_reply_to_user"):
        user = tweet.get(key)
        if isinstance(user, dict) and "id" in user:
            includes.users.setdefault(str(user["id"]), user)
    for mention in (tweet.get("entities") or {}).get("mentions") or ():
        if isinstance(mention, dict) and "id" in mention and "username" in mention:
            includes.users.setdefault(str(mention["id"]), mention)
    for item in (tweet.get("attachments") or {}).get("media") or ():
        if isinstance(item, dict) and "media_key" in item:
            includes.media.setdefault(str(item["media_key"]), item)
    for ref in tweet.get("referenced_tweets") or ():
        if is_tweet(ref) and str(ref["id"]) not in includes.tweets:
            includes.tweets[str(ref["id"])] = ref
            _collect_inlined(ref, includes)


def _normalize_tweets(tweets: list[dict[str, Any]], includes: Includes) -> Parsed:
    parsed = Parsed()
    own_ids = set()
    for tweet in tweets:
        parsed.posts.append(tweet_to_post(tweet, includes=includes))
        own_ids.add(str(tweet["id"]))
    for tweet_id, tweet in includes.tweets.items():
        if tweet_id not in own_ids:
            parsed.referenced.append(tweet_to_post(tweet, includes=includes))
    return parsed


def tweet_to_post(tweet: dict[str, Any], *, includes: Includes | None = None) -> Post:
    """One v2 tweet (raw or flattened) as a Post; ``includes`` resolves authors, originals, media."""
    includes = includes or Includes()
    try:
        tweet_id = tweet["id"]
        text = tweet.get("note_tweet", _EMPTY).get("text") or tweet["text"]
    except (KeyError, TypeError, AttributeError) as exc:
        raise MalformedPayload(f"X v2 tweet without id/text: {exc}") from exc
    tweet_id = checked_id(tweet_id, "X v2 tweet")
    refs = {}
    for ref in tweet.get("referenced_tweets") or ():
        if isinstance(ref, dict) and "type" in ref and "id" in ref:
            refs.setdefault(ref["type"], str(ref["id"]))
    retweeted_id = refs.get("retweeted")
    quoted_id = refs.get("quoted")
    reply_to_id = refs.get("replied_to")

    # A retweet's own text and entities are the truncated "RT @x: ..." copy: show the original's.
    content = tweet
    retweeted_handle = None
    if retweeted_id is not None:
        original = includes.tweets.get(retweeted_id)
        prefix = _RT_PREFIX.match(text)
        if prefix is not None:
            retweeted_handle = prefix.group(1)
        if original is not None:
            content = original
            text = original.get("note_tweet", _EMPTY).get("text") or original.get("text", text)
            retweeted_handle = _author(original, includes).handle or retweeted_handle
        elif prefix is not None:
            text = text[prefix.end() :]

    entities = content.get("entities") or _EMPTY
    author = _author(tweet, includes)
    created_at = _created_at(tweet, tweet_id)
    return Post(
        network=Network.X,
        id=tweet_id,
        author=author,
        text=unescape_text(text),
        created_at=created_at,
        kind=kind_of(retweeted_id=retweeted_id, quoted_id=quoted_id, reply_to_id=reply_to_id),
        lang=tweet.get("lang"),
        hashtags=tuple([h["tag"] for h in entities.get("hashtags") or () if h.get("tag")]),
        mentions=tuple(
            [m["username"] for m in entities.get("mentions") or () if m.get("username")]
        ),
        links=tuple([_link(u) for u in entities.get("urls") or () if u.get("url")]),
        media=_media(content, includes),
        retweeted_id=retweeted_id,
        quoted_id=quoted_id,
        reply_to_id=reply_to_id,
        reply_to_handle=_reply_to_handle(tweet, reply_to_id, includes),
        # A retweet's own counts are the original's retweets and zeros: it carries
        # the original's public metrics (as Mastodon's reblogs and Bluesky's reposts do).
        metrics=_metrics(content.get("public_metrics") or tweet.get("public_metrics") or _EMPTY),
        url=f"https://x.com/{author.handle or 'i'}/status/{tweet_id}",
        edited_at=_edited_at(tweet, tweet_id, created_at),
        retweeted_handle=retweeted_handle or None,
        edit_history=_edit_history(tweet),
        raw=tweet,
    )


def unescape_text(text: str) -> str:
    """X escapes exactly ``&``, ``<`` and ``>`` in tweet text (v1.1 and v2); Post.text is plain."""
    if "&" not in text:
        return text
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _author(tweet: dict[str, Any], includes: Includes) -> Author:
    author_id = str(tweet.get("author_id") or (tweet.get("author") or {}).get("id") or "")
    user = includes.users.get(author_id) or tweet.get("author") or {}
    return Author(
        id=author_id,
        handle=user.get("username", ""),
        display_name=user.get("name", ""),
        avatar_url=user.get("profile_image_url") or None,
    )


def _created_at(tweet: dict[str, Any], tweet_id: str) -> datetime:
    value = tweet.get("created_at")
    if value:
        # X always sends "2026-03-01T17:00:00.000Z": Python's own ISO parser reads
        # that 10x faster than the general parse_time (the import's hot path).
        try:
            parsed = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            return parse_time(value)
        return parsed if parsed.tzinfo is UTC else parse_time(value)
    # tweepy's default fields leave out created_at; the snowflake id holds the time.
    try:
        millis = (int(tweet_id) >> 22) + _TWITTER_EPOCH_MS
    except ValueError as exc:
        raise MalformedPayload(
            f"X v2 tweet {tweet_id!r} has no created_at and no snowflake id"
        ) from exc
    return datetime.fromtimestamp(millis / 1000, tz=UTC)


def _edit_history(tweet: dict[str, Any]) -> tuple[str, ...]:
    history = tweet.get("edit_history_tweet_ids")
    if not history or len(history) < 2:
        return ()
    return tuple([str(i) for i in history])


def _edited_at(tweet: dict[str, Any], tweet_id: str, created_at: datetime) -> datetime | None:
    """A later version of an edited tweet was created when the edit was made."""
    history = tweet.get("edit_history_tweet_ids")
    if history and len(history) > 1 and tweet_id != str(history[0]):
        return created_at
    return None


def _reply_to_handle(
    tweet: dict[str, Any], reply_to_id: str | None, includes: Includes
) -> str | None:
    user_id = tweet.get("in_reply_to_user_id")
    if user_id is None and reply_to_id is None:
        return None
    inlined = tweet.get("in_reply_to_user")
    if isinstance(inlined, dict) and inlined.get("username"):
        return inlined["username"]
    user = includes.users.get(str(user_id)) if user_id is not None else None
    if user and user.get("username"):
        return user["username"]
    # Unresolvable: a reply's text starts with the handle it answers.
    mentions = (tweet.get("entities") or {}).get("mentions") or ()
    return mentions[0].get("username") if mentions else None


def _link(entity: dict[str, Any]) -> Link:
    return Link(
        url=entity["url"],
        expanded_url=entity.get("expanded_url") or entity["url"],
        display_url=entity.get("display_url", ""),
    )


def _media(tweet: dict[str, Any], includes: Includes) -> tuple[Media, ...]:
    keys = (tweet.get("attachments") or _EMPTY).get("media_keys")
    if not keys:
        return ()
    found = []
    for key in keys:
        item = includes.media.get(str(key))
        if item is None:
            # Not expanded (twarc's default expansions leave out a retweeted
            # post's media): the key alone says the post carries media.
            prefix = str(key).partition("_")[0]
            found.append(Media(type=_MEDIA_KEY_TYPES.get(prefix, "unknown")))
            continue
        # Videos and GIFs: the playable file is the best mp4 variant (when media.fields asked for it).
        variants = [
            v
            for v in item.get("variants") or ()
            if v.get("content_type") == "video/mp4" and v.get("url")
        ]
        playable = max(variants, key=lambda v: v.get("bit_rate") or 0)["url"] if variants else None
        found.append(
            Media(
                type=_MEDIA_TYPES.get(item.get("type", ""), "unknown"),
                url=item.get("url") or playable or item.get("preview_image_url"),
                alt_text=item.get("alt_text"),
                preview_url=item.get("preview_image_url"),
            )
        )
    return tuple(found)


def _metrics(counts: dict[str, Any]) -> Metrics:
    return Metrics(
        retweets=int(counts.get("retweet_count") or 0),
        likes=int(counts.get("like_count") or 0),
        replies=int(counts.get("reply_count") or 0),
        quotes=int(counts.get("quote_count") or 0),
    )
