"""Unary elementwise maths: exp and log families, trigonometry, erf, rounding.

Each Node saves the cheapest thing for backward: the output where the derivative
is a function of it (exp, tanh, sigmoid), the input otherwise.  Backward rules
are Ember expressions, so they differentiate again; where PyTorch picks a value
at a boundary (``relu'(0) = 0``, ``asin'(1) = inf``) the rule is written so the
same value comes out.
"""

from __future__ import annotations

import builtins
import contextlib
import math

from ..autograd.node import Node, array_backward
from ..backend import np as _numpy
from ..tensor_base import TensorBase as Tensor
from ._spec import OpSpec, register

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)

_WORDS = {
    "b": "Bool",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "float16": "Half",
    "float32": "Float",
    "float64": "Double",
}


def type_word(x):
    """PyTorch's scalar-type word for ``x``'s dtype (``Long``, ``Float``, ``Bool``)."""
    d = x._data.dtype
    return _WORDS["b"] if d.kind == "b" else _WORDS.get(str(d), str(d))


def not_implemented(kernel, x):
    """PyTorch's error for a kernel that has no implementation for ``x``'s dtype."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{type_word(x)}'")


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


def _where(cond, a, b):
    from .where import where

    return where(cond, a, b)


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


def log10(input):
    """Base-10 logarithm."""
    return Log10.apply(_float_input(input))


# ----- powers -------------------------------------------------------------------------
class Sqrt(Node):
    """d(sqrt x) = dx / (2 sqrt(x))"""

    def forward(self, x):
        with quiet(self.xp):
            out = self.xp.sqrt(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad / (out * 2),)


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


def rsqrt(input):
    """``1 / sqrt(x)``."""
    return Rsqrt.apply(_float_input(input))


class Reciprocal(Node):
    """d(1/x) = -out**2 dx"""

    def forward(self, x):
        with quiet(self.xp):
            out = self.xp.reciprocal(x)
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        (out,) = self.saved_tensors
        return (grad * -(out * out),)


def reciprocal(input):
    """``1 / x`` (integers give floats)."""
    return Reciprocal.apply(_float_input(input))


def square(input):
    """``x * x`` (``pow(x, 2)``; integers and bools give int64)."""
    from .elementwise import pow

    if input._data.dtype.kind == "b":
        from ..dtypes import int64

        input = input.to(int64)
    return pow(input, 2)


def float_power(input, exponent):
    """``input ** exponent`` computed in float64 whatever the operands' dtypes."""
    from ..dtypes import float64
    from .elementwise import pow

    if isinstance(input, Tensor) and input._data.dtype != float64.np:
        input = input.to(float64)
    if isinstance(exponent, Tensor) and exponent._data.dtype != float64.np:
        exponent = exponent.to(float64)
    if not isinstance(input, Tensor):
        if not isinstance(exponent, Tensor):
            raise TypeError("float_power(): expected at least one Tensor argument")
        input = float(input)
    elif not isinstance(exponent, Tensor):
        exponent = float(exponent)
    return pow(input, exponent)


# ----- hyperbolic and logistic --------------------------------------------------------
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


def tanh(input):
    """Hyperbolic tangent."""
    return Tanh.apply(_float_input(input))


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


def sigmoid(input):
    """The logistic function 1 / (1 + exp(-x))."""
    return Sigmoid.apply(_float_input(input))


class Sinh(Node):
    """d(sinh x) = cosh(x) dx"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.sinh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * cosh(x),)


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


def cosh(input):
    """Hyperbolic cosine."""
    return Cosh.apply(_float_input(input))


class Asinh(Node):
    """d(asinh x) = dx / sqrt(x**2 + 1)"""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.arcsinh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * rsqrt(x * x + 1),)


def asinh(input):
    """Inverse hyperbolic sine."""
    return Asinh.apply(_float_input(input))


class Acosh(Node):
    """d(acosh x) = dx / sqrt(x**2 - 1)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.arccosh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * rsqrt(x * x - 1),)


def acosh(input):
    """Inverse hyperbolic cosine."""
    return Acosh.apply(_float_input(input))


