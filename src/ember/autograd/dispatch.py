"""Dispatch modes: let a transform see every op before it runs.

A *mode* is an object with a ``handle(cls, args, kwargs)`` method.  While a mode is
active (``with mode:``), every ``Node.apply`` call on the thread that entered it goes to
``mode.handle`` instead of running directly; custom ``autograd.Function`` calls go to
``mode.handle_function``.  ``ember.func.vmap`` is built on this: its mode runs each op
once on the whole batch.

While a mode is handling an op it is suspended, so the ops it calls run normally (or go
to the mode below it, which is how nested transforms compose).  Modes are per thread:
other threads keep running ops directly and pay one list check per op while a mode is
active anywhere.
"""

from __future__ import annotations

import threading

__all__ = ["DispatchMode", "current_mode"]

#: Active modes, innermost last.  ``Node.apply`` reads only its truthiness on the hot path.
active_modes: list = []

_get_ident = threading.get_ident


class DispatchMode:
    """Base class of a dispatch mode; subclasses define ``handle`` (and may define
    ``handle_function``).  Use it as a context manager to activate it."""

    _owner = None
    _suspended = False

    def handle(self, cls, args, kwargs):  # pragma: no cover - abstract
        """Run op ``cls`` on ``args``: return what ``cls.apply(*args, **kwargs)`` would."""
        raise NotImplementedError

    def handle_function(self, cls, args):
        """Called before a custom ``autograd.Function`` runs; may raise to refuse it."""

    def run(self, cls, args, kwargs):
        """Run an op with this mode suspended (how ``handle`` calls the real op)."""
        self._suspended = True
        try:
            return cls.apply(*args, **kwargs)
        finally:
            self._suspended = False

    def suspended(self):
        """A context manager in which this mode lets ops run directly."""
        return _Suspended(self)

    def __enter__(self):
        if self._owner is not None:
            raise RuntimeError(f"{type(self).__name__} is already active")
        self._owner = _get_ident()
        active_modes.append(self)
        return self

    def __exit__(self, *exc):
        active_modes.remove(self)
        self._owner = None
        return False


class _Suspended:
    __slots__ = ("mode", "was")

    def __init__(self, mode):
        self.mode = mode

    def __enter__(self):
        self.was = self.mode._suspended
        self.mode._suspended = True

    def __exit__(self, *exc):
        self.mode._suspended = self.was
        return False


def current_mode():
    """The innermost active, not suspended mode of this thread (None if there is none)."""
    me = _get_ident()
    for mode in reversed(active_modes):
        if mode._owner == me and not mode._suspended:
            return mode
    return None
