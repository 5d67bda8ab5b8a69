"""In-place operations (``add_``, ``mul_``, ``x[i] = v``, ...) and their autograd rules.

An in-place op is computed out of place, checked against PyTorch's rules (leaf
that requires grad, broadcast shape, dtype cast), then written into the same
memory, so views and aliases see it.  The version counter is bumped (with the
file and line of the write, for Ember's clearer error), and the tensor's history
is rewritten: its ``grad_fn`` becomes the op's node.  When the tensor is a view
of a tensor in the graph, the base gets a ``CopySlices`` node, as in PyTorch.
When nothing requires grad, the fast path writes with ``out=`` and allocates
nothing.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.callsite import warn
from ..autograd.grad_mode import state as _grad_state
from ..autograd.node import Node
from ..backend import np, xp_of
from ..tensor_base import TensorBase as Tensor
from ._binary import type_word, zeros_like
from ._spec import OpSpec
from .registry import LOOP, declare, method, public_names


def check_inplace(t):
    """Raise PyTorch's errors for in-place writes autograd cannot allow."""
    if not _grad_state.enabled:
        if t._extra is not None and t._extra.inference and not _grad_state.inference:
            raise RuntimeError(
                "Inplace update to inference tensor outside InferenceMode is not allowed.You "
                "can make a clone to get a normal tensor before doing inplace update.See "
                "https://github.com/pytorch/rfcs/pull/17 for more details."
            )
        return
    if t._requires_grad and t.grad_fn is None:
        raise RuntimeError(
            "a leaf Variable that requires grad is being used in an in-place operation."
        )
    if t._extra is not None and t._extra.multi_view is not None:
        index, word = t._extra.multi_view
        raise RuntimeError(
            f"Output {index} of {word} is a view and is being modified inplace. This view is "
            "the output of a function that returns multiple views. Such functions do not allow "
            "the output views to be modified inplace. You should replace the inplace operation "
            "by an out-of-place one."
        )
    base = t._base
    if base is not None and base._requires_grad and base.grad_fn is None:
        raise RuntimeError(
            "a view of a leaf Variable that requires grad is being used in an in-place operation."
        )
    if t._extra is not None and t._extra.inference and not _grad_state.inference:
        raise RuntimeError(
            "Inplace update to inference tensor outside InferenceMode is not allowed.You can "
            "make a clone to get a normal tensor before doing inplace update.See "
            "https://github.com/pytorch/rfcs/pull/17 for more details."
        )


def _check_cast(result_dtype, target_dtype):
    r, t = result_dtype, target_dtype
    order = {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}
    if order[r.kind] > order[t.kind]:
        raise RuntimeError(
            f"result type {type_word(r)} can't be cast to the desired output type {type_word(t)}"
        )


_OVERLAP = (
    "unsupported operation: more than one element of the written-to tensor refers to a single "
    "memory location. Please clone() the tensor before performing the operation."
)


def overlapping(arr) -> bool:
    """True when several elements of ``arr`` share one memory location (a stride of 0)."""
    return any(s == 0 and n > 1 for s, n in zip(arr.strides, arr.shape))


def destination(t, fill=False):
    """The array a write into ``t`` goes to: ``t``'s own, or, when ``t`` is a read-only
    broadcast of writable memory (an ``expand`` view), a writable alias of that memory,
    since PyTorch writes through expanded views.  A write that could give elements sharing
    one memory location different values is refused as PyTorch refuses it; a ``fill``
    gives them all one value and is allowed."""
    data = t._data
    if data.flags.writeable:
        return data
    if not fill and overlapping(data):
        raise RuntimeError(_OVERLAP)
    alias = data.view()
    try:
        alias.flags.writeable = True
    except ValueError:
        return data  # memory that really is read-only: the write raises NumPy's error
    return alias


