"""Spread: var, std, and var_mean / std_mean (one node with two outputs, as in PyTorch)."""

from __future__ import annotations

import builtins

from .. import dtypes as _dt
from ..autograd.callsite import warn
from ..autograd.node import Node
from ..backend import np as _np
from . import _out, batching
from ._spec import OpSpec
from .reduce import expand_reduced, numel, reduced_dims
from .registry import op, public_names

_D = [((3, 4),), ((2, 3, 4),)]


class Var(Node):
    """d var(x) = grad * 2 (x - mean(x)) / (N - correction)"""

    with_mean = False  # var_mean / std_mean also return the mean

    def forward(self, x, dims, correction, keepdim):
        xp = self.xp
        self.n = n = numel(x.shape, dims)
        self.dims, self.keepdim = dims, keepdim
        self.factor = 2.0 / (n - correction) if n != correction else float("inf")
        dof = builtins.max(0, n - correction)
        if n == 0:
            m = xp.sum(x, axis=dims, keepdims=True) * xp.nan
            out = xp.sum(x.real, axis=dims, keepdims=keepdim) * xp.nan
        else:
            m = xp.mean(x, axis=dims, keepdims=True)
            d = x - m
            ss = xp.sum(d * d.conj() if x.dtype.kind == "c" else d * d, axis=dims, keepdims=keepdim)
            with _np.errstate(divide="ignore", invalid="ignore"):
                out = ss / (dof if dof else xp.asarray(0, dtype=ss.dtype))
        out = self._finish(x, xp.asarray(out.real if x.dtype.kind == "c" else out))
        if not self.with_mean:
            return out
        return out, xp.asarray(m if keepdim else m.reshape(out.shape), dtype=x.dtype)

    def _finish(self, x, out):
        self.save_for_backward(x)
        return out

    def _scale(self, grad):
        return grad

    def backward(self, grad, grad_mean=None):
        x = self.saved_tensors[0]
        shape, dims, keep = x._data.shape, self.dims, self.keepdim
        total = None
        if grad is not None:
            g = expand_reduced(self._scale(grad), shape, dims, keep)
            centered = x - x.mean(dims if dims else None, keepdim=True)
            with _np.errstate(invalid="ignore"):  # no degrees of freedom: inf * 0 is NaN
                total = g * centered * self.factor
        if grad_mean is not None:
            part = expand_reduced(grad_mean / (self.n or 1), shape, dims, keep)
            total = part if total is None else total + part
        return total, None, None, None


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


class _WithMean:
    """The mean as a second output; a missing gradient of either output is skipped."""

    with_mean = True
    materialize_grads = False


class VarMean(_WithMean, Var):
    """d var_mean(x) = var's gradient plus the mean's, grad_mean / N broadcast back"""


class StdMean(_WithMean, Std):
    """d std_mean(x) = std's gradient plus the mean's, grad_mean / N broadcast back"""


def _var_args(name, input, dim, unbiased, keepdim, correction, stacklevel=5):
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
    if _dt.kind_of(data.dtype) not in "fc":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = reduced_dims(data, dim)
    if numel(data.shape, dims) - correction <= 0:
        warn(
            f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel).",
            UserWarning,
        )
    return dims, correction, bool(keepdim)


def _var_std(name, node, input, dim, unbiased, keepdim, correction, out):
    args = _var_args(name, input, dim, unbiased, keepdim, correction)
    if out is None:
        return node.apply(input, *args)
    _out.check_out_tensors(name, out, 1)
    _out.refuse_grad(name, out, input)
    result = node.apply(input, *args)
    _out.castable(result._data.dtype, out)
    return _out.write(out, result)


@op(Var, methods="var", vmap=batching.reduce,
    spec=(OpSpec("var", lambda t, a: t.var(a), [((3, 4),), ((2, 3, 4),), ((5,),)]),
          OpSpec("var_dim", lambda t, a: a.var(1, keepdim=True), _D),
          OpSpec("var_legacy", lambda t, a: t.var(a, 0, False), [((3, 4),)], shapes=None),
          OpSpec("var_correction", lambda t, a: a.var((0, 2), correction=0), [((2, 3, 4),)],
                 shapes=None)))  # fmt: skip
def var(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Variance over ``dim`` with Bessel's ``correction`` (1 by default: unbiased)."""
    return _var_std("var", Var, input, dim, unbiased, keepdim, correction, out)


@op(Std, methods="std", vmap=batching.reduce,
    spec=(OpSpec("std", lambda t, a: t.std(a), [((3, 4),), ((2, 3, 4),), ((5,),)]),
          OpSpec("std_dim", lambda t, a: a.std(0, unbiased=False), _D)))  # fmt: skip
def std(input, dim=None, unbiased=None, keepdim=False, *, correction=None, out=None):
    """Standard deviation over ``dim`` with ``correction`` (1 by default: unbiased)."""
    return _var_std("std", Std, input, dim, unbiased, keepdim, correction, out)


def _pieces(outs):
    # Weight the two outputs differently so that a wrong routing of gradients shows.
    return outs[0] * 2, outs[1] * 3


@op(
    VarMean,
    vmap=batching.reduce,
    spec=(
        OpSpec("var_mean", lambda t, a: t.var_mean(a, 1), [((3, 4),)], shapes=None),
        OpSpec("var_mean_both", lambda t, a: _pieces(t.var_mean(a, 0)), _D, shapes=None),
    ),
)
def var_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(var, mean)`` over ``dim``."""
    return VarMean.apply(
        input, *_var_args("var_mean", input, dim, unbiased, keepdim, correction, 4)
    )


@op(
    StdMean,
    vmap=batching.reduce,
    spec=(
        OpSpec("std_mean", lambda t, a: t.std_mean(a, (0, 1)), [((3, 4),)], shapes=None),
        OpSpec("std_mean_both", lambda t, a: _pieces(t.std_mean(a, -1)), _D, shapes=None),
    ),
)
def std_mean(input, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """``(std, mean)`` over ``dim``."""
    return StdMean.apply(
        input, *_var_args("std_mean", input, dim, unbiased, keepdim, correction, 4)
    )


__all__ = public_names(__name__)
