"""Reading and writing whole slices at a vector of positions along a dimension:
index_select, index_add, index_fill, index_copy; and take (positions in the flattened
tensor)."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..backend import np as _np
from ..backend import xp_of
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out
from ._spec import OpSpec
from .indexing import index_extra, out_of_bounds, wrap_index
from .indexing_backward import add_rows, index_put_add
from .registry import LOOP, declare, op, public_names


def _rows(arr, dim):
    """``arr`` with ``dim`` moved first (a view), 0-d arrays as one row."""
    return arr.reshape(1) if arr.ndim == 0 else xp_of(arr).moveaxis(arr, dim, 0)


def _vector_along(input, dim, idx):
    """``dim`` wrapped for ``input``, and the index array flattened to a vector."""
    return _wrap_dim(dim, input._data.ndim), idx.reshape(-1)


def _bad_index(x, d, idx):
    """The size of ``x`` along ``d`` and the first of ``idx`` outside it (None if all fit)."""
    n = x.shape[d] if x.ndim else 1
    return n, out_of_bounds(idx, n)


class IndexSelect(Node):
    """d index_select(x, dim, idx) = index_add(zeros_like(x), dim, idx, grad)"""

    def forward(self, x, dim, index):
        self.dim, self.index, self.in_shape = dim, index, x.shape
        if x.ndim == 0:
            return x.reshape(1)[index].reshape(())
        return self.xp.take(x, index, axis=dim)

    def backward(self, grad):
        zeros = Tensor._make(self.xp.zeros(self.in_shape, dtype=grad._data.dtype))
        return IndexAdd.apply(zeros, grad, self.dim, self.index, 1), None, None


@op(IndexSelect, methods="index_select", vmap=LOOP,
    spec=OpSpec("index_select", lambda t, a, i: a.index_select(-1, i), [((3, 4),), ((2, 3, 4),)],
                shapes=None, extra=index_extra([3, 0, 3, -0])))  # fmt: skip
def index_select(input, dim, index, *, out=None):
    """The entries of ``input`` at positions ``index`` (a vector) along ``dim``."""
    idx = index._data if isinstance(index, Tensor) else _np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError("index_select(): Expected dtype int32 or int64 for index")
    if idx.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d, idx = _vector_along(input, dim, idx)
    x = input._data
    if x.ndim == 0 and idx.size != 1:
        raise RuntimeError(
            f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
        )
    n, bad = _bad_index(x, d, idx)
    if bad is not None:
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={n}")

    def check(o):
        if o._data.dtype != x.dtype:
            raise RuntimeError("index_select(): self and result must have the same scalar type")

    return _out.result_into(
        "index_select", out, (input,), lambda: IndexSelect.apply(input, d, idx), check
    )


class IndexAdd(Node):
    """d index_add(x, dim, idx, src, alpha) = grad to x, alpha*index_select(grad) to src"""

    upcast_float16 = False  # PyTorch rounds alpha*src to float16 first

    def forward(self, x, src, dim, index, alpha):
        self.dim, self.index, self.alpha = dim, index, alpha
        out = x.copy()
        s = _rows(src, dim)
        add_rows(_rows(out, dim), index, s if alpha == 1 else s * alpha)
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gsrc = None
        if n[1]:
            gsrc = IndexSelect.apply(grad, self.dim, self.index)
            if self.alpha != 1:
                gsrc = gsrc * self.alpha
        return (grad if n[0] else None), gsrc, None, None, None


def _check_source(op, input, d, idx, source, bounds_error=RuntimeError, prefix=""):
    """Refuse a ``source`` whose shape does not fit ``input`` and ``idx`` along ``d``, and an
    index outside ``input`` (with ``bounds_error``, its message after ``prefix``; no such
    check when ``bounds_error`` is None)."""
    x, s = input._data, source._data
    ns = s.shape[d] if s.ndim else 1
    if idx.size != ns:
        raise RuntimeError(
            f"{op}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
            f"({ns}), for dim: {d}"
        )
    if (
        x.ndim != s.ndim
        and (x.ndim > 1 or s.ndim > 1)
        or any(a != b for k, (a, b) in enumerate(zip(x.shape, s.shape)) if k != d)
    ):
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(x.shape)} source.shape = {list(s.shape)}"
        )
    if bounds_error is None:
        return
    if bounds_error is None:
        return
    n, bad = _bad_index(x, d, idx)
    if bad is not None:
        raise bounds_error(f"{prefix}index {bad} is out of bounds for dimension {d} with size {n}")


def _same_dtype(o, x):
    _out.same_dtype(o, x.dtype)


@op(IndexAdd, methods="index_add", inplace=True, vmap=LOOP,
    spec=OpSpec("index_add", lambda t, a, b, i: a.index_add(0, i, b, alpha=2.0), [((3, 4), (4, 4))],
                shapes=None, extra=index_extra([2, 0, 2, 2])))  # fmt: skip
def index_add(input, dim, index, source, *, alpha=1, out=None):
    """``input`` with ``alpha * source`` added at positions ``index`` along ``dim``."""
    idx = index._data
    word = _dt.scalar_type_name
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"index_add_(): Expected dtype int32/int64 for index but got: {word(idx.dtype)}"
        )
    if idx.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
            f"{word(idx.dtype)} and size: {list(idx.shape)}"
        )
    d, idx = _vector_along(input, dim, idx)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"index_add_(): self ({word(input._data.dtype)}) and source "
            f"({word(source._data.dtype)}) must have the same scalar type"
        )
    _check_source("index_add_", input, d, idx, source)
    return _out.result_into("index_add", out, (input, source),
                            lambda: IndexAdd.apply(input, source, d, idx, alpha),
                            lambda o: _same_dtype(o, input._data))  # fmt: skip


class IndexFill(Node):
    """d index_fill(x, dim, idx, v) = grad zeroed at idx to x, the sum of grad there to v"""

    def forward(self, x, value, dim, index):
        self.dim, self.index = dim, index
        out = x.copy()
        _rows(out, dim)[index] = value
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        filled = IndexFill.apply(grad, 0.0, self.dim, self.index)
        gv = (grad - filled).sum() if n[1] else None
        return (filled if n[0] else None), gv, None, None


class IndexFillTensor(IndexFill):
    """index_fill with a 0-d tensor value: its gradient is the sum of grad at idx"""


@op(IndexFill, methods="index_fill", inplace=True, vmap=LOOP,
    spec=OpSpec("index_fill", lambda t, a, i: a.index_fill(1, i, -1.5), [((3, 4),)], shapes=None,
                extra=index_extra([3, 1, 0, 3])))  # fmt: skip
def index_fill(input, dim, index, value):
    """``input`` with ``value`` written at positions ``index`` along ``dim``."""
    idx = index._data
    if idx.dtype != _np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    check_value("index_fill_", value)
    d, idx = _vector_along(input, dim, idx)
    n = input._data.shape[d] if input._data.ndim else 1
    bad = out_of_bounds(wrap_index(idx, n), n)
    if bad is not None:
        bad = int(idx.reshape(-1)[_np.flatnonzero((idx < -n) | (idx >= n))[0]])
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    if isinstance(value, Tensor):
        if value._data.dtype != input._data.dtype:
            value = value.to(input.dtype)
        return IndexFillTensor.apply(input, value, d, wrap_index(idx, n))
    return IndexFill.apply(input, value, d, wrap_index(idx, n))


def check_value(op, value):
    """PyTorch's error for a fill value that is a tensor with dimensions."""
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            f"{op} only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )


