"""The three fake networks at once (X, Mastodon, Bluesky) for one-session tests.

``ThreeNetworks`` starts the fake X API, a fake Mastodon instance and a fake
Bluesky server on 127.0.0.1, posts on one hashtag to each (``before`` the
recording: only searchable, caught up by each source's backfill / catch-up /
Bluesky's Jetstream replay; ``live``: released to the X stream, pushed to the Mastodon
stream, sent on Jetstream), and remembers what it published per
network, as the ids the store keeps (X tweet id, Mastodon status id, Bluesky
at:// URI).
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from pathlib import Path

from tests.fakes.fake_bluesky import FakeBluesky, post_view
from tests.fakes.fake_jetstream import FakeJetstream
from tests.fakes.fake_mastodon import FakeMastodon
from tests.fakes.fake_x_api import FakeXApi, make_tweets, tweet_id

X_BEARER = "test-bearer"
MASTODON_TOKEN = "good-token"
# The user context the fake X API accepts (its access token starts with the user id).
X_USER = {
    "consumer_key": "ck-test",
    "consumer_secret": "cs-test",
    "access_token": "4242-at-test",
    "access_token_secret": "ats-test",
}
NETWORKS = ("x", "mastodon", "bluesky")
_MASTODON_USERS = ("alice", "bob", "carol")
_BLUESKY_AUTHORS = (("did:plc:ana", "ana.test"), ("did:plc:ben", "ben.test"))


class ThreeNetworks:
    def __init__(self, *, fixtures_dir: Path, tag: str = "jam") -> None:
        self.tag = tag
        self.x = FakeXApi(bearer_token=X_BEARER)
        self.mastodon = FakeMastodon(token=MASTODON_TOKEN, fixtures=fixtures_dir / "mastodon")
        self.bluesky = FakeBluesky()  # the PDS: sign-in and actions
        self.jetstream = FakeJetstream()  # the posts, and the AppView's profiles
        self.published: dict[str, list[str]] = {network: [] for network in NETWORKS}
        self._x_next = 0
        self._bluesky_next = 0

    # -- lifecycle
    def start(self) -> ThreeNetworks:
        with contextlib.ExitStack() as started:
            self.x.start()
            started.callback(self.x.stop)
            self.mastodon.start()
            started.callback(self.mastodon.close)
            self.bluesky.start()
            started.callback(self.bluesky.close)
            self.jetstream.start()
            started.pop_all()  # all three up: close() owns them now
        return self

    def close(self) -> None:
        self.x.stop()
        self.mastodon.close()
        self.bluesky.close()
        self.jetstream.close()

    def __enter__(self) -> ThreeNetworks:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def environ(self) -> dict[str, str]:
        """The headless credentials and endpoints of the three, as environment variables."""
        return {
            "JAMDECK_X_BEARER_TOKEN": X_BEARER,
            "JAMDECK_X_API_BASE": self.x.base_url,
            "JAMDECK_MASTODON_TOKEN": MASTODON_TOKEN,
            "JAMDECK_BLUESKY_HANDLE": self.bluesky.handle,
            "JAMDECK_BLUESKY_APP_PASSWORD": self.bluesky.password,
            "JAMDECK_JETSTREAM_URL": self.jetstream.url,
            "JAMDECK_BLUESKY_APPVIEW": self.jetstream.appview_url,
        }

    def total(self) -> int:
        return sum(len(ids) for ids in self.published.values())

    # -- posting on the hashtag
    def post_x(self, count: int, *, at: datetime, live: bool) -> list[str]:
        """``count`` tweets (originals, replies and retweets) from ``at`` on, a second apart."""
        lines = make_tweets(
            count, tag=self.tag, start=self._x_next, at=at - timedelta(seconds=self._x_next)
        )
        self._x_next += count
        (self.x.release if live else self.x.publish_only)(lines)
        ids = [tweet_id(line) for line in lines]
        self.published["x"].extend(ids)
        return ids

    def post_mastodon(self, count: int, *, at: datetime, live: bool) -> list[str]:
        """``count`` statuses from ``at`` on; every third from another instance."""
        ids = []
        for n in range(count):
            user = _MASTODON_USERS[n % len(_MASTODON_USERS)]
            status = self.mastodon.factory.make(
                f"A{n + 1}: answer from {user}",
                tags=(self.tag,),
                at=at + timedelta(seconds=n),
                user=user,
                host="other.example" if n % 3 == 2 else None,
            )
            (self.mastodon.publish if live else self.mastodon.add)(status)
            ids.append(str(status["id"]))
        self.published["mastodon"].extend(ids)
        return ids

    def post_bluesky(self, count: int, *, at: datetime) -> list[str]:
        """``count`` posts on Jetstream stamped from ``at`` on (in the past: in its replay);
        the PDS knows them too (for the actions)."""
        views = []
        for n in range(count):
            number = self._bluesky_next + n
            did, handle = _BLUESKY_AUTHORS[number % len(_BLUESKY_AUTHORS)]
            views.append(
                post_view(
                    rkey=f"3jam{number:04d}",
                    text=f"Bluesky take {number} on the question #{self.tag}",
                    indexed_at=at + timedelta(seconds=n),
                    did=did,
                    handle=handle,
                    display_name=handle.split(".")[0].title(),
                )
            )
        self._bluesky_next += count
        self.bluesky.add_posts(*views)
        ids = [
            self.jetstream.post(
                view["record"]["text"],
                did=view["author"]["did"],
                at=at + timedelta(seconds=n),
                rkey=view["uri"].rsplit("/", 1)[1],
            )
            for n, view in enumerate(views)
        ]
        self.published["bluesky"].extend(ids)
        return ids
