"""The avatar disk cache: http(s) only, files named by hash, oldest dropped past the cap."""

from __future__ import annotations

import os
import socket

import pytest

from desktop.core import avatars
from desktop.core.avatars import AvatarCache, AvatarFetchError, fetch, is_fetchable
from tests.fakes.image_server import image_server

PICTURE = b"\x89PNG\r\n\x1a\n" + b"x" * 200


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://pbs.example.com/a/b.png", True),
        ("http://127.0.0.1:8000/a.png", True),
        ("HTTPS://Example.com/x.jpg", True),
        ("file:///etc/passwd", False),
        ("javascript:alert(1)", False),
        ("data:image/png;base64,AAAA", False),
        ("https:///no-host.png", False),
        ("", False),
        (None, False),
    ],
)
def test_only_http_and_https_urls_with_a_host_are_fetchable(url, ok):
    assert is_fetchable(url) is ok


def test_a_picture_is_stored_under_a_hash_and_read_back(tmp_path):
    cache = AvatarCache(tmp_path / "avatars")
    url = "https://pbs.example.com/../../etc/passwd?x=1"
    assert cache.get(url) is None and not cache.has(url)
    path = cache.put(url, PICTURE)
    assert path is not None and path.parent == tmp_path / "avatars"
    assert all(c in "0123456789abcdef" for c in path.stem)  # the URL never names a file
    assert cache.get(url) == PICTURE and cache.has(url)
    assert cache.size() == len(PICTURE)
    # Another URL, another file.
    cache.put("https://pbs.example.com/other.png", b"other")
    assert cache.get(url) == PICTURE
    assert cache.size() == len(PICTURE) + 5


def test_what_is_not_http_is_never_stored(tmp_path):
    cache = AvatarCache(tmp_path / "avatars")
    assert cache.put("file:///etc/passwd", PICTURE) is None
    assert cache.get("file:///etc/passwd") is None
    assert not (tmp_path / "avatars").exists()


def test_past_the_cap_the_least_recently_used_pictures_go(tmp_path):
    cache = AvatarCache(tmp_path / "avatars", max_bytes=250)
    urls = [f"https://pbs.example.com/{n}.png" for n in range(3)]
    cache.put(urls[0], b"a" * 100)
    cache.put(urls[1], b"b" * 100)
    # 0 is older than 1 on disk; then 0 is read (used now): 1 is the oldest.
    os.utime(cache.path_for(urls[0]), (1_000, 1_000))
    os.utime(cache.path_for(urls[1]), (2_000, 2_000))
    assert cache.get(urls[0]) == b"a" * 100
    cache.put(urls[2], b"c" * 100)  # 300 bytes > 250: one goes
    assert cache.has(urls[0]) and cache.has(urls[2])
    assert not cache.has(urls[1])
    assert cache.size() == 200
    # A fresh cache over the same folder counts what is there.
    assert AvatarCache(tmp_path / "avatars", max_bytes=250).size() == 200


def test_a_picture_bigger_than_the_whole_cache_is_not_kept(tmp_path):
    cache = AvatarCache(tmp_path / "avatars", max_bytes=50)
    assert cache.put("https://pbs.example.com/big.png", b"x" * 51) is None


def test_the_default_folder_is_under_the_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("JAMDECK_CACHE_DIR", str(tmp_path / "c"))
    assert AvatarCache().directory == tmp_path / "c" / "avatars"


# ------------------------------------------------------------------ downloading


@pytest.fixture
def server():
    with image_server({"/a.png": PICTURE, "/big.png": b"x" * 5000}) as served:
        yield served


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_fetch_downloads_a_picture_and_refuses_what_is_wrong(server):
    httpd, base = server
    assert fetch(f"{base}/a.png", timeout=2) == PICTURE
    with pytest.raises(AvatarFetchError, match="404"):
        fetch(f"{base}/missing.png", timeout=2)
    with pytest.raises(AvatarFetchError, match="larger than"):
        fetch(f"{base}/big.png", timeout=2, max_bytes=1000)
    with pytest.raises(AvatarFetchError):
        fetch(f"http://127.0.0.1:{closed_port()}/a.png", timeout=2)
    with pytest.raises(AvatarFetchError, match="not an http"):
        fetch("file:///etc/passwd")
    assert httpd.paths == ["/a.png", "/missing.png", "/big.png"]
    assert avatars.TIMEOUT <= 5  # a slow host never holds a worker long
