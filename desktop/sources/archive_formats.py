"""Archive files that are not JSON lines: read into documents ``normalize_document`` knows.

- the X account archive ("Download an archive of your data"): ``data/tweets.js``
  (``window.YTD.tweets.part0 = [{"tweet": {...}}]``, v1.1-like tweets without a
  ``user``), the handle from ``data/account.js`` beside it; the archive's folder or
  its zip work too;
- the Mastodon account export's ``outbox.json`` (an ActivityStreams
  ``OrderedCollection`` of ``Create`` activities with ``Note`` objects); an
  ``Announce`` (a boost) carries only the boosted post's URL: counted and reported;
- a TAGS export CSV (``id_str, from_user, text, created_at, ...``);
- a Bluesky repository export (``repo.car``), read in ``desktop.sources.bluesky_car``.

``documents`` is the one entry point (``desktop.sources.replay.read_documents``
calls it first); it returns None for a file that is none of these.
"""

from __future__ import annotations

import csv
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from desktop.sources import bluesky_car

_YTD = re.compile(rb"^\s*window\.YTD\.(\w+)\.part\d+\s*=\s*")
_TAGS_HEADER = ("id_str", "from_user", "text", "created_at")
_PUBLIC = "https://www.w3.org/ns/activitystreams#Public"

Report = Callable[[str, str], None]


def documents(path: str | Path, *, on_error: Report, document) -> Iterator[Any] | None:
    """The documents of ``path`` if it is one of this module's formats, else None.
    ``document(where, obj)`` makes each yielded item (replay's ``Document``)."""
    if str(path) == "-":
        return None
    path = Path(path)
    if path.is_dir():
        return _x_archive_folder(path, on_error, document)
    try:
        with open(path, "rb") as f:
            head = f.read(4096)
    except OSError:
        return None  # the caller reports it
    if head.startswith(b"PK\x03\x04"):
        return _x_archive_zip(path, on_error, document)
    if bluesky_car.is_car(head):
        return bluesky_car.documents(path, on_error, document)
    if _YTD.match(head.lstrip(b"\xef\xbb\xbf")):
        return _ytd_file(path, on_error, document)
    text_head = head.decode("utf-8", "replace").lstrip("\ufeff")
    first_line = text_head.split("\n", 1)[0].strip().lower()
    if tuple(c.strip() for c in first_line.split(",")[:4]) == _TAGS_HEADER:
        return _tags_csv(path, on_error, document)
    if '"OrderedCollection"' in text_head and '"orderedItems"' in text_head:
        return _outbox(path, on_error, document)
    return None


# --------------------------------------------------------------- the X account archive


def _ytd_items(data: bytes, name: str) -> tuple[str, list]:
    """(``tweets`` / ``account`` ..., the list) of one ``window.YTD.<x>.partN = [...]`` file."""
    data = data.lstrip(b"\xef\xbb\xbf")
    match = _YTD.match(data)
    if match is None:
        raise ValueError(f"{name} is not an X archive data file")
    items = json.loads(data[match.end() :].decode("utf-8").rstrip().rstrip(";"))
    if not isinstance(items, list):
        raise ValueError(f"{name}: expected a list")
    return match.group(1).decode(), items


def _user(account_js: bytes | None) -> dict[str, Any]:
    """The archive owner as a v1.1 ``user`` (empty handle when account.js is missing)."""
    if account_js:
        try:
            _, items = _ytd_items(account_js, "account.js")
            account = items[0]["account"]
            return {
                "id_str": str(account.get("accountId") or ""),
                "screen_name": account.get("username") or "",
                "name": account.get("accountDisplayName") or account.get("username") or "",
            }
        except (ValueError, KeyError, IndexError, TypeError):
            pass
    return {"id_str": "", "screen_name": "", "name": ""}


def _tweets(
    data: bytes, name: str, user: dict[str, Any], on_error: Report, document
) -> Iterator[Any]:
    try:
        kind, items = _ytd_items(data, name)
    except (ValueError, UnicodeDecodeError) as exc:
        on_error(name, f"cannot read this X archive file: {exc}")
        return
    if kind != "tweets":
        return  # account.js and the archive's other files carry no posts
    for number, item in enumerate(items, start=1):
        tweet = item.get("tweet") if isinstance(item, dict) else None
        if not isinstance(tweet, dict):
            on_error(f"{name}:{number}", "not a tweet of the archive")
            continue
        tweet = dict(tweet)
        tweet.setdefault("user", user)
        for count in ("retweet_count", "favorite_count"):  # the archive writes them as strings
            if isinstance(tweet.get(count), str) and tweet[count].isdigit():
                tweet[count] = int(tweet[count])
        yield document(f"{name}:{number}", tweet)


def _ytd_file(path: Path, on_error: Report, document) -> Iterator[Any]:
    account = path.with_name("account.js")
    account_js = account.read_bytes() if account.is_file() and account != path else None
    yield from _tweets(path.read_bytes(), path.name, _user(account_js), on_error, document)


def _x_archive_folder(path: Path, on_error: Report, document) -> Iterator[Any]:
    data = path / "data" if (path / "data").is_dir() else path
    parts = sorted(data.glob("tweets*.js")) + sorted(data.glob("tweet-part*.js"))
    if not parts:
        on_error(str(path), "no data/tweets.js in this folder: not an X account archive")
        return
    account = data / "account.js"
    user = _user(account.read_bytes() if account.is_file() else None)
    for part in parts:
        yield from _tweets(part.read_bytes(), part.name, user, on_error, document)


