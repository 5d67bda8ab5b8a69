"""Reductions into positions: ``scatter_reduce`` (element by element, along a dimension at
an index tensor) and ``index_reduce`` (whole slices at a vector of positions), with
``reduce`` one of sum (scatter only), prod, mean, amax, amin and ``include_self``.

The gradients are PyTorch's: ``mean`` divides by the count of contributions; ``prod``
gives each element the product of the others (exact when one of them is zero; with two
zeros at one position the gradient is zero there and differentiating it again raises);
``amax``/``amin`` share the gradient evenly among the elements equal to the result.
Positions written with ``include_self=False`` give ``self`` no gradient.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.callsite import warn
from ..autograd.grad_mode import state as _grad_state
from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out
from ._binary import type_word
from ._delayed_error import delayed_error
from ._spec import OpSpec
from .gather_scatter import Gather, ScatterAdd, ScatterValue, _check_gather
from .index_ops import IndexAdd, IndexFill, IndexSelect, _check_source, _rows
from .indexing import index_extra
from .masked import masked_fill
from .registry import LOOP, declare, op, public_names
from .where import where

_SCATTER_REDUCES = ("sum", "prod", "mean", "amax", "amin")
_INDEX_REDUCES = ("prod", "mean", "amax", "amin")
_UFUNCS = {"sum": "add", "prod": "multiply", "amax": "maximum", "amin": "minimum"}


def _identity(dtype, reduce):
    """The value a reduction starts from (what ``include_self=False`` puts in ``self``)."""
    if reduce in ("sum", "mean"):
        return 0
    if reduce == "prod":
        return 1
    big = reduce == "amin"
    if dtype.kind == "b":
        return big
    if dtype.kind in "iu":
        info = _np.iinfo(dtype)
        return info.max if big else info.min
    return float("inf") if big else float("-inf")


def _reduce_at(xp, target, pos, part, reduce, include_self):
    """Combine ``part`` into ``target[pos]`` in place (repeated positions combine too)."""
    if not include_self:
        target[pos] = _identity(target.dtype, reduce)
    if reduce != "mean":
        getattr(xp, _UFUNCS[reduce]).at(target, pos, part)
        return
    count = xp.zeros(target.shape, dtype=xp.int64)
    xp.add.at(count, pos, 1)
    xp.add.at(target, pos, part)
    if include_self:
        count += 1
    count[count == 0] = 1
    if target.dtype.kind in "fc":
        target /= count.astype(target.dtype)
    else:  # integers: PyTorch rounds the mean down
        target //= count.astype(target.dtype)


def _refuse(kernel, x, kinds):
    """PyTorch's CPU kernels have no form of these reductions for some dtypes (bool, complex)."""
    if x._data.dtype.kind in kinds:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{type_word(x)}'")


def _no_complex_grad(name, input, other):
    """PyTorch defines no complex gradient for these reductions: it refuses to record them."""
    if input._data.dtype.kind == "c" and _grad_state.enabled:
        if input._requires_grad or other._requires_grad:
            raise RuntimeError(
                f"{name} does not support automatic differentiation for outputs with complex dtype."
            )


def _ones(t):
    return t.new_ones(t.shape)


def _cover(src, index):
    """The part of ``src`` that ``index`` reaches (its leading corner)."""
    if src._data.shape == index.shape:
        return src
    return src[tuple(slice(0, s) for s in index.shape)]


class _ScatterOps:
    """The scatter-shaped forms of gather / add-at / reduce-again / fill, for the shared
    backward."""

    def __init__(self, dim, index):
        self.dim, self.index = dim, index

    def take(self, t):
        return Gather.apply(t, self.dim, self.index)

    def add(self, t, src):
        return ScatterAdd.apply(t, src, self.dim, self.index)

    def again(self, node, x, src):
        return ScatterReduceTwo.apply(x, src, self.dim, self.index, "prod", node.include_self)

    def src_part(self, src):
        return _cover(src, self.index)

    def counts(self, grad):
        """What each source element adds to the count of its position (for mean)."""
        return grad.new_ones(self.index.shape)

    def clear(self, t):
        return ScatterValue.apply(t, 0.0, self.dim, self.index)


