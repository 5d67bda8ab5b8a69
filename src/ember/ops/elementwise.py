"""Elementwise arithmetic: add, sub, mul, div, pow, neg and friends, plus comparisons.

Each op is a ``Node`` (forward on arrays, backward in Ember ops), its public
function, and its ``OpSpec``.  Broadcast gradients are reduced by the engine.
"""

from __future__ import annotations

from ..autograd.node import Node, array_backward
from ..tensor_base import TensorBase as Tensor
from ._binary import apply_binary, as_operand, broadcast_error, promote
from ._spec import OpSpec, register


def _needs(node, i):
    n = node.needs_input_grad
    return n is not None and n[i]


# ----- add / sub ----------------------------------------------------------------------
class Add(Node):
    """d(a + alpha*b) = da + alpha*db"""

    upcast_float16 = False  # PyTorch rounds alpha*b to float16 first

    alpha = 1

    def forward(self, a, b, alpha=1):
        if alpha != 1:
            self.alpha = alpha
            b = b * alpha
        return a + b

    def backward(self, grad):
        return grad, (grad if self.alpha == 1 else grad * self.alpha)


def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and type promotion."""
    return apply_binary(Add, input, other, alpha=alpha)


class Sub(Node):
    """d(a - alpha*b) = da - alpha*db"""

    upcast_float16 = False  # PyTorch rounds alpha*b to float16 first

    alpha = 1

    def forward(self, a, b, alpha=1):
        if alpha != 1:
            self.alpha = alpha
            b = b * alpha
        return a - b

    def backward(self, grad):
        if not _needs(self, 1):  # (x - constant): no negated copy
            return grad, None
        return grad, (-grad if self.alpha == 1 else grad * -self.alpha)


def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other`` with broadcasting and type promotion."""
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    return apply_binary(Sub, input, other, alpha=alpha)


subtract = sub


def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    return sub(other, input, alpha=alpha)


def _is_bool(x):
    return isinstance(x, bool) or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


# ----- mul / div ------------------------------------------------------------------------
class Mul(Node):
    """d(a*b) = b*da + a*db"""

    def forward(self, a, b):
        n = self.needs_input_grad
        if n is not None:
            self.save_for_backward(b if n[0] else None, a if n[1] else None)
        return a * b

    def backward(self, grad):
        if array_backward(grad):
            b, a = self.saved_arrays()
            g = grad._data
            return (
                None if b is None else Tensor._make(g * b),
                None if a is None else Tensor._make(g * a),
            )
        b, a = self.saved_tensors
        return (None if b is None else grad * b), (None if a is None else grad * a)


def mul(input, other, *, out=None):
    """Elementwise product with broadcasting and type promotion."""
    return apply_binary(Mul, input, other)


multiply = mul


class Div(Node):
    """d(a/b) = da/b - a*db/b**2"""

    def forward(self, a, b, rounding_mode=None):
        n = self.needs_input_grad
        if n is not None:
            self.save_for_backward(a if n[1] else None, b)
        return a / b

    def backward(self, grad):
        a, b = self.saved_tensors
        ga = grad / b if _needs(self, 0) else None
        gb = -grad * a / (b * b) if _needs(self, 1) else None
        return ga, gb


