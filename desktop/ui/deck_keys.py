"""The deck's keyboard: j/k to move, h/l between columns, r/f/c/a on the selected
post, p to pause, n for the newest, / to search, 1-9 to assign a question..."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QApplication, QLineEdit

from desktop.app.changes import PostsChanged
from desktop.store import library
from desktop.ui.column_widget import deck_command


class DeckKeys:
    """Commands (from keys or the columns' menus) for ``window``'s deck."""

    def __init__(self, window) -> None:
        self.window = window
        window.deck.command.connect(self.on_command)

    def handle(self, event: QKeyEvent) -> bool:
        """A key pressed in the window: True when it was a deck command (or closed the
        keys overlay)."""
        overlay = self.window.keys_overlay
        if overlay.isVisible():
            overlay.hide()
            return True
        command = deck_command(event)
        if command is None or isinstance(QApplication.focusWidget(), QLineEdit):
            return False
        self.on_command(command)
        return True

    def on_command(self, command: str) -> None:
        window = self.window
        if window.keys_overlay.isVisible() and command != "help":
            window.keys_overlay.hide()
            return
        deck, column = window.deck, window.deck.current()
        moves = {
            "next": (deck.move_selection, 1),
            "previous": (deck.move_selection, -1),
            "left": (deck.move_focus, -1),
            "right": (deck.move_focus, 1),
        }
        post_signals = {
            "retweet": window.retweet_requested,
            "like": window.like_requested,
            "collect": window.collect_requested,
            "answer": window.answer_requested,
        }
        post_rowid = deck.selected_post()
        if command in moves:
            move, step = moves[command]
            move(step)
        elif command == "search":
            window.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
            window.search.selectAll()
        elif command == "pause" and column is not None:
            column.toggle_pause()
        elif command == "newest" and column is not None:
            column.jump_to_newest()
        elif command == "help":
            window.keys_overlay.toggle()
        elif command == "quotes" and window.quotes_button.isEnabled():
            window.quotes_button.toggle()
        elif post_rowid is None:
            return
        elif command in post_signals:
            post_signals[command].emit(post_rowid)
        elif command == "open" and column is not None:
            view = column.model.view_at(column.view.currentIndex().row())
            if view is not None:
                window.post_actions.on_open_requested(view.url)
        elif command.startswith("assign:"):
            number = int(command.split(":", 1)[1])
            self.assign_question(post_rowid, number or None)

    def assign_question(self, post_rowid: int, number: int | None) -> None:
        """The user's own answer to "which question does this post answer"."""
        session_id = self.window.session.id

        def op(ctx):
            library.assign_question(ctx.conn, session_id, post_rowid, number)
            return PostsChanged(session_id, (post_rowid,))

        self.window.writer.submit(op)
