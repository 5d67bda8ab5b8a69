"""``Work``: the handle an ``async_op=True`` collective returns."""

from __future__ import annotations


class Work:
    """A pending collective: ``wait()`` blocks until it is done and its result is in place."""

    def __init__(self, request, on_done=None):
        self._request = request
        self._on_done = on_done
        self._done = False

    def wait(self, timeout=None) -> bool:
        """Block until the collective has finished; returns True."""
        if not self._done:
            self._request.Wait()
            self._finish()
        return True

    def is_completed(self) -> bool:
        """True once the collective has finished (never blocks)."""
        if not self._done and self._request.Test():
            self._finish()
        return self._done

    def _finish(self):
        self._done = True
        if self._on_done is not None:
            self._on_done()


def completed():
    """A Work that is already done (for calls that finish synchronously)."""
    w = Work(None)
    w._done = True
    return w
