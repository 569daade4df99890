"""Pictures: the window's authors' avatars and media previews, each on or off.

Both are AvatarLoaders (desktop.ui.avatars): worker threads fill an on-disk cache
and decoded pictures come back through the trampoline; the deck repaints its rows
when they do. Turning media previews on or off changes row heights, so the deck
measures its rows again.
"""

from __future__ import annotations

from PySide6.QtCore import QObject

from desktop.ui.avatars import AvatarLoader, media_loader


class Pictures(QObject):
    """The avatar and media loaders of one deck (None while switched off)."""

    def __init__(self, deck, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.deck = deck
        self.avatars: AvatarLoader | None = None
        self.media: AvatarLoader | None = None

    def set_avatars_enabled(self, enabled: bool) -> None:
        """Authors' pictures (downloaded in the background, kept on disk), or initials."""
        if enabled and self.avatars is None:
            self.avatars = AvatarLoader(parent=self)
            self.deck.set_avatars(self.avatars)
        elif not enabled and self.avatars is not None:
            self.deck.set_avatars(None)
            self.avatars.close()
            self.avatars = None

    def set_media_enabled(self, enabled: bool) -> None:
        """Image previews and quoted-post pictures under the text, or media links."""
        if enabled and self.media is None:
            self.media = media_loader(parent=self)
            self.deck.set_media(self.media)
        elif not enabled and self.media is not None:
            self.deck.set_media(None)
            self.media.close()
            self.media = None

    def close(self) -> None:
        """Stop the workers (downloads under way end within their timeout)."""
        for loader in (self.avatars, self.media):
            if loader is not None:
                loader.close()
