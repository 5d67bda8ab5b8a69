"""Reductions: sum, mean, and (by the same pattern) the rest of the family."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..tensor import _wrap_dim
from ._spec import OpSpec, register


def normalize_dims(dim, ndim):
    """``dim`` (None, int, or sequence) as a sorted tuple of non-negative axes."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (list, tuple)):
        if len(dim) == 0:
            return tuple(range(ndim))
        dims = tuple(sorted(_wrap_dim(d, ndim) for d in dim))
        if len(set(dims)) != len(dims):
            raise RuntimeError(f"dim {dims[0]} appears multiple times in the list of dims")
        return dims
    return (_wrap_dim(dim, ndim),)


def expand_reduced(grad, in_shape, dims, keepdim):
    """Broadcast a reduced gradient back to ``in_shape`` (a view, no copy)."""
    if not keepdim and dims:
        kept = list(in_shape)
        for d in dims:
            kept[d] = 1
        grad = grad.reshape(tuple(kept))
    return grad.expand(in_shape)


class Sum(Node):
    """d(sum x) = grad broadcast back over the summed dimensions"""

    def forward(self, x, dims, keepdim, np_dtype):
        self.in_shape = x.shape
        self.dims = dims
        self.keepdim = keepdim
        return self.xp.sum(x, axis=dims, keepdims=keepdim, dtype=np_dtype)

    def backward(self, grad):
        return expand_reduced(grad, self.in_shape, self.dims, self.keepdim), None, None, None


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` (all dimensions by default); integers and bools sum as int64."""
    data = input._data
    dims = normalize_dims(dim, data.ndim) if data.ndim else (normalize_dims(dim, 0) and ())
    if dtype is not None:
        np_dtype = _dt.to_numpy_dtype(dtype)
    elif data.dtype.kind in "biu":
        np_dtype = _dt.int64.np
    else:
        np_dtype = None
    return Sum.apply(input, dims, keepdim, np_dtype)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Arithmetic mean over ``dim``; only for floating-point (or complex) tensors."""
    if dtype is not None:
        input = input.to(dtype)
    if input._data.dtype.kind not in "fc":
        from ..autograd.errors import legacy_type_name

        word = legacy_type_name(input._data)[6:-6]  # torch.LongTensor -> Long
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {word}"
        )
    data = input._data
    dims = normalize_dims(dim, data.ndim) if data.ndim else (normalize_dims(dim, 0) and ())
    n = 1
    for d in dims:
        n *= data.shape[d]
    total = Sum.apply(input, dims, keepdim, None)
    return total / n if n else total * float("nan")


METHODS = {"sum": "sum", "mean": "mean"}

_R = [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)]
register(
    OpSpec("sum", lambda t, a: t.sum(a), _R),
    OpSpec("sum_dim", lambda t, a: a.sum(dim=-1), [((3, 4),), ((2, 3, 4),), ((0, 3),)]),
    OpSpec("sum_dims_keep", lambda t, a: a.sum((0, 2), keepdim=True), [((2, 3, 4),)]),
    OpSpec("mean", lambda t, a: t.mean(a), [((3, 4),), ((),), ((2, 3, 4),)]),
    OpSpec("mean_dim", lambda t, a: a.mean(1, keepdim=True), [((3, 4),), ((2, 3, 4),)]),
)
