"""The action queue: retweet, like, their undos and replies, carried out in the background.

A request is recorded in the cache (state ``queued``) and the post's
"retweeted/liked by me" flag flips in the same transaction, so the deck shows
the new state at once; a background worker then calls the post's own source.

Outcomes, as the user sees them on the post:

- ``done``: the network did it (its id for what it created is kept);
- ``failed``: not allowed on this network/tier, credentials rejected, or an
  unexpected error: the reason is kept and the flag is rolled back;
- still ``queued``: rate limited (``error`` says until when; it runs again at
  the reset time), or offline / no source connected (it runs when
  ``source_back(network)`` says the network is back).

Nothing is lost: queued actions are in the table and a new queue reloads them.
Undoing a retweet that has not been sent yet just cancels it.

``on_change(action)`` is called for every state change, from whichever thread
made it (the UI bridges it to the GUI thread). ``executor`` runs the network
calls (one worker by default, so actions on a post run in the order asked);
tests pass ``synchronous_executor()`` (only with a ``threaded=False`` writer: run
on a threaded writer's own thread, its waits would deadlock). ``schedule(delay_seconds, callback)``, when
given, is how a rate-limited retry gets woken up (the UI passes a
single-shot timer); without it call ``run_due()`` now and then.
"""

from __future__ import annotations

import concurrent.futures
import inspect
import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime

from desktop.core.actions import (
    CAPABILITY_OF,
    FLAG_OF,
    KINDS,
    RATE_LIMIT_FALLBACK,
    UNDOES,
    Action,
    ActionState,
)
from desktop.core.views import PostView
from desktop.sources.base import (
    ActionNotAllowed,
    RateLimitedError,
    Source,
    SourceAuthError,
    SourceError,
    SourceOfflineError,
)
from desktop.store import actions as action_store

log = logging.getLogger("jamdeck.actions")


class _SynchronousExecutor(concurrent.futures.Executor):
    """Runs each task at once, in the caller's thread (tests, the CLI)."""

    def submit(self, fn, /, *args, **kwargs):
        future: concurrent.futures.Future = concurrent.futures.Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as exc:  # handed to the future, like a pool would
            future.set_exception(exc)
        return future


def synchronous_executor() -> concurrent.futures.Executor:
    return _SynchronousExecutor()


def _clock_text(ts: float) -> str:
    return datetime.fromtimestamp(ts).astimezone().strftime("%H:%M")


def _accepts_remote_id(method: Callable) -> bool:
    try:
        return "remote_id" in inspect.signature(method).parameters
    except (TypeError, ValueError):
        return False


