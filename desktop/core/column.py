"""A column of the deck: a name and a filter, saved with the session or temporary."""

from __future__ import annotations

import dataclasses


@dataclasses.dataclass(frozen=True, slots=True)
class Column:
    """One column. A saved column's ``id`` is its row in the library; a temporary one
    (a search typed into the search box) is never saved and says so in ``temporary``."""

    id: int
    name: str
    filter: str = ""
    options: dict = dataclasses.field(default_factory=dict)  # e.g. {"slow_mode": 2, "question": 3}
    width: int = 340
    temporary: bool = False
    session_id: int | None = None
    position: int = 0
