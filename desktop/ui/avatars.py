"""AvatarLoader: profile pictures (and media previews) for the delegate, never
loaded on the GUI thread.

``pixmap(url)`` answers from memory at once: the picture, or None (the delegate
paints the initials placeholder) after asking a worker thread for it. A worker
reads the disk cache (desktop.core.avatars) or downloads the picture (short
timeout, at most ``max_workers`` at a time), stores it, and decodes it into a
round image; ``loaded(url)`` then tells the GUI thread, which repaints the rows.
A failed URL is not asked again for ``RETRY_AFTER`` seconds (offline: the
placeholder stays, no error).

``media_loader()`` is the same machinery for media previews: its own disk cache
(desktop.core.avatars.media_directory), pictures scaled to fit ``THUMB_SIZE``
(not cut round), fewer kept in memory.
"""

from __future__ import annotations

import concurrent.futures
import logging
import time
from collections import OrderedDict
from collections.abc import Callable

from PySide6.QtCore import QObject, QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPainterPath, QPixmap

from desktop.core import avatars as disk
from desktop.core.avatars import AvatarCache, AvatarFetchError, fetch, is_fetchable
from desktop.ui.trampoline import Trampoline

log = logging.getLogger("jamdeck.ui.avatars")

PIXMAPS_KEPT = 600  # decoded pictures in memory (72 x 72 ARGB: about 12 MB)
QUEUE_LIMIT = 200  # requests waiting for a worker; more are asked again on a later paint
RETRY_AFTER = 300.0  # seconds before a failed picture is tried again
THUMB_SIZE = 480  # media previews: the longer side, in pixels (a 2x column is ~550 wide)
THUMBS_KEPT = 60  # decoded previews in memory (480 x 270 ARGB each: about 30 MB at most)


def round_image(data: bytes, size: int) -> QImage | None:
    """``data`` decoded and cut into a ``size`` x ``size`` circle (any thread)."""
    image = QImage.fromData(data)
    if image.isNull():
        return None
    image = image.scaled(
        size,
        size,
        Qt.AspectRatioMode.KeepAspectRatioByExpanding,
        Qt.TransformationMode.SmoothTransformation,
    )
    out = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    out.fill(Qt.GlobalColor.transparent)
    painter = QPainter(out)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    path = QPainterPath()
    path.addEllipse(QRectF(0, 0, size, size))
    painter.setClipPath(path)
    painter.drawImage(int((size - image.width()) / 2), int((size - image.height()) / 2), image)
    painter.end()
    return out


def fitted_image(data: bytes, size: int) -> QImage | None:
    """``data`` decoded and scaled down to fit ``size`` x ``size`` (any thread)."""
    image = QImage.fromData(data)
    if image.isNull():
        return None
    if image.width() > size or image.height() > size:
        image = image.scaled(
            size,
            size,
            Qt.AspectRatioMode.KeepAspectRatio,
            Qt.TransformationMode.SmoothTransformation,
        )
    return image.convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)


Decoder = Callable[[bytes, int], "QImage | None"]


def _load(
    cache: AvatarCache,
    url: str,
    size: int,
    timeout: float,
    decode: Decoder = round_image,
    max_bytes: int = disk.MAX_IMAGE_BYTES,
) -> QImage | None:
    """A worker's job: the picture from disk, else from the network (then kept)."""
    data = cache.get(url)
    if data is None:
        try:
            data = fetch(url, timeout=timeout, max_bytes=max_bytes)
        except AvatarFetchError as exc:
            log.debug("no picture: %s", exc)
            return None
        image = decode(data, size)
        if image is not None:  # only pictures go to disk
            cache.put(url, data)
        return image
    return decode(data, size)


class AvatarLoader(QObject):
    """Decoded avatars for painting, loaded in the background."""

    loaded = Signal(str)  # a url whose picture is ready now

    def __init__(
        self,
        cache: AvatarCache | None = None,
        *,
        size: int = 72,
        max_workers: int = 3,
        timeout: float = 4.0,
        decode: Decoder = round_image,
        kept: int = PIXMAPS_KEPT,
        max_bytes: int = disk.MAX_IMAGE_BYTES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.cache = cache or AvatarCache()
        self.size = size
        self.timeout = timeout
        self.kept = kept
        self._decode = decode
        self._max_bytes = max_bytes
        self.requests = 0  # jobs handed to the workers (tests check the cache answers)
        self._pool = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="avatars"
        )
        self._pixmaps: OrderedDict[str, QPixmap] = OrderedDict()
        self._waiting: set[str] = set()
        self._failed: dict[str, float] = {}  # url -> when it failed (monotonic)
        self._closed = False
        self._main = Trampoline(self)
        self._loading: dict[concurrent.futures.Future, str] = {}  # on the GUI thread only

    def cached(self, url: str | None) -> QPixmap | None:
        """The picture if it is in memory (never asks for it)."""
        if not url:
            return None
        pixmap = self._pixmaps.get(url)
        if pixmap is not None:
            self._pixmaps.move_to_end(url)
        return pixmap

    def pixmap(self, url: str | None) -> QPixmap | None:
        """The picture of ``url`` if ready; else None, and it is asked for (once)."""
        pixmap = self.cached(url)
        if pixmap is not None or self._closed or not is_fetchable(url):
            return pixmap
        if url in self._waiting or len(self._waiting) >= QUEUE_LIMIT:
            return None
        failed = self._failed.get(url)
        if failed is not None and time.monotonic() - failed < RETRY_AFTER:
            return None
        self._waiting.add(url)
        self.requests += 1
        future = self._pool.submit(
            _load, self.cache, url, self.size, self.timeout, self._decode, self._max_bytes
        )
        self._loading[future] = url
        self._main.when_done(future, self._on_loaded)
        return None

    def failed(self, url: str) -> bool:
        return url in self._failed

    def waiting(self) -> int:
        return len(self._waiting)

    def _on_loaded(self, future: concurrent.futures.Future) -> None:
        self._on_ready(self._loading.pop(future), _result(future))

    def _on_ready(self, url: str, image: object) -> None:
        self._waiting.discard(url)
        if self._closed:
            return
        if not isinstance(image, QImage) or image.isNull():
            self._failed[url] = time.monotonic()
            return
        self._failed.pop(url, None)
        pixmap = QPixmap.fromImage(image)
        pixmap.setDevicePixelRatio(1.0)
        self._pixmaps[url] = pixmap
        while len(self._pixmaps) > self.kept:
            self._pixmaps.popitem(last=False)
        self.loaded.emit(url)

    def close(self) -> None:
        """Stop the workers (a download under way ends within its timeout)."""
        if self._closed:
            return
        self._closed = True
        self._pool.shutdown(wait=True, cancel_futures=True)


def media_loader(parent: QObject | None = None) -> AvatarLoader:
    """A loader for media previews: its own disk cache, fitted (not round) pictures."""
    return AvatarLoader(
        AvatarCache(disk.media_directory(), max_bytes=disk.MEDIA_MAX_BYTES),
        size=THUMB_SIZE,
        decode=fitted_image,
        kept=THUMBS_KEPT,
        max_bytes=disk.MEDIA_MAX_IMAGE_BYTES,
        timeout=8.0,
        parent=parent,
    )


def _result(future: concurrent.futures.Future) -> QImage | None:
    if future.cancelled():
        return None
    try:
        return future.result()
    except Exception:  # a worker bug must not kill the pool's callback
        log.exception("avatar worker failed")
        return None