class Atanh(Node):
    """d(atanh x) = dx / (1 - x**2)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.arctanh(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (1 - x * x),)


def atanh(input):
    """Inverse hyperbolic tangent."""
    return Atanh.apply(_float_input(input))


# ----- trigonometry --------------------------------------------------------------------
class Sin(Node):
    """d(sin x) = cos(x) dx"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.sin(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * cos(x),)


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


def asin(input):
    """Inverse sine."""
    return Asin.apply(_float_input(input))


class Acos(Node):
    """d(acos x) = -dx / sqrt(1 - x**2) (-inf at +-1)"""

    def forward(self, x):
        self.save_for_backward(x)
        with quiet(self.xp):
            return self.xp.arccos(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * -rsqrt(1 - x * x),)


def acos(input):
    """Inverse cosine."""
    return Acos.apply(_float_input(input))


class Atan(Node):
    """d(atan x) = dx / (1 + x**2)"""

    def forward(self, x):
        self.save_for_backward(x)
        return self.xp.arctan(x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad / (x * x + 1),)


def atan(input):
    """Inverse tangent."""
    return Atan.apply(_float_input(input))


# ----- erf ---------------------------------------------------------------------------------
def _chebyshev_fit(f, lo, hi, n):
    """Chebyshev coefficients of ``f`` on ``[lo, hi]`` interpolated at ``n`` Chebyshev nodes."""
    from ..backend import np

    k = np.arange(n)
    t = np.cos(np.pi * (k + 0.5) / n)
    y = np.array([f(lo + (hi - lo) * (v + 1) / 2) for v in t])
    c = (2.0 / n) * np.cos(np.pi * np.outer(k, k + 0.5) / n) @ y
    c[0] /= 2
    return tuple(float(v) for v in c)


def _clenshaw(c, t):
    b1 = b2 = 0.0
    t2 = t * 2
    for ck in c[:0:-1]:
        b1, b2 = t2 * b1 - b2 + ck, b1
    return t * b1 - b2 + c[0]


# NumPy has no erf: interpolate the standard library's, once, on three pieces.
# |x| < 1: erf(x) = x * g(x**2); 1 <= |x| < 6: erf = 1 - exp(-x**2) * erfcx(|x|);
# beyond 6, erfc is below half an ulp of 1.
_ERF_SMALL = _chebyshev_fit(lambda u: math.erf(math.sqrt(u)) / math.sqrt(u), 0.0, 1.0, 14)
_ERFCX_MID = _chebyshev_fit(lambda a: math.erfc(a) * math.exp(a * a), 1.0, 3.0, 24)
_ERFCX_HIGH = _chebyshev_fit(lambda a: math.erfc(a) * math.exp(a * a), 3.0, 6.0, 22)


def erf_array(xp, x):
    """The error function of a float array, to a few ulp in float64."""
    dtype, shape = x.dtype, x.shape
    x = x.astype("float64", copy=False).reshape(-1)
    a = xp.abs(x)
    out = xp.sign(x)  # +-1 beyond 6; nan stays nan
    m = a < 1
    if m.any():
        xm = x[m]
        out[m] = xm * _clenshaw(_ERF_SMALL, 2 * xm * xm - 1)
    for lo, hi, coef in ((1.0, 3.0, _ERFCX_MID), (3.0, 6.0, _ERFCX_HIGH)):
        m = (a >= lo) & (a < hi)
        if m.any():
            am = a[m]
            t = (2 * am - (lo + hi)) / (hi - lo)
            out[m] = xp.copysign(1 - xp.exp(-am * am) * _clenshaw(coef, t), x[m])
    return out.astype(dtype, copy=False).reshape(shape)


class Erf(Node):
    """d(erf x) = 2/sqrt(pi) exp(-x**2) dx"""

    def forward(self, x):
        self.save_for_backward(x)
        return erf_array(self.xp, x)

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * (exp(-(x * x)) * _TWO_OVER_SQRT_PI),)


def erf(input):
    """The Gauss error function."""
    return Erf.apply(_float_input(input))


# ----- piecewise: relu, abs, sign, rounding ------------------------------------------------
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
        return (_where(out <= 0, 0.0, grad),)


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


