"""Sums and products: sum, mean, prod, logsumexp; all, any, count_nonzero; and what every
reduction shares (the reduced dimensions, a reduced gradient expanded back).

The other reductions live beside this module: ``minmax`` (max, min, amax, argmax, ...),
``variance`` (var, std), ``norms`` (norm) and ``cumulative`` (cumsum, cumprod).
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node, array_backward
from ..backend import np as _np
from ..backend import xp_of
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out, batching
from ._spec import OpSpec
from .registry import declare, op, public_names
from .unary import exp


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


ALL_DIMS = [tuple(range(n)) for n in range(65)]  # the dims of a full reduction, by rank


def reduced_dims(data, dim):
    """Reduced axes of ``data`` for ``dim`` (validated also for 0-d tensors)."""
    if data.ndim:
        return normalize_dims(dim, data.ndim)
    normalize_dims(dim, 0)
    return ()


def numel(shape, dims):
    """The number of elements a reduction over ``dims`` of ``shape`` combines."""
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def expand_reduced(grad, in_shape, dims, keepdim):
    """Broadcast a reduced gradient back to ``in_shape`` (a view, no copy)."""
    if not keepdim and dims:
        kept = list(in_shape)
        for d in dims:
            kept[d] = 1
        grad = grad.reshape(tuple(kept))
    return grad.expand(in_shape)


class SavedReduction(Node):
    """A reduction over ``dims`` of an input of shape ``in_shape`` whose backward needs
    reduced values (the gradient, the saved output) broadcast back to that shape."""

    def expanded(self, t):
        """``t``, shaped like the output, broadcast back to the input's shape."""
        return expand_reduced(t, self.in_shape, self.dims, self.keepdim)


def accumulated_dtype(data, dtype):
    """The accumulation dtype of sum/prod/cumsum: ``dtype``, else int64 for integers."""
    if dtype is not None:
        return _dt.to_numpy_dtype(dtype)
    return _dt.int64.np if data.dtype.kind in "biu" else None


def out_dtype(name, out, dtype):
    """With ``out=`` and no ``dtype``, sum-like ops accumulate in ``out``'s dtype."""
    if out is None:
        return dtype
    _out.check_out_tensors(name, out, 1)
    return out.dtype if dtype is None else dtype


def _no_out_overload(name, dim_type, keepdim):
    """PyTorch's TypeError for ``out=`` on the form of ``name`` that reduces everything."""
    return TypeError(
        f"{name}() received an invalid combination of arguments - got (Tensor, out=Tensor), but "
        f"expected one of:\n * (Tensor input, *, torch.dtype dtype = None)\n * (Tensor input, "
        f"{dim_type} dim, bool {keepdim}, *, torch.dtype dtype = None, Tensor out = None)\n"
    )


# ----- sum / mean -----------------------------------------------------------------------
class Sum(Node):
    """d(sum x) = grad broadcast back over the summed dimensions"""

    def forward(self, x, dims, keepdim, np_dtype):
        self.in_shape = x.shape
        self.dims = dims
        self.keepdim = keepdim
        if not x.ndim and np_dtype is None and x.dtype.kind in "fc":
            # nothing to add up: the value plus zero (as PyTorch, -0.0 sums to +0.0)
            return x[()] + x.dtype.type(0)
        return x.sum(axis=dims, keepdims=keepdim, dtype=np_dtype)

    def array_rule(self, g):
        return _spread_array(self, g), None, None, None

    def backward(self, grad):
        return _spread(self, grad), None, None, None


_SMALL = 1024  # elements a reduction's gradient fills rather than broadcasts


def _spread(node, grad, n=1):
    """``grad / n`` broadcast back over the node's reduced dimensions."""
    if array_backward(grad):
        return Tensor._make(_spread_array(node, grad._data, n))
    return expand_reduced(grad if n == 1 else grad / n, node.in_shape, node.dims, node.keepdim)


def _spread_array(node, g, n=1):
    """``_spread`` on the gradient's array (or NumPy scalar) ``g``."""
    if n != 1:
        g = g / n
    if not node.keepdim and node.dims:
        kept = list(node.in_shape)
        for d in node.dims:
            kept[d] = 1
        g = g.reshape(kept)
    shape = node.in_shape
    if len(shape) <= 1 and g.size == 1 and (not shape or shape[0] <= _SMALL):
        # A few elements: filled (a tenth of broadcast_to's cost; backward may adopt it).
        return node.xp.full(shape, g.reshape(()), g.dtype)
    return node.xp.broadcast_to(g, shape)


