"""Arithmetic: add, sub, rsub, mul, div (true and rounded), floor_divide, remainder, fmod, neg.

Each op is a ``Node`` (forward on arrays, backward in Ember ops), its public function
and its declaration.  Broadcast gradients are reduced by the engine.  Where PyTorch
records a different node for a number operand (``1 - x`` is ``RsubBackward1``,
``remainder(x, 2)`` is ``RemainderBackward0``) a subclass carries that name.
"""

from __future__ import annotations

from ..autograd.node import Node, array_backward, array_grads
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from . import _out, batching
from ._binary import (
    apply_binary,
    apply_broadcast,
    conj_of,
    needs,
    not_implemented,
    promote,
    zeros_like,
)
from ._spec import OpSpec
from .compare import eq, ge, gt, le, lt, ne  # noqa: F401 - func/_vmap.py reads them here
from .inplace import add_, div_, mul_, public_inplace, sub_
from .registry import declare, op, public_names

_B2 = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), ()), ((), (3,)), ((0, 3), (3,))]
_ONE = [((3, 4),), ((),)]
_POS = (0.5, 2.0)
_ndarray = _np.ndarray


def _value(x):
    """``x``, or its value when it is a 0-d array (a NumPy scalar)."""
    return x[()] if type(x) is _ndarray and not x.ndim else x


# Each arithmetic op computes on NumPy scalars when its first operand is a 0-d float array:
# the same IEEE operation at a tenth of the cost of one on 0-d arrays (loops over 0-d
# tensors, such as a scalar fit, are made of them).


# ----- add / sub ----------------------------------------------------------------------
class _Scaled(Node):
    """Base of add and sub: ``a ± alpha*b``, alpha kept for the backward."""

    upcast_float16 = False  # PyTorch rounds alpha*b to float16 first
    lists_number = True

    alpha = 1

    def scaled(self, b, alpha):
        """``alpha * b``, remembering alpha (the operator is written in each forward: a hot op)."""
        self.alpha = alpha
        return b * alpha


class Add(_Scaled):
    """d(a + alpha*b) = da + alpha*db"""

    def forward(self, a, b, alpha=1):
        if alpha != 1:
            b = self.scaled(b, alpha)
        if type(a) is _ndarray and not a.ndim and a.dtype.kind == "f":
            return a[()] + _value(b)
        return a + b

    def array_rule(self, g):
        return g, (g if self.alpha == 1 else g * self.alpha)

    def backward(self, grad):
        return grad, (grad if self.alpha == 1 else grad * self.alpha)


@op(Add, methods="add", inplace=add_, vmap=batching.elementwise,
    spec=(OpSpec("add", lambda t, a, b: t.add(a, b), _B2, shapes="broadcast2"),
          OpSpec("add_alpha", lambda t, a, b: t.add(a, b, alpha=2.5), _B2[:3], shapes="broadcast2"),
          OpSpec("add_scalar", lambda t, a: a + 1.5, _ONE)))  # fmt: skip
def add(input, other, *, alpha=1, out=None):
    """``input + alpha * other`` with broadcasting and type promotion."""
    return write_out("add", apply_binary(Add, input, other, alpha=alpha), out, input, other)


class Sub(_Scaled):
    """d(a - alpha*b) = da - alpha*db"""

    def forward(self, a, b, alpha=1):
        if alpha != 1:
            b = self.scaled(b, alpha)
        if type(a) is _ndarray and not a.ndim and a.dtype.kind == "f":
            return a[()] - _value(b)
        return a - b

    def array_rule(self, g):
        n = self.needs_input_grad
        if n is None or not n[1]:  # (x - constant): no negated copy
            return g, None
        return g, (-_value(g) if self.alpha == 1 else g * -self.alpha)

    def backward(self, grad):
        if array_backward(grad):
            return array_grads(self, grad)
        n = self.needs_input_grad
        if n is None or not n[1]:  # (x - constant): no negated copy
            return grad, None
        return grad, (-grad if self.alpha == 1 else grad * -self.alpha)


