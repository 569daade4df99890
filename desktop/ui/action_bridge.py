"""Retweet, like, reply: the ActionQueue seen from the GUI thread, and the pending-actions list.

``ActionQueue`` reports every state change from whichever thread made it
(the writer's, its worker's); ``ActionBridge`` re-emits them as one queued
signal, ``action_changed(Action)``, on the GUI thread, and gives the queue a
Qt timer for rate-limited retries. ``PendingActionsView`` lists what is still
waiting (offline, rate limited) and what failed, with the reason, and cancels.

"""

from __future__ import annotations

import concurrent.futures
import functools
import logging
import math
import sqlite3
import time
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app.actions import ActionQueue
from desktop.core.actions import Action, ActionState
from desktop.core.views import PostView
from desktop.sources.base import ActionNotAllowed
from desktop.ui.trampoline import Trampoline

log = logging.getLogger("jamdeck.ui.actions")

KIND_WORDS = {
    "retweet": "Retweet",
    "unretweet": "Undo retweet",
    "like": "Like",
    "unlike": "Undo like",
    "reply": "Reply",
    "post": "Post",
}


class ActionBridge(QObject):
    """``make_queue(on_change=..., schedule=...)`` builds the ActionQueue with the bridge's
    hooks, e.g. ``ActionBridge(lambda **hooks: ActionQueue(writer, sources.get, **hooks))``.

    ``action_changed(Action)``: every state change, on the GUI thread (the deck
    repaints the post; a failed one carries its reason in ``error``).
    ``refused(str)``: the network does not allow it (nothing was recorded).
    """

    action_changed = Signal(object)
    pending_changed = Signal()  # the waiting/failed lists changed (the pending view refreshes)
    refused = Signal(str)

    def __init__(
        self,
        make_queue: Callable[..., ActionQueue],
        *,
        session_id: int | None = None,
        clock: Callable[[], float] = time.time,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session_id = session_id
        self._clock = clock  # the queue's clock (retry times are on it)
        self._failed: dict[int, Action] = {}
        self._closed = False
        self._main = Trampoline(self)
        # Called from the writer's and the queue's threads: through the trampoline,
        # which holds no strong reference to the bridge.
        weak_self, main = weakref.ref(self), self._main

        def report(action: Action) -> None:
            main.run_on_main(_call_alive, weak_self, "_on_changed", action)

        def schedule(delay: float, callback: Callable[[], None]) -> None:
            main.run_on_main(_call_alive, weak_self, "_on_schedule", delay, callback)

        self.queue = make_queue(on_change=report, schedule=schedule)

    # ------------------------------------------------------------ GUI thread
    def _on_changed(self, action: Action) -> None:
        if action.state is ActionState.FAILED and action.id is not None:
            self._failed[action.id] = action
        self.action_changed.emit(action)
        self.pending_changed.emit()

    def _on_schedule(self, delay: float, callback: Callable[[], None]) -> None:
        # A precise timer, rounded up: a coarse one may fire a little early, and
        # run_due() before the reset would leave the action waiting with no timer.
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setTimerType(Qt.TimerType.PreciseTimer)
        timer.timeout.connect(functools.partial(self._on_retry_timer, callback))
        timer.timeout.connect(timer.deleteLater)
        timer.start(max(0, math.ceil(delay * 1000)) + 1)

    def _on_retry_timer(self, callback: Callable[[], None]) -> None:
        callback()  # hands due actions to the queue's worker
        next_at = self.queue.next_retry_at()
        if next_at is not None and next_at > self._clock():
            self._on_schedule(next_at - self._clock(), callback)

    # ------------------------------------------------------------ asking
    def request(
        self,
        kind: str,
        target: PostView | int | None,
        **options,
    ) -> concurrent.futures.Future[Action] | None:
        """Ask the queue; a refusal (not allowed on this network) is reported, not raised."""
        options.setdefault("session_id", self.session_id)
        try:
            return self.queue.request(kind, target, **options)
        except ActionNotAllowed as exc:
            self.refused.emit(f"{KIND_WORDS.get(kind, kind)} is not possible: {exc}")
        except ValueError as exc:
            self.refused.emit(str(exc))
        return None

    def retweet(self, post: PostView):
        return self.request("retweet", post)

    def undo_retweet(self, post: PostView):
        return self.request("unretweet", post)

    def toggle_retweet(self, post: PostView):
        """One click / ``r``: retweet, or undo the retweet the post shows."""
        return self.undo_retweet(post) if post.retweeted_by_me else self.retweet(post)

    def like(self, post: PostView):
        return self.request("like", post)

    def unlike(self, post: PostView):
        return self.request("unlike", post)

    def toggle_like(self, post: PostView):
        return self.unlike(post) if post.liked_by_me else self.like(post)

    def reply(self, post: PostView, text: str, *, account: str | None = None):
        return self.request("reply", post, text=text, account=account)

    def post(self, network: str, text: str, *, account: str | None = None):
        return self.request("post", None, network=network, text=text, account=account)

    def send_answers(self, texts: dict, reply_to_rowid: int | None) -> list:
        """The compose box's ``send_requested``: one post (or reply) per network."""
        futures = []
        for network, text in texts.items():
            if reply_to_rowid is not None:
                future = self.request("reply", reply_to_rowid, network=network, text=text)
            else:
                future = self.request("post", None, network=network, text=text)
            futures.append(future)
        return futures

    # ------------------------------------------------------------ the queue
    def pending(self) -> list[Action]:
        return self.queue.pending()

    def failed(self) -> list[Action]:
        """Failed actions the user has not dismissed yet, oldest first."""
        return sorted(self._failed.values(), key=lambda a: (a.created_at, a.id))

    def dismiss(self, action_id: int) -> None:
        if self._failed.pop(action_id, None) is not None:
            self.pending_changed.emit()

    def cancel(self, action_id: int) -> bool:
        return self.queue.cancel(action_id)

    def fail_waiting(self, network: str, reason: str) -> int:
        """Waiting actions on ``network`` fail with ``reason`` (no account left to run them)."""
        return self.queue.fail_waiting(network, reason)

    def source_back(self, network: str) -> int:
        """A source of ``network`` connected again: its waiting actions run now."""
        return self.queue.source_back(network)

    def retry_now(self) -> int:
        return self.queue.run_due()

    def close(self, *, wait: bool = True) -> None:
        """Stop the queue (queued actions stay in the cache for next time)."""
        if self._closed:
            return
        self._closed = True
        for timer in self.findChildren(QTimer):
            timer.stop()
        self.queue.close(wait=wait)
        self._main.close()


def _call_alive(weak_self: weakref.ref, method: str, *args) -> None:
    target = weak_self()
    if target is not None:
        getattr(target, method)(*args)


def describe_post(conn: sqlite3.Connection | None, action: Action) -> str:
    """ "@ann: the first words…" of the action's post (plain text), or its network."""
    if action.kind == "post" or action.post_rowid is None:
        snippet = " ".join((action.text or "").split())
        return f"on {action.network}: {snippet[:60]}"
    if conn is not None:
        row = conn.execute(
            "SELECT author_handle, text FROM posts WHERE id = ?", (action.post_rowid,)
        ).fetchone()
        if row is not None:
            snippet = " ".join(row[1].split())
            return f"@{row[0]}: {snippet[:60] + ('…' if len(snippet) > 60 else '')}"
    return f"post {action.post_rowid} on {action.network}"


def action_line(action: Action, description: str) -> str:
    if action.state is ActionState.FAILED:
        status = f"failed: {action.error or 'no reason given'}"
    elif action.state is ActionState.RUNNING:
        status = "sending…"
    else:
        status = action.error or "waiting"
    return f"{KIND_WORDS.get(action.kind, action.kind)} {description}\n{status}"


class PendingActionsView(QWidget):
    """The queue the user can see: waiting and failed actions, with the reason; Cancel
    (a waiting one) or Dismiss (a failed one) the selected row."""

    ActionRole = Qt.ItemDataRole.UserRole + 1

    def __init__(
        self,
        bridge: ActionBridge,
        *,
        read_conn: sqlite3.Connection | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pendingActions")
        self._bridge = bridge
        self._conn = read_conn
        title = QLabel("Pending actions", self)
        bold = title.font()
        bold.setBold(True)
        title.setFont(bold)
        self.empty_label = QLabel("Nothing waiting.", self)
        self.list = QListWidget(self)
        self.list.setObjectName("pendingList")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.cancel_button = QPushButton("Cancel action", self)
        self.cancel_button.clicked.connect(self.cancel_selected)
        self.retry_button = QPushButton("Retry now", self)
        self.retry_button.setToolTip("Run the waiting actions whose wait is over")
        self.retry_button.clicked.connect(bridge.retry_now)
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addStretch(1)
        buttons.addWidget(self.retry_button)
        buttons.addWidget(self.cancel_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addWidget(title)
        layout.addWidget(self.empty_label, 1, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        bridge.pending_changed.connect(self.refresh)
        self.refresh()

    def actions(self) -> list[Action]:
        """What the list shows, in order: waiting first, then failed."""
        return [*self._bridge.pending(), *self._bridge.failed()]

    def refresh(self) -> None:
        selected = self.selected_action()
        self.list.clear()
        for action in self.actions():
            item = QListWidgetItem(action_line(action, describe_post(self._conn, action)))
            item.setData(self.ActionRole, action)
            item.setToolTip("")  # the text is untrusted; no rich-text tooltip
            self.list.addItem(item)
            if selected is not None and action.id == selected.id:
                self.list.setCurrentItem(item)
        self.empty_label.setVisible(self.list.count() == 0)
        self.list.setVisible(self.list.count() > 0)
        self._update_buttons()

    def selected_action(self) -> Action | None:
        item = self.list.currentItem()
        return item.data(self.ActionRole) if item is not None else None

    def select(self, action_id: int) -> bool:
        for row in range(self.list.count()):
            if self.list.item(row).data(self.ActionRole).id == action_id:
                self.list.setCurrentRow(row)
                return True
        return False

    def _update_buttons(self) -> None:
        action = self.selected_action()
        failed = action is not None and action.state is ActionState.FAILED
        self.cancel_button.setText("Dismiss" if failed else "Cancel action")
        self.cancel_button.setEnabled(
            action is not None and (failed or action.state is ActionState.QUEUED)
        )
        self.retry_button.setEnabled(any(a.state is ActionState.QUEUED for a in self.actions()))

    def cancel_selected(self) -> bool:
        action = self.selected_action()
        if action is None:
            return False
        if action.state is ActionState.FAILED:
            self._bridge.dismiss(action.id)
            return True
        return self._bridge.cancel(action.id)