def abs(input):
    """Absolute value."""
    if input._data.dtype.kind == "b":
        raise not_implemented("abs_cpu", input)
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
    """d(sign x) = 0 (sign(nan) is 0, as in PyTorch)"""

    def forward(self, x):
        out = self.xp.asarray(self.xp.sign(x))
        if x.dtype.kind == "f":
            out = self.xp.nan_to_num(out, copy=False)
        return out


class Trunc(_Piecewise):
    """d(trunc x) = 0"""

    np_fn = "trunc"


class Floor(_Piecewise):
    """d(floor x) = 0"""

    np_fn = "floor"


class Ceil(_Piecewise):
    """d(ceil x) = 0"""

    np_fn = "ceil"


class Round(_Piecewise):
    """d(round x) = 0 (halves round to even)"""

    np_fn = "rint"


class RoundDecimals(Node):
    """d(round(x, decimals)) = 0"""

    def forward(self, x, decimals):
        xp = self.xp
        ten = x.dtype.type(10.0 ** builtins.abs(decimals))
        with quiet(xp):
            if decimals > 0:
                return xp.rint(x * ten) / ten
            return xp.rint(x / ten) * ten

    def backward(self, grad):
        return grad * 0, None

    def name(self):
        return "RoundBackward1"


def sign(input):
    """-1, 0 or 1 by the sign of each element."""
    if input._data.dtype.kind == "b":
        return input.clone()
    return Sign.apply(input)


def _rounding(cls, kernel):
    def op(input):
        kind = input._data.dtype.kind
        if kind == "b":
            raise not_implemented(kernel, input)
        if kind in "iu":
            return input.clone()
        return cls.apply(input)

    return op


_trunc = _rounding(Trunc, "trunc_vml_cpu")
_floor = _rounding(Floor, "floor_vml_cpu")
_ceil = _rounding(Ceil, "ceil_vml_cpu")
_round = _rounding(Round, "round_vml_cpu")


def trunc(input):
    """Round toward zero."""
    return _trunc(input)


fix = trunc


def floor(input):
    """Round toward minus infinity."""
    return _floor(input)


def ceil(input):
    """Round toward plus infinity."""
    return _ceil(input)


def round(input, *, decimals=0):
    """Round half to even, to ``decimals`` decimal places (negative: to tens, hundreds)."""
    if decimals == 0:
        return _round(input)
    if input._data.dtype.kind in "biu":
        raise not_implemented("round_cpu", input)
    return RoundDecimals.apply(input, int(decimals))


class Frac(Node):
    """d(x - trunc x) = dx"""

    def forward(self, x):
        return x - self.xp.trunc(x)

    def backward(self, grad):
        return (grad,)


def frac(input):
    """The fractional part ``x - trunc(x)``, with the sign of ``x``."""
    if input._data.dtype.kind in "biu":
        raise not_implemented("frac_cpu", input)
    return Frac.apply(input)


arcsin, arccos, arctan = asin, acos, atan
arcsinh, arccosh, arctanh = asinh, acosh, atanh

__all__ = [
    "exp",
    "exp2",
    "expm1",
    "log",
    "log1p",
    "log2",
    "log10",
    "sqrt",
    "rsqrt",
    "reciprocal",
    "square",
    "float_power",
    "tanh",
    "sigmoid",
    "sinh",
    "cosh",
    "asinh",
    "acosh",
    "atanh",
    "arcsinh",
    "arccosh",
    "arctanh",
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "arcsin",
    "arccos",
    "arctan",
    "erf",
    "relu",
    "abs",
    "absolute",
    "sign",
    "trunc",
    "fix",
    "floor",
    "ceil",
    "round",
    "frac",
]

METHODS = {name: name for name in __all__}
METHODS.update({"absolute": "abs", "fix": "trunc"})

_U = [((3, 4),), ((),), ((0, 2),)]
_POS = (0.5, 3.0)
_UNIT = (-0.9, 0.9)


def _away_from_integers(z):
    # Rounding ops jump at integers (and round at halves): sample in [k + 0.2, k + 0.8).
    return (z * 2) // 1 + 0.2 + 0.6 * ((z * 7) % 1)


