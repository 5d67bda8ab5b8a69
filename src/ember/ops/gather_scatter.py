"""Reading and writing along a dimension at an index tensor: gather, take_along_dim,
scatter (with ``reduce="add"``/``"multiply"``), scatter_add."""

from __future__ import annotations

from ..autograd.callsite import warn
from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out
from ._spec import OpSpec
from .indexing import index_extra, out_of_bounds, wrap_index
from .indexing_backward import index_put_add, scatter_add_dim
from .registry import LOOP, declare, op, public_names


def _gather_array(xp, x, dim, index):
    if x.ndim == 0:
        return x.reshape(1)[index.reshape(1)].reshape(())
    sub = x[tuple(slice(0, index.shape[d]) if d != dim else slice(None) for d in range(x.ndim))]
    return xp.take_along_axis(sub, index.astype(xp.intp, copy=False), axis=dim)


class Gather(Node):
    """d gather(x, dim, idx) = scatter_add(zeros_like(x), dim, idx, grad)"""

    def forward(self, x, dim, index):
        self.dim, self.index, self.in_shape = dim, index, x.shape
        return _gather_array(self.xp, x, dim, index)

    def backward(self, grad):
        zeros = Tensor._make(self.xp.zeros(self.in_shape, dtype=grad._data.dtype))
        return ScatterAdd.apply(zeros, grad, self.dim, self.index), None, None


def _check_gather(op, input, dim, index, src=None, what="input"):
    idx = index._data
    if idx.dtype.kind not in "iu" or idx.dtype.itemsize not in (4, 8):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    nd = max(x.ndim, 1)
    if max(idx.ndim, 1) != nd:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} tensor")
    if src is not None and max(src._data.ndim, 1) != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if x.ndim and idx.size:
        too_big = any(idx.shape[k] > x.shape[k] for k in range(x.ndim) if k != d)
        if src is not None:
            if too_big or any(i > s for i, s in zip(idx.shape, src._data.shape)):
                raise RuntimeError(
                    f"Expected index {list(idx.shape)} to be no larger than self "
                    f"{list(x.shape)} apart from dimension {d} and to be no larger size than "
                    f"src {list(src._data.shape)}"
                )
        elif too_big:
            if op == "gather":
                k = next(k for k in range(x.ndim) if k != d and idx.shape[k] > x.shape[k])
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {list(idx.shape)} to be "
                    f"no larger than self {list(x.shape)} apart from dimension {d}"
                )
            raise RuntimeError(
                f"Expected index {list(idx.shape)} to be no larger than self {list(x.shape)} "
                f"apart from dimension {d}"
            )
    n = x.shape[d] if x.ndim else 1
    bad = out_of_bounds(idx, n)
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    return d, idx


def _write_same_dtype(name, out, inputs, result_fn, np_dtype):
    """``result_fn()``, or written into ``out``, which must have ``np_dtype``."""
    return _out.result_into(name, out, inputs, result_fn, lambda o: _out.same_dtype(o, np_dtype))


@op(Gather, methods="gather", vmap=LOOP,
    spec=(OpSpec("gather", lambda t, a, i: t.gather(a, 1, i), [((3, 4),)], shapes=None,
                 extra=index_extra([[0, 3, 3], [1, 1, 1]])),
          OpSpec("gather_dim0", lambda t, a, i: a.gather(0, i), [((3, 4),)], shapes=None,
                 extra=index_extra([[2, 0, 2, 2], [0, 0, 1, 2]]))))  # fmt: skip
