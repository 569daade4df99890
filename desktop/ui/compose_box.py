"""The compose box under the deck: answering the jam.

What goes out is what the counters count: ``compose_answer`` puts the "A3:"
label in front (the question of the post being answered, else the current
question) and the session's hashtag at the end, once per network. Each chosen
network gets its own counter, measured the way that network measures
(``desktop.core.compose.length``), red when over its limit. The box does not
post: it emits ``send_requested`` and the window hands it to the ActionQueue.

The text is saved as a draft through the store writer a moment after every
edit, and a new box for the session starts from it: a draft survives a crash.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Mapping, Sequence

from PySide6.QtCore import QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop.app.source_specs import spec_network
from desktop.core import compose
from desktop.core.actions import Action, ActionState
from desktop.core.views import PostView
from desktop.store import library
from desktop.ui import theme as themes
from desktop.ui.trampoline import Trampoline

log = logging.getLogger("jamdeck.ui.compose")

NETWORK_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky"}
DRAFT_DELAY_MS = 500


def _names(networks) -> str:
    names = [NETWORK_NAMES.get(n, n) for n in networks]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


class ComposeBox(QWidget):
    """``networks``: the networks the user has an account to post with (in order);
    ``followed``: the networks the session follows (default: its sources'); each gets
    a counter and the preview even with no account to send there (the box says why);
    ``question_provider()``: the jam's current question (or None);
    ``limits``: a network's own limit (a Mastodon instance's), else the default;
    ``hashtags``: a network's own hashtag, else the session's main one;
    ``read_conn``: read the draft and the session through it (else through the writer).

    Emits ``send_requested({network: text as it goes out}, reply_to_rowid or None)``.
    """

    send_requested = Signal(dict, object)
    draft_saved = Signal()  # the writer committed the draft (tests, status)

    def __init__(
        self,
        writer,
        session_id: int,
        networks: Sequence[str],
        question_provider: Callable[[], int | None],
        *,
        limits: Mapping[str, int] | None = None,
        hashtags: Mapping[str, str] | None = None,
        followed: Sequence[str] | None = None,
        read_conn: sqlite3.Connection | None = None,
        draft_delay_ms: int = DRAFT_DELAY_MS,
        theme: themes.Theme = themes.LIGHT,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("composeBox")
        self._gui = Trampoline(self)  # writer results back on the GUI thread
        self._writer = writer
        self._read_conn = read_conn
        self.session_id = session_id
        self._question_provider = question_provider
        self._limits = dict(limits or {})
        self._theme = theme
        self.reply_to: PostView | None = None
        self._loading = False

        session = self._read(lambda conn: library.get_session(conn, session_id, count_posts=False))
        self._hashtags = {net: session.hashtag for net in NETWORK_NAMES}
        self._hashtags.update(hashtags or {})
        if followed is None:
            followed = [spec_network(spec) for spec in session.sources]
        self._followed = [n for n in NETWORK_NAMES if n in set(followed)]
        self._accounts: list[str] = []

        self.reply_bar = QWidget(self)
        self.reply_bar.setObjectName("replyBar")
        self.reply_label = QLabel("", self.reply_bar)
        self.reply_label.setTextFormat(Qt.TextFormat.PlainText)  # a handle and post text
        self.reply_cancel = QToolButton(self.reply_bar)
        self.reply_cancel.setText("×")
        self.reply_cancel.setToolTip("Not a reply")
        self.reply_cancel.clicked.connect(self.clear_reply)
        reply_row = QHBoxLayout(self.reply_bar)
        reply_row.setContentsMargins(0, 0, 0, 0)
        reply_row.addWidget(self.reply_label, 1)
        reply_row.addWidget(self.reply_cancel)
        self.reply_bar.hide()

        self.editor = QPlainTextEdit(self)
        self.editor.setObjectName("composeEditor")
        self.editor.setPlaceholderText(
            "Answer the jam… (the A-label and the hashtag are added for you; Ctrl+Enter sends)"
        )
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(64)
        self.editor.textChanged.connect(self.on_text_changed)

        self.checks: dict[str, QCheckBox] = {}
        self.counters: dict[str, QLabel] = {}
        self.networks_row = QHBoxLayout()
        self.networks_row.setContentsMargins(0, 0, 0, 0)
        self.networks_row.setSpacing(14)
        self.networks_row.addStretch(1)
        # Why Send is off (no account, too long), in words; next to the button.
        self.no_accounts = QLabel("", self)
        self.no_accounts.setObjectName("sendBlocked")
        self.no_accounts.setTextFormat(Qt.TextFormat.PlainText)
        self.networks_row.addWidget(self.no_accounts)
        self.preview = QLabel("", self)
        self.preview.setObjectName("composePreview")
        self.preview.setTextFormat(Qt.TextFormat.PlainText)
        # A long answer must not widen the window: the preview is elided to the box's width.
        self.preview.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.preview.setMinimumWidth(1)
        self.preview.installEventFilter(self)  # elided again at its own new width
        self._preview_text = ""
        self.send_button = QPushButton("Send", self)
        self.send_button.setObjectName("sendButton")
        self.send_button.clicked.connect(self.send)
        self.networks_row.addWidget(self.send_button)
        shortcut = QShortcut(QKeySequence("Ctrl+Return"), self.editor)
        shortcut.setContext(Qt.ShortcutContext.WidgetShortcut)
        shortcut.activated.connect(self.send)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        layout.setSpacing(4)
        layout.addWidget(self.reply_bar)
        layout.addWidget(self.editor)
        layout.addWidget(self.preview)
        layout.addLayout(self.networks_row)
        # How the last answer sent from here went (a failure says so where it was made).
        self.result = QLabel("", self)
        self.result.setObjectName("composeResult")
        self.result.setTextFormat(Qt.TextFormat.PlainText)
        self.result.setWordWrap(True)
        self.result.hide()
        layout.addWidget(self.result)

        self._draft_timer = QTimer(self)
        self._draft_timer.setSingleShot(True)
        self._draft_timer.setInterval(draft_delay_ms)
        self._draft_timer.timeout.connect(self.save_draft)

        self.set_networks(networks)
        self._restore_draft()

    # ------------------------------------------------------------ reading
    def _read(self, fn):
        if self._read_conn is not None:
            return fn(self._read_conn)
        return self._writer.call(lambda ctx: fn(ctx.conn), notify=False)

    def _restore_draft(self) -> None:
        # The writer's operations must not hold the widget: its last reference would drop there.
        sid = self.session_id
        draft = self._read(lambda conn: compose.load_draft(conn, sid))
        if draft is None:
            return
        self._loading = True
        try:
            if draft.reply_to is not None:
                views = self._read(lambda conn: library.post_views(conn, sid, [draft.reply_to]))
                if draft.reply_to in views:
                    self.set_reply_to(views[draft.reply_to])
            self.editor.setPlainText(draft.text)
        finally:
            self._loading = False
        self._update()

    # ------------------------------------------------------------ networks
    def set_networks(self, networks: Sequence[str]) -> None:
        """The networks that have an account to post with (a checkbox each); the
        followed ones without an account are shown too, their checkbox off."""
        self._accounts = [n for n in networks if n in NETWORK_NAMES]
        self._rebuild_networks()

    def set_followed(self, networks: Sequence[str]) -> None:
        self._followed = [n for n in NETWORK_NAMES if n in set(networks)]
        self._rebuild_networks()

    def shown_networks(self) -> list[str]:
        """Every network with a counter: the followed ones, those with an account, and
        the network of the post being answered."""
        wanted = set(self._followed) | set(self._accounts)
        if self.reply_to is not None and self.reply_to.network in NETWORK_NAMES:
            wanted.add(self.reply_to.network)
        return [n for n in NETWORK_NAMES if n in wanted]

    def _rebuild_networks(self) -> None:
        shown = self.shown_networks()
        if list(self.counters) == shown and all(
            self.checks[n].property("hasAccount") == (n in self._accounts) for n in shown
        ):
            self._apply_reply_networks()
            self._update()
            return
        chosen = {net for net, box in self.checks.items() if box.isChecked()}
        for box in self.checks.values():
            box.deleteLater()
        for label in self.counters.values():
            label.deleteLater()
        had_choice = any(self.checks[n].property("hasAccount") for n in self.checks)
        self.checks.clear()
        self.counters.clear()
        for position, network in enumerate(shown):
            has_account = network in self._accounts
            box = QCheckBox(NETWORK_NAMES[network], self)
            box.setObjectName(f"network_{network}")
            box.setProperty("hasAccount", has_account)
            box.setChecked(has_account and (network in chosen or not had_choice))
            if not has_account:
                box.setToolTip(f"No {NETWORK_NAMES[network]} account to post with (Accounts…)")
            box.toggled.connect(self._update)
            counter = QLabel("", self)
            counter.setObjectName("lengthCounter")
            self.checks[network] = box
            self.counters[network] = counter
            self.networks_row.insertWidget(2 * position, box)
            self.networks_row.insertWidget(2 * position + 1, counter)
        self._apply_reply_networks()
        self._update()

    def chosen_networks(self) -> list[str]:
        return [
            net
            for net, box in self.checks.items()
            if box.isChecked() and box.isEnabled() and net in self._accounts
        ]

    def set_limit(self, network: str, limit: int) -> None:
        """A network's own limit (a Mastodon instance's ``max_characters``)."""
        self._limits[network] = limit
        self._update()

    def apply_theme(self, theme: themes.Theme) -> None:
        self._theme = theme
        self._update()

    # ------------------------------------------------------------ replies
    def set_reply_to(self, post: PostView | None) -> None:
        """Answer this post: the reply threads under it, on its own network."""
        if post is None:
            self.clear_reply()
            return
        self.reply_to = post
        snippet = " ".join(post.text.split())
        if len(snippet) > 80:
            snippet = snippet[:79] + "…"
        self.reply_label.setText(
            f"Replying to @{post.author_handle} on {NETWORK_NAMES.get(post.network, post.network)}: {snippet}"
        )
        self.reply_bar.show()
        self._rebuild_networks()
        self._update()
        self.editor.setFocus(Qt.FocusReason.OtherFocusReason)
        self._schedule_draft()

    def clear_reply(self) -> None:
        self.reply_to = None
        self.reply_bar.hide()
        self._rebuild_networks()
        self._schedule_draft()

    def _apply_reply_networks(self) -> None:
        # A reply lives on the network of the post it answers; the others sit it out.
        for network, box in self.checks.items():
            box.setEnabled(
                network in self._accounts
                and (self.reply_to is None or network == self.reply_to.network)
            )

    # ------------------------------------------------------------ text and counters
    def question(self) -> int | None:
        """The question the answer gets labelled with."""
        if self.reply_to is not None and self.reply_to.question is not None:
            return self.reply_to.question
        return self._question_provider()

    def composed(self, network: str) -> str:
        """The text as it goes out on ``network``."""
        return compose.compose_answer(
            self.editor.toPlainText(),
            question=self.question(),
            hashtag=self._hashtags.get(network, ""),
            network=network,
        )

    def counted_networks(self) -> list[str]:
        """The networks counted and previewed: the reply's own, else every one shown."""
        if self.reply_to is not None:
            return [n for n in self.shown_networks() if n == self.reply_to.network]
        return self.shown_networks()

    def lengths(self) -> dict[str, tuple[int, int]]:
        """``{network: (used, limit)}`` for every counted network (with an account or not)."""
        return {
            net: compose.length(self.composed(net), net, limit=self._limits.get(net))
            for net in self.counted_networks()
        }

    def over_limit(self) -> list[str]:
        """The chosen networks the text is too long for."""
        chosen = self.chosen_networks()
        return [n for n, (used, limit) in self.lengths().items() if n in chosen and used > limit]

    def blocked_reason(self) -> str:
        """Why Send is off (or what will not happen), in words; "" when all is well."""
        counted, chosen = self.counted_networks(), self.chosen_networks()
        missing = [n for n in counted if n not in self._accounts]
        add = "add one (menu ▸ Accounts…)."
        if self.reply_to is not None and not chosen:
            network = NETWORK_NAMES.get(self.reply_to.network, self.reply_to.network)
            return f"Replying on {network} needs an account there: {add}"
        if not self._accounts:
            return "Add an account to post (menu ▸ Accounts…)."
        if not chosen:
            return "Pick a network to send on."
        over = self.over_limit()
        if over:
            return f"Too long for {_names(over)}."
        if missing:
            return f"Not sent on {_names(missing)}: no account."
        return ""

    def on_text_changed(self) -> None:
        self._update()
        if not self._loading:
            self._schedule_draft()

    def _update(self) -> None:
        lengths = self.lengths()
        for network, counter in self.counters.items():
            if network not in lengths:
                counter.setText("")
                counter.setProperty("over", False)
                counter.setStyleSheet("")
                continue
            used, limit = lengths[network]
            over = used > limit
            # X bills each post it creates (2026): $0.20 with a URL. Shown before sending.
            cost = compose.x_post_cost(self.composed(network)) if network == "x" else None
            counter.setText(f"{used}/{limit}" + (f" · ${cost:.3f}" if cost is not None else ""))
            counter.setToolTip(
                f"{NETWORK_NAMES[network]}: {used} of {limit}"
                + (f", {used - limit} too many" if over else "")
                + (f"; X charges ${cost:.3f} for this post (estimate)" if cost is not None else "")
            )
            counter.setProperty("over", over)
            color = self._theme.error if over else self._theme.muted
            counter.setStyleSheet(f"color: {color};{' font-weight: bold;' if over else ''}")
        has_text = bool(self.editor.toPlainText().strip())
        chosen = self.chosen_networks()
        first = next((n for n in chosen if n in lengths), next(iter(lengths), None))
        self._preview_text = f"Sends: {self.composed(first)}" if has_text and first else ""
        self._elide_preview()
        self.preview.setVisible(bool(self._preview_text))
        reason = self.blocked_reason()
        self.no_accounts.setText(reason)
        self.no_accounts.setProperty("flagged", False)
        self.no_accounts.setVisible(bool(reason))
        # Red once it stops what the user is writing; grey while the box is empty.
        stopping = has_text and (not chosen or bool(self.over_limit()))
        color = self._theme.error if stopping else self._theme.muted
        self.no_accounts.setStyleSheet(f"color: {color};")
        self.send_button.setEnabled(has_text and bool(chosen) and not self.over_limit())
        self.send_button.setToolTip(
            "Send (Ctrl+Enter)" if self.send_button.isEnabled() else (reason or "Nothing to send")
        )

    def preview_text(self) -> str:
        """What the preview line says (before eliding)."""
        return self._preview_text

    def _elide_preview(self) -> None:
        text = " ".join(self._preview_text.split())
        width = max(40, self.preview.width())
        metrics = self.preview.fontMetrics()
        self.preview.setText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))
        self.preview.setToolTip("")

    def eventFilter(self, watched, event) -> bool:
        if watched is self.preview and event.type() == QEvent.Type.Resize:
            self._elide_preview()
        return super().eventFilter(watched, event)

    # ------------------------------------------------------------ sending
    def send(self) -> bool:
        """Emit ``send_requested`` with each chosen network's text; clear the box and the draft."""
        if not self.send_button.isEnabled():
            # Ctrl+Enter too: say why nothing went out, where the user is looking.
            if self.no_accounts.text():
                self.no_accounts.setProperty("flagged", True)
                self.no_accounts.setStyleSheet(f"color: {self._theme.error}; font-weight: bold;")
            else:
                self.show_result("Nothing to send yet.", error=True)
            return False
        texts = {net: self.composed(net) for net in self.chosen_networks()}
        reply_to = self.reply_to.rowid if self.reply_to is not None else None
        self.send_requested.emit(texts, reply_to)
        self._draft_timer.stop()
        self._loading = True
        try:
            self.editor.clear()
        finally:
            self._loading = False
        self.reply_to = None
        self.reply_bar.hide()
        self._rebuild_networks()
        self.show_result(f"Sending on {_names(texts)}…")
        sid = self.session_id
        future = self._writer.submit(lambda ctx: compose.clear_draft(ctx.conn, sid), notify=False)
        self._gui.when_done(future, self._on_draft_done)
        return True

    def show_result(self, text: str, *, error: bool = False) -> None:
        self.result.setText(text)
        self.result.setProperty("error", error)
        color = self._theme.error if error else self._theme.muted
        self.result.setStyleSheet(f"color: {color};{' font-weight: bold;' if error else ''}")
        self.result.setVisible(bool(text))

    def show_action(self, action: Action) -> None:
        """How an answer sent from here went (the window passes every post/reply change)."""
        network = NETWORK_NAMES.get(action.network, action.network)
        what = "Your reply" if action.kind == "reply" else "Your answer"
        if action.state is ActionState.FAILED:
            reason = action.error or "no reason given"
            self.show_result(f"{what} on {network} failed: {reason}", error=True)
        elif action.state is ActionState.CANCELLED:
            self.show_result(f"{what} on {network} was not sent: {action.error or 'cancelled'}")
        elif action.state is ActionState.DONE:
            self.show_result(f"{what} went out on {network}.")
        elif action.state is ActionState.QUEUED and action.error:
            self.show_result(f"{what} on {network} is waiting: {action.error}")

    # ------------------------------------------------------------ the draft
    def _schedule_draft(self) -> None:
        if not self._loading:
            self._draft_timer.start()

    def save_draft(self) -> None:
        """Save the text now (the timer calls it; the window calls it before closing)."""
        self._draft_timer.stop()
        sid, text = self.session_id, self.editor.toPlainText()
        reply_to = self.reply_to.rowid if self.reply_to is not None else None
        future = self._writer.submit(
            lambda ctx: compose.save_draft(ctx.conn, sid, text, reply_to), notify=False
        )
        self._gui.when_done(future, self._on_draft_done)

    def flush_draft(self) -> None:
        """Save a pending edit at once (before the writer closes)."""
        if self._draft_timer.isActive():
            self.save_draft()

    @property
    def draft_pending(self) -> bool:
        return self._draft_timer.isActive()

    def _on_draft_done(self, future) -> None:
        if future.exception() is not None:
            log.warning("could not save the draft: %s", future.exception())
            return
        self.draft_saved.emit()