class SumDim(Sum):
    """d(sum(x, dim)) = grad broadcast back over the summed dimensions"""


# Sample shapes of the reductions' specs: any tensor; tensors with a dim to reduce; and
# non-empty ones (max and friends refuse empty inputs).
SAMPLES = _R = [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)]
DIM_SAMPLES = _D = [((3, 4),), ((2, 3, 4),), ((0, 3),)]
NONEMPTY_SAMPLES = [((3, 4),), ((),), ((2, 3, 4),)]
#: Spec flags of ops with integer or bool results (nothing to differentiate).
NOT_DIFFERENTIABLE = dict(grad=(False,), fd=False)


@op(Sum, methods="sum", vmap=batching.reduce,
    spec=(OpSpec("sum", lambda t, a: t.sum(a), _R),
          OpSpec("sum_dtype", lambda t, a: a.sum(dtype=t.float64), [((3, 4),)],
                 shapes=None)))  # fmt: skip
def sum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Sum over ``dim`` (all dimensions by default); integers and bools sum as int64."""
    data = input._data
    if dim is None and not keepdim and dtype is None and out is None and data.dtype.kind == "f":
        return Sum.apply(input, ALL_DIMS[data.ndim], False, None)  # x.sum(): no checks left
    dims = reduced_dims(data, dim)
    node = Sum if dim is None and not keepdim else SumDim
    if out is None:
        return node.apply(input, dims, keepdim, accumulated_dtype(data, dtype))
    if dim is None:
        raise _no_out_overload("sum", "tuple of ints dim", "keepdim = False")
    dtype = out_dtype("sum", out, dtype)
    _out.refuse_grad("sum", out, input)
    return _out.write(out, node.apply(input, dims, keepdim, accumulated_dtype(data, dtype)))


declare(
    SumDim,
    grad_fn="SumBackward1",
    vmap=batching.reduce,
    spec=(
        OpSpec("sum_dim", lambda t, a: a.sum(dim=-1), _D),
        OpSpec("sum_dims_keep", lambda t, a: a.sum((0, 2), keepdim=True), [((2, 3, 4),)]),
    ),
)


class Mean(Node):
    """d mean(x) = grad / N broadcast back over the averaged dimensions"""

    def forward(self, x, dims, keepdim, np_dtype):
        self.in_shape = x.shape
        self.dims = dims
        self.keepdim = keepdim
        self.n = n = numel(x.shape, dims)
        total = x.sum(axis=dims, keepdims=keepdim, dtype=np_dtype)
        if n == 0:
            return self.xp.full(self.xp.shape(total), self.xp.nan, dtype=total.dtype)
        return self.xp.asarray(total / n, dtype=total.dtype)

    def backward(self, grad):
        return _spread(self, grad, self.n or 1), None, None, None

    def array_rule(self, g):
        return _spread_array(self, g, self.n or 1), None, None, None


class MeanDim(Mean):
    """d mean(x, dim) = grad / N broadcast back over the averaged dimensions"""


def _mean_dtype(input, dtype):
    if dtype is not None:
        np_dtype = _dt.to_numpy_dtype(dtype)
        if _dt.kind_of(np_dtype) not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Optional dtype must be either a floating "
                f"point or complex dtype. Got: {_dt.scalar_type_name(np_dtype)}"
            )
        return np_dtype
    if _dt.kind_of(input._data.dtype) not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_dt.scalar_type_name(input._data)}"
        )
    return None


@op(
    Mean,
    methods="mean",
    vmap=batching.reduce,
    spec=(
        OpSpec("mean", lambda t, a: t.mean(a), [((3, 4),), ((),), ((2, 3, 4),)]),
        OpSpec("mean_dtype_all", lambda t, a: a.mean(dtype=t.float64), [((3, 4),)], shapes=None),
    ),
)
def mean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Arithmetic mean over ``dim``; only for floating-point (or complex) tensors."""
    np_dtype = _mean_dtype(input, dtype)
    dims = reduced_dims(input._data, dim)
    node = Mean if dim is None and not keepdim else MeanDim
    if out is None:
        return node.apply(input, dims, keepdim, np_dtype)
    _out.check_out_tensors("mean", out, 1)
    _out.refuse_grad("mean", out, input)
    result = node.apply(input, dims, keepdim, np_dtype)
    if dim is None and out._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean.dtype_out(): input types can't be cast to the desired output type "
            f"{_dt.scalar_type_name(out._data)}"
        )
    _out.castable(result._data.dtype, out)
    return _out.write(out, result)


