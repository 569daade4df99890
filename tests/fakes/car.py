"""A Bluesky repository export written here, in the real format (a CAR v1 file).

As the PDS writes ``com.atproto.sync.getRepo`` (the app's "Export my data"):

- the header: a varint length, then dag-cbor ``{roots: [commit CID], version: 1}``;
- each block: a varint of (CID + data) length, the binary CID, the dag-cbor data;
- CIDs are CIDv1, dag-cbor (0x71), sha2-256 (blobs: raw, 0x55);
- the commit ``{did, version: 3, data, rev, prev, sig}``;
- the Merkle search tree (atproto's MST): a key's layer is the number of leading
  zero bit pairs of sha256(key); a node of layer L holds the keys of layer L in order,
  each ``{p, k, v, t}`` (``k`` the key after the first ``p`` bytes it shares with the
  entry before it, ``v`` the record's CID, ``t`` the subtree of the keys after it),
  and ``l``, the subtree of the keys before its first entry; the root is at the
  highest layer; an empty subtree is null.

Records are given in atproto's JSON form: ``{"$link": cid}`` becomes a dag-cbor link.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import libipld

DAG_CBOR = 0x71
RAW = 0x55
_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz"


def varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def cid(data: bytes, *, codec: int = DAG_CBOR) -> bytes:
    """The binary CIDv1 of ``data`` (sha2-256)."""
    return bytes([1, codec, 0x12, 0x20]) + hashlib.sha256(data).digest()


def blob_ref(data: bytes, mime: str = "image/jpeg") -> dict:
    """A blob in a record (JSON form), as an uploaded image is referenced."""
    return {
        "$type": "blob",
        "ref": {"$link": libipld.encode_cid(cid(data, codec=RAW))},
        "mimeType": mime,
        "size": len(data),
    }


def tid(when: datetime, clock: int = 0) -> str:
    """A record key as the app makes them: microseconds << 10 | clock, base32-sortable."""
    value = (int(when.timestamp() * 1_000_000) << 10) | clock
    return "".join(_SORTABLE[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def layer(key: str) -> int:
    """The MST layer of ``key``: leading zero bit pairs of its sha256."""
    zeros = 0
    for byte in hashlib.sha256(key.encode()).digest():
        zeros += (byte < 64) + (byte < 16) + (byte < 4)
        if byte:
            return zeros
        zeros += 1
    return zeros


def _ipld(value: Any) -> Any:
    """atproto JSON to dag-cbor values: ``{"$link"}`` to CID bytes (a link)."""
    if isinstance(value, dict):
        if set(value) == {"$link"}:
            return _cid_bytes(value["$link"])
        return {key: _ipld(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_ipld(item) for item in value]
    return value


def _cid_bytes(text: str) -> bytes:
    decoded = libipld.decode_cid(text)
    digest = decoded["hash"]
    return (
        varint(decoded["version"])
        + varint(decoded["codec"])
        + varint(digest["code"])
        + varint(digest["size"])
        + digest["digest"]
    )


class Repo:
    """A repository's blocks; ``car()`` writes them as the export file."""

    def __init__(self, did: str, records: Mapping[str, dict], *, rev: str = "3ksxyz2jdhc2a"):
        self.did = did
        self.blocks: dict[bytes, bytes] = {}
        self.record_cids: dict[str, bytes] = {}
        self.nodes: list[bytes] = []  # CIDs of the tree's nodes
        for key in sorted(records):
            self.record_cids[key] = self._put(_ipld(records[key]))
        keys = sorted(self.record_cids)
        top = max((layer(k) for k in keys), default=0)
        data = self._node(keys, top) or self._put({"e": [], "l": None})
        self.commit = self._put(
            {
                "did": did,
                "version": 3,
                "data": data,
                "rev": rev,
                "prev": None,
                # A signature's shape (64 bytes): nothing here checks it.
                "sig": hashlib.sha512(did.encode()).digest(),
            }
        )

    def _put(self, value: Any) -> bytes:
        data = libipld.encode_dag_cbor(value)
        link = cid(data)
        self.blocks[link] = data
        return link

    def _node(self, keys: list[str], level: int) -> bytes | None:
        """The subtree of ``keys`` (all of layer <= ``level``) rooted at ``level``."""
        if not keys:
            return None
        here = [i for i, k in enumerate(keys) if layer(k) == level]
        bounds = [*here, len(keys)]
        left = self._node(keys[: bounds[0]], level - 1) if level else None
        entries = []
        previous = b""
        for n, i in enumerate(here):
            key = keys[i].encode()
            shared = 0
            while shared < min(len(key), len(previous)) and key[shared] == previous[shared]:
                shared += 1
            entries.append(
                {
                    "p": shared,
                    "k": key[shared:],
                    "v": self.record_cids[keys[i]],
                    "t": self._node(keys[i + 1 : bounds[n + 1]], level - 1),
                }
            )
            previous = key
        link = self._put({"e": entries, "l": left})
        self.nodes.append(link)
        return link

    def car(self) -> bytes:
        header = libipld.encode_dag_cbor({"roots": [self.commit], "version": 1})
        out = bytearray(varint(len(header)) + header)
        # The commit first, as the PDS writes it; the other blocks in any order.
        for link in [self.commit, *(k for k in self.blocks if k != self.commit)]:
            data = self.blocks[link]
            out += varint(len(link) + len(data)) + link + data
        return bytes(out)