@op(Sub, methods=("sub", "subtract"), inplace=sub_, aliases=("subtract",),
    vmap=batching.elementwise,
    spec=(OpSpec("sub", lambda t, a, b: t.sub(a, b), _B2, shapes="broadcast2"),
          OpSpec("sub_scalar", lambda t, a: a - 0.5, _ONE)))  # fmt: skip
def sub(input, other, *, alpha=1, out=None):
    """``input - alpha * other`` with broadcasting and type promotion."""
    _check_not_bools(input, other)
    return write_out("sub", apply_binary(Sub, input, other, alpha=alpha), out, input, other)


subtract = sub
declare(None, sub_, methods=("subtract_",), public=False)


class Rsub(Sub):
    """d(b - alpha*a): ``Sub`` of the swapped operands"""


class RsubScalar(Sub):
    """d(s - alpha*a) = -alpha da, for a number ``s``"""


declare(RsubScalar, vmap=batching.elementwise, grad_fn="RsubBackward1",
        spec=(OpSpec("rsub_scalar", lambda t, a: 2.0 - a, _ONE),
              OpSpec("rsub_fn_scalar", lambda t, a: t.rsub(a, 2.0, alpha=3), _ONE)))  # fmt: skip


# PyTorch gives rsub no out=
@op(Rsub, vmap=batching.elementwise, grad_fn="RsubBackward0", out=False,
    spec=OpSpec("rsub", lambda t, a, b: t.rsub(a, b), _B2[:3], shapes="broadcast2"))  # fmt: skip
def rsub(input, other, *, alpha=1):
    """``other - alpha * input``."""
    _check_not_bools(input, other)
    a, b = promote(input, other)
    return apply_broadcast(Rsub if isinstance(b, Tensor) else RsubScalar, b, a, alpha=alpha)


def write_out(name, result, out, *inputs):
    """``result``, or PyTorch's ``out=``: ``result`` written into ``out``, which is returned."""
    if out is None:
        return result
    _out.refuse_grad(name, out, *inputs)
    _out.castable(result._data.dtype, out)
    return _out.write(out, result)


def _check_not_bools(a, b):
    if _is_bool(a) and _is_bool(b):
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )


def _is_bool(x):
    return isinstance(x, bool) or (isinstance(x, Tensor) and x._data.dtype.kind == "b")


# ----- mul / div ------------------------------------------------------------------------
def _reduced(xp, g, factor, meta):
    """``g * factor`` for an input of another shape than ``g`` (broadcast): for an input of
    one element (a scalar weight times a vector), the sum the engine would take of it, as
    one dot product with no temporary."""
    if (
        meta[0].count(1) == len(meta[0])  # one element
        and type(factor) is type(g)
        and factor.shape == g.shape
        and factor.dtype == g.dtype
        and g.dtype.kind == "f"
        and g.dtype.itemsize >= 4
    ):
        total = g.reshape(-1).dot(factor.reshape(-1))
        out = xp.empty(meta[0], g.dtype)  # a fresh array (not a view: backward may adopt it)
        out[...] = total
        return out
    return g * factor


class Mul(Node):
    """d(a*b) = b*da + a*db"""

    lists_number = True

    def forward(self, a, b):
        n = self.needs_input_grad
        if n is not None:  # save_for_backward(the other factor of each input), written out
            self._saved = (b if n[0] else None, a if n[1] else None)
        if type(a) is _ndarray and not a.ndim and a.dtype.kind == "f":
            return a[()] * _value(b)
        return a * b

    def array_rule(self, g):
        saved = self._saved
        if type(saved) is tuple and saved[1] is None and type(saved[0]) is float:
            # x * number: the number, no saved tensor to check
            return (g * saved[0] if g.ndim else g[()] * saved[0]), None
        b, a = self.saved_arrays()
        if not g.ndim:  # 0-d: on scalars
            g = g[()]
            return (None if b is None else g * _value(b)), (None if a is None else g * _value(a))
        # A number factor keeps the shape; an array factor may have broadcast the input.
        gb = ga = None
        if b is not None:
            if type(b) is type(g) and self._in_meta[0][0] != g.shape:
                gb = _reduced(self.xp, g, b, self._in_meta[0])
            else:
                gb = g * b
        if a is not None:
            if type(a) is type(g) and self._in_meta[1][0] != g.shape:
                ga = _reduced(self.xp, g, a, self._in_meta[1])
            else:
                ga = g * a
        return gb, ga

    def backward(self, grad):
        if array_backward(grad):
            return array_grads(self, grad)
        b, a = self.saved_tensors
        if grad._data.dtype.kind == "c":  # PyTorch's convention: grad * conj(other factor)
            b, a = conj_of(b), conj_of(a)
        return (None if b is None else grad * b), (None if a is None else grad * a)