def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``: true division (integers give floats), or rounded.

    Args:
        rounding_mode: ``None`` (true division), ``"trunc"`` or ``"floor"``.
    """
    if rounding_mode == "floor":
        return floor_divide(input, other)
    if rounding_mode == "trunc":
        from . import unary

        return unary.trunc(div(input, other))
    if rounding_mode is not None:
        raise ValueError(
            "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
            f"'{rounding_mode}'"
        )
    a, b = promote(input, other)
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    # Integer / integer divides as floats in the default dtype.
    if (not ta or a._data.dtype.kind in "iub") and (not tb or b._data.dtype.kind in "iub"):
        from ..dtypes import get_default_dtype

        d = get_default_dtype()
        a = a.to(d) if ta else float(a)
        b = b.to(d) if tb else float(b)
    try:
        return Div.apply(a, b)
    except ValueError:
        err = broadcast_error(a, b)
        if err is not None:
            raise err from None
        raise


divide = true_divide = div


class _NoGrad(Node):
    """Base of integer-valued elementwise ops: their gradient is zero almost everywhere."""

    def backward(self, grad):
        return tuple(None for _ in self.next_functions)


class FloorDivide(_NoGrad):
    """floor(a / b): gradient zero wherever defined."""

    def forward(self, a, b):
        return self.xp.floor_divide(a, b)


def floor_divide(input, other):
    """``input // other`` rounding toward minus infinity (``-5 // 2 == -3``)."""
    a, b = promote(input, other)
    if _is_int(a) and _is_zero_int(b):
        raise RuntimeError("ZeroDivisionError")
    return _nondiff(FloorDivide, a, b)


class Remainder(Node):
    """a - floor(a/b)*b: da = 1, db = -floor(a/b)"""

    def forward(self, a, b):
        if _needs(self, 1):
            self.save_for_backward(a, b)
        return self.xp.remainder(a, b)

    def backward(self, grad):
        gb = None
        if _needs(self, 1):
            a, b = self.saved_tensors
            gb = -grad * floor_divide(a, b)
        return grad, gb


def remainder(input, other):
    """Python-style modulus: the result has the sign of the divisor (``-5 % 3 == 1``)."""
    a, b = promote(input, other)
    if _is_int(a) and _is_zero_int(b):
        raise RuntimeError("ZeroDivisionError")
    return apply_binary(Remainder, a, b)


def fmod(input, other):
    """C-style modulus: the result has the sign of the dividend."""
    from . import unary

    a, b = promote(input, other)
    return a - unary.trunc(div(a, b)) * b if _is_float(a, b) else _nondiff(_Fmod, a, b)


class _Fmod(_NoGrad):
    def forward(self, a, b):
        return self.xp.fmod(a, b)


def _is_int(x):
    return (isinstance(x, Tensor) and x._data.dtype.kind in "iub") or (isinstance(x, int))


def _is_float(a, b):
    return any(
        (isinstance(x, Tensor) and x._data.dtype.kind in "fc") or isinstance(x, float)
        for x in (a, b)
    )


def _is_zero_int(b):
    if isinstance(b, Tensor):
        return b._data.dtype.kind in "iub" and not b._data.all()
    return isinstance(b, int) and b == 0


# ----- neg / pow --------------------------------------------------------------------------
class Neg(Node):
    """d(-x) = -dx"""

    def forward(self, x):
        return -x

    def backward(self, grad):
        return (-grad,)


def neg(input):
    """``-input``."""
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return Neg.apply(input)


negative = neg


class PowScalar(Node):
    """d(x**e) = e * x**(e-1) dx (zero when e == 0, even at x == 0)"""

    def forward(self, x, e):
        if _needs(self, 0):
            self.save_for_backward(x)
        self.e = e
        return x**e

    def backward(self, grad):
        e = self.e
        if e == 0:
            return grad * 0, None
        if e == 2 and array_backward(grad):
            (x,) = self.saved_arrays()
            return Tensor._make(grad._data * (x * 2)), None
        (x,) = self.saved_tensors
        if e == 2:
            return grad * (x * 2), None
        return grad * (pow(x, e - 1) * e), None


class PowScalarBase(Node):
    """d(s**x) = s**x * log(s) dx"""

    def forward(self, s, x):
        out = self.xp.power(s, x)
        self.s = s
        self.save_for_backward(out)
        return out

    def backward(self, grad):
        from .unary import log

        (out,) = self.saved_tensors
        s = self.s
        if s == 0:
            # 0**x: gradient zero where x >= 0 (PyTorch masks the 0*log(0) NaN).
            return None, grad * 0
        return None, grad * out * log(Tensor._make(out._data.dtype.type(s)))


