"""Logarithmic pointwise ops: logit, xlogy, logaddexp, logaddexp2, and ``special``'s
xlog1py and entr.

``xlogy``/``xlog1py`` record a different node for a number operand (``xlogy(2, t)`` is
``XlogyBackward1``, ``xlogy(t, 2)`` ``XlogyBackward2``), as PyTorch does: one class each.
"""

from __future__ import annotations

import importlib
import math

from .. import dtypes as _dt
from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import apply_broadcast, needs, not_implemented, promote
from ._pointwise import Pointwise, named, special_unary
from ._results import write_out
from ._spec import OpSpec
from .clamp import tensor_arg
from .inplace import public_inplace
from .registry import declare, op, public_names
from .unary import _float_input, quiet
from .where import where

_EW = batching.elementwise
_U = [((3, 4),), ((),), ((0, 3),)]
_B2 = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), ()), ((0, 3), (3,))]
_LN2 = math.log(2.0)


def special(lib):
    """``lib.special`` (``ember.special`` or ``torch.special``), for the specs."""
    return importlib.import_module(lib.__name__ + ".special")


# ----- logit ------------------------------------------------------------------------------
class Logit(Node):
    """d logit(x) = dx / (x (1 - x)); with eps, 0 outside [eps, 1 - eps]; NaN outside [0, 1]"""

    upcast_float16 = False  # PyTorch's float16 kernel rounds at each step too

    def forward(self, x, eps):
        xp = self.xp
        self.eps = eps
        self.save_for_backward(x)
        z = x if eps is None else xp.clip(x, eps, 1 - eps)
        with quiet(xp):
            return xp.log(z / (1 - z))

    def backward(self, grad):
        (x,) = self.saved_tensors
        eps = self.eps
        g = grad / (x * (1 - x))
        if eps is None:
            return where((x < 0) | (x > 1), math.nan, g), None
        return where((x < eps) | (x > 1 - eps), 0.0, g), None


@op(
    Logit,
    methods="logit",
    inplace=True,
    vmap=_EW,
    spec=(
        OpSpec("logit", lambda t, a: t.logit(a), _U, domain=(0.05, 0.95)),
        OpSpec("logit_eps", lambda t, a: t.logit(a, 0.25), [((3, 4),)], domain=(0.3, 0.7)),
        OpSpec(
            "logit_eps_clamped",
            lambda t, a: t.logit(a, eps=0.1),
            [((4, 5),)],
            domain=(-0.5, 1.5),
            fd=False,
        ),
    ),
)
def logit(input, eps=None, *, out=None):
    """``log(p / (1 - p))``, with ``p`` clamped to ``[eps, 1 - eps]`` when ``eps`` is given."""
    tensor_arg("logit", input, "input", 1)
    if eps is not None and eps < 0:
        eps = None  # PyTorch ignores a negative eps
    return write_out("logit", Logit.apply(_float_input(input), eps), out, input)


logit_ = public_inplace("logit_")


# ----- xlogy / xlog1py --------------------------------------------------------------------
class Xlogy(Node):
    """d(x log y) = log(y) dx (0 where x == 0 and y <= 0) + (x / y) dy"""

    def forward(self, x, y):
        xp = self.xp
        self.save_for_backward(x, y)
        with quiet(xp):
            out = x * xp.log(self.shift(y))
        return xp.where((x == 0) & ~xp.isnan(y), 0, out).astype(out.dtype, copy=False)

    @staticmethod
    def shift(y):
        return y

    def backward(self, grad):
        x, y = self.saved_tensors
        gx = gy = None
        if needs(self, 0):
            # log(y) even where x == 0, except where it is not finite there
            gx = where((x == 0) & (self.shift(y) <= 0), 0.0, type(self).of(grad, y))
        if needs(self, 1):
            gy = grad * x / self.shift(y)
        return gx, gy

    @classmethod
    def of(cls, x, y):
        return xlogy(x, y)


class XlogyNumberSelf(Xlogy):
    """d(s log y) = (s / y) dy, for a number ``s``"""


class XlogyNumberOther(Xlogy):
    """d(x log s) = log(s) dx, for a number ``s`` (at x == 0 too, as PyTorch)"""

    def backward(self, grad):
        x, y = self.saved_tensors
        return grad * self.shift(y).log(), None


class Xlog1py(Xlogy):
    """d(x log1p y) = log1p(y) dx (0 where x == 0 and y <= -1) + x / (1 + y) dy"""

    @staticmethod
    def shift(y):
        return y + 1

    @classmethod
    def of(cls, x, y):
        return xlog1py(x, y)


class Xlog1pyNumberSelf(Xlog1py):
    """d(s log1p y) = s / (1 + y) dy, for a number ``s``"""


class Xlog1pyNumberOther(Xlog1py):
    """d(x log1p s) = log1p(s) dx, for a number ``s`` (at x == 0 too, as PyTorch)"""

    backward = XlogyNumberOther.backward


def _xlog(name, nodes, input, other, out):
    a_t, b_t = isinstance(input, Tensor), isinstance(other, Tensor)
    if not a_t and not b_t:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got "
            f"({type(input).__name__}, {type(other).__name__}), but expected one of:\n"
            " * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Number self, Tensor other, *, Tensor out = None)\n"
            " * (Tensor input, Number other, *, Tensor out = None)\n"
        )
    node = nodes[0] if a_t and b_t else nodes[1] if b_t else nodes[2]
    rt = _dt.result_type(input, other)
    if not rt.is_floating_point:
        rt = _dt.get_default_dtype()
    # The number operand becomes a 0-d tensor of the result dtype (its node keeps it constant).
    a, b = (
        v.to(rt) if isinstance(v, Tensor) else Tensor._make(_np.asarray(v, rt.np))
        for v in (input, other)
    )
    return write_out(name, apply_broadcast(node, a, b), out, *[v for v in (input, other)])


