"""Training-loop lint: opt-in warnings for four classic training-loop mistakes.

PyTorch has no equivalent; the API is Ember's own.  Switch it on with
``set_training_lint(True)`` or the ``training_lint()`` context manager (also a
decorator) and Ember warns, with a :class:`TrainingLintWarning` pointing at the
line of your code that triggered it, when it sees:

1. **Loss history kept across iterations** (``total_loss += loss``,
   ``losses.append(loss)``): at each ``backward()`` the lint keeps weak references to
   the graph roots.  When the roots of five consecutive backward() calls made three or
   more calls ago (or of eight such calls in all) are still alive, something keeps
   every iteration's graph in memory; a few loss variables that are simply still bound
   stay below that.
2. **Missing zero_grad**: at each gradient accumulation into a tensor's ``.grad``,
   the lint compares the tensor with what it was at the previous accumulation (its
   version counter, and a checksum of its values so that writes through ``.data``
   count too).  A tensor updated since then whose ``.grad`` was neither reset nor
   replaced nor zeroed gets new gradients added onto gradients from before the
   update.  This alone can be intended (a GAN's generator loss adds into the
   discriminator's already-used gradients, which are reset before they are used
   again), so the lint warns when it sees it twice in a row without a reset: then
   an update has already used such a mixed gradient.
3. **retain_graph=True in a loop on a growing graph** (a hidden state carried across
   iterations without ``detach()``): the lint counts, per node, the
   ``retain_graph=True`` passes that went through it.  It warns when consecutive
   such passes run again through nodes of earlier passes while the graph grows each
   time (or as soon as the old part holds values that were modified in place since,
   which makes that backward fail).
4. **No ``model.eval()`` around validation**: a top-level Module call under
   ``no_grad()`` or ``inference_mode()`` while the module is in training mode and
   contains layers that behave differently in evaluation (dropout, batch norm with
   running statistics, recurrent layers with dropout).

Each kind of warning is issued at most once per line of user code while the lint is
on (switching it off and on again starts afresh).  When the lint is off, the engine
and ``Module.__call__`` only read one flag.  The lint never changes a value: the
gradients and results are the same with it on or off.
"""

from __future__ import annotations

import functools
import sys
import threading
import types
import warnings
import weakref
import zlib

from ..backend import np as _numpy
from . import engine as _engine
from .callsite import is_internal as _internal
from .grad_mode import state as _grad_state
from .node import AccumulateGrad, SavedTensor

__all__ = [
    "TrainingLintWarning",
    "set_training_lint",
    "is_training_lint_enabled",
    "training_lint",
]

# Read by the engine and Module.__call__: a one-element list, a cheap check when off.
_enabled = [False]

# Check 1: a backward() call is "old" when at least ``_ROOT_AGE`` calls were made since.
# Warn when the roots of ``_KEPT_RUN`` consecutive old calls, or of ``_KEPT_ANY`` old
# calls in all, are still alive.  Loss variables legitimately alive (up to four losses
# per iteration, each in its own variable; or left over from an earlier loop) stay
# below both: they are few, and no new ones join them.
_ROOT_AGE = 3
_KEPT_RUN = 5
_KEPT_ANY = 8
_MAX_TRACKED_CALLS = 64
# Check 3: consecutive growing retain_graph=True passes before warning.
_GROWTH_STREAK = 2


class TrainingLintWarning(UserWarning):
    """A likely training-loop mistake found by the training-loop lint."""


