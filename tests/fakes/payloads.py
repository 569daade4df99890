"""Payloads in each network's wire format, made here (no recorded files needed).

Modelled field by field on the recorded ones (``shared/fixtures``, see its README):
the same field names, nesting, id and date formats, escaping and offsets:

- X API v2: tweets with ``entities`` (code point offsets), ``public_metrics``,
  ``referenced_tweets``, ``attachments.media_keys``, ``edit_history_tweet_ids``;
  search pages ``{data, includes, meta, __twarc}``, filtered-stream lines
  ``{data, includes, matching_rules}``, twarc's flattened lines; text escapes
  ``&``, ``<``, ``>`` as X does. Ids are snowflakes of their time.
- X API v1.1: statuses with ``id``/``id_str``, ``full_text`` (extended mode),
  ``entities`` with ``indices``, ``extended_entities``, ``user``,
  ``retweeted_status``, ``quoted_status``; ``created_at`` as ``Wed Apr 07 20:31:18 +0000 2021``.
- Mastodon: Status and Account JSON with HTML ``content`` (hashtag anchors,
  ``h-card`` mentions, ``invisible``/``ellipsis`` link spans, ``&#39;``),
  ``tags``, ``mentions``, ``media_attachments``, ``reblog``, 4.5 quotes
  (``quote.state``/``quoted_status`` and the ``quote-inline`` fallback); the
  streaming API's ``event:``/``data:`` bodies and ``{event, payload}`` records.
- Bluesky: post views (``uri``/``cid``/``author``/``record``/counts), records with
  facets at UTF-8 byte offsets, image/external/record/recordWithMedia embeds,
  thread views, getRecord answers.

``cassette`` wraps a body as the fixture README's decoded cassettes do, and
``write_tree`` lays a set of them out like ``shared/fixtures`` so code that reads
files there (the fake Mastodon's template, imports) runs on these instead.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import MappingProxyType
from typing import Any

T0 = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)
_TWITTER_EPOCH_MS = 1288834974657
_EMPTY: Mapping = MappingProxyType({})  # a read-only default
_WORD = re.compile(r"(#\w+|@[\w.]+(?:@[\w.-]+)?|https?://\S+)")


# --- shared -------------------------------------------------------------------------------------


def cassette(uri: str, body: Any, *, method: str = "GET", headers: dict | None = None) -> list:
    """One decoded-cassette exchange, as the fixture README describes them."""
    return [
        {
            "request": {"method": method, "uri": uri},
            "status": {"code": 200, "message": "OK"},
            "headers": {"content-type": "application/json; charset=utf-8", **(headers or {})},
            "body_format": "json",
            "body": body,
        }
    ]


def x_snowflake(when: datetime, seq: int = 0) -> str:
    """An X id: milliseconds since X's epoch, shifted 22 bits (the time is read back from it)."""
    return str(((int(when.timestamp() * 1000) - _TWITTER_EPOCH_MS) << 22) | seq)


def x_iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def x_v1_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%a %b %d %H:%M:%S +0000 %Y")


def _x_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- X API v2 -----------------------------------------------------------------------------------


def x_user(username: str, *, user_id: str | None = None, name: str | None = None) -> dict:
    user_id = user_id or str(1_000_000 + sum(map(ord, username)) * 97)
    return {
        "id": user_id,
        "name": name or username.replace("_", " ").title(),
        "username": username,
        "created_at": "2015-11-16T17:03:41.000Z",
        "description": "",
        "protected": False,
        "verified": False,
        "url": "",
        "profile_image_url": f"https://pbs.twimg.com/profile_images/{user_id}/a_normal.jpg",
        "public_metrics": {
            "followers_count": 120,
            "following_count": 80,
            "tweet_count": 4000,
            "listed_count": 1,
        },
    }


def x_entities(
    text: str, *, users: Mapping[str, dict] = _EMPTY, urls: Mapping[str, str] = _EMPTY
) -> dict:
    """v2 entities of ``text`` (before escaping): code point ``start``/``end``, as X gives them.
    ``urls`` maps a t.co link in the text to its expanded URL."""
    entities: dict[str, list] = {}
    for match in _WORD.finditer(text):
        word, start, end = match.group(), match.start(), match.end()
        if word.startswith("#"):
            entities.setdefault("hashtags", []).append(
                {"start": start, "end": end, "tag": word[1:]}
            )
        elif word.startswith("@"):
            user = users.get(word[1:]) or x_user(word[1:])
            entities.setdefault("mentions", []).append(
                {"start": start, "end": end, "username": word[1:], "id": user["id"]}
            )
        elif word in urls:
            expanded = urls[word]
            display = expanded.split("://", 1)[1]
            entities.setdefault("urls", []).append(
                {
                    "start": start,
                    "end": end,
                    "url": word,
                    "expanded_url": expanded,
                    "display_url": display if len(display) <= 26 else display[:25] + "\u2026",
                }
            )
    return entities


