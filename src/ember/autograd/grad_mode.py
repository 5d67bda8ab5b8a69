"""Thread-local grad mode and inference mode, and the context managers that switch them.

Each manager also works as a decorator, as in PyTorch (``@ember.no_grad()``, on
functions, methods and generator functions).

``state.enabled`` is what ops ask (one attribute read): whether to record.  It is off
inside ``inference_mode()`` whatever the grad mode says; there ``no_grad``/``enable_grad``
change only the grad mode that ``is_grad_enabled()`` reports, as in PyTorch.
"""

from __future__ import annotations

import functools
import inspect
import threading
import warnings

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
    #: Ops record a graph (grad mode on and not in inference mode).
    enabled = True
    #: Inside ``inference_mode()``: tensors made here are inference tensors.
    inference = False
    #: The grad mode reported inside inference mode (where ``enabled`` stays False).
    grad_in_inference = False
    #: ``(file, line)`` where the innermost active ``no_grad()`` was entered (None outside
    #: one): ops whose inputs require grad mark their results with it, for ``explain()``.
    site = None


state = _State()

#: How many ``inference_mode()`` regions are open in any thread: tensor construction
#: asks the thread-local state only while this is non-zero (a cheap check otherwise).
inference_regions = [0]
_regions_lock = threading.Lock()


def _count_region(delta):
    with _regions_lock:
        inference_regions[0] += delta


def _caller_site():
    """The first frame outside Ember that entered the block, as ``(file, line)``."""
    f = user_frame(2)
    return None if f is None else (f.f_code.co_filename, f.f_lineno)


def is_grad_enabled() -> bool:
    """True when grad mode is on in this thread."""
    return state.grad_in_inference if state.inference else state.enabled


def _set_grad(mode):
    if state.inference:
        state.grad_in_inference = mode
    else:
        state.enabled = mode


def _saved():
    return state.enabled, state.inference, state.grad_in_inference


def _restore(saved):
    state.enabled, state.inference, state.grad_in_inference = saved


def is_inference_mode_enabled() -> bool:
    """True inside ``inference_mode()`` in this thread."""
    return state.inference


_CLASS_DECORATION = (
    "Decorating classes is deprecated and will be disabled in future versions. You should "
    "only decorate functions or methods. To preserve the current behavior of class "
    "decoration, you can directly decorate the `__init__` method and nothing else."
)


class _DecoratorContextManager:
    """A context manager that can also decorate a function (with or without parentheses)."""

    def __call__(self, func):
        if inspect.isclass(func):
            warnings.warn(_CLASS_DECORATION, FutureWarning, stacklevel=2)
            cls = func

            def func(*args, **kwargs):
                return cls(*args, **kwargs)

            return self(func)
        if inspect.isgeneratorfunction(func):
            return _wrap_generator(self, func)

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with self.clone():
                return func(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()


def _wrap_generator(manager, func):
    """``func`` (a generator function) run under ``manager`` at every step, and outside it
    between steps, as PyTorch's decorators wrap generators."""

    @functools.wraps(func)
    def generator(*args, **kwargs):
        gen = func(*args, **kwargs)
        with manager.clone():
            done, item = _step(gen.send, None)
        while not done:
            try:
                sent = yield item
            except GeneratorExit:
                with manager.clone():
                    gen.close()
                raise
            except BaseException as e:  # delivered into the generator, under the mode
                with manager.clone():
                    done, item = _step(gen.throw, e)
            else:
                with manager.clone():
                    done, item = _step(gen.send, sent)
        return item

    return generator


def _step(advance, arg):
    """``(finished, value)`` of one step of a generator: what it yielded, or returned."""
    try:
        return False, advance(arg)
    except StopIteration as stop:
        return True, stop.value


class grad_off:
    """``no_grad`` for Ember's own bookkeeping (an optimizer's step): the same switch,
    without looking up the user's line, which only user-level blocks report."""

    __slots__ = ("prev",)

    def __enter__(self):
        st = state
        self.prev = (st.enabled, st.inference, st.grad_in_inference)
        if st.inference:
            st.grad_in_inference = False
        else:
            st.enabled = False

    def __exit__(self, *exc):
        state.enabled, state.inference, state.grad_in_inference = self.prev
        return False


class no_grad(_DecoratorContextManager):
    """Disable gradient recording: results have ``requires_grad=False`` and no ``grad_fn``."""

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is not None and callable(func):  # bare @no_grad
            return self(func)
        return self

    def __enter__(self):
        self.prev = _saved()
        self.prev_site = state.site
        _set_grad(False)
        state.site = _caller_site()

    def __exit__(self, *exc):
        _restore(self.prev)
        state.site = self.prev_site
        return False


class enable_grad(_DecoratorContextManager):
    """Re-enable gradient recording, e.g. inside ``no_grad`` (not inside inference mode,
    where only ``is_grad_enabled()`` changes)."""

    def __new__(cls, func=None):
        self = super().__new__(cls)
        if func is not None and callable(func):
            return self(func)
        return self

    def __enter__(self):
        self.prev = _saved()
        _set_grad(True)

    def __exit__(self, *exc):
        _restore(self.prev)
        return False


class set_grad_enabled(_DecoratorContextManager):
    """Set grad mode to ``mode``; takes effect at once, and as a context manager restores it."""

    def __init__(self, mode: bool):
        self.prev = _saved()
        self.mode = bool(mode)
        _set_grad(self.mode)

    def __enter__(self):
        pass

    def __exit__(self, *exc):
        _restore(self.prev)
        return False

    def clone(self):
        return set_grad_enabled(self.mode)


class inference_mode(_DecoratorContextManager):
    """Like ``no_grad``, and tensors made inside are inference tensors: they never enter
    autograd, and outside inference mode they refuse in-place changes.

    ``inference_mode(False)`` turns inference mode off (grad mode on) inside an
    ``inference_mode()`` region.  Also a decorator, with or without parentheses.
    """

    def __new__(cls, mode=True):
        if not isinstance(mode, bool):  # @inference_mode on a function
            return cls()(mode)
        return super().__new__(cls)

    def __init__(self, mode: bool = True):
        self.mode = mode

    def __enter__(self):
        self.prev = _saved()
        if self.mode:
            state.enabled, state.inference, state.grad_in_inference = False, True, False
            _count_region(1)
        else:
            state.enabled, state.inference = True, False

    def __exit__(self, *exc):
        _restore(self.prev)
        if self.mode:
            _count_region(-1)
        return False

    def clone(self):
        return inference_mode(self.mode)
