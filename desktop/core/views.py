"""PostView: what a column shows of a post (read from the cache, flat and cheap)."""

from __future__ import annotations

import dataclasses
import re

# The link X puts in a post's text for its attached media ("pic.x.com/abc"): shown as
# the picture itself when previews are on.
_MEDIA_LINK = re.compile(
    r"^(?:https?://)?(?:pic\.(?:twitter|x)\.com/"
    r"|(?:www\.|mobile\.)?(?:twitter|x)\.com/[^/]+/status/\d+/(?:photo|video)/\d+)",
    re.IGNORECASE,
)


@dataclasses.dataclass(frozen=True, slots=True)
class MediaView:
    """One attachment as a row shows it."""

    type: str  # "image" | "video" | "gif" | "audio" | "unknown"
    url: str | None = None
    alt_text: str | None = None
    preview_url: str | None = None

    @property
    def thumbnail_url(self) -> str | None:
        """The smallest picture of it there is (a video's still; None for audio)."""
        if self.preview_url:
            return self.preview_url
        if self.type in ("image", "gif") and self.url:
            return small_image_url(self.url)
        return None


def small_image_url(url: str) -> str:
    """X serves its pictures at a chosen size: ask for "small" (680 px), not the original."""
    if url.startswith("https://pbs.twimg.com/media/") and "?" not in url:
        return url + "?name=small"
    return url


@dataclasses.dataclass(frozen=True, slots=True)
class QuotedView:
    """The post a quote quotes, as its card shows it (when it is in the cache)."""

    handle: str
    name: str
    avatar_url: str | None
    text: str
    created_at: float
    url: str
    media: tuple[MediaView, ...] = ()

    @property
    def shown_name(self) -> str:
        return self.name or self.handle

    @property
    def thumbnails(self) -> tuple[MediaView, ...]:
        """The picture its card shows (the first one there is)."""
        return tuple(m for m in self.media if m.thumbnail_url)[:1]


def is_media_link(expanded: str, shown: str) -> bool:
    """Whether a link of the text is the post's own media link (pic.x.com/...)."""
    return bool(_MEDIA_LINK.match(shown or "") or _MEDIA_LINK.match(expanded or ""))


def is_quote_link(expanded: str, quoted_id: str | None) -> bool:
    """Whether a link of the text points at the quoted post (X appends it to a quote)."""
    if not quoted_id or not expanded:
        return False
    return expanded.rstrip("/").split("?", 1)[0].endswith(f"/status/{quoted_id}")


@dataclasses.dataclass(frozen=True, slots=True)
class PostView:
    rowid: int
    network: str
    network_id: str
    author_handle: str
    author_name: str
    avatar_url: str | None
    text: str
    created_at: float
    kind: str
    url: str
    hashtags: tuple[str, ...] = ()
    mentions: tuple[str, ...] = ()
    links: tuple[tuple[str, str, str], ...] = ()  # (url in text, expanded, display)
    media_count: int = 0
    retweets: int = 0
    likes: int = 0
    replies: int = 0
    has_media: bool = False
    has_links: bool = False
    retweeted_by_me: bool = False
    liked_by_me: bool = False
    lang: str | None = None
    question: int | None = None
    question_source: str | None = None
    is_question: bool = False
    is_host: bool = False
    collected: bool = False
    retweeted_id: str | None = None
    quoted_id: str | None = None
    reply_to_handle: str | None = None
    reply_to_id: str | None = None
    edited: bool = False
    # A retweet shows the post it retweets: whose it is (None if not cached).
    original_handle: str | None = None
    original_name: str | None = None
    original_avatar_url: str | None = None
    media: tuple[MediaView, ...] = ()
    quoted: QuotedView | None = None  # a quote's post, if it is cached

    @property
    def shown_handle(self) -> str:
        """The author a row presents: the original's for a retweet, else the post's."""
        return self.original_handle or self.author_handle

    @property
    def shown_name(self) -> str:
        if self.original_handle:
            return self.original_name or self.original_handle
        return self.author_name or self.author_handle

    @property
    def shown_avatar_url(self) -> str | None:
        """The picture of the author a row presents (a retweet's: the original's)."""
        if self.original_handle:
            return self.original_avatar_url
        return self.avatar_url

    @property
    def thumbnails(self) -> tuple[MediaView, ...]:
        """The attachments a row can show as pictures (at most four, as the networks do)."""
        return tuple(m for m in self.media if m.thumbnail_url)[:4]

    def spoken(self) -> str:
        """The row as a screen reader says it: text, pictures' alt texts, the quoted post."""
        parts = [f"@{self.shown_handle}: {self.text}"]
        for media in self.media:
            what = {"video": "Video", "gif": "GIF", "audio": "Audio"}.get(media.type, "Image")
            parts.append(
                f"{what}: {media.alt_text}" if media.alt_text else f"{what}, no description"
            )
        if self.quoted is not None:
            parts.append(f"Quoting @{self.quoted.handle}: {self.quoted.text}")
        elif self.kind == "quote":
            parts.append("Quotes a post that is not in the cache")
        return ". ".join(parts)
