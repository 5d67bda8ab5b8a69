"""Comparisons, logic and bits: eq/ne/lt/le/gt/ge, logical_*, bitwise_* and the shifts, and
the whole-tensor tests ``equal``, ``allclose``, ``isclose``.

None of them is differentiable: PyTorch records no node, and the outputs never require
grad.  They stay nodes so that vmap batches them like any elementwise op.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import apply_broadcast, not_implemented, promote
from ._pointwise import named
from ._spec import OpSpec
from .registry import op, public_names


class NoGrad(Node):
    """Base of the ops in this module: the output carries no gradient.  A two-operand op
    names its array function (``ufunc``); a one-operand op writes its forward."""

    ufunc = ""

    def forward(self, a, b):
        return getattr(self.xp, self.ufunc)(a, b)

    def differentiable_outputs(self, n):
        return (False,) * n


_EW = batching.elementwise
_ONE = [((3, 4),), ((),), ((0, 2),)]
_TWO = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (3,)), ((0, 3), (3,))]


def _spec(name, fn, samples=_TWO):
    """An OpSpec for an op without a gradient: values and dtypes against PyTorch."""
    return OpSpec(name, fn, samples, shapes=None, fd=False, second_order=False)


def _binary_op(node, name, doc, spec_fn, body, aliases=()):
    """Declare ``name(input, other)`` returning ``body(node, input, other)``; returns it."""

    def function(input, other):
        return body(node, input, other)

    named(function, node, name, doc)
    methods = (name, *aliases)
    spec = _spec(name, spec_fn)
    return op(node, methods=methods, inplace=True, aliases=aliases, vmap=_EW, spec=spec)(function)


def _compare(cls, input, other):
    a, b = promote(input, other)
    return apply_broadcast(cls, a, b)


def _comparison(node, name, symbol, on_integers=True, alias=None):
    """Declare the comparison ``name``: ``input <symbol> other`` as a bool tensor (its spec
    compares integral values when ``on_integers``, so that ties occur)."""
    if on_integers:
        spec_fn = lambda t, a, b: getattr(t, name)(a.floor(), b.floor())  # noqa: E731
    else:
        spec_fn = lambda t, a, b: getattr(t, name)(a, b)  # noqa: E731
    doc = f"Elementwise ``input {symbol} other`` as a bool tensor."
    aliases = () if alias is None else (alias,)
    return _binary_op(node, name, doc, spec_fn, _compare, aliases)


# ----- comparisons --------------------------------------------------------------------
class Eq(NoGrad):
    """a == b"""

    ufunc = "equal"


class Ne(NoGrad):
    """a != b"""

    ufunc = "not_equal"


class Lt(NoGrad):
    """a < b"""

    ufunc = "less"


class Le(NoGrad):
    """a <= b"""

    ufunc = "less_equal"


class Gt(NoGrad):
    """a > b"""

    ufunc = "greater"


class Ge(NoGrad):
    """a >= b"""

    ufunc = "greater_equal"


eq = _comparison(Eq, "eq", "==")
ne = not_equal = _comparison(Ne, "ne", "!=", alias="not_equal")
lt = less = _comparison(Lt, "lt", "<", on_integers=False, alias="less")
le = less_equal = _comparison(Le, "le", "<=", alias="less_equal")
gt = greater = _comparison(Gt, "gt", ">", on_integers=False, alias="greater")
ge = greater_equal = _comparison(Ge, "ge", ">=", alias="greater_equal")


# ----- logic ----------------------------------------------------------------------------
class LogicalAnd(NoGrad):
    """a and b, elementwise"""

    ufunc = "logical_and"


class LogicalOr(NoGrad):
    """a or b, elementwise"""

    ufunc = "logical_or"


class LogicalXor(NoGrad):
    """a xor b, elementwise"""

    ufunc = "logical_xor"


class LogicalNot(NoGrad):
    """not x, elementwise"""

    def forward(self, x):
        return self.xp.logical_not(x)


logical_and = _binary_op(LogicalAnd, "logical_and", "Elementwise logical AND as a bool tensor.",
                         lambda t, a, b: t.logical_and(a > 0, b), _compare)  # fmt: skip
logical_or = _binary_op(LogicalOr, "logical_or", "Elementwise logical OR as a bool tensor.",
                        lambda t, a, b: t.logical_or(a > 1, b > 1), _compare)  # fmt: skip
logical_xor = _binary_op(LogicalXor, "logical_xor", "Elementwise logical XOR as a bool tensor.",
                         lambda t, a, b: t.logical_xor(a > 0, b > 0), _compare)  # fmt: skip


@op(LogicalNot, methods="logical_not", inplace=True, vmap=_EW,
    spec=_spec("logical_not", lambda t, a: t.logical_not(a.floor()), _ONE))  # fmt: skip
def logical_not(input):
    """Elementwise logical NOT as a bool tensor."""
    return LogicalNot.apply(input)


# ----- bits ------------------------------------------------------------------------------
class BitOp(NoGrad):
    """Base of the two-operand bit ops: integer (and bool) operands only."""

    #: PyTorch's kernel name, which its error for a float operand shows.
    kernel = ""
    #: Bool operands are accepted (as logical ops); the shifts refuse them.
    bools = True


class BitwiseAnd(BitOp):
    """a & b (bool: logical and)"""

    kernel, ufunc = "bitwise_and_cpu", "bitwise_and"


class BitwiseOr(BitOp):
    """a | b (bool: logical or)"""

    kernel, ufunc = "bitwise_or_cpu", "bitwise_or"


class BitwiseXor(BitOp):
    """a ^ b (bool: logical xor)"""

    kernel, ufunc = "bitwise_xor_cpu", "bitwise_xor"


class BitwiseLeftShift(BitOp):
    """a << b (0 once every bit is shifted out, and for a negative shift)"""

    kernel, ufunc, bools = "lshift_cpu", "left_shift", False


class BitwiseRightShift(BitOp):
    """a >> b, arithmetic for signed integers"""

    kernel, ufunc, bools = "rshift_cpu", "right_shift", False


class BitwiseNot(NoGrad):
    """~x (bool: logical not)"""

    def forward(self, x):
        return self.xp.invert(x)


_FLOAT32 = _np.dtype("float32")  # the word PyTorch uses for a Python float operand


def _bitwise(cls, input, other):
    a, b = promote(input, other)
    for x in (a, b):
        if isinstance(x, float) or (isinstance(x, Tensor) and x._data.dtype.kind in "fc"):
            raise not_implemented(cls.kernel, x if isinstance(x, Tensor) else _FLOAT32)
        if not cls.bools and isinstance(a, Tensor) and a._data.dtype.kind == "b":
            raise not_implemented(cls.kernel, a)
    return apply_broadcast(cls, a, b)


def _ints(t):
    """Integer operands for the bit ops' specs."""
    return (t * 4).long()


