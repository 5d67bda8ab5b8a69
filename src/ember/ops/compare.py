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
from ._spec import OpSpec
from .registry import op, public_names


class NoGrad(Node):
    """Base of the ops in this module: the output carries no gradient."""

    def differentiable_outputs(self, n):
        return (False,) * n


_ONE = [((3, 4),), ((),), ((0, 2),)]
_TWO = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), (3,)), ((0, 3), (3,))]


def _spec(name, fn, samples=_TWO):
    """An OpSpec for an op without a gradient: values and dtypes against PyTorch."""
    return OpSpec(name, fn, samples, shapes=None, fd=False, second_order=False)


# ----- comparisons --------------------------------------------------------------------
class Eq(NoGrad):
    """a == b"""

    def forward(self, a, b):
        return self.xp.equal(a, b)


class Ne(NoGrad):
    """a != b"""

    def forward(self, a, b):
        return self.xp.not_equal(a, b)


class Lt(NoGrad):
    """a < b"""

    def forward(self, a, b):
        return self.xp.less(a, b)


class Le(NoGrad):
    """a <= b"""

    def forward(self, a, b):
        return self.xp.less_equal(a, b)


class Gt(NoGrad):
    """a > b"""

    def forward(self, a, b):
        return self.xp.greater(a, b)


class Ge(NoGrad):
    """a >= b"""

    def forward(self, a, b):
        return self.xp.greater_equal(a, b)


def _compare(cls, input, other):
    a, b = promote(input, other)
    return apply_broadcast(cls, a, b)


_EW = batching.elementwise


@op(
    Eq,
    methods="eq",
    inplace=True,
    vmap=_EW,
    spec=_spec("eq", lambda t, a, b: t.eq(a.floor(), b.floor())),
)
def eq(input, other):
    """Elementwise ``input == other`` as a bool tensor."""
    return _compare(Eq, input, other)


@op(
    Ne,
    methods=("ne", "not_equal"),
    inplace=True,
    aliases=("not_equal",),
    vmap=_EW,
    spec=_spec("ne", lambda t, a, b: t.ne(a.floor(), b.floor())),
)
def ne(input, other):
    """Elementwise ``input != other`` as a bool tensor."""
    return _compare(Ne, input, other)


@op(
    Lt,
    methods=("lt", "less"),
    inplace=True,
    aliases=("less",),
    vmap=_EW,
    spec=_spec("lt", lambda t, a, b: t.lt(a, b)),
)
def lt(input, other):
    """Elementwise ``input < other`` as a bool tensor."""
    return _compare(Lt, input, other)


@op(
    Le,
    methods=("le", "less_equal"),
    inplace=True,
    aliases=("less_equal",),
    vmap=_EW,
    spec=_spec("le", lambda t, a, b: t.le(a.floor(), b.floor())),
)
def le(input, other):
    """Elementwise ``input <= other`` as a bool tensor."""
    return _compare(Le, input, other)


@op(
    Gt,
    methods=("gt", "greater"),
    inplace=True,
    aliases=("greater",),
    vmap=_EW,
    spec=_spec("gt", lambda t, a, b: t.gt(a, b)),
)
def gt(input, other):
    """Elementwise ``input > other`` as a bool tensor."""
    return _compare(Gt, input, other)


@op(
    Ge,
    methods=("ge", "greater_equal"),
    inplace=True,
    aliases=("greater_equal",),
    vmap=_EW,
    spec=_spec("ge", lambda t, a, b: t.ge(a.floor(), b.floor())),
)
def ge(input, other):
    """Elementwise ``input >= other`` as a bool tensor."""
    return _compare(Ge, input, other)


not_equal, less, less_equal, greater, greater_equal = ne, lt, le, gt, ge


# ----- logic ----------------------------------------------------------------------------
class LogicalAnd(NoGrad):
    """a and b, elementwise"""

    def forward(self, a, b):
        return self.xp.logical_and(a, b)


class LogicalOr(NoGrad):
    """a or b, elementwise"""

    def forward(self, a, b):
        return self.xp.logical_or(a, b)


class LogicalXor(NoGrad):
    """a xor b, elementwise"""

    def forward(self, a, b):
        return self.xp.logical_xor(a, b)


class LogicalNot(NoGrad):
    """not x, elementwise"""

    def forward(self, x):
        return self.xp.logical_not(x)


@op(
    LogicalAnd,
    methods="logical_and",
    inplace=True,
    vmap=_EW,
    spec=_spec("logical_and", lambda t, a, b: t.logical_and(a > 0, b)),
)
def logical_and(input, other):
    """Elementwise logical AND as a bool tensor."""
    return _compare(LogicalAnd, input, other)


@op(
    LogicalOr,
    methods="logical_or",
    inplace=True,
    vmap=_EW,
    spec=_spec("logical_or", lambda t, a, b: t.logical_or(a > 1, b > 1)),
)
def logical_or(input, other):
    """Elementwise logical OR as a bool tensor."""
    return _compare(LogicalOr, input, other)


