"""Ops on the binary form of floats: ``frexp`` (mantissa and exponent), ``ldexp``
(``input * 2**other``) and ``nextafter`` (the next representable float towards ``other``)."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..backend import np as _np
from ..backend import xp_of
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from . import _out, batching
from ._binary import needs, type_word, zeros_like
from ._spec import OpSpec
from .inplace import check_inplace, commit, public_inplace
from .linalg import ctype_name, dtype_mismatch, require_tensor
from .registry import LOOP, declare, op, public_names

_EW = batching.elementwise

#: ``torch.return_types.frexp``: the mantissa and the (int32) exponent.
FrexpResult = return_type("frexp", "mantissa", "exponent")
FrexpOut = return_type("frexp_out", "mantissa", "exponent")


def _frexp_arrays(xp, x):
    if x.dtype.name in _NATIVE:
        return xp.frexp(x)
    m, e = xp.frexp(x.astype(xp.float32))  # bfloat16: through float32, exactly
    return m.astype(x.dtype), e


_NATIVE = ("float16", "float32", "float64")


class Frexp(Node):
    """d mantissa = grad / 2**exponent (the exponent is piecewise constant)"""

    upcast_float16 = False

    def forward(self, x):
        m, e = _frexp_arrays(self.xp, x)
        if self.needs_input_grad is not None:
            self.scale = self.xp.ldexp(self.xp.ones((), x.dtype), -e).astype(x.dtype)
        return m

    def backward(self, grad):
        return (grad * Tensor._make(self.scale),)


@op(
    Frexp,
    methods="frexp",
    vmap=LOOP,
    spec=OpSpec("frexp", lambda t, a: t.frexp(a * 5).mantissa, [((3, 4),), ((),), ((0, 2),)]),
)
def frexp(input, *, out=None):
    """Each element as ``mantissa * 2**exponent``, ``0.5 <= |mantissa| < 1`` (a named tuple)."""
    require_tensor(input, "frexp", "input", 1)
    if not _dt.is_float_np(input._data.dtype):
        raise RuntimeError("torch.frexp() only supports floating-point dtypes")
    if out is not None:
        _out.check_out_tensors("frexp", out, 2)
        _out.refuse_grad("frexp", out, input)
        m_out, e_out = out
        if m_out._data.dtype != input._data.dtype:
            message = "torch.frexp() expects mantissa to have dtype {} but got {}"
            raise dtype_mismatch(message, input, m_out, ctype_name)
        if e_out._data.dtype != _np.int32:
            raise RuntimeError(
                f"torch.frexp() expects exponent to have int dtype but got {ctype_name(e_out)}"
            )
    mantissa = Frexp.apply(input)
    _, e = _frexp_arrays(xp_of(input._data), input._data)
    exponent = Tensor._make(e.astype(_np.int32, copy=False))
    if out is None:
        return FrexpResult(mantissa, exponent)
    return FrexpOut(_out.write(out[0], mantissa), _out.write(out[1], exponent))


# ----- ldexp -----------------------------------------------------------------------------
class Ldexp(Node):
    """d(x * 2**e) = 2**e dx + x * 2**e * ln 2 de"""

    def forward(self, x, e):
        xp = self.xp
        self.save_for_backward(x, e)
        return xp.multiply(x, xp.exp2(e).astype(x.dtype, copy=False), dtype=x.dtype)

    def backward(self, grad):
        x, e = self.saved_tensors
        scale = (e.to(x.dtype) if e.dtype != x.dtype else e).exp2()
        gx = grad * scale if needs(self, 0) else None
        ge = None
        if needs(self, 1):
            ge = grad * x * scale * 0.6931471805599453
        return gx, ge


def _ldexp_operands(input, other):
    require_tensor(input, "ldexp", "input", 1)
    require_tensor(other, "ldexp", "other", 2)
    d = _dt.result_type(input, other)
    if d.np.kind not in "fc":
        d = _dt.get_default_dtype()
    x = input if input._data.dtype == d.np else input.to(d)
    e = other if other._data.dtype.kind in "biu" or other._data.dtype == d.np else other.to(d)
    return x, e


def _ldexp_out(name, out, result):
    if out._data.dtype.kind in "biu" and result._data.dtype.kind in "fc":
        raise RuntimeError(f"ldexp can't be cast to the desired output type {type_word(out)}")


_PAIR = [((3, 4), (3, 4)), ((3, 1), (4,)), ((), ())]


@op(
    Ldexp,
    methods="ldexp",
    vmap=_EW,
    spec=OpSpec("ldexp", lambda t, a, b: t.ldexp(a, b), _PAIR, shapes="broadcast2"),
    out=_ldexp_out,
)
def ldexp(input, other):
    """``input * 2**other`` (a float result)."""
    x, e = _ldexp_operands(input, other)
    return Ldexp.apply(x, e)


def ldexp_(self, other):
    """In-place version of ``ldexp``."""
    check_inplace(self)
    require_tensor(other, "ldexp_", "other", 1)
    if self._data.dtype.kind in "biu":
        raise RuntimeError(f"ldexp can't be cast to the desired output type {type_word(self)}")
    return commit(self, ldexp(self, other), "ldexp_")


declare(None, ldexp_, methods="ldexp_", public=False)
ldexp_ = public_inplace("ldexp_")


# ----- nextafter -------------------------------------------------------------------------
def _nextafter_half(xp, x, y):
    """nextafter for 2-byte floats (float16, bfloat16), on their bits."""
    x, y = xp.broadcast_arrays(x, y)
    xf, yf = x.astype(xp.float32), y.astype(xp.float32)
    bits = x.view(xp.uint16).astype(xp.int32)
    grow = (yf > xf) == (xf > 0)
    bits = xp.where(grow, bits + 1, bits - 1)
    tiny = xp.where(xp.signbit(yf), 0x8001, 0x0001)
    bits = xp.where(xf == 0, tiny, bits)
    out = bits.astype(xp.uint16).view(x.dtype)
    out = xp.where(xf == yf, y, out)
    return xp.where(xp.isnan(xf) | xp.isnan(yf), xp.asarray(float("nan"), x.dtype), out)


class Nextafter(Node):
    """d nextafter(x, y) = dx where x != y, else 0 (PyTorch's: the step itself is ignored);
    0 for y"""

    upcast_float16 = False  # a step of float16's own spacing, not float32's

    def forward(self, x, y):
        if self.needs_input_grad is not None:
            self.same = x == y
        if x.dtype.itemsize == 2:
            return _nextafter_half(self.xp, x, y)
        return self.xp.nextafter(x, y)

    def backward(self, grad):
        return grad.masked_fill(Tensor._make(self.same), 0), zeros_like(grad)


@op(
    Nextafter,
    methods="nextafter",
    inplace=True,
    vmap=_EW,
    spec=OpSpec(
        "nextafter", lambda t, a, b: t.nextafter(a, b), _PAIR, shapes="broadcast2", fd=False
    ),
)
def nextafter(input, other):
    """The next float after ``input`` towards ``other``, elementwise."""
    require_tensor(input, "nextafter", "input", 1)
    require_tensor(other, "nextafter", "other", 2)
    d = _dt.result_type(input, other)
    if not _dt.is_float_np(d.np):
        from .linalg import not_implemented

        raise not_implemented("nextafter_cpu", d)
    x = input if input._data.dtype == d.np else input.to(d)
    y = other if other._data.dtype == d.np else other.to(d)
    return Nextafter.apply(x, y)


__all__ = public_names(__name__)
