"""Hand-made posts for store and router tests (no network, no fixtures)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from desktop.core.post import Author, Kind, Link, Media, Metrics, Network, Post

T0 = datetime(2026, 5, 1, 18, 0, tzinfo=UTC)


def make_post(
    n: int,
    text: str = "",
    *,
    handle: str = "alice",
    network: Network = Network.X,
    minutes: float | None = None,
    kind: Kind = Kind.ORIGINAL,
    retweeted_id: str | None = None,
    reply_to_id: str | None = None,
    reply_to_handle: str | None = None,
    hashtags: tuple[str, ...] = (),
    mentions: tuple[str, ...] = (),
    likes: int = 0,
    media: bool = False,
    link: bool = False,
) -> Post:
    return Post(
        network=network,
        id=str(1000 + n),
        author=Author(id=f"u-{handle}", handle=handle, display_name=handle.title()),
        text=text or f"post number {n}",
        created_at=T0 + timedelta(minutes=n if minutes is None else minutes),
        kind=kind,
        lang="en",
        hashtags=hashtags,
        mentions=mentions,
        links=(Link("https://t.co/x", "https://example.com/a", "example.com/a"),) if link else (),
        media=(Media("image", "https://img.example/1.png", "a chart"),) if media else (),
        retweeted_id=retweeted_id,
        reply_to_id=reply_to_id,
        reply_to_handle=reply_to_handle,
        metrics=Metrics(likes=likes),
        url=f"https://x.com/{handle}/status/{1000 + n}",
        raw={"id": str(1000 + n), "text": text},
    )
