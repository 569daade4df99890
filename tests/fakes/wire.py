"""Payloads in the networks' real wire formats, made up here (no recorded fixtures).

Each builder returns plain JSON-ready dicts shaped as the network sends them:
X API v2 pages (``data`` + ``includes``, twarc2's default expansions), X API v1.1
tweets, Mastodon statuses, Bluesky Jetstream events, and the account exports.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

T0 = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)


def iso_x(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def v1_time(when: datetime) -> str:
    return when.strftime("%a %b %d %H:%M:%S +0000 %Y")


def x_user(user_id: str, username: str) -> dict[str, Any]:
    return {"id": user_id, "username": username, "name": username.title()}


def v2_tweet(
    tweet_id: str,
    text: str,
    *,
    author_id: str,
    seconds: int = 0,
    metrics: tuple[int, int, int, int] = (0, 0, 0, 0),
    media_keys: list[str] | None = None,
    retweeted: str | None = None,
    hashtags: list[str] | None = None,
    edit_history: list[str] | None = None,
) -> dict[str, Any]:
    """A v2 tweet object with the fields twarc2 asks for."""
    retweets, replies, likes, quotes = metrics
    tweet: dict[str, Any] = {
        "id": tweet_id,
        "text": text,
        "author_id": author_id,
        "created_at": iso_x(T0 + timedelta(seconds=seconds)),
        "conversation_id": tweet_id,
        "lang": "en",
        "edit_history_tweet_ids": edit_history or [tweet_id],
        "public_metrics": {
            "retweet_count": retweets,
            "reply_count": replies,
            "like_count": likes,
            "quote_count": quotes,
        },
    }
    if media_keys:
        tweet["attachments"] = {"media_keys": media_keys}
    if retweeted:
        tweet["referenced_tweets"] = [{"type": "retweeted", "id": retweeted}]
    if hashtags:
        tweet["entities"] = {
            "hashtags": [
                {"start": text.index("#" + t), "end": text.index("#" + t) + len(t) + 1, "tag": t}
                for t in hashtags
            ]
        }
    return tweet


def v2_page(
    data: list[dict[str, Any]],
    *,
    users: list[dict[str, Any]],
    tweets: list[dict[str, Any]] = (),
    media: list[dict[str, Any]] = (),
) -> dict[str, Any]:
    """A twarc2 raw page: ``data``, ``includes``, ``meta`` and ``__twarc``."""
    includes: dict[str, Any] = {"users": list(users)}
    if tweets:
        includes["tweets"] = list(tweets)
    if media:
        includes["media"] = list(media)
    return {
        "data": data,
        "includes": includes,
        "meta": {
            "result_count": len(data),
            "newest_id": data[0]["id"],
            "oldest_id": data[-1]["id"],
        },
        "__twarc": {"url": "https://api.twitter.com/2/tweets/search/recent", "version": "2.14.0"},
    }


def v1_user(user_id: str, screen_name: str) -> dict[str, Any]:
    return {
        "id": int(user_id),
        "id_str": user_id,
        "name": screen_name.title(),
        "screen_name": screen_name,
        "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{user_id}/a_normal.jpg",
    }


def v1_tweet(
    tweet_id: str,
    text: str,
    *,
    user: dict[str, Any],
    seconds: int = 0,
    retweets: int = 0,
    likes: int = 0,
    retweeted_status: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A v1.1 tweet in extended mode (``full_text``), as search/tweets returns it."""
    tweet: dict[str, Any] = {
        "created_at": v1_time(T0 + timedelta(seconds=seconds)),
        "id": int(tweet_id),
        "id_str": tweet_id,
        "full_text": text,
        "truncated": False,
        "display_text_range": [0, len(text)],
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "user": user,
        "retweet_count": retweets,
        "favorite_count": likes,
        "favorited": False,
        "retweeted": False,
        "lang": "en",
    }
    if retweeted_status is not None:
        tweet["retweeted_status"] = retweeted_status
    return tweet


def mastodon_status(
    status_id: str,
    html: str,
    *,
    acct: str = "zoe@origin.social",
    seconds: int = 0,
    reblog: dict[str, Any] | None = None,
    quote: dict[str, Any] | None = None,
    tags: list[str] = (),
) -> dict[str, Any]:
    """A Mastodon 4.5 Status entity as the REST API and the streaming ``update`` send it."""
    username, _, domain = acct.partition("@")
    host = domain or "mastodon.example"
    status: dict[str, Any] = {
        "id": status_id,
        "created_at": (T0 + timedelta(seconds=seconds)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"https://{host}/users/{username}/statuses/{status_id}",
        "url": f"https://{host}/@{username}/{status_id}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": 0,
        "quotes_count": 0,
        "edited_at": None,
        "content": html,
        "reblog": reblog,
        "quote": quote,
        "account": {
            "id": str(sum(map(ord, acct))),
            "username": username,
            "acct": acct,
            "display_name": username.title(),
            "url": f"https://{host}/@{username}",
            "avatar": f"https://{host}/avatars/{username}.png",
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [{"name": t, "url": f"https://{host}/tags/{t}"} for t in tags],
        "emojis": [],
        "card": None,
        "poll": None,
    }
    return status
