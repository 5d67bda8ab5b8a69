"""Activation functions: the elementwise non-linearities of ``torch.nn.functional``.

Each has PyTorch's signature (``inplace=False`` accepted; ``inplace=True`` writes the
result into the input through ``ember.ops.inplace``) and PyTorch's value of the
gradient at its kinks (``leaky_relu'(0) = negative_slope``, ``hardtanh'(+-1) = 0``,
``elu'(0) = alpha``).  Masks in backward are comparisons on the saved input, so
the rules differentiate again.  Only the functions PyTorch also has at top level
(``torch.selu``, ``torch.threshold``, ...) are in ``__all__``; ``FUNCTIONAL``
lists every function for ``ember.nn.functional``.
"""

from __future__ import annotations

import math
import sys

from ..autograd.node import Node
from ._spec import OpSpec, register
from .unary import (
    _float_input,
    erf,
    erf_array,
    exp,
    not_implemented,
    quiet,
    sigmoid,
    stable_sigmoid,
    tanh,
    type_word,
)
from .where import where

_SQRT1_2 = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)
_GELU_BETA = math.sqrt(2.0 / math.pi)
_GELU_KAPPA = 0.044715
_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946
# PyTorch's hardsigmoid backward multiplies by 1/6 rounded to float32, in every dtype.
_SIXTH_F32 = 0.1666666716337204


def _float_only(input, kernel):
    if input._data.dtype.kind in "biu":
        raise not_implemented(kernel, input)
    return input


def _maybe_inplace(inplace, fn, input, *args):
    if inplace:
        from .inplace import inplace as write_into

        return write_into(input, fn, *args)
    return fn(input, *args)


# ----- relu family -------------------------------------------------------------------------
class LeakyRelu(Node):
    """d leaky_relu(x) = dx where x > 0, else negative_slope dx (the slope at 0)"""

    def forward(self, x, slope):
        self.save_for_backward(x)
        self.slope = slope
        return self.xp.where(x > 0, x, x * slope)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return where(x > 0, grad, grad * self.slope), None


def _leaky_relu(input, negative_slope):
    return LeakyRelu.apply(_float_only(input, "leaky_relu_cpu"), negative_slope)


def leaky_relu(input, negative_slope=0.01, inplace=False):
    """``x`` where ``x > 0``, else ``negative_slope * x``."""
    return _maybe_inplace(inplace, _leaky_relu, input, negative_slope)


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
        return where((x <= self.lo) | (x >= self.hi), 0.0, grad), None, None


def _hardtanh(input, min_val, max_val):
    return Hardtanh.apply(input, min_val, max_val)


