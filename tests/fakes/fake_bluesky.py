"""A fake Bluesky PDS/AppView on 127.0.0.1 that speaks XRPC over HTTP.

The real atproto client talks to it. It serves what the Bluesky source uses:
``com.atproto.server.createSession`` / ``refreshSession`` / ``getSession``,
``app.bsky.feed.searchPosts`` (q, since, until, sort, cursor, limit),
``com.atproto.repo.createRecord`` / ``deleteRecord`` and
``app.bsky.feed.getPosts``. Tokens are real-looking JWTs (atproto reads their
``exp`` to decide when to refresh) and ``createSession`` returns a DID document
whose PDS endpoint is the fake itself, so atproto stays on it after login.

Faults are scripted: ``fail_next`` answers the next call(s) of a method with an
error (429 with ``RateLimit-Reset``, 503...), ``expire_access_tokens`` makes
every current access token answer 401 ``ExpiredToken``. Every request is kept
in ``requests`` for the tests to inspect.
"""

from __future__ import annotations

import base64
import copy
import dataclasses
import itertools
import json
import threading
import time
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from desktop.core.post import parse_time


@dataclasses.dataclass(frozen=True)
class Call:
    method: str  # GET | POST
    nsid: str
    params: dict[str, list[str]]
    body: Any
    authorization: str


@dataclasses.dataclass
class _Fault:
    status: int
    body: Any
    headers: dict[str, str]
    remaining: int
    after: int  # calls to let through first


_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def make_jwt(*, sub: str, scope: str, exp: float, jti: str) -> str:
    """An unsigned-looking JWT that atproto can decode (it reads ``exp`` only)."""
    header = _b64url(json.dumps({"typ": "at+jwt", "alg": "ES256K"}).encode())
    payload = _b64url(
        json.dumps(
            {"scope": scope, "sub": sub, "iat": int(time.time()), "exp": int(exp), "jti": jti}
        ).encode()
    )
    return f"{header}.{payload}.{_b64url(b'fake-signature')}"


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def post_view(
    *,
    rkey: str,
    text: str,
    indexed_at: datetime,
    did: str = "did:plc:jamauthor",
    handle: str = "author.test",
    display_name: str = "Jam Author",
    facets: list[dict] | None = None,
    reply: dict | None = None,
    embed: dict | None = None,
) -> dict[str, Any]:
    """A PostView as app.bsky.feed.searchPosts returns it (the wire format)."""
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "createdAt": iso(indexed_at),
        "text": text,
    }
    record["facets"] = facets if facets is not None else tag_facets(text)
    if reply:
        record["reply"] = reply
    if embed:
        record["embed"] = embed
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafyrei{rkey}cid",
        "author": {"did": did, "handle": handle, "displayName": display_name, "labels": []},
        "record": record,
        "replyCount": 0,
        "repostCount": 0,
        "likeCount": 0,
        "quoteCount": 0,
        "indexedAt": iso(indexed_at),
        "viewer": {},
        "labels": [],
    }


def tag_facets(text: str) -> list[dict]:
    """Facets for every ``#word`` in ``text`` (UTF-8 byte offsets), as the Bluesky app makes them."""
    facets = []
    data = text.encode("utf-8")
    start = 0
    while (at := data.find(b"#", start)) >= 0:
        end = at + 1
        while end < len(data) and data[end : end + 1] not in (
            b" ",
            b"\n",
            b"\t",
            b",",
            b".",
            b"!",
            b"?",
        ):
            end += 1
        if end > at + 1:
            tag = data[at + 1 : end].decode("utf-8", "replace")
            facets.append(
                {
                    "index": {"byteStart": at, "byteEnd": end},
                    "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
                }
            )
        start = end
    return facets


def retag_fixture_post(post: dict, *, tag: str, rkey: str, indexed_at: datetime) -> dict[str, Any]:
    """A recorded PostView moved into this jam: a fresh URI, ``#tag`` appended with its facet."""
    view = copy.deepcopy(post)
    did = view["author"]["did"]
    view["uri"] = f"at://{did}/app.bsky.feed.post/{rkey}"
    view["cid"] = f"bafyrei{rkey}cid"
    record = view["record"]
    suffix = f" #{tag}"
    start = len(record["text"].encode("utf-8")) + 1
    record["text"] += suffix
    record.setdefault("facets", []).append(
        {
            "index": {"byteStart": start, "byteEnd": start + len(tag.encode("utf-8")) + 1},
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": tag}],
        }
    )
    view["indexedAt"] = iso(indexed_at)
    return view


