"""Extremes: max, min (whole tensor or along a dim), amax, amin, aminmax, argmax, argmin.

Ties (SPEC rule 20): full ``max()``/``min()``, ``amax``/``amin`` and ``aminmax`` split
the gradient evenly among tied elements; ``max(dim)``/``min(dim)`` send it to the
returned index.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..backend import xp_of
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out, batching
from ._pointwise import named
from ._spec import OpSpec
from .reduce import (
    DIM_SAMPLES,
    NONEMPTY_SAMPLES,
    NOT_DIFFERENTIABLE,
    SAMPLES,
    expand_reduced,
    reduced_dims,
)
from .registry import LOOP, declare, op, public_names
from .sorting import SelectAlong, SpreadOverEqual, check_pair_out, write_pair

MaxResult = return_type("max")
MinResult = return_type("min")
AminmaxResult = return_type("aminmax", "min", "max")

_D, _M, _R = DIM_SAMPLES, NONEMPTY_SAMPLES, SAMPLES


class Max(SpreadOverEqual):
    """d max(x) = grad split evenly among the maximal elements (NaN: among the NaNs)"""

    fn = "max"

    def forward(self, x):
        out = self.xp.asarray(getattr(self.xp, self.fn)(x))
        self.save_for_backward(x, out)
        return out


class Min(Max):
    """d min(x) = grad split evenly among the minimal elements (NaN: among the NaNs)"""

    fn = "min"


class MaxDim(SelectAlong):
    """d max(x, dim) = grad sent to the index of the first maximal element"""

    arg = "argmax"

    def forward(self, x, dim, keepdim):
        xw = x if x.ndim else x.reshape(1)
        idx = getattr(self.xp, self.arg)(xw, axis=dim, keepdims=True)
        return self.select(x, idx, dim, keepdim)


class MinDim(MaxDim):
    """d min(x, dim) = grad sent to the index of the first minimal element"""

    arg = "argmin"


def _check_whole(name, data):
    if data.size == 0:
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. "
            "Specify the reduction dim with the 'dim' argument."
        )


def _select_dim(name, data, dim):
    d = _wrap_dim(dim, data.ndim)
    if data.ndim and data.shape[d] == 0:
        raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return d


def _max_min(name, whole, along, result, input, dim, keepdim, out):
    if isinstance(dim, Tensor):
        from .families import function

        elementwise = "maximum" if name == "max" else "minimum"
        r = function(elementwise)(input, dim)
        if out is None:
            return r
        _out.check_out_tensors(name, out, 1)
        _out.refuse_grad(elementwise, out, input, dim)
        _out.castable(r._data.dtype, out)
        return _out.write(out, r)
    data = input._data
    if dim is None:
        if keepdim:
            raise TypeError(
                f"{name}() received an invalid combination of arguments - got (Tensor, "
                "keepdim=bool), but expected one of:\n * (Tensor input, *, Tensor out = None)\n"
                " * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, int "
                "dim, bool keepdim = False, *, tuple of Tensors out = None)\n"
            )
        _check_whole(name, data)
        if out is None:
            return whole.apply(input)
        _out.check_out_tensors(name, out, 1)
        if out._data.dtype.kind in "biu" and data.dtype.kind in "fc":
            raise RuntimeError(
                "Expected canCast( typeMetaToScalarType(self.dtype()), typeMetaToScalarType("
                "out.dtype())) to be true, but got false.  (Could this error message be "
                "improved?  If so, please report an enhancement request to PyTorch.)"
            )
        _out.refuse_grad(name, out, input)
        return _out.write(out, whole.apply(input))
    d = _select_dim(name, data, dim)
    if out is None:
        return result(*along.apply(input, d, bool(keepdim)))
    check_pair_out(name, out, data.dtype, input)
    return write_pair(result, out, *along.apply(input, d, bool(keepdim)))


def _extreme(name, whole, along, result, doc, dim_specs):
    """Declare ``max`` or ``min``: the function, its whole-tensor node (PyTorch's
    ``...Backward1``) and its node along a dim (``...Backward0``, with ``dim_specs``)."""

    def function(input, dim=None, keepdim=False, *, out=None):
        return _max_min(name, whole, along, result, input, dim, keepdim, out)

    named(function, whole, name, doc)
    grad_fn = name.title() + "Backward"
    spec = OpSpec(name, lambda t, a: getattr(t, name)(a), _M)
    declare(along, grad_fn=grad_fn + "0", vmap=batching.reduce, spec=dim_specs)
    return op(whole, methods=name, grad_fn=grad_fn + "1", vmap=LOOP, spec=spec)(function)


max = _extreme(
    "max",
    Max,
    MaxDim,
    MaxResult,
    """The largest element; with ``dim``, ``(values, indices)`` of each slice's maximum.

    Given a tensor as ``dim``, the elementwise ``maximum``.  NaN propagates.
    """,
    (
        OpSpec("max_dim", lambda t, a: t.max(a, 1), _D),
        OpSpec("max_dim_keep", lambda t, a: a.max(dim=0, keepdim=True), [((3, 4),), ((),)]),
    ),
)
min = _extreme("min", Min, MinDim, MinResult,
               "The smallest element; with ``dim``, ``(values, indices)`` of each slice's minimum.",
               OpSpec("min_dim", lambda t, a: t.min(a, -1), _D))  # fmt: skip


# ----- amax / amin / aminmax --------------------------------------------------------------
def _ties(grad, x, out, dims, keep):
    """``grad`` split evenly among the elements of each slice of ``x`` equal to ``out``."""
    shape = x._data.shape
    mask = x == expand_reduced(out, shape, dims, keep)
    count = mask.sum(dims, keepdim=True) if dims else mask.long()
    return expand_reduced(grad, shape, dims, keep) / count * mask


class Amax(Node):
    """d amax(x) = grad split evenly among the maximal elements of each slice"""

    fn = "amax"

    def forward(self, x, dims, keepdim):
        self.dims, self.keepdim = dims, keepdim
        out = self.xp.asarray(getattr(self.xp, self.fn)(x, axis=dims, keepdims=keepdim))
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        return _ties(grad, x, out, self.dims, self.keepdim), None, None


class Amin(Amax):
    """d amin(x) = grad split evenly among the minimal elements of each slice"""

    fn = "amin"


def _reduce_dims_nonempty(name, data, dim):
    dims = reduced_dims(data, dim)
    if data.size == 0:
        if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
            _check_whole(name, data)
        for d in dim if isinstance(dim, (list, tuple)) else (dim,):
            if data.shape[_wrap_dim(d, data.ndim)] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return dims


def _amax_amin(name, node, input, dim, keepdim, out):
    dims = _reduce_dims_nonempty(name, input._data, dim)
    if out is None:
        return node.apply(input, dims, bool(keepdim))
    _out.check_out_tensors(name, out, 1)
    if out._data.dtype != input._data.dtype:
        raise RuntimeError(
            "Expected the dtype for input and out to match, but got "
            f"{_dt.scalar_type_name(input._data)} for input's dtype and "
            f"{_dt.scalar_type_name(out._data)} for out's dtype."
        )
    _out.refuse_grad(name, out, input)
    return _out.write(out, node.apply(input, dims, bool(keepdim)))


@op(Amax, methods="amax", vmap=batching.reduce,
    spec=(OpSpec("amax", lambda t, a: t.amax(a), _M),
          OpSpec("amax_dims", lambda t, a: a.amax((0, 2), keepdim=True), [((2, 3, 4),)],
                 shapes=None)))  # fmt: skip
def amax(input, dim=(), keepdim=False, *, out=None):
    """The maximum over ``dim`` (int or tuple; all by default); ties share the gradient."""
    return _amax_amin("amax", Amax, input, dim, keepdim, out)


@op(Amin, methods="amin", vmap=batching.reduce,
    spec=OpSpec("amin_dim", lambda t, a: t.amin(a, 1), _D))  # fmt: skip
def amin(input, dim=(), keepdim=False, *, out=None):
    """The minimum over ``dim`` (int or tuple; all by default); ties share the gradient."""
    return _amax_amin("amin", Amin, input, dim, keepdim, out)


class Aminmax(Node):
    """d aminmax(x) = each output's grad split evenly among the elements equal to it"""

    materialize_grads = False

    def forward(self, x, dims, keepdim):
        xp = self.xp
        self.dims, self.keepdim = dims, keepdim
        lo = xp.asarray(xp.amin(x, axis=dims, keepdims=keepdim))
        hi = xp.asarray(xp.amax(x, axis=dims, keepdims=keepdim))
        self.save_for_backward(x, lo, hi)
        return lo, hi

    def backward(self, g_min, g_max):
        x, lo, hi = self.saved_tensors
        total = None
        for g, out in ((g_min, lo), (g_max, hi)):
            if g is not None:
                part = _ties(g, x, out, self.dims, self.keepdim)
                total = part if total is None else total + part
        return total, None, None