def hardtanh(input, min_val=-1.0, max_val=1.0, inplace=False):
    """Clamp to ``[min_val, max_val]``; the gradient is zero at and beyond the bounds."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    return _maybe_inplace(inplace, _hardtanh, input, min_val, max_val)


def relu6(input, inplace=False):
    """``min(max(x, 0), 6)`` (``hardtanh(x, 0, 6)``: zero gradient at 0 and at 6)."""
    if input._data.dtype.kind == "b":
        raise RuntimeError("Bool inputs not supported for hardtanh")
    return _maybe_inplace(inplace, _hardtanh, input, 0.0, 6.0)


class Threshold(Node):
    """d threshold(x) = dx where x > threshold, else 0"""

    def forward(self, x, threshold, value):
        self.save_for_backward(x)
        self.threshold = threshold
        return self.xp.where(x <= threshold, value, x).astype(x.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return where(x <= self.threshold, 0.0, grad), None, None


def _threshold(input, threshold, value):
    return Threshold.apply(input, threshold, value)


def threshold(input, threshold, value, inplace=False):
    """``x`` where ``x > threshold``, else ``value``."""
    if input._data.dtype.kind == "b":
        raise not_implemented("threshold_cpu", input)
    return _maybe_inplace(inplace, _threshold, input, threshold, value)


class Hardshrink(Node):
    """d hardshrink(x) = dx outside [-lambd, lambd], else 0"""

    def forward(self, x, lambd):
        self.save_for_backward(x)
        self.lambd = lambd
        return self.xp.where((x >= -lambd) & (x <= lambd), 0, x).astype(x.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return where((x >= -self.lambd) & (x <= self.lambd), 0.0, grad), None


def hardshrink(input, lambd=0.5):
    """``x`` where ``|x| > lambd``, else 0."""
    return Hardshrink.apply(_float_only(input, "hardshrink_cpu"), lambd)


class Softshrink(Node):
    """d softshrink(x) = dx outside [-lambd, lambd], else 0"""

    def forward(self, x, lambd):
        self.save_for_backward(x)
        self.lambd = lambd
        xp = self.xp
        return xp.where(x > lambd, x - lambd, xp.where(x < -lambd, x + lambd, x * 0))

    def backward(self, grad):
        (x,) = self.saved_tensors
        return where((x >= -self.lambd) & (x <= self.lambd), 0.0, grad), None


_DTYPE_MAX = {"Half": "65504", "Float": "3.40282e+38", "Double": "1.79769e+308"}


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


def prelu(input, weight):
    """``x`` where ``x > 0``, else ``weight * x``, with one weight per channel (dim 1)."""
    n = weight._data.size
    if n != 1:
        channels = input._data.shape[1] if input._data.ndim > 1 else 1
        if n != channels:
            raise RuntimeError(
                "Mismatch of parameter numbers and input channel size. Found parameter numbers "
                f"= {n} and channel size = {channels}."
            )
        if input._data.ndim > 1:
            weight = weight.reshape((n,) + (1,) * (input._data.ndim - 2))
    return where(input > 0, input, weight * input)


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
        from .clamp import clamp

        (x,) = self.saved_tensors
        c, scale, input_scale = self.coef
        # exp of min(x, 0) cannot overflow on the branch that is not taken.
        neg = grad * (exp(clamp(x, max=0) * input_scale) * c)
        return where(x <= 0, neg, grad * scale), None, None, None


class Celu(Elu):
    """d celu(x) = dx where x > 0, else exp(x / alpha) dx"""


def _elu(input, alpha, scale, input_scale):
    return Elu.apply(_float_only(input, "elu_cpu"), alpha, scale, input_scale)


def _celu(input, alpha):
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return Celu.apply(_float_only(input, "elu_cpu"), alpha, 1.0, 1.0 / alpha)


def elu(input, alpha=1.0, inplace=False):
    """``x`` where ``x > 0``, else ``alpha * (exp(x) - 1)``."""
    return _maybe_inplace(inplace, _elu, input, alpha, 1.0, 1.0)


def selu(input, inplace=False):
    """``scale * elu(x, alpha)`` with the self-normalising constants."""
    return _maybe_inplace(inplace, _elu, input, _SELU_ALPHA, _SELU_SCALE, 1.0)


def celu(input, alpha=1.0, inplace=False):
    """``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``."""
    return _maybe_inplace(inplace, _celu, input, alpha)


# ----- smooth units ------------------------------------------------------------------------
class Gelu(Node):
    """d gelu(x) = (Phi(x) + x phi(x)) dx (tanh form: its own derivative)"""

    def forward(self, x, approximate):
        self.save_for_backward(x)
        self.approximate = approximate
        xp = self.xp
        if approximate == "tanh":
            with quiet(xp):
                inner = (x + x * x * x * _GELU_KAPPA) * _GELU_BETA
                return x * 0.5 * (1 + xp.tanh(inner))
        return x * 0.5 * (1 + erf_array(xp, x * _SQRT1_2))

    def backward(self, grad):
        (x,) = self.saved_tensors
        if self.approximate == "tanh":
            x_sq = x * x
            t = tanh((x + x_sq * x * _GELU_KAPPA) * _GELU_BETA)
            left = x * 0.5
            d_inner = (x_sq * (3 * _GELU_KAPPA) + 1) * _GELU_BETA
            return grad * ((t + 1) * 0.5 + left * (1 - t * t) * d_inner), None
        cdf = (erf(x * _SQRT1_2) + 1) * 0.5
        pdf = exp(x * x * -0.5) * _INV_SQRT_2PI
        return grad * (cdf + x * pdf), None


def gelu(input, approximate="none"):
    """``x * Phi(x)`` (Phi the normal CDF), or its tanh approximation."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(_float_only(input, "GeluKernelImpl"), approximate)