@op(
    LogicalXor,
    methods="logical_xor",
    inplace=True,
    vmap=_EW,
    spec=_spec("logical_xor", lambda t, a, b: t.logical_xor(a > 0, b > 0)),
)
def logical_xor(input, other):
    """Elementwise logical XOR as a bool tensor."""
    return _compare(LogicalXor, input, other)


@op(
    LogicalNot,
    methods="logical_not",
    inplace=True,
    vmap=_EW,
    spec=_spec("logical_not", lambda t, a: t.logical_not(a.floor()), _ONE),
)
def logical_not(input):
    """Elementwise logical NOT as a bool tensor."""
    return LogicalNot.apply(input)


# ----- bits ------------------------------------------------------------------------------
class BitwiseAnd(NoGrad):
    """a & b (bool: logical and)"""

    def forward(self, a, b):
        return self.xp.bitwise_and(a, b)


class BitwiseOr(NoGrad):
    """a | b (bool: logical or)"""

    def forward(self, a, b):
        return self.xp.bitwise_or(a, b)


class BitwiseXor(NoGrad):
    """a ^ b (bool: logical xor)"""

    def forward(self, a, b):
        return self.xp.bitwise_xor(a, b)


class BitwiseNot(NoGrad):
    """~x (bool: logical not)"""

    def forward(self, x):
        return self.xp.invert(x)


class BitwiseLeftShift(NoGrad):
    """a << b (0 once every bit is shifted out, and for a negative shift)"""

    def forward(self, a, b):
        return self.xp.left_shift(a, b)


class BitwiseRightShift(NoGrad):
    """a >> b, arithmetic for signed integers"""

    def forward(self, a, b):
        return self.xp.right_shift(a, b)


_FLOAT32 = _np.dtype("float32")  # the word PyTorch uses for a Python float operand


def _bitwise(cls, kernel, input, other, bools=True):
    a, b = promote(input, other)
    for x in (a, b):
        if isinstance(x, float) or (isinstance(x, Tensor) and x._data.dtype.kind in "fc"):
            raise not_implemented(kernel, x if isinstance(x, Tensor) else _FLOAT32)
        if not bools and isinstance(a, Tensor) and a._data.dtype.kind == "b":
            raise not_implemented(kernel, a)
    return apply_broadcast(cls, a, b)


def _ints(t):
    """Integer operands for the bit ops' specs."""
    return (t * 4).long()


@op(
    BitwiseAnd,
    methods="bitwise_and",
    inplace=True,
    vmap=_EW,
    spec=_spec("bitwise_and", lambda t, a, b: t.bitwise_and(_ints(a), _ints(b))),
)
def bitwise_and(input, other):
    """Bitwise AND (logical for bool tensors)."""
    return _bitwise(BitwiseAnd, "bitwise_and_cpu", input, other)


@op(
    BitwiseOr,
    methods="bitwise_or",
    inplace=True,
    vmap=_EW,
    spec=_spec("bitwise_or", lambda t, a, b: t.bitwise_or(a > 0, b > 0)),
)
def bitwise_or(input, other):
    """Bitwise OR (logical for bool tensors)."""
    return _bitwise(BitwiseOr, "bitwise_or_cpu", input, other)


@op(
    BitwiseXor,
    methods="bitwise_xor",
    inplace=True,
    vmap=_EW,
    spec=_spec("bitwise_xor", lambda t, a, b: t.bitwise_xor(_ints(a), _ints(b))),
)
def bitwise_xor(input, other):
    """Bitwise XOR (logical for bool tensors)."""
    return _bitwise(BitwiseXor, "bitwise_xor_cpu", input, other)


@op(
    BitwiseNot,
    methods="bitwise_not",
    inplace=True,
    vmap=_EW,
    spec=_spec("bitwise_not", lambda t, a: t.bitwise_not(_ints(a)), _ONE),
)
def bitwise_not(input):
    """Bitwise NOT (logical NOT for bool tensors)."""
    if input._data.dtype.kind in "fc":
        raise not_implemented("bitwise_not_cpu", input)
    return BitwiseNot.apply(input)


@op(
    BitwiseLeftShift,
    methods="bitwise_left_shift",
    inplace=True,
    vmap=_EW,
    spec=_spec(
        "bitwise_left_shift", lambda t, a, b: t.bitwise_left_shift(_ints(a), _ints(b).abs())
    ),
)
def bitwise_left_shift(input, other):
    """``input << other``: the bits of ``input`` moved left (integer tensors)."""
    return _bitwise(BitwiseLeftShift, "lshift_cpu", input, other, bools=False)


@op(
    BitwiseRightShift,
    methods="bitwise_right_shift",
    inplace=True,
    vmap=_EW,
    spec=_spec(
        "bitwise_right_shift", lambda t, a, b: t.bitwise_right_shift(_ints(a), _ints(b).abs())
    ),
)
def bitwise_right_shift(input, other):
    """``input >> other``: the bits of ``input`` moved right, keeping the sign."""
    return _bitwise(BitwiseRightShift, "rshift_cpu", input, other, bools=False)


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
