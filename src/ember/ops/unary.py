"""Unary elementwise maths: exp and log, square roots and reciprocals, sigmoid, relu, abs, sign.

Each Node saves the cheapest thing for backward: the output where the derivative
is a function of it (exp, sqrt, sigmoid), the input otherwise.  Backward rules
are Ember expressions, so they differentiate again; where PyTorch picks a value
at a boundary (``relu'(0) = 0``, ``abs'(0) = 0``, ``sqrt'(0) = inf``) the rule is
written so the same value comes out.  Trigonometry is in ``trig.py``, rounding in
``rounding.py``, erf in ``erf.py``.
"""

from __future__ import annotations

import math

from ..autograd.node import Node, array_backward, array_grads
from ..backend import np as _numpy
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import not_implemented, zeros_like
from ._pointwise import UNARY_SAMPLES as _U
from ._pointwise import Pointwise, quiet, unary
from ._pointwise import _float_input as _float_input  # other families import it from here
from ._spec import OpSpec
from .inplace import declared, public_inplace
from .masked_grad import ThresholdGrad
from .registry import declare, op, public_names

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_EW = batching.elementwise
_POS = (0.5, 3.0)


class ZeroGrad(Node):
    """Base of ops whose gradient is zero wherever it is defined (sign, floor, round, ...)."""

    def backward(self, grad):
        return (zeros_like(grad),)


# ----- exp / log ------------------------------------------------------------------------
class Exp(Pointwise):
    """d(exp x) = exp(x) dx"""

    saves_output = True

    # Forward and the array backward written out (no kernel/chain calls): a hot op.
    def forward(self, x):
        out = self.xp.exp(x)
        if self.needs_input_grad is not None:  # save_for_backward(out), written out
            self._saved = (out,)
        return out

    def array_rule(self, g):
        (out,) = self.saved_arrays()
        return (g * out,)

    def backward(self, grad):
        if array_backward(grad):
            return array_grads(self, grad)
        return super().backward(grad)

    def chain(self, grad, out):
        return grad * out


exp = unary(Exp, "exp", "e to the power of each element.")


class Exp2(Pointwise):
    """d(2**x) = 2**x log(2) dx"""

    saves_output = True

    def kernel(self, xp, x):
        return xp.exp2(x)

    def chain(self, grad, out):
        return grad * (out * _LN2)


exp2 = unary(Exp2, "exp2", "2 to the power of each element.")


class Expm1(Pointwise):
    """d(exp(x) - 1) = (out + 1) dx"""

    saves_output = True

    def kernel(self, xp, x):
        return xp.expm1(x)

    def chain(self, grad, out):
        return grad * (out + 1)


expm1 = unary(Expm1, "expm1", "``exp(x) - 1``, accurate for small ``x``.")


class Log(Pointwise):
    """d(log x) = dx / x"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.log(x)

    def chain(self, grad, x):
        return grad / x


log = unary(Log, "log", "Natural logarithm.", domain=_POS)


class Log1P(Pointwise):
    """d(log(1 + x)) = dx / (x + 1)"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.log1p(x)

    def chain(self, grad, x):
        return grad / (x + 1)


log1p = unary(Log1P, "log1p", "``log(1 + x)``, accurate for small ``x``.", domain=(-0.5, 3.0))


class Log2(Pointwise):
    """d(log2 x) = dx / (x log 2)"""

    ln_base = _LN2

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.log2(x)

    def chain(self, grad, x):
        return grad / (x * self.ln_base)


log2 = unary(Log2, "log2", "Base-2 logarithm.", domain=_POS)


class Log10(Log2):
    """d(log10 x) = dx / (x log 10)"""

    ln_base = _LN10

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.log10(x)


log10 = unary(Log10, "log10", "Base-10 logarithm.", domain=_POS)


# ----- roots and reciprocals ------------------------------------------------------------------
class Sqrt(Pointwise):
    """d(sqrt x) = dx / (2 sqrt(x)) (inf at 0)"""

    saves_output = True

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.sqrt(x)

    def chain(self, grad, out):
        return grad / (out * 2)


sqrt = unary(Sqrt, "sqrt", "Square root.", domain=_POS)


class Rsqrt(Pointwise):
    """d(x**-0.5) = -0.5 out**3 dx"""

    saves_output = True

    def kernel(self, xp, x):
        with quiet(xp):
            return 1 / xp.sqrt(x)

    def chain(self, grad, out):
        return grad * (out * out * out * -0.5)


rsqrt = unary(Rsqrt, "rsqrt", "``1 / sqrt(x)``.", domain=_POS)


class Reciprocal(Pointwise):
    """d(1/x) = -out**2 dx"""

    saves_output = True

    def kernel(self, xp, x):
        if x.all():  # no zero: no warning to silence (the silencing costs more than the op)
            return xp.reciprocal(x)
        with quiet(xp):
            return xp.reciprocal(x)

    def chain(self, grad, out):
        return grad * -(out * out)


