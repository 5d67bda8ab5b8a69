"""Reductions: sum, mean, prod, max/min, amax/amin, argmax/argmin, var/std, norm,
logsumexp, cumsum/cumprod, all/any, count_nonzero.

Ties (SPEC rule 20): full ``max()``/``min()`` and ``amax``/``amin`` split the gradient
evenly among tied elements; ``max(dim)``/``min(dim)`` send it to the returned index.
"""

from __future__ import annotations

import builtins
import warnings

from .. import dtypes as _dt
from ..autograd.node import Node, array_backward
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from ._spec import OpSpec, register
from .sorting import SelectAlong, evenly_distribute, return_type

__all__ = [
    "sum",
    "mean",
    "prod",
    "max",
    "min",
    "amax",
    "amin",
    "aminmax",
    "argmax",
    "argmin",
    "var",
    "std",
    "var_mean",
    "std_mean",
    "norm",
    "logsumexp",
    "cumsum",
    "cumprod",
    "all",
    "any",
    "count_nonzero",
]

MaxResult = return_type("max")
MinResult = return_type("min")
AminmaxResult = return_type("aminmax", "min", "max")


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
        if array_backward(grad):
            g = grad._data
            if not self.keepdim and self.dims:
                kept = list(self.in_shape)
                for d in self.dims:
                    kept[d] = 1
                g = g.reshape(kept)
            return Tensor._make(self.xp.broadcast_to(g, self.in_shape)), None, None, None
        return expand_reduced(grad, self.in_shape, self.dims, self.keepdim), None, None, None


def _dims(data, dim):
    """Reduced axes of ``data`` for ``dim`` (validated also for 0-d tensors)."""
    if data.ndim:
        return normalize_dims(dim, data.ndim)
    normalize_dims(dim, 0)
    return ()


def _numel(shape, dims):
    n = 1
    for d in dims:
        n *= shape[d]
    return n


def _type_word(data):
    from ..autograd.errors import legacy_type_name

    return legacy_type_name(data)[6:-6]  # torch.LongTensor -> Long


def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Sum over ``dim`` (all dimensions by default); integers and bools sum as int64."""
    data = input._data
    dims = _dims(data, dim)
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
        if _dt.to_numpy_dtype(dtype).kind not in "fc":
            raise RuntimeError(
                "mean(): could not infer output dtype. Optional dtype must be either a floating "
                f"point or complex dtype. Got: {_type_word(_dt.to_numpy_dtype(dtype).type(0))}"
            )
        input = input.to(dtype)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_type_word(input._data)}"
        )
    data = input._data
    dims = _dims(data, dim)
    n = _numel(data.shape, dims)
    total = Sum.apply(input, dims, keepdim, None)
    return total / n if n else total * float("nan")


# ----- prod ---------------------------------------------------------------------------------
class Prod(Node):
    """d prod(x) = grad * (product of the other elements), exact where x has zeros"""

    def forward(self, x, dims, keepdim, np_dtype):
        self.dims, self.keepdim = dims, keepdim
        out = self.xp.asarray(self.xp.prod(x, axis=dims, keepdims=keepdim, dtype=np_dtype))
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        shape, dims, keep = x._data.shape, self.dims, self.keepdim
        g = expand_reduced(grad, shape, dims, keep)
        zero = x == 0
        if not zero._data.any():
            return g * (expand_reduced(out, shape, dims, keep) / x), None, None, None
        # With zeros, never divide: the product of the others is the exclusive product
        # from the left times the one from the right (exact to every order).
        return g * self._others(x), None, None, None

    def _others(self, x):
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


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Product of the elements (over one ``dim`` if given); integers and bools give int64."""
    if isinstance(dim, (list, tuple)):
        raise TypeError(
            "prod() received an invalid combination of arguments - got (Tensor, tuple), but "
            "expected one of:\n * (*, torch.dtype dtype = None)\n * (int dim, bool keepdim = "
            "False, *, torch.dtype dtype = None)\n"
        )
    if dtype is not None:
        input = input.to(dtype)
        np_dtype = input._data.dtype
    else:
        np_dtype = _dt.int64.np if input._data.dtype.kind in "biu" else None
    dims = _dims(input._data, dim)
    return Prod.apply(input, dims, keepdim, np_dtype)


