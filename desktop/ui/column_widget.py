"""One column of the deck: header, "N new posts" bar, and the painted post list.

Reading during a jam: while the pointer is over the list (unless the
``pause_on_hover`` setting is off) or the pause button is down, new posts wait in ``pending`` behind the "N new posts" bar; leaving
the list or clicking the bar lets them in. Slow mode lets at most N posts per
second in. When the reader has scrolled down, posts coming in above do not
move what they are reading.
"""

from __future__ import annotations

from collections import deque

from PySide6.QtCore import QEvent, QMimeData, QModelIndex, QPoint, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QDrag,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

import filters
from desktop.core.column import Column
from desktop.ui import theme as themes
from desktop.ui.column_model import ENGAGEMENT, NEWEST, ColumnModel, PostIdRole, Row
from desktop.ui.post_delegate import PostDelegate

# A column read at the top keeps at most this many rows loaded (+ slack, so trimming
# happens once in a while, not on every batch); older ones page back in on scroll.
# Every live insert makes QListView ask the height of every loaded row again, so
# this bounds the work of each insert (a screen shows about ten rows).
LIVE_ROWS = 200
LIVE_SLACK = 100

# Keys the deck handles itself (the list view would otherwise type-ahead search).
DECK_KEYS = {
    Qt.Key.Key_J: "next",
    Qt.Key.Key_K: "previous",
    Qt.Key.Key_H: "left",
    Qt.Key.Key_L: "right",
    Qt.Key.Key_R: "retweet",
    Qt.Key.Key_F: "like",
    Qt.Key.Key_C: "collect",
    Qt.Key.Key_A: "answer",
    Qt.Key.Key_O: "open",
    Qt.Key.Key_Q: "quotes",
    Qt.Key.Key_Slash: "search",
    Qt.Key.Key_Space: "pause",
    Qt.Key.Key_Question: "help",
    Qt.Key.Key_Period: "newest",
    **{getattr(Qt.Key, f"Key_{n}"): f"assign:{n}" for n in range(1, 10)},
    Qt.Key.Key_0: "assign:0",
}


# What a column header carries while it is dragged to another place in the deck.
COLUMN_MIME = "application/x-jamdeck-column"


def column_mime(column_id: int) -> QMimeData:
    mime = QMimeData()
    mime.setData(COLUMN_MIME, str(column_id).encode("ascii"))
    return mime


def column_from_mime(mime: QMimeData) -> int | None:
    """The id of the column a drag carries (None: not a column)."""
    if not mime.hasFormat(COLUMN_MIME):
        return None
    try:
        return int(bytes(mime.data(COLUMN_MIME).data()).decode("ascii"))
    except ValueError:
        return None


def deck_command(event: QKeyEvent) -> str | None:
    """The deck command for a key press (plain keys only: shortcuts with Ctrl/Alt pass)."""
    mods = event.modifiers() & ~(
        Qt.KeyboardModifier.ShiftModifier | Qt.KeyboardModifier.KeypadModifier
    )
    if mods:
        return None
    return DECK_KEYS.get(Qt.Key(event.key()))


def waiting_text(expression: str) -> str:
    """What an empty column says: the posts it waits for, in words."""
    if not expression.strip():
        return "Waiting for the first post."
    try:
        wanted = filters.explain(expression)
    except filters.FilterError:
        return "Nothing to show: the filter has an error (Edit… in the column menu)."
    return f"Waiting for {wanted}."


