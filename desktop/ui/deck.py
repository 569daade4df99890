"""The deck: the session's columns side by side, fed live from committed batches.

Committed IngestResults arrive (one queued signal, from the store writer's
thread) and are coalesced for ``coalesce_ms`` (longer while posts pour in):
then the Qt-free router says which columns each new post enters, the PostViews
of the flush are read and the new rows measured a slice per event-loop turn,
and each column inserts its rows in one call, one column per turn (so the GUI
thread never spends long on one flush)."""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import Iterable

from PySide6.QtCore import (
    QEvent,
    QMimeData,
    QModelIndex,
    QObject,
    QPoint,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QScrollArea,
    QStyle,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.app.deck import DeckModel
from desktop.core.column import Column
from desktop.core.views import PostView
from desktop.store import library
from desktop.store.ingest import IngestResult
from desktop.ui import theme as themes
from desktop.ui.column_model import ENGAGEMENT, NEWEST, ColumnModel, PostIdRole
from desktop.ui.column_widget import LIVE_ROWS, ColumnWidget, column_from_mime
from desktop.ui.post_delegate import AVATAR, GAP, PAD, PostDelegate

log = logging.getLogger("jamdeck.ui.deck")

# A flush of this many posts means a fast stream: the next one waits longer
# (``busy_ms``), so each column relays out and repaints a few times a second
# instead of on every 60 ms tick (no one reads 1,000 posts/s row by row).
BUSY_FLUSH = 50
BUSY_MS = 200

# A timer flush goes in over several event-loop turns: views read FETCH_SLICE
# posts a turn, then measured MEASURE_SLICE a turn, then one column a turn.
FETCH_SLICE = 80
MEASURE_SLICE = 10

# The key of a column's saved options that holds its read position (a post id).
READ_POSITION = "read_position"

NOTICE_PAD = 8  # around the line(s) under a post that say what happened to an action on it
NOTICE_LINES = 3  # a long reason wraps, up to this many lines


@dataclasses.dataclass(slots=True)
class _Flush:
    """One flush on its way into the columns."""

    session_id: int
    results: list[IngestResult]
    records: list
    views: dict[int, PostView]
    deliveries: list[tuple[int, list]]  # (column id, rows), one column per turn
    fetch: list[int]  # posts whose views are still to read, newest first
    measure: list[PostView]  # read, still to measure


class NoticeDelegate(PostDelegate):
    """The post delegate plus one line under a post whose action failed or waits
    ("Retweet failed: not allowed: …", "Retweet waiting: offline: …").

    ``notices``: post id -> (text, is_error). The post is painted by PostDelegate
    in the rect above the line, so its hover actions stay where they are drawn.
    """

    def __init__(self, theme: themes.Theme, *, parent=None) -> None:
        super().__init__(theme, parent=parent)
        self.notices: dict[int, tuple[str, bool]] = {}

    def _notice(self, index: QModelIndex) -> tuple[str, bool] | None:
        return self.notices.get(index.data(PostIdRole)) if self.notices else None

    @staticmethod
    def _notice_font(base: QFont, is_error: bool) -> QFont:
        font = QFont(base)
        font.setPointSizeF(max(7.0, font.pointSizeF() - 1.0))
        font.setBold(is_error)
        return font

    @staticmethod
    def _text_room(width: int) -> int:
        return max(40, width - (PAD + AVATAR + GAP) - PAD)

    def _notice_height(self, option: QStyleOptionViewItem, notice: tuple[str, bool]) -> int:
        text, is_error = notice
        width = option.rect.width() if option.rect.width() > 0 else 320
        metrics = QFontMetrics(self._notice_font(option.font, is_error))
        wrapped = metrics.boundingRect(
            QRect(0, 0, self._text_room(width), 10_000), Qt.TextFlag.TextWordWrap, text
        ).height()
        return min(wrapped, NOTICE_LINES * metrics.lineSpacing()) + NOTICE_PAD

    def _post_option(
        self, option: QStyleOptionViewItem, notice: tuple[str, bool]
    ) -> QStyleOptionViewItem:
        local = QStyleOptionViewItem(option)
        local.rect = QRect(option.rect).adjusted(0, 0, 0, -self._notice_height(option, notice))
        return local

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:
        size = super().sizeHint(option, index)
        notice = self._notice(index)
        if notice is not None:
            size.setHeight(size.height() + self._notice_height(option, notice))
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        notice = self._notice(index)
        height = self._notice_height(option, notice) if notice is not None else 0
        if notice is None or option.rect.height() <= 2 * height:
            super().paint(painter, option, index)
            return
        super().paint(painter, self._post_option(option, notice), index)
        text, is_error = notice
        t = self.theme
        # From the post's own bottom separator down: the notice belongs to the post.
        strip = QRect(
            option.rect.left(), option.rect.bottom() - height, option.rect.width(), height + 1
        )
        painter.save()
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(strip, QColor(t.selected if selected else t.base))
        color = t.color("error") if is_error else t.color("muted")
        x0 = strip.left() + PAD + AVATAR + GAP
        painter.fillRect(QRect(x0 - 8, strip.top() + 2, 3, height - NOTICE_PAD + 1), color)
        painter.setFont(self._notice_font(option.font, is_error))
        painter.setPen(color)
        room = self._text_room(strip.width())
        painter.drawText(
            QRect(x0, strip.top() + 1, room, height - NOTICE_PAD + 2),
            Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap,
            text,
        )
        painter.setPen(QPen(t.color("separator"), 1))
        painter.drawLine(strip.left(), strip.bottom(), strip.right(), strip.bottom())
        painter.restore()

    def editorEvent(
        self, event: QEvent, model, option: QStyleOptionViewItem, index: QModelIndex
    ) -> bool:
        notice = self._notice(index)
        if notice is not None:
            option = self._post_option(option, notice)
        return super().editorEvent(event, model, option, index)


class ResizeGrip(QWidget):
    """The thin handle right of a column: drag to change its width."""

    resized = Signal(int, int, bool)  # column id, width, finished

    def __init__(self, column: ColumnWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.column = column
        self.setObjectName("resizeGrip")
        self.setFixedWidth(6)
        self.setCursor(Qt.CursorShape.SizeHorCursor)
        self._start: tuple[float, int] | None = None

    def mousePressEvent(self, event) -> None:
        self._start = (event.globalPosition().x(), self.column.width())

    def mouseMoveEvent(self, event) -> None:
        if self._start is not None:
            width = max(
                240, min(900, int(self._start[1] + event.globalPosition().x() - self._start[0]))
            )
            self.column.setFixedWidth(width)
            self.resized.emit(self.column.spec.id, width, False)

    def mouseReleaseEvent(self, event) -> None:
        if self._start is not None:
            self._start = None
            self.resized.emit(self.column.spec.id, self.column.width(), True)


def column_sort(spec: Column) -> str:
    """How a saved column orders its posts (its options' "sort"; newest first by default)."""
    return ENGAGEMENT if spec.options.get("sort") == ENGAGEMENT else NEWEST


class Deck(QScrollArea):
    edit_requested = Signal(int)
    duplicate_requested = Signal(int)
    remove_requested = Signal(int)
    move_requested = Signal(int, int)
    order_changed = Signal(list)  # the user moved a column: every column id, left to right
    slow_mode_changed = Signal(int, int)
    sort_changed = Signal(int, str)  # column id, "time" or "engagement" (the column's menu)
    width_changed = Signal(int, int)
    command = Signal(str)
    flushed = Signal(object)  # the list of records shown by one flush (for rates and counts)

    def __init__(
        self, theme: themes.Theme, *, coalesce_ms: int = 60, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("deck")
        self.theme = theme
        self.delegate = NoticeDelegate(theme, parent=self)
        self.model = DeckModel()  # the columns' compiled filters and the router
        self.conn: sqlite3.Connection | None = None
        self.session_id: int | None = None
        self.columns: dict[int, ColumnWidget] = {}
        self.current_id: int | None = None
        self.pause_on_hover = True  # the setting: a column under the pointer holds new posts
        self._grips: dict[int, ResizeGrip] = {}
        self._results: list[IngestResult] = []
        self._positions: dict[tuple[int, int], int] = {}  # remembered read positions
        self._coalesce_ms = coalesce_ms
        self._busy_ms = max(coalesce_ms, min(BUSY_MS, 4 * coalesce_ms))
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(coalesce_ms)
        self._flush_timer.timeout.connect(self._flush_in_steps)
        self._stage: _Flush | None = None  # a timer flush on its way, step by step
        self._step_timer = QTimer(self)
        self._step_timer.setSingleShot(True)
        self._step_timer.setInterval(0)
        self._step_timer.timeout.connect(self._step)
        self._avatar_timer = QTimer(self)
        self._avatar_timer.setSingleShot(True)
        self._avatar_timer.setInterval(30)
        self._avatar_timer.timeout.connect(self._repaint_lists)

        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip = QWidget()
        self.strip.setObjectName("deckStrip")
        # A column dragged by its header is dropped on the strip (the lists do not
        # take drops, so the drag falls through to here).
        self.strip.setAcceptDrops(True)
        self.strip.installEventFilter(self)
        self.drop_marker = QWidget(self.strip)
        self.drop_marker.setObjectName("columnDropMarker")
        self.drop_marker.setFixedWidth(3)
        self.drop_marker.hide()
        self.row = QHBoxLayout(self.strip)
        self.row.setContentsMargins(8, 8, 8, 8)
        self.row.setSpacing(2)
        self.row.addStretch(1)
        self.setWidget(self.strip)

    # ------------------------------------------------------------ session
    def open_session(self, conn: sqlite3.Connection, session_id: int, specs: list[Column]) -> None:
        self.remember_positions()
        for column_id in list(self.columns):
            self.remove_column(column_id)
        self._results.clear()
        self._stage = None
        self.conn = conn
        self.session_id = session_id
        self.set_columns(specs)
        for column_id, widget in self.columns.items():
            # This run's last place, else the place saved when the window last closed.
            key = (session_id, column_id)
            if key in self._positions:
                widget.restore_position(self._positions[key])
            else:
                widget.restore_position(widget.spec.options.get(READ_POSITION))
        if self.columns and self.current_id is None:
            self.current_id = next(iter(self.columns))

    def close_session(self) -> None:
        self.remember_positions()
        for column_id in list(self.columns):
            self.remove_column(column_id)
        self._flush_timer.stop()
        self._results.clear()
        self._stage = None
        self.conn = None
        self.session_id = None

    def remember_positions(self) -> None:
        if self.session_id is None:
            return
        for column_id, position in self.read_positions().items():
            self._positions[(self.session_id, column_id)] = position

    def read_positions(self) -> dict[int, int | None]:
        """Each column's read position: the post at the top of what it shows, or None
        when it is read at the top (it opens on the newest posts then)."""
        return {column_id: widget.read_position() for column_id, widget in self.columns.items()}

    def set_columns(self, specs: list[Column]) -> None:
        """Make the deck show ``specs`` (saved columns), keeping temporary ones first."""
        wanted = {spec.id: spec for spec in specs}
        for column_id in [
            c for c, w in self.columns.items() if c not in wanted and not w.spec.temporary
        ]:
            self.remove_column(column_id)
        for spec in specs:
            widget = self.columns.get(spec.id)
            if widget is None:
                self.add_column(spec)
            elif (
                widget.spec.filter,
                widget.spec.name,
                widget.spec.width,
                widget.spec.options,
            ) != (spec.filter, spec.name, spec.width, spec.options):
                self.update_column(spec)
        # Saved columns in their saved order; temporary ones keep their slots.
        saved = iter([s.id for s in specs])
        order = [c if w.spec.temporary else next(saved, None) for c, w in self.columns.items()]
        order = [c for c in order if c is not None] + list(saved)
        self._reorder(order)

    def add_column(self, spec: Column, *, index: int | None = None) -> ColumnWidget:
        assert self.conn is not None and self.session_id is not None
        where, params, error = self._compile(spec)
        model = ColumnModel(self.conn, self.session_id, where, params, sort=column_sort(spec))
        widget = ColumnWidget(spec, model, self.delegate, self.theme, parent=self.strip)
        widget.pause_on_hover = self.pause_on_hover
        model.page_failed.connect(widget.on_page_failed)
        if error:
            widget.subtitle.setText(f"bad filter: {error}")
            widget.subtitle.setToolTip(f"{spec.filter}\n{error}")
            widget.subtitle.setProperty("error", True)
        elif model.page_error:
            widget.on_page_failed(model.page_error)
        widget.edit_requested.connect(self.edit_requested)
        widget.duplicate_requested.connect(self.duplicate_requested)
        widget.remove_requested.connect(self.remove_requested)
        widget.slow_mode_changed.connect(self.slow_mode_changed)
        widget.sort_changed.connect(self.sort_changed)
        widget.move_requested.connect(self.move_column)
        widget.command.connect(self.command)
        widget.focused.connect(self.on_column_focused)
        grip = ResizeGrip(widget, parent=self.strip)
        grip.resized.connect(self.on_grip_resized)
        self.columns[spec.id] = widget
        self._grips[spec.id] = grip
        self.row.insertWidget(self.row.count() - 1, widget)
        self.row.insertWidget(self.row.count() - 1, grip)
        if self.strip.isVisible():  # else Qt shows them later, and they have no place yet
            widget.show()
            grip.show()
        if index is not None:
            order = [c for c in self.columns if c != spec.id]
            order.insert(index, spec.id)
            self._reorder(order)
        return widget

    def update_column(self, spec: Column) -> None:
        widget = self.columns[spec.id]
        refilter = widget.spec.filter != spec.filter
        widget.set_spec(spec)
        widget.set_sort(column_sort(spec))
        if refilter:
            where, params, error = self._compile(spec)
            widget.pending.clear()
            widget.model.set_filter(where, params)
            widget.subtitle.setProperty("error", bool(error or widget.model.page_error))
            if error:
                widget.subtitle.setText(f"bad filter: {error}")
                widget.subtitle.setToolTip(f"{spec.filter}\n{error}")
            widget.subtitle.style().polish(widget.subtitle)

    def remove_column(self, column_id: int) -> None:
        widget = self.columns.pop(column_id, None)
        grip = self._grips.pop(column_id, None)
        self.model.remove_column(column_id)
        for w in (widget, grip):
            if w is not None:
                self.row.removeWidget(w)
                w.hide()
                w.deleteLater()
        if self.current_id == column_id:
            self.current_id = next(iter(self.columns), None)

    def _reorder(self, order: list[int]) -> None:
        order = [c for c in order if c in self.columns] + [
            c for c in self.columns if c not in order
        ]
        if order == list(self.columns):
            return
        for column_id in order:
            self.row.removeWidget(self.columns[column_id])
            self.row.removeWidget(self._grips[column_id])
        for i, column_id in enumerate(order):
            self.row.insertWidget(i * 2, self.columns[column_id])
            self.row.insertWidget(i * 2 + 1, self._grips[column_id])
        self.columns = {c: self.columns[c] for c in order}

    # ------------------------------------------------------------ moving columns
    def move_column(self, column_id: int, delta: int) -> None:
        """Move a column ``delta`` places (Move left / Move right) and say so."""
        order = list(self.columns)
        if column_id not in order:
            return
        at = order.index(column_id)
        target = max(0, min(len(order) - 1, at + delta))
        if target == at:
            return
        order.insert(target, order.pop(at))
        self._move_to(order, column_id)

    def _move_to(self, order: list[int], column_id: int) -> None:
        self._reorder(order)
        self.ensureWidgetVisible(self.columns[column_id], 40, 0)
        self.order_changed.emit(list(self.columns))

    def drop_index(self, column_id: int, x: int) -> int:
        """Where a column dropped at ``x`` (strip coordinates) goes, among the others."""
        others = [c for c in self.columns if c != column_id]
        return sum(1 for c in others if self.columns[c].geometry().center().x() < x)

    def drop_column(self, mime: QMimeData, x: int) -> bool:
        """The drop of a column header at ``x`` (strip coordinates): move it there."""
        self.drop_marker.hide()
        column_id = column_from_mime(mime)
        if column_id is None or column_id not in self.columns:
            return False
        order = [c for c in self.columns if c != column_id]
        order.insert(self.drop_index(column_id, x), column_id)
        if order != list(self.columns):
            self._move_to(order, column_id)
        return True

    def _show_drop_marker(self, column_id: int, x: int) -> None:
        others = [self.columns[c] for c in self.columns if c != column_id]
        at = self.drop_index(column_id, x)
        if not others:
            return
        left = (
            others[at].geometry().left() - 4
            if at < len(others)
            else others[-1].geometry().right() + 4
        )
        first = others[0].geometry()
        self.drop_marker.setGeometry(left, first.top(), 3, first.height())
        self.drop_marker.setStyleSheet(f"background: {self.theme.accent};")
        self.drop_marker.raise_()
        self.drop_marker.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.strip:
            kind = event.type()
            if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
                column_id = column_from_mime(event.mimeData())
                if column_id in self.columns:
                    event.setDropAction(Qt.DropAction.MoveAction)
                    event.accept()
                    self._show_drop_marker(column_id, event.position().toPoint().x())
                else:
                    event.ignore()
                return True
            if kind == QEvent.Type.DragLeave:
                self.drop_marker.hide()
                return True
            if kind == QEvent.Type.Drop:
                if self.drop_column(event.mimeData(), event.position().toPoint().x()):
                    event.setDropAction(Qt.DropAction.MoveAction)
                    event.accept()
                return True
        return super().eventFilter(watched, event)

    def _compile(self, spec: Column) -> tuple[str, list, str]:
        compiled = self.model.set_column(spec)
        return compiled.where, list(compiled.params), compiled.error

    def ordered_ids(self) -> list[int]:
        return list(self.columns)

    # ------------------------------------------------------------ live
    def on_committed(self, result: IngestResult) -> None:
        if self.session_id is None or result.session_id != self.session_id:
            return
        self._results.append(result)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Route what arrived since the last flush into the columns, now (a flush
        still on its way from the timer is finished first)."""
        if self._stage is not None:
            stage, self._stage = self._stage, None
            self._finish(stage)
        stage = self._prepare()
        if stage is not None:
            self._finish(stage)

    def _flush_in_steps(self) -> None:
        """The timer's flush: the same work cut into event-loop turns (reading and
        measuring the new posts a slice at a time, then one column per turn), so
        the GUI thread answers in between (each column relays out and repaints in
        its own turn, not all eight back to back)."""
        if self._stage is not None:
            return  # _step starts the timer again when the flush on its way is done
        self._stage = self._prepare()
        if self._stage is not None:
            self._step_timer.start()

    def _prepare(self) -> _Flush | None:
        results, self._results = self._results, []
        if not results or self.conn is None or self.session_id is None:
            return None
        records = [r for res in results for r in res.added]
        busy = len(records) >= BUSY_FLUSH
        self._flush_timer.setInterval(self._busy_ms if busy else self._coalesce_ms)
        entered = self.model.route(records)
        created = {r.rowid: r.created_at for r in records}
        # Views are read (and rows measured) for the rows that go in now: not for
        # columns holding posts back, and in a burst only for the newest rows of a
        # column read at the top (the others stay in SQLite; a row that needs its
        # view later reads it then).
        wanted_ids: set[int] = set()
        for column_id, ids in entered.items():
            widget = self.columns.get(column_id)
            if widget is None or widget.holding():
                continue
            if widget.at_top() and len(ids) > LIVE_ROWS:
                ids = sorted(ids, key=lambda i: -created[i])[:LIVE_ROWS]
            wanted_ids.update(ids)
        wanted = sorted(wanted_ids, key=lambda i: -created[i])  # newest first
        deliveries = [
            (column_id, [(i, created[i]) for i in ids]) for column_id, ids in entered.items()
        ]
        return _Flush(self.session_id, results, records, {}, deliveries, wanted, [])

    def _fetch(self, stage: _Flush, count: int | None = None) -> None:
        """Read the views of ``count`` more of the flush's posts (all: None)."""
        ids = stage.fetch[:count] if count else stage.fetch
        stage.fetch = stage.fetch[len(ids) :]
        if ids and self.conn is not None:
            views = library.post_views(self.conn, stage.session_id, ids)
            stage.views.update(views)
            stage.measure.extend(views[i] for i in ids if i in views)

    def _step(self) -> None:
        stage = self._stage
        if stage is None:
            return
        if stage.session_id != self.session_id:
            self._stage = None  # the session closed under it
        elif stage.fetch:
            self._fetch(stage, FETCH_SLICE)
        elif stage.measure:
            self._premeasure(stage)
        elif stage.deliveries:
            self._deliver(stage, stage.deliveries.pop(0))
        else:
            self._stage = None
            self._conclude(stage)
        if self._stage is not None:
            self._step_timer.start()
        elif self._results and not self._flush_timer.isActive():
            self._flush_timer.start()

    def _premeasure(self, stage: _Flush) -> None:
        """Measure a slice of the flush's posts at the width of the columns they
        enter (heights are shared by every column): the relayout that follows each
        insert then finds every height known."""
        views, stage.measure = stage.measure[:MEASURE_SLICE], stage.measure[MEASURE_SLICE:]
        measured = set()
        for widget in self.columns.values():
            if widget.holding() or widget.view.viewport().width() in measured:
                continue
            measured.add(widget.view.viewport().width())
            self.delegate.premeasure(widget.view, views)

    def _deliver(self, stage: _Flush, delivery: tuple[int, list]) -> None:
        column_id, rows = delivery
        widget = self.columns.get(column_id)
        if widget is not None:
            widget.receive(rows, stage.views)

    def _finish(self, stage: _Flush) -> None:
        self._fetch(stage)
        while stage.deliveries:
            self._deliver(stage, stage.deliveries.pop(0))
        self._conclude(stage)

    def _conclude(self, stage: _Flush) -> None:
        changed_membership = {i for res in stage.results for i in res.reassigned}
        refreshed = {i for res in stage.results for i in res.updated} - changed_membership
        if changed_membership:
            self.refresh_posts(changed_membership, membership=True)
        if refreshed:
            # New counts: a column that reads them (min_likes:3) may take a post in
            # or let it go; the others only repaint it.
            self.refresh_posts(refreshed, membership=self.model.count_columns())
        self.flushed.emit(stage.records)

    def refresh_posts(self, ids: Iterable[int], *, membership: bool | Iterable[int] = True) -> None:
        """These posts changed on disk: re-read them everywhere; with ``membership``
        (True: every column, or these column ids), they may also have entered or left
        columns (a question was (re)assigned, their counts changed)."""
        ids = sorted(set(ids))
        if not ids or self.conn is None:
            return
        if membership is True:
            membership = self.columns.keys()
        recheck = set(membership or ())
        for post_id in ids:
            self.delegate.forget(post_id)
        for column_id, widget in self.columns.items():
            model = widget.model
            if model.sort == ENGAGEMENT:
                # Counts or membership changed: the column's order may have too.
                if column_id in recheck or any(model.contains(i) for i in ids):
                    model.reload()
            elif column_id in recheck:
                where, params = model.where
                marks = ",".join("?" * len(ids))
                rows = library.column_page(
                    self.conn,
                    self.session_id,
                    f"({where}) AND sp.post_id IN ({marks})",
                    [*params, *ids],
                    limit=len(ids),
                )
                matching = {pid: created for pid, created in rows}
                model.remove_ids([i for i in ids if i not in matching and model.contains(i)])
                for pid, created in matching.items():
                    if not model.contains(pid):
                        model.insert_sorted((pid, created))
            model.refresh(ids)

    def set_notice(self, post_id: int, text: str | None, *, error: bool = False) -> None:
        """Show ``text`` on a line under the post in every column (None: take it away)."""
        if text:
            if self.delegate.notices.get(post_id) == (text, error):
                return
            self.delegate.notices[post_id] = (text, error)
        elif self.delegate.notices.pop(post_id, None) is None:
            return
        self.delegate.forget(post_id)
        for widget in self.columns.values():
            if widget.model.contains(post_id):
                widget.model.refresh([post_id])
                # The row changed height: lay the list out again (dataChanged does not).
                widget.view.scheduleDelayedItemsLayout()

    def notice(self, post_id: int) -> str | None:
        entry = self.delegate.notices.get(post_id)
        return entry[0] if entry else None

    # ------------------------------------------------------------ focus and selection
    def current(self) -> ColumnWidget | None:
        if self.current_id in self.columns:
            return self.columns[self.current_id]
        return next(iter(self.columns.values()), None)

    def on_column_focused(self, column_id: int) -> None:
        self.current_id = column_id

    def focus_column(self, column_id: int, *, select: bool = True) -> None:
        widget = self.columns.get(column_id)
        if widget is None:
            return
        previous = self.current()
        self.current_id = column_id
        # A column added a moment ago has no place yet: lay the strip out first.
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        self.ensureWidgetVisible(widget, 40, 0)
        widget.view.setFocus(Qt.FocusReason.OtherFocusReason)
        if select and not widget.view.currentIndex().isValid() and widget.model.rowCount():
            # Keep the reader's place: the row at the height of the one selected before.
            row = 0
            if (
                previous is not None
                and previous is not widget
                and previous.view.currentIndex().isValid()
            ):
                y = previous.view.visualRect(previous.view.currentIndex()).center().y()
                index = widget.view.indexAt(QPoint(8, max(2, y)))
                row = index.row() if index.isValid() else 0
            else:
                top = widget.view.indexAt(QPoint(8, 2))
                row = top.row() if top.isValid() else 0
            widget.select_row(row)

    def move_focus(self, delta: int) -> None:
        order = list(self.columns)
        if not order:
            return
        current = self.current()
        at = order.index(current.spec.id) if current is not None else 0
        target = order[max(0, min(len(order) - 1, at + delta))]
        self.focus_column(target)

    def move_selection(self, delta: int) -> None:
        widget = self.current()
        if widget is not None:
            widget.move_selection(delta)
            widget.view.setFocus(Qt.FocusReason.OtherFocusReason)

    def selected_post(self) -> int | None:
        widget = self.current()
        return widget.current_post_id() if widget is not None else None

    def column_for_question(self, number: int) -> int | None:
        for column_id, widget in self.columns.items():
            if widget.spec.options.get("question") == number:
                return column_id
        return None

    # ------------------------------------------------------------ look
    def apply_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.delegate.set_theme(theme)
        for widget in self.columns.values():
            widget.apply_theme(theme)

    def set_avatars(self, loader) -> None:
        """Paint authors' pictures from ``loader`` (an AvatarLoader; None: initials)."""
        old = self.delegate.avatars
        if old is not None:
            old.loaded.disconnect(self._on_avatar_loaded)
        self.delegate.avatars = loader
        if loader is not None:
            loader.loaded.connect(self._on_avatar_loaded)
        self._repaint_lists()

    def set_media(self, loader) -> None:
        """Show media previews and quoted posts' pictures from ``loader`` (None: media
        links instead). Row heights change: every row is measured again."""
        old = self.delegate.media
        if old is not None:
            old.loaded.disconnect(self._on_avatar_loaded)
        self.delegate.media = loader
        if loader is not None:
            loader.loaded.connect(self._on_avatar_loaded)
        self.delegate.invalidate()
        for widget in self.columns.values():
            widget.view.doItemsLayout()
        self._repaint_lists()

    def _on_avatar_loaded(self, _url: str) -> None:
        # Pictures come in bursts (a screenful of authors): one repaint for a burst.
        # Row heights do not change, so nothing is measured again.
        if not self._avatar_timer.isActive():
            self._avatar_timer.start()

    def _repaint_lists(self) -> None:
        for widget in self.columns.values():
            widget.view.viewport().update()

    def set_pause_on_hover(self, on: bool) -> None:
        """Whether a column pauses while the pointer is over it (the setting)."""
        self.pause_on_hover = on
        for widget in self.columns.values():
            widget.set_pause_on_hover(on)

    def set_absolute_times(self, absolute: bool) -> None:
        self.delegate.absolute_times = absolute
        for widget in self.columns.values():
            widget.view.viewport().update()

    def on_grip_resized(self, column_id: int, width: int, finished: bool) -> None:
        # Row heights are cached per width: the new width measures its rows afresh.
        if finished:
            self.width_changed.emit(column_id, width)

    def load_all_first_pages(self) -> None:
        """Make sure each column has laid out its first page (for screenshots)."""
        for widget in self.columns.values():
            # In one pass: a batched relayout still running (a row grew) would
            # otherwise be restarted here and leave the column blank for the picture.
            if widget.model.canFetchMore(QModelIndex()) and widget.model.rowCount() == 0:
                widget.model.fetchMore(QModelIndex())
            widget.view.lay_out_now()
