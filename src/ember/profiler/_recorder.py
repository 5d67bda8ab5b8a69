"""Recording: who tells the profiler what ran, and the sessions that keep it.

Nothing here runs unless a profile is recording.  While one is, four plug-ins are in:

* a dispatch mode (the same hook vmap uses) that sees every ``Node.apply`` on the
  recording thread and times the op;
* the engine's ``profiled_backward`` slot, which runs each backward node as a timed range
  (``autograd::engine::evaluate_function: MulBackward0`` around ``MulBackward0``);
* the engine's ``observer`` (chained to the training-loop lint when that is on), told of
  each accumulation into a leaf's ``.grad`` (``torch::autograd::AccumulateGrad``);
* global optimizer step hooks (``Optimizer.step#SGD.step``) and the optimizer's
  ``profiled_range`` slot for ``zero_grad``.

Op names: a node's PyTorch ``grad_fn`` name without ``Backward<N>``, in snake case, under
``aten::`` (``AddmmBackward0`` -> ``aten::addmm``, ``MseLossBackward0`` ->
``aten::mse_loss``).  When the public function that made the node has another name
(``linear`` makes an ``AddmmBackward0``), the op is shown as that function's range with
the node's op inside it (``aten::linear`` around ``aten::addmm``), as PyTorch nests them.
"""

from __future__ import annotations

import itertools
import os
import re
import sys
import threading
import time

from ..autograd import engine as _engine
from ..autograd import node as _node
from ..autograd.dispatch import DispatchMode

_now = time.perf_counter_ns
_local = threading.local()
_lock = threading.Lock()
#: Sessions now recording (a list, so that ``record_function`` pays one truth test when
#: nothing records).
sessions: list = []
_ids = itertools.count()
_EMBER_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class Record:
    """An open or closed range, as the recorder sees it (nanosecond clock readings)."""

    __slots__ = ("id", "name", "start", "parent", "shapes", "stack", "user", "seq", "alloc")
    __slots__ += ("sessions", "thread")

    def __init__(self, name, parent, user, seq):
        self.id = next(_ids)
        self.name = name
        self.parent = parent
        self.user = user
        self.seq = seq
        self.shapes = None
        self.stack = None
        self.alloc = 0
        self.thread = threading.get_native_id()
        self.sessions = tuple(sessions)


class Session:
    """The records of one recording period (``profile.start`` to ``profile.stop``)."""

    def __init__(self, record_shapes=False, profile_memory=False, with_stack=False):
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.closed = []  # (record, end) pairs
        self.t0 = None
        self.running = False

    def events(self):
        """The session's records as ``FunctionEvent``s, in start order, linked as nested."""
        from ._events import EventList, FunctionEvent

        pairs = sorted(self.closed, key=lambda p: (p[0].start, p[0].id))
        by_rec = {}
        out = []
        for n, (rec, end) in enumerate(pairs):
            ev = FunctionEvent(n + 1, rec.name, rec.thread, (rec.start - self.t0) / 1e3,
                               (end - self.t0) / 1e3, rec.shapes if rec.shapes is not None else [],
                               rec.stack or [], rec.user, rec.seq)  # fmt: skip
            ev.cpu_memory_usage = rec.alloc
            if rec.name.startswith("ProfilerStep#"):
                ev.name = "ProfilerStep*"  # steps average together, as in PyTorch's tables
            by_rec[rec] = ev
            out.append(ev)
        for rec, _ in pairs:
            parent = rec.parent
            while parent is not None and parent not in by_rec:
                parent = parent.parent  # opened before this session: its nearest recorded one
            if parent is not None:
                child, up = by_rec[rec], by_rec[parent]
                child.cpu_parent = up
                up.cpu_children.append(child)
        # Memory of a range is what it and everything inside it allocated.
        for ev in reversed(out):
            if ev.cpu_parent is not None:
                ev.cpu_parent.cpu_memory_usage += ev.cpu_memory_usage
        return EventList(out, profile_memory=self.profile_memory, with_stack=self.with_stack)


def _stack():
    s = getattr(_local, "stack", None)
    if s is None:
        s = _local.stack = []
    return s


def open_range(name, user=False, args=None, kwargs=None, seq=-1):
    """Open a timed range on this thread (None when nothing records)."""
    if not sessions:
        return None
    st = _stack()
    rec = Record(name, st[-1] if st else None, user, seq)
    if args is not None and any(s.record_shapes for s in rec.sessions):
        rec.shapes = _shapes(args, kwargs)
    if any(s.with_stack for s in rec.sessions):
        rec.stack = _user_stack()
    st.append(rec)
    rec.start = _now()
    return rec


def close_range(rec, outputs=None):
    """Close a range opened by ``open_range`` (ranges left open inside it close too)."""
    if rec is None:
        return
    end = _now()
    st = _stack()
    if rec not in st:  # closed already, or opened on another thread
        return
    if outputs is not None and any(s.profile_memory for s in rec.sessions):
        rec.alloc = _nbytes(outputs)
    while st:
        top = st.pop()
        for s in top.sessions:
            if s.running:
                s.closed.append((top, end))
        if top is rec:
            break


def _shapes(args, kwargs):
    Tensor = _node.Tensor
    out = [list(a._data.shape) if isinstance(a, Tensor) else [] for a in args]
    if kwargs:
        out += [[] for _ in kwargs]
    return out


def _nbytes(outputs):
    Tensor = _node.Tensor
    outs = outputs if isinstance(outputs, tuple) else (outputs,)
    return sum(o._data.nbytes for o in outs if isinstance(o, Tensor))


