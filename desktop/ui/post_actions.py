"""What the user does to a post from the deck: retweet, like, collect, answer, open;
and how actions report back (on the post, in the status bar, in the pending list)."""

from __future__ import annotations

import logging

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout

from desktop.core.actions import Action, ActionState
from desktop.core.views import PostView
from desktop.store import library
from desktop.ui.action_bridge import KIND_WORDS, PendingActionsView
from desktop.ui.post_delegate import safe_url

log = logging.getLogger("jamdeck.ui.actions")


class PostActions:
    """The window's post slots (``window``: its deck, action bridge, compose box,
    quote panel and status bar)."""

    def __init__(self, window) -> None:
        self.window = window
        self.pending_dialog: QDialog | None = None
        self.pending_view: PendingActionsView | None = None
        bridge = window.actions
        bridge.action_changed.connect(self.on_action_changed)
        bridge.refused.connect(window.status.show_notice)
        bridge.pending_changed.connect(self.update_pending)

    def post_view(self, post_rowid: int) -> PostView | None:
        session = self.window.session
        if session is None:
            return None
        return library.post_views(self.window.conn, session.id, [post_rowid]).get(post_rowid)

    def on_retweet_requested(self, post_rowid: int) -> None:
        """One click or ``r``: retweet, or undo the retweet the post shows."""
        view = self.post_view(post_rowid)
        if view is not None:
            self.window.actions.toggle_retweet(view)

    def on_like_requested(self, post_rowid: int) -> None:
        """One click on the heart or ``f``: like, or undo the like the post shows."""
        view = self.post_view(post_rowid)
        if view is not None:
            self.window.actions.toggle_like(view)

    def on_collect_requested(self, post_rowid: int) -> None:
        """One click or ``c``: into the quote list, or out again."""
        panel = self.window.quote_panel
        if panel is not None and self.window.session is not None:
            panel.toggle(post_rowid)

    def on_answer_requested(self, post_rowid: int) -> None:
        """``a`` or the reply button: answer this post in the compose box."""
        view = self.post_view(post_rowid)
        compose = self.window.compose
        if view is not None and compose is not None:
            compose.set_reply_to(view)
            compose.editor.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def on_send_requested(self, texts: dict, reply_to: int | None) -> None:
        if not texts:
            return
        self.window.actions.send_answers(texts, reply_to)
        self.window.status.show_notice(f"Sending your answer ({', '.join(texts)})…", error=False)

    def on_open_requested(self, url: str) -> None:
        qurl = safe_url(url)
        if qurl is None:
            log.warning("not opening a link that is not http(s): %r", url)
            return
        self.window.open_requested.emit(qurl.toString())
        self.window.url_opener(qurl)

    # ------------------------------------------------------------ reports
    def on_action_changed(self, action: Action) -> None:
        """Every state change of an action: the post shows it at once, and says why
        when it failed or waits."""
        if self.window.closed:
            return
        compose = self.window.compose
        if (
            action.kind in ("post", "reply")
            and compose is not None
            and action.session_id in (None, compose.session_id)
        ):
            compose.show_action(action)  # a failed answer says so where it was written
        deck = self.window.deck
        words = KIND_WORDS.get(action.kind, action.kind)
        reason = action.error or "no reason given"
        if action.post_rowid is None:
            if action.state is ActionState.FAILED:
                self.window.status.show_notice(f"{words} failed: {reason}")
            return
        if action.state is ActionState.FAILED:
            deck.set_notice(action.post_rowid, f"{words} failed: {reason}", error=True)
        elif action.state is ActionState.QUEUED and action.error:
            deck.set_notice(action.post_rowid, f"{words} waiting: {action.error}")
        elif action.state is not ActionState.RUNNING:
            deck.set_notice(action.post_rowid, None)
        # The queue flipped the post's flag in the cache (or rolled it back): re-read it.
        deck.refresh_posts([action.post_rowid], membership=False)

    def show_action_notices(self) -> None:
        """Actions left waiting (from before a restart, too) say so on their posts."""
        bridge = self.window.actions
        for action in [*bridge.pending(), *bridge.failed()]:
            if action.post_rowid is not None and (
                action.error or action.state is ActionState.FAILED
            ):
                self.on_action_changed(action)

    def update_pending(self) -> None:
        bridge = self.window.actions
        self.window.status.set_pending(len(bridge.pending()), len(bridge.failed()))

    def show_pending(self) -> QDialog:
        """The pending-actions list (waiting and failed, with the reason; cancel)."""
        if self.pending_dialog is None:
            dialog = QDialog(self.window)
            dialog.setWindowTitle("Pending actions")
            layout = QVBoxLayout(dialog)
            layout.setContentsMargins(0, 0, 0, 0)
            self.pending_view = PendingActionsView(self.window.actions, read_conn=self.window.conn)
            layout.addWidget(self.pending_view)
            # "Cancel action" acts on the selected row; Close (or Escape) closes the dialog.
            close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, dialog)
            close.setContentsMargins(10, 0, 10, 8)
            close.rejected.connect(dialog.reject)
            layout.addWidget(close)
            dialog.resize(520, 360)
            self.pending_dialog = dialog
        self.pending_view.refresh()
        self.pending_dialog.show()
        return self.pending_dialog
