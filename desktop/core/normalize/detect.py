"""Sniff one JSON document of any supported format and route it to its normalizer.

A document is a line of a JSONL file or a whole JSON file: X v2 (stream line,
response page, twarc2 raw page, twarc2 flattened tweet), X v1.1 (a tweet or
``{"statuses": [...]}``), Mastodon (a status, a list of statuses, a streaming
``{"event", "payload"}`` record), Bluesky (PostView, ``{"posts"}``,
``{"feed"}``, ``{"thread"}``, a post record), a list of any of these, the
fixtures' decoded cassettes, and JamDeck archive lines
``{"jamdeck": 1, "network": ..., "received_at": ..., "payload": ...}``.

Documents that are valid but carry no posts (X rules, counts and users;
Mastodon notifications, deletes and instance info; Bluesky createRecord
responses, likes, follows) give an empty ``Parsed``. Shapes nobody knows raise
``MalformedPayload`` naming what the document looked like.
"""

from __future__ import annotations

import json
from typing import Any

from desktop.core.normalize import MalformedPayload, Parsed, bluesky, mastodon, x_v1, x_v2

ARCHIVE_VERSION = 1
_CASSETTE_KEYS = {"request", "status", "body"}
# Mastodon streaming events that carry a Status; the others (delete, notification,
# conversation, filters_changed, announcement...) are not posts of a hashtag timeline.
_MASTODON_STATUS_EVENTS = {"update", "status.update"}


def normalize_line(line: str | bytes) -> Parsed:
    """One line of a JSONL file (blank lines give nothing); bad JSON raises MalformedPayload."""
    if not line.strip():
        return Parsed()
    try:
        document = json.loads(line)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedPayload(f"not JSON: {exc}") from exc
    return normalize_document(document)


def normalize_document(obj: Any) -> Parsed:
    """Route one parsed JSON document to its normalizer (see the module docstring)."""
    if isinstance(obj, list):
        return _normalize_list(obj)
    if not isinstance(obj, dict):
        raise MalformedPayload(f"expected a JSON object or list, got {type(obj).__name__}")
    if "jamdeck" in obj:
        return normalize_archive_record(obj)
    if "event" in obj and "payload" in obj:
        return _normalize_mastodon_event(obj)
    if "did" in obj and "time_us" in obj and "kind" in obj:
        return _normalize_jetstream_event(obj)

    # X v2: a page or stream line, or one flattened/bare tweet.
    if "data" in obj:
        return _normalize_x_v2_data(obj)
    if x_v1.is_tweet(obj):
        return x_v1.normalize_tweet(obj)
    if isinstance(obj.get("statuses"), list):
        return x_v1.normalize_tweets([s for s in obj["statuses"] if x_v1.is_tweet(s)])
    if mastodon.is_status(obj):
        return mastodon.normalize_status(obj)
    if x_v2.is_tweet(obj) and not _looks_like_mastodon_deleted(obj):
        return x_v2.normalize_flat_tweet(obj)

    # Bluesky.
    if bluesky.is_post_view(obj):
        return bluesky.normalize_post_views([obj])
    if isinstance(obj.get("posts"), list):
        return bluesky.normalize_post_views([p for p in obj["posts"] if bluesky.is_post_view(p)])
    if isinstance(obj.get("feed"), list):
        return bluesky.normalize_feed(obj["feed"])
    if isinstance(obj.get("thread"), dict):
        thread = obj["thread"]
        return (
            bluesky.normalize_thread(thread) if isinstance(thread.get("post"), dict) else Parsed()
        )
    if bluesky.is_post_record(obj):
        return bluesky.normalize_record(obj)

    if _is_known_non_post(obj):
        return Parsed()
    raise MalformedPayload(f"unknown JSON object with keys {sorted(obj)[:10]}")


def normalize_archive_record(record: dict[str, Any]) -> Parsed:
    """A JamDeck archive line: the network's own JSON in ``payload``."""
    if record.get("jamdeck") != ARCHIVE_VERSION:
        raise MalformedPayload(f"unsupported JamDeck archive version {record.get('jamdeck')!r}")
    network = record.get("network")
    payload = record.get("payload")
    if network == "x":
        if isinstance(payload, dict) and "data" in payload:
            return _normalize_x_v2_data(payload)
        if x_v1.is_tweet(payload):
            return x_v1.normalize_tweet(payload)
        if x_v2.is_tweet(payload):
            return x_v2.normalize_flat_tweet(payload)
    elif network == "mastodon":
        if mastodon.is_status(payload):
            return mastodon.normalize_status(payload)
        if isinstance(payload, list) and all(mastodon.is_status(s) for s in payload):
            return mastodon.normalize_statuses(payload)
        if isinstance(payload, dict) and "event" in payload:
            return _normalize_mastodon_event(payload)
    elif network == "bluesky":
        if isinstance(payload, dict):
            return normalize_document(payload)
    else:
        raise MalformedPayload(f"JamDeck archive line for unknown network {network!r}")
    raise MalformedPayload(f"JamDeck archive line: {network} payload of unknown shape")


