"""A fake Jetstream (v1 wire) and Bluesky AppView on 127.0.0.1.

``GET /subscribe?wantedCollections=app.bsky.feed.post&cursor=<time_us>`` is a websocket
that replays every kept event with ``time_us >= cursor`` (no cursor: live only), then
sends new events as they are published, as JSON text frames
``{did, time_us, kind, commit{operation, collection, rkey, cid, record}}``. Besides the
jam's posts it carries what the real stream carries: posts on other tags, likes,
deletes, identity and account events (``noise``). ``cut()`` closes every open
connection from the server side; ``refuse()`` makes it refuse new ones (a host that
is down). ``GET /xrpc/app.bsky.actor.getProfiles?actors=...`` answers for the DIDs it
knows, at most 25 a call, as the AppView does.

Every subscription's cursor is kept in ``cursors``, every getProfiles call's DIDs in
``profile_calls``.
"""

from __future__ import annotations

import itertools
import json
import threading
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.exceptions import ConnectionClosed
from websockets.sync.server import ServerConnection, serve

from tests.fakes.fake_bluesky import iso, tag_facets

AUTHORS = (
    ("did:plc:ana", "ana.test", "Ana Answers"),
    ("did:plc:ben", "ben.test", "Ben"),
    ("did:plc:cy", "cy.test", ""),
)
_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"


def now_us() -> int:
    return int(datetime.now(UTC).timestamp() * 1_000_000)