# rdiv_scalar: PyTorch computes a number divided by a tensor as reciprocal times the number.
@op(Mul, methods=("mul", "multiply"), inplace=mul_, aliases=("multiply",),
    vmap=batching.elementwise,
    spec=(OpSpec("mul", lambda t, a, b: t.mul(a, b), _B2, shapes="broadcast2"),
          OpSpec("mul_scalar", lambda t, a: a * 1.5, [((3, 4),), ((),), ((0,),)]),
          OpSpec("rdiv_scalar", lambda t, a: 2.0 / a, _ONE, domain=_POS)))  # fmt: skip
def mul(input, other, *, out=None):
    """Elementwise product with broadcasting and type promotion."""
    return write_out("mul", apply_binary(Mul, input, other), out, input, other)


multiply = mul
declare(None, mul_, methods=("multiply_",), public=False)


class Div(Node):
    """d(a/b) = da/b - (a/b)/b db"""

    lists_number = True

    def forward(self, a, b):
        n = self.needs_input_grad
        if n is not None:
            self.save_for_backward(a if n[1] else None, b)
        if type(a) is _ndarray and not a.ndim and a.dtype.kind == "f":
            return a[()] / _value(b)
        return a / b

    def array_rule(self, g):
        a, b = self.saved_arrays()
        g, a, b = _value(g), _value(a), _value(b)
        ga = g / b if needs(self, 0) else None
        gb = -g * ((a / b) / b) if needs(self, 1) else None
        return ga, gb

    def backward(self, grad):
        if array_backward(grad):
            return array_grads(self, grad)
        a, b = self.saved_tensors
        if grad._data.dtype.kind == "c":  # PyTorch's convention: grad * conj(d(a/b))
            a, b = conj_of(a), conj_of(b)
        ga = grad / b if needs(self, 0) else None
        gb = -grad * ((a / b) / b) if needs(self, 1) else None
        return ga, gb


class DivRounding(Node):
    """d(trunc(a/b)) = d(floor(a/b)) = 0"""

    def forward(self, a, b, mode):
        xp = self.xp
        if mode == "floor":
            return xp.floor_divide(a, b)
        if a.dtype.kind in "fc":
            return xp.trunc(a / b)
        q = xp.floor_divide(a, b)  # integers: floor, then one up where it went below zero
        return q + ((q < 0) & (q * b != a))

    def backward(self, grad):
        zero = zeros_like(grad)
        return (zero if needs(self, 0) else None), (zero if needs(self, 1) else None), None


declare(DivRounding, vmap=batching.elementwise, grad_fn="DivBackward2",
        spec=(OpSpec("div_trunc", lambda t, a, b: t.div(a, b, rounding_mode="trunc"), _B2[:3],
                     shapes="broadcast2", domain=_POS, fd=False, second_order=False),
              OpSpec("div_floor", lambda t, a: t.div(a, -0.7, rounding_mode="floor"), _ONE,
                     fd=False, second_order=False)))  # fmt: skip


@op(Div, methods=("div", "divide", "true_divide"), inplace=div_, aliases=("divide", "true_divide"),
    vmap=batching.elementwise,
    spec=(OpSpec("div", lambda t, a, b: t.div(a, b), _B2, shapes="broadcast2", domain=_POS),
          OpSpec("div_scalar", lambda t, a: a / 4.0, _ONE)))  # fmt: skip
