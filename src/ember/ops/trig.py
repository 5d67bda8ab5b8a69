"""Trigonometric and hyperbolic functions and their inverses.

Derivatives take PyTorch's values at the edges of each domain: ``asin'(+-1) = inf``,
``acos'(+-1) = -inf``, ``atanh'(+-1) = inf``.
"""

from __future__ import annotations

from ..autograd.node import array_backward, array_grads
from ._pointwise import Pointwise, quiet, unary
from .inplace import public_inplace
from .registry import public_names
from .unary import rsqrt

_UNIT = (-0.9, 0.9)


class Sin(Pointwise):
    """d(sin x) = cos(x) dx"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.sin(x)

    def chain(self, grad, x):
        return grad * cos(x)


sin = unary(Sin, "sin", "Sine (radians).", domain=(-4.0, 4.0))


class Cos(Pointwise):
    """d(cos x) = -sin(x) dx"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.cos(x)

    def chain(self, grad, x):
        return grad * -sin(x)


cos = unary(Cos, "cos", "Cosine (radians).", domain=(-4.0, 4.0))


class Tan(Pointwise):
    """d(tan x) = (1 + tan(x)**2) dx"""

    saves_output = True

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.tan(x)

    def chain(self, grad, out):
        return grad * (out * out + 1)


tan = unary(Tan, "tan", "Tangent (radians).", domain=(-1.2, 1.2))


class Asin(Pointwise):
    """d(asin x) = dx / sqrt(1 - x**2) (inf at +-1)"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.arcsin(x)

    def chain(self, grad, x):
        return grad * rsqrt(1 - x * x)


asin = arcsin = unary(Asin, "asin", "Inverse sine.", domain=_UNIT, aliases=("arcsin",))


class Acos(Pointwise):
    """d(acos x) = -dx / sqrt(1 - x**2) (-inf at +-1)"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.arccos(x)

    def chain(self, grad, x):
        return grad * -rsqrt(1 - x * x)


acos = arccos = unary(Acos, "acos", "Inverse cosine.", domain=_UNIT, aliases=("arccos",))


class Atan(Pointwise):
    """d(atan x) = dx / (1 + x**2)"""

    def kernel(self, xp, x):
        return xp.arctan(x)

    def chain(self, grad, x):
        return grad / (x * x + 1)


atan = arctan = unary(Atan, "atan", "Inverse tangent.", domain=(-4.0, 4.0), aliases=("arctan",))


class Sinh(Pointwise):
    """d(sinh x) = cosh(x) dx"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.sinh(x)

    def chain(self, grad, x):
        return grad * cosh(x)


sinh = unary(Sinh, "sinh", "Hyperbolic sine.")


class Cosh(Pointwise):
    """d(cosh x) = sinh(x) dx"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.cosh(x)

    def chain(self, grad, x):
        return grad * sinh(x)


cosh = unary(Cosh, "cosh", "Hyperbolic cosine.")


class Tanh(Pointwise):
    """d(tanh x) = (1 - tanh(x)**2) dx"""

    saves_output = True

    # Forward and the array backward written out (no kernel/chain calls): a hot op.
    def forward(self, x):
        out = self.xp.tanh(x)
        if self.needs_input_grad is not None:  # save_for_backward(out), written out
            self._saved = (out,)
        return out

    def array_rule(self, g):
        (out,) = self.saved_arrays()
        return (g * (1 - out * out),)

    def backward(self, grad):
        if array_backward(grad):
            return array_grads(self, grad)
        return super().backward(grad)

    def chain(self, grad, out):
        return grad * (1 - out * out)


tanh = unary(Tanh, "tanh", "Hyperbolic tangent.")


class Asinh(Pointwise):
    """d(asinh x) = dx / sqrt(x**2 + 1)"""

    def kernel(self, xp, x):
        return xp.arcsinh(x)

    def chain(self, grad, x):
        return grad * rsqrt(x * x + 1)


asinh = arcsinh = unary(
    Asinh, "asinh", "Inverse hyperbolic sine.", domain=(-4.0, 4.0), aliases=("arcsinh",)
)


class Acosh(Pointwise):
    """d(acosh x) = dx / sqrt(x**2 - 1)"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.arccosh(x)

    def chain(self, grad, x):
        return grad * rsqrt(x * x - 1)


acosh = arccosh = unary(
    Acosh, "acosh", "Inverse hyperbolic cosine.", domain=(1.2, 4.0), aliases=("arccosh",)
)


class Atanh(Pointwise):
    """d(atanh x) = dx / (1 - x**2)"""

    def kernel(self, xp, x):
        with quiet(xp):
            return xp.arctanh(x)

    def chain(self, grad, x):
        return grad / (1 - x * x)


atanh = arctanh = unary(
    Atanh, "atanh", "Inverse hyperbolic tangent.", domain=_UNIT, aliases=("arctanh",)
)


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