def x_v2_tweet(
    text: str,
    *,
    author: dict,
    at: datetime = T0,
    seq: int = 0,
    tweet_id: str | None = None,
    replied_to: dict | None = None,
    reply_to_user: dict | None = None,
    quoted: dict | None = None,
    retweeted: dict | None = None,
    retweeted_author: dict | None = None,
    media_keys: tuple[str, ...] = (),
    urls: Mapping[str, str] = _EMPTY,
    users: Mapping[str, dict] = _EMPTY,
    metrics: tuple[int, int, int, int] = (0, 0, 0, 0),
    lang: str = "en",
    edit_history: list[str] | None = None,
) -> dict:
    """A tweet with the fields twarc2 asks for (``tweet.fields`` of the recorded pages).
    A retweet's text is X's truncated ``RT @user: ...`` form."""
    tweet_id = tweet_id or x_snowflake(at, seq)
    if retweeted is not None:
        handle = (retweeted_author or {}).get("username", "someone")
        original = retweeted["text"].replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
        text = f"RT @{handle}: {original}"
        if len(text) > 140:
            text = text[:139] + "\u2026"
    tweet: dict[str, Any] = {
        "entities": x_entities(text, users=users, urls=urls),
        "author_id": author["id"],
        "text": _x_escape(text),
        "reply_settings": "everyone",
        "conversation_id": (replied_to or {}).get("conversation_id", tweet_id),
        "possibly_sensitive": False,
        "source": "Twitter Web App",
        "public_metrics": dict(
            zip(("retweet_count", "reply_count", "like_count", "quote_count"), metrics, strict=True)
        ),
        "lang": lang,
        "edit_history_tweet_ids": edit_history or [tweet_id],
        "id": tweet_id,
        "created_at": x_iso(at),
    }
    refs = []
    if retweeted is not None:
        refs.append({"type": "retweeted", "id": retweeted["id"]})
    if quoted is not None:
        refs.append({"type": "quoted", "id": quoted["id"]})
    if replied_to is not None:
        refs.append({"type": "replied_to", "id": replied_to["id"]})
        tweet["in_reply_to_user_id"] = (reply_to_user or {}).get("id", replied_to["author_id"])
    if refs:
        tweet["referenced_tweets"] = refs
    if media_keys:
        tweet["attachments"] = {"media_keys": list(media_keys)}
    if not tweet["entities"]:
        del tweet["entities"]
    return tweet


def x_media(media_key: str, kind: str = "photo", *, alt_text: str | None = None) -> dict:
    """An ``includes.media`` item: ``photo`` has a ``url``, video and gif a preview image."""
    item: dict[str, Any] = {"media_key": media_key, "type": kind, "width": 1200, "height": 800}
    name = media_key.split("_")[1]
    if kind == "photo":
        item["url"] = f"https://pbs.twimg.com/media/F{name}.jpg"
    else:
        item["preview_image_url"] = f"https://pbs.twimg.com/ext_tw_video_thumb/{name}/pu/img/p.jpg"
        if kind == "video":
            item["duration_ms"] = 12000
            item["public_metrics"] = {"view_count": 31}
    if alt_text is not None:
        item["alt_text"] = alt_text
    return item


def x_includes(
    *, users: list[dict], tweets: list[dict] = (), media: list[dict] = ()
) -> dict[str, list]:
    includes: dict[str, list] = {"users": _unique(users)}
    if tweets:
        includes["tweets"] = _unique(tweets)
    if media:
        includes["media"] = _unique(media)
    return includes


def _unique(items) -> list:
    seen, out = set(), []
    for item in items:
        key = item.get("id") or item.get("media_key")
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def x_v2_page(tweets: list[dict], includes: dict, *, query: str = "#jam") -> dict:
    """A recent-search response page as twarc2 writes it (one line of its output)."""
    ids = sorted((t["id"] for t in tweets), key=int)
    return {
        "data": tweets,
        "includes": includes,
        "meta": {
            "newest_id": ids[-1],
            "oldest_id": ids[0],
            "result_count": len(tweets),
            "next_token": "b26v89c19zqg8o3fpds60ssjif02fq74br3502of8hmrh",
        },
        "__twarc": {
            "url": "https://api.twitter.com/2/tweets/search/recent?query="
            + query.replace("#", "%23")
            + "&max_results=100",
            "version": "2.5.0",
            "retrieved_at": x_iso(T0).replace(".000Z", "+00:00"),
        },
    }


def x_v2_line(tweet: dict, includes: dict, *, tag: str = "jam") -> dict:
    """A filtered-stream line: one tweet, its includes, the rules it matched."""
    return {
        "data": tweet,
        "includes": includes,
        "matching_rules": [{"id": "1377629564128321537", "tag": f"#{tag}"}],
    }


def x_v2_flat(page: dict) -> list[dict]:
    """twarc's flattened layout of ``page``: one tweet per line, its author, replied-to
    user, media and referenced tweets inlined (the referenced ones flattened too)."""
    users = {u["id"]: u for u in page["includes"].get("users", [])}
    tweets = {t["id"]: t for t in page["includes"].get("tweets", [])}
    media = {m["media_key"]: m for m in page["includes"].get("media", [])}

    def flat(tweet: dict, depth: int = 0) -> dict:
        out = copy.deepcopy(tweet)
        out["author"] = users[tweet["author_id"]]
        if tweet.get("in_reply_to_user_id") in users:
            out["in_reply_to_user"] = users[tweet["in_reply_to_user_id"]]
        if "attachments" in tweet:
            out["attachments"]["media"] = [media[k] for k in tweet["attachments"]["media_keys"]]
        refs = []
        for ref in tweet.get("referenced_tweets", []):
            inner = tweets.get(ref["id"])
            refs.append({"type": ref["type"], **(flat(inner, depth + 1) if inner else ref)})
        if refs:
            out["referenced_tweets"] = refs
        if depth == 0:
            out["__twarc"] = page["__twarc"]
        return out

    return [flat(tweet) for tweet in page["data"]]