class ActionQueue:
    def __init__(
        self,
        writer,
        sources: Callable[[str], Source | None],
        *,
        executor: concurrent.futures.Executor | None = None,
        clock: Callable[[], float] = time.time,
        on_change: Callable[[Action], None] | None = None,
        schedule: Callable[[float, Callable[[], None]], None] | None = None,
    ) -> None:
        self._writer = writer
        self._sources = sources
        self._own_executor = executor is None
        self._executor = executor or concurrent.futures.ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="jamdeck-actions"
        )
        self._clock = clock
        self._on_change = on_change
        self._schedule = schedule
        self._lock = threading.Lock()
        self._closed = False
        # Actions not finished yet (queued or running), by id.
        self._open: dict[int, Action] = {}
        for action in writer.call(
            lambda ctx: action_store.unfinished_actions(ctx.conn), notify=False
        ):
            # A crash interrupted a running one: it runs again (the networks treat
            # a repeated retweet/like as already done or refuse it harmlessly).
            self._open[action.id] = action.replace(state=ActionState.QUEUED)

    # ------------------------------------------------------------------ asking

    def request(
        self,
        kind: str,
        target: PostView | int | None,
        *,
        network: str | None = None,
        text: str | None = None,
        session_id: int | None = None,
        account: str | None = None,
    ) -> concurrent.futures.Future[Action]:
        """Ask for ``kind`` on a post (a ``PostView`` or its rowid with ``network=``).

        Raises ``ActionNotAllowed`` at once (nothing recorded) when the post's
        connected source cannot do it; the reason is the source's own words.
        Returns a future of the recorded action (or of the queued action an undo
        cancelled). Replies take ``text``; a new post is ``("post", None,
        network=..., text=...)``.
        """
        if kind not in KINDS:
            raise ValueError(f"unknown action {kind!r} (one of {', '.join(KINDS)})")
        post_rowid = target.rowid if isinstance(target, PostView) else target
        network = target.network if isinstance(target, PostView) else network
        if network is None:
            raise TypeError("network= is needed when the post is given by its rowid")
        if kind != "post" and post_rowid is None:
            raise TypeError(f"{kind} needs a post")
        if kind in ("reply", "post") and not (text or "").strip():
            raise ValueError("nothing to post")
        self._check_capability(kind, network)

        undone = self._queued_opposite(kind, post_rowid)
        if undone is not None:
            future: concurrent.futures.Future[Action] = concurrent.futures.Future()
            future.set_result(self._cancel(undone, reason=f"undone before it was sent ({kind})"))
            return future

        now = self._clock()

        def record(ctx) -> Action:
            previous = None
            flag = FLAG_OF.get(kind)
            if flag and post_rowid is not None:
                _net, retweeted, liked = action_store.post_network_and_flags(ctx.conn, post_rowid)
                previous = retweeted if flag[0] == "retweeted_by_me" else liked
            action = Action(
                id=None,
                kind=kind,
                network=str(network),
                state=ActionState.QUEUED,
                post_rowid=post_rowid,
                session_id=session_id,
                created_at=now,
                updated_at=now,
                text=text,
                previous=previous,
                account=account,
            )
            return action_store.insert_action(ctx.conn, action)

        recorded = self._writer.submit(record, notify=False)
        result: concurrent.futures.Future[Action] = concurrent.futures.Future()

        def recorded_done(f: concurrent.futures.Future) -> None:
            if f.exception() is not None:
                result.set_exception(f.exception())
                return
            action = f.result()
            with self._lock:
                self._open[action.id] = action
            self._changed(action)
            result.set_result(action)
            self._dispatch(action.id)

        recorded.add_done_callback(recorded_done)
        return result

    def _check_capability(self, kind: str, network: str) -> None:
        source = self._sources(network)
        if source is None:
            return  # not connected: it waits; the source decides when it is back
        capability = CAPABILITY_OF[kind]
        if not getattr(source.capabilities, capability, False):
            raise ActionNotAllowed(source.capabilities.reason(capability))

    def _queued_opposite(self, kind: str, post_rowid: int | None) -> Action | None:
        opposite = UNDOES.get(kind)
        if opposite is None or post_rowid is None:
            return None
        with self._lock:
            for action in reversed(list(self._open.values())):
                if action.post_rowid == post_rowid and action.kind == opposite:
                    return action if action.state is ActionState.QUEUED else None
        return None

    # ------------------------------------------------------------------ the queue

    def pending(self) -> list[Action]:
        """Actions waiting or running, oldest first (the queue the user sees)."""
        with self._lock:
            return sorted(self._open.values(), key=lambda a: (a.created_at, a.id))

    def get(self, action_id: int) -> Action | None:
        with self._lock:
            if action_id in self._open:
                return self._open[action_id]
        return self._writer.call(
            lambda ctx: action_store.get_action(ctx.conn, action_id), notify=False
        )

    def cancel(self, action_id: int) -> bool:
        """Cancel a queued action (one already being sent cannot be): its flag rolls back."""
        with self._lock:
            action = self._open.get(action_id)
        if action is None or action.state is not ActionState.QUEUED:
            return False
        self._cancel(action, reason="cancelled")
        return True

    def _cancel(self, action: Action, *, reason: str) -> Action:
        with self._lock:
            current = self._open.pop(action.id, None)
        if current is None:
            return action
        cancelled = current.replace(
            state=ActionState.CANCELLED, error=reason, updated_at=self._clock()
        )
        self._writer.call(
            lambda ctx: action_store.update_action(ctx.conn, cancelled, roll_back=True),
            notify=False,
        )
        self._changed(cancelled)
        return cancelled

    def fail_waiting(self, network: str, reason: str) -> int:
        """Fail every waiting action on ``network`` with ``reason`` (its account was
        removed: it would otherwise wait for ever); their flags roll back. Returns how many."""
        with self._lock:
            doomed = [
                a
                for a in self._open.values()
                if a.network == network and a.state is ActionState.QUEUED
            ]
        for action in doomed:
            self._settle(
                action.replace(state=ActionState.FAILED, error=reason, retry_at=None),
                roll_back=True,
            )
        return len(doomed)

    def source_back(self, network: str) -> int:
        """A source of ``network`` (re)connected: run its waiting actions. Returns how many."""
        return self._run_where(lambda a: a.network == network)

    def run_due(self) -> int:
        """Run every waiting action whose rate-limit reset has passed (or that never
        was rate limited): the timer's and the "retry now" button's call."""
        return self._run_where(lambda a: True)

    def next_retry_at(self) -> float | None:
        with self._lock:
            times = [a.retry_at for a in self._open.values() if a.retry_at is not None]
        return min(times) if times else None

    def _run_where(self, wanted: Callable[[Action], bool]) -> int:
        now = self._clock()
        with self._lock:
            due = [
                a.id
                for a in sorted(self._open.values(), key=lambda a: (a.created_at, a.id))
                if a.state is ActionState.QUEUED
                and wanted(a)
                and (a.retry_at is None or a.retry_at <= now)
            ]
        for action_id in due:
            self._dispatch(action_id)
        return len(due)

    def close(self, *, wait: bool = True) -> None:
        """Stop taking work; queued actions stay in the table for next time."""
        self._closed = True
        if self._own_executor:
            self._executor.shutdown(wait=wait, cancel_futures=True)

    # ------------------------------------------------------------------ running

    def _dispatch(self, action_id: int) -> None:
        if self._closed:
            return
        try:
            self._executor.submit(self._run, action_id)
        except RuntimeError:  # the executor shut down meanwhile: it stays queued
            log.info("action %s left queued (shutting down)", action_id)

    def _run(self, action_id: int) -> None:
        with self._lock:
            action = self._open.get(action_id)
            if action is None or action.state is not ActionState.QUEUED:
                return  # cancelled, or already being run
            if action.retry_at is not None and action.retry_at > self._clock():
                return  # still rate limited: the scheduled retry will come back
            source = self._sources(action.network)
            if source is None:
                waiting = None
            else:
                waiting = action.replace(state=ActionState.RUNNING, updated_at=self._clock())
                self._open[action_id] = waiting
        if source is None:
            self._wait_offline(action)
            return
        self._changed(waiting)
        try:
            remote_id = self._call(source, waiting)
        except RateLimitedError as exc:
            reset = (
                exc.reset_at.timestamp() if exc.reset_at else self._clock() + RATE_LIMIT_FALLBACK
            )
            self._settle(
                waiting.replace(
                    state=ActionState.QUEUED,
                    retry_at=reset,
                    error=f"rate limited until {_clock_text(reset)}",
                )
            )
            if self._schedule is not None:
                self._schedule(max(0.0, reset - self._clock()), self.run_due)
        except SourceOfflineError:
            self._wait_offline(waiting)
        except SourceAuthError as exc:
            self._settle(
                waiting.replace(state=ActionState.FAILED, error=f"credentials rejected: {exc}"),
                roll_back=True,
            )
        except ActionNotAllowed as exc:
            self._settle(
                waiting.replace(state=ActionState.FAILED, error=f"not allowed: {exc}"),
                roll_back=True,
            )
        except SourceError as exc:
            self._settle(waiting.replace(state=ActionState.FAILED, error=str(exc)), roll_back=True)
        except Exception as exc:  # an adapter bug must not kill the queue; the user sees it
            log.exception("action %s failed unexpectedly", action_id)
            self._settle(
                waiting.replace(state=ActionState.FAILED, error=f"unexpected error: {exc}"),
                roll_back=True,
            )
        else:
            self._settle(
                waiting.replace(
                    state=ActionState.DONE, remote_id=remote_id, error=None, retry_at=None
                )
            )

    def _wait_offline(self, action: Action) -> None:
        self._settle(
            action.replace(
                state=ActionState.QUEUED, error=f"offline: will run when {action.network} is back"
            )
        )

    def _call(self, source: Source, action: Action) -> str | None:
        if action.kind == "post":
            created = source.reply(action.text or "", in_reply_to=None)
            return created.id if created is not None else None
        post = self._writer.call(
            lambda ctx: action_store.stored_post(ctx.conn, action.post_rowid), notify=False
        )
        if action.kind == "reply":
            created = source.reply(action.text or "", in_reply_to=post)
            return created.id if created is not None else None
        method = getattr(source, action.kind)
        if action.kind in ("unretweet", "unlike"):
            undone = UNDOES[action.kind]
            remote_id = self._writer.call(
                lambda ctx: action_store.last_remote_id(ctx.conn, action.post_rowid, undone),
                notify=False,
            )
            if remote_id and _accepts_remote_id(method):
                method(post, remote_id=remote_id)
                return None
            method(post)
            return None
        result = method(post)
        return str(result) if result is not None else None

    def _settle(self, action: Action, *, roll_back: bool = False) -> None:
        action = action.replace(updated_at=self._clock())
        with self._lock:
            if action.state in (ActionState.QUEUED, ActionState.RUNNING):
                self._open[action.id] = action
            else:
                self._open.pop(action.id, None)
        self._writer.call(
            lambda ctx: action_store.update_action(ctx.conn, action, roll_back=roll_back),
            notify=False,
        )
        self._changed(action)

    def _changed(self, action: Action) -> None:
        if self._on_change is None:
            return
        try:
            self._on_change(action)
        except Exception:  # a listener's bug must not stop the queue
            log.exception("on_change listener failed")