class FakeJetstream:
    def __init__(self, *, profiles=AUTHORS) -> None:
        self.events: list[dict[str, Any]] = []  # in time_us order
        self.profiles = {did: (handle, name) for did, handle, name in profiles}
        self.cursors: list[int | None] = []
        self.profile_calls: list[list[str]] = []
        self.sent = 0  # frames sent, over all connections
        self._changed = threading.Condition()
        self._connections: set[ServerConnection] = set()
        self._refusing = False
        self._closing = False
        self._rkeys = itertools.count(1)
        self._server = None
        self._thread: threading.Thread | None = None

    # -- lifecycle
    def start(self) -> FakeJetstream:
        self._server = serve(self._subscribe, "127.0.0.1", 0, process_request=self._http)
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-jetstream", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        with self._changed:
            self._closing = True
            self._changed.notify_all()
        if self._server is not None:
            self._server.shutdown()
        if self._thread is not None:
            self._thread.join(5)

    def __enter__(self) -> FakeJetstream:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.close()

    @property
    def port(self) -> int:
        return self._server.socket.getsockname()[1]

    @property
    def url(self) -> str:
        """The base URL (``JAMDECK_JETSTREAM_URL``)."""
        return f"ws://127.0.0.1:{self.port}"

    @property
    def appview_url(self) -> str:
        """The AppView's base URL (``JAMDECK_BLUESKY_APPVIEW``)."""
        return f"http://127.0.0.1:{self.port}"

    # -- what the network does
    def post(
        self,
        text: str,
        *,
        did: str = AUTHORS[0][0],
        at: datetime | None = None,
        facets: bool = True,
        tags: list[str] | None = None,
        rkey: str | None = None,
        extra: dict[str, Any] | None = None,
    ) -> str:
        """A post; ``at`` in the past puts it into the replay (a post made before the
        client connected); ``facets=False`` leaves the ``#tags`` of the text without facets
        and ``tags`` is the record's own ``tags`` array; ``extra`` goes into the record as
        it is (a ``reply``, an ``embed``). Returns its at:// URI."""
        rkey = rkey or self._rkey()
        stamp = int(at.timestamp() * 1_000_000) if at is not None else None
        record: dict[str, Any] = {
            "$type": "app.bsky.feed.post",
            "text": text,
            "createdAt": iso(at or datetime.now(UTC)),
            "langs": ["en"],
        }
        if facets and tag_facets(text):
            record["facets"] = tag_facets(text)
        if tags:
            record["tags"] = list(tags)
        if extra:
            record.update(extra)
        commit = {
            "rev": rkey,
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": rkey,
            "record": record,
            "cid": f"bafyrei{rkey}",
        }
        self._publish({"did": did, "kind": "commit", "commit": commit}, stamp)
        return f"at://{did}/app.bsky.feed.post/{rkey}"

    def noise(self, count: int = 5, *, at: datetime | None = None) -> None:
        """What else the stream carries: other tags, no tags, a like, a delete, identity and
        account events, a post that only mentions the jam's word without a tag."""
        for n in range(count):
            self.post(f"something else #othertag {n}", did="did:plc:noise", at=at)
        self.post("no tags at all, jam in the text only", did="did:plc:noise", at=at)
        stamp = int(at.timestamp() * 1_000_000) if at is not None else None
        did = "did:plc:noise"
        self._publish(
            {
                "did": did,
                "kind": "commit",
                "commit": {
                    "operation": "create",
                    "collection": "app.bsky.feed.like",
                    "rkey": self._rkey(),
                    "record": {"subject": {"uri": "at://x/y/z", "cid": "c"}, "createdAt": "x"},
                },
            },
            stamp,
        )
        self._publish(
            {
                "did": did,
                "kind": "commit",
                "commit": {
                    "operation": "delete",
                    "collection": "app.bsky.feed.post",
                    "rkey": "unknownpost",
                },
            },
            stamp,
        )
        self._publish({"did": did, "kind": "identity", "identity": {"did": did, "seq": 1}}, stamp)
        self._publish({"did": did, "kind": "account", "account": {"active": True}}, stamp)

    def delete(self, rkey: str, *, did: str = AUTHORS[0][0]) -> None:
        """A post deleted (known to the client or not)."""
        commit = {"operation": "delete", "collection": "app.bsky.feed.post", "rkey": rkey}
        self._publish({"did": did, "kind": "commit", "commit": commit}, None)

    def cut(self) -> int:
        """Close every open subscription from the server's side; returns how many."""
        with self._changed:
            connections = list(self._connections)
        for connection in connections:
            connection.close(code=1011, reason="fake cut")
        return len(connections)

    def refuse(self, refusing: bool = True) -> None:
        """Answer new subscriptions with 503 (a host that is down)."""
        self._refusing = refusing

    @property
    def open_connections(self) -> int:
        with self._changed:
            return len(self._connections)

    # -- internals
    def _rkey(self) -> str:
        n = next(self._rkeys)
        chars = []
        for _ in range(13):
            chars.append(_TID_ALPHABET[n & 31])
            n >>= 5
        return "3jet" + "".join(reversed(chars))[4:]

    def _publish(self, event: dict[str, Any], stamp: int | None) -> None:
        with self._changed:
            if stamp is None:
                last = self.events[-1]["time_us"] if self.events else 0
                stamp = max(now_us(), last + 1)
            event["time_us"] = stamp
            self.events.append(event)
            self.events.sort(key=lambda e: e["time_us"])
            self._changed.notify_all()

    def _http(self, connection: ServerConnection, request):
        url = urlsplit(request.path)
        if url.path == "/xrpc/app.bsky.actor.getProfiles":
            actors = parse_qs(url.query).get("actors", [])
            self.profile_calls.append(actors)
            if len(actors) > 25:
                return self._json(connection, 400, {"error": "InvalidRequest"})
            profiles = [
                {"did": did, "handle": self.profiles[did][0], "displayName": self.profiles[did][1]}
                for did in actors
                if did in self.profiles
            ]
            return self._json(connection, 200, {"profiles": profiles})
        if url.path != "/subscribe":
            return connection.respond(HTTPStatus.NOT_FOUND, "not found\n")
        if self._refusing:
            return connection.respond(HTTPStatus.SERVICE_UNAVAILABLE, "down\n")
        return None

    @staticmethod
    def _json(connection: ServerConnection, status: int, body: Any):
        response = connection.respond(status, json.dumps(body))
        response.headers["Content-Type"] = "application/json"
        return response

    def _subscribe(self, connection: ServerConnection) -> None:
        query = parse_qs(urlsplit(connection.request.path).query)
        cursor = int(query["cursor"][0]) if "cursor" in query else None
        wanted = set(query.get("wantedCollections", []))
        with self._changed:
            self.cursors.append(cursor)
            self._connections.add(connection)
            if cursor is None:  # live only
                sent_upto = self.events[-1]["time_us"] if self.events else -1
            else:
                sent_upto = cursor - 1
        try:
            while True:
                with self._changed:
                    # An event published "in the past" after this point is not sent (on the
                    # real stream it would have a later time).
                    while not self._closing and not (
                        self.events and self.events[-1]["time_us"] > sent_upto
                    ):
                        self._changed.wait(0.2)
                        if connection.state.name != "OPEN":
                            return
                    if self._closing:
                        return
                    batch = [e for e in self.events if e["time_us"] > sent_upto]
                for event in batch:
                    sent_upto = event["time_us"]
                    collection = (event.get("commit") or {}).get("collection")
                    if wanted and collection and collection not in wanted:
                        continue
                    connection.send(json.dumps(event))
                    self.sent += 1
        except ConnectionClosed:
            return
        finally:
            with self._changed:
                self._connections.discard(connection)