class XJam:
    """A small #jam on X, every v2 shape the normalizer reads: originals, a retweet of a
    tweet with ``&``, a reply with the answered user, a quote that also replies, a photo
    with alt text, a video, a gif, a link, non-ASCII text, an edited tweet.
    ``page`` is the search page; ``lines`` the same tweets as stream lines."""

    def __init__(self, *, tag: str = "jam", at: datetime = T0) -> None:
        self.tag = tag
        host, ann, bo, kim = (x_user(u) for u in ("jam_host", "ann_lee", "bo_park", "kim_용"))
        self.users = {u["username"]: u for u in (host, ann, bo, kim)}
        t = [at + timedelta(seconds=7 * i) for i in range(12)]
        q1 = x_v2_tweet(
            f"Q1: what makes a good jam? Tips & tricks <please> #{tag}",
            author=host,
            at=t[0],
            metrics=(3, 2, 9, 1),
        )
        video_key, photo_key, gif_key = (
            "13_1440716736051830786",
            "3_1377650087799754753",
            ("16_1440716736051830787"),
        )
        photo = x_v2_tweet(
            f"A1: a chart of our answers #{tag} https://t.co/AbCdEf1234",
            author=ann,
            at=t[1],
            media_keys=(photo_key,),
            urls={"https://t.co/AbCdEf1234": "https://x.com/ann_lee/status/1/photo/1"},
            metrics=(0, 0, 4, 0),
        )
        reply = x_v2_tweet(
            f"@jam_host A1: listening first, caf\u00e9 after \u2615 #{tag}",
            author=bo,
            at=t[2],
            replied_to=q1,
            users=self.users,
            metrics=(0, 1, 2, 0),
        )
        retweet = x_v2_tweet("", author=kim, at=t[3], retweeted=q1, retweeted_author=host)
        quote_reply = x_v2_tweet(
            f"@jam_host this, and #원호 의 #잇츠라이브 #{tag} https://t.co/QqQqQqQq12",
            author=kim,
            at=t[4],
            replied_to=q1,
            quoted=photo,
            users=self.users,
            urls={"https://t.co/QqQqQqQq12": f"https://x.com/ann_lee/status/{photo['id']}"},
        )
        video = x_v2_tweet(
            f"She's GOING with it! \U0001f40d #{tag} https://t.co/uXqSAGWkWJ",
            author=ann,
            at=t[5],
            media_keys=(video_key,),
            urls={"https://t.co/uXqSAGWkWJ": "https://x.com/ann_lee/status/2/video/1"},
        )
        gif = x_v2_tweet(
            f"A2: me when the jam starts #{tag}", author=bo, at=t[6], media_keys=(gif_key,)
        )
        link = x_v2_tweet(
            f"A3: read this https://t.co/LnKlnK9876 #{tag}",
            author=host,
            at=t[7],
            urls={"https://t.co/LnKlnK9876": "https://example.com/a/very/long/path/to/an/article"},
        )
        first_version = x_snowflake(t[8], 1)
        edited = x_v2_tweet(
            f"A4: edited to add the #{tag} tag",
            author=kim,
            at=t[9],
            edit_history=[first_version, x_snowflake(t[9])],
        )
        edited["edit_controls"] = {
            "edits_remaining": "4",
            "is_edit_eligible": True,
            "editable_until": x_iso(t[8] + timedelta(minutes=30)),
        }
        self.media = [
            x_media(photo_key, "photo", alt_text="a bar chart of answers"),
            x_media(video_key, "video"),
            x_media(gif_key, "animated_gif"),
        ]
        self.q1, self.photo, self.reply, self.retweet = q1, photo, reply, retweet
        self.quote_reply, self.video, self.gif, self.link, self.edited = (
            quote_reply,
            video,
            gif,
            link,
            edited,
        )
        # The search page holds the answers; the question arrives as an include.
        self.data = [photo, reply, retweet, quote_reply, video, gif, link, edited]
        self.page = x_v2_page(
            list(reversed(self.data)),  # newest first, as search answers
            x_includes(users=[host, ann, bo, kim], tweets=[q1, photo], media=self.media),
            query=f"#{tag}",
        )

    def lines(self) -> list[dict]:
        """Each tweet as the filtered stream sends it, with just its own includes."""
        out = []
        for tweet in [self.q1, *self.data]:
            refs = [r["id"] for r in tweet.get("referenced_tweets", [])]
            tweets = [t for t in (self.q1, self.photo) if t["id"] in refs]
            keys = tweet.get("attachments", {}).get("media_keys", [])
            users = [u for u in self.users.values() if u["id"] == tweet["author_id"]]
            users += [u for u in self.users.values() if u["id"] in {t["author_id"] for t in tweets}]
            out.append(
                x_v2_line(
                    tweet,
                    x_includes(
                        users=users,
                        tweets=tweets,
                        media=[m for m in self.media if m["media_key"] in keys],
                    ),
                    tag=self.tag,
                )
            )
        return out


def x_default_fields_tweet(text: str, *, at: datetime = T0) -> dict:
    """A tweet fetched with tweepy's default fields: id, text, edit history; nothing else."""
    tweet_id = x_snowflake(at)
    return {"edit_history_tweet_ids": [tweet_id], "id": tweet_id, "text": _x_escape(text)}


# --- X API v1.1 ---------------------------------------------------------------------------------


def x_v1_user(screen_name: str, *, name: str | None = None) -> dict:
    user_id = int(x_user(screen_name)["id"])
    return {
        "id": user_id,
        "id_str": str(user_id),
        "name": name or screen_name.replace("_", " ").title(),
        "screen_name": screen_name,
        "location": "",
        "description": "",
        "url": None,
        "entities": {"description": {"urls": []}},
        "protected": False,
        "followers_count": 120,
        "friends_count": 80,
        "listed_count": 1,
        "created_at": "Wed Aug 26 23:34:46 +0000 2009",
        "favourites_count": 10,
        "verified": False,
        "statuses_count": 4000,
        "profile_image_url_https": f"https://pbs.twimg.com/profile_images/{user_id}/a_normal.jpg",
    }


