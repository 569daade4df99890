"""A Bluesky repository export (``repo.car``: Settings > Export my data, or
``com.atproto.sync.getRepo``): its posts as the ``{uri, cid, value}`` records
``normalize_document`` knows.

The file is a CAR v1: a varint-prefixed dag-cbor header ``{version: 1, roots: [commit]}``,
then the blocks. The root is the signed commit ``{did, version, data, rev, prev, sig}``;
``data`` is the root of the repository's Merkle search tree, whose nodes
``{l, e: [{p, k, v, t}]}`` hold the record keys (``collection/rkey``; each entry's ``k``
is its key after the first ``p`` bytes of the entry before it), the record CIDs ``v``
and the subtrees: ``l`` before the first entry, ``t`` after each. Walking it in order
gives every record of the repository. Posts (``app.bsky.feed.post``) become
``at://DID/app.bsky.feed.post/RKEY`` records; the other collections (likes, follows,
reposts, the profile ...) are counted and reported in one line.

The handle is not in the repository, and an import reads no network: the author is
known by DID, as in a ``getRecord`` answer. dag-cbor links become ``{"$link": cid}``
and byte strings ``{"$bytes": base64}``, as in atproto's JSON.

atproto's CAR reader (``atproto_core.car``, ``libipld``) is imported here only, when
a file is read.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

POST_COLLECTION = "app.bsky.feed.post"
# CBOR major type 5 (a map) with fewer than 24 entries: the header's first byte.
_SMALL_MAP = range(0xA0, 0xB8)

Report = Callable[[str, str], None]


def _varint(data: bytes) -> tuple[int, int] | None:
    """(value, bytes used) of the unsigned LEB128 varint that starts ``data``."""
    value = 0
    for i, byte in enumerate(data[:9]):
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, i + 1
    return None


def is_car(head: bytes) -> bool:
    """True when ``head`` (the file's first bytes) starts a CAR v1 header with roots."""
    read = _varint(head)
    if read is None:
        return False
    length, used = read
    if not 0 < length <= len(head) - used or head[used] not in _SMALL_MAP:
        return False
    import libipld

    try:
        header = libipld.decode_dag_cbor(head[used : used + length])
    except ValueError:
        return False
    return (
        isinstance(header, dict)
        and header.get("version") == 1
        and isinstance(header.get("roots"), list)
        and bool(header["roots"])
    )


def documents(path: Path, on_error: Report, document) -> Iterator[Any]:
    """The posts of the repository in ``path``, each ``document(where, record)``."""
    from atproto_core.car import CAR
    from atproto_core.exceptions import InvalidCARFile

    name = path.name
    try:
        car = CAR.from_bytes(path.read_bytes())
    except (ValueError, InvalidCARFile) as exc:
        on_error(name, f"cannot read this Bluesky repository (CAR) file: {exc}")
        return
    blocks = {str(cid): value for cid, value in car.blocks.items()}

    def block(link: Any) -> Any:
        cid = _cid(link)
        return blocks.get(cid) if cid else None

    commit = blocks.get(str(car.root))
    if not isinstance(commit, dict) or not isinstance(commit.get("did"), str):
        on_error(name, "the CAR file's root is not a repository commit (no did)")
        return
    did = commit["did"]
    others: dict[str, int] = {}
    missing = 0
    for key, link in _walk(commit.get("data"), block, on_error=on_error, name=name):
        collection, _, rkey = key.partition("/")
        if collection != POST_COLLECTION:
            others[collection] = others.get(collection, 0) + 1
            continue
        record = block(link)
        if not isinstance(record, dict):
            missing += 1
            continue
        value = _json(record)
        value.setdefault("$type", POST_COLLECTION)
        yield document(
            f"{name}:{key}",
            {"uri": f"at://{did}/{POST_COLLECTION}/{rkey}", "cid": _cid(link), "value": value},
        )
    if missing:
        on_error(name, f"{missing} posts whose record is not in the file: not imported")
    if others:
        counts = ", ".join(f"{n} {c}" for c, n in sorted(others.items()))
        on_error(
            name, f"{sum(others.values())} records that are not posts ({counts}): not imported"
        )


def _cid(link: Any) -> str | None:
    """The text form of a dag-cbor link (libipld gives its binary form)."""
    if isinstance(link, str):  # older libipld decoded links to text
        return link
    if isinstance(link, bytes):
        import libipld

        try:
            return libipld.encode_cid(link)
        except ValueError:
            return None
    return None


def _walk(root: Any, block, *, on_error: Report, name: str) -> Iterator[tuple[str, bytes]]:
    """(key, record CID) of every entry of the tree under ``root``, in key order."""
    # An explicit stack (a deep tree must not hit the recursion limit): items are
    # node links to open, or (key, value) pairs to give in their turn.
    stack: list[Any] = [("node", root)]
    while stack:
        kind, item = stack.pop()
        if kind == "entry":
            yield item
            continue
        node = block(item)
        if not isinstance(node, dict) or not isinstance(node.get("e"), list):
            on_error(
                name, "a node of the repository tree is missing or damaged: part of it is lost"
            )
            continue
        later: list[Any] = []
        if node.get("l") is not None:
            later.append(("node", node["l"]))
        previous = b""
        for entry in node["e"]:
            try:
                key = previous[: entry["p"]] + entry["k"]
                later.append(("entry", (key.decode("utf-8"), entry["v"])))
            except (KeyError, TypeError, UnicodeDecodeError):
                on_error(name, "an entry of the repository tree is damaged: skipped")
                continue
            previous = key
            if entry.get("t") is not None:
                later.append(("node", entry["t"]))
        stack.extend(reversed(later))


def _json(value: Any) -> Any:
    """A dag-cbor value in atproto's JSON form: links ``{"$link"}``, bytes ``{"$bytes"}``."""
    if isinstance(value, dict):
        return {key: _json(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json(item) for item in value]
    if isinstance(value, bytes):
        cid = _cid(value)
        if cid is not None:
            return {"$link": cid}
        return {"$bytes": base64.b64encode(value).decode("ascii").rstrip("=")}
    return value