class PostListView(QListView):
    hovered = Signal(bool)
    command = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_Hover, True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setUniformItemSizes(False)
        # Every row laid out in one pass: laid out a hundred per event-loop turn, a
        # busy column relaid out after every insert and showed nothing meanwhile (seen
        # under a real X server). Row heights are cached, so one pass over the loaded
        # rows is cheap (the benchmark's timer lateness did not move).
        self.setLayoutMode(QListView.LayoutMode.SinglePass)
        self.verticalScrollBar().setSingleStep(24)
        self.placeholder = ""  # what an empty column says it waits for

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        model = self.model()
        if not self.placeholder or model is None or model.rowCount() > 0:
            return
        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        area = self.viewport().rect().adjusted(24, 32, -24, -24)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(area, int(flags), self.placeholder)
        painter.end()

    def lay_out_now(self) -> None:
        """Lay every loaded row out before returning (not at the next event-loop turn)."""
        self.doItemsLayout()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.FontChange:
            # Row heights were measured with the old font.
            invalidate = getattr(self.itemDelegate(), "invalidate", None)
            if invalidate is not None:
                invalidate()
        super().changeEvent(event)

    def enterEvent(self, event) -> None:
        super().enterEvent(event)
        self.hovered.emit(True)

    def leaveEvent(self, event: QEvent) -> None:
        super().leaveEvent(event)
        self.hovered.emit(False)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        command = deck_command(event)
        if command is not None:
            self.command.emit(command)
            event.accept()
            return
        super().keyPressEvent(event)