def x_v1_status(
    text: str,
    *,
    user: dict,
    at: datetime = T0,
    seq: int = 0,
    in_reply_to: dict | None = None,
    retweeted_status: dict | None = None,
    quoted_status: dict | None = None,
    photo: tuple[str, str] | None = None,
    metrics: tuple[int, int] = (0, 0),
) -> dict:
    """A status in extended mode (``full_text``, ``display_text_range``), ``indices`` in
    entities, a photo in ``entities.media`` and ``extended_entities``."""
    status_id = int(x_snowflake(at, seq))
    if retweeted_status is not None:
        original = retweeted_status["full_text"]
        text = f"RT @{retweeted_status['user']['screen_name']}: {original}"
    entities: dict[str, list] = {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}
    for match in _WORD.finditer(text):
        word, span = match.group(), [match.start(), match.end()]
        if word.startswith("#"):
            entities["hashtags"].append({"text": word[1:], "indices": span})
        elif word.startswith("@"):
            mentioned = x_v1_user(word[1:])
            entities["user_mentions"].append(
                {
                    "screen_name": word[1:],
                    "name": mentioned["name"],
                    "id": mentioned["id"],
                    "id_str": mentioned["id_str"],
                    "indices": span,
                }
            )
    if photo is not None:
        tco, alt = photo
        start = len(text) + 1
        text = f"{text} {tco}"
        item = {
            "id": status_id + 1,
            "id_str": str(status_id + 1),
            "indices": [start, len(text)],
            "media_url_https": f"https://pbs.twimg.com/media/Fg{status_id % 10**8}.jpg",
            "url": tco,
            "display_url": f"pic.twitter.com/{tco.rsplit('/', 1)[1]}",
            "expanded_url": f"https://twitter.com/{user['screen_name']}/status/{status_id}/photo/1",
            "type": "photo",
            "ext_alt_text": alt,
        }
        entities["media"] = [item]
    status: dict[str, Any] = {
        "created_at": x_v1_time(at),
        "id": status_id,
        "id_str": str(status_id),
        "full_text": _x_escape(text),
        "truncated": False,
        "display_text_range": [0, len(text)],
        "entities": entities,
        "metadata": {"iso_language_code": "en", "result_type": "recent"},
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "in_reply_to_status_id": None,
        "in_reply_to_status_id_str": None,
        "in_reply_to_user_id": None,
        "in_reply_to_user_id_str": None,
        "in_reply_to_screen_name": None,
        "user": user,
        "geo": None,
        "coordinates": None,
        "place": None,
        "contributors": None,
        "is_quote_status": quoted_status is not None,
        "retweet_count": metrics[0],
        "favorite_count": metrics[1],
        "favorited": False,
        "retweeted": False,
        "possibly_sensitive": False,
        "lang": "en",
    }
    if photo is not None:
        status["extended_entities"] = {"media": [dict(entities["media"][0])]}
    if in_reply_to is not None:
        status.update(
            in_reply_to_status_id=in_reply_to["id"],
            in_reply_to_status_id_str=in_reply_to["id_str"],
            in_reply_to_user_id=in_reply_to["user"]["id"],
            in_reply_to_user_id_str=in_reply_to["user"]["id_str"],
            in_reply_to_screen_name=in_reply_to["user"]["screen_name"],
        )
    if retweeted_status is not None:
        status["retweeted_status"] = retweeted_status
    if quoted_status is not None:
        status["quoted_status_id"] = quoted_status["id"]
        status["quoted_status_id_str"] = quoted_status["id_str"]
        status["quoted_status"] = quoted_status
    return status


def x_v1_search(statuses: list[dict], *, query: str = "#jam") -> dict:
    q = query.replace("#", "%23")
    return {
        "statuses": statuses,
        "search_metadata": {
            "completed_in": 0.05,
            "max_id": statuses[0]["id"],
            "max_id_str": statuses[0]["id_str"],
            "query": q,
            "refresh_url": f"?since_id={statuses[0]['id_str']}&q={q}&include_entities=1",
            "count": len(statuses),
            "since_id": 0,
            "since_id_str": "0",
        },
    }


# --- Mastodon -----------------------------------------------------------------------------------


def mastodon_id(when: datetime, seq: int = 0) -> str:
    """A Mastodon snowflake: milliseconds since 1970 shifted 16 bits."""
    return str((int(when.timestamp() * 1000) << 16) + seq)


def mastodon_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def mastodon_account(
    username: str, *, host: str = "jam.example", local: str = "jam.example"
) -> dict:
    """An Account as the instance ``local`` serves it (``acct`` has ``@host`` when remote)."""
    account_id = str(110_000_000_000_000_000 + sum(map(ord, username + host)) * 7919)
    return {
        "id": account_id,
        "username": username,
        "acct": username if host == local else f"{username}@{host}",
        "display_name": username.replace("_", " ").title(),
        "locked": False,
        "bot": False,
        "discoverable": True,
        "indexable": True,
        "group": False,
        "created_at": "2023-08-25T00:00:00.000Z",
        "note": "<p>Here for the jams.</p>",
        "url": f"https://{host}/@{username}",
        "uri": f"https://{host}/users/{username}",
        "avatar": f"https://files.{local}/accounts/avatars/{account_id}/original/a.png",
        "avatar_static": f"https://files.{local}/accounts/avatars/{account_id}/original/a.png",
        "header": f"https://{local}/headers/original/missing.png",
        "header_static": f"https://{local}/headers/original/missing.png",
        "followers_count": 57,
        "following_count": 40,
        "statuses_count": 312,
        "last_status_at": "2026-05-01",
        "hide_collections": False,
        "emojis": [],
        "fields": [],
    }


def _html_escape(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;")
    )