bitwise_and = _binary_op(BitwiseAnd, "bitwise_and", "Bitwise AND (logical for bool tensors).",
                         lambda t, a, b: t.bitwise_and(_ints(a), _ints(b)), _bitwise)  # fmt: skip
bitwise_or = _binary_op(BitwiseOr, "bitwise_or", "Bitwise OR (logical for bool tensors).",
                        lambda t, a, b: t.bitwise_or(a > 0, b > 0), _bitwise)  # fmt: skip
bitwise_xor = _binary_op(BitwiseXor, "bitwise_xor", "Bitwise XOR (logical for bool tensors).",
                         lambda t, a, b: t.bitwise_xor(_ints(a), _ints(b)), _bitwise)  # fmt: skip


def _shift(node, name, doc):
    """Declare the shift ``name``: integer operands, its spec shifting by amounts >= 0."""
    spec_fn = lambda t, a, b: getattr(t, name)(_ints(a), _ints(b).abs())  # noqa: E731
    return _binary_op(node, name, doc, spec_fn, _bitwise)


bitwise_left_shift = _shift(
    BitwiseLeftShift,
    "bitwise_left_shift",
    "``input << other``: the bits of ``input`` moved left (integer tensors).",
)
bitwise_right_shift = _shift(
    BitwiseRightShift,
    "bitwise_right_shift",
    "``input >> other``: the bits of ``input`` moved right, keeping the sign.",
)


@op(BitwiseNot, methods="bitwise_not", inplace=True, vmap=_EW,
    spec=_spec("bitwise_not", lambda t, a: t.bitwise_not(_ints(a)), _ONE))  # fmt: skip
def bitwise_not(input):
    """Bitwise NOT (logical NOT for bool tensors)."""
    if input._data.dtype.kind in "fc":
        raise not_implemented("bitwise_not_cpu", input)
    return BitwiseNot.apply(input)


# ----- whole-tensor tests ------------------------------------------------------------------
@op(None, methods="equal")
def equal(input, other) -> bool:
    """True if both tensors have the same shape and elements."""
    return input._data.shape == other._data.shape and bool((input._data == other._data).all())


@op(None, methods="isclose")
def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """Elementwise closeness as a bool tensor."""
    from ..backend import xp_of

    o = other._data if isinstance(other, Tensor) else other
    return Tensor._make(xp_of(input._data).isclose(input._data, o, rtol, atol, equal_nan))


@op(None, methods="allclose")
def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False) -> bool:
    """True if ``|input - other| <= atol + rtol * |other|`` everywhere."""
    return bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


__all__ = public_names(__name__)