def _x_archive_zip(path: Path, on_error: Report, document) -> Iterator[Any]:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        on_error(path.name, f"the zip file is damaged: {exc}")
        return
    with archive:
        names = archive.namelist()
        parts = sorted(n for n in names if re.search(r"(^|/)data/(tweets|tweet-part)\w*\.js$", n))
        if not parts:
            on_error(path.name, "no data/tweets.js in this zip: not an X account archive")
            return
        account = next((n for n in names if re.search(r"(^|/)data/account\.js$", n)), None)
        user = _user(archive.read(account) if account else None)
        for part in parts:
            yield from _tweets(archive.read(part), f"{path.name}:{part}", user, on_error, document)


# --------------------------------------------------------------- TAGS


def _tags_csv(path: Path, on_error: Report, document) -> Iterator[Any]:
    """A TAGS sheet as CSV: each row a v1.1 tweet (the sheet keeps little more)."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        for number, row in enumerate(csv.DictReader(f), start=2):
            try:
                tweet_id = row["id_str"].strip()
                if not tweet_id.isdigit():
                    raise ValueError(f"id_str {tweet_id!r} is not a tweet id")
                tweet = {
                    "id_str": tweet_id,
                    "full_text": row["text"],
                    "created_at": row["created_at"],
                    "lang": row.get("user_lang") or None,
                    "in_reply_to_status_id_str": row.get("in_reply_to_status_id_str") or None,
                    "in_reply_to_screen_name": row.get("in_reply_to_screen_name") or None,
                    "user": {
                        "id_str": row.get("from_user_id_str") or row["from_user"],
                        "screen_name": row["from_user"],
                        "profile_image_url_https": row.get("profile_image_url") or None,
                    },
                }
                entities = row.get("entities_str")
                if entities:
                    tweet["entities"] = json.loads(entities)
            except (KeyError, ValueError, TypeError, AttributeError) as exc:
                on_error(f"{path.name}:{number}", f"not a TAGS row: {exc}")
                continue
            yield document(f"{path.name}:{number}", tweet)


# --------------------------------------------------------------- Mastodon outbox


def _outbox(path: Path, on_error: Report, document) -> Iterator[Any]:
    try:
        collection = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (ValueError, UnicodeDecodeError) as exc:
        on_error(path.name, f"not valid JSON: {exc}")
        return
    actor = collection.get("actor") if isinstance(collection, dict) else None
    items = collection.get("orderedItems") if isinstance(collection, dict) else None
    if not isinstance(items, list):
        on_error(path.name, "an OrderedCollection without orderedItems")
        return
    announces = 0
    for number, activity in enumerate(items, start=1):
        kind = activity.get("type") if isinstance(activity, dict) else None
        if kind == "Announce":
            announces += 1
            continue
        note = activity.get("object") if kind == "Create" else None
        if not isinstance(note, dict) or note.get("type") not in ("Note", "Question"):
            on_error(f"{path.name}:item {number}", f"not a post ({kind or 'unknown'} activity)")
            continue
        try:
            yield document(f"{path.name}:item {number}", _status(note, activity, actor))
        except (KeyError, TypeError, ValueError) as exc:
            on_error(f"{path.name}:item {number}", f"not a Mastodon post: {exc}")
    if announces:
        on_error(
            path.name,
            f"{announces} boosts (Announce) carry only the boosted post's URL: not imported",
        )


def _status(note: dict[str, Any], activity: dict[str, Any], actor: Any) -> dict[str, Any]:
    """An ActivityPub Note as a Mastodon REST Status (what the normalizer reads)."""
    actor_url = str(note.get("attributedTo") or activity.get("actor") or actor or "")
    host = re.sub(r"^https?://([^/]+)/.*$", r"\1", actor_url)
    username = actor_url.rstrip("/").rsplit("/", 1)[-1]
    language = next(iter(note.get("contentMap") or {}), None)
    tags = [
        {"name": t["name"].lstrip("#")}
        for t in note.get("tag") or ()
        if isinstance(t, dict) and t.get("type") == "Hashtag" and t.get("name")
    ]
    mentions = [
        {"acct": t["name"].lstrip("@"), "url": t.get("href")}
        for t in note.get("tag") or ()
        if isinstance(t, dict) and t.get("type") == "Mention" and t.get("name")
    ]
    uri = note["id"]
    reply_to = note.get("inReplyTo")
    return {
        # The instance's own status id ends the ActivityPub URI (".../statuses/111");
        # the URI itself stays the post's global name.
        "id": _last_segment(uri),
        "uri": uri,
        "url": note.get("url") or uri,
        "created_at": note["published"],
        "edited_at": note.get("updated"),
        "content": note.get("content") or "",
        "spoiler_text": note.get("summary") or "",
        "language": language,
        "visibility": "public" if _PUBLIC in (note.get("to") or ()) else "unlisted",
        "in_reply_to_id": _last_segment(reply_to) if isinstance(reply_to, str) else None,
        "in_reply_to_account_id": None,
        "reblog": None,
        "account": {
            "id": actor_url,
            "username": username,
            "acct": f"{username}@{host}" if host and host != actor_url else username,
            "display_name": "",
            "url": actor_url,
        },
        "media_attachments": [
            {"type": "image", "url": a.get("url"), "description": a.get("name")}
            for a in note.get("attachment") or ()
            if isinstance(a, dict)
        ],
        "mentions": mentions,
        "tags": tags,
        "emojis": [],
    }


def _last_segment(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1]
