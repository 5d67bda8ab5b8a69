"""``Node``: one recorded operation in the backward graph.

Every differentiable op is a ``Node`` subclass with two methods side by side:

* ``forward(self, *arrays, **kwargs)`` computes on raw arrays through ``self.xp``
  and calls ``self.save_for_backward(...)`` with only the arrays backward needs.
* ``backward(self, *grads)`` returns one gradient per positional input (``None``
  where no gradient is needed), written with Ember ops, so that
  ``create_graph=True`` records it and higher-order gradients come for free.

Non-tensor positional inputs (Python scalars) pass straight through to
``forward`` and get ``None`` as their gradient.  Nodes hold their inputs' nodes
(``_next``; ``next_functions`` as PyTorch shows them), never their own output
tensors, so graphs die by reference counting.
"""

from __future__ import annotations

import itertools
import weakref

from ..backend import device_of, xp_of
from ..backend import np as _numpy
from ..dtypes import bfloat16 as _bfloat16
from ..hooks import RemovableHandle
from .dispatch import active_modes as _active_modes
from .dispatch import current_mode as _current_mode
from .grad_mode import state as _grad_state

_sequence = itertools.count()
_FREED = object()
_NO_EDGE = (None, 0)
_NEEDS_ONE = (True,)
_GRAD_FIRST = (True, False)
_ndarray = _numpy.ndarray
_new = object.__new__
_F16 = _numpy.dtype("float16")
_F32 = _numpy.dtype("float32")
_F64 = _numpy.dtype("float64")
_BF16 = _bfloat16.np

# The tensor class, handed over by ``use_tensor_class`` once ``ember.Tensor`` exists: the
# graph core creates output tensors but knows nothing else about the class.
Tensor = None


def use_tensor_class(cls):
    """Record ``cls`` as the class of the tensors nodes take and return (``ember.Tensor``)."""
    global Tensor, _make
    Tensor = cls
    _make = cls._make


def array_backward(grad):
    """True when a backward rule may compute on raw arrays: no graph of the backward is
    being recorded (``create_graph`` off) and ``grad`` is a float32/float64 NumPy array.

    Hot rules use this to skip the per-op cost of Ember ops; their Ember-op form stays
    the definition (it runs under ``create_graph`` and for other dtypes and devices).
    """
    if _grad_state.enabled:
        return False
    d = grad._data
    if type(d) is not _ndarray:
        return False
    dt = d.dtype
    return dt is _F32 or dt is _F64 or (dt.kind == "f" and dt.itemsize >= 4)


def array_grads(node, grad):
    """``node.array_rule`` of ``grad``'s array, its arrays wrapped as tensors (``None`` when
    the rule does not apply)."""
    outs = node.array_rule(grad._data)
    if outs is None:
        return None
    return tuple([None if x is None else _make(x) for x in outs])


class SavedTensor:
    """A tensor saved for backward, with the version it had when it was saved."""

    __slots__ = ("tensor", "data", "version", "counter", "is_output", "output_nr", "where")

    def unpack(self, node):
        """Return the saved tensor, raising PyTorch's error if it was modified in place."""
        if self.counter[0] != self.version:
            from .errors import modified_inplace_error

            raise modified_inplace_error(self, node)
        if self.is_output:
            # An output is stored as its array: holding the tensor would make a cycle.
            return Tensor._make(self.data, True, node, self.output_nr, self.counter)
        return self.tensor