declare(IndexFillTensor, grad_fn="IndexFillBackward1", vmap=LOOP,
        spec=OpSpec("index_fill_tensor", lambda t, a, v, i: a.index_fill(1, i, v), [((3, 4), ())],
                    shapes=None, extra=index_extra([3, 1, 0, 3])))  # fmt: skip


class IndexCopy(Node):
    """d index_copy(x, dim, idx, src) = grad zeroed at idx to x, index_select(grad) to src"""

    def forward(self, x, src, dim, index):
        self.dim, self.index = dim, index
        out = x.copy()
        _rows(out, dim)[index] = _rows(src, dim)
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gx = IndexFill.apply(grad, 0.0, self.dim, self.index) if n[0] else None
        gs = IndexSelect.apply(grad, self.dim, self.index) if n[1] else None
        return gx, gs, None, None


@op(IndexCopy, methods="index_copy", inplace=True, vmap=LOOP,
    spec=OpSpec("index_copy", lambda t, a, b, i: a.index_copy(1, i, b), [((3, 4), (3, 2))],
                shapes=None, extra=index_extra([3, 0])))  # fmt: skip
def index_copy(input, dim, index, source, *, out=None):
    """``input`` with the slices of ``source`` copied to positions ``index`` along ``dim``."""
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    if idx.dtype != _np.int64:
        raise RuntimeError("index_copy_(): Expected a long tensor for index")
    d, idx = _vector_along(input, dim, idx)
    ns = source._data.shape[d] if source._data.ndim else 1
    if idx.size != ns:
        raise IndexError(
            f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
            f"({ns})"
        )
    _check_source("index_copy_", input, d, idx, source, IndexError, "index_copy_(): ")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{input.dtype} and (source) {source.dtype}"
        )
    return _out.result_into("index_copy", out, (input, source),
                            lambda: IndexCopy.apply(input, source, d, idx),
                            lambda o: _same_dtype(o, input._data))  # fmt: skip


class Take(Node):
    """d take(x, idx) = zeros like x with grad added at idx (repeats accumulate)"""

    def forward(self, x, index):
        self.in_shape, self.index = x.shape, index
        return x.reshape(-1)[index]

    def backward(self, grad):
        n = 1
        for s in self.in_shape:
            n *= s
        return index_put_add((n,), self.index, grad).reshape(self.in_shape), None


@op(Take, methods="take", vmap=LOOP,
    spec=OpSpec("take", lambda t, a, i: t.take(a, i), [((3, 4),)], shapes=None,
                extra=index_extra([[0, 11, -1]])))  # fmt: skip
def take(input, index, *, out=None):
    """``input`` treated as 1-D, read at ``index``; the result has ``index``'s shape."""
    idx = index._data
    if idx.dtype != _np.int64:
        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {_dt.scalar_type_name(idx)}"
        )
    n = input._data.size
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        v = int(idx.reshape(-1)[_np.flatnonzero(bad.reshape(-1))[0]])
        raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} elements.")

    def check(o):
        if o._data.dtype != input._data.dtype:
            raise RuntimeError(
                "take(): self and out expected to have the same dtype, but got self.dtype = "
                f"{_dt.scalar_type_name(input._data)} and out.dtype = "
                f"{_dt.scalar_type_name(o._data)}"
            )

    return _out.result_into("take", out, (input,), lambda: Take.apply(input, idx), check)


__all__ = public_names(__name__)
