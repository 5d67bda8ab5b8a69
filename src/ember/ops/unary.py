"""Unary elementwise maths: exp and log, square roots and reciprocals, sigmoid, relu, abs, sign.

Each Node saves the cheapest thing for backward: the output where the derivative
is a function of it (exp, sqrt, sigmoid), the input otherwise.  Backward rules
are Ember expressions, so they differentiate again; where PyTorch picks a value
at a boundary (``relu'(0) = 0``, ``abs'(0) = 0``, ``sqrt'(0) = inf``) the rule is
written so the same value comes out.  Trigonometry is in ``trig.py``, rounding in
``rounding.py``, erf in ``erf.py``.
"""

from __future__ import annotations

import contextlib
import math

from ..autograd.node import Node, array_backward
from ..backend import np as _numpy
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import not_implemented, zeros_like
from ._spec import OpSpec
from .inplace import declared, public_inplace
from .masked_grad import ThresholdGrad
from .registry import declare, op, public_names

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_EW = batching.elementwise
_U = [((3, 4),), ((),), ((0, 2),)]
_POS = (0.5, 3.0)


def quiet(xp):
    """Silence NumPy's floating-point warnings (PyTorch returns inf/nan without a word)."""
    errstate = getattr(xp, "errstate", None)
    return errstate(all="ignore") if errstate is not None else contextlib.nullcontext()


def _float_input(x):
    """Integer and bool tensors are computed in the default float dtype, as PyTorch does."""
    if x._data.dtype.kind in "biu":
        from ..dtypes import get_default_dtype

        return x.to(get_default_dtype())
    return x


class ZeroGrad(Node):
    """Base of ops whose gradient is zero wherever it is defined (sign, floor, round, ...)."""

    def backward(self, grad):
        return (zeros_like(grad),)


# ----- exp / log ------------------------------------------------------------------------
class Exp(Node):
    """d(exp x) = exp(x) dx"""

    def forward(self, x):
        out = self.xp.exp(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        if array_backward(grad):
            (out,) = self.saved_arrays()
            return (Tensor._make(grad._data * out),)
        (out,) = self.saved_tensors
        return (grad * out,)


@op(Exp, methods="exp", inplace=True, vmap=_EW, spec=OpSpec("exp", lambda t, a: t.exp(a), _U))
def exp(input):
    """e to the power of each element."""
    return Exp.apply(_float_input(input))


class Exp2(Node):
    """d(2**x) = 2**x log(2) dx"""

    def forward(self, x):
        out = self.xp.exp2(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * (out * _LN2),)


@op(Exp2, methods="exp2", inplace=True, vmap=_EW, spec=OpSpec("exp2", lambda t, a: t.exp2(a), _U))
def exp2(input):
    """2 to the power of each element."""
    return Exp2.apply(_float_input(input))


class Expm1(Node):
    """d(exp(x) - 1) = (out + 1) dx"""

    def forward(self, x):
        out = self.xp.expm1(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * (out + 1),)


@op(
    Expm1,
    methods="expm1",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("expm1", lambda t, a: t.expm1(a), _U),
)
def expm1(input):
    """``exp(x) - 1``, accurate for small ``x``."""
    return Expm1.apply(_float_input(input))


class Log(Node):
    """d(log x) = dx / x"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.log(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / x,)


@op(
    Log,
    methods="log",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("log", lambda t, a: t.log(a), _U, domain=_POS),
)
def log(input):
    """Natural logarithm."""
    return Log.apply(_float_input(input))


class Log1P(Node):
    """d(log(1 + x)) = dx / (x + 1)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.log1p(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (x + 1),)


@op(
    Log1P,
    methods="log1p",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("log1p", lambda t, a: t.log1p(a), _U, domain=(-0.5, 3.0)),
)
def log1p(input):
    """``log(1 + x)``, accurate for small ``x``."""
    return Log1P.apply(_float_input(input))


class Log2(Node):
    """d(log2 x) = dx / (x log 2)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.log2(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (x * _LN2),)


@op(
    Log2,
    methods="log2",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("log2", lambda t, a: t.log2(a), _U, domain=_POS),
)
def log2(input):
    """Base-2 logarithm."""
    return Log2.apply(_float_input(input))


class Log10(Node):
    """d(log10 x) = dx / (x log 10)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.log10(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (x * _LN10),)


@op(
    Log10,
    methods="log10",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("log10", lambda t, a: t.log10(a), _U, domain=_POS),
)
def log10(input):
    """Base-10 logarithm."""
    return Log10.apply(_float_input(input))


# ----- roots and reciprocals ------------------------------------------------------------------
class Sqrt(Node):
    """d(sqrt x) = dx / (2 sqrt(x)) (inf at 0)"""

    def forward(self, x):
        with quiet(self.xp):
            out = self.xp.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad / (out * 2),)


