"""Activation functions: the elementwise non-linearities of ``torch.nn.functional``.

Each has PyTorch's signature (``inplace=False`` accepted; ``inplace=True`` writes the
result into the input through ``ember.ops.inplace``) and PyTorch's value of the
gradient at its kinks (``leaky_relu'(0) = negative_slope``, ``hardtanh'(+-1) = 0``,
``elu'(0) = alpha``) and of the second derivative there (``elu''(0) = 0``).  Masks in
backward are comparisons on the saved input, so the rules differentiate again.  Only
the functions PyTorch also has at top level (``torch.selu``, ``torch.threshold``, ...)
are declared public; ``FUNCTIONAL`` lists every function for ``ember.nn.functional``.
"""

from __future__ import annotations

import math
import sys

from ..autograd.node import Node, array_backward
from . import batching
from ._binary import needs, not_implemented, type_word
from ._spec import OpSpec
from .erf import erf, erf_array
from .inplace import declared
from .masked_grad import (
    HardshrinkGrad,
    HardtanhGrad,
    LeakyReluGrad,
    SoftshrinkGrad,
    ThresholdGrad,
    off_kinks,
)
from .registry import LOOP, op, public_names
from .trig import tanh
from .unary import _float_input, exp, quiet, sigmoid, stable_sigmoid
from .where import where

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_BETA = math.sqrt(2.0 / math.pi)
_GELU_KAPPA = 0.044715
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32, in every dtype.
_SIXTH_F32 = 0.1666666716337204
_EW = batching.elementwise
_U = [((3, 4),), ((),), ((0, 2),)]
_W = (-4.0, 4.0)


def _F(lib):
    """``torch.nn.functional`` for PyTorch, this module for Ember (the specs run both)."""
    return sys.modules[__name__] if lib.__name__ == "ember" else lib.nn.functional


def _kinked(name, fn, *kinks, samples=_U):
    """The spec of a piecewise op: samples away from its kinks, first order only."""
    return OpSpec(name, fn, samples, domain=off_kinks(*kinks), second_order=False)


def _float_only(input, kernel):
    if input._data.dtype.kind in "biu":
        raise not_implemented(kernel, input)
    return input


def _unit(name, node, kernel, input, *args, inplace=False):
    """``node`` applied to ``input`` (refused for integer and bool tensors with PyTorch's
    error for ``kernel``, unless None); written into ``input`` when ``inplace``."""
    if kernel is not None:
        _float_only(input, kernel)
    if not inplace:
        return node.apply(input, *args)
    from .inplace import check_inplace, commit

    check_inplace(input)
    return commit(input, node.apply(input, *args), name + "_")


# ----- relu family -------------------------------------------------------------------------
class LeakyRelu(Node):
    """d leaky_relu(x) = dx where x > 0, else negative_slope dx (the slope at 0)"""

    def forward(self, x, slope):
        self.save_for_backward(x)
        self.slope = slope
        return self.xp.where(x > 0, x, x * slope)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return LeakyReluGrad.apply(grad, x, x > 0, self.slope), None


@op(LeakyRelu, inplace=True, public=False, vmap=_EW,
    spec=_kinked("leaky_relu", lambda t, a: _F(t).leaky_relu(a, 0.2), 0.0))  # fmt: skip
