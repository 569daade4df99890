"""Fast generator of X API v2 filtered-stream lines (for big imports and benchmarks).

Realistic shape (data + includes.users + matching_rules, entities, metrics,
retweets with the original in includes.tweets), synthetic people and text.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

WORDS = (
    "community social business customers listen trust brand culture team leaders data "
    "stories open share learn café naïve résumé growth feedback product design jam hour "
    "question answer everyone together listen build metrics engage value"
).split()


def stream_lines(
    n: int,
    *,
    seed: int = 1,
    hashtag: str = "benchjam",
    start: datetime | None = None,
    rate: float = 10.0,
) -> Iterator[str]:
    """``n`` JSON lines, one tweet each, ``rate`` posts per second of jam time."""
    rng = random.Random(seed)
    start = start or datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
    users = [
        {
            "id": str(10_000 + i),
            "username": f"user{i}",
            "name": f"User {i}",
            "profile_image_url": f"https://pbs.example/u{i}.jpg",
        }
        for i in range(500)
    ]
    for i in range(n):
        user = users[rng.randrange(len(users))]
        q = 1 + (i * 7) // max(n, 1)
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18)))
        label = rng.choice(["A{q}: ", "Q{q}: ", "", "#q{q} "]).format(q=q)
        text = f"{label}{words} #{hashtag}"
        created = start + timedelta(seconds=i / rate)
        tag_start = text.index("#" + hashtag)
        tweet = {
            "id": str(1_800_000_000_000_000_000 + i),
            "author_id": user["id"],
            "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "text": text,
            "lang": "en",
            "conversation_id": str(1_800_000_000_000_000_000 + i),
            "edit_history_tweet_ids": [str(1_800_000_000_000_000_000 + i)],
            "entities": {
                "hashtags": [
                    {"start": tag_start, "end": tag_start + len(hashtag) + 1, "tag": hashtag}
                ]
            },
            "public_metrics": {
                "retweet_count": rng.randrange(5),
                "reply_count": rng.randrange(3),
                "like_count": rng.randrange(10),
                "quote_count": 0,
            },
        }
        yield json.dumps(
            {
                "data": tweet,
                "includes": {"users": [user]},
                "matching_rules": [{"id": "1", "tag": f"#{hashtag}"}],
            },
            separators=(",", ":"),
        )


def write_archive(path: Path, n: int, **kw) -> Path:
    with open(path, "w", encoding="utf-8") as out:
        for line in stream_lines(n, **kw):
            out.write(line + "\n")
    return path
