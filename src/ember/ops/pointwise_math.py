"""More pointwise maths: addcmul, addcdiv, sinc, deg2rad, rad2deg, heaviside, gcd, lcm."""

from __future__ import annotations

import math

from .. import dtypes as _dt
from ..autograd.node import Node
from . import _out, batching
from ._binary import apply_broadcast, needs, not_implemented
from ._results import write_out
from ._spec import OpSpec
from .clamp import tensor_arg
from .elementwise import NotDifferentiable
from .inplace import public_inplace
from .logs import tensor_pair
from .registry import op, public_names
from .unary import _float_input, quiet
from .where import where

_EW = batching.elementwise
_U = [((3, 4),), ((),), ((0, 3),)]
_B3 = [((3, 4), (3, 4), (3, 4)), ((3, 1), (1, 4), (4,)), ((), (), ()), ((0, 3), (3,), (1,))]


# ----- addcmul / addcdiv ------------------------------------------------------------------
class Addcmul(Node):
    """d(x + v * a * b) = dx + v b da + v a db"""

    def forward(self, x, a, b, value):
        self.value = value
        self.save_for_backward(a if needs(self, 2) else None, b if needs(self, 1) else None)
        return x + value * (a * b)

    def backward(self, grad):
        a, b = self.saved_tensors
        v = self.value
        gx = grad if needs(self, 0) else None
        ga = grad * (b * v) if needs(self, 1) else None
        gb = grad * (a * v) if needs(self, 2) else None
        return gx, ga, gb, None


class Addcdiv(Node):
    """d(x + v * a / b) = dx + (v / b) da - (v a / b**2) db"""

    def forward(self, x, a, b, value):
        self.value = value
        self.save_for_backward(a if needs(self, 2) else None, b)
        with quiet(self.xp):
            return x + value * (a / b)

    def backward(self, grad):
        a, b = self.saved_tensors
        v = self.value
        gx = grad if needs(self, 0) else None
        ga = grad * (v / b) if needs(self, 1) else None
        gb = -grad * (a * v) / (b * b) if needs(self, 2) else None
        return gx, ga, gb, None


def _addc(name, node, input, tensor1, tensor2, value, out):
    for pos, (arg, t) in enumerate((("input", input), ("tensor1", tensor1), ("tensor2", tensor2))):
        tensor_arg(name, t, arg, pos + 1)
    rt = _dt.result_type(input, tensor1, tensor2)
    if node is Addcdiv and not rt.is_floating_point and not rt.is_complex:
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release "
            "addcdiv will perform a true division of tensor1 and tensor2. The historic addcdiv "
            "behavior can be implemented as (input + value * torch.trunc(tensor1 / tensor2))"
            ".to(input.dtype) for integer inputs and as (input + value * tensor1 / tensor2) for "
            "float inputs. The future addcdiv behavior is just the latter implementation: "
            "(input + value * tensor1 / tensor2), for all dtypes."
        )
    if rt is _dt.bool:
        raise not_implemented(f"{name}_cpu_out", input)
    if isinstance(value, complex) and not rt.is_complex:
        raise RuntimeError(
            f"value cannot be converted to type {_out.C_NAMES[rt.name]} without overflow"
        )
    if not rt.is_floating_point and not rt.is_complex:
        value = int(value)
    args = [t if t._data.dtype == rt.np else t.to(rt) for t in (input, tensor1, tensor2)]
    return write_out(name, apply_broadcast(node, *args, value), out, input, tensor1, tensor2)


