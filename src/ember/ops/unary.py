"""Unary elementwise maths: exp, log, trig, activations, rounding.

Each Node saves the cheapest thing for backward: the output where the derivative
is a function of it (exp, tanh, sigmoid), the input otherwise.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor import Tensor
from ._spec import OpSpec, register


def _float_input(x):
    """Integer and bool tensors are computed in the default float dtype, as PyTorch does."""
    if x._data.dtype.kind in "biu":
        from ..dtypes import get_default_dtype

        return x.to(get_default_dtype())
    return x


class Exp(Node):
    """d(exp x) = exp(x) dx"""

    def forward(self, x):
        out = self.xp.exp(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * out,)


def exp(input):
    """e to the power of each element."""
    return Exp.apply(_float_input(input))


class Log(Node):
    """d(log x) = dx / x"""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.log(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / x,)


def log(input):
    """Natural logarithm."""
    return Log.apply(_float_input(input))


class Tanh(Node):
    """d(tanh x) = (1 - tanh(x)**2) dx"""

    def forward(self, x):
        out = self.xp.tanh(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * (1 - out * out),)


def tanh(input):
    """Hyperbolic tangent."""
    return Tanh.apply(_float_input(input))


class Sigmoid(Node):
    """d(sigmoid x) = s(1 - s) dx with s = sigmoid(x)"""

    def forward(self, x):
        xp = self.xp
        # exp of -|x| never overflows; the two branches join at 0.
        e = xp.exp(-xp.abs(x))
        out = xp.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * (out * (1 - out)),)


def sigmoid(input):
    """The logistic function 1 / (1 + exp(-x))."""
    return Sigmoid.apply(_float_input(input))


class Relu(Node):
    """d(relu x) = dx where x > 0, else 0 (0 at x == 0)"""

    def forward(self, x):
        out = self.xp.maximum(x, 0)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * (out > 0),)


def relu(input):
    """max(x, 0) elementwise."""
    return Relu.apply(input)


class Sqrt(Node):
    """d(sqrt x) = dx / (2 sqrt(x))"""

    def forward(self, x):
        out = self.xp.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad / (out * 2),)


def sqrt(input):
    """Square root."""
    return Sqrt.apply(_float_input(input))


class Abs(Node):
    """d|x| = sign(x) dx (0 at x == 0)"""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.abs(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * sign(x),)


def abs(input):
    """Absolute value."""
    return Abs.apply(input)


absolute = abs


class _Piecewise(Node):
    """Base of ops with zero gradient almost everywhere (sign, floor, round, ...)."""

    np_fn = "sign"

    def forward(self, x):
        return getattr(self.xp, self.np_fn)(x)

    def backward(self, grad):
        return (grad * 0,)


class Sign(_Piecewise):
    """d(sign x) = 0"""

    np_fn = "sign"


class Trunc(_Piecewise):
    """d(trunc x) = 0"""

    np_fn = "trunc"


def sign(input):
    """-1, 0 or 1 by the sign of each element."""
    return Sign.apply(input)


def trunc(input):
    """Round toward zero."""
    if input._data.dtype.kind in "biu":
        return input.clone()
    return Trunc.apply(input)


fix = trunc

METHODS = {
    "exp": "exp",
    "log": "log",
    "tanh": "tanh",
    "sigmoid": "sigmoid",
    "relu": "relu",
    "sqrt": "sqrt",
    "abs": "abs",
    "absolute": "abs",
    "sign": "sign",
    "trunc": "trunc",
    "fix": "trunc",
}

_U = [((3, 4),), ((),), ((0, 2),)]
_POS = (0.5, 3.0)
register(
    OpSpec("exp", lambda t, a: t.exp(a), _U),
    OpSpec("log", lambda t, a: t.log(a), _U, domain=_POS),
    OpSpec("tanh", lambda t, a: t.tanh(a), _U),
    OpSpec("sigmoid", lambda t, a: t.sigmoid(a), _U),
    OpSpec("relu", lambda t, a: t.relu(a), _U, second_order=False),
    OpSpec("sqrt", lambda t, a: t.sqrt(a), _U, domain=_POS),
    OpSpec("abs", lambda t, a: t.abs(a), _U, second_order=False),
)
_ = Tensor
