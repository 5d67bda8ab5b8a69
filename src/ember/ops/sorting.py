"""Sorting and selection: sort, argsort, topk, median, nanmedian, kthvalue.

Ops that pick elements by index (these, and ``max(dim)``/``min(dim)`` in ``minmax``)
share one backward: the gradient goes back to the picked index only, through
``ScatterAlong``, whose own backward gathers again (so higher orders work).
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..backend import xp_of
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out
from ._spec import OpSpec
from .indexing_backward import backward_of
from .registry import LOOP, declare, op, public_names

SortResult = return_type("sort")
TopkResult = return_type("topk")
MedianResult = return_type("median")
NanmedianResult = return_type("nanmedian")
KthvalueResult = return_type("kthvalue")


# ----- gather / scatter along a dimension (the shared backward) -----------------------
class GatherAlong(Node):
    """d gather(x, idx) = scatter of grad into zeros at idx"""

    def forward(self, x, idx, dim, out_shape):
        self.idx, self.dim, self.in_shape = idx, dim, x.shape
        xw = x if x.ndim else x.reshape(1)
        return self.xp.take_along_axis(xw, idx, dim).reshape(out_shape)

    def backward(self, grad):
        return ScatterAlong.apply(grad, self.idx, self.dim, self.in_shape), None, None, None


class ScatterAlong(Node):
    """d scatter(g, idx) = gather of grad at idx (indices are distinct along dim)"""

    def forward(self, g, idx, dim, shape):
        self.idx, self.dim, self.g_shape = idx, dim, g.shape
        out = self.xp.zeros(shape if shape else (1,), dtype=g.dtype)
        self.xp.put_along_axis(out, idx, g.reshape(idx.shape), dim)
        return out.reshape(shape)

    def backward(self, grad):
        return GatherAlong.apply(grad, self.idx, self.dim, self.g_shape), None, None, None


def _sort_double_backward(t, a, w, v):
    # the backward of sort's backward (a scatter) with respect to its upstream gradient
    return t.autograd.grad(backward_of(lambda x: x.sort(0)[0])(t, a, w), w, v, create_graph=True)[0]


# Internal nodes: the backward of the selecting ops and of prod (PyTorch's names for the
# nodes its own backward formulas record).
declare(
    ScatterAlong,
    grad_fn="ScatterBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "sort_backward", backward_of(lambda a: a.sort(1)[0]), [((3, 4), (3, 4))], shapes=None
    ),
)
declare(
    GatherAlong,
    grad_fn="GatherBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "sort_double_backward", _sort_double_backward, [((3, 4), (3, 4), (3, 4))], shapes=None
    ),
)


class SelectAlong(Node):
    """Base of (values, indices) ops: the gradient flows to the selected indices only.

    ``forward`` sets ``self.idx`` (indices with the reduced dimension kept, on the
    input viewed as at least 1-d), ``self.dim`` and ``self.in_shape``.
    """

    materialize_grads = False

    def differentiable_outputs(self, n):
        return (True, False)

    def backward(self, grad, grad_indices=None):
        if grad is None:
            return (None,) * len(self._next)
        g = ScatterAlong.apply(grad, self.idx, self.dim, self.in_shape)
        return (g,) + (None,) * (len(self._next) - 1)

    def select(self, x, idx, dim, keepdim):
        """Values of ``x`` at ``idx`` and the indices, shaped as the op returns them."""
        xw = x if x.ndim else x.reshape(1)
        self.idx, self.dim, self.in_shape = idx, dim, x.shape
        values = self.xp.take_along_axis(xw, idx, dim)
        if x.ndim == 0:
            return values.reshape(()), idx.reshape(())
        if not keepdim:
            shape = x.shape[:dim] + x.shape[dim + 1 :]
            return values.reshape(shape), idx.reshape(shape)
        return values, idx


class SpreadOverEqual(Node):
    """A reduction to one of its elements: its forward saves ``(x, out)``, and the gradient is
    split evenly among the elements of ``x`` equal to ``out`` (among the NaNs for NaN)."""

    def backward(self, grad):
        from .where import where

        x, out = self.saved_tensors
        if out._data.dtype.kind in "fc" and out._data != out._data:
            mask = x != x
        else:
            mask = x == out
        count = int(mask._data.sum())
        return (where(mask, grad / (count if count else 1), 0.0),)


def stable_argsort(xp, x, dim, descending):
    """Stable argsort along ``dim``; NaN counts as the largest value, as in PyTorch."""
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    n = x.shape[dim]
    rev = xp.flip(x, dim)
    idx = xp.flip(xp.argsort(rev, axis=dim, kind="stable"), dim)
    return (n - 1) - idx


# ----- sort / argsort ---------------------------------------------------------------------
def check_pair_out(name, out, values_dtype, *inputs):
    """PyTorch's checks of ``out=(values, indices)`` (exact dtypes; no autograd)."""
    _out.check_out_tensors(name, out, 2)
    _out.same_dtype(out[0], values_dtype)
    _out.same_dtype(out[1], _dt.int64.np)
    _out.refuse_grad(name, out, *inputs)