def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` where ``x > 0``, else ``negative_slope * x``."""
    return _unit("leaky_relu", LeakyRelu, "leaky_relu_cpu", input, negative_slope, inplace=inplace)


class Hardtanh(Node):
    """d hardtanh(x) = dx strictly inside (min_val, max_val), else 0 (0 at the bounds)"""

    def forward(self, x, lo, hi):
        self.save_for_backward(x)
        self.lo, self.hi = lo, hi
        if x.dtype.kind in "iu":
            lo, hi = int(lo), int(hi)
        return self.xp.clip(x, lo, hi)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return HardtanhGrad.apply(grad, x, (x > self.lo) & (x < self.hi), 0), None, None


@op(Hardtanh, inplace=True, public=False, vmap=_EW,
    spec=(_kinked("hardtanh", lambda t, a: _F(t).hardtanh(a), -1.0, 1.0),
          _kinked("hardtanh_bounds", lambda t, a: _F(t).hardtanh(a, -0.5, 2.0), -0.5, 2.0),
          _kinked("relu6", lambda t, a: _F(t).relu6(a * 3), 0.0, 2.0)))  # fmt: skip
def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to ``[min_val, max_val]``; the gradient is zero at and beyond the bounds."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _unit("hardtanh", Hardtanh, None, input, min_val, max_val, inplace=inplace)


@op(None, public=False)
def relu6(input, inplace=False):
    """``min(max(x, 0), 6)`` (``hardtanh(x, 0, 6)``: zero gradient at 0 and at 6)."""
    return hardtanh(input, 0.0, 6.0, inplace)


class Threshold(Node):
    """d threshold(x) = dx where x > threshold, else 0"""

    def forward(self, x, threshold, value):
        self.save_for_backward(x)
        self.threshold = threshold
        return self.xp.where(x <= threshold, value, x).astype(x.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return ThresholdGrad.apply(grad, x, ~(x <= self.threshold), 0), None, None


@op(Threshold, vmap=_EW,
    spec=_kinked("threshold", lambda t, a: t.threshold(a, 0.3, -2.0), 0.3))  # fmt: skip
def threshold(input, threshold, value, inplace=False):
    """``x`` where ``x > threshold``, else ``value``."""
    if input._data.dtype.kind == "b":
        raise not_implemented("threshold_cpu", input)
    return _unit("threshold", Threshold, None, input, threshold, value, inplace=inplace)


class Hardshrink(Node):
    """d hardshrink(x) = dx outside [-lambd, lambd], else 0"""

    def forward(self, x, lambd):
        self.save_for_backward(x)
        self.lambd = lambd
        return self.xp.where((x >= -lambd) & (x <= lambd), 0, x).astype(x.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved_tensors
        inside = (x >= -self.lambd) & (x <= self.lambd)
        return HardshrinkGrad.apply(grad, x, ~inside, 0), None


@op(Hardshrink, methods="hardshrink", vmap=_EW,
    spec=_kinked("hardshrink", lambda t, a: t.hardshrink(a), -0.5, 0.5))  # fmt: skip
def hardshrink(input, lambd=0.5):
    """``x`` where ``|x| > lambd``, else 0."""
    return _unit("hardshrink", Hardshrink, "hardshrink_cpu", input, lambd)


class Softshrink(Node):
    """d softshrink(x) = dx outside [-lambd, lambd], else 0"""

    def forward(self, x, lambd):
        self.save_for_backward(x)
        self.lambd = lambd
        xp = self.xp
        return xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, x * 0))

    def backward(self, grad):
        (x,) = self.saved_tensors
        inside = (x >= -self.lambd) & (x <= self.lambd)
        return SoftshrinkGrad.apply(grad, x, ~inside, 0), None


_DTYPE_MAX = {"Half": "65504", "Float": "3.40282e+38", "Double": "1.79769e+308"}


@op(Softshrink, public=False, vmap=_EW,
    spec=_kinked("softshrink", lambda t, a: _F(t).softshrink(a, 0.4), -0.4, 0.4))  # fmt: skip
def softshrink(input, lambd=0.5):
    """``x - lambd`` above ``lambd``, ``x + lambd`` below ``-lambd``, else 0."""
    _float_only(input, "softshrink_check")
    if not lambd >= 0:
        word = type_word(input)
        raise RuntimeError(
            f"lambda must be in range [0, {_DTYPE_MAX.get(word, 'inf')}] for input dtype "
            f"{word}, but found {lambd:g}"
        )
    return Softshrink.apply(input, lambd)


class Prelu(Node):
    """d prelu(x, w) = dx where x > 0, else w dx; dw = x dx where x <= 0"""

    def forward(self, x, w):
        self.save_for_backward(x, w)
        return self.xp.where(x > 0, x, w * x)

    def backward(self, grad):
        x, w = self.saved_tensors
        gx = where(x > 0, grad, grad * w) if needs(self, 0) else None
        gw = where(x > 0, 0.0, grad * x) if needs(self, 1) else None
        return gx, gw


# PyTorch gives prelu no out=
@op(Prelu, methods="prelu", vmap=_EW, grad_fn="PreluKernelBackward0",
    spec=_kinked("prelu", lambda t, a, w: t.prelu(a, w), 0.0,
                 samples=[((2, 3, 4), (3,)), ((5,), (1,)), ((2, 3), (1,))]), out=False)  # fmt: skip
def prelu(input, weight):
    """``x`` where ``x > 0``, else ``weight * x``, with one weight per channel (dim 1)."""
    n = weight._data.size
    ndim = input._data.ndim
    if n != 1:
        channels = input._data.shape[1] if ndim > 1 else 1
        if n != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {n} and channel size = {channels}."
            )
    # The weights broadcast along dim 1, as PyTorch views them before its kernel.
    if ndim > 1:
        weight = weight.reshape((1, n) + (1,) * (ndim - 2))
    elif weight._data.ndim != ndim:
        weight = weight.reshape((n,) * ndim)
    return Prelu.apply(input, weight)


# ----- exponential units -------------------------------------------------------------------
class Elu(Node):
    """d elu(x) = scale dx where x > 0, else scale*alpha*input_scale*exp(x*input_scale) dx"""

    def forward(self, x, alpha, scale, input_scale):
        self.save_for_backward(x)
        self.coef = (alpha * scale * input_scale, scale, input_scale)
        xp = self.xp
        # exp of min(x, 0) cannot overflow; where() keeps the sign of a zero x.
        neg = xp.expm1(xp.where(x > 0, 0, x) * input_scale) * (alpha * scale)
        return xp.where(x <= 0, neg, x * scale)

    def backward(self, grad):
        (x,) = self.saved_tensors
        c, scale, input_scale = self.coef
        # exp of min(x, 0) cannot overflow on the branch that is not taken.  x == 0 takes
        # the constant 0, not x: PyTorch's second derivative there is 0.
        neg = grad * (exp(where(x < 0, x, 0.0) * input_scale) * c)
        return where(x <= 0, neg, grad * scale), None, None, None


class Celu(Elu):
    """d celu(x) = dx where x > 0, else exp(x / alpha) dx"""


@op(Elu, inplace=True, public=False, vmap=_EW,
    spec=(OpSpec("elu", lambda t, a: _F(t).elu(a, 1.5), _U, domain=off_kinks(0.0)),
          OpSpec("elu_smooth", lambda t, a: _F(t).elu(a), [((4, 3),)], domain=(-3.0, -0.1)),
          OpSpec("selu", lambda t, a: t.selu(a), _U, domain=off_kinks(0.0))))  # fmt: skip
def elu(input, alpha=1.0, inplace=False):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return _unit("elu", Elu, "elu_cpu", input, alpha, 1.0, 1.0, inplace=inplace)


@op(None)
def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    return _unit("selu", Elu, "elu_cpu", input, _SELU_ALPHA, _SELU_SCALE, 1.0, inplace=inplace)


# PyTorch gives celu no out=
@op(Celu, vmap=_EW, out=False,
    spec=OpSpec("celu", lambda t, a: t.celu(a, 0.7), _U, domain=off_kinks(0.0)))  # fmt: skip
def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return _unit("celu", Celu, "elu_cpu", input, alpha, 1.0, 1.0 / alpha, inplace=inplace)


# ----- smooth units ------------------------------------------------------------------------
class Gelu(Node):
    """d gelu(x) = (Phi(x) + x phi(x)) dx (tanh form: its own derivative)"""

    def forward(self, x, approximate):
        self.approximate = approximate
        xp = self.xp
        if approximate == "tanh":
            self.save_for_backward(x)
            with quiet(xp):
                inner = (x + x * x * x * _GELU_KAPPA) * _GELU_BETA
                return x * 0.5 * (1 + xp.tanh(inner))
        cdf = erf_array(xp, x * _SQRT1_2)
        cdf += 1  # in place: two temporaries as large as x fewer per call
        cdf *= 0.5
        # Phi(x) is the costly half of the derivative: kept for a first-order backward.
        self.save_for_backward(x, cdf)
        return x * cdf

    def backward(self, grad):
        if self.approximate == "tanh":
            (x,) = self.saved_tensors
            x_sq = x * x
            t = tanh((x + x_sq * x * _GELU_KAPPA) * _GELU_BETA)
            left = x * 0.5
            d_inner = (x_sq * (3 * _GELU_KAPPA) + 1) * _GELU_BETA
            return grad * ((t + 1) * 0.5 + left * (1 - t * t) * d_inner), None
        if array_backward(grad):
            x, cdf = self.saved_arrays()
            g = grad._data
            with quiet(self.xp):
                dx = cdf + x * self.xp.exp(x * x * -0.5) * _INV_SQRT_2PI
            return type(grad)._make((g * dx).astype(g.dtype, copy=False)), None
        x, _ = self.saved_tensors
        cdf = (erf(x * _SQRT1_2) + 1) * 0.5
        pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
        return grad * (cdf + x * pdf), None


@op(Gelu, public=False, vmap=_EW,
    spec=(OpSpec("gelu", lambda t, a: _F(t).gelu(a), _U, domain=_W),
          OpSpec("gelu_tanh", lambda t, a: _F(t).gelu(a, approximate="tanh"), _U,
                 domain=_W)))  # fmt: skip
def gelu(input, approximate="none"):
    """``x * Phi(x)`` (Phi the normal CDF), or its tanh approximation."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return _unit("gelu", Gelu, "GeluKernelImpl", input, approximate)


class Silu(Node):
    """d silu(x) = s (1 + x (1 - s)) dx with s = sigmoid(x)"""

    def forward(self, x):
        self.save_for_backward(x)
        return x * stable_sigmoid(self.xp, x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        s = sigmoid(x)
        return (grad * (s * (x * (1 - s) + 1)),)


@op(Silu, public=False, vmap=_EW, spec=OpSpec("silu", lambda t, a: _F(t).silu(a), _U, domain=_W))
def silu(input, inplace=False):
    """``x * sigmoid(x)`` (swish)."""
    return _unit("silu", Silu, "silu_cpu", input, inplace=inplace)


def _softplus_array(xp, z):
    # log(1 + exp(z)) without overflow: max(z, 0) + log1p(exp(-|z|)).
    return xp.maximum(z, 0) + xp.log1p(xp.exp(-xp.abs(z)))


class Softplus(Node):
    """d softplus(x) = sigmoid(beta x) dx (dx above the threshold)"""

    def forward(self, x, beta, threshold):
        self.save_for_backward(x)
        self.beta, self.threshold = beta, threshold
        xp = self.xp
        z = x * beta
        with quiet(xp):
            soft = _softplus_array(xp, z) / beta
        return xp.where(z > threshold, x, soft).astype(x.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved_tensors
        z = x * self.beta
        # At z == threshold the constant takes the place of z: PyTorch's second derivative
        # is 0 there (its first derivative still takes the soft branch).
        soft = grad * sigmoid(where(z < self.threshold, z, float(self.threshold)))
        return where(z > self.threshold, grad, soft), None, None


@op(Softplus, public=False, vmap=_EW,
    spec=(OpSpec("softplus", lambda t, a: _F(t).softplus(a), _U, domain=_W),
          _kinked("softplus_beta", lambda t, a: _F(t).softplus(a, 2.0, 3.0), 1.5,
                  samples=[((4, 5),)])))  # fmt: skip
def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` where ``beta * x > threshold``."""
    return _unit("softplus", Softplus, "softplus_cpu", input, beta, threshold)


class LogSigmoid(Node):
    """d log(sigmoid x) = sigmoid(-x) dx"""

    def forward(self, x):
        self.save_for_backward(x)
        xp = self.xp
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * sigmoid(-x),)


@op(LogSigmoid, public=False, vmap=_EW,
    spec=OpSpec("logsigmoid", lambda t, a: _F(t).logsigmoid(a), _U, domain=_W))  # fmt: skip
def logsigmoid(input):
    """``log(sigmoid(x))``, finite for large ``|x|``."""
    return _unit("logsigmoid", LogSigmoid, "log_sigmoid_cpu", input)


class Mish(Node):
    """d mish(x) = (t + x sigmoid(x) (1 - t**2)) dx with t = tanh(softplus(x))"""

    def forward(self, x):
        self.save_for_backward(x)
        xp = self.xp
        return x * xp.tanh(_softplus_array(xp, x))

    def backward(self, grad):
        (x,) = self.saved_tensors
        t = tanh(softplus(x))
        return (grad * (t + x * sigmoid(x) * (1 - t * t)),)


@op(Mish, public=False, vmap=_EW, spec=OpSpec("mish", lambda t, a: _F(t).mish(a), _U, domain=_W))
def mish(input, inplace=False):
    """``x * tanh(softplus(x))``."""
    return _unit("mish", Mish, "mish_cpu", input, inplace=inplace)


class Hardsigmoid(Node):
    """d hardsigmoid(x) = dx / 6 strictly inside (-3, 3), else 0"""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.clip(x + 3, 0, 6) / 6

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (where((x > -3) & (x < 3), grad * _SIXTH_F32, 0.0),)


@op(Hardsigmoid, public=False, vmap=_EW,
    spec=_kinked("hardsigmoid", lambda t, a: _F(t).hardsigmoid(a), -3.0, 3.0))  # fmt: skip
def hardsigmoid(input, inplace=False):
    """``min(max(x + 3, 0), 6) / 6``."""
    return _unit("hardsigmoid", Hardsigmoid, "hardsigmoid_cpu", input, inplace=inplace)


class Hardswish(Node):
    """d hardswish(x) = 0 for x <= -3, (x/3 + 1/2) dx below 3, dx from 3 on"""

    def forward(self, x):
        self.save_for_backward(x)
        return x * self.xp.clip(x + 3, 0, 6) / 6

    def backward(self, grad):
        (x,) = self.saved_tensors
        inner = where(x < 3, grad * (x / 3 + 0.5), grad)
        return (where(x <= -3, 0.0, inner),)


@op(Hardswish, public=False, vmap=_EW,
    spec=_kinked("hardswish", lambda t, a: _F(t).hardswish(a), -3.0, 3.0))  # fmt: skip
def hardswish(input, inplace=False):
    """``x * min(max(x + 3, 0), 6) / 6``."""
    return _unit("hardswish", Hardswish, "hardswish_cpu", input, inplace=inplace)


# ----- halves ------------------------------------------------------------------------------
class Glu(Node):
    """d glu(x) = s da + a s (1 - s) db for the halves a, b of x along dim, s = sigmoid(b)"""

    def forward(self, x, dim):
        self.save_for_backward(x)
        self.dim = dim
        a, b = self.xp.split(x, 2, axis=dim)
        return a * stable_sigmoid(self.xp, b)

    def backward(self, grad):
        from .join import cat

        (x,) = self.saved_tensors
        a, b = x.chunk(2, self.dim)
        s = sigmoid(b)
        return cat([grad * s, grad * a * (s * (1 - s))], self.dim), None


@op(Glu, public=False, vmap=LOOP,
    spec=OpSpec("glu", lambda t, a: _F(t).glu(a, 1), [((3, 4),), ((2, 6, 2),)],
                shapes=None))  # fmt: skip
def glu(input, dim=-1):
    """``a * sigmoid(b)`` where ``a`` and ``b`` are the two halves of ``input`` along ``dim``."""
    from ..tensor_base import wrap_dim as _wrap_dim

    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    return Glu.apply(input, d)


# ----- compositions (PyTorch composes them too) ---------------------------------------------
@op(None, public=False, spec=OpSpec("softsign", lambda t, a: _F(t).softsign(a), _U, domain=_W))
def softsign(input):
    """``x / (1 + |x|)``."""
    from .unary import abs

    return input / (abs(input) + 1)


@op(None, public=False,
    spec=OpSpec("tanhshrink", lambda t, a: _F(t).tanhshrink(a), _U, domain=_W))  # fmt: skip
def tanhshrink(input):
    """``x - tanh(x)``."""
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return input - tanh(_float_input(input))


# The in-place forms ``ember.nn.functional`` has as functions (``F.elu_``).
elu_ = declared("elu_")
leaky_relu_ = declared("leaky_relu_")
hardtanh_ = declared("hardtanh_")

FUNCTIONAL = (
    "leaky_relu", "leaky_relu_", "hardtanh", "hardtanh_", "relu6", "threshold", "hardshrink",
    "softshrink", "prelu", "elu", "elu_", "selu", "celu", "gelu", "silu", "softplus",
    "logsigmoid", "mish", "hardsigmoid", "hardswish", "softsign", "tanhshrink", "glu",
)  # fmt: skip

__all__ = public_names(__name__)
