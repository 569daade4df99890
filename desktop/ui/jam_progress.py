"""How far the jam has come: the session's post count, the questions asked and how
many answers each has, shown in the question strip, the sidebar and the status bar."""

from __future__ import annotations

from desktop.core.session import Session
from desktop.store import library


class JamProgress:
    def __init__(self, window) -> None:
        self.window = window
        self.posts = 0
        self.question_counts: dict[int, int] = {}
        self.question_texts: dict[int, tuple[str, float]] = {}

    def current_question(self) -> int | None:
        """The jam's current question: the last one asked."""
        return max(self.question_texts) if self.question_texts else None

    def load(self, session: Session) -> None:
        """The counts as the library has them (a session opened, a replay stopped)."""
        conn = self.window.conn
        self.posts = session.posts
        self.question_texts = library.question_texts(conn, session.id)
        self.question_counts = library.question_counts(conn, session.id)
        self.show()

    def restart(self) -> None:
        """A replay counts its posts from zero, as if the jam were live."""
        self.posts, self.question_counts = 0, {}
        self.window.status.arrivals.clear()
        self.show()

    def recount_answers(self, session_id: int) -> None:
        self.question_counts = library.question_counts(self.window.conn, session_id)
        self.show()

    def on_flushed(self, records: list) -> None:
        """Posts shown by a deck flush: count them, and the answers to each question."""
        window = self.window
        if not records or window.session is None:
            return
        self.posts += len(records)
        new_question = False
        for record in records:
            if record.is_question and record.question is not None:
                new_question = True
            elif record.question is not None:
                count = self.question_counts.get(record.question, 0)
                self.question_counts[record.question] = count + 1
        if new_question:
            self.question_texts = library.question_texts(window.conn, window.session.id)
        if not window.replay_bar.replay.replaying:
            # A replay of the cached session counts from zero in the deck, but the
            # session in the sidebar still holds every post it held.
            last = max(r.created_at for r in records)
            window.sessions.update_count(window.session.id, self.posts, last)
        self.show()
        window.status.arrived(len(records))

    def show(self) -> None:
        self.window.questions.set_questions(self.question_texts, self.question_counts)
        self.window.status.set_posts(self.posts)
