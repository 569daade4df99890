"""The quote list: a session's collected posts, in sections per question.

Plain data read from the cache (``desktop.store.quotes.load_quote_list``) and
handed to the side panel and to the exporters. Sections come in question order,
with the "Other" section (question ``None``) last.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator


@dataclasses.dataclass(frozen=True, slots=True)
class QuoteItem:
    id: int  # quote_items.id: what move/set_note/remove take
    post_rowid: int  # posts.id
    question: int | None  # the section it is in
    position: int  # 0-based, dense within its section
    network: str
    network_id: str  # the network's own id
    handle: str
    display_name: str
    text: str
    url: str
    created_at: float  # unix seconds, UTC
    note: str = ""
    # (link as written in the text, where it leads): exports show the real
    # destination instead of a t.co short link.
    links: tuple[tuple[str, str], ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class QuoteSection:
    question: int | None  # None: "Other"
    text: str  # the host's question text ("" when unknown, and for "Other")
    items: tuple[QuoteItem, ...] = ()

    @property
    def title(self) -> str:
        """ "Q3" or "Other": what a heading starts with."""
        return "Other" if self.question is None else f"Q{self.question}"


@dataclasses.dataclass(frozen=True, slots=True)
class QuoteList:
    session_id: int
    session_name: str
    title: str
    hashtags: tuple[str, ...] = ()  # without "#"
    sections: tuple[QuoteSection, ...] = ()

    def __len__(self) -> int:
        return sum(len(s.items) for s in self.sections)

    def items(self) -> Iterator[QuoteItem]:
        for section in self.sections:
            yield from section.items


@dataclasses.dataclass(frozen=True, slots=True)
class QuotesChanged:
    """What a quote-list edit changed (the writer's ``on_commit`` result).

    ``post_rowids``: posts whose "collected" mark may have flipped (the deck
    repaints them); ``item_ids``: the items the edit touched.
    """

    session_id: int
    item_ids: tuple[int, ...] = ()
    post_rowids: tuple[int, ...] = ()
    added: int = 0
    removed: int = 0