class Pow(Node):
    """d(a**b) = b*a**(b-1) da + a**b*log(a) db, with 0 where b == 0 or (a == 0, b >= 0)"""

    def forward(self, a, b):
        out = self.xp.power(a, b)
        self.save_for_backward(a, b, out if _needs(self, 1) else None)
        return out

    def backward(self, grad):
        from .unary import log
        from .where import where

        a, b, out = self.saved_tensors
        ga = gb = None
        if _needs(self, 0):
            ga = where(b == 0, 0.0, grad * b * pow(a, b - 1))
        if _needs(self, 1):
            gb = where((a == 0) & (b >= 0), 0.0, grad * out * log(a))
        return ga, gb


def pow(input, exponent):
    """``input ** exponent`` for tensor or scalar base and exponent."""
    if isinstance(exponent, (int, float)) and isinstance(input, Tensor):
        a, e = promote(input, exponent)
        if a._data.dtype.kind in "iu" and isinstance(e, int) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return PowScalar.apply(a, e)
    if isinstance(input, (int, float)) and isinstance(exponent, Tensor):
        s, x = promote(input, exponent)
        return PowScalarBase.apply(s, x)
    return apply_binary(Pow, input, exponent)


float_power = None  # defined in unary (needs float64 casting)


# ----- comparisons and logic (not differentiable) ---------------------------------------
class _Compare(_NoGrad):
    fn = "equal"

    def forward(self, a, b):
        return getattr(self.xp, self.fn)(a, b)


def _make_compare(np_name, doc):
    cls = type(np_name.title().replace("_", ""), (_Compare,), {"fn": np_name, "__doc__": doc})

    def op(input, other):
        other = as_operand(other) if not isinstance(other, (int, float, bool)) else other
        a, b = promote(input, other)
        return _nondiff(cls, a, b)

    op.__doc__ = doc
    return op


def _nondiff(cls, a, b):
    # Outputs never require grad: compute without recording.
    from ..autograd.grad_mode import no_grad

    with no_grad():
        try:
            return cls.apply(a, b)
        except ValueError:
            err = broadcast_error(a, b)
            if err is not None:
                raise err from None
            raise


eq = _make_compare("equal", "Elementwise ``input == other`` as a bool tensor.")
ne = _make_compare("not_equal", "Elementwise ``input != other`` as a bool tensor.")
lt = _make_compare("less", "Elementwise ``input < other`` as a bool tensor.")
le = _make_compare("less_equal", "Elementwise ``input <= other`` as a bool tensor.")
gt = _make_compare("greater", "Elementwise ``input > other`` as a bool tensor.")
ge = _make_compare("greater_equal", "Elementwise ``input >= other`` as a bool tensor.")
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne
logical_and = _make_compare("logical_and", "Elementwise logical AND as a bool tensor.")
logical_or = _make_compare("logical_or", "Elementwise logical OR as a bool tensor.")
logical_xor = _make_compare("logical_xor", "Elementwise logical XOR as a bool tensor.")


def _bitwise(np_name, doc):
    cls = type(np_name.title().replace("_", ""), (_Compare,), {"fn": np_name, "__doc__": doc})

    def op(input, other):
        a, b = promote(input, other)
        for x in (a, b):
            if isinstance(x, Tensor) and x._data.dtype.kind in "fc" or isinstance(x, float):
                raise NotImplementedError(
                    f'"{np_name}_cpu" not implemented for '
                    f"'{'Float' if not isinstance(x, Tensor) else _type_word(x)}'"
                )
        return _nondiff(cls, a, b)

    op.__doc__ = doc
    return op


def _type_word(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half"}.get(
        str(t._data.dtype), str(t._data.dtype)
    )


bitwise_and = _bitwise("bitwise_and", "Bitwise (bool: logical) AND.")
bitwise_or = _bitwise("bitwise_or", "Bitwise (bool: logical) OR.")
bitwise_xor = _bitwise("bitwise_xor", "Bitwise (bool: logical) XOR.")


class _Invert(_NoGrad):
    def forward(self, x):
        return self.xp.invert(x)


def bitwise_not(input):
    """Bitwise NOT (logical NOT for bool tensors)."""
    if input._data.dtype.kind in "fc":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{_type_word(input)}'")
    return _Invert.apply(input)