def _user_stack():
    frames = []
    f = sys._getframe(2)
    while f is not None:
        file = f.f_code.co_filename
        if not file.startswith(_EMBER_DIR):
            frames.append(f"{file}({f.f_lineno}): {f.f_code.co_name}")
        f = f.f_back
    return frames


# ----- op names ---------------------------------------------------------------------------
_names: dict = {}


def _snake(name):
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


def op_names(cls):
    """The range names an op node is shown under (outermost first)."""
    names = _names.get(cls)
    if names is None:
        names = _names[cls] = _derive_names(cls)
    return names


def _derive_names(cls):
    grad_fn = cls.__name__
    if "::" in grad_fn:
        return (grad_fn,)
    base = re.sub(r"Backward\d+.*$", "", grad_fn) or grad_fn
    inner = "aten::" + _snake(base)
    from ..ops.registry import declaration

    decl = declaration(cls)
    fn = getattr(decl, "function", None) if decl is not None else None
    fname = getattr(fn, "__name__", "")
    if fname and fname.isidentifier() and not fname.startswith("_") and fname != "getitem":
        outer = "aten::" + fname
        if outer != inner:
            return (outer, inner)
    return (inner,)


# ----- the plug-ins -----------------------------------------------------------------------
class _OpMode(DispatchMode):
    """Sees every op the recording thread runs and times it."""

    def handle(self, cls, args, kwargs):
        names = op_names(cls)
        outer = open_range(names[0], args=args, kwargs=kwargs)
        inner = open_range(names[1], args=args, kwargs=kwargs) if len(names) > 1 else None
        try:
            out = self.run(cls, args, kwargs)
        except BaseException:
            close_range(outer)
            raise
        close_range(inner, out)
        close_range(outer, out if inner is None else None)
        return out


def _profiled_backward(node, grads):
    name = node.name()
    outer = open_range("autograd::engine::evaluate_function: " + name)
    open_range(name, seq=getattr(node, "_seq", -1))  # closed with ``outer``
    try:
        check = _engine.checked_backward[0]
        if _node._anomaly_enabled[0] and check is not None:
            return check(node, grads)
        return node.backward(*grads)
    finally:
        close_range(outer)


_ACC = "torch::autograd::AccumulateGrad"


class _Observer:
    """The engine observer while recording: times accumulations, then tells the lint."""

    def __init__(self, prev):
        self.prev = prev

    def on_backward(self, tensors, retain_graph, accumulate):
        """Pass the start of a backward on to the lint (if it was on)."""
        if self.prev is not None:
            self.prev.on_backward(tensors, retain_graph, accumulate)

    def before_accumulate(self, var):
        """Open the AccumulateGrad ranges."""
        outer = open_range("autograd::engine::evaluate_function: " + _ACC)
        open_range(_ACC)
        info = self.prev.before_accumulate(var) if self.prev is not None else None
        return outer, info

    def after_accumulate(self, var, info):
        """Close the AccumulateGrad ranges."""
        outer, inner_info = info
        if self.prev is not None:
            self.prev.after_accumulate(var, inner_info)
        close_range(outer)


class _Plugins:
    mode = None
    observer = None
    hooks = ()


_plugins = _Plugins()


def _step_pre(opt, args, kwargs):
    rec = open_range(f"Optimizer.step#{type(opt).__name__}.step")
    pending = getattr(_local, "steps", None)
    if pending is None:
        pending = _local.steps = []
    pending.append(rec)


def _step_post(opt, args, kwargs):
    pending = getattr(_local, "steps", None)
    if pending:
        close_range(pending.pop())


def _zero_grad_range(opt):
    return _Range(f"Optimizer.zero_grad#{type(opt).__name__}.zero_grad")


class _Range:
    __slots__ = ("name", "rec")

    def __init__(self, name):
        self.name = name

    def __enter__(self):
        self.rec = open_range(self.name)

    def __exit__(self, *exc):
        close_range(self.rec)
        return False


def start(session):
    """Start recording into ``session`` (plugging the recorder in if it is the first)."""
    with _lock:
        session.t0 = _now()
        session.running = True
        sessions.append(session)
        if len(sessions) == 1:
            _install()


def stop(session):
    """Stop recording into ``session``; ranges still open are closed now for it."""
    with _lock:
        end = _now()
        for rec in _stack():
            if session in rec.sessions:
                session.closed.append((rec, end))
        session.running = False
        if session in sessions:
            sessions.remove(session)
            if not sessions:
                _uninstall()


def _install():
    from ..optim import optimizer as _opt

    mode = _OpMode()
    mode.__enter__()
    _plugins.mode = mode
    _engine.profiled_backward[0] = _profiled_backward
    _plugins.observer = _Observer(_engine.observer[0])
    _engine.observer[0] = _plugins.observer
    _plugins.hooks = (
        _opt.register_optimizer_step_pre_hook(_step_pre),
        _opt.register_optimizer_step_post_hook(_step_post),
    )
    _opt.profiled_range[0] = _zero_grad_range


def _uninstall():
    from ..optim import optimizer as _opt

    _opt.profiled_range[0] = None
    for h in _plugins.hooks:
        h.remove()
    _plugins.hooks = ()
    if _engine.observer[0] is _plugins.observer:  # the lint may have replaced it since
        _engine.observer[0] = _plugins.observer.prev
    _plugins.observer = None
    _engine.profiled_backward[0] = None
    mode = _plugins.mode
    _plugins.mode = None
    if mode is not None:
        mode.__exit__(None, None, None)
