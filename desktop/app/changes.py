"""What a writer operation changed, as the views hear of it.

Operations submitted to the store writer return one of these (or an
``IngestResult`` / ``QuotesChanged``); the writer hands it to its ``on_commit``
listener once committed, and each view decides whether it concerns it.
"""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class PostsChanged:
    """These posts of the session changed (question, collected...)."""

    session_id: int
    post_rowids: tuple[int, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class ColumnsChanged:
    """The session's saved columns changed; ``added`` is the column the user just
    made (the deck brings it into view), None for other changes."""

    session_id: int
    added: int | None = None
