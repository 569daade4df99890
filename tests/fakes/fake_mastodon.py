"""A fake Mastodon instance on 127.0.0.1 that speaks the REST and SSE wire formats.

Enough of the API for the real Mastodon.py client and JamDeck's Mastodon source:
instance info (v1/v2, with the streaming URL pointing back here), verify
credentials, the hashtag timeline with ``min_id``/``max_id``/``since_id`` paging
and ``Link`` headers, hashtag streaming over server-sent events (``update``,
``status.update``, ``delete``, ``:)`` heartbeats, as the recorded bytes in
``shared/fixtures/mastodon/sse``), posting, boost/favourite, search with
``resolve``, app registration and the OAuth code exchange.

Tests drive it: ``publish`` (stored and streamed), ``add`` (stored only, as if
posted while the stream was down), ``edit``, ``delete``, ``push_raw``,
``cut_streams``, ``fail`` (the next N matching requests get an error status),
and read ``requests`` to see what the client did.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import queue
import socket
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.fixtures import fixtures_root, require_fixtures

FIXTURES = fixtures_root() / "mastodon"

_CUT = object()  # queue sentinel: drop the connection without a clean end


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    form: dict[str, list[str]]
    authorization: str | None


@dataclasses.dataclass
class _Fault:
    method: str | None
    prefix: str
    status: int
    times: int
    headers: dict[str, str]
    body: dict[str, Any]


def snowflake(when: datetime, seq: int = 0) -> str:
    return str((int(when.timestamp() * 1000) << 16) + seq)


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def ulid(when: datetime, seq: int = 0) -> str:
    """A ULID as GoToSocial makes them: 48 bits of milliseconds and 80 "random" bits (here a
    sequence number, so the ids are reproducible), 26 Crockford base-32 characters. Not a
    number: a client that parses it, or computes one from a time, gets nothing right."""
    value = (int(when.timestamp() * 1000) << 80) | (0x5EED << 64) | seq
    chars = []
    for _ in range(26):
        chars.append(_CROCKFORD[value & 31])
        value >>= 5
    return "".join(reversed(chars))


TRUNCATED = "truncated"  # a fault's body: the answer is cut off mid-JSON

ID_SCHEMES = {"snowflake": snowflake, "ulid": ulid}


def id_order(status_id: str, scheme: str) -> int | str:
    """How the fake server itself orders its ids (a client never may): snowflakes as
    numbers, ULIDs as strings (they sort by time), as the real servers do."""
    return int(status_id) if scheme == "snowflake" else status_id


def template_status(fixtures: Path = FIXTURES) -> dict[str, Any]:
    """A real status recorded from a Mastodon 4.6 streaming server (an ``update`` event)."""
    if not fixtures.exists():
        require_fixtures("mastodon")  # skips the test that needs them, saying where we looked
    with (fixtures / "sse" / "streaming_events.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            event = json.loads(line)
            if event["event"] == "update" and isinstance(event["payload"], dict):
                return event["payload"]
    raise LookupError("no update event in the recorded stream")


class StatusFactory:
    """Realistic statuses: the recorded template with new ids, times, text and tags."""

    def __init__(
        self, *, host: str = "jam.example", fixtures: Path = FIXTURES, ids: str = "snowflake"
    ) -> None:
        self._template = template_status(fixtures)
        self._host = host
        self._seq = 0
        self._make_id = ID_SCHEMES[ids]

    def make(
        self,
        text: str,
        *,
        tags: tuple[str, ...] = ("jam",),
        at: datetime | None = None,
        user: str = "alice",
        host: str | None = None,
        in_reply_to_id: str | None = None,
    ) -> dict[str, Any]:
        self._seq += 1
        when = at or datetime.now(UTC)
        status = copy.deepcopy(self._template)
        status_id = self._make_id(when, self._seq)
        origin = host or self._host
        tag_html = " ".join(
            f'<a href="https://{origin}/tags/{t}" class="mention hashtag" rel="tag">#<span>{t}</span></a>'
            for t in tags
        )
        status.update(
            id=status_id,
            created_at=when.astimezone(UTC)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            uri=f"https://{origin}/users/{user}/statuses/{status_id}",
            url=f"https://{origin}/@{user}/{status_id}",
            content=f"<p>{_escape(text)} {tag_html}</p>",
            tags=[{"name": t.lower(), "url": f"https://{origin}/tags/{t.lower()}"} for t in tags],
            in_reply_to_id=in_reply_to_id,
            edited_at=None,
            visibility="public",
            language="en",
        )
        account = status["account"]
        account.update(
            id=str(100 + sum(map(ord, user))),
            username=user,
            acct=user if origin == self._host else f"{user}@{origin}",
            display_name=user.title(),
            url=f"https://{origin}/@{user}",
            uri=f"https://{origin}/users/{user}",
        )
        return status


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class FakeMastodon:
    def __init__(
        self,
        *,
        version: str = "4.5.0",
        token: str = "good-token",
        fixtures: Path = FIXTURES,
        ids: str = "snowflake",
    ) -> None:
        """``ids``: "snowflake" (Mastodon's) or "ulid" (GoToSocial's): what the server's
        status ids look like."""
        self.version = version
        self.token = token
        self.requests: list[Request] = []
        self.statuses: dict[str, dict[str, Any]] = {}
        self.remote: dict[str, dict[str, Any]] = {}  # uri -> status other instances hold
        self.ids = ids
        self.factory = StatusFactory(fixtures=fixtures, ids=ids)
        self._lock = threading.Lock()
        self._streams_changed = threading.Condition(self._lock)
        self._streams: list[tuple[str, queue.Queue]] = []
        self._stream_count = 0  # connections ever accepted
        self._faults: list[_Fault] = []
        self._next_local = 900_000_000_000_000_000
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # quick shutdown
            name="fake-mastodon",
            daemon=True,
        )

    # -- lifecycle
    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeMastodon:
        self._thread.start()
        return self

    def close(self) -> None:
        with self._lock:
            for _, q in self._streams:
                q.put(None)
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeMastodon:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- driving it
    def add(self, status: dict[str, Any]) -> dict[str, Any]:
        """Store a status without streaming it (posted while the client was away)."""
        with self._lock:
            self.statuses[str(status["id"])] = status
        return status

    def publish(self, status: dict[str, Any]) -> dict[str, Any]:
        self.add(status)
        self._push_status("update", status)
        return status

    def edit(self, status_id: str, text: str) -> dict[str, Any]:
        with self._lock:
            status = copy.deepcopy(self.statuses[status_id])
            status["content"] = f"<p>{_escape(text)}</p>"
            status["edited_at"] = (
                datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
            )
            self.statuses[status_id] = status
        self._push_status("status.update", status)
        return status

    def delete(self, status_id: str) -> None:
        with self._lock:
            status = self.statuses.pop(status_id)
        self._push(_tags(status), f"event: delete\ndata: {status_id}\n\n")

    def push_raw(self, text: str, *, tag: str | None = None) -> None:
        """Send bytes as they are to the streams (of ``tag``, or all)."""
        self._push({tag.lower()} if tag else None, text)

    def heartbeat(self) -> None:
        self._push(None, ":)\n")

    def cut_streams(self) -> None:
        """Drop every open stream abruptly (no clean end of the chunked body)."""
        with self._lock:
            for _, q in self._streams:
                q.put(_CUT)

    def fail(
        self,
        prefix: str,
        status: int,
        *,
        times: int = 1,
        method: str | None = None,
        headers: dict[str, str] | None = None,
        error: str = "",
    ) -> None:
        body = {
            "error": error
            or {401: "The access token is invalid", 429: "Too many requests"}.get(status, "Error")
        }
        with self._lock:
            self._faults.append(_Fault(method, prefix, status, times, dict(headers or {}), body))

    def truncate(self, prefix: str, *, times: int = 1) -> None:
        """Answer the next ``times`` requests under ``prefix`` with a 200 whose JSON is cut off."""
        with self._lock:
            self._faults.append(_Fault(None, prefix, 200, times, {}, TRUNCATED))

    def wait_for_streams(
        self, count: int, *, total: int | None = None, timeout: float = 5.0
    ) -> bool:
        """Wait until ``count`` streams are open (and ``total`` were ever opened)."""
        with self._streams_changed:
            return self._streams_changed.wait_for(
                lambda: (
                    len(self._streams) >= count and (total is None or self._stream_count >= total)
                ),
                timeout,
            )

    def calls(self, method: str, path_prefix: str) -> list[Request]:
        with self._lock:
            return [
                r for r in self.requests if r.method == method and r.path.startswith(path_prefix)
            ]

    # -- internals used by the handler
    def _push_status(self, event: str, status: dict[str, Any]) -> None:
        self._push(
            _tags(status), f"event: {event}\ndata: {json.dumps(status, separators=(',', ':'))}\n\n"
        )

    def _push(self, tags: set[str] | None, text: str) -> None:
        with self._lock:
            for tag, q in self._streams:
                if tags is None or tag in tags:
                    q.put(text)

    def _take_fault(self, method: str, path: str) -> _Fault | None:
        with self._lock:
            for fault in self._faults:
                if (
                    path.startswith(fault.prefix)
                    and fault.method in (None, method)
                    and fault.times > 0
                ):
                    fault.times -= 1
                    return fault
        return None

    def _new_local_id(self) -> str:
        with self._lock:
            self._next_local += 1
            if self.ids == "ulid":
                return ulid(datetime.now(UTC), self._next_local % 1_000_000)
            return str(self._next_local)


def _tags(status: dict[str, Any]) -> set[str]:
    return {str(t["name"]).lower() for t in status.get("tags") or []}


def _handler_for(fake: FakeMastodon) -> type[BaseHTTPRequestHandler]:
    class Handler(_Handler):
        pass

    Handler.fake = fake
    return Handler


class _Handler(BaseHTTPRequestHandler):
    fake: FakeMastodon
    protocol_version = "HTTP/1.1"  # chunked event streams, like the real streaming server

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    # -- plumbing
    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path.rstrip("/") or "/"
        query = parse_qs(parts.query)
        form: dict[str, list[str]] = {}
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            body = self.rfile.read(length).decode("utf-8")
            if "json" in (self.headers.get("Content-Type") or ""):
                form = {k: [str(v)] for k, v in json.loads(body).items()}
            else:
                form = parse_qs(body)
        fake = self.fake
        with fake._lock:
            fake.requests.append(
                Request(method, path, query, form, self.headers.get("Authorization"))
            )
        fault = fake._take_fault(method, path)
        if fault is not None:
            if fault.body == TRUNCATED:  # a 200 whose JSON stops half-way (a proxy cut it)
                data = b'[{"id": "1", "content": "<p>cut he'
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(data)
                return
            self._json(fault.body, status=fault.status, headers=fault.headers)
            return
        route = _ROUTES.get((method, path))
        if route is None:
            for (m, prefix), handler in _PREFIX_ROUTES:
                if m == method and path.startswith(prefix):
                    route = handler
                    break
        if route is None:
            self._json({"error": "Record not found"}, status=404)
            return
        route(self, path, query, form)

    def _authorized(self, *, required: bool) -> bool:
        header = self.headers.get("Authorization")
        if header is None and not required:
            return True
        if header == f"Bearer {self.fake.token}":
            return True
        self._json({"error": "The access token is invalid"}, status=401)
        return False

    def _json(self, body: Any, *, status: int = 200, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Connection", "close")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    # -- routes
    def instance_v1(self, path: str, query: dict, form: dict) -> None:
        self._json(
            {
                "uri": "127.0.0.1",
                "title": "Fake Mastodon",
                "version": self.fake.version,
                "urls": {"streaming_api": self.fake.url.replace("http://", "ws://")},
            }
        )

    def instance_v2(self, path: str, query: dict, form: dict) -> None:
        self._json(
            {
                "domain": "127.0.0.1",
                "title": "Fake Mastodon",
                "version": self.fake.version,
                "api_versions": {"mastodon": 7},
                "configuration": {
                    "urls": {"streaming": self.fake.url.replace("http://", "ws://")},
                    "timelines_access": {
                        "live_feeds": {"local": "public", "remote": "public"},
                        "hashtag_feeds": {"local": "public", "remote": "public"},
                        "trending_link_feeds": {"local": "public", "remote": "public"},
                    },
                },
            }
        )

    def verify_credentials(self, path: str, query: dict, form: dict) -> None:
        if self._authorized(required=True):
            status = self.fake.factory.make("me")
            self._json(dict(status["account"], username="jammer", acct="jammer", source={}))

    def tag_timeline(self, path: str, query: dict, form: dict) -> None:
        if not self._authorized(required=False):
            return
        tag = path.rsplit("/", 1)[-1].lower()
        limit = min(int(_one(query, "limit") or 20), 40)
        with self.fake._lock:
            tagged = sorted(
                (s for s in self.fake.statuses.values() if tag in _tags(s)),
                key=lambda s: id_order(s["id"], self.fake.ids),
            )
        if (max_id := _one(query, "max_id")) is not None:
            tagged = [
                s
                for s in tagged
                if id_order(s["id"], self.fake.ids) < id_order(max_id, self.fake.ids)
            ]
        if (since_id := _one(query, "since_id")) is not None:
            tagged = [
                s
                for s in tagged
                if id_order(s["id"], self.fake.ids) > id_order(since_id, self.fake.ids)
            ]
        if (min_id := _one(query, "min_id")) is not None:
            page = [
                s
                for s in tagged
                if id_order(s["id"], self.fake.ids) > id_order(min_id, self.fake.ids)
            ][:limit]
        else:
            page = tagged[-limit:]  # the newest
        page.reverse()  # newest first, as Mastodon answers
        headers = {}
        if page:
            base = f"{self.fake.url}/api/v1/timelines/tag/{tag}?limit={limit}"
            headers["Link"] = (
                f'<{base}&max_id={page[-1]["id"]}>; rel="next", <{base}&min_id={page[0]["id"]}>; rel="prev"'
            )
        self._json(page, headers=headers)

    def streaming_hashtag(self, path: str, query: dict, form: dict) -> None:
        if not self._authorized(required=True):  # Mastodon >= 4.2 wants a user token
            return
        tag = (_one(query, "tag") or "").lower()
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        q: queue.Queue = queue.Queue()
        q.put(":)\n")  # the streaming server greets with a heartbeat
        fake = self.fake
        with fake._streams_changed:
            fake._streams.append((tag, q))
            fake._stream_count += 1
            fake._streams_changed.notify_all()
        try:
            while True:
                item = q.get()
                if item is None:  # the fake is closing: end the body cleanly
                    self.wfile.write(b"0\r\n\r\n")
                    break
                if item is _CUT:
                    self.connection.shutdown(socket.SHUT_RDWR)
                    break
                data = item.encode("utf-8")
                self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
                self.wfile.flush()
        except OSError:  # the client went away
            pass
        finally:
            with fake._streams_changed:
                fake._streams.remove((tag, q))
                fake._streams_changed.notify_all()
            self.close_connection = True

    def streaming_health(self, path: str, query: dict, form: dict) -> None:
        data = b"OK"
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        self.close_connection = True

    def post_status(self, path: str, query: dict, form: dict) -> None:
        if not self._authorized(required=True):
            return
        text = _one(form, "status") or ""
        status = self.fake.factory.make(text, tags=(), user="jammer", host="127.0.0.1")
        status["content"] = f"<p>{_escape(text)}</p>"
        status["in_reply_to_id"] = _one(form, "in_reply_to_id")
        if quoted := _one(form, "quoted_status_id"):
            with self.fake._lock:
                target = self.fake.statuses.get(quoted)
            if target is None:
                self._json({"error": "Record not found"}, status=404)
                return
            status["quote"] = {"state": "accepted", "quoted_status": target}
        self.fake.add(status)
        self._json(status)

    def status_action(self, path: str, query: dict, form: dict) -> None:
        if not self._authorized(required=True):
            return
        _, status_id, action = path.rsplit("/", 2)
        with self.fake._lock:
            status = copy.deepcopy(self.fake.statuses.get(status_id))
        if status is None:
            self._json({"error": "Record not found"}, status=404)
            return
        if action == "reblog":
            wrapper = self.fake.factory.make("", tags=(), user="jammer", host="127.0.0.1")
            wrapper.update(content="", reblog=status, tags=[])
            status["reblogged"] = True
            self._json(wrapper)
            return
        status["reblogged" if "reblog" in action else "favourited"] = not action.startswith("un")
        self._json(status)

    def search(self, path: str, query: dict, form: dict) -> None:
        if not self._authorized(required=True):
            return
        q = _one(query, "q") or ""
        resolve = (_one(query, "resolve") or "") in ("1", "true", "True")
        with self.fake._lock:
            found = [s for s in self.fake.statuses.values() if q in (s.get("uri"), s.get("url"))]
            remote = self.fake.remote.get(q)
        if not found and resolve and remote is not None:
            local = copy.deepcopy(remote)
            local["id"] = self.fake._new_local_id()
            self.fake.add(local)
            found = [local]
        self._json({"accounts": [], "statuses": found, "hashtags": []})

    def create_app(self, path: str, query: dict, form: dict) -> None:
        self._json(
            {
                "id": "1",
                "name": _one(form, "client_name"),
                "client_id": "fake-client-id",
                "client_secret": "fake-client-secret",
                "redirect_uri": _one(form, "redirect_uris"),
                "scopes": (_one(form, "scopes") or "").split(),
            }
        )

    def oauth_token(self, path: str, query: dict, form: dict) -> None:
        if _one(form, "code") != "good-code" or _one(form, "client_id") != "fake-client-id":
            self._json(
                {
                    "error": "invalid_grant",
                    "error_description": "The provided authorization grant is invalid",
                },
                status=400,
            )
            return
        self._json(
            {
                "access_token": self.fake.token,
                "token_type": "Bearer",
                "scope": _one(form, "scope") or "",
                "created_at": int(datetime.now(UTC).timestamp()),
            }
        )


def _one(values: dict[str, list[str]], name: str) -> str | None:
    got = values.get(name)
    return got[0] if got else None


_ROUTES = {
    ("GET", "/api/v1/instance"): _Handler.instance_v1,
    ("GET", "/api/v2/instance"): _Handler.instance_v2,
    ("GET", "/api/v1/accounts/verify_credentials"): _Handler.verify_credentials,
    ("GET", "/api/v1/streaming/hashtag"): _Handler.streaming_hashtag,
    ("GET", "/api/v1/streaming/health"): _Handler.streaming_health,
    ("POST", "/api/v1/statuses"): _Handler.post_status,
    ("GET", "/api/v2/search"): _Handler.search,
    ("POST", "/api/v1/apps"): _Handler.create_app,
    ("POST", "/oauth/token"): _Handler.oauth_token,
}
_PREFIX_ROUTES = [
    (("GET", "/api/v1/timelines/tag/"), _Handler.tag_timeline),
    (("POST", "/api/v1/statuses/"), _Handler.status_action),
]


def rate_limit_headers(seconds_from_now: float) -> dict[str, str]:
    """``X-RateLimit-*`` headers of a 429 that resets ``seconds_from_now`` (real time)."""
    reset = datetime.now(UTC) + timedelta(seconds=seconds_from_now)
    return {
        "X-RateLimit-Limit": "300",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": reset.isoformat(timespec="microseconds").replace("+00:00", "Z"),
    }
