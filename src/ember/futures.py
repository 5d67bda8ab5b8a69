"""``torch.futures``: a ``Future`` holding the result of an asynchronous computation, and
``collect_all`` / ``wait_all`` over several of them.  Thread-safe; callbacks run in the
thread that completes the future (or at once when it is already done)."""

from __future__ import annotations

import threading

__all__ = ["Future", "collect_all", "wait_all"]


class Future:
    """A value that arrives later: ``set_result`` / ``set_exception`` complete it, ``wait``
    blocks until then, ``then`` chains a callback returning a new ``Future``."""

    def __init__(self, *, devices=None):
        self._done = threading.Event()
        self._lock = threading.Lock()
        self._value = None
        self._error = None
        self._callbacks = []

    def done(self) -> bool:
        """True once a result or an exception is set."""
        return self._done.is_set()

    def set_result(self, result) -> None:
        """Complete the future with ``result`` (only once)."""
        self._complete(result, None)

    def set_exception(self, result) -> None:
        """Complete the future with an exception that ``wait``/``value`` raise."""
        if not isinstance(result, BaseException):
            raise TypeError("set_exception expects an Exception")
        self._complete(None, result)

    def _complete(self, value, error):
        with self._lock:
            if self._done.is_set():
                raise RuntimeError("Future can only be marked completed once.")
            self._value, self._error = value, error
            self._done.set()
            callbacks, self._callbacks = self._callbacks, []
        for cb in callbacks:
            cb(self)

    def wait(self):
        """Block until the future completes; its value (or raise its exception)."""
        self._done.wait()
        return self.value()

    def value(self):
        """The value of a completed future (raises its exception, if it has one)."""
        if not self._done.is_set():
            raise RuntimeError("Future is not completed yet.")
        if self._error is not None:
            raise self._error
        return self._value

    def add_done_callback(self, callback) -> None:
        """Call ``callback(self)`` when the future completes (now, if it has)."""
        with self._lock:
            if not self._done.is_set():
                self._callbacks.append(callback)
                return
        callback(self)

    def then(self, callback) -> Future:
        """A new future completed with ``callback(self)`` once this one completes."""
        out = Future()

        def run(fut):
            try:
                out.set_result(callback(fut))
            except BaseException as e:  # noqa: BLE001 - handed to the chained future
                out.set_exception(e)

        self.add_done_callback(run)
        return out


def collect_all(futures) -> Future:
    """A future completed (with the list of ``futures``) when all of them are."""
    futures = list(futures)
    out = Future()
    if not futures:
        out.set_result([])
        return out
    remaining = [len(futures)]
    lock = threading.Lock()

    def one_done(_):
        with lock:
            remaining[0] -= 1
            last = remaining[0] == 0
        if last:
            out.set_result(futures)

    for f in futures:
        f.add_done_callback(one_done)
    return out


def wait_all(futures) -> list:
    """Wait for every future; their values (raises the first exception met)."""
    return [f.wait() for f in collect_all(futures).wait()]