def div(input, other, *, rounding_mode=None, out=None):
    """``input / other``: true division (integers give floats), or rounded.

    Args:
        rounding_mode: ``None`` (true division), ``"trunc"`` or ``"floor"``; rounded
            division keeps integer dtypes.
    """
    if rounding_mode is not None:
        if rounding_mode not in ("trunc", "floor"):
            raise RuntimeError(
                "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                f"'{rounding_mode}'"
            )
        return write_out("div", _div_rounded(input, other, rounding_mode), out, input, other)
    a, b = promote(input, other)
    ta, tb = isinstance(a, Tensor), isinstance(b, Tensor)
    # Integer / integer divides as floats in the default dtype.
    if (not ta or a._data.dtype.kind in "iub") and (not tb or b._data.dtype.kind in "iub"):
        from ..dtypes import get_default_dtype

        d = get_default_dtype()
        a = a.to(d) if ta else float(a)
        b = b.to(d) if tb else float(b)
    return write_out("div", apply_broadcast(Div, a, b), out, a, b)


divide = true_divide = div
declare(None, div_, methods=("divide_", "true_divide_"), public=False)


def _div_rounded(input, other, mode):
    a, b = promote(input, other)
    for x in (a, b):
        if isinstance(x, Tensor) and x._data.dtype.kind == "b":
            raise not_implemented(f"div_{mode}_cpu", x)
    _check_integer_divisor(a, b)
    return apply_broadcast(DivRounding, a, b, mode)


def _check_integer_divisor(a, b):
    """PyTorch's error for an integer division by zero (NumPy would return 0)."""
    is_int = isinstance(a, int) or (isinstance(a, Tensor) and a._data.dtype.kind in "iub")
    if not is_int:
        return
    if isinstance(b, Tensor):
        zero = b._data.dtype.kind in "iub" and not b._data.all()
    else:
        zero = isinstance(b, int) and b == 0
    if zero:
        raise RuntimeError("ZeroDivisionError")


# ----- floor_divide / remainder / fmod ------------------------------------------------------
class NotDifferentiable(Node):
    """Base of ops PyTorch records without a derivative: their backward raises its error."""

    aten = ""

    def backward(self, *grads):
        raise RuntimeError(f"derivative for aten::{self.aten} is not implemented")


class FloorDivide(NotDifferentiable):
    """floor(a / b): PyTorch defines no derivative"""

    aten = "floor_divide"

    def forward(self, a, b):
        return self.xp.floor_divide(a, b)


@op(FloorDivide, methods="floor_divide", inplace=True, vmap=batching.elementwise,
    grad_fn="torch::autograd::NotImplemented",
    spec=OpSpec("floor_divide", lambda t, a, b: t.floor_divide(a, b),
                [((3, 4), (3, 4)), ((4,), ())], shapes=None, domain=(0.6, 2.0), grad=(False, False),
                fd=False, second_order=False))  # fmt: skip
def floor_divide(input, other):
    """``input // other`` rounding toward minus infinity (``-5 // 2 == -3``)."""
    a, b = promote(input, other)
    for x in (a, b):
        if isinstance(x, Tensor) and x._data.dtype.kind == "b":
            raise not_implemented("div_floor_cpu", x)
    _check_integer_divisor(a, b)
    return apply_broadcast(FloorDivide, a, b)


class _Modulus(Node):
    """d(a - q*b) = da - q db, with ``q = div(a, b, rounding_mode=self.rounding)``"""

    kernel = rounding = None  # the array function and the rounding of the quotient

    def forward(self, a, b):
        if needs(self, 1):
            self.save_for_backward(a, b)
        return getattr(self.xp, self.kernel)(a, b)

    def backward(self, grad):
        gb = None
        if needs(self, 1):
            a, b = self.saved_tensors
            gb = -grad * div(a, b, rounding_mode=self.rounding)
        return grad, gb


_MOD_DOMAIN = dict(domain=(0.6, 2.0), second_order=False)