register(
    OpSpec("exp", lambda t, a: t.exp(a), _U),
    OpSpec("exp2", lambda t, a: t.exp2(a), _U),
    OpSpec("expm1", lambda t, a: t.expm1(a), _U),
    OpSpec("log", lambda t, a: t.log(a), _U, domain=_POS),
    OpSpec("log1p", lambda t, a: t.log1p(a), _U, domain=(-0.5, 3.0)),
    OpSpec("log2", lambda t, a: t.log2(a), _U, domain=_POS),
    OpSpec("log10", lambda t, a: t.log10(a), _U, domain=_POS),
    OpSpec("tanh", lambda t, a: t.tanh(a), _U),
    OpSpec("sigmoid", lambda t, a: t.sigmoid(a), _U),
    OpSpec("relu", lambda t, a: t.relu(a), _U, second_order=False),
    OpSpec("sqrt", lambda t, a: t.sqrt(a), _U, domain=_POS),
    OpSpec("rsqrt", lambda t, a: t.rsqrt(a), _U, domain=_POS),
    OpSpec("reciprocal", lambda t, a: t.reciprocal(a), _U, domain=_POS),
    OpSpec("reciprocal_neg", lambda t, a: a.reciprocal(), [((5,),)], domain=(-3.0, -0.5)),
    OpSpec("square", lambda t, a: t.square(a), _U),
    OpSpec("float_power", lambda t, a: t.float_power(a, 2.5), _U, domain=_POS),
    OpSpec("float_power_t", lambda t, a, b: t.float_power(a, b), [((3, 1), (4,))], domain=_POS),
    OpSpec("abs", lambda t, a: t.abs(a), _U, second_order=False),
    OpSpec("sin", lambda t, a: t.sin(a), _U, domain=(-4.0, 4.0)),
    OpSpec("cos", lambda t, a: t.cos(a), _U, domain=(-4.0, 4.0)),
    OpSpec("tan", lambda t, a: t.tan(a), _U, domain=(-1.2, 1.2)),
    OpSpec("asin", lambda t, a: t.asin(a), _U, domain=_UNIT),
    OpSpec("acos", lambda t, a: t.acos(a), _U, domain=_UNIT),
    OpSpec("atan", lambda t, a: t.atan(a), _U, domain=(-4.0, 4.0)),
    OpSpec("sinh", lambda t, a: t.sinh(a), _U),
    OpSpec("cosh", lambda t, a: t.cosh(a), _U),
    OpSpec("asinh", lambda t, a: t.asinh(a), _U, domain=(-4.0, 4.0)),
    OpSpec("acosh", lambda t, a: t.acosh(a), _U, domain=(1.2, 4.0)),
    OpSpec("atanh", lambda t, a: t.atanh(a), _U, domain=_UNIT),
    OpSpec("erf", lambda t, a: t.erf(a), _U, domain=(-4.0, 4.0)),
    OpSpec("erf_tails", lambda t, a: t.erf(a), [((6,),)], domain=lambda z: z * 3),
    OpSpec("frac", lambda t, a: t.frac(a), _U, domain=(-4.0, 4.0), second_order=False),
    OpSpec(
        "sign", lambda t, a: t.sign(a), _U, domain=lambda z: z + 0.1, fd=False, second_order=False
    ),
    OpSpec(
        "trunc",
        lambda t, a: t.trunc(a),
        _U,
        domain=_away_from_integers,
        fd=False,
        second_order=False,
    ),
    OpSpec(
        "floor",
        lambda t, a: t.floor(a),
        _U,
        domain=_away_from_integers,
        fd=False,
        second_order=False,
    ),
    OpSpec(
        "ceil",
        lambda t, a: t.ceil(a),
        _U,
        domain=_away_from_integers,
        fd=False,
        second_order=False,
    ),
    OpSpec(
        "round",
        lambda t, a: t.round(a),
        _U,
        domain=_away_from_integers,
        fd=False,
        second_order=False,
    ),
    OpSpec(
        "round_decimals",
        lambda t, a: t.round(a, decimals=1),
        _U,
        domain=(-4.0, 4.0),
        fd=False,
        second_order=False,
    ),
    OpSpec(
        "round_decimals_neg",
        lambda t, a: t.round(a * 100, decimals=-1),
        _U,
        fd=False,
        second_order=False,
    ),
)