@op(
    Addcmul,
    methods="addcmul",
    inplace=True,
    vmap=_EW,
    spec=OpSpec(
        "addcmul", lambda t, x, a, b: t.addcmul(x, a, b, value=0.5), _B3, shapes="broadcast3"
    ),
)
def addcmul(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 * tensor2``."""
    return _addc("addcmul", Addcmul, input, tensor1, tensor2, value, out)


@op(
    Addcdiv,
    methods="addcdiv",
    inplace=True,
    vmap=_EW,
    spec=OpSpec(
        "addcdiv",
        lambda t, x, a, b: t.addcdiv(x, a, b, value=-2),
        _B3,
        shapes="broadcast3",
        domain=lambda z: z + 0.5 * (z >= 0) - 0.5 * (z < 0),
    ),
)
def addcdiv(input, tensor1, tensor2, *, value=1, out=None):
    """``input + value * tensor1 / tensor2`` (floating point only)."""
    return _addc("addcdiv", Addcdiv, input, tensor1, tensor2, value, out)


# ----- sinc / deg2rad / rad2deg -----------------------------------------------------------
class Sinc(Node):
    """d sinc(x) = (cos(pi x) - sinc(x)) / x, 0 at x = 0"""

    def forward(self, x):
        xp = self.xp
        y = x * math.pi
        with quiet(xp):
            out = xp.where(x == 0, xp.ones((), x.dtype), xp.sin(y) / y)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        zero = x == 0
        safe = where(zero, 1.0, x)
        return (grad * where(zero, 0.0, ((x * math.pi).cos() - out) / safe),)


@op(
    Sinc,
    methods="sinc",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("sinc", lambda t, a: t.sinc(a), _U + [((2, 3, 4),)], domain=(-2.5, 2.5)),
)
def sinc(input, *, out=None):
    """The normalised sinc function ``sin(pi x) / (pi x)`` (1 at 0)."""
    tensor_arg("sinc", input, "input", 1)
    return write_out("sinc", Sinc.apply(_float_input(input)), out, input)


class Deg2Rad(Node):
    """d(x * pi / 180) = pi / 180 dx"""

    factor = math.pi / 180

    def forward(self, x):
        return x * self.factor

    def backward(self, grad):
        return (grad * self.factor,)


class Rad2Deg(Deg2Rad):
    """d(x * 180 / pi) = 180 / pi dx"""

    factor = 180 / math.pi


@op(
    Deg2Rad,
    methods="deg2rad",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("deg2rad", lambda t, a: t.deg2rad(a), _U, domain=(-200.0, 200.0)),
)
def deg2rad(input, *, out=None):
    """Degrees to radians."""
    tensor_arg("deg2rad", input, "input", 1)
    return write_out("deg2rad", Deg2Rad.apply(_float_input(input)), out, input)


@op(
    Rad2Deg,
    methods="rad2deg",
    inplace=True,
    vmap=_EW,
    spec=OpSpec("rad2deg", lambda t, a: t.rad2deg(a), _U),
)
def rad2deg(input, *, out=None):
    """Radians to degrees."""
    tensor_arg("rad2deg", input, "input", 1)
    return write_out("rad2deg", Rad2Deg.apply(_float_input(input)), out, input)


sinc_ = public_inplace("sinc_")
deg2rad_ = public_inplace("deg2rad_")
rad2deg_ = public_inplace("rad2deg_")


# ----- heaviside / gcd / lcm --------------------------------------------------------------
class Heaviside(NotDifferentiable):
    """The step function: PyTorch defines no derivative"""

    aten = "heaviside"

    def forward(self, x, values):
        xp = self.xp
        return xp.where(x == 0, values, (x > 0).astype(x.dtype))


_B2 = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), ()), ((0, 3), (3,))]


def _steps(z):
    return z.round()  # zeros among the inputs


@op(Heaviside, methods="heaviside", inplace=True, vmap=_EW,
    spec=OpSpec("heaviside", lambda t, a, b: t.heaviside(a, b), _B2, shapes="broadcast2",
                domain=_steps, grad=(False, False), fd=False, second_order=False))  # fmt: skip
def heaviside(input, values, *, out=None):
    """0 where ``input < 0``, 1 where ``input > 0``, ``values`` where ``input == 0``."""
    tensor_arg("heaviside", input, "input", 1)
    tensor_arg("heaviside", values, "values", 2)
    if input._data.dtype != values._data.dtype:
        raise RuntimeError("heaviside is not yet implemented for tensors with different dtypes.")
    if input._data.dtype.kind == "c":
        raise RuntimeError("heaviside is not yet implemented for complex tensors.")
    return write_out("heaviside", apply_broadcast(Heaviside, input, values), out, input, values)


class _IntegerPair(NotDifferentiable):
    """Base of gcd and lcm: the array module's function of PyTorch's op name."""

    def forward(self, a, b):
        return getattr(self.xp, self.aten)(a, b)


class Gcd(_IntegerPair):
    """The greatest common divisor of integers (no gradient: integer outputs)"""

    aten = "gcd"


class Lcm(_IntegerPair):
    """The least common multiple of integers (no gradient: integer outputs)"""

    aten = "lcm"


def _integers(z):
    return (z * 6).round()


def _int_spec(name):
    return OpSpec(
        name,
        lambda t, a, b: getattr(t, name)(a.long(), b.long()),
        _B2,
        shapes="broadcast2",
        domain=_integers,
        fd=False,
        second_order=False,
    )


@op(Gcd, methods="gcd", inplace=True, vmap=_EW, spec=_int_spec("gcd"))
def gcd(input, other, *, out=None):
    """The elementwise greatest common divisor of two integer tensors (``gcd(0, 0) = 0``)."""
    return tensor_pair("gcd", Gcd, input, other, out, "iu")


@op(Lcm, methods="lcm", inplace=True, vmap=_EW, spec=_int_spec("lcm"))
def lcm(input, other, *, out=None):
    """The elementwise least common multiple of two integer tensors."""
    return tensor_pair("lcm", Lcm, input, other, out, "iu")


gcd_ = public_inplace("gcd_")
lcm_ = public_inplace("lcm_")
__all__ = public_names(__name__)