class Silu(Node):
    """d silu(x) = s (1 + x (1 - s)) dx with s = sigmoid(x)"""

    def forward(self, x):
        self.save_for_backward(x)
        return x * stable_sigmoid(self.xp, x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        s = sigmoid(x)
        return (grad * (s * (x * (1 - s) + 1)),)


def _silu(input):
    return Silu.apply(_float_only(input, "silu_cpu"))


def silu(input, inplace=False):
    """``x * sigmoid(x)`` (swish)."""
    return _maybe_inplace(inplace, _silu, input)


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
        return where(z > self.threshold, grad, grad * sigmoid(z)), None, None


def softplus(input, beta=1.0, threshold=20.0):
    """``log(1 + exp(beta * x)) / beta``, and ``x`` where ``beta * x > threshold``."""
    return Softplus.apply(_float_only(input, "softplus_cpu"), beta, threshold)


class LogSigmoid(Node):
    """d log(sigmoid x) = sigmoid(-x) dx"""

    def forward(self, x):
        self.save_for_backward(x)
        xp = self.xp
        return xp.minimum(x, 0) - xp.log1p(xp.exp(-xp.abs(x)))

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * sigmoid(-x),)


def logsigmoid(input):
    """``log(sigmoid(x))``, finite for large ``|x|``."""
    return LogSigmoid.apply(_float_only(input, "log_sigmoid_cpu"))


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


def _mish(input):
    return Mish.apply(_float_only(input, "mish_cpu"))


def mish(input, inplace=False):
    """``x * tanh(softplus(x))``."""
    return _maybe_inplace(inplace, _mish, input)


class Hardsigmoid(Node):
    """d hardsigmoid(x) = dx / 6 strictly inside (-3, 3), else 0"""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.clip(x + 3, 0, 6) / 6

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (where((x > -3) & (x < 3), grad * _SIXTH_F32, 0.0),)


def _hardsigmoid(input):
    return Hardsigmoid.apply(_float_only(input, "hardsigmoid_cpu"))


def hardsigmoid(input, inplace=False):
    """``min(max(x + 3, 0), 6) / 6``."""
    return _maybe_inplace(inplace, _hardsigmoid, input)


class Hardswish(Node):
    """d hardswish(x) = 0 for x <= -3, (x/3 + 1/2) dx below 3, dx from 3 on"""

    def forward(self, x):
        self.save_for_backward(x)
        return x * self.xp.clip(x + 3, 0, 6) / 6

    def backward(self, grad):
        (x,) = self.saved_tensors
        inner = where(x < 3, grad * (x / 3 + 0.5), grad)
        return (where(x <= -3, 0.0, inner),)


def _hardswish(input):
    return Hardswish.apply(_float_only(input, "hardswish_cpu"))


def hardswish(input, inplace=False):
    """``x * min(max(x + 3, 0), 6) / 6``."""
    return _maybe_inplace(inplace, _hardswish, input)


# ----- compositions ------------------------------------------------------------------------
def softsign(input):
    """``x / (1 + |x|)``."""
    from .unary import abs

    return input / (abs(input) + 1)


def tanhshrink(input):
    """``x - tanh(x)``."""
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are "
            "trying to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return input - tanh(_float_input(input))


def glu(input, dim=-1):
    """``a * sigmoid(b)`` where ``a`` and ``b`` are the two halves of ``input`` along ``dim``."""
    from ..tensor_base import wrap_dim as _wrap_dim

    if input._data.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if size % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {size}")
    half = size // 2
    lead = (slice(None),) * d
    return input[lead + (slice(0, half),)] * sigmoid(input[lead + (slice(half, size),)])


FUNCTIONAL = (
    "leaky_relu",
    "hardtanh",
    "relu6",
    "threshold",
    "hardshrink",
    "softshrink",
    "prelu",
    "elu",
    "selu",
    "celu",
    "gelu",
    "silu",
    "softplus",
    "logsigmoid",
    "mish",
    "hardsigmoid",
    "hardswish",
    "softsign",
    "tanhshrink",
    "glu",
)

# The ones PyTorch also exports as ``torch.<name>``.
__all__ = ["threshold", "hardshrink", "prelu", "selu", "celu"]