# ----- max / min ------------------------------------------------------------------------------
class Max(Node):
    """d max(x) = grad split evenly among the maximal elements (NaN: among the NaNs)"""

    fn = "max"

    def forward(self, x):
        out = self.xp.asarray(getattr(self.xp, self.fn)(x))
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        return (evenly_distribute(grad, x, out),)

    def name(self):
        return type(self).__name__ + "Backward1"


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

    def name(self):
        return "MaxBackward0"


class MinDim(MaxDim):
    """d min(x, dim) = grad sent to the index of the first minimal element"""

    arg = "argmin"

    def name(self):
        return "MinBackward0"


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


def _max_min(name, whole, along, result, input, dim, keepdim):
    if isinstance(dim, Tensor):
        from .families import function

        return function("maximum" if name == "max" else "minimum")(input, dim)
    if dim is None:
        if keepdim:
            raise TypeError(
                f"{name}() received an invalid combination of arguments - got (Tensor, "
                "keepdim=bool), but expected one of:\n * (Tensor input, *, Tensor out = None)\n"
                " * (Tensor input, Tensor other, *, Tensor out = None)\n * (Tensor input, int "
                "dim, bool keepdim = False, *, tuple of Tensors out = None)\n"
            )
        _check_whole(name, input._data)
        return whole.apply(input)
    d = _select_dim(name, input._data, dim)
    return result(*along.apply(input, d, bool(keepdim)))


def max(input, dim=None, keepdim=False, *, out=None):
    """The largest element; with ``dim``, ``(values, indices)`` of each slice's maximum.

    Given a tensor as ``dim``, the elementwise ``maximum``.  NaN propagates.
    """
    return _max_min("max", Max, MaxDim, MaxResult, input, dim, keepdim)


def min(input, dim=None, keepdim=False, *, out=None):
    """The smallest element; with ``dim``, ``(values, indices)`` of each slice's minimum."""
    return _max_min("min", Min, MinDim, MinResult, input, dim, keepdim)


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
        shape, dims, keep = x._data.shape, self.dims, self.keepdim
        mask = x == expand_reduced(out, shape, dims, keep)
        count = mask.sum(dims, keepdim=True) if dims else mask.long()
        return expand_reduced(grad, shape, dims, keep) / count * mask, None, None


class Amin(Amax):
    """d amin(x) = grad split evenly among the minimal elements of each slice"""

    fn = "amin"


def _reduce_dims_nonempty(name, data, dim):
    dims = _dims(data, dim)
    if data.size == 0:
        if dim is None or (isinstance(dim, (list, tuple)) and len(dim) == 0):
            _check_whole(name, data)
        for d in dim if isinstance(dim, (list, tuple)) else (dim,):
            if data.shape[_wrap_dim(d, data.ndim)] == 0:
                raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")
    return dims


def amax(input, dim=(), keepdim=False, *, out=None):
    """The maximum over ``dim`` (int or tuple; all by default); ties share the gradient."""
    return Amax.apply(input, _reduce_dims_nonempty("amax", input._data, dim), bool(keepdim))


def amin(input, dim=(), keepdim=False, *, out=None):
    """The minimum over ``dim`` (int or tuple; all by default); ties share the gradient."""
    return Amin.apply(input, _reduce_dims_nonempty("amin", input._data, dim), bool(keepdim))


def aminmax(input, *, dim=None, keepdim=False):
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
    dims = _dims(data, dim)
    return AminmaxResult(
        Amin.apply(input, dims, bool(keepdim)), Amax.apply(input, dims, bool(keepdim))
    )


def _arg(name, input, dim, keepdim):
    data = input._data
    xp = _xp(data)
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
    return Tensor._make(xp.asarray(r, dtype=_dt.int64.np))