@op(Aminmax, methods="aminmax", vmap=batching.reduce,
    spec=(OpSpec("aminmax", lambda t, a: t.aminmax(a, dim=0), [((3, 4),), ((),)]),
          OpSpec("aminmax_all", lambda t, a: t.aminmax(a), [((3, 4),)], shapes=None)))  # fmt: skip
def aminmax(input, *, dim=None, keepdim=False, out=None):
    """``(min, max)`` over ``dim`` (all elements by default)."""
    data = input._data
    if data.size == 0 and dim is None:
        raise RuntimeError(
            "aminmax(): cannot compute aminmax over an empty dimension as the operation has "
            "no identity."
        )
    if dim is not None and data.size == 0:
        d = _wrap_dim(dim, data.ndim)
        if data.ndim == 0 or data.shape[d] == 0:
            raise IndexError(f"aminmax: Expected reduction dim {d} to have non-zero size.")
    dims = reduced_dims(data, dim)
    if out is None:
        return AminmaxResult(*Aminmax.apply(input, dims, bool(keepdim)))
    _out.check_out_tensors("aminmax", out, 2)
    for o in out:
        _out.same_dtype(o, data.dtype)
    _out.refuse_grad("aminmax", out, input)
    return write_pair(AminmaxResult, out, *Aminmax.apply(input, dims, bool(keepdim)))


