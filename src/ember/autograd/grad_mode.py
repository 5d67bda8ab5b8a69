"""Thread-local grad mode and the context managers that switch it.

Each manager also works as a decorator, as in PyTorch (``@ember.no_grad()``).
"""

from __future__ import annotations

import functools
import threading

from .callsite import user_frame

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "inference_mode",
    "is_inference_mode_enabled",
]


class _State(threading.local):
    enabled = True
    inference = False
    #: ``(file, line)`` where the innermost active ``no_grad()`` was entered (None outside
    #: one): ops whose inputs require grad mark their results with it, for ``explain()``.
    site = None


state = _State()


def _caller_site():
    """The first frame outside Ember that entered the block, as ``(file, line)``."""
    f = user_frame(2)
    return None if f is None else (f.f_code.co_filename, f.f_lineno)


def is_grad_enabled() -> bool:
    """True when operations are recorded for autograd in this thread."""
    return state.enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` in this thread."""
    return state.inference


class _DecoratorContextManager:
    """A context manager that can also decorate a function (with or without parentheses)."""

    def __call__(self, func):
        if isinstance(func, type) or not callable(func):
            raise TypeError(f"{type(self).__name__} can only decorate functions")

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()


class no_grad(_DecoratorContextManager):
    """Disable gradient recording: results have ``requires_grad=False`` and no ``grad_fn``."""

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is not None and callable(func):  # bare @no_grad
            return self(func)
        return self

    def __enter__(self):
        self.prev = state.enabled
        self.prev_site = state.site
        state.enabled = False
        state.site = _caller_site()

    def __exit__(self, *exc):
        state.enabled = self.prev
        state.site = self.prev_site
        return False


class enable_grad(_DecoratorContextManager):
    """Re-enable gradient recording, e.g. inside ``no_grad``."""

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is not None and callable(func):
            return self(func)
        return self

    def __enter__(self):
        self.prev = state.enabled
        state.enabled = True

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode to ``mode``; takes effect at once, and as a context manager restores it."""

    def __init__(self, mode: bool):
        self.prev = state.enabled
        self.mode = bool(mode)
        state.enabled = self.mode

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        state.enabled = self.prev
        return False

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad``, and tensors made inside are marked as inference tensors."""

    def __init__(self, mode: bool = True):
        self.mode = mode

    def __new__(cls, mode=True):
        self = super().__new__(cls)
        if callable(mode):
            self.__init__(True)
            return self(mode)
        return self

    def __enter__(self):
        self.prev = (state.enabled, state.inference)
        if self.mode:
            state.enabled, state.inference = False, True

    def __exit__(self, *exc):
        state.enabled, state.inference = self.prev
        return False

    def clone(self):
        return inference_mode(self.mode)
