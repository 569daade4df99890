"""The quote-list side panel: collected posts in sections per question.

``QuoteModel`` translates a ``QuoteList`` into a two-level Qt model (sections,
then their quotes) and applies the user's edits to itself at once (move,
note, remove) so the view never waits; ``QuotePanel`` sends every edit to the
store writer (``desktop.store.quotes``) in the same breath, and reloads from
the cache when an edit comes back failed, or after a collect (the new item's
row comes from the cache).

Post text, names, notes and question texts are untrusted: they are shown only
as plain text (item views never read DisplayRole as rich text; tooltips would,
so they are escaped).
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import html
import json
import logging
import sqlite3
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import (
    QAbstractItemModel,
    QByteArray,
    QMimeData,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QFont, QGuiApplication, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.core.quotes import QuoteItem, QuoteList, QuotesChanged, QuoteSection
from desktop.export import quotes as export
from desktop.store import quotes as store_quotes
from desktop.ui.trampoline import Trampoline

log = logging.getLogger("jamdeck.ui.quotes")

ItemIdRole = Qt.ItemDataRole.UserRole + 1  # quote_items.id (None on a section)
QuestionRole = Qt.ItemDataRole.UserRole + 2  # the section's question (None: "Other")
NoteRole = Qt.ItemDataRole.UserRole + 3
QuoteRole = Qt.ItemDataRole.UserRole + 4  # the QuoteItem

MIME_TYPE = "application/x-jamdeck-quote-items"
_SECTION = 0  # internalId of a section; an item's is its section row + 1

EXPORT_FILTERS = {
    "md": "Markdown (*.md)",
    "html": "HTML (*.html)",
    "csv": "CSV (*.csv)",
    "json": "JSON (*.json)",
}


def export_target(path: str, chosen_filter: str) -> tuple[Path, str]:
    """Where to write and in which format: the extension the user typed decides
    ("quotes.html" is HTML whatever the filter says); a name without a known
    extension takes the chosen filter's (Markdown when none), added to the name."""
    target = Path(path)
    suffix = target.suffix.lstrip(".").lower()
    if suffix in EXPORT_FILTERS:
        return target, suffix
    fmt = next((f for f, label in EXPORT_FILTERS.items() if label == chosen_filter), "md")
    return target.with_name(target.name + "." + fmt), fmt


def quote_line(item: QuoteItem) -> str:
    """ "@handle: text" on one line (the list shows the whole text under it)."""
    return f"@{item.handle}: {' '.join(item.text.split())}"


def plain_text(quote_list: QuoteList, *, options: export.ExportOptions | None = None) -> str:
    """The quote list as plain text: the clipboard's fallback next to the HTML."""
    options = options or export.ExportOptions()
    out = [quote_list.title, ""]
    for section in quote_list.sections:
        if not section.items:
            continue
        text = section.text
        if options.strip_hashtag:
            text = export.strip_hashtags(text, quote_list.hashtags)
        out += [f"{section.title}: {text}" if text else section.title, ""]
        for item in section.items:
            body = export.expand_links(item.text, item.links)
            if options.strip_label:
                body = export.strip_answer_label(body)
            if options.strip_hashtag:
                body = export.strip_hashtags(body, quote_list.hashtags)
            out.append(f"@{item.handle}: {body}")
            if item.url:
                out.append(item.url)
            if item.note and options.include_notes:
                out.append(f"Note: {item.note}")
            out.append("")
    return "\n".join(out).rstrip() + "\n"


@dataclasses.dataclass
class _Section:
    question: int | None
    text: str
    items: list[QuoteItem]

    @property
    def title(self) -> str:
        return "Other" if self.question is None else f"Q{self.question}"