def _normalize_list(items: list[Any]) -> Parsed:
    if items and all(isinstance(i, dict) and _CASSETTE_KEYS <= i.keys() for i in items):
        return _normalize_cassette(items)
    if items and all(mastodon.is_status(i) for i in items):
        return mastodon.normalize_statuses(items)
    if items and all(x_v1.is_tweet(i) for i in items):
        return x_v1.normalize_tweets(items)
    parsed = Parsed()
    for item in items:
        parsed.extend(normalize_document(item))
    return parsed


def _normalize_cassette(exchanges: list[dict[str, Any]]) -> Parsed:
    """The fixtures' decoded cassettes: every JSON body that carries posts."""
    parsed = Parsed()
    for exchange in exchanges:
        status = exchange.get("status") or {}
        method = str((exchange.get("request") or {}).get("method", "")).upper()
        # A DELETE answers with the deleted post (for redrafting): it is gone, not received.
        if method == "DELETE" or not 200 <= int(status.get("code") or 0) < 300:
            continue
        body_format = exchange.get("body_format")
        body = exchange.get("body")
        if body_format == "json":
            parsed.extend(normalize_document(body))
        elif body_format == "jsonl":
            lines = body if isinstance(body, list) else str(body).splitlines()
            for line in lines:
                parsed.extend(
                    normalize_line(line) if isinstance(line, str) else normalize_document(line)
                )
    return parsed


def _normalize_x_v2_data(obj: dict[str, Any]) -> Parsed:
    data = obj["data"]
    tweets = [data] if isinstance(data, dict) else data
    if isinstance(tweets, list) and all(x_v2.is_tweet(t) for t in tweets):
        return x_v2.normalize_checked_page(obj, tweets)
    # Counts, users, rules, likes... answered under "data" too: no posts in them.
    if isinstance(tweets, list) and all(isinstance(t, dict) for t in tweets):
        return Parsed()
    raise MalformedPayload(f"X v2 'data' of unknown shape: {type(data).__name__}")


def _normalize_mastodon_event(record: dict[str, Any]) -> Parsed:
    payload = record["payload"]
    if record.get("event") not in _MASTODON_STATUS_EVENTS:
        return Parsed()
    if isinstance(payload, (str, bytes)):
        try:
            payload = json.loads(payload)
        except ValueError as exc:
            raise MalformedPayload(
                f"Mastodon {record['event']} payload is not JSON: {exc}"
            ) from exc
    if not mastodon.is_status(payload):
        raise MalformedPayload(f"Mastodon {record['event']} payload is not a status")
    return mastodon.normalize_status(payload)


_JETSTREAM_POST = "app.bsky.feed.post"


def _normalize_jetstream_event(event: dict[str, Any]) -> Parsed:
    """A Bluesky Jetstream event (``{did, time_us, kind, commit}``): a created or
    updated post record; identity, account, delete and other collections carry none."""
    commit = event.get("commit")
    if event.get("kind") != "commit" or not isinstance(commit, dict):
        return Parsed()
    if commit.get("collection") != _JETSTREAM_POST or commit.get("operation") not in (
        "create",
        "update",
    ):
        return Parsed()
    record = commit.get("record")
    if not isinstance(record, dict) or not commit.get("rkey"):
        raise MalformedPayload("Jetstream post commit without record or rkey")
    uri = f"at://{event['did']}/{_JETSTREAM_POST}/{commit['rkey']}"
    return bluesky.normalize_record({"uri": uri, "cid": commit.get("cid"), "value": record})


def _looks_like_mastodon_deleted(obj: dict[str, Any]) -> bool:
    """DELETE /statuses/:id answers with the status' source ``text`` instead of ``content``."""
    return isinstance(obj.get("account"), dict)


def _is_known_non_post(obj: dict[str, Any]) -> bool:
    """Valid answers of the networks that carry no posts."""
    if "errors" in obj or "error" in obj:  # X / XRPC error bodies
        return True
    if isinstance(obj.get("account"), dict):  # Mastodon deleted status, notification
        return True
    if "screen_name" in obj or "username" in obj or "handle" in obj:  # user/account/profile objects
        return True
    if "did" in obj or "follows" in obj or "blob" in obj:  # Bluesky identity, follows, uploads
        return True
    if {"uri", "cid"} <= obj.keys():  # Bluesky createRecord answers and non-post records
        return True
    if "domain" in obj or ("uri" in obj and "title" in obj):  # Mastodon instance info
        return True
    return False