declare(
    MeanDim,
    grad_fn="MeanBackward1",
    vmap=batching.reduce,
    spec=(
        OpSpec("mean_dim", lambda t, a: a.mean(1, keepdim=True), [((3, 4),), ((2, 3, 4),)]),
        OpSpec("mean_dtype", lambda t, a: t.mean(a, 0, dtype=t.float64), [((3, 4),)], shapes=None),
        OpSpec("mean_empty_dim", lambda t, a: a.mean(0), [((0, 3),)], shapes=None),
    ),
)


# ----- prod ---------------------------------------------------------------------------------
class Prod(SavedReduction):
    """d prod(x) = grad * (product of the other elements), exact where x has zeros"""

    def forward(self, x, dims, keepdim, np_dtype):
        self.dims, self.keepdim, self.in_shape = dims, keepdim, x.shape
        out = self.xp.asarray(self.xp.prod(x, axis=dims, keepdims=keepdim, dtype=np_dtype))
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        g = self.expanded(grad)
        if not (x == 0)._data.any():
            return g * (self.expanded(out) / x), None, None, None
        # With zeros, never divide: the product of the others is the exclusive product
        # from the left times the one from the right (exact to every order).
        return g * self._others(x), None, None, None

    def _others(self, x):
        from .cumulative import Cumprod
        from .sorting import GatherAlong
        from .where import where

        xp, dims, shape = self.xp, self.dims, x._data.shape
        if not dims:
            return x * 0 + 1
        flat = len(dims) > 1
        xf = x.reshape(-1) if flat else x
        d = 0 if flat else dims[0]
        fshape = xf._data.shape
        n = fshape[d]
        line = [1] * len(fshape)
        line[d] = n
        pos = xp.arange(n).reshape(line)
        first = Tensor._make(xp.broadcast_to(pos == 0, fshape))
        roll = xp.broadcast_to((pos - 1) % n, fshape)  # a permutation: its scatter is exact
        rev = xp.broadcast_to(n - 1 - pos, fshape)

        def exclusive(t):
            shifted = GatherAlong.apply(Cumprod.apply(t, d, None), roll, d, fshape)
            return where(first, 1.0, shifted)

        right = exclusive(GatherAlong.apply(xf, rev, d, fshape))
        others = exclusive(xf) * GatherAlong.apply(right, rev, d, fshape)
        return others.reshape(shape) if flat else others


class ProdDim(Prod):
    """d prod(x, dim) = grad * (product of the other elements of the slice)"""


def half_zeros(t, a):
    """``a`` with about half its elements exactly zero (specs of prod and cumprod)."""
    return a * (a > 0)


@op(Prod, methods="prod", vmap=batching.reduce,
    spec=(OpSpec("prod", lambda t, a: t.prod(a), _R),
          OpSpec("prod_zeros_all", lambda t, a: half_zeros(t, a).prod(),
                 [((2,),), ((3,),), ((4,),)])))  # fmt: skip
