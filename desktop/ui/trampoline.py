"""The one way from a background thread to the GUI thread.

The store writer, the sources, the action queue's worker, the avatar
downloads and the sign-in threads all hand their results to the GUI through a
``Trampoline``: ``run_on_main(fn, *args)`` runs ``fn(*args)`` on the thread the
trampoline lives on (a queued signal carries the call), and not at all once
the trampoline's owner is gone. ``when_done(future, slot)`` is the same for a
future: ``slot(future)`` on the GUI thread when it is done.

Calls from other threads hold no strong reference to the owner: a widget
whose last reference dropped on a worker thread would be destroyed there.
"""

from __future__ import annotations

import concurrent.futures
import functools
import threading
import weakref
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal


class Trampoline(QObject):
    _call = Signal(object)  # a callable of no arguments

    def __init__(self, owner: QObject | None = None) -> None:
        super().__init__(owner)
        self._lock = threading.Lock()
        self._open = True
        # Emitting under the lock means the owner cannot be destroyed halfway
        # through an emit from another thread.
        (owner or self).destroyed.connect(self.close)
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def run_on_main(self, fn: Callable, *args) -> bool:
        """Run ``fn(*args)`` on the GUI thread soon (from any thread). False when the
        call was dropped: the owner is gone or closing."""
        call = functools.partial(fn, *args) if args else fn
        with self._lock:
            if self._open:
                try:
                    self._call.emit(call)
                    return True
                except RuntimeError:  # the C++ object went away without saying so
                    self._open = False
            return False

    def when_done(
        self,
        future: concurrent.futures.Future,
        slot: Callable[[concurrent.futures.Future], None],
    ) -> None:
        """Call ``slot(future)`` on the GUI thread once ``future`` is done; a bound method
        is held weakly (nothing happens if its object is gone by then)."""
        weak_slot = weakref.WeakMethod(slot) if hasattr(slot, "__self__") else lambda: slot

        def deliver(done: concurrent.futures.Future) -> None:
            target = weak_slot()
            if target is not None:
                target(done)

        future.add_done_callback(lambda done: self.run_on_main(deliver, done))

    def caller(self, method: Callable) -> Callable[..., None]:
        """A callable for other threads that runs the bound ``method`` on the GUI thread,
        holding its object weakly (e.g. the store writer's ``on_commit``)."""
        weak_method = weakref.WeakMethod(method)

        def call_alive(*args) -> None:
            target = weak_method()
            if target is not None:
                target(*args)

        return lambda *args: self.run_on_main(call_alive, *args)

    def close(self, *_args) -> None:
        """From now on calls are dropped (the owner is closing)."""
        with self._lock:
            self._open = False

    def _run(self, call: Callable[[], None]) -> None:
        call()