def _matches(view: dict, query: str) -> bool:
    """``#tag`` matches a tag facet or the literal hashtag in the text (case-insensitive)."""
    query = query.strip().lower()
    record = view.get("record") or {}
    if query.startswith("#"):
        wanted = query[1:]
        for facet in record.get("facets") or []:
            for feature in facet.get("features") or []:
                if str(feature.get("tag", "")).lower() == wanted:
                    return True
    text = str(record.get("text", "")).lower()
    return query in text.split() or query in text


class FakeBluesky:
    """The fake server. Use as a context manager, or ``start()`` / ``close()``."""

    def __init__(
        self,
        *,
        handle: str = "jammer.test",
        password: str = "abcd-efgh-ijkl-mnop",
        did: str = "did:plc:jammer",
        access_ttl: float = 3600.0,
        page_size: int = 100,
    ) -> None:
        self.handle = handle
        self.password = password
        self.did = did
        self.access_ttl = access_ttl
        self.page_size = page_size  # the most posts a search page holds, whatever limit asks
        self.requests: list[Call] = []
        self.posts: list[dict[str, Any]] = []  # what search can find
        self.records: dict[
            str, dict[str, Any]
        ] = {}  # uri -> {"collection", "record"}: what the client created
        self._lock = threading.Lock()
        self._faults: dict[str, list[_Fault]] = {}
        self._access: dict[str, int] = {}  # token -> 0 while valid, else the status it answers
        self._refresh: set[str] = set()
        self._counter = itertools.count(1)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ---- lifecycle -------------------------------------------------------

    def start(self) -> FakeBluesky:
        handler = type("Handler", (_Handler,), {"fake": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # shutdown() waits up to one poll
            name="fake-bluesky",
            daemon=True,
        )
        self._thread.start()
        return self

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self) -> FakeBluesky:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # ---- scripting -------------------------------------------------------

    def add_posts(self, *views: dict[str, Any]) -> None:
        with self._lock:
            self.posts.extend(views)

    def fail_next(
        self,
        nsid: str,
        status: int,
        *,
        error: str = "",
        message: str = "",
        headers: dict[str, str] | None = None,
        times: int = 1,
        after: int = 0,
    ) -> None:
        """Answer ``times`` calls of ``nsid`` with ``status`` once ``after`` calls went through."""
        body = {"error": error, "message": message} if error else None
        fault = _Fault(status, body, dict(headers or {}), times, after)
        with self._lock:
            self._faults.setdefault(nsid, []).append(fault)

    def expire_access_tokens(self, *, status: int = 401) -> None:
        """Every access token issued so far now answers ``status`` ExpiredToken (the refresh tokens
        stay good). The Bluesky PDS has answered both 401 and 400 for this over time."""
        with self._lock:
            for token in self._access:
                self._access[token] = status

    def revoke_refresh_tokens(self) -> None:
        """Every refresh token issued so far is refused (the account signed out everywhere)."""
        with self._lock:
            self._refresh.clear()

    def issue_session(self, *, access_exp: float | None = None) -> dict[str, Any]:
        """A createSession answer (also used by tests to make a stored session string)."""
        n = next(self._counter)
        exp = access_exp if access_exp is not None else time.time() + self.access_ttl
        access = make_jwt(sub=self.did, scope="com.atproto.appPass", exp=exp, jti=f"a{n}")
        refresh = make_jwt(
            sub=self.did, scope="com.atproto.refresh", exp=time.time() + 86400 * 60, jti=f"r{n}"
        )
        with self._lock:
            self._access[access] = 0
            self._refresh.add(refresh)
        return {
            "accessJwt": access,
            "refreshJwt": refresh,
            "handle": self.handle,
            "did": self.did,
            "didDoc": {
                "@context": ["https://www.w3.org/ns/did/v1"],
                "id": self.did,
                "alsoKnownAs": [f"at://{self.handle}"],
                "service": [
                    {
                        "id": "#atproto_pds",
                        "type": "AtprotoPersonalDataServer",
                        "serviceEndpoint": self.url,
                    }
                ],
            },
            "active": True,
        }

    def session_string(self, answer: dict[str, Any]) -> str:
        """What atproto's ``export_session_string`` gives for ``answer`` (its documented
        ``handle:::did:::access:::refresh:::pds`` layout), to seed the keyring in tests."""
        fields = [
            answer["handle"],
            answer["did"],
            answer["accessJwt"],
            answer["refreshJwt"],
            self.url,
        ]
        return ":::".join(fields)

    def calls(self, nsid: str) -> list[Call]:
        with self._lock:
            return [call for call in self.requests if call.nsid == nsid]

    def records_in(self, collection: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            return {
                uri: r["record"] for uri, r in self.records.items() if r["collection"] == collection
            }

    # ---- request handling (called on the server's threads) ---------------

    def _take_fault(self, nsid: str) -> _Fault | None:
        faults = self._faults.get(nsid)
        if not faults:
            return None
        fault = faults[0]
        if fault.after > 0:
            fault.after -= 1
            return None
        fault.remaining -= 1
        if fault.remaining <= 0:
            faults.pop(0)
        return fault

    def respond(self, call: Call) -> tuple[int, Any, dict[str, str]]:
        with self._lock:
            self.requests.append(call)
            fault = self._take_fault(call.nsid)
        if fault is not None:
            return fault.status, fault.body, fault.headers
        route = _ROUTES.get((call.method, call.nsid))
        if route is None:
            return (
                501,
                {"error": "MethodNotImplemented", "message": f"{call.nsid} is not served"},
                {},
            )
        if call.nsid not in (
            "com.atproto.server.createSession",
            "com.atproto.server.refreshSession",
        ):
            denied = self._check_access(call.authorization)
            if denied is not None:
                return denied
        return route(self, call)

    def _check_access(self, authorization: str) -> tuple[int, Any, dict[str, str]] | None:
        token = authorization.removeprefix("Bearer ").strip()
        with self._lock:
            expired_status = self._access.get(token)
        if expired_status is None:
            return (
                401,
                {"error": "AuthenticationRequired", "message": "Authentication Required"},
                {},
            )
        if expired_status:
            return expired_status, {"error": "ExpiredToken", "message": "Token has expired"}, {}
        return None

    def _create_session(self, call: Call):
        body = call.body or {}
        if (
            body.get("identifier") not in (self.handle, self.did)
            or body.get("password") != self.password
        ):
            return (
                401,
                {"error": "AuthenticationRequired", "message": "Invalid identifier or password"},
                {},
            )
        return 200, self.issue_session(), {}

    def _refresh_session(self, call: Call):
        token = call.authorization.removeprefix("Bearer ").strip()
        with self._lock:
            known = token in self._refresh
            self._refresh.discard(token)  # refresh tokens are single use
        if not known:
            return 400, {"error": "ExpiredToken", "message": "Token has been revoked"}, {}
        session = self.issue_session()
        session.pop("didDoc")
        return 200, session, {}

    def _get_session(self, call: Call):
        return 200, {"handle": self.handle, "did": self.did, "active": True}, {}

    def _search_posts(self, call: Call):
        params = call.params
        query = params.get("q", [""])[0]
        if not query:
            return (
                400,
                {"error": "InvalidRequest", "message": 'Params must have the property "q"'},
                {},
            )
        since = params.get("since", [None])[0]
        until = params.get("until", [None])[0]
        limit = min(int(params.get("limit", [self.page_size])[0]), self.page_size)
        offset = int(params.get("cursor", ["0"])[0] or 0)
        with self._lock:
            found = [view for view in self.posts if _matches(view, query)]
        if since:
            found = [
                v
                for v in found
                if v.get("indexedAt") and parse_time(v["indexedAt"]) >= parse_time(since)
            ]
        if until:
            found = [
                v
                for v in found
                if v.get("indexedAt") and parse_time(v["indexedAt"]) < parse_time(until)
            ]
        found.sort(key=lambda view: str(view.get("indexedAt", "")), reverse=True)  # sort=latest
        page = found[offset : offset + limit]
        answer: dict[str, Any] = {"posts": page}
        if offset + limit < len(found):
            answer["cursor"] = str(offset + limit)
        return 200, answer, {}

    def _create_record(self, call: Call):
        body = call.body or {}
        if body.get("repo") not in (self.did, self.handle):
            return 400, {"error": "InvalidRequest", "message": "Could not find repo"}, {}
        rkey = body.get("rkey") or self._tid()
        collection = body["collection"]
        uri = f"at://{self.did}/{collection}/{rkey}"
        record = body["record"]
        with self._lock:
            self.records[uri] = {"collection": collection, "record": record}
        return (
            200,
            {"uri": uri, "cid": f"bafyrei{rkey}cid", "commit": {"cid": "bafycommit", "rev": rkey}},
            {},
        )

    def _delete_record(self, call: Call):
        body = call.body or {}
        uri = f"at://{self.did}/{body.get('collection')}/{body.get('rkey')}"
        with self._lock:
            self.records.pop(uri, None)
        return 200, {"commit": {"cid": "bafycommit", "rev": self._tid()}}, {}

    def _get_posts(self, call: Call):
        uris = call.params.get("uris", [])
        with self._lock:
            known = {view["uri"]: view for view in self.posts if "uri" in view}
            mine = dict(self.records)
        views = []
        for uri in uris:
            if uri in known:
                view = copy.deepcopy(known[uri])
            elif uri in mine and mine[uri]["collection"] == "app.bsky.feed.post":
                rkey = uri.rsplit("/", 1)[1]
                view = {
                    "uri": uri,
                    "cid": f"bafyrei{rkey}cid",
                    "author": {
                        "did": self.did,
                        "handle": self.handle,
                        "displayName": "Jammer",
                        "labels": [],
                    },
                    "record": mine[uri]["record"],
                    "indexedAt": mine[uri]["record"].get("createdAt"),
                    "labels": [],
                }
            else:
                continue
            viewer = view.setdefault("viewer", {})
            for record_uri, entry in mine.items():
                subject = (entry["record"].get("subject") or {}).get("uri")
                if subject == uri and entry["collection"] == "app.bsky.feed.repost":
                    viewer["repost"] = record_uri
                if subject == uri and entry["collection"] == "app.bsky.feed.like":
                    viewer["like"] = record_uri
            views.append(view)
        return 200, {"posts": views}, {}

    def _tid(self) -> str:
        n = int(time.time() * 1_000_000) * 1024 + next(self._counter)
        chars = []
        for _ in range(13):
            chars.append(_TID_ALPHABET[n & 31])
            n >>= 5
        return "".join(reversed(chars))


_ROUTES = {
    ("POST", "com.atproto.server.createSession"): FakeBluesky._create_session,
    ("POST", "com.atproto.server.refreshSession"): FakeBluesky._refresh_session,
    ("GET", "com.atproto.server.getSession"): FakeBluesky._get_session,
    ("GET", "app.bsky.feed.searchPosts"): FakeBluesky._search_posts,
    ("POST", "com.atproto.repo.createRecord"): FakeBluesky._create_record,
    ("POST", "com.atproto.repo.deleteRecord"): FakeBluesky._delete_record,
    ("GET", "app.bsky.feed.getPosts"): FakeBluesky._get_posts,
}


class _Handler(BaseHTTPRequestHandler):
    fake: FakeBluesky
    protocol_version = "HTTP/1.1"  # keep-alive, as httpx expects

    def log_message(self, format, *args) -> None:  # quiet: pytest shows failures, not access logs
        pass

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        if not parts.path.startswith("/xrpc/"):
            self._send(404, {"error": "NotFound", "message": "not an XRPC path"}, {})
            return
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._send(400, {"error": "InvalidRequest", "message": "body is not JSON"}, {})
            return
        call = Call(
            method=method,
            nsid=parts.path.removeprefix("/xrpc/"),
            params=parse_qs(parts.query),
            body=body,
            authorization=self.headers.get("Authorization", ""),
        )
        status, answer, headers = self.fake.respond(call)
        self._send(status, answer, headers)

    def _send(self, status: int, answer: Any, headers: dict[str, str]) -> None:
        if answer is None:
            data, content_type = b"Service Unavailable", "text/plain"
        else:
            data, content_type = (
                json.dumps(answer).encode("utf-8"),
                "application/json; charset=utf-8",
            )
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