class Node:
    """Base class of every backward-graph node (PyTorch's ``torch.autograd.graph.Node``)."""

    # Set on every recorded node.  Rarely set state (hooks, anomaly traces, a CuPy array
    # module, multi-output metadata) lives in class defaults below, so that recording a
    # node writes only what it must.
    __slots__ = (
        "_next",
        "needs_input_grad",
        "_saved",
        "_in_meta",
        "_seq",
        "__weakref__",
        "__dict__",
    )

    #: When a multi-output node gets no gradient for some outputs, pass zeros there.
    materialize_grads = True
    #: True for ops whose output is a view of input 0 (shares its memory and version).
    is_view = False
    #: Compute float16 inputs in float32 and round once (PyTorch's CPU kernels); False
    #: for ops whose PyTorch kernel rounds to float16 after each step.
    upcast_float16 = True
    #: Outputs live on the inputs' device (False for ops that move data between devices).
    same_device = True
    #: ``next_functions`` lists a number operand (``x * 2``: PyTorch wraps the number in a
    #: tensor for add, sub, mul and div; other ops take it as a plain argument).
    lists_number = False
    #: The array module of the inputs (set on the node only when it is not NumPy).
    xp = _numpy
    _n_out = 1
    #: Set once the node has hooks, retained gradients or several outputs: the engine's
    #: single-path runner leaves such a node to its general loop (one test, not four).
    _special = False
    _out_meta = None
    _pre_hooks = None
    _hooks = None
    _retained = None
    _trace = None
    _args = None

    #: ``release`` is Node's own (the engine then frees the saved values itself).
    _plain_release = True
    #: The class defines ``array_rule`` (its backward on raw arrays).
    has_array_rule = False

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._plain_release = cls.release is Node.release
        cls.has_array_rule = cls.array_rule is not Node.array_rule

    # ----- recording -----------------------------------------------------------------
    @classmethod
    def apply(cls, *args, **kwargs):
        """Run ``forward`` on the inputs' arrays and record the node if any input needs grad."""
        if _active_modes:  # a transform (vmap) sees the op first
            mode = _current_mode()
            if mode is not None:
                return mode.handle(cls, args, kwargs)
        node = _new(cls)
        node._saved = None
        n_args = len(args)
        # ``lone``: the one input that needs grad when the op is ``f(x)`` or ``f(x, c)`` with
        # ``c`` a number or a tensor that needs none (most recorded ops): recorded inline.
        # ``foreign``: some input's array is not NumPy's (a device array): the slow path
        # below finds the inputs' array module and refuses mixed devices.
        lone = None
        if n_args == 1 and isinstance(args[0], Tensor):
            a = args[0]
            d = a._data
            arrays = (d,)
            wanted = a._requires_grad
            needs = None
            if wanted and _grad_state.enabled:
                needs = _NEEDS_ONE
                lone = a
            dt = d.dtype
            half = dt is _F16 or dt is _BF16
            foreign = type(d) is not _ndarray
        elif n_args == 2 and isinstance(args[0], Tensor):  # binary ops: no loop
            a, b = args
            d = a._data
            ra = a._requires_grad
            b_tensor = isinstance(b, Tensor)
            if b_tensor:
                e = b._data
                rb = b._requires_grad
                dt, et = d.dtype, e.dtype
                half = dt is _F16 or et is _F16 or dt is _BF16 or et is _BF16
                foreign = type(d) is not _ndarray or type(e) is not _ndarray
            else:
                e = b
                rb = False
                dt = d.dtype
                half = dt is _F16 or dt is _BF16
                foreign = type(d) is not _ndarray
            arrays = (d, e)
            wanted = ra or rb
            needs = None
            if wanted and _grad_state.enabled:
                if not rb:
                    needs = _GRAD_FIRST
                    lone = a
                else:
                    needs = (ra, True)
                    lone = False  # two tensors: recorded inline too
        else:
            # One pass over the inputs: their arrays, and whether any needs grad.
            arrays = []
            record = False
            half = False
            foreign = False
            n_tensors = 0
            for i, a in enumerate(args):
                if isinstance(a, Tensor):
                    n_tensors += 1
                    d = a._data
                    arrays.append(d)
                    if type(d) is not _ndarray:
                        foreign = True
                    dt = d.dtype
                    if dt is _F16 or dt is _BF16:
                        half = True
                    if a._requires_grad:
                        record = True
                        lone = a
                        lone_pos = i
                else:
                    arrays.append(a)
            wanted = record
            if record and _grad_state.enabled:
                if n_tensors != 1:
                    needs = tuple([isinstance(b, Tensor) and b._requires_grad for b in args])
                    lone = None
                else:  # f(x, dim, ...): one tensor among plain arguments, recorded inline
                    n = n_args - lone_pos - 1
                    needs = (False,) * lone_pos + (True,) + (False,) * n
                    d = lone._data
                    dt = d.dtype
                    n_args = 0  # (recorded by position below)
            else:
                needs = None
        node.needs_input_grad = needs
        on_device = False
        if foreign:
            xp = _xp_of_args(args, arrays)
            if xp is not _numpy:
                node.xp = xp
                on_device = True
                arrays = _on_one_device(args, arrays, xp)
        if half and node.upcast_float16 and not node.is_view:
            out = _forward_half(node, arrays, kwargs)
        elif kwargs:
            out = node.forward(*arrays, **kwargs)
        else:
            out = node.forward(*arrays)
        if on_device and node.same_device:
            out = _as_device_arrays(out, node.xp)
        if needs is None:
            if type(out) is tuple:
                result = tuple([_make(o) for o in out])
            elif node.is_view:
                result = args[0]._view_of(out)
            else:
                result = _make(out)
            if wanted and _grad_state.site is not None:
                _mark_no_grad(result)  # for explain(): an input wanted grad, no_grad() said no
            return result
        if (
            lone is None
            or type(out) is tuple
            or node.is_view
            or cls.differentiable_outputs is not _all_differentiable
            or _anomaly_enabled[0]
        ):
            result = node._record(args, out)
            if node.is_view:
                base = args[0]
                result._version_counter = base._version_counter
                result._base = base if base._base is None else base._base
                if base._extra is not None and base._extra.multi_view is not None:
                    # a view of a piece of split/unbind: PyTorch forbids writing it too
                    word = type(node).__name__.rsplit("Backward", 1)[0]
                    result._ensure_extra().multi_view = (0, word)
            return result
        # The common cases, recorded inline (what ``_record`` does for them).
        node._seq = next(_sequence)
        if lone is False:  # f(a, b) with b needing grad
            if ra:
                fn = a.grad_fn
                edge = (fn, a._output_nr) if fn is not None else (a._accumulator(), 0)
                meta = (d.shape, dt)
            else:
                edge, meta = _NO_EDGE, False
            fn = b.grad_fn
            node._next = (edge, (fn, b._output_nr) if fn is not None else (b._accumulator(), 0))
            node._in_meta = (meta, (e.shape, et))
        else:
            fn = lone.grad_fn
            edge = (fn, lone._output_nr) if fn is not None else (lone._accumulator(), 0)
            meta = (d.shape, dt)
            if n_args == 1:
                node._next = (edge,)
                node._in_meta = (meta,)
            elif n_args == 2:
                node._next = (edge, _NO_EDGE)
                # A tensor that needs no grad is listed as (None, 0); a number only when
                # PyTorch wraps it in a tensor (x * 2).
                node._in_meta = (meta, False if b_tensor or cls.lists_number else None)
            else:  # plain arguments (dims, flags) have no edge and no metadata
                n = len(args) - lone_pos - 1
                node._next = (_NO_EDGE,) * lone_pos + (edge,) + (_NO_EDGE,) * n
                node._in_meta = (None,) * lone_pos + (meta,) + (None,) * n
        result = _make(out, True, node)
        saved = node._saved
        if saved is not None:
            if len(saved) == 1 and saved[0] is out and out is not d and out is not arrays[-1]:
                node._saved = (_saved_output(out, 0, result),)  # exp, tanh, ...: the output
            else:
                for s in saved:
                    if s is not None and type(s) not in _NUMBERS:  # else kept as it is
                        node._saved = (
                            _resolve_inputs(saved, lone, None, out, result, args)
                            if lone is not False
                            else _resolve_inputs(saved, a, b, out, result, args)
                        )
                        break
        return result

    def _record(self, args, out):
        self._seq = next(_sequence)
        self._edges(args)
        if type(out) is tuple:
            outs = out
            n = len(outs)
            self._n_out = n
            self._special = n != 1
            self._out_meta = tuple([(o.shape, o.dtype) for o in outs])
            diff = self.differentiable_outputs(n)
            results = tuple(
                [_make(o, True, self, i) if diff[i] else _make(o) for i, o in enumerate(outs)]
            )
        else:
            if (
                type(self).differentiable_outputs is _all_differentiable
                or self.differentiable_outputs(1)[0]
            ):
                result = _make(out, True, self)
            else:
                result = _make(out)
            saved = self._saved
            if saved is not None:
                self._saved = tuple([_resolve(s, args, (out,), (result,)) for s in saved])
            if _anomaly_enabled[0]:
                trace_recorder[0](self, out, args)
            return result
        saved = self._saved
        if saved is not None:
            self._saved = tuple([_resolve(s, args, outs, results) for s in saved])
        if _anomaly_enabled[0]:
            trace_recorder[0](self, out, args)
        return results if type(out) is tuple else results[0]

    def _edges(self, args):
        nf = []
        meta = []
        # A number second operand is listed when PyTorch wraps it in a tensor (x * 2).
        listed = 1 if len(args) == 2 and self.lists_number else -1
        for i, a in enumerate(args):
            if not isinstance(a, Tensor):
                nf.append(_NO_EDGE)
                meta.append(False if i == listed else None)  # a number, a dim: not listed
            elif a._requires_grad:
                fn = a.grad_fn
                nf.append((fn, a._output_nr) if fn is not None else (a._accumulator(), 0))
                d = a._data
                # Shapes and dtypes only (the arrays themselves are not kept).
                meta.append((d.shape, d.dtype))
            else:
                nf.append(_NO_EDGE)
                meta.append(False)  # a tensor that needs no gradient
        self._next = tuple(nf)
        self._in_meta = tuple(meta)

    @property
    def next_functions(self):
        """``(node, output_nr)`` for each tensor input, as PyTorch lists them: ``(None, 0)``
        for a tensor that needs no gradient; numbers and other plain arguments are left out
        (the engine walks ``_next``, which has one edge per positional argument)."""
        return tuple([e for e, m in zip(self._next, self._in_meta) if m is not None])

    def differentiable_outputs(self, n):
        """Which outputs carry gradients (all by default; e.g. not max's indices)."""
        return (True,) * n

    def save_for_backward(self, *arrays):
        """Save arrays for backward; inputs and outputs come back as tensors with history."""
        if self.needs_input_grad is not None:
            self._saved = arrays

    def _unsaved(self):
        """``saved_tensors`` before any is saved: none."""
        return ()

    @property
    def saved_tensors(self):
        """The tensors saved in forward, checked against in-place modification."""
        saved = self._saved
        if saved is _FREED:
            from .errors import freed_graph_error

            raise freed_graph_error(self)
        if saved is None:
            return self._unsaved()
        if len(saved) == 1:
            s = saved[0]
            return (s.unpack(self) if type(s) is SavedTensor else s,)
        return tuple([s.unpack(self) if type(s) is SavedTensor else s for s in saved])

    def saved_arrays(self):
        """The saved values as arrays, checked like ``saved_tensors`` (no tensors made).

        For the array fast path of a backward rule: see ``array_backward``.
        """
        saved = self._saved
        if saved is _FREED or saved is None:
            return self.saved_tensors  # raises for freed buffers; () when nothing was saved
        if len(saved) == 1:  # exp, tanh, ...: one array (no list built)
            s = saved[0]
            if type(s) is not SavedTensor:
                return saved
            if s.counter[0] == s.version:
                return (s.data if s.is_output else s.tensor._data,)
        out = []
        for s in saved:
            if type(s) is SavedTensor:
                if s.counter[0] != s.version:
                    from .errors import modified_inplace_error

                    raise modified_inplace_error(s, self)
                out.append(s.data if s.is_output else s.tensor._data)
            else:
                out.append(s)
        return out

    def release(self):
        """Free saved values (after a backward without ``retain_graph``)."""
        if self._saved is not None:
            self._saved = _FREED

    # ----- the op's own rules ----------------------------------------------------------
    def forward(self, *arrays, **kwargs):  # pragma: no cover - abstract
        raise NotImplementedError

    def backward(self, *grads):  # pragma: no cover - abstract
        raise NotImplementedError

    def array_rule(self, grad):
        """``backward`` on raw arrays, for hot ops: the inputs' gradients as arrays (or
        NumPy scalars, ``None`` where none is needed) for the output's gradient ``grad``, a
        float32/float64 NumPy array or scalar, when no graph of the backward is recorded;
        ``None`` where only ``backward`` applies.

        The engine passes arrays from rule to rule along a graph's single path without
        making a tensor for each gradient; such an op's ``backward`` wraps this rule's
        result (``array_grads``) under ``array_backward``, so the math is written once.
        """
        return None

    # ----- introspection, PyTorch style ------------------------------------------------
    def name(self) -> str:
        """PyTorch's name for this node, e.g. ``MulBackward0`` (also its class's name)."""
        if type(self).__dict__.get("_declared", False):
            return type(self).__name__
        return type(self).__name__ + "Backward0"  # not declared yet (transitional)

    def __repr__(self):
        # PyTorch prints the class name (AccumulateGrad, CopySlices), not the long name().
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def register_hook(self, hook):
        """Call ``hook(grad_inputs, grad_outputs)`` after this node runs."""
        return self._add_hook("_hooks", hook)

    def register_prehook(self, hook):
        """Call ``hook(grad_outputs)`` before this node runs; it may return new grads."""
        return self._add_hook("_pre_hooks", hook)

    def _add_hook(self, kind, hook):
        hooks = getattr(self, kind)
        if hooks is None:
            hooks = []
            setattr(self, kind, hooks)
            self._special = True  # the engine's general loop runs hooks
        hooks.append(hook)
        return RemovableHandle(hooks, hook=hook)

    @property
    def metadata(self):
        """A dict for users to attach information to the node."""
        d = self.__dict__.get("_metadata")
        if d is None:
            d = self.__dict__["_metadata"] = {}
        return d