# ----- argmax / argmin (not differentiable) -------------------------------------------------
def _arg(name, input, dim, keepdim, out):
    data = input._data
    xp = xp_of(data)
    if data.dtype.kind == "b":
        raise RuntimeError(f"{name}(): does not support bool input")
    if dim is None:
        if data.size == 0:
            raise IndexError(
                f"{name}(): Expected reduction dim to be specified for input.numel() == 0."
            )
        r = getattr(xp, name)(data.reshape(-1))
        r = xp.asarray(r).reshape((1,) * data.ndim if keepdim else ())
    else:
        d = _select_dim(name, data, dim)
        xw = data if data.ndim else data.reshape(1)
        r = getattr(xp, name)(xw, axis=d, keepdims=bool(keepdim))
        if data.ndim == 0:
            r = r.reshape(())
    result = Tensor._make(xp.asarray(r, dtype=_dt.int64.np))
    if out is None:
        return result
    _out.check_out_tensors(name, out, 1)
    _out.same_dtype(out, _dt.int64.np)
    return _out.write(out, result)


_ND = NOT_DIFFERENTIABLE


@op(None, methods="argmax",
    spec=(OpSpec("argmax", lambda t, a: t.argmax(a), _R, **_ND),
          OpSpec("argmax_dim", lambda t, a: a.argmax(1, keepdim=True), _D, **_ND)))  # fmt: skip
def argmax(input, dim=None, keepdim=False, *, out=None):
    """The index of the (first) largest element, of the flattened tensor if ``dim`` is None."""
    return _arg("argmax", input, dim, keepdim, out)


@op(None, methods="argmin", spec=OpSpec("argmin_dim", lambda t, a: t.argmin(a, 0), _D, **_ND))
def argmin(input, dim=None, keepdim=False, *, out=None):
    """The index of the (first) smallest element, of the flattened tensor if ``dim`` is None."""
    return _arg("argmin", input, dim, keepdim, out)


__all__ = public_names(__name__)