class _LogicalNot(_NoGrad):
    def forward(self, x):
        return self.xp.logical_not(x)


def logical_not(input):
    """Elementwise logical NOT as a bool tensor."""
    return _LogicalNot.apply(input)


def equal(input, other) -> bool:
    """True if both tensors have the same shape and elements."""
    return input._data.shape == other._data.shape and bool((input._data == other._data).all())


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True if ``|input - other| <= atol + rtol * |other|`` everywhere."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise closeness as a bool tensor."""
    from ..backend import xp_of

    o = other._data if isinstance(other, Tensor) else other
    return Tensor._make(xp_of(input._data).isclose(input._data, o, rtol, atol, equal_nan))


METHODS = {
    "add": "add",
    "sub": "sub",
    "subtract": "sub",
    "mul": "mul",
    "multiply": "mul",
    "div": "div",
    "divide": "div",
    "true_divide": "div",
    "floor_divide": "floor_divide",
    "remainder": "remainder",
    "fmod": "fmod",
    "neg": "neg",
    "negative": "neg",
    "pow": "pow",
    "eq": "eq",
    "ne": "ne",
    "lt": "lt",
    "le": "le",
    "gt": "gt",
    "ge": "ge",
    "greater": "gt",
    "greater_equal": "ge",
    "less": "lt",
    "less_equal": "le",
    "not_equal": "ne",
    "logical_and": "logical_and",
    "logical_or": "logical_or",
    "logical_xor": "logical_xor",
    "logical_not": "logical_not",
    "bitwise_and": "bitwise_and",
    "bitwise_or": "bitwise_or",
    "bitwise_xor": "bitwise_xor",
    "bitwise_not": "bitwise_not",
    "equal": "equal",
    "allclose": "allclose",
    "isclose": "isclose",
}

_B2 = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), ()), ((), (3,)), ((0, 3), (3,))]
_POS = (0.5, 2.0)

register(
    OpSpec("add", lambda t, a, b: t.add(a, b), _B2, shapes="broadcast2"),
    OpSpec("add_alpha", lambda t, a, b: t.add(a, b, alpha=2.5), _B2[:3], shapes="broadcast2"),
    OpSpec("add_scalar", lambda t, a: a + 1.5, [((3, 4),), ((),)]),
    OpSpec("sub", lambda t, a, b: t.sub(a, b), _B2, shapes="broadcast2"),
    OpSpec("rsub_scalar", lambda t, a: 2.0 - a, [((3, 4),), ((),)]),
    OpSpec("mul", lambda t, a, b: t.mul(a, b), _B2, shapes="broadcast2"),
    OpSpec("mul_scalar", lambda t, a: a * 1.5, [((3, 4),), ((),), ((0,),)]),
    OpSpec("div", lambda t, a, b: t.div(a, b), _B2, shapes="broadcast2", domain=_POS),
    OpSpec("rdiv_scalar", lambda t, a: 2.0 / a, [((3, 4),), ((),)], domain=_POS),
    OpSpec("neg", lambda t, a: t.neg(a), [((3, 4),), ((),), ((0, 2),)]),
    OpSpec("pow_scalar", lambda t, a: a**3, [((3, 4),), ((),)]),
    OpSpec("pow_scalar_frac", lambda t, a: a**2.5, [((3, 4),), ((),)], domain=_POS),
    OpSpec("pow_neg", lambda t, a: t.pow(a, -1.5), [((5,),)], domain=_POS),
    OpSpec("rpow_scalar", lambda t, a: 2.0**a, [((3, 4),), ((),)]),
    OpSpec("pow", lambda t, a, b: t.pow(a, b), _B2, shapes="broadcast2", domain=_POS),
    OpSpec(
        "remainder",
        lambda t, a, b: t.remainder(a, b),
        [((3, 4), (3, 4)), ((4,), ())],
        shapes=None,
        domain=(0.6, 2.0),
        second_order=False,
        grad=(True, False),
    ),
)