class QuoteModel(QAbstractItemModel):
    """Sections (top level) -> quotes. Edits apply here at once and are announced by
    ``move_requested`` / ``note_edited`` for the panel to save."""

    move_requested = Signal(int, object, int)  # item id, question (None: Other), index

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._list: QuoteList | None = None
        self._sections: list[_Section] = []

    # ------------------------------------------------------------ content
    def set_quote_list(self, quote_list: QuoteList) -> None:
        self.beginResetModel()
        self._list = quote_list
        self._sections = [_Section(s.question, s.text, list(s.items)) for s in quote_list.sections]
        self.endResetModel()

    def quote_list(self) -> QuoteList | None:
        """The list as the user sees it now (edits not yet committed included)."""
        if self._list is None:
            return None
        sections = tuple(
            QuoteSection(
                question=s.question,
                text=s.text,
                items=tuple(
                    dataclasses.replace(item, question=s.question, position=i)
                    for i, item in enumerate(s.items)
                ),
            )
            for s in self._sections
        )
        return dataclasses.replace(self._list, sections=sections)

    def item_count(self) -> int:
        return sum(len(s.items) for s in self._sections)

    def locate(self, item_id: int) -> tuple[int, int] | None:
        """(section row, item row) of a quote item."""
        for s_row, section in enumerate(self._sections):
            for i_row, item in enumerate(section.items):
                if item.id == item_id:
                    return s_row, i_row
        return None

    def index_of_item(self, item_id: int) -> QModelIndex:
        where = self.locate(item_id)
        if where is None:
            return QModelIndex()
        return self.index(where[1], 0, self.index(where[0], 0))

    def section_row(self, question: int | None) -> int | None:
        for row, section in enumerate(self._sections):
            if section.question == question:
                return row
        return None

    def item_at(self, index: QModelIndex) -> QuoteItem | None:
        if not index.isValid() or index.internalId() == _SECTION:
            return None
        return self._sections[index.internalId() - 1].items[index.row()]

    # ------------------------------------------------------------ edits (applied here first)
    def move_item(self, item_id: int, question: int | None, index: int) -> bool:
        """Move a quote to ``index`` of the section of ``question`` (clamped; -1: last)."""
        where = self.locate(item_id)
        target = self.section_row(question)
        if where is None or target is None:
            return False
        s_row, i_row = where
        size = len(self._sections[target].items)
        if index < 0 or index > size:
            index = size
        # beginMoveRows counts the destination before the item is taken out.
        dest = index
        if s_row == target:
            if index >= size:
                index = size - 1
            dest = index + 1 if index > i_row else index
            if index == i_row:
                return True
        src_parent = self.index(s_row, 0)
        dst_parent = self.index(target, 0)
        if not self.beginMoveRows(src_parent, i_row, i_row, dst_parent, dest):
            return False
        item = self._sections[s_row].items.pop(i_row)
        self._sections[target].items.insert(index, item)
        self.endMoveRows()
        self.dataChanged.emit(src_parent, src_parent)  # the counts in the headings
        if dst_parent != src_parent:
            self.dataChanged.emit(dst_parent, dst_parent)
        return True

    def set_note(self, item_id: int, note: str) -> bool:
        where = self.locate(item_id)
        if where is None:
            return False
        s_row, i_row = where
        items = self._sections[s_row].items
        items[i_row] = dataclasses.replace(items[i_row], note=note.strip())
        index = self.index(i_row, 0, self.index(s_row, 0))
        self.dataChanged.emit(index, index)
        return True

    def remove_item(self, item_id: int) -> bool:
        where = self.locate(item_id)
        if where is None:
            return False
        s_row, i_row = where
        parent = self.index(s_row, 0)
        self.beginRemoveRows(parent, i_row, i_row)
        del self._sections[s_row].items[i_row]
        self.endRemoveRows()
        self.dataChanged.emit(parent, parent)
        return True

    # ------------------------------------------------------------ Qt model API
    def index(
        self,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        if column != 0 or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return (
                self.createIndex(row, 0, _SECTION) if row < len(self._sections) else QModelIndex()
            )
        if parent.internalId() != _SECTION:
            return QModelIndex()  # quotes have no children
        s_row = parent.row()
        if s_row >= len(self._sections) or row >= len(self._sections[s_row].items):
            return QModelIndex()
        return self.createIndex(row, 0, s_row + 1)

    def parent(self, index: QModelIndex | QPersistentModelIndex = QModelIndex()) -> QModelIndex:  # type: ignore[override]  # noqa: B008
        if not index.isValid() or index.internalId() == _SECTION:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _SECTION)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._sections)
        if parent.column() != 0 or parent.internalId() != _SECTION:
            return 0
        return len(self._sections[parent.row()].items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 1

    def hasChildren(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> bool:  # noqa: B008
        return self.rowCount(parent) > 0

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ):
        if not index.isValid():
            return None
        if index.internalId() == _SECTION:
            return self._section_data(self._sections[index.row()], role)
        item = self._sections[index.internalId() - 1].items[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            line = quote_line(item)
            return f"{line}\n✎ {item.note}" if item.note else line
        if role == Qt.ItemDataRole.ToolTipRole:
            # Tooltips DO read rich text: escape, and say so explicitly.
            body = html.escape(f"@{item.handle}: {item.text}").replace("\n", "<br>")
            note = f"<p><i>{html.escape(item.note)}</i></p>" if item.note else ""
            return f"<qt><p>{body}</p>{note}</qt>"
        if role == ItemIdRole:
            return item.id
        if role == QuestionRole:
            return self._sections[index.internalId() - 1].question
        if role == NoteRole:
            return item.note
        if role == QuoteRole:
            return item
        return None

    def _section_data(self, section: _Section, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            # The count first: a long question is elided at the end, not the count.
            head = f"{section.title} ({len(section.items)})"
            text = " ".join(section.text.split())
            return f"{head}  {text}" if text else head
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"<qt>{html.escape(section.text or section.title)}</qt>"
        if role == Qt.ItemDataRole.FontRole:
            font = QFont()
            font.setBold(True)
            return font
        if role == QuestionRole:
            return section.question
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if index.internalId() == _SECTION:
            return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsDropEnabled
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemIsDragEnabled
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    # ------------------------------------------------------------ drag and drop
    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def supportedDragActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def mimeTypes(self) -> list[str]:
        return [MIME_TYPE]

    def mimeData(self, indexes) -> QMimeData:
        ids = [self.data(i, ItemIdRole) for i in indexes if self.item_at(i) is not None]
        mime = QMimeData()
        mime.setData(MIME_TYPE, QByteArray(json.dumps(ids).encode()))
        return mime

    def _decode(self, data: QMimeData | None) -> list[int]:
        if data is None or not data.hasFormat(MIME_TYPE):
            return []
        try:
            ids = json.loads(bytes(data.data(MIME_TYPE).data()).decode())
        except (ValueError, UnicodeDecodeError):
            return []
        return [i for i in ids if isinstance(i, int) and self.locate(i) is not None]

    def canDropMimeData(self, data, action, row, column, parent) -> bool:
        return (
            action == Qt.DropAction.MoveAction
            and parent.isValid()
            and parent.internalId() == _SECTION
            and bool(self._decode(data))
        )

    def dropMimeData(self, data, action, row, column, parent) -> bool:
        """Move the dragged quotes here (the view would then remove the "source" rows:
        ``removeRows`` is not implemented, so it cannot)."""
        if not self.canDropMimeData(data, action, row, column, parent):
            return False
        question = self._sections[parent.row()].question
        index = row if row >= 0 else len(self._sections[parent.row()].items)
        for item_id in self._decode(data):
            s_row, i_row = self.locate(item_id)
            same = self._sections[s_row].question == question
            target = index - 1 if same and i_row < index else index
            if self.move_item(item_id, question, target):
                self.move_requested.emit(item_id, question, target)
            index = target + 1
        return True


class _QuoteTree(QTreeView):
    delete_pressed = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.delete_pressed.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class QuotePanel(QWidget):
    """The session's quote list (side panel).

    ``writer``: the StoreWriter (every edit goes through it, ``notify=True`` so the
    window's bridge sees the ``QuotesChanged``); ``read_conn``: a read connection
    for loading the list. Emits ``quotes_changed(QuotesChanged)`` on the GUI thread
    after each of its own edits committed (the deck repaints the posts'
    "collected" mark), and ``error(str)`` when an edit failed.
    """

    quotes_changed = Signal(object)  # QuotesChanged
    error = Signal(str)

    def __init__(
        self,
        writer,
        read_conn: sqlite3.Connection,
        session_id: int,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("quotePanel")
        self._gui = Trampoline(self)  # writer results back on the GUI thread
        self._writer = writer
        self._conn = read_conn
        self.session_id = session_id
        self.options = export.ExportOptions()
        self._pending = 0
        self._reloads: set[concurrent.futures.Future] = set()  # edits that need a reload after

        self.model = QuoteModel(self)
        self.model.move_requested.connect(self._on_move_requested)

        title = QLabel("Quotes", self)
        title.setObjectName("quotePanelTitle")
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        self.count_label = QLabel("", self)
        self.count_label.setObjectName("quoteCount")
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        self.copy_md_button = QToolButton(self)
        self.copy_md_button.setText("Copy as Markdown")
        self.copy_md_button.clicked.connect(self.copy_markdown)
        self.copy_html_button = QToolButton(self)
        self.copy_html_button.setText("Copy as HTML")
        self.copy_html_button.clicked.connect(self.copy_html)
        self.export_button = QToolButton(self)
        self.export_button.setText("Export…")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.MenuButtonPopup)
        self.export_button.clicked.connect(self.on_export_clicked)
        options = QMenu(self.export_button)
        self._option_actions = {}
        for name, text in (
            ("strip_hashtag", "Strip the jam hashtag"),
            ("strip_label", 'Strip the "A3:" label'),
            ("include_times", "Include times"),
            ("include_notes", "Include my notes (private)"),
        ):
            action = options.addAction(text)
            action.setCheckable(True)
            action.setData(name)
            self._option_actions[name] = action
        options.triggered.connect(self._on_option_triggered)
        self.export_button.setMenu(options)

        self.view = _QuoteTree(self)
        self.view.setObjectName("quoteTree")
        self.view.setModel(self.model)
        self.view.setHeaderHidden(True)
        self.view.setUniformRowHeights(False)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setDragEnabled(True)
        self.view.setAcceptDrops(True)
        self.view.setDropIndicatorShown(True)
        self.view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
        self.view.setDefaultDropAction(Qt.DropAction.MoveAction)
        self.view.setExpandsOnDoubleClick(False)
        self.view.setStyleSheet("QTreeView::item { padding: 3px 2px; }")
        self.view.delete_pressed.connect(self.remove_selected)
        self.view.selectionModel().currentChanged.connect(self._on_current_changed)
        self.model.modelReset.connect(self.view.expandAll)
        self.model.rowsMoved.connect(self._on_rows_moved)

        self.detail = QLabel("", self)
        self.detail.setObjectName("quoteDetail")
        self.detail.setTextFormat(Qt.TextFormat.PlainText)  # post text is untrusted
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note_field = QLineEdit(self)
        self.note_field.setObjectName("quoteNote")
        self.note_field.setPlaceholderText("Note for the write-up (Enter saves)")
        self.note_field.editingFinished.connect(self.on_note_edited)
        self.remove_button = QToolButton(self)
        self.remove_button.setText("Remove")
        self.remove_button.setToolTip("Remove the quote from the list (Delete)")
        self.remove_button.clicked.connect(self.remove_selected)

        header = QHBoxLayout()
        header.setContentsMargins(0, 0, 0, 0)
        header.addWidget(title)
        header.addWidget(self.count_label)
        header.addStretch(1)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.copy_md_button)
        buttons.addWidget(self.copy_html_button)
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        note_row = QHBoxLayout()
        note_row.setContentsMargins(0, 0, 0, 0)
        note_row.addWidget(self.note_field, 1)
        note_row.addWidget(self.remove_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.setSpacing(6)
        layout.addLayout(header)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.detail)
        layout.addLayout(note_row)
        self.refresh()

    def _on_rows_moved(self, *_args) -> None:
        self.view.expandAll()

    def _on_option_triggered(self, action) -> None:
        self.set_option(action.data(), action.isChecked())

    # ------------------------------------------------------------ loading
    def refresh(self) -> None:
        """Reload the list from the cache, keeping the selected quote selected."""
        self.on_note_edited()  # a note being typed is saved, not lost to the reload
        current = self.current_item()
        quote_list = store_quotes.load_quote_list(self._conn, self.session_id, include_empty=True)
        self.model.set_quote_list(quote_list)
        if current is not None:
            self.select_item(current.id)
        self._update_selection_widgets()
        self._update_count()

    def set_session(self, session_id: int) -> None:
        self.session_id = session_id
        self.refresh()

    def _update_count(self) -> None:
        n = self.model.item_count()
        self.count_label.setText(f"{n} quote{'s' if n != 1 else ''}")
        has = n > 0
        for button in (self.copy_md_button, self.copy_html_button, self.export_button):
            button.setEnabled(has)

    # ------------------------------------------------------------ selection
    def current_item(self) -> QuoteItem | None:
        return self.model.item_at(self.view.currentIndex())

    def select_item(self, item_id: int) -> bool:
        index = self.model.index_of_item(item_id)
        if not index.isValid():
            return False
        self.view.setCurrentIndex(index)
        return True

    def _on_current_changed(self, current: QModelIndex, previous: QModelIndex) -> None:
        previous_item = self.model.item_at(previous)
        if previous_item is not None and self.note_field.isModified():
            self._save_note(previous_item.id, self.note_field.text())
        self._update_selection_widgets()

    def _update_selection_widgets(self) -> None:
        item = self.current_item()
        self.note_field.setEnabled(item is not None)
        self.remove_button.setEnabled(item is not None)
        self.note_field.setText(item.note if item else "")
        self.note_field.setModified(False)
        self.detail.setText(f"@{item.handle}: {item.text}" if item else "")
        self.detail.setVisible(item is not None)

    # ------------------------------------------------------------ edits
    def _submit(self, fn: Callable, *, reload: bool = False) -> concurrent.futures.Future:
        """Run ``fn(conn)`` on the writer; its result comes back on the GUI thread."""
        self._pending += 1
        future = self._writer.submit(lambda ctx: fn(ctx.conn))
        if reload:
            self._reloads.add(future)
        self._gui.when_done(future, self._on_op_finished)
        return future

    def _on_op_finished(self, future: concurrent.futures.Future) -> None:
        self._pending -= 1
        reload = future in self._reloads
        self._reloads.discard(future)
        exc = future.exception()
        if exc is not None:
            log.warning("quote-list edit failed: %s", exc)
            self.error.emit(f"Could not save the quote list: {exc}")
            self.refresh()  # show what the cache really holds
            return
        if reload:
            self.refresh()
        result = future.result()
        if isinstance(result, QuotesChanged):
            self.quotes_changed.emit(result)

    @property
    def busy(self) -> bool:
        """Edits sent to the writer and not back yet."""
        return self._pending > 0

    def collect(self, post_rowid: int, *, question: int | None = None) -> concurrent.futures.Future:
        """Add a post to the quote list (already there: nothing changes)."""
        sid = self.session_id
        return self._submit(
            lambda conn: store_quotes.collect(conn, sid, post_rowid, question=question), reload=True
        )

    def toggle(self, post_rowid: int) -> concurrent.futures.Future:
        """The deck's ``c`` key and collect button: collect, or take it out again."""
        sid = self.session_id
        return self._submit(lambda conn: store_quotes.toggle(conn, sid, post_rowid), reload=True)

    def move_item(self, item_id: int, question: int | None, index: int) -> bool:
        """Move a quote within or between sections (what a drop does)."""
        if not self.model.move_item(item_id, question, index):
            return False
        self._on_move_requested(item_id, question, index)
        return True

    def _on_move_requested(self, item_id: int, question: int | None, index: int) -> None:
        self._submit(lambda conn: store_quotes.move(conn, item_id, question=question, index=index))
        self.select_item(item_id)

    def set_note(self, item_id: int, note: str) -> bool:
        if self.model.locate(item_id) is None:
            return False
        self._save_note(item_id, note)
        if self.current_item() is not None and self.current_item().id == item_id:
            self._update_selection_widgets()
        return True

    def _save_note(self, item_id: int, note: str) -> None:
        self.model.set_note(item_id, note)
        self._submit(lambda conn: store_quotes.set_note(conn, item_id, note))

    def on_note_edited(self) -> None:
        item = self.current_item()
        if item is None or not self.note_field.isModified():
            return
        self.note_field.setModified(False)
        self._save_note(item.id, self.note_field.text())

    def remove_item(self, item_id: int) -> bool:
        if not self.model.remove_item(item_id):
            return False
        self._submit(lambda conn: store_quotes.remove(conn, item_id))
        self._update_selection_widgets()
        self._update_count()
        return True

    def remove_selected(self) -> None:
        item = self.current_item()
        if item is not None:
            self.remove_item(item.id)

    # ------------------------------------------------------------ copy and export
    def set_option(self, name: str, value: bool) -> None:
        """``strip_hashtag`` / ``strip_label`` / ``include_times`` / ``include_notes``
        for copies and exports."""
        self.options = dataclasses.replace(self.options, **{name: bool(value)})
        action = self._option_actions[name]
        if action.isChecked() != bool(value):
            action.setChecked(bool(value))

    def _current_list(self) -> QuoteList:
        quote_list = self.model.quote_list()
        if quote_list is None:
            quote_list = store_quotes.load_quote_list(self._conn, self.session_id)
        return quote_list

    def markdown(self) -> str:
        return export.to_markdown(self._current_list(), options=self.options)

    def copy_markdown(self) -> None:
        QGuiApplication.clipboard().setText(self.markdown())

    def copy_html(self) -> None:
        """The export's escaped HTML for rich editors, plain text for the rest."""
        quote_list = self._current_list()
        mime = QMimeData()
        mime.setHtml(export.to_html(quote_list, options=self.options))
        mime.setText(plain_text(quote_list, options=self.options))
        QGuiApplication.clipboard().setMimeData(mime)

    def export_to(self, path: Path | str, fmt: str) -> Path:
        """Write the quote list as ``fmt`` (md | html | csv | json) to ``path``."""
        text = export.render(self._current_list(), fmt, options=self.options)
        path = Path(path)
        path.write_text(text, encoding="utf-8", newline="")
        return path

    def on_export_clicked(self) -> None:
        name = self._current_list().session_name or "quotes"
        path, chosen = QFileDialog.getSaveFileName(
            self,
            "Export the quote list",
            f"{name}-quotes.md",
            ";;".join(EXPORT_FILTERS.values()),
        )
        if not path:
            return
        path, fmt = export_target(path, chosen)
        try:
            self.export_to(path, fmt)
        except OSError as exc:
            self.error.emit(f"Could not write {path}: {exc.strerror or exc}")