reciprocal = unary(
    Reciprocal,
    "reciprocal",
    "``1 / x`` (integers give floats).",
    spec=(
        OpSpec("reciprocal", lambda t, a: t.reciprocal(a), _U, domain=_POS),
        OpSpec("reciprocal_neg", lambda t, a: a.reciprocal(), [((5,),)], domain=(-3.0, -0.5)),
    ),
)


# ----- logistic --------------------------------------------------------------------------------
def stable_sigmoid(xp, x):
    """``1 / (1 + exp(-x))`` on arrays without overflow: exp of ``-|x|`` only."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


class Sigmoid(Pointwise):
    """d(sigmoid x) = s(1 - s) dx with s = sigmoid(x)"""

    saves_output = True
    chain_on_arrays = True

    def kernel(self, xp, x):
        if x.dtype.kind == "c":  # the stable form compares with 0: complex takes the formula
            with quiet(xp):
                return 1 / (1 + xp.exp(-x))
        return stable_sigmoid(xp, x)

    def chain(self, grad, out):
        return grad * (out * (1 - out))


sigmoid = unary(Sigmoid, "sigmoid", "The logistic function 1 / (1 + exp(-x)).")


# ----- piecewise: relu, abs, sign ------------------------------------------------------------
class Relu(Node):
    """d(relu x) = dx where out > 0, else 0 (0 at x == 0; nan passes the gradient)"""

    def forward(self, x):
        # maximum() is one SIMD pass (NumPy's where() is several times slower); NaN stays
        # NaN.  PyTorch keeps the sign of -0.0, which maximum() may drop: put it back.
        xp = self.xp
        if (
            type(x) is _numpy.ndarray
            and x.dtype.kind == "f"
            and x.size >= 16
            and x.flags.c_contiguous
        ):
            # against an array of zeros maximum() takes NumPy's SIMD loop; against the
            # number 0 (a broadcast operand) a scalar one, several times slower
            out = xp.zeros(x.shape, x.dtype)
            xp.maximum(x, out, out=out)
        else:
            out = xp.maximum(x, 0)
        if x.dtype.kind == "f":
            zero = x == 0
            if zero.any():  # rare: the slow where() only then
                out = xp.where(zero, x, out)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        if array_backward(grad) and _numpy.isfinite(grad._data).all():
            (out,) = self.saved_arrays()
            # grad where out > 0 (or NaN), else 0; a multiply is one fast pass, and exact
            # because grad is finite.
            return (Tensor._make(grad._data * _numpy.logical_not(out <= 0)),)
        (out,) = self.saved_tensors
        return (ThresholdGrad.apply(grad, out, ~(out <= 0), 0),)  # NaN passes


@op(
    Relu,
    methods="relu",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("relu", lambda t, a: t.relu(a), _U, second_order=False),
    out=False,  # PyTorch gives it no out=
)
def relu(input):
    """max(x, 0) elementwise."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return Relu.apply(input)


class Abs(Node):
    """d|x| = sign(x) dx (0 at x == 0)"""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.abs(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * sign(x),)


@op(Abs, methods=("abs", "absolute"), inplace=True, aliases=("absolute",), vmap=_EW,
    spec=OpSpec("abs", lambda t, a: t.abs(a), _U, second_order=False))  # fmt: skip
def abs(input):
    """Absolute value."""
    if input._data.dtype.kind == "b":
        raise not_implemented("abs_cpu", input)
    return Abs.apply(input)


absolute = abs


class Sign(ZeroGrad):
    """d(sign x) = 0 (sign(nan) is 0, as in PyTorch)"""

    def forward(self, x):
        out = self.xp.asarray(self.xp.sign(x))
        if x.dtype.kind == "f":
            out = self.xp.nan_to_num(out, copy=False)
        return out


@op(
    Sign,
    methods="sign",
    inplace=True,
    vmap=_EW,
    spec=OpSpec(
        "sign", lambda t, a: t.sign(a), _U, domain=lambda z: z + 0.1, fd=False, second_order=False
    ),
)
def sign(input):
    """-1, 0 or 1 by the sign of each element."""
    if input._data.dtype.kind == "b":
        return input.clone()
    return Sign.apply(input)


# PyTorch has these in-place forms as top-level functions too (``torch.exp_(x)``).
exp_ = public_inplace("exp_")
exp2_ = public_inplace("exp2_")
expm1_ = public_inplace("expm1_")
log_ = public_inplace("log_")
log1p_ = public_inplace("log1p_")
log2_ = public_inplace("log2_")
log10_ = public_inplace("log10_")
sqrt_ = public_inplace("sqrt_")
rsqrt_ = public_inplace("rsqrt_")
reciprocal_ = public_inplace("reciprocal_")
sigmoid_ = public_inplace("sigmoid_")
relu_ = public_inplace("relu_")
abs_ = public_inplace("abs_")
declare(None, declared("abs_"), methods=("absolute_",), public=False)

__all__ = public_names(__name__)