_XLOGY = (Xlogy, XlogyNumberSelf, XlogyNumberOther)
_XLOG1PY = (Xlog1py, Xlog1pyNumberSelf, Xlog1pyNumberOther)
_POSITIVE = (0.2, 2.0)


def _with_zeros(z):
    return z * (z > -0.5)  # about a third exactly zero


declare(
    XlogyNumberSelf,
    grad_fn="XlogyBackward1",
    vmap=_EW,
    spec=OpSpec("xlogy_number_self", lambda t, b: t.xlogy(2.5, b), _U, domain=_POSITIVE),
)
declare(
    XlogyNumberOther,
    grad_fn="XlogyBackward2",
    vmap=_EW,
    spec=OpSpec("xlogy_number_other", lambda t, a: t.xlogy(a, 3.0), _U, domain=_with_zeros),
)


@op(
    Xlogy,
    methods="xlogy",
    inplace=True,
    vmap=_EW,
    spec=(
        OpSpec("xlogy", lambda t, a, b: t.xlogy(a, b), _B2, shapes="broadcast2", domain=_POSITIVE),
        OpSpec(
            "xlogy_zeros",
            lambda t, a, b: t.xlogy(a, b * b + 0.2),
            [((3, 4), (3, 4))],
            domain=_with_zeros,
        ),
    ),
)
def xlogy(input, other, *, out=None):
    """``input * log(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return _xlog("xlogy", _XLOGY, input, other, out)


xlogy_ = public_inplace("xlogy_")

declare(
    Xlog1pyNumberSelf,
    grad_fn="SpecialXlog1PyBackward1",
    vmap=_EW,
    spec=OpSpec(
        "xlog1py_number_self", lambda t, b: special(t).xlog1py(2.5, b), _U, domain=(-0.8, 2.0)
    ),
)
declare(
    Xlog1pyNumberOther,
    grad_fn="SpecialXlog1PyBackward2",
    vmap=_EW,
    spec=OpSpec("xlog1py_number_other", lambda t, a: special(t).xlog1py(a, 3.0), _U),
)


@op(
    Xlog1py,
    public=False,
    grad_fn="SpecialXlog1PyBackward0",
    vmap=_EW,
    spec=OpSpec(
        "xlog1py",
        lambda t, a, b: special(t).xlog1py(a, b),
        _B2,
        shapes="broadcast2",
        domain=(-0.8, 2.0),
    ),
)
def xlog1py(input, other, *, out=None):
    """``input * log1p(other)``, 0 where ``input`` is 0 (unless ``other`` is NaN)."""
    return _xlog("xlog1py", _XLOG1PY, input, other, out)


# ----- logaddexp / logaddexp2 -------------------------------------------------------------
def tensor_pair(name, node, input, other, out, kinds):
    """``node`` on two tensors promoted to one dtype, whose kind must be one of ``kinds``
    (else PyTorch's "not implemented" error), with ``out=``."""
    tensor_arg(name, input, "input", 1)
    tensor_arg(name, other, "other", 2)
    a, b = promote(input, other)
    if a._data.dtype.kind not in kinds:
        raise not_implemented(f"{name}_cpu", a)
    return write_out(name, apply_broadcast(node, a, b), out, input, other)


class Logaddexp(Node):
    """d log(e^a + e^b) = da / (1 + e^(b - a)) + db / (1 + e^(a - b))"""

    def kernel(self, xp):
        return xp.logaddexp

    def growth(self, d):
        """``e^d``, the ratio of the two exponentials."""
        return d.exp()

    def forward(self, a, b):
        self.save_for_backward(a, b)
        with quiet(self.xp):
            return self.kernel(self.xp)(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        ga = grad / (1 + self.growth(b - a)) if needs(self, 0) else None
        gb = grad / (1 + self.growth(a - b)) if needs(self, 1) else None
        return ga, gb


class Logaddexp2(Logaddexp):
    """d log2(2^a + 2^b) = da / (1 + 2^(b - a)) + db / (1 + 2^(a - b))"""

    def kernel(self, xp):
        return xp.logaddexp2

    def growth(self, d):
        return (d * _LN2).exp()


def _logaddexp(node, name, doc):
    """Declare ``name(input, other, *, out=None)`` for ``node`` (float operands only)."""

    def function(input, other, *, out=None):
        return tensor_pair(name, node, input, other, out, "fc")

    named(function, node, name, doc)
    spec = OpSpec(name, lambda t, a, b: getattr(t, name)(a, b), _B2, shapes="broadcast2")
    return op(node, methods=name, vmap=_EW, spec=spec)(function)


logaddexp = _logaddexp(Logaddexp, "logaddexp", "``log(exp(input) + exp(other))`` without overflow.")
logaddexp2 = _logaddexp(Logaddexp2, "logaddexp2", "``log2(2**input + 2**other)`` without overflow.")


# ----- entr -------------------------------------------------------------------------------
class Entr(Pointwise):
    """d(-x log x) = -(1 + log x) dx for x > 0 (inf at 0, NaN below)"""

    def kernel(self, xp, x):
        with quiet(xp):
            out = -x * xp.log(x)
        out = xp.where(x == 0, 0, out)
        return xp.where(x < 0, -xp.inf, out).astype(x.dtype, copy=False)

    def chain(self, grad, x):
        return grad * -(1 + x.log())


entr = special_unary(
    Entr,
    "entr",
    "The elementwise entropy ``-x log x`` (0 at 0, -inf for negative ``x``).",
    OpSpec("entr", lambda t, a: special(t).entr(a), _U, domain=(0.1, 3.0)),
)


__all__ = public_names(__name__)