def write_pair(result_type, out, values, indices):
    """``(values, indices)`` written into ``out`` and returned as ``result_type``."""
    return result_type(_out.write(out[0], values), _out.write(out[1], indices))


class Sort(SelectAlong):
    """d sort(x) = grad sent back to each value's original position"""

    def forward(self, x, dim, descending):
        xw = x if x.ndim else x.reshape(1)
        idx = stable_argsort(self.xp, xw, dim, descending)
        return self.select(x, idx, dim, True)


_S = [((3, 5),), ((2, 3, 4),), ((),), ((0, 3),)]


class SortStable(Sort):
    """d sort(x, stable=...) = grad sent back to each value's original position"""


@op(
    Sort,
    methods="sort",
    vmap=LOOP,
    spec=(
        OpSpec("sort", lambda t, a: t.sort(a)[0], _S),
        OpSpec("sort_desc_dim0", lambda t, a: t.sort(a, 0, descending=True)[0], _S[:3]),
    ),
)
def sort(input, dim=-1, descending=False, *, stable=None, out=None):
    """Sorted values along ``dim`` and their original indices (ties keep input order)."""
    d = _wrap_dim(dim, input._data.ndim)
    node = Sort if stable is None else SortStable  # PyTorch's two overloads
    if out is None:
        return SortResult(*node.apply(input, d, bool(descending)))
    check_pair_out("sort", out, input._data.dtype, input)
    return write_pair(SortResult, out, *node.apply(input, d, bool(descending)))


declare(
    SortStable,
    grad_fn="SortBackward1",
    vmap=LOOP,
    spec=OpSpec("sort_stable", lambda t, a: t.sort(a, dim=1, stable=True), [((3, 5),)]),
)