def argmax(input, dim=None, keepdim=False):
    """The index of the (first) largest element, of the flattened tensor if ``dim`` is None."""
    return _arg("argmax", input, dim, keepdim)


def argmin(input, dim=None, keepdim=False):
    """The index of the (first) smallest element, of the flattened tensor if ``dim`` is None."""
    return _arg("argmin", input, dim, keepdim)


def _xp(data):
    from ..backend import xp_of

    return xp_of(data)


# ----- var / std --------------------------------------------------------------------------------
class Var(Node):
    """d var(x) = grad * 2 (x - mean(x)) / (N - correction)"""

    def forward(self, x, dims, correction, keepdim):
        xp = self.xp
        n = _numel(x.shape, dims)
        self.dims, self.keepdim = dims, keepdim
        self.factor = 2.0 / (n - correction) if n != correction else float("inf")
        dof = builtins.max(0, n - correction)
        if n == 0:
            out = xp.sum(x, axis=dims, keepdims=keepdim) * xp.nan
        else:
            d = x - xp.mean(x, axis=dims, keepdims=True)
            ss = xp.sum(d * d.conj() if x.dtype.kind == "c" else d * d, axis=dims, keepdims=keepdim)
            if dof:
                out = ss / dof
            else:
                with _np.errstate(divide="ignore", invalid="ignore"):
                    out = ss / xp.asarray(0, dtype=ss.dtype)
        out = xp.asarray(out.real if x.dtype.kind == "c" else out)
        return self._finish(x, out)

    def _finish(self, x, out):
        self.save_for_backward(x)
        return out

    def _scale(self, grad):
        return grad

    def backward(self, grad):
        saved = self.saved_tensors
        x = saved[0]
        shape, dims, keep = x._data.shape, self.dims, self.keepdim
        g = expand_reduced(self._scale(grad), shape, dims, keep)
        centered = x - x.mean(dims if dims else None, keepdim=True)
        if self.factor == float("inf"):  # no degrees of freedom: inf * 0 is NaN, as in PyTorch
            with _np.errstate(invalid="ignore"):
                return g * centered * self.factor, None, None, None
        return g * centered * self.factor, None, None, None


class Std(Var):
    """d std(x) = grad * (x - mean(x)) / ((N - correction) std(x)), 0 where std(x) == 0"""

    def _finish(self, x, out):
        out = self.xp.sqrt(out)
        self.save_for_backward(x, out)
        return out

    def _scale(self, grad):
        from .where import where

        out = self.saved_tensors[1]
        zero = out == 0
        return where(zero, 0.0, grad / (where(zero, 1.0, out) * 2))


def _var_args(name, input, dim, unbiased, keepdim, correction):
    if isinstance(dim, bool):  # the legacy var(input, unbiased)
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        got = "Tensor" + ("" if dim is None else f", {type(dim).__name__}")
        got += f", unbiased={type(unbiased).__name__}, correction={type(correction).__name__}"
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got ({got}), but expected "
            "one of:\n * (tuple of ints dim, bool unbiased = True, bool "
            "keepdim = False)\n      didn't match because some of the keywords were incorrect: "
            "correction, unbiased\n * (tuple of ints dim = None, *, Number correction = None, bool "
            "keepdim = False)\n * (bool unbiased = True)\n"
        )
    if correction is None:
        correction = 0 if unbiased is False else 1
    data = input._data
    if data.dtype.kind not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = _dims(data, dim)
    if _numel(data.shape, dims) - correction <= 0:
        warnings.warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
            stacklevel=3,
        )
    return dims, correction, bool(keepdim)


def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default: unbiased)."""
    return Var.apply(input, *_var_args("var", input, dim, unbiased, keepdim, correction))


def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim`` with ``correction`` (1 by default: unbiased)."""
    return Std.apply(input, *_var_args("std", input, dim, unbiased, keepdim, correction))


def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    dims, corr, keep = _var_args("var_mean", input, dim, unbiased, keepdim, correction)
    return Var.apply(input, dims, corr, keep), mean(input, dims if dims else None, keep)


