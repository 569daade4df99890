"""The panes that belong to the open session: the compose box under the deck and
the quote list beside it (each made on first use, moved along with the session)."""

from __future__ import annotations


def open_compose(window, session_id: int):
    """A compose box for the session under the deck (it starts from the session's
    saved draft); the previous one saves its draft and goes."""
    from desktop.ui.compose_box import ComposeBox

    if window.compose is not None:
        window.compose.flush_draft()
        window.workspace_layout.removeWidget(window.compose)
        window.compose.hide()
        window.compose.deleteLater()
    compose = ComposeBox(
        window.writer,
        session_id,
        window.account_context.acting_networks(),
        window.progress.current_question,
        read_conn=window.conn,
        theme=window.theme,
    )
    compose.send_requested.connect(window.post_actions.on_send_requested)
    window.workspace_layout.addWidget(compose)
    return compose


def open_quote_panel(window, session_id: int):
    """The quote panel, now showing the session's quote list."""
    from desktop.ui.quote_panel import QuotePanel

    if window.quote_panel is None:
        panel = QuotePanel(window.writer, window.conn, session_id)
        panel.error.connect(window.show_notice)
        window.quotes_layout.addWidget(panel)
        return panel
    window.quote_panel.set_session(session_id)
    return window.quote_panel
