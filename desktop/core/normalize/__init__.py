"""Normalizers: the networks' JSON in, ``Post`` objects out.

Every normalizer returns a ``Parsed``: the payload's own posts, and the posts it
merely references (X ``includes``, a Mastodon reblog's original, a Bluesky
quote's embedded record), which the cache keeps but which are not counted as
members of the session. Bad input raises ``MalformedPayload`` with a reason.
"""

from __future__ import annotations

import dataclasses

from desktop.core.post import Post


class MalformedPayload(ValueError):
    """The payload is not something this normalizer understands."""


@dataclasses.dataclass(slots=True)
class Parsed:
    posts: list[Post] = dataclasses.field(default_factory=list)
    referenced: list[Post] = dataclasses.field(default_factory=list)

    def extend(self, other: Parsed) -> None:
        self.posts.extend(other.posts)
        self.referenced.extend(other.referenced)
