"""A fake X API v2 on 127.0.0.1 for the X source's tests (stdlib http.server).

Endpoints: who am I (``/2/users/me``), stream rules (GET/POST), the filtered stream (chunked JSON lines with
"\\r\\n" keep-alives), recent search (query by hashtags, ``since_id``,
``start_time``, ``max_results``, ``next_token``), retweets, likes and posting.
Bearer endpoints check the bearer token; user endpoints want an OAuth 1.0a header.

A scripted jam: ``make_tweets`` builds realistic stream lines (author, retweets
with the original in ``includes``, replies, mentions); ``release`` publishes them
(to the search index and to every open stream). Faults: ``cut_stream`` (optionally
with posts published while it is down), ``fail_next`` (401/403/429/503 on an
endpoint), ``stall_stream`` (no keep-alives), ``send_raw`` (a malformed line).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import queue
import re
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BASE_ID = 1_800_000_000_000_000_000
JAM_START = datetime(2026, 3, 5, 18, 0, tzinfo=UTC)
USERS = [
    {
        "id": "1001",
        "username": "ada_l",
        "name": "Ada L.",
        "profile_image_url": "https://pbs.twimg.com/p/1001.jpg",
    },
    {
        "id": "1002",
        "username": "grace_h",
        "name": "Grace H.",
        "profile_image_url": "https://pbs.twimg.com/p/1002.jpg",
    },
    {
        "id": "1003",
        "username": "ken_t",
        "name": "Ken T. 🧵",
        "profile_image_url": "https://pbs.twimg.com/p/1003.jpg",
    },
]
ORIGINAL = {
    "id": str(BASE_ID - 5),
    "text": "Q1 of #{tag}: what did you learn this week?",
    "author_id": "1003",
    "created_at": "2026-03-05T17:55:00.000Z",
    "lang": "en",
    "conversation_id": str(BASE_ID - 5),
    "edit_history_tweet_ids": [str(BASE_ID - 5)],
    "public_metrics": {"retweet_count": 4, "reply_count": 2, "like_count": 9, "quote_count": 0},
}


def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def make_tweets(
    count: int, *, tag: str = "jam", start: int = 0, at: datetime = JAM_START
) -> list[dict[str, Any]]:
    """``count`` stream lines ``{"data", "includes", "matching_rules"}`` with rising ids:
    every 5th a retweet of ``ORIGINAL``, every 7th a reply to it, the rest originals."""
    lines = []
    original = {**ORIGINAL, "text": ORIGINAL["text"].format(tag=tag)}
    original["entities"] = {"hashtags": [{"start": 5, "end": 6 + len(tag), "tag": tag}]}
    for n in range(start, start + count):
        user = USERS[n % len(USERS)]
        tweet_id = str(BASE_ID + n * 1000)
        tweet: dict[str, Any] = {
            "id": tweet_id,
            "author_id": user["id"],
            "created_at": _iso(at + timedelta(seconds=n)),
            "lang": "en",
            "conversation_id": tweet_id,
            "edit_history_tweet_ids": [tweet_id],
            "public_metrics": {
                "retweet_count": 0,
                "reply_count": 0,
                "like_count": n % 4,
                "quote_count": 0,
            },
        }
        includes: dict[str, Any] = {"users": [user]}
        if n % 5 == 4:
            text = f"RT @ken_t: {original['text']}"
            tweet["referenced_tweets"] = [{"type": "retweeted", "id": original["id"]}]
            tweet["entities"] = {
                "mentions": [{"start": 3, "end": 9, "username": "ken_t", "id": "1003"}],
                "hashtags": [{"start": 16, "end": 17 + len(tag), "tag": tag}],
            }
            includes["users"] = [user, USERS[2]]
            includes["tweets"] = [original]
        elif n % 7 == 6:
            text = f"@ken_t A{n}: more tests, fewer sleeps #{tag}"
            tweet["referenced_tweets"] = [{"type": "replied_to", "id": original["id"]}]
            tweet["in_reply_to_user_id"] = "1003"
            tweet["conversation_id"] = original["id"]
            tag_at = text.index("#")
            tweet["entities"] = {
                "mentions": [{"start": 0, "end": 6, "username": "ken_t", "id": "1003"}],
                "hashtags": [{"start": tag_at, "end": tag_at + 1 + len(tag), "tag": tag}],
            }
            includes["users"] = [user, USERS[2]]
            includes["tweets"] = [original]
        else:
            text = f"Post {n} in the jam #{tag} — café ☕"
            tag_at = text.index("#")
            tweet["entities"] = {
                "hashtags": [{"start": tag_at, "end": tag_at + 1 + len(tag), "tag": tag}]
            }
        tweet["text"] = text
        lines.append({"data": tweet, "includes": includes})
    return lines


def tweet_id(line: dict[str, Any]) -> str:
    return line["data"]["id"]


@dataclasses.dataclass
class _Fault:
    status: int
    reset: int | None = None  # x-rate-limit-reset, epoch seconds


class _StreamConnection:
    def __init__(self) -> None:
        self.outbox: queue.Queue[tuple[str, Any]] = queue.Queue()


class FakeXApi:
    """Start with ``start()`` (or as a context manager); ``base_url`` is the API base."""

    def __init__(
        self,
        *,
        bearer_token: str = "test-bearer",
        consumer_key: str = "ck-test",
        access_token: str = "4242-at-test",
        username: str = "jamhost",
        keepalive_interval: float = 0.05,
    ) -> None:
        self.bearer_token = bearer_token
        self.consumer_key = consumer_key
        self.access_token = access_token
        self.username = username
        self.keepalive_interval = keepalive_interval
        self.lock = threading.Lock()
        self.rules: dict[str, dict[str, str]] = {}
        self.index: list[dict[str, Any]] = []  # every published line, oldest first
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []  # method, path, query
        self.actions: list[tuple[str, str, Any]] = []  # method, path, json body
        self.stream_connects = 0
        self.connected = threading.Event()  # set while at least one stream is open
        self._streams: list[_StreamConnection] = []
        self._sockets: set[socket.socket] = set()
        self._faults: dict[str, list[_Fault]] = {}
        self._stalled = False
        self._next_rule_id = 1
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------

    def start(self) -> FakeXApi:
        handler = type("Handler", (_Handler,), {"api": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), name="fake-x-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        with self.lock:
            streams = list(self._streams)
        for connection in streams:
            connection.outbox.put(("close", None))
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        # Handlers of kept-alive connections wait for the client's next request:
        # close their sockets so their threads end now, not when the client goes.
        with self.lock:
            sockets = list(self._sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeXApi:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- scripting ------------------------------------------------------------------

    def add_rule(self, value: str, tag: str | None = None) -> str:
        with self.lock:
            return self._add_rule_locked(value, tag)

    def _add_rule_locked(self, value: str, tag: str | None) -> str:
        rule_id = str(self._next_rule_id)
        self._next_rule_id += 1
        self.rules[rule_id] = {"id": rule_id, "value": value, **({"tag": tag} if tag else {})}
        return rule_id

    def publish_only(self, lines: list[dict[str, Any]]) -> None:
        """Into the search index only (posts made before the session, or while no stream is open)."""
        with self.lock:
            self.index.extend(lines)

    def release(self, lines: list[dict[str, Any]]) -> None:
        """Publish: to the search index and to every open stream whose rules match."""
        with self.lock:
            self.index.extend(lines)
            streams = list(self._streams)
            rules = list(self.rules.values())
        for line in lines:
            matching = [r for r in rules if _rule_matches(r["value"], line)]
            if matching:
                out = {
                    **line,
                    "matching_rules": [{"id": r["id"], "tag": r.get("tag", "")} for r in matching],
                }
                for connection in streams:
                    connection.outbox.put(("line", out))

    def redeliver(self, lines: list[dict[str, Any]]) -> None:
        """Send already published lines to the open streams again (X may repeat posts)."""
        with self.lock:
            streams = list(self._streams)
            rules = list(self.rules.values())
        for line in lines:
            out = {
                **line,
                "matching_rules": [{"id": r["id"], "tag": r.get("tag", "")} for r in rules],
            }
            for connection in streams:
                connection.outbox.put(("line", out))

    def send_raw(self, data: bytes) -> None:
        """Write bytes as they are to every open stream (a malformed line)."""
        with self.lock:
            streams = list(self._streams)
        for connection in streams:
            connection.outbox.put(("raw", data))

    def cut_stream(self, *, published_while_down: list[dict[str, Any]] = ()) -> None:
        """Close every open stream mid-flow; ``published_while_down`` go to search only."""
        with self.lock:
            streams = list(self._streams)
            self._streams.clear()
            self.connected.clear()
            self.index.extend(published_while_down)
        for connection in streams:
            connection.outbox.put(("cut", None))

    def stall_stream(self, stalled: bool = True) -> None:
        """Keep streams open but send nothing, not even keep-alives."""
        self._stalled = stalled

    def fail_next(
        self, endpoint: str, status: int, *, times: int = 1, reset: int | None = None
    ) -> None:
        """The next ``times`` requests to ``endpoint`` ("stream", "search", "rules",
        "actions") answer ``status`` (with ``x-rate-limit-reset: reset`` for 429)."""
        with self.lock:
            self._faults.setdefault(endpoint, []).extend(
                _Fault(status, reset) for _ in range(times)
            )

    def _take_fault(self, endpoint: str) -> _Fault | None:
        with self.lock:
            faults = self._faults.get(endpoint)
            return faults.pop(0) if faults else None

    def _open_stream(self) -> _StreamConnection:
        connection = _StreamConnection()
        with self.lock:
            self._streams.append(connection)
            self.stream_connects += 1
            self.connected.set()
        return connection

    def _close_stream(self, connection: _StreamConnection) -> None:
        with self.lock:
            if connection in self._streams:
                self._streams.remove(connection)
            if not self._streams:
                self.connected.clear()

    def search(self, query: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        one = {key: values[0] for key, values in query.items()}
        tags = {t.casefold() for t in re.findall(r"#(\w+)", one.get("query", ""))}
        max_results = int(one.get("max_results", "10"))
        if not 10 <= max_results <= 100:
            return 400, {"errors": [{"message": "max_results must be between 10 and 100"}]}
        since_id = int(one["since_id"]) if "since_id" in one else None
        start_time = one.get("start_time")
        with self.lock:
            found = [line for line in self.index if _has_tag(line, tags)]
        if since_id is not None:
            found = [line for line in found if int(tweet_id(line)) > since_id]
        if start_time:
            found = [line for line in found if line["data"]["created_at"][:19] >= start_time[:19]]
        found.sort(key=lambda line: int(tweet_id(line)), reverse=True)  # newest first, like X
        offset = int(one.get("next_token", "0") or 0)
        page = found[offset : offset + max_results]
        if not page:
            return 200, {"meta": {"result_count": 0}}
        users: dict[str, Any] = {}
        tweets: dict[str, Any] = {}
        for line in page:
            for user in line["includes"].get("users", []):
                users[user["id"]] = user
            for tweet in line["includes"].get("tweets", []):
                tweets[tweet["id"]] = tweet
        meta: dict[str, Any] = {
            "newest_id": tweet_id(page[0]),
            "oldest_id": tweet_id(page[-1]),
            "result_count": len(page),
        }
        if offset + max_results < len(found):
            meta["next_token"] = str(offset + max_results)
        includes: dict[str, Any] = {"users": list(users.values())}
        if tweets:
            includes["tweets"] = list(tweets.values())
        return 200, {"data": [line["data"] for line in page], "includes": includes, "meta": meta}


def _has_tag(line: dict[str, Any], tags: set[str]) -> bool:
    found = {h["tag"].casefold() for h in line["data"].get("entities", {}).get("hashtags", [])}
    return bool(found & tags)


def _rule_matches(value: str, line: dict[str, Any]) -> bool:
    return _has_tag(line, {t.casefold() for t in re.findall(r"#(\w+)", value)})


class _Handler(BaseHTTPRequestHandler):
    api: FakeXApi
    protocol_version = "HTTP/1.1"

    def setup(self) -> None:
        super().setup()
        with self.api.lock:
            self.api._sockets.add(self.connection)

    def finish(self) -> None:
        with self.api.lock:
            self.api._sockets.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format, *args):  # quiet: pytest shows failures, not access logs
        pass

    # -- plumbing ----------------------------------------------------------------------

    def _route(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        self.api.requests.append((method, parts.path, query))
        path = parts.path
        try:
            if path == "/2/tweets/search/stream/rules":
                self._bearer("rules") and self._rules(method, query)
            elif path == "/2/tweets/search/stream" and method == "GET":
                self._bearer("stream") and self._stream()
            elif path == "/2/tweets/search/recent" and method == "GET":
                if self._bearer("search"):
                    self._send(*self.api.search(query))
            elif path == "/2/users/me" and method == "GET":
                self._me()
            elif path == "/2/tweets" and method == "POST":
                self._oauth() and self._post_tweet()
            elif m := re.fullmatch(r"/2/users/(\d+)/(retweets|likes)(?:/(\d+))?", path):
                self._oauth() and self._user_action(method, m.group(1), m.group(2), m.group(3))
            else:
                self._send(404, {"errors": [{"message": f"no route {method} {path}"}]})
        except (BrokenPipeError, ConnectionResetError):
            pass

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def do_DELETE(self):
        self._route("DELETE")

    def _body(self) -> Any:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length)) if length else None

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(payload)

    def _fault(self, endpoint: str) -> bool:
        fault = self.api._take_fault(endpoint)
        if fault is None:
            return False
        self._body()  # drain, so the connection stays usable
        headers = {"x-rate-limit-reset": str(fault.reset)} if fault.reset is not None else {}
        titles = {
            401: "Unauthorized",
            403: "Forbidden",
            429: "Too Many Requests",
            503: "Service Unavailable",
        }
        title = titles.get(fault.status, "Error")
        self._send(fault.status, {"title": title, "detail": title, "status": fault.status}, headers)
        return True

    def _bearer(self, endpoint: str) -> bool:
        if self.headers.get("Authorization") != f"Bearer {self.api.bearer_token}":
            self._send(401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
            return False
        return not self._fault(endpoint)

    def _oauth(self) -> bool:
        auth = self.headers.get("Authorization", "")
        wanted = (
            f'oauth_consumer_key="{self.api.consumer_key}"',
            f'oauth_token="{self.api.access_token}"',
            "oauth_signature=",
        )
        if not auth.startswith("OAuth ") or not all(part in auth for part in wanted):
            self._send(403, {"title": "Unsupported Authentication", "status": 403})
            return False
        return not self._fault("actions")

    # -- endpoints ---------------------------------------------------------------------

    def _rules(self, method: str, query: dict[str, list[str]]) -> None:
        api = self.api
        if method == "GET":
            with api.lock:
                rules = list(api.rules.values())
            body: dict[str, Any] = {"meta": {"result_count": len(rules), "sent": "now"}}
            if rules:
                body["data"] = rules
            self._send(200, body)
            return
        body = self._body() or {}
        created, errors, deleted = [], [], 0
        with api.lock:
            for rule in body.get("add", []):
                if any(r["value"] == rule["value"] for r in api.rules.values()):
                    errors.append({"title": "DuplicateRule", "value": rule["value"]})
                    continue
                rule_id = api._add_rule_locked(rule["value"], rule.get("tag"))
                created.append(api.rules[rule_id])
            for rule_id in body.get("delete", {}).get("ids", []):
                deleted += api.rules.pop(str(rule_id), None) is not None
        answer: dict[str, Any] = {
            "meta": {"sent": "now", "summary": {"created": len(created), "deleted": deleted}}
        }
        if created:
            answer["data"] = created
        if errors:
            answer["errors"] = errors
        self._send(200, answer)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _stream(self) -> None:
        api = self.api
        # Registered before the headers go out, so a post released once the client has
        # seen the 200 is always on this stream (it may also come by backfill: dedupe).
        connection = api._open_stream()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.flush()
            while True:
                try:
                    kind, value = connection.outbox.get(timeout=api.keepalive_interval)
                except queue.Empty:
                    if not api._stalled:
                        self._chunk(b"\r\n")
                    continue
                if kind == "line":
                    self._chunk(json.dumps(value).encode() + b"\r\n")
                elif kind == "raw":
                    self._chunk(value)
                elif kind == "cut":  # drop the connection without the closing chunk
                    self.close_connection = True
                    with contextlib.suppress(OSError):
                        self.connection.shutdown(socket.SHUT_RDWR)
                    return
                elif kind == "close":
                    self._chunk(b"")
                    self.close_connection = True
                    return
        except OSError:  # the client went away
            self.close_connection = True
        finally:
            api._close_stream(connection)

    def _me(self) -> None:
        """Who am I: 401 unless the OAuth 1.0a header carries the right key and token."""
        auth = self.headers.get("Authorization", "")
        api = self.api
        wanted = (
            f'oauth_consumer_key="{api.consumer_key}"',
            f'oauth_token="{api.access_token}"',
            "oauth_signature=",
        )
        if not auth.startswith("OAuth ") or not all(part in auth for part in wanted):
            self._send(401, {"title": "Unauthorized", "detail": "Unauthorized", "status": 401})
            return
        user_id = api.access_token.partition("-")[0]
        self._send(200, {"data": {"id": user_id, "name": "Jam Host", "username": api.username}})

    def _post_tweet(self) -> None:
        body = self._body() or {}
        self.api.actions.append(("POST", "/2/tweets", body))
        new_id = str(BASE_ID + 900_000_000 + len(self.api.actions))
        self._send(
            201,
            {
                "data": {
                    "id": new_id,
                    "text": body.get("text", ""),
                    "edit_history_tweet_ids": [new_id],
                }
            },
        )

    def _user_action(self, method: str, user_id: str, what: str, target: str | None) -> None:
        body = self._body() if method == "POST" else None
        path = f"/2/users/{user_id}/{what}" + (f"/{target}" if target else "")
        self.api.actions.append((method, path, body))
        if user_id != self.api.access_token.partition("-")[0]:
            self._send(
                403, {"title": "Forbidden", "detail": "not the authenticated user", "status": 403}
            )
            return
        flag = "retweeted" if what == "retweets" else "liked"
        self._send(200, {"data": {flag: method == "POST"}})