def mastodon_html(
    text: str, *, local: str = "jam.example", mentions: Mapping[str, dict] = _EMPTY
) -> str:
    """``text`` as Mastodon renders it: ``<p>`` per paragraph, ``<br />`` per line,
    hashtag anchors, ``h-card`` mentions, long links cut into invisible/ellipsis spans."""

    def word(token: str) -> str:
        if token.startswith("#"):
            return (
                f'<a href="https://{local}/tags/{token[1:]}" class="mention hashtag" '
                f'rel="tag">#<span>{_html_escape(token[1:])}</span></a>'
            )
        if token.startswith("@"):
            account = mentions.get(token[1:])
            url = account["url"] if account else f"https://{local}/@{token[1:]}"
            return (
                '<span class="h-card" translate="no"><a href="'
                + url
                + '" class="u-url mention">@<span>'
                + _html_escape(token[1:].split("@")[0])
                + "</span></a></span>"
            )
        scheme, rest = token.split("://", 1)
        shown, hidden = rest[:30], rest[30:]
        return (
            f'<a href="{_html_escape(token)}" target="_blank" rel="nofollow noopener" '
            f'translate="no"><span class="invisible">{scheme}://</span>'
            f'<span class="{"ellipsis" if hidden else ""}">{_html_escape(shown)}</span>'
            f'<span class="invisible">{_html_escape(hidden)}</span></a>'
        )

    paragraphs = []
    for paragraph in text.split("\n\n"):
        lines = []
        for line in paragraph.split("\n"):
            parts = _WORD.split(line)
            lines.append(
                "".join(word(p) if i % 2 else _html_escape(p) for i, p in enumerate(parts))
            )
        paragraphs.append("<p>" + "<br />".join(lines) + "</p>")
    return "".join(paragraphs)


def mastodon_media(kind: str, *, seq: int = 1, description: str | None = None) -> dict:
    media_id = str(110446234379794171 + seq)
    ext = {"image": "png", "gifv": "mp4", "video": "mp4", "audio": "mp3"}[kind]
    base = f"https://files.jam.example/media_attachments/files/{media_id}"
    return {
        "id": media_id,
        "type": kind,
        "url": f"{base}/original/e6bd.{ext}",
        "preview_url": f"{base}/small/e6bd.png" if kind != "audio" else None,
        "remote_url": None,
        "preview_remote_url": None,
        "text_url": None,
        "meta": {"original": {"width": 640, "height": 360}},
        "description": description,
        "blurhash": "UMAm0W4;kTRj0M-:Rjt7%LM|kDoJjZofo0Rk",
    }


def mastodon_status(
    text: str,
    *,
    account: dict,
    at: datetime = T0,
    seq: int = 0,
    local: str = "jam.example",
    mentions: tuple[dict, ...] = (),
    media: tuple[dict, ...] = (),
    in_reply_to: dict | None = None,
    reblog: dict | None = None,
    quote: dict | None = None,
    spoiler_text: str = "",
    edited_at: datetime | None = None,
    language: str = "en",
    emojis: tuple[str, ...] = (),
    counts: tuple[int, int, int] = (0, 0, 0),
) -> dict:
    """A Status (Mastodon 4.5): HTML ``content`` made from ``text``; ``tags`` are the
    lower-cased names; a quote carries ``quote.state``/``quoted_status`` and the
    ``quote-inline`` "RE:" paragraph older clients show."""
    status_id = mastodon_id(at, seq)
    host = account["url"].split("/")[2]
    by_name = {m["acct"]: m for m in mentions}
    content = "" if reblog else mastodon_html(text, local=local, mentions=by_name)
    if quote is not None:
        content = (
            '<p class="quote-inline">RE: '
            + mastodon_html(quote["url"], local=local)[3:-4]
            + "</p>"
            + content
        )
    tags = sorted({w[1:] for w in _WORD.findall(text) if w.startswith("#")}, key=text.index)
    status: dict[str, Any] = {
        "id": status_id,
        "created_at": mastodon_time(at),
        "in_reply_to_id": in_reply_to["id"] if in_reply_to else None,
        "in_reply_to_account_id": in_reply_to["account"]["id"] if in_reply_to else None,
        "sensitive": bool(spoiler_text),
        "spoiler_text": spoiler_text,
        "visibility": "public",
        "language": language,
        "uri": f"https://{host}/users/{account['username']}/statuses/{status_id}",
        "url": f"https://{host}/@{account['username']}/{status_id}",
        "replies_count": counts[0],
        "reblogs_count": counts[1],
        "favourites_count": counts[2],
        "quotes_count": 0,
        "edited_at": mastodon_time(edited_at) if edited_at else None,
        "favourited": False,
        "reblogged": False,
        "muted": False,
        "bookmarked": False,
        "content": content,
        "filtered": [],
        "reblog": reblog,
        "application": {"name": "Web", "website": None},
        "account": account,
        "media_attachments": list(media),
        "mentions": [
            {"id": m["id"], "username": m["username"], "url": m["url"], "acct": m["acct"]}
            for m in mentions
        ],
        "tags": [{"name": t.lower(), "url": f"https://{local}/tags/{t.lower()}"} for t in tags],
        "emojis": [
            {
                "shortcode": code,
                "url": f"https://files.{local}/custom_emojis/images/{code}/original/e.png",
                "static_url": f"https://files.{local}/custom_emojis/images/{code}/static/e.png",
                "visible_in_picker": True,
            }
            for code in emojis
        ],
        "card": None,
        "poll": None,
    }
    if quote is not None:
        status["quote"] = {"state": "accepted", "quoted_status": quote}
    if reblog is not None:
        status["uri"] = f"https://{host}/users/{account['username']}/statuses/{status_id}/activity"
        status["url"] = None
    return status


def sse_body(events: list[tuple[str, Any]]) -> str:
    """A ``text/event-stream`` body as the streaming server sends it: a ``:)`` heartbeat
    first, then ``event:`` and ``data:`` (statuses as compact JSON, deletes as the id)."""
    out = [":)\n"]
    for event, payload in events:
        data = payload if isinstance(payload, str) else json.dumps(payload, separators=(",", ":"))
        out.append(f"event: {event}\ndata: {data}\n\n")
    return "".join(out)