class AccumulateGrad(Node):
    """The sink of a leaf tensor: adds incoming gradients into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable
        self._next = ()
        self.needs_input_grad = (True,)
        self._saved = None
        self._in_meta = ((variable._data.shape, variable._data.dtype),)
        self._seq = 1 << 62  # PyTorch runs leaf accumulation as soon as it is ready

    def name(self):
        return "torch::autograd::AccumulateGrad"  # PyTorch's name for it


def _mark_no_grad(result):
    file, line = _grad_state.site
    origin = f"an op run under no_grad() (entered at {file}:{line})"
    for r in result if type(result) is tuple else (result,):
        r._ensure_extra().origin = origin


_NUMBERS = frozenset((int, float, bool, complex))


def _resolve(arr, args, outs, results):
    """What ``save_for_backward(arr)`` keeps: a ``SavedTensor`` for arrays and tensors (an
    op's arrays, or the tensors a custom ``Function`` saves), else ``arr`` itself.

    Built-in ops and ``autograd.Function`` both resolve what they saved here.
    """
    if type(arr) is not _ndarray:
        if arr is None or type(arr) in _NUMBERS:
            return arr
        if isinstance(arr, Tensor):
            return _resolve_tensor(arr, results)
        if not hasattr(arr, "shape") or not hasattr(arr, "strides"):
            return arr  # a Python scalar or other plain data: kept as it is
    for a in args:
        if isinstance(a, Tensor) and a._data is arr:
            return _saved_input(a)
    for i, o in enumerate(outs):
        if o is arr:
            return _saved_output(arr, i, results[i])
    # An intermediate array: a constant for the backward graph.
    return _saved_input(_make(arr))


def _saved_input(t):
    """The record of tensor ``t`` saved for backward, with its version now (a tensor made in
    inference mode is refused, as PyTorch does)."""
    if t._extra is not None and t._extra.inference:
        raise RuntimeError(INFERENCE_SAVED)
    s = _new(SavedTensor)
    s.is_output = False
    s.tensor = t
    s.counter = c = t._version_counter
    s.version = c[0]
    return s


def _saved_output(arr, i, result):
    """The record of output ``i`` (array ``arr``, tensor ``result``) saved for backward: the
    array itself (the tensor would make a cycle) and its version."""
    s = _new(SavedTensor)
    s.is_output = True
    s.data = arr
    s.output_nr = i
    s.counter = c = result._version_counter
    s.version = c[0]
    s.tensor = None
    return s


def _resolve_inputs(saved, first, second, out, result, args):
    """``_resolve`` of each saved value of a node whose tensor inputs are ``first`` (and
    ``second``, a tensor or None) and whose one output is ``out`` (``result``): those
    directly, numbers as they are, anything else by ``_resolve``."""
    d = first._data
    e = second._data if second is not None else d
    kept = []
    for arr in saved:
        if arr is d or arr is e:
            s = _saved_input(first if arr is d else second)
        elif arr is out:
            s = _saved_output(arr, 0, result)
        elif arr is None or type(arr) in _NUMBERS:
            s = arr
        else:
            s = _resolve(arr, args, (out,), (result,))
        kept.append(s)
    return tuple(kept)


def _resolve_tensor(t, results):
    for i, r in enumerate(results):
        if r is t and t.grad_fn is not None:
            # One of the node's own outputs: kept as its array (the tensor would be a cycle).
            return _saved_output(t._data, i, t)
    return _saved_input(t)


INFERENCE_SAVED = (
    "Inference tensors cannot be saved for backward. Please do not use Tensors created in "
    "inference mode in computation tracked by autograd. To work around this, you can make a "
    "clone to get a normal tensor and use it in autograd, or use `torch.no_grad()` instead "
    "of `torch.inference_mode()`."
)


def _forward_half(node, arrays, kwargs):
    """Run ``forward`` for float16 or bfloat16 inputs in float32 and round each float
    output once.

    PyTorch's CPU kernels compute 16-bit float ops in float32; NumPy would round after
    every step of a formula.  Runs in the 16-bit type as it is when an input is float32
    or float64 already (the op promotes anyway) or when the op is given a dtype.
    """
    low = None
    for a in arrays:
        if isinstance(a, (_numpy.dtype, type)):
            return node.forward(*arrays, **kwargs)
        dt = getattr(a, "dtype", None)
        if not isinstance(dt, _numpy.dtype):
            continue
        if dt is _F16 or dt is _BF16:
            if low is not None and dt is not low:
                return node.forward(*arrays, **kwargs)
            low = dt
        elif dt.kind in "fc":
            return node.forward(*arrays, **kwargs)
    for v in kwargs.values():
        if isinstance(v, (_numpy.dtype, type)):
            return node.forward(*arrays, **kwargs)
    # id of each float32 copy -> the 16-bit array it stands for
    originals = {}
    wide = []
    for a in arrays:
        if getattr(a, "dtype", None) is low:
            w = a.astype(_F32)
            originals[id(w)] = a
            wide.append(w)
        else:
            wide.append(a)
    out = node.forward(*wide, **kwargs)
    # float32 results (and copies returned as they are) -> their 16-bit arrays
    narrowed = {}
    if type(out) is tuple:
        out = tuple([_narrow(o, originals, narrowed, low) for o in out])
    else:
        out = _narrow(out, originals, narrowed, low)
    saved = node._saved
    if saved is not None:
        node._saved = tuple([_narrow(s, originals, narrowed, low) for s in saved])
    del wide
    return out


def _narrow(o, originals, narrowed, low):
    if getattr(o, "dtype", None) is not _F32:
        return o
    k = id(o)
    r = originals.get(k)
    if r is None:
        r = narrowed.get(k)
        if r is None:
            with _numpy.errstate(over="ignore"):  # out of range -> inf, silently as in PyTorch
                r = narrowed[k] = o.astype(low)
    return r


def _make(data, requires_grad=False, grad_fn=None, output_nr=0):
    # Replaced by Tensor._make in use_tensor_class (a module global: one lookup, no attribute).
    raise RuntimeError("ember.tensor is not imported")


_all_differentiable = Node.differentiable_outputs


def _xp_of_args(args, arrays):
    """The array module of the op's tensors (the device's, when any is on a device)."""
    for a in args:
        if isinstance(a, Tensor) and type(a._data) is not _ndarray:
            return xp_of(a._data)
    return _numpy


def _on_one_device(args, arrays, xp):
    """The op's arrays with 0-d CPU tensors moved to the device (PyTorch allows those
    beside device tensors); any other tensor on another device is PyTorch's error."""
    devices = set()
    out = list(arrays)
    for i, a in enumerate(args):
        if not isinstance(a, Tensor):
            continue
        d = a._data
        if type(d) is _ndarray and d.ndim == 0:
            out[i] = xp.asarray(d)
            continue
        devices.add(device_of(d))
    if len(devices) > 1:
        names = sorted(t if i is None else f"{t}:{i}" for t, i in devices)
        raise RuntimeError(
            "Expected all tensors to be on the same device, but found at least two devices, "
            f"{names[1]} and {names[0]}!"
        )
    return tuple(out) if type(arrays) is tuple else out


def _as_device_arrays(out, xp):
    """Outputs of an op on a device, as that device's arrays (a reduction may give a
    host scalar)."""
    if type(out) is tuple:
        return tuple([_as_device_arrays(o, xp) for o in out])
    if type(out) is _ndarray or isinstance(out, _numpy.generic):
        return xp.asarray(out)
    return out


# Anomaly mode flag as a one-element list: a fast check on the hot path.
_anomaly_enabled = [False]
#: Anomaly mode's ``record_trace(node, outputs, args)``, plugged in by ``anomaly.py``
#: (the graph core does not import it): called for every recorded node while it is on.
trace_recorder = [None]

__all__ = ["Node", "AccumulateGrad", "SavedTensor", "weakref"]
