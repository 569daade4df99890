"""ColumnModel: one column's posts, as row ids plus a bounded cache of PostViews.

The model never holds every post of a session: it holds (post id, created_at)
of the rows loaded so far (newest first), pages older rows from SQLite with
keyset paging (canFetchMore/fetchMore), and keeps at most ``cache_size``
PostViews, filling misses a window of rows at a time (one query). Live posts
come in through ``prepend`` (one beginInsertRows per batch).

A column sorted by engagement (``sort=ENGAGEMENT``: most liked, retweeted and
answered first) pages by OFFSET instead, and live changes reload what it shows
(``reload``): a new post or new counts may put any row anywhere.

It also keeps the row heights the delegate measured (``heights_for``): QListView
asks every row's size on every relayout, i.e. on every live insert, so a height
is measured once per (width, look) and dropped with its row (trim, remove,
refresh), which bounds the cache by the rows loaded.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)

from desktop.core.views import PostView
from desktop.store import budget, library

PostRole = Qt.ItemDataRole.UserRole + 1  # the PostView (or None if the post is gone)
PostIdRole = Qt.ItemDataRole.UserRole + 2  # the posts.id

Row = tuple[int, float]  # (post id, created_at)

NEWEST = "time"
ENGAGEMENT = "engagement"


class ColumnModel(QAbstractListModel):
    page_failed = Signal(str)  # a page could not be read: why (the filter ran too long)

    def __init__(
        self,
        conn: sqlite3.Connection,
        session_id: int,
        where: str = "1",
        params: Sequence = (),
        *,
        page_size: int = 200,
        cache_size: int = 600,
        fetch_window: int = 60,
        sort: str = NEWEST,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._conn = conn
        self._session_id = session_id
        self._where = where
        self._params = list(params)
        self._page_size = page_size
        self.sort = sort
        self._since: Row | None = None  # cleared: only posts after this one (engagement)
        self._cache_size = max(cache_size, 4 * fetch_window)
        self._fetch_window = fetch_window
        self._rows: list[Row] = []
        self._members: set[int] = set()
        self._cache: OrderedDict[int, PostView] = OrderedDict()
        # Row heights: width -> {post id: height}, for the delegate's _height_generation.
        # Two widths, as a scroll bar coming and going flips the width back and forth.
        self._heights: dict[int, dict[int, int]] = {}
        self._height_generation = -1
        self._exhausted = False
        self.queries = 0  # view queries run (tests check the cache does its job)
        # Why the last page could not be read ("" when it was): a filter over its
        # time budget shows this instead of freezing the window.
        self.page_error = ""
        self._load_first_page()

    # ------------------------------------------------------------ Qt model API
    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if not index.isValid() or index.row() >= len(self._rows):
            return None
        row = index.row()
        if role == PostIdRole:
            return self._rows[row][0]
        if role == PostRole:
            return self.view_at(row)
        if role == Qt.ItemDataRole.AccessibleTextRole:  # alt texts and the quoted post too
            view = self.view_at(row)
            return view.spoken() if view else ""
        if role == Qt.ItemDataRole.DisplayRole:
            view = self.view_at(row)
            return f"@{view.author_handle}: {view.text}" if view else ""
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> None:  # noqa: B008
        if parent.isValid() or self._exhausted:
            return
        before = self._rows[-1] if self._rows else None
        page = self._page(before)
        fresh = [r for r in page if r[0] not in self._members]
        if len(page) < self._page_size:
            self._exhausted = True
        if not fresh:
            return
        start = len(self._rows)
        self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
        self._rows.extend(fresh)
        self._members.update(r[0] for r in fresh)
        self.endInsertRows()

    # ------------------------------------------------------------ reading
    @property
    def where(self) -> tuple[str, list]:
        return self._where, list(self._params)

    def post_id(self, row: int) -> int:
        return self._rows[row][0]

    def row_of(self, post_id: int) -> int:
        """The row of ``post_id`` (-1 if not loaded)."""
        if post_id not in self._members:
            return -1
        for row, (pid, _) in enumerate(self._rows):
            if pid == post_id:
                return row
        return -1

    def load_through(self, post_id: int, *, max_rows: int = 5000) -> int:
        """Page older rows in until ``post_id`` is loaded (at most ``max_rows`` rows
        loaded in all); its row, or -1 (not in this column, or too far down)."""
        while post_id not in self._members and not self._exhausted:
            if len(self._rows) >= max_rows:
                return -1
            self.fetchMore(QModelIndex())
        return self.row_of(post_id)

    def contains(self, post_id: int) -> bool:
        return post_id in self._members

    def newest(self) -> Row | None:
        return self._rows[0] if self._rows else None

    def view_at(self, row: int) -> PostView | None:
        post_id = self._rows[row][0]
        view = self._cache.get(post_id)
        if view is not None:
            self._cache.move_to_end(post_id)
            return view
        # A miss: load the rows around it in one query (scrolling reads neighbours next).
        lo = max(0, row - self._fetch_window // 3)
        hi = min(len(self._rows), lo + self._fetch_window)
        wanted = [pid for pid, _ in self._rows[lo:hi] if pid not in self._cache]
        self.remember(self._fetch(wanted))
        return self._cache.get(post_id)

    def cached_count(self) -> int:
        return len(self._cache)

    def heights_for(self, width: int, generation: int) -> dict[int, int]:
        """The delegate's height cache (post id -> height) for rows ``width`` wide
        measured with look ``generation``; another look starts it over."""
        if generation != self._height_generation:
            self._height_generation = generation
            self._heights = {}
        found = self._heights.get(width)
        if found is None:
            if len(self._heights) >= 2:
                del self._heights[next(iter(self._heights))]
            found = self._heights[width] = {}
        return found

    def height_count(self) -> int:
        return sum(len(h) for h in self._heights.values())

    def _forget_heights(self, post_id: int) -> None:
        for heights in self._heights.values():
            heights.pop(post_id, None)

    # ------------------------------------------------------------ changing
    def set_filter(self, where: str, params: Sequence = ()) -> None:
        """Re-filter: reload the first page from SQLite."""
        self._where, self._params = where, list(params)
        self._since = None
        self.beginResetModel()
        self._rows, self._members = [], set()
        self._heights.clear()
        self._exhausted = False
        self._load_rows()
        self.endResetModel()

    def set_sort(self, sort: str) -> None:
        """Order by time (NEWEST) or by engagement (ENGAGEMENT): reload the first page."""
        if sort != self.sort:
            self.sort = sort
            self.set_filter(self._where, self._params)

    def reload(self) -> None:
        """Read again what is shown (at least a page) in the current order: an
        engagement-sorted column re-sorts so (counts changed, posts came in)."""
        keep = max(self._page_size, len(self._rows))
        page = self._page(None, limit=keep)
        if [r[0] for r in page] == [r[0] for r in self._rows]:
            return
        self.beginResetModel()
        self._rows = list(page)
        self._members = {r[0] for r in page}
        self._heights.clear()
        self._exhausted = len(page) < keep
        self.endResetModel()

    def clear(self) -> None:
        """Hide everything shown so far; only newer posts appear from now on."""
        newest = self._page_newest()
        self.beginResetModel()
        self._since = newest
        self._rows, self._members = [], set()
        self._heights.clear()
        self._cache.clear()
        self._exhausted = True
        self.endResetModel()

    def prepend(self, rows: Sequence[Row], views: dict[int, PostView] | None = None) -> int:
        """Live posts entered the column. Rows newer than the top go in at the top in
        one insert; older ones (a backfill) go to their place. Returns how many went in.
        ``views`` may hold more posts than ``rows``: only those of ``rows`` are kept.
        An engagement-sorted column reloads instead (the rows go where they rank)."""
        if self.sort == ENGAGEMENT:
            before = set(self._members)
            self.reload()
            return len(self._members - before)
        fresh = sorted((r for r in rows if r[0] not in self._members), key=_newest_first)
        if not fresh:
            return 0
        if views:
            self.remember({r[0]: views[r[0]] for r in fresh if r[0] in views})
        top = self._rows[0] if self._rows else None
        newer = [r for r in fresh if top is None or _newest_first(r) < _newest_first(top)]
        older = [r for r in fresh if not (top is None or _newest_first(r) < _newest_first(top))]
        if newer:
            self.beginInsertRows(QModelIndex(), 0, len(newer) - 1)
            self._rows[0:0] = newer
            self._members.update(r[0] for r in newer)
            self.endInsertRows()
        placed = len(newer)
        for r in older:
            placed += self.insert_sorted(r)
        return placed

    def insert_sorted(self, row: Row) -> int:
        """Insert one row at its time position, if it falls inside what is loaded
        (older rows come later by paging)."""
        if row[0] in self._members:
            return 0
        if self.sort == ENGAGEMENT:
            self.reload()
            return int(row[0] in self._members)
        keys = [_newest_first(r) for r in self._rows]
        at = bisect.bisect_left(keys, _newest_first(row))
        if at >= len(self._rows) and not self._exhausted:
            return 0
        self.beginInsertRows(QModelIndex(), at, at)
        self._rows.insert(at, row)
        self._members.add(row[0])
        self.endInsertRows()
        return 1

    def trim(self, keep: int) -> int:
        """Drop loaded rows beyond the newest ``keep`` (a live column read at the top
        stays short; scrolling down pages them back from SQLite)."""
        extra = len(self._rows) - keep
        if extra <= 0:
            return 0
        self.beginRemoveRows(QModelIndex(), keep, len(self._rows) - 1)
        for post_id, _ in self._rows[keep:]:
            self._members.discard(post_id)
            self._cache.pop(post_id, None)
            self._forget_heights(post_id)
        del self._rows[keep:]
        self._exhausted = False
        self.endRemoveRows()
        return extra

    def remove_ids(self, ids: Iterable[int]) -> int:
        gone = set(ids) & self._members
        removed = 0
        for row in range(len(self._rows) - 1, -1, -1):
            if self._rows[row][0] in gone:
                self.beginRemoveRows(QModelIndex(), row, row)
                del self._rows[row]
                self.endRemoveRows()
                removed += 1
        self._members -= gone
        for post_id in gone:
            self._cache.pop(post_id, None)
            self._forget_heights(post_id)
        return removed

    def refresh(self, ids: Iterable[int]) -> None:
        """These posts changed on disk (question, collected, metrics): re-read them."""
        ids = [i for i in ids if i in self._members]
        if not ids:
            return
        for post_id in ids:
            self._cache.pop(post_id, None)
            self._forget_heights(post_id)  # its row may change height (a notice)
        self.remember(self._fetch(ids))
        for post_id in ids:
            row = self.row_of(post_id)
            if row >= 0:
                index = self.index(row)
                self.dataChanged.emit(index, index, [PostRole, Qt.ItemDataRole.DisplayRole])

    # ------------------------------------------------------------ internals
    def _load_first_page(self) -> None:
        self._load_rows()

    def _load_rows(self) -> None:
        page = self._page(None)
        self._rows = list(page)
        self._members = {r[0] for r in page}
        self._exhausted = len(page) < self._page_size

    def _page(self, before: Row | None, *, limit: int | None = None) -> list[Row]:
        try:
            if self.sort == ENGAGEMENT:
                rows = library.column_page_by_engagement(
                    self._conn,
                    self._session_id,
                    self._where,
                    self._params,
                    limit=limit or self._page_size,
                    offset=len(self._rows) if before else 0,
                    after=(self._since[1], self._since[0]) if self._since else None,
                )
            else:
                rows = library.column_page(
                    self._conn,
                    self._session_id,
                    self._where,
                    self._params,
                    limit=limit or self._page_size,
                    before=(before[1], before[0]) if before else None,
                )
        except budget.QueryTooSlow as exc:
            self.page_error = str(exc)
            self.page_failed.emit(self.page_error)
            return []
        self.page_error = ""
        return [(pid, created) for pid, created in rows]

    def _page_newest(self) -> Row | None:
        """The column's newest post (an engagement column's first row is not)."""
        if self.sort != ENGAGEMENT:
            return self._rows[0] if self._rows else None
        try:
            rows = library.column_page(
                self._conn, self._session_id, self._where, self._params, limit=1
            )
        except budget.QueryTooSlow:
            return None
        return (rows[0][0], rows[0][1]) if rows else None

    def _fetch(self, ids: Sequence[int]) -> dict[int, PostView]:
        if not ids:
            return {}
        self.queries += 1
        return library.post_views(self._conn, self._session_id, list(ids))

    def remember(self, views: dict[int, PostView]) -> None:
        for post_id, view in views.items():
            self._cache[post_id] = view
            self._cache.move_to_end(post_id)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


def _newest_first(row: Row) -> tuple[float, int]:
    """Sort key: newest first, ties by higher id first (as column_page orders)."""
    return (-row[1], -row[0])
