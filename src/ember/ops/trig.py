"""Trigonometric and hyperbolic functions and their inverses.

Derivatives take PyTorch's values at the edges of each domain: ``asin'(+-1) = inf``,
``acos'(+-1) = -inf``, ``atanh'(+-1) = inf``.
"""

from __future__ import annotations

from ..autograd.node import Node, array_backward
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._spec import OpSpec
from .inplace import public_inplace
from .registry import op, public_names
from .unary import _float_input, quiet, rsqrt

_EW = batching.elementwise
_U = [((3, 4),), ((),), ((0, 2),)]
_UNIT = (-0.9, 0.9)


class Sin(Node):
    """d(sin x) = cos(x) dx"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.sin(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * cos(x),)


@op(
    Sin,
    methods="sin",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("sin", lambda t, a: t.sin(a), _U, domain=(-4.0, 4.0)),
)
def sin(input):
    """Sine (radians)."""
    return Sin.apply(_float_input(input))


class Cos(Node):
    """d(cos x) = -sin(x) dx"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.cos(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * -sin(x),)


@op(
    Cos,
    methods="cos",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("cos", lambda t, a: t.cos(a), _U, domain=(-4.0, 4.0)),
)
def cos(input):
    """Cosine (radians)."""
    return Cos.apply(_float_input(input))


class Tan(Node):
    """d(tan x) = (1 + tan(x)**2) dx"""

    def forward(self, x):
        with quiet(self.xp):
            out = self.xp.tan(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * (out * out + 1),)


@op(
    Tan,
    methods="tan",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("tan", lambda t, a: t.tan(a), _U, domain=(-1.2, 1.2)),
)
def tan(input):
    """Tangent (radians)."""
    return Tan.apply(_float_input(input))


class Asin(Node):
    """d(asin x) = dx / sqrt(1 - x**2) (inf at +-1)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.arcsin(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * rsqrt(1 - x * x),)


@op(
    Asin,
    methods=("asin", "arcsin"),
    inplace=True,
    aliases=("arcsin",),
    vmap=_EW,
    spec=OpSpec("asin", lambda t, a: t.asin(a), _U, domain=_UNIT),
)
def asin(input):
    """Inverse sine."""
    return Asin.apply(_float_input(input))


arcsin = asin


class Acos(Node):
    """d(acos x) = -dx / sqrt(1 - x**2) (-inf at +-1)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.arccos(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * -rsqrt(1 - x * x),)


@op(
    Acos,
    methods=("acos", "arccos"),
    inplace=True,
    aliases=("arccos",),
    vmap=_EW,
    spec=OpSpec("acos", lambda t, a: t.acos(a), _U, domain=_UNIT),
)
def acos(input):
    """Inverse cosine."""
    return Acos.apply(_float_input(input))


arccos = acos


class Atan(Node):
    """d(atan x) = dx / (1 + x**2)"""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.arctan(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (x * x + 1),)


@op(
    Atan,
    methods=("atan", "arctan"),
    inplace=True,
    aliases=("arctan",),
    vmap=_EW,
    spec=OpSpec("atan", lambda t, a: t.atan(a), _U, domain=(-4.0, 4.0)),
)
def atan(input):
    """Inverse tangent."""
    return Atan.apply(_float_input(input))


arctan = atan


class Sinh(Node):
    """d(sinh x) = cosh(x) dx"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.sinh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * cosh(x),)


@op(
    Sinh,
    methods="sinh",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("sinh", lambda t, a: t.sinh(a), _U, domain=(-2.0, 2.0)),
)
def sinh(input):
    """Hyperbolic sine."""
    return Sinh.apply(_float_input(input))


class Cosh(Node):
    """d(cosh x) = sinh(x) dx"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.cosh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * sinh(x),)


@op(
    Cosh,
    methods="cosh",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("cosh", lambda t, a: t.cosh(a), _U, domain=(-2.0, 2.0)),
)
def cosh(input):
    """Hyperbolic cosine."""
    return Cosh.apply(_float_input(input))


class Tanh(Node):
    """d(tanh x) = (1 - tanh(x)**2) dx"""

    def forward(self, x):
        out = self.xp.tanh(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        if array_backward(grad):
            (out,) = self.saved_arrays()
            return (Tensor._make(grad._data * (1 - out * out)),)
        (out,) = self.saved_tensors
        return (grad * (1 - out * out),)


@op(
    Tanh,
    methods="tanh",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("tanh", lambda t, a: t.tanh(a), _U, domain=(-2.0, 2.0)),
)
def tanh(input):
    """Hyperbolic tangent."""
    return Tanh.apply(_float_input(input))


class Asinh(Node):
    """d(asinh x) = dx / sqrt(x**2 + 1)"""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.arcsinh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * rsqrt(x * x + 1),)


@op(
    Asinh,
    methods=("asinh", "arcsinh"),
    inplace=True,
    aliases=("arcsinh",),
    vmap=_EW,
    spec=OpSpec("asinh", lambda t, a: t.asinh(a), _U, domain=(-4.0, 4.0)),
)
def asinh(input):
    """Inverse hyperbolic sine."""
    return Asinh.apply(_float_input(input))


arcsinh = asinh


class Acosh(Node):
    """d(acosh x) = dx / sqrt(x**2 - 1)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.arccosh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * rsqrt(x * x - 1),)


@op(
    Acosh,
    methods=("acosh", "arccosh"),
    inplace=True,
    aliases=("arccosh",),
    vmap=_EW,
    spec=OpSpec("acosh", lambda t, a: t.acosh(a), _U, domain=(1.2, 4.0)),
)
def acosh(input):
    """Inverse hyperbolic cosine."""
    return Acosh.apply(_float_input(input))


arccosh = acosh


class Atanh(Node):
    """d(atanh x) = dx / (1 - x**2)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.arctanh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (1 - x * x),)


@op(
    Atanh,
    methods=("atanh", "arctanh"),
    inplace=True,
    aliases=("arctanh",),
    vmap=_EW,
    spec=OpSpec("atanh", lambda t, a: t.atanh(a), _U, domain=_UNIT),
)
def atanh(input):
    """Inverse hyperbolic tangent."""
    return Atanh.apply(_float_input(input))


arctanh = atanh


# PyTorch has these in-place forms as top-level functions too (``torch.sin_(x)``).
sin_ = public_inplace("sin_")
cos_ = public_inplace("cos_")
tan_ = public_inplace("tan_")
asin_ = arcsin_ = public_inplace("asin_", aliases=("arcsin_",))
acos_ = arccos_ = public_inplace("acos_", aliases=("arccos_",))
atan_ = arctan_ = public_inplace("atan_", aliases=("arctan_",))
sinh_ = public_inplace("sinh_")
cosh_ = public_inplace("cosh_")
tanh_ = public_inplace("tanh_")
asinh_ = arcsinh_ = public_inplace("asinh_", aliases=("arcsinh_",))
acosh_ = arccosh_ = public_inplace("acosh_", aliases=("arccosh_",))
atanh_ = arctanh_ = public_inplace("atanh_", aliases=("arctanh_",))

__all__ = public_names(__name__)