def commit(t, result, op="an in-place operation"):
    """Write ``result`` into ``t``'s memory and make ``result``'s history ``t``'s own."""
    data = t._data
    rdata = result._data
    if rdata.shape != data.shape:
        raise RuntimeError(
            f"output with shape {list(data.shape)} doesn't match the broadcast shape "
            f"{list(rdata.shape)}"
        )
    if rdata.dtype != data.dtype:
        _check_cast(rdata.dtype, data.dtype)
    recorded = result._requires_grad and result.grad_fn is not None
    if recorded:
        _snapshot_saved_self(result.grad_fn, t)
    destination(t)[...] = rdata
    t._bump_version(op)
    if not recorded:
        if t._requires_grad and _grad_state.enabled and t.grad_fn is not None:
            commit_constant(t)  # a constant overwrote a graph tensor
        return t
    base = t._base
    if base is not None and (base._requires_grad or recorded) and _grad_state.enabled:
        _rebase_view(t, base, result)
    else:
        t.grad_fn = result.grad_fn
        t._output_nr = result._output_nr
        t._requires_grad = result._requires_grad
    return t


def _snapshot_saved_self(node, t):
    # Ops like pow_ need the value before the write: keep a copy of it (PyTorch does too).
    saved = node._saved
    if not saved or type(saved) is not tuple:
        return
    from ..autograd.node import SavedTensor

    for s in saved:
        if type(s) is SavedTensor and not s.is_output and s.tensor is not None:
            if s.tensor._data is t._data or s.tensor._version_counter is t._version_counter:
                old = s.tensor
                copy = Tensor._make(
                    old._data.copy(), old._requires_grad, old.grad_fn, old._output_nr
                )
                s.tensor = copy
                s.counter = copy._version_counter
                s.version = 0


class Fill(Node):
    """A graph tensor overwritten by a constant: its old value gets a zero gradient"""

    def forward(self, x):
        return x

    def backward(self, grad):
        return (zeros_like(grad),)


class Zero(Fill):
    """A graph tensor overwritten with zeros: its old value gets a zero gradient"""


def _filled(t, fill):
    """``t * 1`` filled in place (the specs of ``fill_`` and ``zero_``)."""
    return fill(t * 1)


_ONE = [((3, 4),), ((),)]
declare(
    Fill,
    vmap=LOOP,
    grad_fn="FillBackward2",
    spec=OpSpec("fill_", lambda t, a: _filled(a, lambda y: y.fill_(2.0)), _ONE, shapes=None),
)
declare(
    Zero,
    vmap=LOOP,
    grad_fn="ZeroBackward0",
    spec=OpSpec("zero_", lambda t, a: _filled(a, lambda y: y.zero_()), _ONE, shapes=None),
)


class CopySlices(Node):
    """base after ``base[view] = value``: grad to the old base outside the view, to value inside"""

    def forward(self, base_data, value_data, geometry):
        self.geometry = geometry
        return base_data

    def backward(self, grad):
        g = grad._data.copy()
        window = _window(g, self.geometry)
        gv = window.copy()
        window[...] = 0
        return Tensor._make(g), Tensor._make(gv), None


def _write_through_view(t, b, view_result=False):
    """``y = t * 1``, then ``y[1:] *= b`` through a view: ``y`` (or the view) is returned."""
    y = t * 1
    view = y[1:]
    view.mul_(b)
    return view if view_result else y


_THROUGH_VIEW = [((4, 3), (3, 3)), ((4, 3), (3,))]
declare(
    CopySlices,
    vmap=LOOP,
    grad_fn="torch::autograd::CopySlices",
    # The backward rules of writes through views compute on arrays: first order only.
    spec=OpSpec(
        "copy_slices",
        lambda t, a, b: _write_through_view(a, b),
        _THROUGH_VIEW,
        shapes=None,
        second_order=False,
    ),
)


class AsStridedView(Node):
    """A view rebuilt from its base after an in-place write through it"""

    is_view = True

    def forward(self, base, geometry):
        self.geometry = geometry
        self.base_shape = base.shape
        self.base_complex = base.dtype.kind == "c"
        return _window(base, geometry)

    def backward(self, grad):
        xp = self.xp
        dtype = grad._data.dtype
        if self.base_complex and dtype.kind != "c":  # a real view of a complex base
            dtype = xp.result_type(dtype, xp.complex64)
        g = xp.zeros(self.base_shape, dtype=dtype)
        _window(g, self.geometry)[...] = grad._data
        return Tensor._make(g), None