class _IndexOps(_ScatterOps):
    def take(self, t):
        return IndexSelect.apply(t, self.dim, self.index)

    def add(self, t, src):
        return IndexAdd.apply(t, src, self.dim, self.index, 1)

    def again(self, node, x, src):
        return IndexReduce.apply(x, src, self.dim, self.index, "prod", node.include_self)

    def src_part(self, src):
        return src

    def counts(self, grad):
        d = self.dim
        ones = grad.new_ones(grad.shape[:d] + (self.index.size,) + grad.shape[d + 1 :])
        return ones if grad.ndim else ones.reshape(())

    def clear(self, t):
        return IndexFill.apply(t, 0.0, self.dim, self.index)


class _ReduceInto(Node):
    """The forward and backward scatter_reduce and index_reduce share; ``ops`` gives the
    subclass's own gather / add-at forms and ``reduce_into`` its forward kernel."""

    ops = _ScatterOps

    def forward(self, x, src, dim, index, reduce, include_self):
        self.dim, self.index, self.reduce, self.include_self = dim, index, reduce, include_self
        out = x.copy()
        if index.size:
            self.reduce_into(out, src, dim, index, reduce, include_self)
        if reduce in ("prod", "amax", "amin"):
            self.save_for_backward(x, src, out)
        return out

    def backward(self, grad):
        reduce, ops = self.reduce, self.ops(self.dim, self.index)
        if reduce == "sum":
            gx, gsrc = grad, ops.take(grad)
        elif reduce == "mean":
            n = _ones(grad) if self.include_self else grad.new_zeros(grad.shape)
            n = ops.add(n, ops.counts(grad))
            n = masked_fill(n, n == 0, 1)
            gx, gsrc = grad / n, ops.take(grad) / ops.take(n)
        elif reduce == "prod":
            x, src, result = self.saved_tensors
            gx, gsrc = _prod_grads(self, grad, x, src, result, ops)
        else:
            x, src, result = self.saved_tensors
            value = ops.take(result)
            x_is = (x == result).to(grad.dtype)
            src_is = (ops.src_part(src) == value).to(grad.dtype)
            share = grad / ops.add(x_is, src_is)
            gx, gsrc = x_is * share, src_is * ops.take(share)
        if not self.include_self:
            gx = ops.clear(gx)
        return gx, gsrc, None, None, None, None


# ----- scatter_reduce -----------------------------------------------------------------------
class ScatterReduceTwo(_ReduceInto):
    """sum: grad, gather(grad); mean: both divided by the counts; prod: the product of the
    others; amax/amin: grad shared evenly among the elements equal to the result"""

    def reduce_into(self, out, src, dim, index, reduce, include_self):
        flat = out.reshape(1) if out.ndim == 0 else out
        idx = index.reshape(1) if out.ndim == 0 else index
        part = src.reshape(1) if src.ndim == 0 else src
        part = part[tuple(slice(0, s) for s in idx.shape)]
        grids = list(self.xp.ogrid[tuple(slice(0, s) for s in idx.shape)])
        grids[dim] = idx
        _reduce_at(self.xp, flat, tuple(grids), part, reduce, include_self)


def _prod_grads(node, grad, x, src, result, ops):
    """d prod: each factor gets the product of the others (zeros handled exactly)."""
    gx = gsrc = None
    need = node.needs_input_grad
    if need[0]:
        x_zero = x == 0
        masked_x = masked_fill(x, x_zero, 1)
        gx = grad * ops.again(node, masked_x, src) / masked_x
    if need[1]:
        src = ops.src_part(src)
        src_zero = src == 0
        zeros_at = ops.take(ops.add(x.new_zeros(x.shape), src_zero.to(x.dtype)))
        single = src_zero & (zeros_at == 1)
        others = ops.again(node, x, masked_fill(src, single, 1))
        gsrc = where(
            single,
            ops.take(grad * others),
            ops.take(grad * result) / masked_fill(src, src_zero, 1),
        )
        if bool((zeros_at > 1).any()):
            name = "scatter_reduce" if isinstance(node, ScatterReduceTwo) else "index_reduce"
            what = "src" if name == "scatter_reduce" else "source"
            gsrc = delayed_error(
                gsrc,
                f"{name}(): Double backward is unsupported for {what} when >1 zeros in {what} "
                "are scattered to the same position in self",
            )
    return gx, gsrc


