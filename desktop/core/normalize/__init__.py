"""Normalizers: the networks' JSON in, ``Post`` objects out.

Every normalizer returns a ``Parsed``: the payload's own posts, and the posts it
merely references (X ``includes``, a Mastodon reblog's original, a Bluesky
quote's embedded record), which the cache keeps but which are not counted as
members of the session. Bad input raises ``MalformedPayload`` with a reason.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from desktop.core.post import Post


class MalformedPayload(ValueError):
    """The payload is not something this normalizer understands."""


# What a network's post id may look like: X's decimal ids, Mastodon's opaque
# strings (decimal, GoToSocial ULIDs, Pleroma base-62 flakes). It ends up in
# URLs and file names: nothing that could change a path or a query.
_ID = re.compile(r"[A-Za-z0-9_.:~-]{1,100}")


def checked_id(value: Any, what: str) -> str:
    """``value`` as a post id string, or ``MalformedPayload``: an id must be a
    non-negative integer or a short string of letters, digits and ``_.:~-``
    (``{"x": 1}``, ``[1, 2]``, -5 or 400 digits were stored as text and made
    URLs like ``/status/{'x': 1}``)."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 10**30:
        return str(value)
    if isinstance(value, str) and _ID.fullmatch(value) and not value.startswith("-"):
        return value
    shown = repr(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    raise MalformedPayload(f"{what} with a malformed id: {shown}")


@dataclasses.dataclass(slots=True)
class Parsed:
    posts: list[Post] = dataclasses.field(default_factory=list)
    referenced: list[Post] = dataclasses.field(default_factory=list)

    def extend(self, other: Parsed) -> None:
        self.posts.extend(other.posts)
        self.referenced.extend(other.referenced)