def write_repo(path, did: str, records: Mapping[str, dict]) -> Repo:
    """Write the repository of ``records`` (``"collection/rkey"`` -> record) to ``path``."""
    repo = Repo(did, records)
    path.write_bytes(repo.car())
    return repo


# --- a jam's repository -------------------------------------------------------------------------

JAM_DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz"
ZOE_DID = "did:plc:zoezoezoezoezoezoezoezoe"
OTHER_POST = "at://did:plc:otherotherotherotherothe/app.bsky.feed.post/3kotherpost22"
OTHER_CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"


def jam_repo_records(did: str = JAM_DID) -> tuple[dict[str, dict], dict[str, str]]:
    """A host's repository after a jam: six posts (a question, a reply with a mention,
    a link with an outline tag, a quote, an image with CJK text, a wrap-up), a like, a
    follow and the profile. Returns (records by key, the posts' rkeys by name)."""
    from datetime import timedelta

    from tests.fakes.payloads import T0, bsky_facets, bsky_record

    rkeys = {
        name: tid(T0 + timedelta(seconds=i))
        for i, name in enumerate(("question", "answer", "link", "quote", "photo", "wrapup"))
    }

    def uri(name: str) -> str:
        return f"at://{did}/app.bsky.feed.post/{rkeys[name]}"

    def at(name: str) -> datetime:
        return T0 + timedelta(seconds=list(rkeys).index(name))

    posts: dict[str, dict] = {}
    posts["question"] = bsky_record("Q1 What makes a jam work? #jam", at=at("question"))
    answer = "A1 hosts who listen #jam @zoe.bsky.social"
    question_cid = cid(libipld.encode_dag_cbor(_ipld(posts["question"])))
    question_ref = {"uri": uri("question"), "cid": libipld.encode_cid(question_cid)}
    posts["answer"] = bsky_record(
        answer,
        at=at("answer"),
        facets=bsky_facets(answer, mentions={"zoe.bsky.social": ZOE_DID}),
        reply=(question_ref, question_ref),
    )
    link = "Notes from tonight: example.com/jam…"
    posts["link"] = bsky_record(
        link,
        at=at("link"),
        facets=bsky_facets(link, links={"example.com/jam…": "https://example.com/jam/notes"}),
    )
    posts["link"]["tags"] = ["tweetjam"]  # an outline tag: not in the text
    posts["quote"] = bsky_record(
        "So true #jam",
        at=at("quote"),
        embed={"$type": "app.bsky.embed.record", "record": {"cid": OTHER_CID, "uri": OTHER_POST}},
    )
    posts["photo"] = bsky_record(
        "東京のジャム #jam",
        at=at("photo"),
        langs=("ja", "en"),
        embed={
            "$type": "app.bsky.embed.images",
            "images": [
                {
                    "alt": "The hosts at the table",
                    "aspectRatio": {"height": 800, "width": 1200},
                    "image": blob_ref(b"\xff\xd8 a photo"),
                }
            ],
        },
    )
    posts["wrapup"] = bsky_record("Thanks all! #jam #wrapup", at=at("wrapup"))
    records = {f"app.bsky.feed.post/{rkeys[name]}": post for name, post in posts.items()}
    later = tid(T0 + timedelta(minutes=5))
    records[f"app.bsky.feed.like/{later}"] = {
        "$type": "app.bsky.feed.like",
        "createdAt": "2026-05-01T18:05:00.000Z",
        "subject": {"cid": OTHER_CID, "uri": OTHER_POST},
    }
    records[f"app.bsky.graph.follow/{later}"] = {
        "$type": "app.bsky.graph.follow",
        "createdAt": "2026-05-01T18:05:00.000Z",
        "subject": ZOE_DID,
    }
    records["app.bsky.actor.profile/self"] = {
        "$type": "app.bsky.actor.profile",
        "displayName": "Jam Host",
        "description": "I host #jam on Wednesdays",
    }
    return records, rkeys