class MastodonJam:
    """A small #jam on a Mastodon instance: a question, a remote answer with a link and
    a mention, a reply in a thread, a reply to someone else, a boost, a 4.5 quote, an
    edited status with a content warning, a gifv, an image and an audio attachment,
    custom emoji, non-ASCII text, and the streaming events of it."""

    def __init__(self, *, tag: str = "jam", at: datetime = T0, local: str = "jam.example"):
        self.tag = tag
        host = mastodon_account("jam_host", local=local)
        ann = mastodon_account("ann", host="other.example", local=local)
        bo = mastodon_account("bo", local=local)
        t = [at + timedelta(seconds=11 * i) for i in range(12)]
        self.accounts = {a["acct"]: a for a in (host, ann, bo)}
        self.question = mastodon_status(
            f"Q1: what's a good jam? Tips & tricks <welcome> #{tag} #JamTips",
            account=host,
            at=t[0],
            counts=(2, 1, 5),
            media=(mastodon_media("image", seq=1, description="the jam's logo"),),
        )
        self.answer = mastodon_status(
            f"A1: listening first @jam_host\n\nsee https://example.com/a/very/long/path/to/an/article #{tag} :blobcat:",
            account=ann,
            at=t[1],
            mentions=(host,),
            emojis=("blobcat",),
            language="fr",
        )
        self.thread = mastodon_status(
            f"and a second thought #{tag}", account=host, at=t[2], in_reply_to=self.question
        )
        self.reply = mastodon_status(
            f"@ann caf\u00e9 \u65e5\u672c agreed #{tag}",
            account=bo,
            at=t[3],
            in_reply_to=self.answer,
            mentions=(ann,),
            media=(mastodon_media("audio", seq=2),),
        )
        self.boost = mastodon_status("", account=bo, at=t[4], reblog=self.question)
        self.quote = mastodon_status(
            f"so true #{tag}", account=ann, at=t[5], quote=self.answer, seq=1
        )
        self.edited = mastodon_status(
            f"A2: edited answer #{tag}",
            account=bo,
            at=t[6],
            spoiler_text="jam spoilers",
            edited_at=t[7],
            media=(mastodon_media("gifv", seq=3, description="a cube dancing"),),
            language="de",
        )
        self.statuses = [
            self.question,
            self.answer,
            self.thread,
            self.reply,
            self.boost,
            self.quote,
            self.edited,
        ]

    def timeline(self) -> list[dict]:
        """The hashtag timeline: newest first."""
        return list(reversed(self.statuses))

    def timeline_cassette(self, *, instance: str = "https://jam.example") -> list:
        statuses = self.timeline()
        url = f"{instance}/api/v1/timelines/tag/{self.tag}"
        link = (
            f'<{url}?limit=20&max_id={statuses[-1]["id"]}>; rel="next", '
            f'<{url}?limit=20&min_id={statuses[0]["id"]}>; rel="prev"'
        )
        return cassette(f"{url}?limit=20", statuses, headers={"link": link})

    def events(self) -> list[tuple[str, Any]]:
        """The hashtag stream of the jam: updates, one edit, one delete."""
        edited = dict(self.answer, edited_at=mastodon_time(T0 + timedelta(minutes=9)))
        edited["content"] = mastodon_html(f"A1: listening first, edited #{self.tag}")
        return [
            ("update", self.question),
            ("update", self.answer),
            ("update", self.reply),
            ("status.update", edited),
            ("delete", self.reply["id"]),
            ("update", self.boost),
        ]

    def event_records(self) -> list[dict]:
        """The stream as ``{event, payload}`` records (``streaming_events.jsonl``)."""
        return [{"stream": ["hashtag"], "event": e, "payload": p} for e, p in self.events()]


# --- Bluesky ------------------------------------------------------------------------------------