def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    dims, corr, keep = _var_args("std_mean", input, dim, unbiased, keepdim, correction)
    return Std.apply(input, dims, corr, keep), mean(input, dims if dims else None, keep)


# ----- norm --------------------------------------------------------------------------------------
_INF = float("inf")


class VectorNorm(Node):
    """d ||x||_p = sign(x) |x|^(p-1) / ||x||^(p-1) * grad (0 where the norm is 0)"""

    def forward(self, x, p, dims, keepdim):
        xp = self.xp
        self.p, self.dims, self.keepdim = p, dims, keepdim
        if p == 2 and xp is _np and x.dtype.kind == "f":  # the common case, lean
            out = _np.sqrt(_np.add.reduce(x * x, axis=dims, keepdims=keepdim))
            out = _np.asarray(out, dtype=x.dtype)
            self.save_for_backward(x, out)
            return out
        a = xp.abs(x)
        if p == 2:
            out = xp.sqrt(xp.sum(a * a, axis=dims, keepdims=keepdim))
        elif p == 1:
            out = xp.sum(a, axis=dims, keepdims=keepdim)
        elif p == _INF:
            out = xp.amax(a, axis=dims, keepdims=keepdim)
        elif p == -_INF:
            out = xp.amin(a, axis=dims, keepdims=keepdim)
        elif p == 0:
            out = xp.sum(a != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
        else:
            with _np.errstate(divide="ignore"):
                out = xp.sum(a**p, axis=dims, keepdims=keepdim) ** (1.0 / p)
        out = xp.asarray(out, dtype=a.dtype)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        from .unary import abs as _abs
        from .unary import sign
        from .where import where

        p = self.p
        if p == 0:
            return None, None, None, None
        x, out = self.saved_tensors
        shape, dims, keep = x._data.shape, self.dims, self.keepdim
        g = expand_reduced(grad, shape, dims, keep)
        if p == 1:
            return g * sign(x), None, None, None
        n = expand_reduced(out, shape, dims, keep)
        if p in (_INF, -_INF):
            mask = _abs(x) == n
            count = mask.sum(dims, keepdim=True) if dims else mask.long()
            return sign(x) * mask * (g / count), None, None, None
        nzero = n == 0
        a = _abs(x)
        if p < 1:
            xzero = x == 0
            scaled = sign(x) * where(xzero, 0.0, where(xzero, 1.0, a) ** (p - 1))
            return scaled * g * n ** (1 - p), None, None, None
        if p >= 2:
            n_safe = where(nzero, 1.0, n) ** (p - 1)
            scaled = x if p == 2 else x * a ** (p - 2)
            return scaled * where(nzero, 0.0, g / n_safe), None, None, None
        if not nzero._data.any():
            return _norm_scale(x, a, g, n, nzero, p), None, None, None
        # A zero norm (1 < p < 2): the masked quotient is inf, its second derivative NaN,
        # as in PyTorch.
        with _np.errstate(divide="ignore", invalid="ignore"):
            return _norm_scale(x, a, g, n, nzero, p), None, None, None

    def name(self):
        return "LinalgVectorNormBackward0"


def _norm_scale(x, a, g, n, nzero, p):
    from .unary import sign
    from .where import where

    return sign(x) * a ** (p - 1) * where(nzero, 0.0, g / n ** (p - 1))


def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The vector p-norm over ``dim`` (all elements by default); ``'fro'`` is the 2-norm.

    ``p`` may be any number, ``inf`` or ``-inf``; at a zero vector the gradient is 0.
    """
    if dtype is not None:
        input = input.to(dtype)
    data = input._data
    if isinstance(p, str):
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if isinstance(dim, (list, tuple)) and len(dim) != 2 or p == "nuc":
            if p == "nuc" and isinstance(dim, (list, tuple)) and len(dim) == 2:
                raise NotImplementedError("norm(p='nuc') is not supported by Ember yet.")
            got = " ".join(str(d) for d in (dim if dim is not None else range(data.ndim)))
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
        p = 2
    if data.dtype.kind not in "fc":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {_type_word(data)}"
        )
    dims = _dims(data, dim)
    if p in (_INF, -_INF) and data.size == 0:
        empty = data.ndim == 0 or builtins.any(data.shape[d] == 0 for d in dims)
        if empty:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {'-' if p < 0 else ''}inf norm on an "
                "empty tensor because the operation does not have an identity"
            )
    return VectorNorm.apply(input, float(p), dims, bool(keepdim))


# ----- logsumexp ---------------------------------------------------------------------------------
class Logsumexp(Node):
    """d logsumexp(x) = grad * exp(x - logsumexp(x))"""

    upcast_float16 = False  # PyTorch composes float16 ops here

    def forward(self, x, dims, keepdim):
        xp = self.xp
        self.dims, self.keepdim = dims, keepdim
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
        from .unary import exp

        x, out = self.saved_tensors
        shape, dims, keep = x._data.shape, self.dims, self.keepdim
        g = expand_reduced(grad, shape, dims, keep)
        return g * exp(x - expand_reduced(out, shape, dims, keep)), None, None


def _need_dim(name, dim):
    if dim is None:
        raise TypeError(f'{name}() missing 1 required positional arguments: "dim"')


def logsumexp(input, dim=None, keepdim=False, *, out=None):
    """``log(sum(exp(input)))`` over ``dim``, computed without overflow."""
    from .unary import _float_input

    _need_dim("logsumexp", dim)

    input = _float_input(input)
    return Logsumexp.apply(input, _dims(input._data, dim), bool(keepdim))


# ----- cumsum / cumprod -----------------------------------------------------------------------
def _cum(xp, fn, x, dim, np_dtype=None):
    xw = x if x.ndim else x.reshape(1)
    return getattr(xp, fn)(xw, axis=dim, dtype=np_dtype).reshape(x.shape)


class Cumsum(Node):
    """d cumsum(x) = reversed cumulative sum of grad"""

    def forward(self, x, dim, np_dtype):
        self.dim = dim
        return _cum(self.xp, "cumsum", x, dim, np_dtype)

    def backward(self, grad):
        return RevCumsum.apply(grad, self.dim), None, None


class RevCumsum(Node):
    """d revcumsum(g) = cumsum of grad (the adjoint of cumsum)"""

    def forward(self, g, dim):
        xp = self.xp
        self.dim = dim
        if g.ndim == 0:
            return g.copy()
        return xp.flip(xp.cumsum(xp.flip(g, dim), axis=dim), dim)

    def backward(self, grad):
        return Cumsum.apply(grad, self.dim, None), None


class Cumprod(Node):
    """d cumprod(x)_i = sum_{j>=i} grad_j cumprod(x)_j / x_i, exact where x has zeros"""

    def forward(self, x, dim, np_dtype):
        self.dim = dim
        out = _cum(self.xp, "cumprod", x, dim, np_dtype)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        from .where import where

        x, out = self.saved_tensors
        d = self.dim
        if x._data.ndim == 0:
            return grad, None, None
        zero = x == 0
        if not zero._data.any():
            return RevCumsum.apply(grad * out, d) / x, None, None
        # Before a slice's first zero the division is exact; the first zero itself gets
        # the products with it left out; everything after it has gradient zero.
        seen = cumsum(zero, d)
        before = seen == 0
        first = zero & (seen == 1)
        part1 = RevCumsum.apply(grad * out, d) / where(before, x, 1.0)
        part2 = RevCumsum.apply(grad * Cumprod.apply(where(first, 1.0, x), d, None), d)
        return where(before, part1, where(first, part2, 0.0)), None, None


def _cum_args(input, dim, dtype):
    if dtype is not None:
        input = input.to(dtype)
        np_dtype = input._data.dtype
    else:
        np_dtype = _dt.int64.np if input._data.dtype.kind in "biu" else None
    return input, _wrap_dim(dim, input._data.ndim), np_dtype


def cumsum(input, dim=None, *, dtype=None, out=None):
    """Cumulative sum along ``dim``; integers and bools accumulate as int64."""
    _need_dim("cumsum", dim)
    return Cumsum.apply(*_cum_args(input, dim, dtype))


def cumprod(input, dim=None, *, dtype=None, out=None):
    """Cumulative product along ``dim``; integers and bools accumulate as int64."""
    _need_dim("cumprod", dim)
    return Cumprod.apply(*_cum_args(input, dim, dtype))


# ----- all / any / count_nonzero (not differentiable) ------------------------------------
def _logical(fn, input, dim, keepdim):
    data = input._data
    xp = _xp(data)
    r = xp.asarray(getattr(xp, fn)(data, axis=_dims(data, dim), keepdims=bool(keepdim)))
    return Tensor._make(r.astype(data.dtype) if data.dtype == _dt.uint8.np else r)


def all(input, dim=None, keepdim=False, *, out=None):
    """True where every element over ``dim`` is non-zero (uint8 input gives uint8)."""
    return _logical("all", input, dim, keepdim)


def any(input, dim=None, keepdim=False, *, out=None):
    """True where some element over ``dim`` is non-zero (uint8 input gives uint8)."""
    return _logical("any", input, dim, keepdim)


def count_nonzero(input, dim=None):
    """The number of non-zero elements over ``dim`` (int64)."""
    data = input._data
    xp = _xp(data)
    r = xp.count_nonzero(data, axis=_dims(data, dim))
    return Tensor._make(xp.asarray(r, dtype=_dt.int64.np))


METHODS = {
    "sum": "sum",
    "mean": "mean",
    "prod": "prod",
    "max": "max",
    "min": "min",
    "amax": "amax",
    "amin": "amin",
    "aminmax": "aminmax",
    "argmax": "argmax",
    "argmin": "argmin",
    "var": "var",
    "std": "std",
    "norm": "norm",
    "logsumexp": "logsumexp",
    "cumsum": "cumsum",
    "cumprod": "cumprod",
    "all": "all",
    "any": "any",
    "count_nonzero": "count_nonzero",
}

_R = [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)]
_D = [((3, 4),), ((2, 3, 4),), ((0, 3),)]
_M = [((3, 4),), ((),), ((2, 3, 4),)]  # max and friends refuse empty inputs
_ND = dict(grad=(False,), fd=False)  # integer or bool results


def _zeros(t, a):
    return a * (a > 0)  # about half the elements exactly zero


register(
    OpSpec("sum", lambda t, a: t.sum(a), _R),
    OpSpec("sum_dim", lambda t, a: a.sum(dim=-1), [((3, 4),), ((2, 3, 4),), ((0, 3),)]),
    OpSpec("sum_dims_keep", lambda t, a: a.sum((0, 2), keepdim=True), [((2, 3, 4),)]),
    OpSpec("mean", lambda t, a: t.mean(a), [((3, 4),), ((),), ((2, 3, 4),)]),
    OpSpec("mean_dim", lambda t, a: a.mean(1, keepdim=True), [((3, 4),), ((2, 3, 4),)]),
    OpSpec("mean_dtype", lambda t, a: t.mean(a, 0, dtype=t.float64), [((3, 4),)], shapes=None),
    OpSpec("prod", lambda t, a: t.prod(a), _R),
    OpSpec("prod_dim", lambda t, a: a.prod(1), _D),
    OpSpec("prod_keep", lambda t, a: t.prod(a, -1, keepdim=True), [((3, 4),), ((),)]),
    OpSpec("prod_zeros", lambda t, a: _zeros(t, a).prod(1), [((6, 3),), ((5, 2, 3),)]),
    OpSpec("prod_zeros_all", lambda t, a: _zeros(t, a).prod(), [((2,),), ((3,),), ((4,),)]),
    OpSpec("max", lambda t, a: t.max(a), _M),
    OpSpec("max_dim", lambda t, a: t.max(a, 1), _D),
    OpSpec("max_dim_keep", lambda t, a: a.max(dim=0, keepdim=True), [((3, 4),), ((),)]),
    OpSpec("min", lambda t, a: t.min(a), _M),
    OpSpec("min_dim", lambda t, a: t.min(a, -1), _D),
    OpSpec("amax", lambda t, a: t.amax(a), _M),
    OpSpec("amax_dims", lambda t, a: a.amax((0, 2), keepdim=True), [((2, 3, 4),)], shapes=None),
    OpSpec("amin_dim", lambda t, a: t.amin(a, 1), _D),
    OpSpec("aminmax", lambda t, a: t.aminmax(a, dim=0), [((3, 4),), ((),)]),
    OpSpec("argmax", lambda t, a: t.argmax(a), _R, **_ND),
    OpSpec("argmax_dim", lambda t, a: a.argmax(1, keepdim=True), _D, **_ND),
    OpSpec("argmin_dim", lambda t, a: t.argmin(a, 0), _D, **_ND),
    OpSpec("var", lambda t, a: t.var(a), [((3, 4),), ((2, 3, 4),), ((5,),)]),
    OpSpec("var_dim", lambda t, a: a.var(1, keepdim=True), _D[:2]),
    OpSpec("var_legacy", lambda t, a: t.var(a, 0, False), [((3, 4),)], shapes=None),
    OpSpec("var_correction", lambda t, a: a.var((0, 2), correction=0), [((2, 3, 4),)], shapes=None),
    OpSpec("std", lambda t, a: t.std(a), [((3, 4),), ((2, 3, 4),), ((5,),)]),
    OpSpec("std_dim", lambda t, a: a.std(0, unbiased=False), _D[:2]),
    OpSpec("var_mean", lambda t, a: t.var_mean(a, 1), [((3, 4),)], shapes=None),
    OpSpec("std_mean", lambda t, a: t.std_mean(a, (0, 1)), [((3, 4),)], shapes=None),
    OpSpec("norm", lambda t, a: t.norm(a), _R),
    OpSpec("norm_dim", lambda t, a: a.norm(dim=1, keepdim=True), _D[:2]),
    OpSpec("norm_1", lambda t, a: a.norm(1), _R, second_order=False),
    OpSpec("norm_inf", lambda t, a: a.norm(float("inf"), dim=-1), _D),
    OpSpec("norm_neginf", lambda t, a: a.norm(-float("inf")), _M),
    OpSpec("norm_3", lambda t, a: t.norm(a, 3, 0), _D),
    OpSpec("norm_1_5", lambda t, a: a.norm(1.5), [((3, 4),), ((2, 3, 4),)], shapes=None),
    OpSpec("norm_half", lambda t, a: a.norm(0.5), [((3, 4),)], shapes=None, domain=(0.5, 2.0)),
    OpSpec("norm_0", lambda t, a: a.norm(0, dim=0), [((3, 4),)], shapes=None, fd=False),
    OpSpec("norm_fro", lambda t, a: a.norm("fro", (0, 2)), [((2, 3, 4),)], shapes=None),
    OpSpec("logsumexp", lambda t, a: t.logsumexp(a, 1), _D),
    OpSpec("logsumexp_dims", lambda t, a: a.logsumexp((0, -1), True), [((2, 3, 4),)], shapes=None),
    OpSpec("logsumexp_0d", lambda t, a: a.logsumexp(0), [((),), ((5,),)]),
    OpSpec("cumsum", lambda t, a: t.cumsum(a, 0), _R),
    OpSpec("cumsum_last", lambda t, a: a.cumsum(-1), _D),
    OpSpec("cumprod", lambda t, a: t.cumprod(a, 0), _R),
    OpSpec("cumprod_dim", lambda t, a: a.cumprod(1), _D[:2]),
    OpSpec("cumprod_zeros", lambda t, a: _zeros(t, a).cumprod(1), [((6, 4),), ((3, 5, 2),)]),
    OpSpec("all", lambda t, a: t.all(a > 0), _R, **_ND),
    OpSpec("any_dim", lambda t, a: (a > 1).any(1, keepdim=True), _D, **_ND),
    OpSpec("count_nonzero", lambda t, a: t.count_nonzero(a > 0, 0), _D, **_ND),
)