def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[i][index[i][j]]`` along ``dim`` (here for dim=1)."""
    d, idx = _check_gather("gather", input, dim, index)
    return _write_same_dtype(
        "gather", out, (input,), lambda: Gather.apply(input, d, idx), input._data.dtype
    )


def _checked_wrap(idx, n, d):
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        v = int(idx.reshape(-1)[_np.flatnonzero(bad.reshape(-1))[0]])
        raise RuntimeError(f"index {v} is out of bounds for dimension {d} with size {n}")
    return wrap_index(idx, n)


@op(None, methods="take_along_dim",
    spec=(OpSpec("take_along_dim", lambda t, a, i: t.take_along_dim(a, i, 1), [((3, 4),)],
                 shapes=None, extra=index_extra([[0, 3], [1, 1], [2, 0]])),
          OpSpec("take_along_dim_bcast", lambda t, a, i: t.take_along_dim(a, i, dim=-1),
                 [((3, 4),)], shapes=None, extra=index_extra([[0, 3, 3]])),
          OpSpec("take_along_dim_flat", lambda t, a, i: t.take_along_dim(a, i), [((3, 4),)],
                 shapes=None, extra=index_extra([0, 11, 5, 5]))))  # fmt: skip
def take_along_dim(input, indices, dim=None, *, out=None):
    """Values of ``input`` at ``indices`` along ``dim`` (broadcasting the other dims)."""
    idx = indices._data
    if idx.dtype != _np.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{_scalar_word(idx.dtype)}"
        )
    if dim is None:  # a gather from the flattened input: no negative positions
        flat = input.reshape(-1)
        i = idx.reshape(-1)
        bad = out_of_bounds(i, flat._data.shape[0])
        if bad is not None:
            raise RuntimeError(
                f"index {bad} is out of bounds for dimension 0 with size {flat._data.shape[0]}"
            )
        return _write_same_dtype(
            "gather", out, (input,), lambda: Gather.apply(flat, 0, i), input._data.dtype
        )
    x = input._data
    if x.ndim != idx.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {x.ndim} dimensions for input, and {idx.ndim} dimensions for "
            "indices"
        )
    d = _wrap_dim(dim, x.ndim)
    xs, ishape = list(x.shape), list(idx.shape)
    xs[d] = ishape[d] = 1
    b = list(_np.broadcast_shapes(tuple(xs), tuple(ishape)))
    bx, bi = list(b), list(b)
    bx[d], bi[d] = x.shape[d], idx.shape[d]
    src = input.expand(tuple(bx)) if tuple(bx) != x.shape else input
    i = _checked_wrap(_np.broadcast_to(idx, tuple(bi)), x.shape[d], d)
    return _write_same_dtype(
        "gather", out, (input,), lambda: Gather.apply(src, d, i), input._data.dtype
    )


def _scalar_word(np_dtype):
    from .. import dtypes as _dt

    return _dt.scalar_type_name(np_dtype)


class ScatterAdd(Node):
    """d scatter_add(x, dim, idx, src) = grad to x, gather(grad, dim, idx) to src"""

    def forward(self, x, src, dim, index):
        self.dim, self.index, self.src_shape = dim, index, src.shape
        out = x.copy()
        if out.ndim == 0:
            scatter_add_dim(out.reshape(1), 0, index.reshape(1), src.reshape(1))
        else:
            scatter_add_dim(out, dim, index, src)
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gsrc = None
        if n[1]:
            gsrc = _pad_to(Gather.apply(grad, self.dim, self.index), self.src_shape)
        return (grad if n[0] else None), gsrc, None, None


def _pad_to(g, shape):
    """``g`` placed at the start of zeros of ``shape`` (the part of src an index covered)."""
    if g._data.shape == shape:
        return g
    return index_put_add(shape, tuple(slice(0, s) for s in g._data.shape), g)


@op(ScatterAdd, methods="scatter_add", inplace=True, vmap=LOOP,
    spec=OpSpec("scatter_add", lambda t, a, b, i: a.scatter_add(1, i, b), [((3, 4), (2, 3))],
                shapes=None, extra=index_extra([[0, 3, 3], [2, 2, 2]])))  # fmt: skip
def scatter_add(input, dim, index, src, *, out=None):
    """``input`` plus ``src`` added at ``index`` along ``dim`` (repeats accumulate)."""
    if not isinstance(src, Tensor):
        raise TypeError(
            f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}"
        )
    d, idx = _check_gather("scatter_add", input, dim, index, src, what="self")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return _write_same_dtype("scatter_add", out, (input, src),
                             lambda: ScatterAdd.apply(input, src, d, idx),
                             input._data.dtype)  # fmt: skip


def _grids(xp, index, dim):
    """The advanced index that addresses ``out[..., index[i], ...]`` element by element."""
    grids = list(xp.ogrid[tuple(slice(0, s) for s in index.shape)])
    grids[dim] = index
    return tuple(grids)


class Scatter(Node):
    """d scatter(x, dim, idx, src) = grad zeroed at idx to x, gather(grad, dim, idx) to src"""

    def forward(self, x, src, dim, index):
        self.dim, self.index = dim, index
        self.src_shape = getattr(src, "shape", None)
        out = x.copy()
        if index.size:
            if out.ndim == 0:
                out[...] = src if not hasattr(src, "shape") else src.reshape(())
            else:
                part = src
                if hasattr(src, "shape"):
                    part = src[tuple(slice(0, s) for s in index.shape)]
                out[_grids(self.xp, index, dim)] = part
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gx = ScatterValue.apply(grad, 0.0, self.dim, self.index) if n[0] else None
        gsrc = None
        if n[1]:
            gsrc = _pad_to(Gather.apply(grad, self.dim, self.index), self.src_shape)
        return gx, gsrc, None, None


class ScatterValue(Scatter):
    """d scatter(x, dim, idx, value) = grad zeroed at idx"""


class ScatterReduce(Node):
    """scatter with ``reduce="add"``/``"multiply"``: PyTorch has no derivative for it"""

    def forward(self, x, src, dim, index, reduce):
        xp = self.xp
        out = x.copy()
        if not index.size:
            return out
        ufunc = xp.add if reduce == "add" else xp.multiply
        flat = out.reshape(1) if out.ndim == 0 else out
        if hasattr(src, "shape"):
            part = src.reshape(1) if src.ndim == 0 else src
            part = part[tuple(slice(0, s) for s in index.shape)]
        else:
            part = xp.asarray(src).astype(x.dtype)  # the value in self's dtype: 2.5 -> 2
        ufunc.at(flat, _grids(xp, index.reshape(1) if out.ndim == 0 else index, dim), part)
        return out

    def backward(self, grad):
        raise RuntimeError("derivative for aten::scatter is not implemented")


@op(Scatter, methods="scatter", inplace=True, vmap=LOOP,
    spec=OpSpec("scatter", lambda t, a, b, i: a.scatter(1, i, b), [((3, 4), (2, 3))], shapes=None,
                extra=index_extra([[0, 3, 1], [2, 1, 0]])))  # fmt: skip
def scatter(input, dim, index, src=None, value=None, *, reduce=None, out=None):
    """``input`` with ``src`` (a tensor, or a number ``value``) written at ``index`` along
    ``dim``; with ``reduce``, added to (``"add"``) or multiplied into (``"multiply"``) it."""
    if src is None:
        src = value
    tensor_src = isinstance(src, Tensor)
    if tensor_src:
        d, idx = _check_gather("scatter", input, dim, index, src, what="self")
        if src._data.dtype != input._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    else:
        d, idx = _check_gather("scatter", input, dim, index, what="self")
    if reduce is not None:
        if reduce not in ("add", "multiply"):
            raise RuntimeError("reduce argument must be either add or multiply.")
        if tensor_src:
            warn(
                "The reduce argument of torch.scatter with Tensor src is deprecated and will be "
                "removed in a future PyTorch release. Use torch.scatter_reduce instead for more "
                "reduction options.",
                UserWarning,
            )

        def result():
            return ScatterReduce.apply(input, src, d, idx, reduce)

    elif tensor_src:

        def result():
            return Scatter.apply(input, src, d, idx)

    else:

        def result():
            return ScatterValue.apply(input, src, d, idx)

    inputs = (input, src) if tensor_src else (input,)
    return _write_same_dtype("scatter", out, inputs, result, input._data.dtype)


declare(ScatterValue, grad_fn="ScatterBackward1", vmap=LOOP,
        spec=OpSpec("scatter_value", lambda t, a, i: t.scatter(a, 0, i, value=1.5), [((3, 4),)],
                    shapes=None, extra=index_extra([[0, 2, 1, 1]])))  # fmt: skip
# PyTorch records scatter with ``reduce`` as a node whose backward raises: not differentiable.
declare(ScatterReduce, grad_fn="torch::autograd::NotImplemented", vmap=LOOP,
        spec=(OpSpec("scatter_multiply", lambda t, a, b, i: a.scatter(0, i, b, reduce="multiply"),
                     [((3, 4), (2, 4))], shapes=None,
                     extra=index_extra([[0, 2, 0, 0], [0, 0, 1, 2]]), grad=(False, False)),
              OpSpec("scatter_value_add", lambda t, a, i: a.scatter(1, i, 2.0, reduce="add"),
                     [((3, 4),)], shapes=None, extra=index_extra([[0, 0, 3], [1, 1, 1]]),
                     grad=(False,))))  # fmt: skip

__all__ = public_names(__name__)
