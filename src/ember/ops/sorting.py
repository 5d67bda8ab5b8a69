"""Sorting and selection: sort, argsort, topk, median, nanmedian, kthvalue.

Ops that pick elements by index (these, and ``max(dim)``/``min(dim)`` in reduce)
share one backward: the gradient goes back to the picked index only, through
``ScatterAlong``, whose own backward gathers again (so higher orders work).
"""

from __future__ import annotations

import collections

from ..autograd.node import Node
from ..tensor_base import wrap_dim as _wrap_dim
from ._spec import OpSpec, register

__all__ = ["sort", "argsort", "topk", "median", "nanmedian", "kthvalue"]


def return_type(name, first="values", second="indices"):
    """A named pair like PyTorch's ``torch.return_types.<name>`` (unpacks as a tuple)."""
    cls = collections.namedtuple(name, [first, second])

    def __repr__(self):
        return f"torch.return_types.{name}(\n{first}={self[0]!r},\n{second}={self[1]!r})"

    cls.__repr__ = __repr__
    cls.__module__ = __name__
    return cls


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

    def name(self):
        return "GatherBackward0"


class ScatterAlong(Node):
    """d scatter(g, idx) = gather of grad at idx (indices are distinct along dim)"""

    def forward(self, g, idx, dim, shape):
        self.idx, self.dim, self.g_shape = idx, dim, g.shape
        out = self.xp.zeros(shape if shape else (1,), dtype=g.dtype)
        self.xp.put_along_axis(out, idx, g.reshape(idx.shape), dim)
        return out.reshape(shape)

    def backward(self, grad):
        return GatherAlong.apply(grad, self.idx, self.dim, self.g_shape), None, None, None

    def name(self):
        return "ScatterBackward0"


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
            return (None,) * len(self.next_functions)
        g = ScatterAlong.apply(grad, self.idx, self.dim, self.in_shape)
        return (g,) + (None,) * (len(self.next_functions) - 1)

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


def evenly_distribute(grad, x, out):
    """``grad`` split evenly among the elements of ``x`` equal to the scalar ``out`` (or NaN)."""
    from .where import where

    if out._data.dtype.kind in "fc" and out._data != out._data:
        mask = x != x
    else:
        mask = x == out
    count = int(mask._data.sum())
    return where(mask, grad / (count if count else 1), 0.0)


def stable_argsort(xp, x, dim, descending):
    """Stable argsort along ``dim``; NaN counts as the largest value, as in PyTorch."""
    if not descending:
        return xp.argsort(x, axis=dim, kind="stable")
    n = x.shape[dim]
    rev = xp.flip(x, dim)
    idx = xp.flip(xp.argsort(rev, axis=dim, kind="stable"), dim)
    return (n - 1) - idx


# ----- sort / argsort ---------------------------------------------------------------------
class Sort(SelectAlong):
    """d sort(x) = grad sent back to each value's original position"""

    def forward(self, x, dim, descending):
        xw = x if x.ndim else x.reshape(1)
        idx = stable_argsort(self.xp, xw, dim, descending)
        return self.select(x, idx, dim, True)


def sort(input, dim=-1, descending=False, stable=False, *, out=None):
    """Sorted values along ``dim`` and their original indices (ties keep input order)."""
    d = _wrap_dim(dim, input._data.ndim)
    return SortResult(*Sort.apply(input, d, bool(descending)))


def argsort(input, dim=-1, descending=False, stable=False):
    """The indices that sort ``input`` along ``dim``."""
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    xw = data if data.ndim else data.reshape(1)
    idx = stable_argsort(_xp(data), xw, d, descending)
    return _int_result(idx.reshape(data.shape))


def _xp(data):
    from ..backend import xp_of

    return xp_of(data)


def _int_result(arr):
    from ..tensor_base import TensorBase as Tensor

    return Tensor._make(arr.astype("int64", copy=False))


# ----- topk -------------------------------------------------------------------------------------
class Topk(SelectAlong):
    """d topk(x) = grad sent back to the k selected positions"""

    def forward(self, x, k, dim, largest):
        xw = x if x.ndim else x.reshape(1)
        idx = stable_argsort(self.xp, xw, dim, largest)
        sl = [slice(None)] * xw.ndim
        sl[dim] = slice(0, k)
        return self.select(x, idx[tuple(sl)], dim, True)


def topk(input, k, dim=-1, largest=True, sorted=True, *, out=None):
    """The ``k`` largest (or smallest) elements along ``dim`` and their indices."""
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    size = data.shape[d] if data.ndim else 1
    if data.dtype.kind == "b":
        raise RuntimeError("topk does not support bool dtypes on CPU")
    if not 0 <= k <= size:
        raise RuntimeError("selected index k out of range")
    return TopkResult(*Topk.apply(input, int(k), d, bool(largest)))