def _modulus_spec(name):
    """The spec of ``remainder``/``fmod`` with a tensor divisor (checked for the dividend)."""
    return OpSpec(
        name,
        lambda t, a, b: getattr(t, name)(a, b),
        [((3, 4), (3, 4)), ((4,), ())],
        shapes=None,
        grad=(True, False),
        **_MOD_DOMAIN,
    )


class Remainder(_Modulus):
    """d(a - floor(a/b)*b) = da - floor(a/b) db"""

    kernel, rounding = "remainder", "floor"


class RemainderScalar(Remainder):
    """d(remainder(a, s)) = da, for a number ``s``"""


class RemainderOfNumber(NotDifferentiable):
    """remainder(s, b) for a number ``s``: PyTorch defines no derivative"""

    aten = "remainder"

    def forward(self, a, b):
        return self.xp.remainder(a, b)


declare(RemainderScalar, vmap=batching.elementwise, grad_fn="RemainderBackward0",
        spec=OpSpec("remainder_scalar", lambda t, a: t.remainder(a * 3, 0.7), _ONE,
                    fd=False))  # fmt: skip
declare(RemainderOfNumber, vmap=batching.elementwise, grad_fn="torch::autograd::NotImplemented",
        spec=OpSpec("rmod_scalar", lambda t, a: 2.0 % a, _ONE, grad=(False,), fd=False,
                    **_MOD_DOMAIN))  # fmt: skip


@op(Remainder, methods="remainder", inplace=True, vmap=batching.elementwise,
    grad_fn="RemainderBackward1", spec=_modulus_spec("remainder"))  # fmt: skip
def remainder(input, other):
    """Python-style modulus: the result has the sign of the divisor (``-5 % 3 == 1``)."""
    if not isinstance(input, Tensor):
        return _modulus(RemainderOfNumber, RemainderOfNumber, input, other)
    return _modulus(Remainder, RemainderScalar, input, other)


class Fmod(_Modulus):
    """d(a - trunc(a/b)*b) = da - trunc(a/b) db"""

    kernel, rounding = "fmod", "trunc"


class FmodScalar(Fmod):
    """d(fmod(a, s)) = da, for a number ``s``"""


declare(FmodScalar, vmap=batching.elementwise, grad_fn="FmodBackward0",
        spec=OpSpec("fmod_scalar", lambda t, a: t.fmod(a * 3, -0.7), _ONE, fd=False))  # fmt: skip


@op(Fmod, methods="fmod", inplace=True, vmap=batching.elementwise,
    grad_fn="FmodBackward1", spec=_modulus_spec("fmod"))  # fmt: skip
def fmod(input, other):
    """C-style modulus: the result has the sign of the dividend."""
    if not isinstance(input, Tensor):
        raise TypeError(
            f"fmod() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
            " * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Tensor input, Number other, *, Tensor out = None)\n"
        )
    return _modulus(Fmod, FmodScalar, input, other)


def _modulus(node, number_node, input, other):
    """remainder or fmod: ``node`` for a tensor divisor, ``number_node`` for a number."""
    a, b = promote(input, other)
    if isinstance(b, float) and isinstance(a, Tensor) and a._data.dtype.itemsize == 2:
        b = float(a._data.dtype.type(b))  # PyTorch rounds the number to float16 first
    _check_integer_divisor(a, b)
    return apply_broadcast(node if isinstance(b, Tensor) else number_node, a, b)


# ----- neg ------------------------------------------------------------------------------------
class Neg(Node):
    """d(-x) = -dx"""

    def forward(self, x):
        return -x

    def array_rule(self, g):
        return (-_value(g),)

    def backward(self, grad):
        return array_grads(self, grad) if array_backward(grad) else (-grad,)


@op(Neg, methods=("neg", "negative"), inplace=True, aliases=("negative",),
    vmap=batching.elementwise,
    spec=OpSpec("neg", lambda t, a: t.neg(a), [((3, 4),), ((),), ((0, 2),)]))  # fmt: skip
def neg(input):
    """``-input``."""
    if input._data.dtype.kind == "b":
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return Neg.apply(input)


negative = neg
neg_ = negative_ = public_inplace("neg_", aliases=("negative_",))

__all__ = public_names(__name__)
