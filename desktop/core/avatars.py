"""Profile pictures kept on disk: one file per URL, the oldest dropped past a size cap.

Files live under ``paths.cache_dir()/avatars``, named by a hash of the URL (post
authors choose their avatar URLs: a name never comes from them). Only http(s)
URLs are ever fetched. Reading a file marks it used (its mtime), so eviction
drops the pictures not seen for the longest time. Thread-safe: the Qt loader
reads and writes from its worker threads.
"""

from __future__ import annotations

import hashlib
import os
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path

from desktop.core import paths

MAX_BYTES = 50 * 1024 * 1024  # the whole cache
MAX_IMAGE_BYTES = 1024 * 1024  # one picture (avatars are a few KB; anything bigger is not one)
TIMEOUT = 4.0  # seconds per download: a slow host leaves the placeholder, it never waits long
SUFFIX = ".img"


class AvatarFetchError(Exception):
    """A picture could not be downloaded (offline, refused, too big, not http(s))."""


def is_fetchable(url: str | None) -> bool:
    """Whether ``url`` is one we would download: http or https with a host."""
    if not url or len(url) > 2048:
        return False
    try:
        parts = urllib.parse.urlsplit(url.strip())
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)


def default_directory() -> Path:
    return paths.cache_dir() / "avatars"


def media_directory() -> Path:
    """Where media previews are kept (their own cap: a few pictures are the size of
    thousands of avatars)."""
    return paths.cache_dir() / "media"


MEDIA_MAX_BYTES = 200 * 1024 * 1024  # the media previews' cache
MEDIA_MAX_IMAGE_BYTES = 5 * 1024 * 1024  # one preview (X's "small" is ~100 KB; others vary)


def fetch(
    url: str,
    *,
    timeout: float = TIMEOUT,
    max_bytes: int = MAX_IMAGE_BYTES,
    opener: Callable[..., object] = urllib.request.urlopen,
) -> bytes:
    """Download one picture (raises AvatarFetchError on any failure)."""
    if not is_fetchable(url):
        raise AvatarFetchError(f"not an http(s) URL: {url!r}")
    request = urllib.request.Request(url.strip(), headers={"User-Agent": "JamDeck avatars"})
    try:
        with opener(request, timeout=timeout) as response:
            status = getattr(response, "status", 200)
            if status != 200:
                raise AvatarFetchError(f"HTTP {status} for {url}")
            data = response.read(max_bytes + 1)
    except (OSError, urllib.error.URLError, ValueError) as exc:  # timeouts are OSErrors
        raise AvatarFetchError(f"{url}: {exc}") from exc
    if len(data) > max_bytes:
        raise AvatarFetchError(f"{url}: larger than {max_bytes} bytes")
    if not data:
        raise AvatarFetchError(f"{url}: empty")
    return data


class AvatarCache:
    """Avatar files keyed by URL hash, at most ``max_bytes`` in all."""

    def __init__(self, directory: Path | None = None, *, max_bytes: int = MAX_BYTES) -> None:
        self.directory = Path(directory) if directory is not None else default_directory()
        self.max_bytes = max_bytes
        self._lock = threading.Lock()
        self._total: int | None = None  # bytes on disk, counted on first write

    def path_for(self, url: str) -> Path:
        digest = hashlib.sha256(url.strip().encode("utf-8")).hexdigest()
        return self.directory / f"{digest[:40]}{SUFFIX}"

    def get(self, url: str) -> bytes | None:
        """The stored picture of ``url`` (marked as used), or None."""
        if not is_fetchable(url):
            return None
        path = self.path_for(url)
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            os.utime(path)  # used now: evicted last
        except OSError:
            pass
        return data

    def has(self, url: str) -> bool:
        return is_fetchable(url) and self.path_for(url).is_file()

    def put(self, url: str, data: bytes) -> Path | None:
        """Store ``data`` for ``url``, then drop the least recently used files while
        the cache is over its cap. None: not stored (not http(s), or too big)."""
        if not is_fetchable(url) or not data or len(data) > self.max_bytes:
            return None
        path = self.path_for(url)
        with self._lock:
            self.directory.mkdir(parents=True, exist_ok=True)
            total = self._count()
            try:
                old = path.stat().st_size
            except OSError:
                old = 0
            # Written aside then renamed: a reader never sees half a picture.
            tmp = path.with_suffix(f".{threading.get_ident()}.part")
            tmp.write_bytes(data)
            os.replace(tmp, path)
            self._total = total - old + len(data)
            if self._total > self.max_bytes:
                self._evict(keep=path)
        return path

    def size(self) -> int:
        with self._lock:
            return self._count()

    def _count(self) -> int:
        if self._total is None:
            self._total = sum(size for _path, size, _mtime in self._files())
        return self._total

    def _files(self) -> list[tuple[Path, int, float]]:
        found = []
        try:
            entries = list(os.scandir(self.directory))
        except OSError:
            return found
        for entry in entries:
            if entry.name.endswith(SUFFIX):
                try:
                    st = entry.stat()
                except OSError:
                    continue
                found.append((Path(entry.path), st.st_size, st.st_mtime))
        return found

    def _evict(self, *, keep: Path) -> None:
        files = sorted(self._files(), key=lambda f: f[2])  # least recently used first
        total = sum(size for _p, size, _m in files)
        for path, size, _mtime in files:
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            try:
                path.unlink()
            except OSError:
                continue
            total -= size
        self._total = total