@op(
    None,
    methods="argsort",
    spec=OpSpec("argsort", lambda t, a: t.argsort(a, dim=0), _S, grad=(False,), fd=False),
)
def argsort(input, dim=-1, descending=False, *, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    xw = data if data.ndim else data.reshape(1)
    idx = stable_argsort(xp_of(data), xw, d, descending)
    return Tensor._make(idx.reshape(data.shape).astype(_dt.int64.np, copy=False))


# ----- topk -------------------------------------------------------------------------------------
class Topk(SelectAlong):
    """d topk(x) = grad sent back to the k selected positions"""

    def forward(self, x, k, dim, largest):
        xw = x if x.ndim else x.reshape(1)
        idx = stable_argsort(self.xp, xw, dim, largest)
        sl = [slice(None)] * xw.ndim
        sl[dim] = slice(0, k)
        return self.select(x, idx[tuple(sl)], dim, True)


@op(
    Topk,
    methods="topk",
    vmap=LOOP,
    spec=(
        OpSpec("topk", lambda t, a: t.topk(a, 2), [((3, 5),), ((2, 3, 4),)], shapes=None),
        OpSpec(
            "topk_smallest_dim0",
            lambda t, a: t.topk(a, 2, dim=0, largest=False),
            [((3, 5),), ((2, 3, 4),)],
            shapes=None,
        ),
        OpSpec("topk_0d", lambda t, a: t.topk(a, 1), [((),)], shapes=None),
    ),
)
def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices."""
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    size = data.shape[d] if data.ndim else 1
    if data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    if out is None:
        return TopkResult(*Topk.apply(input, int(k), d, bool(largest)))
    check_pair_out("topk", out, data.dtype, input)
    return write_pair(TopkResult, out, *Topk.apply(input, int(k), d, bool(largest)))


# ----- median / nanmedian / kthvalue ------------------------------------------------------------
class Median(SpreadOverEqual):
    """d median(x) = grad split evenly among the elements equal to the median"""

    ignore_nan = False

    def forward(self, x):
        xp = self.xp
        flat = x.reshape(-1)
        floating = x.dtype.kind in "fc"
        if self.ignore_nan and floating:
            flat = flat[~xp.isnan(flat)]
        n = flat.shape[0]
        if n == 0 or (floating and xp.isnan(flat).any()):
            out = xp.asarray(xp.nan if floating else 0, dtype=x.dtype)
        else:
            out = xp.asarray(xp.partition(flat, (n - 1) // 2)[(n - 1) // 2])
        self.save_for_backward(x, out)
        return out


class Nanmedian(Median):
    """d nanmedian(x) = grad split evenly among the elements equal to the median"""

    ignore_nan = True


class Kthvalue(SelectAlong):
    """d kthvalue(x) = grad sent back to the selected element's index"""

    def forward(self, x, k, dim, keepdim):
        xw = x if x.ndim else x.reshape(1)
        idx = self.xp.argsort(xw, axis=dim, kind="stable")  # NaN sorts last
        pos = self._position(xw, k, dim, idx.dtype)
        return self.select(x, self.xp.take_along_axis(idx, pos, dim), dim, keepdim)

    def _position(self, xw, k, dim, dtype):
        """The sorted position to pick in each slice (kept dim of size 1)."""
        return self.xp.full(xw.shape[:dim] + (1,) + xw.shape[dim + 1 :], k - 1, dtype=dtype)


class MedianDim(Kthvalue):
    """d median(x, dim) = grad sent back to the lower median's index"""

    def _position(self, xw, k, dim, dtype):
        xp = self.xp
        n = xw.shape[dim]
        nans = xp.isnan(xw).sum(axis=dim, keepdims=True) if xw.dtype.kind in "fc" else 0
        pos = self._pick(n, n - nans, nans)
        return xp.broadcast_to(
            xp.asarray(pos, dtype=dtype), xw.shape[:dim] + (1,) + xw.shape[dim + 1 :]
        )

    def _pick(self, n, valid, nans):
        # any NaN: the first NaN (NaN sorts last, the first of them first)
        return self.xp.where(nans > 0, valid, (n - 1) // 2)


class NanmedianDim(MedianDim):
    """d nanmedian(x, dim) = grad sent back to the lower median of the non-NaN values"""

    def _pick(self, n, valid, nans):
        return self.xp.where(valid > 0, (valid - 1) // 2, 0)


def _no_bool(name, input):
    if input._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def _along(name, node, input, k, dim, keepdim, result_type, out):
    data = input._data
    _no_bool("kthvalue" if node is Kthvalue else "median", input)
    d = _wrap_dim(dim, data.ndim)
    size = data.shape[d] if data.ndim else 1
    if size == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if node is Kthvalue and not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    if out is None:
        return result_type(*node.apply(input, k, d, bool(keepdim)))
    _out.check_out_tensors(name, out, 2)
    values, indices = out
    if node is Kthvalue:
        if values._data.dtype != data.dtype:
            raise RuntimeError("output values must be of same type as input")
        if indices._data.dtype != _dt.int64.np:
            raise RuntimeError("output indices must be of scalar type Long")
    else:

        def legacy(a):  # as this message of PyTorch's words them
            return "CPUBoolType" if a.dtype.kind == "b" else _dt.legacy_type_name(a)

        if values._data.dtype != data.dtype:
            raise RuntimeError(
                "Expected tensor for 'values' to have the same type as tensor for argument #2 "
                f"'self'; but type {legacy(values._data)} does not equal {legacy(data)} (while "
                "checking arguments for median)"
            )
        if indices._data.dtype != _dt.int64.np:
            raise RuntimeError(
                "Expected tensor for argument #1 'indices' to have scalar type Long; but got "
                f"{legacy(indices._data)} instead (while checking arguments for median)"
            )
    _out.refuse_grad(name, out, input)
    return write_pair(result_type, out, *node.apply(input, k, d, bool(keepdim)))


@op(
    Median,
    methods="median",
    vmap=LOOP,
    spec=OpSpec("median", lambda t, a: t.median(a), [((3, 5),), ((4,),), ((),)]),
)
def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``.

    NaN propagates: a slice holding NaN has median NaN.
    """
    return _median("median", Median, MedianDim, MedianResult, input, dim, keepdim, out)


def _median(name, whole, along, result_type, input, dim, keepdim, out):
    if dim is None:
        if out is not None:  # only the form with a dim has out=
            raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')
        _no_bool("median", input)
        return whole.apply(input)
    return _along(name, along, input, 0, dim, keepdim, result_type, out)


declare(
    MedianDim,
    grad_fn="MedianBackward1",
    vmap=LOOP,
    spec=(
        OpSpec("median_dim", lambda t, a: t.median(a, 1), [((3, 5),), ((2, 4, 3),)]),
        OpSpec(
            "median_dim_keep",
            lambda t, a: a.median(0, keepdim=True),
            [((3, 5),), ((),)],
            shapes=None,
        ),
    ),
)


@op(
    Nanmedian,
    methods="nanmedian",
    vmap=LOOP,
    spec=OpSpec("nanmedian", lambda t, a: t.nanmedian(a), [((3, 5),), ((4,),)]),
)
def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """``median`` ignoring NaN values (NaN only where a slice is all NaN)."""
    return _median("nanmedian", Nanmedian, NanmedianDim, NanmedianResult, input, dim, keepdim, out)


declare(
    NanmedianDim,
    grad_fn="NanmedianBackward1",
    vmap=LOOP,
    spec=OpSpec("nanmedian_dim", lambda t, a: t.nanmedian(a, 1), [((3, 5),)]),
)


@op(
    Kthvalue,
    methods="kthvalue",
    vmap=LOOP,
    spec=(
        OpSpec("kthvalue", lambda t, a: t.kthvalue(a, 2), [((3, 5),), ((2, 3, 4),)]),
        OpSpec("kthvalue_keep", lambda t, a: a.kthvalue(1, 0, True), [((3, 5),), ((),)]),
    ),
)
def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element (1-based) along ``dim`` and its index."""
    return _along("kthvalue", Kthvalue, input, int(k), dim, keepdim, KthvalueResult, out)


__all__ = public_names(__name__)