def _arg_types(name, tensor_name, tensor, reduce, include_self, method):
    """PyTorch's TypeErrors for the arguments (positions count from 1 after ``self`` for the
    methods, from ``input`` for the functions)."""
    first = 3 if method else 4
    if not isinstance(tensor, Tensor):
        raise TypeError(
            f"{name}(): argument '{tensor_name}' (position {first}) must be Tensor, not "
            f"{type(tensor).__name__}"
        )
    if not isinstance(reduce, str):
        raise TypeError(
            f"{name}(): argument 'reduce' (position {first + 1}) must be str, not "
            f"{type(reduce).__name__}"
        )
    if not isinstance(include_self, bool):
        raise TypeError(
            f"{name}(): argument 'include_self' must be bool, not {type(include_self).__name__}"
        )


def _method_forms(function, tensor_name):
    """``Tensor.<name>`` and ``Tensor.<name>_`` for ``function`` (their own argument
    positions in PyTorch's messages)."""
    from .inplace import inplace

    name = function.__name__

    def method(self, dim, index, other, reduce, *, include_self=True):
        _arg_types(name, tensor_name, other, reduce, include_self, True)
        return function(self, dim, index, other, reduce, include_self=include_self)

    def method_(self, dim, index, other, reduce, *, include_self=True):
        _arg_types(name + "_", tensor_name, other, reduce, include_self, True)
        return inplace(self, function, dim, index, other, reduce, include_self=include_self)

    method.__name__, method_.__name__ = name, name + "_"
    method.__doc__ = function.__doc__
    method_.__doc__ = f"In-place version of ``{name}``."
    return method, method_


_SCATTER_SAMPLE = [((3, 4), (2, 4))]
_SCATTER_INDEX = index_extra([[0, 2, 0, 0], [0, 0, 1, 2]])


def _scatter_spec(reduce, include_self):
    name = f"scatter_reduce_{reduce}" + ("" if include_self else "_exclude_self")
    return OpSpec(
        name,
        lambda t, a, b, i: a.scatter_reduce(0, i, b, reduce, include_self=include_self),
        _SCATTER_SAMPLE,
        shapes=None,
        extra=_SCATTER_INDEX,
    )


@op(
    ScatterReduceTwo,
    grad_fn="ScatterReduceBackward0",
    vmap=LOOP,
    spec=tuple(_scatter_spec(r, s) for r in _SCATTER_REDUCES for s in (True, False)),
)
def scatter_reduce(input, dim, index, src, reduce, *, include_self=True, out=None):
    """``input`` with ``src`` reduced into it at ``index`` along ``dim`` (``reduce``: sum,
    prod, mean, amax or amin; ``include_self=False`` leaves ``input``'s values out of it)."""
    _arg_types("scatter_reduce", "src", src, reduce, include_self, False)
    d, idx = _check_gather("scatter", input, dim, index, src, what="self")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    # PyTorch also accepts "max" and "min" going forward (there is no derivative for them).
    kind = {"max": "amax", "min": "amin"}.get(reduce, reduce)
    if kind not in _SCATTER_REDUCES:
        raise RuntimeError(
            f"reduce argument must be either sum, prod, mean, amax or amin, got {reduce}"
        )
    if kind == "mean":
        _refuse("scatter_gather_tensor_cpu_reduce_mean", input, "b")
    elif kind in ("amax", "amin"):
        _refuse(f"scatter_gather_tensor_cpu_reduce_{kind}", input, "c")
    _no_complex_grad("scatter_reduce", input, src)
    result = ScatterReduceTwo if reduce == kind else ScatterReduceSpelled
    return _out.result_into("scatter_reduce", out, (input, src),
                            lambda: result.apply(input, src, d, idx, kind, include_self),
                            lambda o: _out.same_dtype(o, input._data.dtype))  # fmt: skip


class ScatterReduceSpelled(ScatterReduceTwo):
    """scatter_reduce spelled ``"max"``/``"min"``: computed, but PyTorch has no derivative"""

    def backward(self, grad):
        word = "max" if self.reduce == "amax" else "min"
        raise RuntimeError(
            f"Expected 'reduce' to be one of 'sum', 'prod', 'mean', 'amax', 'amin' but got {word}."
        )