declare(
    AsStridedView,
    vmap=LOOP,
    grad_fn="AsStridedBackward0",
    spec=OpSpec(
        "view_after_write",
        lambda t, a, b: _write_through_view(a, b, view_result=True),
        _THROUGH_VIEW,
        shapes=None,
        second_order=False,
    ),
)


def _geometry(view, base):
    """Where ``view``'s memory lies in ``base``'s: shape, strides and offset in elements of
    the view's dtype (a ``.real``/``.imag`` view of a complex base counts in its floats)."""
    b, v = base._data, view._data
    if not b.flags.c_contiguous:
        raise RuntimeError(
            "Ember supports in-place writes through a view of a tensor in the graph only when "
            "the base tensor is contiguous; call .contiguous() on the base first."
        )
    isz = v.itemsize
    off = v.__array_interface__["data"][0] - b.__array_interface__["data"][0]
    return (v.shape, tuple(s // isz for s in v.strides), off // isz, v.dtype)


def _window(arr, geometry):
    """The part of ``arr`` (shaped like the base) that the view of ``geometry`` covers."""
    shape, strides, offset, dtype = geometry
    xp = xp_of(arr)
    flat = arr.reshape(-1)
    if flat.dtype.kind == "c" and dtype.kind != "c":
        flat = flat.view(_real_of(flat.dtype))  # complex memory as its real and imaginary parts
    isz = flat.itemsize
    return xp.lib.stride_tricks.as_strided(
        flat[offset:], shape=shape, strides=tuple(s * isz for s in strides)
    )


def _real_of(complex_dtype):
    return np.dtype("float32") if complex_dtype == np.dtype("complex64") else np.dtype("float64")


def _rebase_view(view, base, result):
    geometry = _geometry(view, base)
    old_base = Tensor._make(
        base._data, base._requires_grad, base.grad_fn, base._output_nr, base._version_counter
    )
    value = result if result._requires_grad else result.detach()
    new_base = CopySlices.apply(old_base, value, geometry)
    base.grad_fn = new_base.grad_fn
    base._output_nr = 0
    base._requires_grad = True
    rebuilt = AsStridedView.apply(base, geometry)
    view.grad_fn = rebuilt.grad_fn
    view._output_nr = 0
    view._requires_grad = True


def inplace(t, fn, *args, **kwargs):
    """Apply ``fn(t, *args)`` and write the result into ``t`` (PyTorch's ``op_``)."""
    check_inplace(t)
    result = fn(t, *args, **kwargs)
    return commit(t, result, getattr(fn, "__name__", "op") + "_")


def _fast(t, ufunc, other, name):
    # No graph involved: write straight into t's memory.
    if type(other) is int:
        _dt.check_int_scalar(other)
    o = other._data if isinstance(other, Tensor) else other
    data = destination(t)
    try:
        ufunc(data, o, out=data)
    except ValueError:
        from ._binary import broadcast_error

        shape = xp_of(data).broadcast_shapes(data.shape, getattr(o, "shape", ()))
        raise RuntimeError(
            f"output with shape {list(data.shape)} doesn't match the broadcast shape {list(shape)}"
        ) from broadcast_error(t, other)
    except TypeError:  # NumPy refuses the cast (same_kind): PyTorch's message
        r = _dt.result_type(t, other).np
        _check_cast(r, data.dtype)
        raise
    t._bump_version(name)
    return t


def _can_fast(t, other):
    return not (
        _grad_state.enabled
        and (t._requires_grad or (isinstance(other, Tensor) and other._requires_grad))
    ) and (t._extra is None or not t._extra.inference or _grad_state.inference)


def add_(self, other, *, alpha=1):
    """In-place ``self += alpha * other``."""
    if alpha == 1 and _can_fast(self, other):
        return _fast(self, xp_of(self._data).add, other, "add_")
    from .elementwise import add

    return inplace(self, add, other, alpha=alpha)


def sub_(self, other, *, alpha=1):
    """In-place ``self -= alpha * other``."""
    if alpha == 1 and _can_fast(self, other):
        return _fast(self, xp_of(self._data).subtract, other, "sub_")
    from .elementwise import sub

    return inplace(self, sub, other, alpha=alpha)


def mul_(self, other):
    """In-place ``self *= other``."""
    if _can_fast(self, other):
        return _fast(self, xp_of(self._data).multiply, other, "mul_")
    from .elementwise import mul

    return inplace(self, mul, other)


def div_(self, other, *, rounding_mode=None):
    """In-place ``self /= other``."""
    if rounding_mode is None and self._data.dtype.kind in "fc" and _can_fast(self, other):
        return _fast(self, xp_of(self._data).true_divide, other, "div_")
    from .elementwise import div

    return inplace(self, div, other, rounding_mode=rounding_mode)


def zero_(self):
    """Fill with zeros, in place."""
    return _fill(self, 0, Zero)


def fill_(self, value):
    """Fill with ``value`` (a number or 0-d tensor), in place."""
    return _fill(self, value, Fill)


declare(None, zero_, methods=("zero_",))
declare(None, fill_, methods=("fill_",))


def _fill(self, value, node):
    check_inplace(self)
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError(
                "fill_ only supports 0-dimension value tensor but got tensor with "
                f"{value._data.ndim} dimensions."
            )
        if value._requires_grad and _grad_state.enabled:
            return commit(self, value.expand(self._data.shape).to(self.dtype), "fill_")
        value = value._data
    destination(self, fill=True).fill(value)
    self._bump_version("fill_")
    if self.grad_fn is not None and _grad_state.enabled:
        commit_constant(self, node)
    return self


def commit_constant(t, node=Fill):
    """After a constant overwrote ``t`` in place, give its old value a zero gradient."""
    base = t._base
    if base is not None and base.grad_fn is not None:
        _rebase_view(t, base, Tensor._make(t._data))
    else:
        old = Tensor._make(t._data, True, t.grad_fn, t._output_nr)
        t.grad_fn = node.apply(old).grad_fn
        t._output_nr = 0


class Copy(Node):
    """self.copy_(src): grad to src (the engine reduces a broadcast src), 0 to the old self"""

    def forward(self, old, src):
        return src.copy()

    def backward(self, grad):
        return (zeros_like(grad) if self.needs_input_grad[0] else None), grad


declare(
    Copy,
    vmap=LOOP,
    grad_fn="torch::autograd::CopyBackwards",
    spec=OpSpec(
        "copy_",
        lambda t, a, b: (a * 1).copy_(b),
        [((3, 4), (3, 4)), ((3, 4), (4,)), ((), ())],
        shapes=None,
    ),
)


def copy_(self, src, non_blocking=False):
    """Copy ``src`` (broadcast) into ``self``, in place; gradients flow to ``src``."""
    check_inplace(self)
    if not isinstance(src, Tensor):
        from ..creation import tensor

        src = tensor(src)
    if _grad_state.enabled and (src._requires_grad or self._requires_grad):
        value = (
            src.to(self.dtype).expand(self._data.shape)
            if src._data.shape != self._data.shape
            else src.to(self.dtype)
        )
        old = Tensor._make(self._data, self._requires_grad, self.grad_fn, self._output_nr)
        return commit(self, Copy.apply(old, value), "copy_")
    dest = destination(self)
    try:
        dest[...] = src._data
    except ValueError:
        from ._binary import broadcast_error

        err = broadcast_error(self, src)
        if err is None:  # src has more dimensions than self
            err = RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast shape "
                f"{list(xp_of(src._data).broadcast_shapes(self._data.shape, src._data.shape))}"
            )
        raise err from None
    self._bump_version("copy_")
    return self


declare(None, copy_, methods=("copy_",), public=False)


class IndexPut(Node):
    """out = x with out[index] = value: grad to x zeroed at index, grad[index] to value"""

    def forward(self, x, value, index, accumulate):
        out = x.copy()
        self.index = index
        if accumulate:
            self.xp.add.at(out, index, value)
        else:
            out[index] = value
        self.accumulate = accumulate
        return out

    def backward(self, grad):
        from .indexing import GetItem
        from .indexing_backward import _has_advanced

        gx = None
        if self.needs_input_grad[0]:
            if self.accumulate:
                gx = grad
            else:
                g = grad._data.copy()
                g[self.index] = 0
                gx = Tensor._make(g)
        gv = None
        if self.needs_input_grad[1]:
            gv = GetItem.apply(grad, self.index, not _has_advanced(self.index))
        return gx, gv, None, None


def _rows(rng, shapes):
    return (np.array([2, 0]),)


_PUT = dict(samples=[((4, 3), (2, 3)), ((4,), ())], shapes=None, extra=_rows, second_order=False)
declare(
    IndexPut,
    vmap=LOOP,
    grad_fn="IndexPutBackward0",
    spec=(
        OpSpec("index_put_", lambda t, a, b, i: (a * 1).index_put_((i,), b), **_PUT),
        OpSpec(
            "index_put_accumulate",
            lambda t, a, b, i: (a * 1).index_put_((i,), b, accumulate=True),
            **_PUT,
        ),
    ),
)


def index_put_(self, index, value, accumulate=False):
    """``self[index] = value`` (or ``+=`` with ``accumulate``), recorded for autograd."""
    from .indexing import _is_basic, to_numpy_index

    check_inplace(self)
    np_index = index if _is_basic(index) else to_numpy_index(index)
    if isinstance(value, Tensor):
        if value._data.dtype != self._data.dtype:
            value = value.to(self.dtype)
    else:
        from ..creation import tensor

        value = tensor(value, dtype=self.dtype)
    if not (_grad_state.enabled and (self._requires_grad or value._requires_grad)):
        dest = _put_destination(self, np_index, np_index is index)
        try:
            if accumulate:
                xp_of(dest).add.at(dest, np_index, value._data)
            else:
                dest[np_index] = value._data
        except ValueError as e:
            raise RuntimeError(
                f"shape mismatch: value tensor of shape {list(value._data.shape)} cannot be "
                f"broadcast to indexing result of shape "
                f"{list(self._data[np_index].shape)}"
            ) from e
        self._bump_version("setitem")
        return self
    result = IndexPut.apply(self, value, np_index, accumulate)
    return commit(self, result, "setitem")


def _put_destination(t, index, basic):
    """Where ``t[index] = value`` writes: for an expanded ``t``, its memory, when the indexed
    region has no shared elements (basic indexing: ``y[0] = 5``); advanced indexing writes
    anyway, with PyTorch's deprecation warning."""
    data = t._data
    if data.flags.writeable or not overlapping(data):
        return destination(t)
    if basic:
        if overlapping(data[index]):
            raise RuntimeError(_OVERLAP)
    else:
        warn(
            "Use of index_put_ on expanded tensors is deprecated. Please clone() the tensor "
            "before performing this operation. This also applies to advanced indexing e.g. "
            "tensor[indices] = tensor"
        )
    return destination(t, fill=True)


declare(None, index_put_, methods=("index_put_",))


def resize_(self, *sizes, memory_format=None):
    """Give the tensor a new shape in place, keeping its first elements in order (new ones
    are uninitialised, as in PyTorch)."""
    if self._requires_grad:
        raise RuntimeError("cannot resize variables that require grad")
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    n = 1
    for s in sizes:
        if s < 0:
            raise RuntimeError(
                f"Trying to create tensor with negative dimension {s}: {list(sizes)}"
            )
        n *= s
    data = self._data
    flat = data.reshape(-1)  # a view of the storage for a contiguous tensor
    if n <= flat.size:
        new = flat[:n].reshape(sizes)
    else:
        new = xp_of(data).empty(n, data.dtype)
        new[: flat.size] = flat
        new = new.reshape(sizes)
    self._data = new
    self._bump_version("resize_")
    return self


def record_stream(self, stream):
    """CUDA streams do not exist on a CPU-only machine (PyTorch's CPU build refuses too)."""
    raise RuntimeError("unknown parameter type")


declare(None, resize_, methods=("resize_",), public=False)
declare(None, record_stream, methods=("record_stream",), public=False)


def declared(name):
    """The declared Tensor method ``name``: an in-place form, to give it more names."""
    return method(name)


def public_inplace(name, aliases=()):
    """Declare the in-place form ``name`` (``"exp_"``) a top-level function as well, as
    PyTorch has it (``torch.exp_(x)``); ``aliases`` are its other names, as Tensor methods and
    top-level functions.  Call it in the op's own module, which binds the returned function."""
    return declare(None, declared(name), methods=aliases, aliases=aliases).function


__all__ = public_names(__name__)