def prod(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """Product of the elements (over one ``dim`` if given); integers and bools give int64."""
    if isinstance(dim, (list, tuple)):
        raise TypeError(
            "prod() received an invalid combination of arguments - got (Tensor, tuple), but "
            "expected one of:\n * (*, torch.dtype dtype = None)\n * (int dim, bool keepdim = "
            "False, *, torch.dtype dtype = None)\n"
        )
    if out is not None and dim is None:
        raise _no_out_overload("prod", "int dim", "keepdim = False")
    dtype = out_dtype("prod", out, dtype)
    if dtype is not None:
        input = input.to(dtype)
    np_dtype = accumulated_dtype(input._data, dtype)
    dims = reduced_dims(input._data, dim)
    node = Prod if dim is None else ProdDim
    if out is None:
        return node.apply(input, dims, keepdim, np_dtype)
    _out.refuse_grad("prod", out, input)
    return _out.write(out, node.apply(input, dims, keepdim, np_dtype))


declare(
    ProdDim,
    grad_fn="ProdBackward1",
    vmap=batching.reduce,
    spec=(
        OpSpec("prod_dim", lambda t, a: a.prod(1), _D),
        OpSpec("prod_keep", lambda t, a: t.prod(a, -1, keepdim=True), [((3, 4),), ((),)]),
        OpSpec("prod_zeros", lambda t, a: half_zeros(t, a).prod(1), [((6, 3),), ((5, 2, 3),)]),
    ),
)


# ----- logsumexp ---------------------------------------------------------------------------------
class Logsumexp(SavedReduction):
    """d logsumexp(x) = grad * exp(x - logsumexp(x))"""

    upcast_float16 = False  # PyTorch composes float16 ops here

    def forward(self, x, dims, keepdim):
        xp = self.xp
        self.dims, self.keepdim, self.in_shape = dims, keepdim, x.shape
        if x.size:
            m = xp.amax(x, axis=dims, keepdims=True)
            m = xp.where(xp.isinf(m), 0, m)  # all -inf (or +inf) slices: no shift
            with _np.errstate(divide="ignore"):
                out = xp.log(xp.sum(xp.exp(x - m), axis=dims, keepdims=True)) + m
            if not keepdim:
                out = out.reshape(tuple(s for i, s in enumerate(x.shape) if i not in dims))
        else:
            out = xp.full(xp.sum(x, axis=dims, keepdims=keepdim).shape, -xp.inf, dtype=x.dtype)
        out = xp.asarray(out)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        return self.expanded(grad) * exp(x - self.expanded(out)), None, None


def need_dim(name, dim):
    """PyTorch's TypeError for a reduction called without its required ``dim``."""
    if dim is None:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')


@op(Logsumexp, methods="logsumexp", vmap=batching.reduce,
    spec=(OpSpec("logsumexp", lambda t, a: t.logsumexp(a, 1), _D),
          OpSpec("logsumexp_dims", lambda t, a: a.logsumexp((0, -1), True), [((2, 3, 4),)],
                 shapes=None),
          OpSpec("logsumexp_0d", lambda t, a: a.logsumexp(0), [((),), ((5,),)])))  # fmt: skip
def logsumexp(input, dim=None, keepdim=False, *, out=None):
    """``log(sum(exp(input)))`` over ``dim``, computed without overflow."""
    from .unary import _float_input

    need_dim("logsumexp", dim)
    input = _float_input(input)
    if out is None:
        return Logsumexp.apply(input, reduced_dims(input._data, dim), bool(keepdim))
    _out.check_out_tensors("logsumexp", out, 1)
    if out._data.dtype.kind not in "fc":
        raise RuntimeError(
            "logsumexp(): Expected floating point type for result tensor, but got: "
            f"{_dt.scalar_type_name(out._data)}"
        )
    _out.refuse_grad("logsumexp", out, input)
    return _out.write(out, Logsumexp.apply(input, reduced_dims(input._data, dim), bool(keepdim)))


# ----- all / any / count_nonzero (not differentiable) ------------------------------------
def _logical(name, input, dim, keepdim, out):
    data = input._data
    xp = xp_of(data)
    r = xp.asarray(getattr(xp, name)(data, axis=reduced_dims(data, dim), keepdims=bool(keepdim)))
    result = Tensor._make(r.astype(data.dtype) if data.dtype == _dt.uint8.np else r)
    if out is None:
        return result
    _out.check_out_tensors(name, out, 1)
    if out._data.dtype != result._data.dtype:
        raise RuntimeError(
            f"{name} only supports bool tensor for result, got: {_dt.scalar_type_name(out._data)}"
        )
    return _out.write(out, result)


_ND = NOT_DIFFERENTIABLE


@op(None, methods="all", spec=OpSpec("all", lambda t, a: t.all(a > 0), _R, **_ND))
def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element over ``dim`` is non-zero (uint8 input gives uint8)."""
    return _logical("all", input, dim, keepdim, out)


@op(
    None,
    methods="any",
    spec=OpSpec("any_dim", lambda t, a: (a > 1).any(1, keepdim=True), _D, **_ND),
)
def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element over ``dim`` is non-zero (uint8 input gives uint8)."""
    return _logical("any", input, dim, keepdim, out)


@op(
    None,
    methods="count_nonzero",
    spec=OpSpec("count_nonzero", lambda t, a: t.count_nonzero(a > 0, 0), _D, **_ND),
)
def count_nonzero(input, dim=None):
    """The number of non-zero elements over ``dim`` (int64)."""
    data = input._data
    xp = xp_of(data)
    r = xp.count_nonzero(data, axis=reduced_dims(data, dim))
    return Tensor._make(xp.asarray(r, dtype=_dt.int64.np))


__all__ = public_names(__name__)