def bsky_time(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def bsky_author(handle: str, *, did: str | None = None, display_name: str | None = None) -> dict:
    did = did or "did:plc:" + "".join(c for c in handle if c.isalnum())[:24].ljust(24, "a")
    return {
        "did": did,
        "handle": handle,
        "displayName": display_name or handle.split(".")[0].title(),
        "avatar": f"https://cdn.bsky.app/img/avatar/plain/{did}/bafkreiavatar@jpeg",
        "viewer": {"muted": False, "blockedBy": False},
        "labels": [],
        "createdAt": "2024-11-08T23:56:14.216Z",
    }


def bsky_facets(
    text: str, *, mentions: Mapping[str, str] = _EMPTY, links: Mapping[str, str] = _EMPTY
) -> list[dict]:
    """Facets at UTF-8 byte offsets, as the app writes them: every ``#tag``, every
    ``@handle`` in ``mentions`` (handle -> DID), every shown link in ``links``
    (text shown -> full URI)."""
    data = text.encode("utf-8")
    facets = []

    def add(fragment: str, feature: dict, start_at: int = 0) -> None:
        start = data.index(fragment.encode("utf-8"), start_at)
        facets.append(
            {
                "features": [feature],
                "index": {"byteEnd": start + len(fragment.encode("utf-8")), "byteStart": start},
            }
        )

    for match in re.finditer(r"#\w+", text):
        start_at = len(text[: match.start()].encode("utf-8"))
        add(
            match.group(),
            {"$type": "app.bsky.richtext.facet#tag", "tag": match.group()[1:]},
            start_at,
        )
    for handle, did in mentions.items():
        add(f"@{handle}", {"$type": "app.bsky.richtext.facet#mention", "did": did})
    for shown, uri in links.items():
        add(shown, {"$type": "app.bsky.richtext.facet#link", "uri": uri})
    return sorted(facets, key=lambda f: f["index"]["byteStart"])


def bsky_record(
    text: str,
    *,
    at: datetime = T0,
    facets: list[dict] | None = None,
    reply: tuple[dict, dict] | None = None,
    embed: dict | None = None,
    langs: tuple[str, ...] = ("en",),
) -> dict:
    """An ``app.bsky.feed.post`` record; ``reply`` is (parent view, root view)."""
    record: dict[str, Any] = {"$type": "app.bsky.feed.post", "createdAt": bsky_time(at)}
    if embed is not None:
        record["embed"] = embed
    record["facets"] = bsky_facets(text) if facets is None else facets
    record["langs"] = list(langs)
    if reply is not None:
        parent, root = reply
        record["reply"] = {
            "parent": {"cid": parent["cid"], "uri": parent["uri"]},
            "root": {"cid": root["cid"], "uri": root["uri"]},
        }
    record["text"] = text
    return record


def bsky_post_view(
    text: str,
    *,
    author: dict,
    rkey: str,
    at: datetime = T0,
    facets: list[dict] | None = None,
    reply: tuple[dict, dict] | None = None,
    embed: tuple[dict, dict] | None = None,
    counts: tuple[int, int, int, int] = (0, 0, 0, 0),
    langs: tuple[str, ...] = ("en",),
) -> dict:
    """A PostView (searchPosts, getPosts, getQuotes): ``embed`` is (record embed, view)."""
    uri = f"at://{author['did']}/app.bsky.feed.post/{rkey}"
    record = bsky_record(
        text, at=at, facets=facets, reply=reply, embed=embed[0] if embed else None, langs=langs
    )
    view: dict[str, Any] = {
        "uri": uri,
        "cid": f"bafyrei{rkey}{'q' * (52 - len(rkey))}",
        "author": author,
        "record": record,
    }
    if embed is not None:
        view["embed"] = embed[1]
    view.update(
        replyCount=counts[0],
        repostCount=counts[1],
        likeCount=counts[2],
        quoteCount=counts[3],
        indexedAt=bsky_time(at + timedelta(milliseconds=430)),
        viewer={"threadMuted": False, "embeddingDisabled": False},
        labels=[],
    )
    return view


def _blob(seq: int, mime: str = "image/jpeg") -> dict:
    return {
        "$type": "blob",
        "ref": {"$link": f"bafkreiimage{seq:04d}" + "x" * 40},
        "mimeType": mime,
        "size": 152656,
    }


def bsky_images(did: str, alts: list[str]) -> tuple[dict, dict]:
    record = {
        "$type": "app.bsky.embed.images",
        "images": [
            {"alt": alt, "aspectRatio": {"height": 800, "width": 1200}, "image": _blob(i)}
            for i, alt in enumerate(alts)
        ],
    }
    view = {
        "$type": "app.bsky.embed.images#view",
        "images": [
            {
                "thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/{i['image']['ref']['$link']}@jpeg",
                "fullsize": f"https://cdn.bsky.app/img/feed_fullsize/plain/{did}/{i['image']['ref']['$link']}@jpeg",
                "alt": i["alt"],
                "aspectRatio": i["aspectRatio"],
            }
            for i in record["images"]
        ],
    }
    return record, view


def bsky_external(did: str, uri: str, title: str) -> tuple[dict, dict]:
    external = {"description": "An article", "thumb": _blob(99), "title": title, "uri": uri}
    view = {
        "$type": "app.bsky.embed.external#view",
        "external": {
            "uri": uri,
            "title": title,
            "description": "An article",
            "thumb": f"https://cdn.bsky.app/img/feed_thumbnail/plain/{did}/bafkreithumb@jpeg",
        },
    }
    return {"$type": "app.bsky.embed.external", "external": external}, view


def bsky_view_record(view: dict) -> dict:
    """A quoted post inside an embed view (``app.bsky.embed.record#viewRecord``)."""
    return {
        "$type": "app.bsky.embed.record#viewRecord",
        "uri": view["uri"],
        "cid": view["cid"],
        "author": view["author"],
        "value": view["record"],
        "labels": [],
        "likeCount": view["likeCount"],
        "replyCount": view["replyCount"],
        "repostCount": view["repostCount"],
        "quoteCount": view["quoteCount"],
        "indexedAt": view["indexedAt"],
        "embeds": [view["embed"]] if "embed" in view else [],
    }


def bsky_quote(quoted: dict) -> tuple[dict, dict]:
    ref = {"cid": quoted["cid"], "uri": quoted["uri"]}
    return (
        {"$type": "app.bsky.embed.record", "record": ref},
        {"$type": "app.bsky.embed.record#view", "record": bsky_view_record(quoted)},
    )


def bsky_quote_with_media(quoted: dict, media: tuple[dict, dict]) -> tuple[dict, dict]:
    record, view = bsky_quote(quoted)
    return (
        {"$type": "app.bsky.embed.recordWithMedia", "media": media[0], "record": record},
        {"$type": "app.bsky.embed.recordWithMedia#view", "media": media[1], "record": view},
    )


def bsky_thread(view: dict, *, parent: dict | None = None, replies: list[dict] = ()) -> dict:
    """A ``getPostThread`` answer's ``thread`` (a threadViewPost)."""
    node: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": view}
    if parent is not None:
        node["parent"] = parent
    node["replies"] = list(replies)
    return node


def bsky_get_record(view: dict) -> dict:
    """A ``com.atproto.repo.getRecord`` answer: the record, known by its DID only."""
    return {"uri": view["uri"], "cid": view["cid"], "value": view["record"]}


class BlueskyJam:
    """A small #jam on Bluesky: facets after emoji and CJK (byte offsets), a mention,
    a shortened link, images with alt text, an external card, a self-thread and a
    reply to another, a quote, a quote with media, and a hashtag written without a facet."""

    def __init__(self, *, tag: str = "jam", at: datetime = T0) -> None:
        self.tag = tag
        host, ann, bo = (
            bsky_author(h) for h in ("host.jam.test", "ann.bsky.social", "bo.example.com")
        )
        self.authors = {a["handle"]: a for a in (host, ann, bo)}
        t = [at + timedelta(seconds=13 * i) for i in range(12)]
        text = f"Q1 \U0001f525\U0001f38a \u65e5\u672c\u8a9e what makes a jam? #{tag} with @ann.bsky.social see example.com/a/very\u2026"
        self.question = bsky_post_view(
            text,
            author=host,
            rkey="3lq1aaaaaaa2a",
            at=t[0],
            facets=bsky_facets(
                text,
                mentions={"ann.bsky.social": ann["did"]},
                links={"example.com/a/very\u2026": "https://example.com/a/very/long/path"},
            ),
            counts=(3, 1, 12, 1),
        )
        self.images = bsky_post_view(
            f"A1: our chart #{tag}",
            author=ann,
            rkey="3lq1aaaaaaa3a",
            at=t[1],
            reply=(self.question, self.question),
            embed=bsky_images(ann["did"], ["Image 1", "a bar chart"]),
            langs=("fr",),
        )
        self.self_thread = bsky_post_view(
            f"A1 (cont.) and more #{tag}",
            author=ann,
            rkey="3lq1aaaaaaa4a",
            at=t[2],
            reply=(self.images, self.question),
        )
        self.external = bsky_post_view(
            f"read this #{tag}\n\nexample.com/post...",
            author=bo,
            rkey="3lq1aaaaaaa5a",
            at=t[3],
            facets=bsky_facets(
                f"read this #{tag}\n\nexample.com/post...",
                links={"example.com/post...": "https://example.com/post/full"},
            ),
            embed=bsky_external(bo["did"], "https://example.com/post/full", "The post"),
        )
        self.quote = bsky_post_view(
            f"this one #{tag}",
            author=bo,
            rkey="3lq1aaaaaaa6a",
            at=t[4],
            embed=bsky_quote(self.question),
        )
        self.quote_media = bsky_post_view(
            "",
            author=ann,
            rkey="3lq1aaaaaaa7a",
            at=t[5],
            embed=bsky_quote_with_media(self.question, bsky_images(ann["did"], ["a photo"])),
        )
        self.unfaceted = bsky_post_view(
            f"no facets here #{tag} #rstats", author=bo, rkey="3lq1aaaaaaa8a", at=t[6], facets=[]
        )
        self.posts = [
            self.question,
            self.images,
            self.self_thread,
            self.external,
            self.quote,
            self.quote_media,
            self.unfaceted,
        ]

    def search_page(self, *, size: int = 25) -> dict:
        """``app.bsky.feed.searchPosts``, newest first: the jam's posts, then plain answers
        (every third a reply to the question, some non-ASCII) up to ``size`` posts."""
        more = []
        for n in range(size - len(self.posts)):
            author = list(self.authors.values())[n % 3]
            word = "caf\u00e9 \u2615" if n % 2 else "plain"
            text = f"A{n + 2}: answer {n} {word} #{self.tag}"
            more.append(
                bsky_post_view(
                    text,
                    author=author,
                    rkey=f"3lq1b{n:08d}",
                    at=T0 + timedelta(minutes=5, seconds=n),
                    reply=(self.question, self.question) if n % 3 == 0 else None,
                    counts=(0, n % 2, n, 0),
                )
            )
        posts = [*self.posts, *more]
        return {"cursor": str(len(posts)), "hitsTotal": len(posts), "posts": posts[::-1]}


# --- a tree laid out like shared/fixtures -------------------------------------------------------


def write_tree(root: Path, *, tag: str = "jam") -> Path:
    """Generated payloads in the recorded files' layout under ``root``, one file per
    wire format (names start with ``gen_``), plus the two names the fakes open:
    ``mastodon/sse/streaming_events.jsonl`` and ``bluesky/f_search.json``."""
    x, m, b = XJam(tag=tag), MastodonJam(tag=tag), BlueskyJam(tag=tag)
    v1_host = x_v1_user("jam_host")
    v1_ann = x_v1_user("ann_lee")
    question = x_v1_status(f"Q1: what makes a jam? &more #{tag}", user=v1_host, metrics=(1, 4))
    v1 = [
        x_v1_status(f"@jam_host A1: caf\u00e9 #{tag}", user=v1_ann, seq=1, in_reply_to=question),
        x_v1_status("", user=v1_ann, seq=2, retweeted_status=question),
        x_v1_status(f"so this #{tag}", user=v1_ann, seq=3, quoted_status=question),
        x_v1_status(
            f"A2: a chart #{tag}",
            user=v1_ann,
            seq=4,
            photo=("https://t.co/PhOtO12345", "a chart"),
        ),
        question,
    ]
    files: dict[str, Any] = {
        "x/twarc2/gen_search.jsonl": [x.page],
        "x/twarc2/gen_flat.jsonl": x_v2_flat(x.page),
        "x/twarc2/gen_stream.jsonl": x.lines(),
        "x/tweepy-cassettes/gen_get_tweets.json": cassette(
            "https://api.twitter.com/2/tweets?ids=1,2",
            {"data": [x_default_fields_tweet("It\u2019s here! \U0001f941 #jam")]},
        ),
        "x/v1.1/gen_search_tweets.json": cassette(
            "https://api.twitter.com/1.1/search/tweets.json?q=%23jam&tweet_mode=extended",
            x_v1_search(v1),
        ),
        "mastodon/rest/gen_timeline_hashtag.json": m.timeline_cassette(),
        "mastodon/sse/streaming_events.jsonl": m.event_records(),
        "mastodon/sse/gen_stream_hashtag.sse": sse_body(m.events()),
        "bluesky/f_search.json": cassette(
            f"https://bsky.social/xrpc/app.bsky.feed.searchPosts?q=%23{tag}", b.search_page()
        ),
        "bluesky/gen_postthread.json": cassette(
            "https://bsky.social/xrpc/app.bsky.feed.getPostThread",
            {"thread": bsky_thread(b.question, replies=[bsky_thread(b.images)])},
        ),
        "bluesky/gen_post_record.json": bsky_get_record(b.self_thread),
    }
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if name.endswith(".jsonl"):
            text = "".join(json.dumps(obj, ensure_ascii=False) + "\n" for obj in content)
        elif name.endswith(".sse"):
            text = content
        else:
            text = json.dumps(content, ensure_ascii=False, indent=1)
        path.write_text(text, encoding="utf-8")
    return root