class _State:
    """What the lint remembers between calls (reset when it is switched on or off)."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.warned = set()
        # check 1: [call index, [weakref to root node, ...]] per backward() call
        self.calls = []
        self.n_calls = 0
        # check 2: id(tensor) -> _GradRecord
        self.grads = {}
        # check 3: node -> number of retain_graph=True passes through it
        self.visits = weakref.WeakKeyDictionary()
        self.last_size = None
        self.streak = 0


_state = _State()
# Module calls in progress, per thread (never reset: each call pairs its own +1 and -1).
_calls = threading.local()


def set_training_lint(enabled: bool) -> None:
    """Switch the training-loop lint on or off (globally).

    Switching it on starts afresh: every kind of warning may be issued again, once
    per line of user code.  Switching it off forgets what it tracked.
    """
    enabled = bool(enabled)
    if enabled != _enabled[0]:
        _state.reset()
    _enabled[0] = enabled
    _engine.observer[0] = _ENGINE_OBSERVER if enabled else None


def is_training_lint_enabled() -> bool:
    """True when the training-loop lint is on."""
    return _enabled[0]


class training_lint:
    """Turn the training-loop lint on (or off, with ``enabled=False``) inside a block.

    Works as a context manager (``with ember.autograd.training_lint(): ...``) and as a
    function decorator (``@training_lint()`` or ``@training_lint``).  The previous
    setting is restored on exit.
    """

    def __new__(cls, enabled=True):
        if callable(enabled) and not isinstance(enabled, (bool, int)):
            return cls()(enabled)  # used as ``@training_lint`` without parentheses
        return super().__new__(cls)

    def __init__(self, enabled=True):
        self.enabled = bool(enabled)
        self._prev = []

    def __enter__(self):
        self._prev.append(_enabled[0])
        set_training_lint(self.enabled)
        return self

    def __exit__(self, *exc):
        set_training_lint(self._prev.pop())
        return False

    def __call__(self, func):
        """Decorate ``func`` so that it runs with the lint switched as this manager says."""
        enabled = self.enabled

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            with training_lint(enabled):
                return func(*args, **kwargs)

        return wrapper


# ----- reporting ------------------------------------------------------------------------
def _warn(kind, message):
    """Warn once per ``kind`` and line of user code (the first frame outside Ember)."""
    f = sys._getframe(1)
    level = 2
    while f is not None and _internal(f):
        f = f.f_back
        level += 1
    key = (kind, None, 0) if f is None else (kind, f.f_code.co_filename, f.f_lineno)
    f = None
    if key in _state.warned:
        return
    _state.warned.add(key)
    warnings.warn(message, TrainingLintWarning, stacklevel=level)


# ----- hooks called by the engine ---------------------------------------------------------
def on_backward(tensors, retain_graph, accumulate):
    """Engine hook at the start of a backward pass (checks 1 and 3).

    Only ``backward()`` passes (``accumulate``) are checked: ``autograd.grad`` is what
    the functional higher-order helpers call repeatedly on one graph, by design.
    """
    if not accumulate:
        return
    roots = []
    for t in tensors:
        fn = t.grad_fn
        if fn is not None and fn not in roots:
            roots.append(fn)
    if not roots:
        return
    _check_kept_graphs(roots)
    if retain_graph:
        _check_retained_growth(roots)
    else:
        _state.last_size = None
        _state.streak = 0


def _check_kept_graphs(roots):
    st = _state
    st.n_calls += 1
    now = st.n_calls
    kept = []
    old = 0
    run = best = 0
    prev = None
    for entry in st.calls:
        alive = [n for n in (r() for r in entry[1]) if n is not None]
        if not alive or any(n in roots for n in alive):
            continue  # dead, or backpropagated again now (tracked as this call)
        kept.append(entry)
        if now - entry[0] >= _ROOT_AGE:
            old += 1
            run = run + 1 if prev is not None and entry[0] == prev + 1 else 1
            best = max(best, run)
            prev = entry[0]
    alive = None
    kept.append([now, [weakref.ref(n) for n in roots]])
    st.calls = kept[-_MAX_TRACKED_CALLS:]
    if best >= _KEPT_RUN or old >= _KEPT_ANY:
        _warn(
            "kept-graphs",
            f"Training-loop lint: the graphs of {old} earlier backward() calls are still "
            "alive. Something keeps old losses, with their autograd history, from one "
            "iteration to the next (typically `total_loss += loss` or "
            "`losses.append(loss)`), so every iteration's graph stays in memory and memory "
            "use keeps growing. Keep plain numbers instead: `total_loss += loss.item()`, or "
            "store `loss.detach()`.",
        )


def _graph_nodes(roots):
    seen = set(roots)
    stack = list(roots)
    while stack:
        for child, _ in stack.pop()._next:
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    return [n for n in seen if type(n) is not AccumulateGrad]


def _modified_since_saved(node):
    saved = node._saved
    if type(saved) is not tuple:
        return False
    return any(type(s) is SavedTensor and s.counter[0] != s.version for s in saved)


def _check_retained_growth(roots):
    st = _state
    nodes = _graph_nodes(roots)
    visits = st.visits
    revisited = [n for n in nodes if n in visits]
    for n in nodes:
        visits[n] = visits.get(n, 0) + 1
    size = len(nodes)
    growing = bool(revisited) and st.last_size is not None and size > st.last_size
    st.streak = st.streak + 1 if growing else 0
    st.last_size = size
    if not growing:
        return
    if st.streak >= _GROWTH_STREAK or any(_modified_since_saved(n) for n in revisited):
        most = max(visits[n] for n in revisited) - 1
        _warn(
            "retain-graph-growth",
            "Training-loop lint: backward(retain_graph=True) is running again through the "
            f"graph of earlier iterations, and that graph grows each time ({size} nodes "
            f"now; {len(revisited)} of them were already backpropagated, up to {most} "
            "times). This is the pattern of a hidden state (or another tensor) carried from "
            "one iteration to the next without detach(): retain_graph=True silences the "
            "'backward through the graph a second time' error, but then every backward() "
            "also runs through all previous iterations (slower and slower, more and more "
            "memory) and fails once an optimizer has updated weights the old part saved. "
            "Cut the history at the start of each iteration with `h = h.detach()` and call "
            "backward() without retain_graph=True.",
        )


class _GradRecord:
    __slots__ = ("ref", "grad", "version", "digest", "polluted")


def _digest(arr):
    """A checksum of the values (None where it cannot be taken cheaply)."""
    if type(arr) is not _numpy.ndarray or arr.dtype.hasobject:
        return None
    return zlib.crc32(_numpy.ascontiguousarray(arr).view(_numpy.uint8))


def before_accumulate(var):
    """Engine hook before a gradient is added into ``var.grad`` (check 2).

    Returns what ``after_accumulate`` needs: whether ``var.grad`` now mixes gradients
    from before and after an update of ``var``, and the checksum of ``var``'s values
    (or None when not computed).
    """
    g = var._grad
    rec = _state.grads.get(id(var))
    if g is None or rec is None or rec.ref() is not var or rec.grad() is not g:
        return False, None  # a fresh (reset or replaced) gradient
    digest = None
    changed = var._version_counter[0] != rec.version
    if not changed and rec.digest is not None:
        digest = _digest(var._data)
        changed = digest != rec.digest
    if not changed:  # accumulating on purpose (several backward() per update)
        return rec.polluted and bool(g._data.any()), digest
    if not g._data.any():  # zeroed in place (zero_grad(set_to_none=False), .zero_())
        return False, digest
    if rec.polluted:
        shape = list(var._data.shape)
        _warn(
            "missing-zero-grad",
            "Training-loop lint: backward() is adding new gradients onto a .grad that "
            f"still holds gradients from before the last update of its tensor (shape "
            f"{shape}), and the update before that already used such a mixed gradient. "
            "Gradients accumulate in .grad until they are reset, so without zero_grad() "
            "every step applies the sum of all past gradients and training diverges or "
            "stalls. Call `optimizer.zero_grad()` (or `model.zero_grad()`) once per "
            "iteration, before `loss.backward()`; to accumulate gradients on purpose over "
            "several backward() calls, reset them right after each `optimizer.step()`.",
        )
    return True, digest


def _forget(key):
    def callback(_ref, key=key):
        _state.grads.pop(key, None)

    return callback


def after_accumulate(var, info):
    """Engine hook after a gradient was added into ``var.grad``: remember the state."""
    polluted, digest = info
    g = var._grad
    key = id(var)
    if g is None:
        _state.grads.pop(key, None)
        return
    rec = _state.grads.get(key)
    if rec is None or rec.ref() is not var:
        rec = _GradRecord()
        rec.ref = weakref.ref(var, _forget(key))
        _state.grads[key] = rec
    rec.grad = weakref.ref(g)
    rec.version = var._version_counter[0]
    rec.digest = digest if digest is not None else _digest(var._data)
    rec.polluted = polluted


# ----- hook called by Module.__call__ -----------------------------------------------------
def call_module(module, call, args, kwargs):
    """``Module.__call__`` while the lint is on: ``call(args, kwargs)``, checked (check 4)."""
    depth = getattr(_calls, "depth", 0)
    if depth == 0 and not _grad_state.enabled and module.training:
        _check_eval_mode(module)
    _calls.depth = depth + 1
    try:
        return call(args, kwargs)
    finally:
        _calls.depth = depth


def _mode_sensitive(m):
    """True for layers that compute differently in training and evaluation mode."""
    from ..nn.modules.dropout import _DropoutNd
    from ..nn.modules.normalization import _NormBase
    from ..nn.modules.rnn import RNNBase

    if isinstance(m, _DropoutNd):
        return m.p > 0
    if isinstance(m, _NormBase):
        return bool(m.track_running_stats)
    if isinstance(m, RNNBase):
        return bool(m.dropout) and m.num_layers > 1
    dropout = getattr(m, "dropout", None)  # e.g. MultiheadAttention(dropout=0.1)
    return type(dropout) is float and dropout > 0


def _check_eval_mode(module):
    found = [(name, m) for name, m in module.named_modules() if m.training and _mode_sensitive(m)]
    if not found:
        return
    where = ", ".join(
        f"{type(m).__name__} ({name!r})" if name else type(m).__name__ for name, m in found[:3]
    )
    if len(found) > 3:
        where += f" and {len(found) - 3} more"
    mode = "inference_mode()" if _grad_state.inference else "no_grad()"
    _warn(
        "missing-eval",
        f"Training-loop lint: {type(module).__name__} was called under {mode} while it is "
        "in training mode, and it contains layers that behave differently in training and "
        f"evaluation: {where}. In training mode dropout keeps dropping activations and "
        "batch norm normalises with the current batch's statistics (and updates its running "
        "statistics), so evaluation results are noisy or wrong and evaluating changes the "
        "model. Call `model.eval()` before evaluating and `model.train()` before training "
        "again.",
    )


# What the engine calls while the lint is on (see ``engine.observer``).
_ENGINE_OBSERVER = types.SimpleNamespace(
    on_backward=on_backward, before_accumulate=before_accumulate, after_accumulate=after_accumulate
)
