"""Powers: ``pow`` with a tensor or a number on either side, ``float_power``, ``square``.

PyTorch records one of three nodes: ``PowBackward0`` (tensor ** number),
``PowBackward1`` (tensor ** tensor) and ``PowBackward2`` (number ** tensor), and gives
its derivatives fixed values at the special points: zero wherever the exponent is 0
(even at base 0), zero for the exponent's gradient at base 0 with an exponent >= 0, and
``-inf`` there for a negative exponent (``d 0**x / dx`` at ``x = -1``).  The rules below
give the same values, and stay Ember expressions so they differentiate again.
"""

from __future__ import annotations

import math

from ..autograd.node import Node, array_backward, array_grads
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import Holomorphic, apply_binary, conjugated, needs, promote, type_word, zeros_like
from ._spec import OpSpec
from .inplace import public_inplace
from .registry import declare, op, public_names
from .unary import log, quiet
from .where import where

_B2 = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), ()), ((), (3,)), ((0, 3), (3,))]
_ONE = [((3, 4),), ((),)]
_POS = (0.5, 2.0)


def _by_squaring(x, k):
    """``x**k`` for an integer ``k`` up to 8 by repeated squaring: NumPy's ``x**k`` calls the C
    library's ``pow`` per element, dozens of times slower; the products differ from it (and
    from PyTorch's ``pow``) by at most a few units in the last place."""
    result, base = None, x
    while True:
        if k & 1:
            result = base if result is None else result * base
        k >>= 1
        if not k:
            return result
        base = base * base


class PowScalar(Node):
    """d(x**e) = e * x**(e-1) dx for a number ``e`` (zero when e == 0, even at x == 0)"""

    def forward(self, x, e):
        if needs(self, 0):
            self.save_for_backward(x)
        self.e = e
        if e == 2 or e == 1:
            # a 0-d float input: on its value (a NumPy scalar), the same product, cheaper
            return x[()] ** e if not x.ndim and x.dtype.kind == "f" else x**e
        if 4 <= e <= 8 and e == int(e) and x.dtype.kind == "f" and x.dtype.itemsize >= 4:
            with quiet(self.xp):
                return _by_squaring(x, int(e))
        if e > 0 and e == int(e) and e != 3:
            return x**e
        xp = self.xp
        with quiet(xp):  # 0 ** -1 is inf, (-1) ** 0.5 is nan: no warning
            # PyTorch computes these exponents as products and roots (-0.0 ** -0.5 is -inf).
            if e == 3:
                return x * x * x
            if e == -0.5:
                return 1 / xp.sqrt(x)
            if e == -2:
                return 1 / (x * x)
            return x**e

    def backward(self, grad):
        e = self.e
        if e == 0:
            return zeros_like(grad), None
        if e == 2 and array_backward(grad):
            return array_grads(self, grad)
        if grad._data.dtype.kind == "c":  # PyTorch's convention: grad * conj(f'(z))
            return conjugated(self.rule, grad)
        return self.rule(grad)

    def array_rule(self, g):
        if self.e != 2:
            return None
        (x,) = self.saved_arrays()
        if not g.ndim:  # 0-d: on the values
            g, x = g[()], x[()]
        return g * (x * 2), None

    def rule(self, grad):
        e = self.e
        (x,) = self.saved_tensors
        if e == 2:
            return grad * (x * 2), None
        return grad * (pow(x, e - 1) * e), None


class Pow(Holomorphic):
    """d(a**b) = b a**(b-1) da + a**b log(a) db; 0 for da where b == 0, for db where a == 0
    and b >= 0"""

    def forward(self, a, b):
        with quiet(self.xp):
            out = self.xp.power(a, b)
        self.save_for_backward(a, b, out if needs(self, 1) else None)
        return out

    def rule(self, grad):
        a, b, out = self.saved_tensors
        ga = gb = None
        if needs(self, 0):
            ga = where(b == 0, 0.0, grad * b * pow(a, b - 1))
        if needs(self, 1):
            with quiet(self.xp):  # out * log(0) where masked: nan, as in PyTorch
                gb = grad * where((a == 0) & (b >= 0), 0.0, out * log(a))
        return ga, gb