declare(
    ScatterReduceSpelled,
    grad_fn="ScatterReduceBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "scatter_reduce_max_spelling",
        lambda t, a, b, i: a.scatter_reduce(0, i, b, "max"),
        _SCATTER_SAMPLE,
        shapes=None,
        extra=_SCATTER_INDEX,
        grad=(False, False),
    ),
)


# ----- index_reduce ---------------------------------------------------------------------------
class IndexReduce(_ReduceInto):
    """prod: the product of the others; mean: divided by the counts; amax/amin: grad shared
    evenly among the elements equal to the result (index_select where scatter gathers)"""

    ops = _IndexOps

    def reduce_into(self, out, src, dim, index, reduce, include_self):
        _reduce_at(self.xp, _rows(out, dim), index, _rows(src, dim), reduce, include_self)


_BETA = [False]


def _index_spec(reduce, include_self):
    name = f"index_reduce_{reduce}" + ("" if include_self else "_exclude_self")
    return OpSpec(
        name,
        lambda t, a, b, i: a.index_reduce(1, i, b, reduce, include_self=include_self),
        [((3, 4), (3, 5))],
        shapes=None,
        extra=index_extra([3, 0, 3, 1, 3]),
    )


@op(
    IndexReduce,
    vmap=LOOP,
    spec=tuple(_index_spec(r, s) for r in _INDEX_REDUCES for s in (True, False)),
)
def index_reduce(input, dim, index, source, reduce, *, include_self=True, out=None):
    """``input`` with the slices of ``source`` reduced into it at positions ``index`` along
    ``dim`` (``reduce``: prod, mean, amax or amin)."""
    _arg_types("index_reduce", "source", source, reduce, include_self, False)
    d = _wrap_dim(dim, input._data.ndim)
    if not _BETA[0]:  # PyTorch warns once per process
        _BETA[0] = True
        warn("index_reduce() is in beta and the API may change at any time.", UserWarning)
    if reduce not in _INDEX_REDUCES:
        raise RuntimeError(
            "index_reduce(): Expected reduce to be one of prod, mean, amax or amin but got "
            f"{reduce}."
        )
    idx = index._data
    word = _dt.scalar_type_name
    if idx.ndim > 1:
        raise IndexError(
            "index_reduce_(): Index is supposed to be a vector, but got dim: "
            f"{idx.ndim} with type: {word(idx.dtype)} and size: {list(idx.shape)}"
        )
    if idx.dtype.kind not in "iu" or idx.dtype.itemsize not in (4, 8):
        raise RuntimeError(
            f"index_reduce_(): Expected dtype int32/int64 for index but got: {word(idx.dtype)}"
        )
    x, s = input._data, source._data
    if s.dtype != x.dtype:
        raise RuntimeError(
            f"index_reduce_(): self ({word(x.dtype)}) and source ({word(s.dtype)}) must have "
            "the same scalar type"
        )
    if d > 0 and d >= s.ndim:
        raise RuntimeError(
            f"index_reduce_(): Indexing dim {d} is out of bounds of the source tensor with dim "
            f"{s.ndim}"
        )
    if s.ndim == 0 and x.ndim > 1:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    idx = idx.reshape(-1)
    _check_source("index_reduce_", input, d, idx, source, bounds_error=None)  # its own below
    if x.ndim != s.ndim:
        raise RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(x.shape)} source.shape = {list(s.shape)}"
        )
    n = x.shape[d] if x.ndim else 1
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise IndexError("index out of range in self")
    if x.ndim <= 1:  # PyTorch's kernels: one for vectors (no bool, no complex), one per slice
        _refuse("index_func_", input, "bc")
    elif reduce == "mean":
        _refuse("div_floor_cpu", input, "b")
    elif reduce in ("amax", "amin"):
        _refuse("maximum_cpu" if reduce == "amax" else "minimum_cpu", input, "c")
    _no_complex_grad("index_reduce", input, source)
    return _out.result_into(
        "index_reduce", out, (input, source),
        lambda: IndexReduce.apply(input, source, d, idx.astype(_np.int64), reduce, include_self),
        lambda o: _out.same_dtype(o, x.dtype))  # fmt: skip


for _function, _other in ((scatter_reduce, "src"), (index_reduce, "source")):
    _method, _inplace = _method_forms(_function, _other)
    declare(None, _method, methods=_function.__name__, inplace=_inplace, public=False)

__all__ = public_names(__name__)
