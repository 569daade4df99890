"""Small pure helpers for the Mastodon adapter: versions, URLs, JSON as the wire sends it.

Status ids are opaque strings (servers use snowflakes, ULIDs, base-62 flake ids...):
nothing here parses, compares or computes one.

Nothing here imports Mastodon.py, so these are cheap to test on their own.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit


def to_wire(value: Any) -> Any:
    """Mastodon.py's objects back into the JSON the server sent.

    Mastodon.py hands out ``AttribAccessDict`` with ``datetime`` values and id
    objects; the stream gives plain JSON. Turning both into plain JSON means one
    shape reaches the normalizer and ``Post.raw`` stays serializable.
    """
    if isinstance(value, Mapping):
        return {str(k): to_wire(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_wire(v) for v in value]
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat(timespec="milliseconds")
        return text.replace("+00:00", "Z")
    if isinstance(value, str):
        return str(value)  # Mastodon.py's id type is a str subclass
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


_VERSION = re.compile(r"(\d+)\.(\d+)(?:\.(\d+))?")


def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"4.5.0+glitch"`` -> (4, 5, 0). Pleroma-style ``"2.7.2 (compatible; Pleroma 2.5)"``
    gives the Mastodon API level it claims (2, 7, 2)."""
    match = _VERSION.search(text or "")
    if not match:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def host_of(url: str) -> str:
    """``"https://mastodon.social/"`` -> ``"mastodon.social"`` (with a port when there is one)."""
    parts = urlsplit(url if "://" in url else f"https://{url}")
    return parts.netloc.lower()


def normalize_instance_url(url: str) -> str:
    """``"mastodon.social"`` or ``"https://mastodon.social/"`` -> ``"https://mastodon.social"``."""
    text = url.strip()
    if "://" not in text:
        text = f"https://{text}"
    parts = urlsplit(text)
    if not parts.netloc:
        raise ValueError(f"not an instance URL: {url!r}")
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


def streaming_base(instance: Mapping[str, Any], api_base_url: str) -> str:
    """Where the streaming server is, from instance info (v2 ``configuration.urls.streaming``
    or v1 ``urls.streaming_api``); ``wss://`` becomes ``https://`` (SSE goes over HTTP)."""
    url = None
    configuration = instance.get("configuration") or {}
    urls = configuration.get("urls") or {}
    url = urls.get("streaming") or (instance.get("urls") or {}).get("streaming_api")
    if not url:
        return api_base_url
    parts = urlsplit(url)
    scheme = {"wss": "https", "ws": "http"}.get(parts.scheme, parts.scheme)
    if scheme not in ("http", "https") or not parts.netloc:
        return api_base_url
    return f"{scheme}://{parts.netloc}{parts.path.rstrip('/')}"