@op(
    Sqrt,
    methods="sqrt",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("sqrt", lambda t, a: t.sqrt(a), _U, domain=_POS),
)
def sqrt(input):
    """Square root."""
    return Sqrt.apply(_float_input(input))


class Rsqrt(Node):
    """d(x**-0.5) = -0.5 out**3 dx"""

    def forward(self, x):
        with quiet(self.xp):
            out = 1 / self.xp.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * (out * out * out * -0.5),)


@op(
    Rsqrt,
    methods="rsqrt",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("rsqrt", lambda t, a: t.rsqrt(a), _U, domain=_POS),
)
def rsqrt(input):
    """``1 / sqrt(x)``."""
    return Rsqrt.apply(_float_input(input))


class Reciprocal(Node):
    """d(1/x) = -out**2 dx"""

    def forward(self, x):
        if x.all():  # no zero: no warning to silence (the silencing costs more than the op)
            out = self.xp.reciprocal(x)
        else:
            with quiet(self.xp):
                out = self.xp.reciprocal(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * -(out * out),)


@op(
    Reciprocal,
    methods="reciprocal",
    inplace=True,
    vmap=_EW,
    spec=(
        OpSpec("reciprocal", lambda t, a: t.reciprocal(a), _U, domain=_POS),
        OpSpec("reciprocal_neg", lambda t, a: a.reciprocal(), [((5,),)], domain=(-3.0, -0.5)),
    ),
)
def reciprocal(input):
    """``1 / x`` (integers give floats)."""
    return Reciprocal.apply(_float_input(input))


# ----- logistic --------------------------------------------------------------------------------
def stable_sigmoid(xp, x):
    """``1 / (1 + exp(-x))`` on arrays without overflow: exp of ``-|x|`` only."""
    e = xp.exp(-xp.abs(x))
    return xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


class Sigmoid(Node):
    """d(sigmoid x) = s(1 - s) dx with s = sigmoid(x)"""

    def forward(self, x):
        out = stable_sigmoid(self.xp, x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        if array_backward(grad):
            (out,) = self.saved_arrays()
            return (Tensor._make(grad._data * (out * (1 - out))),)
        (out,) = self.saved_tensors
        return (grad * (out * (1 - out)),)


@op(
    Sigmoid,
    methods="sigmoid",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("sigmoid", lambda t, a: t.sigmoid(a), _U),
)
def sigmoid(input):
    """The logistic function 1 / (1 + exp(-x))."""
    return Sigmoid.apply(_float_input(input))


# ----- piecewise: relu, abs, sign ------------------------------------------------------------
class Relu(Node):
    """d(relu x) = dx where out > 0, else 0 (0 at x == 0; nan passes the gradient)"""

    def forward(self, x):
        # maximum() is one SIMD pass (NumPy's where() is several times slower); NaN stays
        # NaN.  PyTorch keeps the sign of -0.0, which maximum() may drop: put it back.
        xp = self.xp
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


@op(
    Abs,
    methods=("abs", "absolute"),
    inplace=True,
    aliases=("absolute",),
    vmap=_EW,
    spec=OpSpec("abs", lambda t, a: t.abs(a), _U, second_order=False),
)
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