# ----- median / nanmedian / kthvalue ------------------------------------------------------------
class Median(Node):
    """d median(x) = grad split evenly among the elements equal to the median"""

    def forward(self, x, ignore_nan):
        xp = self.xp
        self.ignore_nan = ignore_nan
        flat = x.reshape(-1)
        floating = x.dtype.kind in "fc"
        if ignore_nan and floating:
            flat = flat[~xp.isnan(flat)]
        n = flat.shape[0]
        if n == 0 or (floating and xp.isnan(flat).any()):
            out = xp.asarray(xp.nan if floating else 0, dtype=x.dtype)
        else:
            out = xp.asarray(xp.partition(flat, (n - 1) // 2)[(n - 1) // 2])
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        return evenly_distribute(grad, x, out), None

    def name(self):
        return "NanmedianBackward0" if self.ignore_nan else "MedianBackward0"


class KthAlong(SelectAlong):
    """d kth(x) = grad sent back to the selected element's index"""

    def forward(self, x, k, dim, keepdim, mode):
        xp = self.xp
        self.mode = mode
        xw = x if x.ndim else x.reshape(1)
        idx = xp.argsort(xw, axis=dim, kind="stable")  # NaN sorts last
        n = xw.shape[dim]
        if mode == "kth":
            pos = xp.full(xw.shape[:dim] + (1,) + xw.shape[dim + 1 :], k - 1, dtype=idx.dtype)
        else:
            nans = xp.isnan(xw).sum(axis=dim, keepdims=True) if x.dtype.kind in "fc" else 0
            valid = n - nans
            if mode == "median":  # any NaN: the first NaN (it sorts first among NaNs)
                pos = xp.where(nans > 0, valid, (n - 1) // 2)
            else:  # nanmedian: the lower median of the non-NaN values
                pos = xp.where(valid > 0, (valid - 1) // 2, 0)
            pos = xp.asarray(pos, dtype=idx.dtype).reshape(
                xw.shape[:dim] + (1,) + xw.shape[dim + 1 :]
            )
        sel = xp.take_along_axis(idx, pos, dim)
        return self.select(x, sel, dim, keepdim)

    def name(self):
        return {"kth": "KthvalueBackward0", "median": "MedianBackward1"}.get(
            self.mode, "NanmedianBackward1"
        )


def _no_bool(name, input):
    if input._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Bool'")


def _along(name, input, k, dim, keepdim, mode):
    data = input._data
    _no_bool("kthvalue" if mode == "kth" else "median", input)
    d = _wrap_dim(dim, data.ndim)
    size = data.shape[d] if data.ndim else 1
    if size == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    if mode == "kth" and not 1 <= k <= size:
        raise RuntimeError(f"kthvalue(): selected number k out of range for dimension {d}")
    return KthAlong.apply(input, k, d, bool(keepdim), mode)


def median(input, dim=None, keepdim=False, *, out=None):
    """The lower median of all elements, or ``(values, indices)`` along ``dim``.

    NaN propagates: a slice holding NaN has median NaN.
    """
    if dim is None:
        _no_bool("median", input)
        return Median.apply(input, False)
    return MedianResult(*_along("median", input, 0, dim, keepdim, "median"))


def nanmedian(input, dim=None, keepdim=False, *, out=None):
    """``median`` ignoring NaN values (NaN only where a slice is all NaN)."""
    if dim is None:
        _no_bool("median", input)
        return Median.apply(input, True)
    return NanmedianResult(*_along("nanmedian", input, 0, dim, keepdim, "nanmedian"))


def kthvalue(input, k, dim=-1, keepdim=False, *, out=None):
    """The ``k``-th smallest element (1-based) along ``dim`` and its index."""
    return KthvalueResult(*_along("kthvalue", input, int(k), dim, keepdim, "kth"))


METHODS = {
    "sort": "sort",
    "argsort": "argsort",
    "topk": "topk",
    "median": "median",
    "nanmedian": "nanmedian",
    "kthvalue": "kthvalue",
}

_S = [((3, 5),), ((2, 3, 4),), ((),), ((0, 3),)]
register(
    OpSpec("sort", lambda t, a: t.sort(a)[0], _S),
    OpSpec("sort_desc_dim0", lambda t, a: t.sort(a, 0, descending=True)[0], _S[:3]),
    OpSpec("sort_stable", lambda t, a: t.sort(a, dim=1, stable=True), [((3, 5),)]),
    OpSpec("argsort", lambda t, a: t.argsort(a, dim=0), _S, grad=(False,), fd=False),
    OpSpec("topk", lambda t, a: t.topk(a, 2), [((3, 5),), ((2, 3, 4),)], shapes=None),
    OpSpec(
        "topk_smallest_dim0",
        lambda t, a: t.topk(a, 2, dim=0, largest=False),
        [((3, 5),), ((2, 3, 4),)],
        shapes=None,
    ),
    OpSpec("topk_0d", lambda t, a: t.topk(a, 1), [((),)], shapes=None),
    OpSpec("median", lambda t, a: t.median(a), [((3, 5),), ((4,),), ((),)]),
    OpSpec("median_dim", lambda t, a: t.median(a, 1), [((3, 5),), ((2, 4, 3),)]),
    OpSpec(
        "median_dim_keep",
        lambda t, a: a.median(0, keepdim=True),
        [((3, 5),), ((),)],
        shapes=None,
    ),
    OpSpec("nanmedian", lambda t, a: t.nanmedian(a), [((3, 5),), ((4,),)]),
    OpSpec("nanmedian_dim", lambda t, a: t.nanmedian(a, 1), [((3, 5),)]),
    OpSpec("kthvalue", lambda t, a: t.kthvalue(a, 2), [((3, 5),), ((2, 3, 4),)]),
    OpSpec("kthvalue_keep", lambda t, a: a.kthvalue(1, 0, True), [((3, 5),), ((),)]),
)