declare(
    Pow,
    vmap=batching.elementwise,
    grad_fn="PowBackward1",
    spec=(
        OpSpec("pow", lambda t, a, b: t.pow(a, b), _B2, shapes="broadcast2", domain=_POS),
        OpSpec(
            "pow_negative_base",
            lambda t, a, b: t.pow(a, b.round()),
            [((3, 4), (3, 4))],
            shapes=None,
            domain=(-2.0, -0.5),
            grad=(True, False),
        ),
    ),
)


class PowScalarBase(Holomorphic):
    """d(s**x) = s**x log(s) dx for a number ``s``; at s == 0: 0 where x >= 0, else -inf"""

    def forward(self, s, x):
        with quiet(self.xp):
            out = self.xp.power(s, x)
        self.s = s
        self.save_for_backward(out, x if s == 0 else None)
        return out

    def rule(self, grad):
        out, x = self.saved_tensors
        s = self.s
        if s != 0:
            return None, grad * (out * (math.log(s) if s > 0 else math.nan))
        with quiet(self.xp):  # out * log(0) where masked: nan, as in PyTorch
            return None, grad * where(x >= 0, 0.0, out * -math.inf)


declare(
    PowScalarBase,
    vmap=batching.elementwise,
    grad_fn="PowBackward2",
    spec=(
        OpSpec("rpow_scalar", lambda t, a: 2.0**a, _ONE),
        # PyTorch's own second derivative is nan here (0 * log(0) inside its where()).
        OpSpec(
            "rpow_zero",
            lambda t, a: t.pow(0.0, a),
            [((5,),)],
            domain=(0.5, 2.0),
            second_order=False,
        ),
    ),
)


@op(
    PowScalar,
    methods="pow",
    inplace=True,
    vmap=batching.elementwise,
    grad_fn="PowBackward0",
    spec=(
        OpSpec("pow_scalar", lambda t, a: a**3, _ONE),
        OpSpec("pow_scalar_frac", lambda t, a: a**2.5, _ONE, domain=_POS),
        OpSpec("pow_neg", lambda t, a: t.pow(a, -1.5), [((5,),)], domain=_POS),
        OpSpec("pow_neg_int", lambda t, a: t.pow(a, -2), [((5,),)], domain=(-2.0, -0.5)),
    ),
)
def pow(input, exponent):
    """``input ** exponent`` for tensor or number base and exponent."""
    if isinstance(exponent, (int, float)) and isinstance(input, Tensor):
        a, e = promote(input, exponent)
        if a._data.dtype.kind in "iu" and isinstance(e, int) and e < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        return PowScalar.apply(a, e)
    if isinstance(input, (int, float)) and isinstance(exponent, Tensor):
        s, x = promote(input, exponent)
        return PowScalarBase.apply(s, x)
    return apply_binary(Pow, input, exponent)


def float_power_(self, exponent):
    """In-place ``float_power`` (``self`` must already be float64)."""
    from .inplace import inplace

    if self._data.dtype != "float64":
        raise RuntimeError(
            f"the base given to float_power_ has dtype {type_word(self)} but the operation's "
            "result requires dtype Double"
        )
    return inplace(self, float_power, exponent)


@op(
    None,
    methods="float_power",
    inplace=float_power_,
    spec=(
        OpSpec("float_power", lambda t, a: t.float_power(a, 2.5), _ONE, domain=_POS),
        OpSpec("float_power_t", lambda t, a, b: t.float_power(a, b), [((3, 1), (4,))], domain=_POS),
    ),
)
def float_power(input, exponent):
    """``input ** exponent`` computed in float64 whatever the operands' dtypes."""
    from ..dtypes import float64

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


@op(
    None,
    methods="square",
    inplace=True,
    spec=OpSpec("square", lambda t, a: t.square(a), [((3, 4),), ((),), ((0, 2),)]),
)
def square(input):
    """``x * x`` (``pow(x, 2)``; integers and bools give int64)."""
    if input._data.dtype.kind == "b":
        from ..dtypes import int64

        input = input.to(int64)
    return pow(input, 2)


square_ = public_inplace("square_")  # PyTorch has it at the top level too (``torch.square_``)

__all__ = public_names(__name__)