METHODS = {"hardshrink": "hardshrink", "prelu": "prelu"}

_U = [((3, 4),), ((),), ((0, 2),)]
_W = (-4.0, 4.0)


def _F(lib):
    """``torch.nn.functional`` for PyTorch, this module for Ember."""
    return sys.modules[__name__] if lib.__name__ == "ember" else lib.nn.functional


def _off(*kinks):
    """A domain that keeps samples at least 0.05 away from each kink."""

    def domain(z):
        out = z * 2.5
        for k in kinks:
            near = abs(out - k) < 0.05
            out = out + near * 0.1
        return out

    return domain


register(
    OpSpec(
        "leaky_relu",
        lambda t, a: _F(t).leaky_relu(a, 0.2),
        _U,
        domain=_off(0.0),
        second_order=False,
    ),
    OpSpec(
        "hardtanh", lambda t, a: _F(t).hardtanh(a), _U, domain=_off(-1.0, 1.0), second_order=False
    ),
    OpSpec(
        "hardtanh_bounds",
        lambda t, a: _F(t).hardtanh(a, -0.5, 2.0),
        [((5, 3),)],
        domain=_off(-0.5, 2.0),
        second_order=False,
    ),
    OpSpec("relu6", lambda t, a: _F(t).relu6(a * 3), _U, domain=_off(0.0, 2.0), second_order=False),
    OpSpec(
        "threshold",
        lambda t, a: t.threshold(a, 0.3, -2.0),
        _U,
        domain=_off(0.3),
        second_order=False,
    ),
    OpSpec(
        "hardshrink", lambda t, a: t.hardshrink(a), _U, domain=_off(-0.5, 0.5), second_order=False
    ),
    OpSpec(
        "softshrink",
        lambda t, a: _F(t).softshrink(a, 0.4),
        _U,
        domain=_off(-0.4, 0.4),
        second_order=False,
    ),
    OpSpec(
        "prelu",
        lambda t, a, w: t.prelu(a, w),
        [((2, 3, 4), (3,)), ((5,), (1,))],
        shapes=None,
        domain=_off(0.0),
        second_order=False,
    ),
    OpSpec("elu", lambda t, a: _F(t).elu(a, 1.5), _U, domain=_off(0.0), second_order=False),
    OpSpec("elu_smooth", lambda t, a: _F(t).elu(a), [((4, 3),)], domain=(-3.0, -0.1)),
    OpSpec("selu", lambda t, a: t.selu(a), _U, domain=_off(0.0), second_order=False),
    OpSpec("celu", lambda t, a: t.celu(a, 0.7), _U, domain=_off(0.0), second_order=False),
    OpSpec("gelu", lambda t, a: _F(t).gelu(a), _U, domain=_W),
    OpSpec("gelu_tanh", lambda t, a: _F(t).gelu(a, approximate="tanh"), _U, domain=_W),
    OpSpec("silu", lambda t, a: _F(t).silu(a), _U, domain=_W),
    OpSpec("softplus", lambda t, a: _F(t).softplus(a), _U, domain=_W),
    OpSpec(
        "softplus_beta",
        lambda t, a: _F(t).softplus(a, 2.0, 3.0),
        [((4, 5),)],
        domain=_off(1.5),
        second_order=False,
    ),
    OpSpec("logsigmoid", lambda t, a: _F(t).logsigmoid(a), _U, domain=_W),
    OpSpec("mish", lambda t, a: _F(t).mish(a), _U, domain=_W),
    OpSpec(
        "hardsigmoid",
        lambda t, a: _F(t).hardsigmoid(a),
        _U,
        domain=_off(-3.0, 3.0),
        second_order=False,
    ),
    OpSpec(
        "hardswish", lambda t, a: _F(t).hardswish(a), _U, domain=_off(-3.0, 3.0), second_order=False
    ),
    OpSpec("softsign", lambda t, a: _F(t).softsign(a), _U, domain=_W),
    OpSpec("tanhshrink", lambda t, a: _F(t).tanhshrink(a), _U, domain=_W),
    OpSpec("glu", lambda t, a: _F(t).glu(a, 1), [((3, 4),), ((2, 6, 2),)], shapes=None),
)