class ColumnWidget(QFrame):
    edit_requested = Signal(int)
    duplicate_requested = Signal(int)
    remove_requested = Signal(int)
    slow_mode_changed = Signal(int, int)
    sort_changed = Signal(int, str)  # column id, NEWEST or ENGAGEMENT
    move_requested = Signal(int, int)  # column id, -1 (left) or +1 (right)
    focused = Signal(int)
    command = Signal(str)

    def __init__(
        self,
        spec: Column,
        model: ColumnModel,
        delegate: PostDelegate,
        theme: themes.Theme,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("column")
        self.spec = spec
        self.model = model
        self.theme = theme
        self.pending: deque[Row] = deque()  # oldest first
        self.unread = 0
        self._hover_paused = False
        self._button_paused = False
        self.pause_on_hover = True  # the setting; the deck switches it (set_pause_on_hover)
        self.slow_mode = int(spec.options.get("slow_mode", 0) or 0)
        self.setFixedWidth(spec.width)

        self.header = QWidget(self)
        self.header.setObjectName("columnHeader")
        self.header.setToolTip("Drag the header to move the column")
        self._press: QPoint | None = None  # where a press on the header started
        self._restore_to: int | None = None  # a read position to go to once laid out
        self._anchor_post: int | None = None  # a restored position held until the reader scrolls
        self.title = QLabel(spec.name, self.header)
        self.title.setObjectName("columnTitle")
        self.unread_label = QLabel("", self.header)
        self.unread_label.setObjectName("unreadBadge")
        self.unread_label.hide()
        # Holding is never silent: the header says so (the "N new" bar may be out of
        # sight) and one click lets the waiting posts in.
        self.hold_badge = QToolButton(self.header)
        self.hold_badge.setObjectName("holdBadge")
        self.hold_badge.setCursor(Qt.CursorShape.PointingHandCursor)
        self.hold_badge.clicked.connect(self.on_new_bar_clicked)
        self.hold_badge.hide()
        self.pause_button = QToolButton(self.header)
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause this column (space)")
        self.pause_button.toggled.connect(self.on_pause_toggled)
        self.newest_button = QToolButton(self.header)
        self.newest_button.setToolTip("Jump to the newest post (.)")
        self.newest_button.clicked.connect(self.jump_to_newest)
        self.menu_button = QToolButton(self.header)
        self.menu_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.menu_button.setToolTip("Column menu")
        self.menu_button.setMenu(self._build_menu())
        for button in (self.pause_button, self.newest_button, self.menu_button):
            button.setAutoRaise(True)
            button.setIconSize(QSize(16, 16))
        head = QHBoxLayout(self.header)
        head.setContentsMargins(12, 8, 6, 8)
        head.setSpacing(4)
        head.addWidget(self.title, 1)
        head.addWidget(self.hold_badge)
        head.addWidget(self.unread_label)
        head.addWidget(self.newest_button)
        head.addWidget(self.pause_button)
        head.addWidget(self.menu_button)

        self.subtitle = QLabel(self.subtitle_text(), self)
        self.subtitle.setObjectName("columnFilter")
        self.subtitle.setToolTip(spec.filter)

        self.new_bar = QPushButton("", self)
        self.new_bar.setObjectName("newPostsBar")
        self.new_bar.setCursor(Qt.CursorShape.PointingHandCursor)
        self.new_bar.clicked.connect(self.on_new_bar_clicked)
        self.new_bar.hide()

        self.view = PostListView(self)
        self.view.placeholder = waiting_text(spec.filter)
        self.view.setModel(model)
        self.view.setItemDelegate(delegate)
        self.view.hovered.connect(self.on_hovered)
        self.view.command.connect(self.command)
        self.view.verticalScrollBar().valueChanged.connect(self.on_scrolled)
        self.view.verticalScrollBar().actionTriggered.connect(self._let_go)  # the reader scrolled
        self.view.clicked.connect(lambda _i: self.focused.emit(self.spec.id))
        self.view.installEventFilter(self)
        self.header.installEventFilter(self)  # (after the view: the filter reads it)

        self._slow_timer = QTimer(self)
        self._slow_timer.timeout.connect(self.on_slow_tick)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.header)
        layout.addWidget(self.subtitle)
        layout.addWidget(self.new_bar)
        layout.addWidget(self.view, 1)
        self.apply_theme(theme)

    # ------------------------------------------------------------ setup
    def _build_menu(self) -> QMenu:
        menu = QMenu(self)
        menu.addAction("Edit…", lambda: self.edit_requested.emit(self.spec.id))
        menu.addAction("Duplicate", lambda: self.duplicate_requested.emit(self.spec.id))
        menu.addAction("Clear", self.clear)
        # Also keys (while the column has focus): moving columns needs no mouse.
        self.move_left_action = QAction("Move left", self)
        self.move_left_action.setShortcut(QKeySequence("Ctrl+Shift+Left"))
        self.move_right_action = QAction("Move right", self)
        self.move_right_action.setShortcut(QKeySequence("Ctrl+Shift+Right"))
        for action, delta in ((self.move_left_action, -1), (self.move_right_action, 1)):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            action.triggered.connect(
                lambda _checked=False, d=delta: self.move_requested.emit(self.spec.id, d)
            )
            menu.addAction(action)
            self.addAction(action)
        slow = menu.addMenu("Slow mode")
        group = QActionGroup(slow)
        for rate, label in ((0, "Off"), (1, "1 post/s"), (2, "2 posts/s"), (5, "5 posts/s")):
            action = QAction(label, slow, checkable=True)
            action.setChecked(rate == self.slow_mode)
            action.triggered.connect(
                lambda _checked=False, r=rate: self.set_slow_mode(r, announce=True)
            )
            group.addAction(action)
            slow.addAction(action)
        sort = menu.addMenu("Sort")
        sort_group = QActionGroup(sort)
        self.sort_actions: dict[str, QAction] = {}
        for key, label in ((NEWEST, "Newest first"), (ENGAGEMENT, "Most engaged first")):
            action = QAction(label, sort, checkable=True)
            action.setChecked(key == self.model.sort)
            action.triggered.connect(lambda _checked=False, k=key: self.set_sort(k, announce=True))
            sort_group.addAction(action)
            sort.addAction(action)
            self.sort_actions[key] = action
        menu.addSeparator()
        menu.addAction("Remove", lambda: self.remove_requested.emit(self.spec.id))
        return menu

    def apply_theme(self, theme: themes.Theme) -> None:
        self.theme = theme
        self.hold_badge.setStyleSheet(
            f"#holdBadge {{ color: {theme.new_bar_text}; background: {theme.new_bar};"
            " border: none; border-radius: 8px; padding: 1px 8px; font-weight: bold; }"
        )
        self.pause_button.setIcon(themes.icon("play" if self.paused else "pause", theme.muted))
        self.newest_button.setIcon(themes.icon("newest", theme.muted))
        self.menu_button.setIcon(themes.icon("menu", theme.muted))
        self.view.viewport().update()

    def set_spec(self, spec: Column) -> None:
        self.spec = spec
        self.title.setText(spec.name)
        self.subtitle.setText(self.subtitle_text())
        self.subtitle.setToolTip(spec.filter)
        self.setFixedWidth(spec.width)
        self.view.placeholder = waiting_text(spec.filter)
        self.view.viewport().update()

    # ------------------------------------------------------------ state
    @property
    def paused(self) -> bool:
        # The pointer holds posts back so they do not push down what is being read:
        # over an empty column there is nothing to push, and the first posts go in.
        hover = self._hover_paused and self.model.rowCount() > 0
        return hover or self._button_paused

    def at_top(self) -> bool:
        return self.view.verticalScrollBar().value() <= 0

    def holding(self) -> bool:
        """Whether posts that arrive now wait in ``pending`` instead of going in."""
        return bool(self.paused or self.slow_mode or self.pending)

    def receive(self, rows: list[Row], views=None) -> None:
        """Posts that entered this column (committed, routed)."""
        if self.holding():
            # Their views are read again when they go in (a long pause may hold
            # thousands of posts, and only the newest of them are shown then).
            self.pending.extend(sorted(rows, key=lambda r: (r[1], r[0])))
            self._after_pending_change()
            return
        self._insert(rows, views)

    def _insert(self, rows: list[Row], views=None) -> None:
        if not rows:
            return
        if self.model.sort == ENGAGEMENT:
            # New posts go where they rank: read the top again (no unread count,
            # no trimming: the column is not a timeline).
            self.model.reload()
            return
        self._anchor_post = None  # from now on, the insert keeps the place itself
        anchored = not self.at_top()
        anchor = self.top_post_id() if anchored else None
        offset = self._top_offset() if anchored else 0
        # (Not into an empty column with nothing to page: it may have been cleared.)
        pageable = self.model.rowCount() > 0 or self.model.canFetchMore(QModelIndex())
        if not anchored and len(rows) > LIVE_ROWS and pageable:
            # A burst (or a long pause let go) read at the top: only its newest rows
            # go in and the rest stays in SQLite for scrolling (each row inserted
            # is measured, and would be trimmed away at once).
            rows = sorted(rows, key=lambda r: (r[1], r[0]))[-LIVE_ROWS:]
            self.model.prepend(rows, views)
            self.model.trim(LIVE_ROWS)
        else:
            added = self.model.prepend(rows, views)
            if anchored and added:
                self.unread += added
                self._restore(anchor, offset)
            elif not anchored and self.model.rowCount() > LIVE_ROWS + LIVE_SLACK:
                # Reading at the top: keep the list short so each insert stays cheap.
                self.model.trim(LIVE_ROWS)
        self._update_unread()

    def release(self, limit: int | None = None) -> None:
        """Let waiting posts in (all, or the ``limit`` oldest)."""
        if not self.pending:
            return
        count = len(self.pending) if limit is None else min(limit, len(self.pending))
        rows = [self.pending.popleft() for _ in range(count)]
        self._insert(rows)
        self._after_pending_change()

    def _after_pending_change(self) -> None:
        n = len(self.pending)
        if n and self.paused:
            self.new_bar.setText(f"{n} new post{'s' if n != 1 else ''}")
            self.new_bar.show()
        else:
            self.new_bar.hide()
        if self.slow_mode and n and not self.paused:
            if not self._slow_timer.isActive():
                self._slow_timer.start(max(50, int(1000 / self.slow_mode)))
        elif self._slow_timer.isActive() and (not n or self.paused):
            self._slow_timer.stop()
        self._update_unread()

    def hold_text(self) -> str:
        """What the header says while the column holds posts back ("" when it does not)."""
        n = len(self.pending)
        waiting = f"{n} new" if n < 1000 else "999+ new"
        if self.paused:
            return f"Held · {waiting}" if n else "Held"
        return f"Slow · {waiting}" if n else ""

    def _update_hold(self) -> None:
        text = self.hold_text()
        self.hold_badge.setText(text)
        self.hold_badge.setVisible(bool(text))
        if self._button_paused:
            why = "Paused (space resumes)"
        elif self._hover_paused:
            why = "Held while the pointer is over the list"
        else:
            why = f"Slow mode: {self.slow_mode} post(s) a second"
        self.hold_badge.setToolTip(f"{why}. Click (or press .) to let the new posts in now.")

    def _update_unread(self) -> None:
        self._update_hold()
        # Posts held back are counted on the hold badge, not twice.
        n = self.unread + (0 if self.hold_badge.text() else len(self.pending))
        self.unread_label.setText(str(n) if n < 1000 else "999+")
        self.unread_label.setVisible(n > 0)

    def new_count(self) -> int:
        return len(self.pending)

    # ------------------------------------------------------------ slots
    def on_page_failed(self, message: str) -> None:
        """The filter ran past its time budget: say so where the filter is shown."""
        self.subtitle.setText(message)
        self.subtitle.setToolTip(f"{self.spec.filter}\n{message}")
        self.subtitle.setProperty("error", True)
        self.subtitle.style().polish(self.subtitle)
        self.view.placeholder = (
            "Nothing to show: the filter took too long (Edit… in the column menu)."
        )
        self.view.viewport().update()

    def on_hovered(self, inside: bool) -> None:
        self._hover_paused = inside and self.pause_on_hover
        if not self.paused:
            self._resume()
        else:
            self._after_pending_change()

    def set_pause_on_hover(self, on: bool) -> None:
        """Pause while the pointer is over the list, or not (a paused one lets go now)."""
        self.pause_on_hover = on
        if not on and self._hover_paused:
            self.on_hovered(False)

    def on_pause_toggled(self, checked: bool) -> None:
        self._button_paused = checked
        self.pause_button.setIcon(themes.icon("play" if checked else "pause", self.theme.muted))
        self.pause_button.setToolTip(
            "Resume this column (space)" if checked else "Pause this column (space)"
        )
        if not self.paused:
            self._resume()
        else:
            self._after_pending_change()

    def toggle_pause(self) -> None:
        self.pause_button.toggle()

    def on_new_bar_clicked(self) -> None:
        # Clicking the bar means "show me": let everything in, even while hovering.
        self.jump_to_newest()

    def on_slow_tick(self) -> None:
        if self.paused or not self.pending:
            self._slow_timer.stop()
            return
        self.release(1)

    def on_scrolled(self, value: int) -> None:
        if value <= 0 and self.unread:
            self.unread = 0
            self._update_unread()

    def set_slow_mode(self, rate: int, *, announce: bool = False) -> None:
        self.slow_mode = rate
        if not rate:
            self._slow_timer.stop()
            if not self.paused:
                self.release()
        else:
            self._slow_timer.setInterval(max(50, int(1000 / rate)))
        self._after_pending_change()
        if announce:
            self.slow_mode_changed.emit(self.spec.id, rate)

    def set_sort(self, sort: str, *, announce: bool = False) -> None:
        """Newest first (NEWEST) or most liked, retweeted and answered first (ENGAGEMENT)."""
        if sort == self.model.sort:
            return
        self.pending.clear()
        self.unread = 0
        self.model.set_sort(sort)
        self._after_pending_change()
        self._update_unread()
        self.sort_actions[sort].setChecked(True)
        if not self.subtitle.property("error"):
            self.subtitle.setText(self.subtitle_text())
        if announce:
            self.sort_changed.emit(self.spec.id, sort)

    def subtitle_text(self) -> str:
        text = self.spec.filter or "every post"
        return f"{text} · most engaged first" if self.model.sort == ENGAGEMENT else text

    def _resume(self) -> None:
        if self.slow_mode:
            self._after_pending_change()
        else:
            self.release()
        self.new_bar.hide()

    def clear(self) -> None:
        self.pending.clear()
        self.unread = 0
        self.model.clear()
        self._after_pending_change()

    def jump_to_newest(self) -> None:
        """The newest post at the top: held posts go in first (the bar's, the badge's
        and the "." key's "show me")."""
        self._hover_paused = False
        if self._button_paused:
            self.pause_button.setChecked(False)
        self.release()
        self._update_hold()
        self.view.lay_out_now()
        self.view.scrollToTop()
        self.unread = 0
        self._update_unread()

    # ------------------------------------------------------------ reading position
    def top_post_id(self) -> int | None:
        index = self.view.indexAt(QPoint(4, 2))
        return index.data(PostIdRole) if index.isValid() else None

    def _top_offset(self) -> int:
        index = self.view.indexAt(QPoint(4, 2))
        return self.view.visualRect(index).top() if index.isValid() else 0

    def _restore(self, post_id: int | None, offset: int = 0) -> None:
        if post_id is None:
            return
        row = self.model.row_of(post_id)
        if row < 0:
            return
        self.view.lay_out_now()
        index = self.model.index(row)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtTop)
        if offset:
            bar = self.view.verticalScrollBar()
            bar.setValue(bar.value() - offset)

    def read_position(self) -> int | None:
        """The post at the top, or None at the top of the column (or a restore not
        done yet: the place it is waiting to go to)."""
        if self._restore_to is not None:
            return self._restore_to
        return None if self.at_top() else self.top_post_id()

    def restore_position(self, post_id: int | None) -> None:
        """Scroll so ``post_id`` is the top row (paging it in if it is older than the
        first page). Done once the list has its width: row heights depend on it."""
        self._restore_to = post_id
        if post_id is not None and self.view.isVisible() and self.view.viewport().width() > 0:
            self._apply_restore()

    def _settle_position(self) -> None:
        if self._restore_to is not None:
            self._apply_restore()
        elif self._anchor_post is not None:
            self._restore(self._anchor_post)

    def _apply_restore(self) -> None:
        post_id, self._restore_to = self._restore_to, None
        if post_id is not None and self.model.load_through(post_id) >= 0:
            self._restore(post_id)
            # Held there while the window settles (resizes), until the reader scrolls.
            self._anchor_post = post_id

    def _let_go(self, *_args) -> None:
        self._anchor_post = None

    # ------------------------------------------------------------ selection
    def current_post_id(self) -> int | None:
        index = self.view.currentIndex()
        return index.data(PostIdRole) if index.isValid() else None

    def select_row(self, row: int) -> None:
        if self.model.rowCount() == 0:
            return
        row = max(0, min(row, self.model.rowCount() - 1))
        index = self.model.index(row)
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)

    def move_selection(self, delta: int) -> None:
        current = self.view.currentIndex()
        if current.isValid() and not self.view.selectionModel().isSelected(current):
            # Qt makes the first row current (unselected) on focus: the first j selects it.
            self.select_row(current.row())
            return
        if not current.isValid():
            first = self.view.indexAt(QPoint(4, 2))
            self.select_row(first.row() if first.isValid() else 0)
            return
        row = current.row() + delta
        if row >= self.model.rowCount() and self.model.canFetchMore(QModelIndex()):
            self.model.fetchMore(QModelIndex())
        self.select_row(row)

    def eventFilter(self, watched, event) -> bool:
        if watched is self.view and event.type() == QEvent.Type.FocusIn:
            self.focused.emit(self.spec.id)
        elif (
            watched is self.view
            and event.type() in (QEvent.Type.Resize, QEvent.Type.Show)
            and (self._restore_to is not None or self._anchor_post is not None)
            and self.view.isVisible()
            and self.view.viewport().width() > 0
        ):
            # After the resize is handled (the list lays out at its new size; the
            # relayout it schedules would otherwise clamp the restored place).
            QTimer.singleShot(0, self, self._settle_position)
        elif watched is self.header:
            self._header_event(event)
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ dragging the header
    def _header_event(self, event: QEvent) -> None:
        kind = event.type()
        if kind == QEvent.Type.MouseButtonPress and event.button() == Qt.MouseButton.LeftButton:
            self._press = event.position().toPoint()
        elif kind == QEvent.Type.MouseButtonRelease:
            self._press = None
        elif kind == QEvent.Type.MouseMove and self._press is not None:
            moved = (event.position().toPoint() - self._press).manhattanLength()
            if moved >= QApplication.startDragDistance():
                self._press = None
                self.start_drag()

    def start_drag(self) -> Qt.DropAction:
        """Drag this column by its header (the deck takes the drop and moves it)."""
        drag = QDrag(self)
        drag.setMimeData(column_mime(self.spec.id))
        drag.setPixmap(self.header.grab())
        drag.setHotSpot(QPoint(self.header.width() // 2, self.header.height() // 2))
        return drag.exec(Qt.DropAction.MoveAction)
