"""Python's operators on tensors: ``+``, ``-``, ``*``, ``/``, ``**``, ``@``, comparisons,
bitwise operators, their in-place forms (``+=``) and indexing (``t[i]``, ``t[i] = v``).

Each is the ``Tensor`` method Python calls for the operator, declared below.  The common
cases (a float tensor with a Python number, or two float tensors of one dtype) need no
promotion: they go straight to the op's node, which is exactly what the public function
would call.  Anything else, and any error, takes the full path.
"""

from __future__ import annotations

from ..tensor_base import TensorBase
from . import compare as _cmp
from . import elementwise as _ew
from . import indexing as _ix
from . import inplace as _ip
from . import linalg as _la
from . import pow as _pw
from . import unary as _un
from .registry import declare, public_names

_Add, _Sub, _Mul, _Div, _Neg = _ew.Add, _ew.Sub, _ew.Mul, _ew.Div, _ew.Neg
_RsubScalar, _Reciprocal, _PowScalar = _ew.RsubScalar, _un.Reciprocal, _pw.PowScalar
_make = TensorBase._make
# Python ints PyTorch takes as numbers; others take the full path, which raises its error.
_INT_MIN, _INT_END = -(1 << 63), 1 << 64


def _operator(name, node, full, doc):
    """A binary operator method: ``node`` directly for the common cases (a float tensor with
    a Python number, or two float tensors of one dtype and class, ``Tensor`` and
    ``Parameter`` counting as one), ``full(self, other)`` (promotion, broadcasting errors,
    ...) otherwise."""

    def method(self, other):
        t = type(other)
        if self._data.dtype.kind == "f" and (
            t is float
            or (t is int and _INT_MIN <= other < _INT_END)
            or (
                (t is type(self) or (type(self)._plain_tensor and getattr(t, "_plain_tensor", 0)))
                and other._data.dtype == self._data.dtype
            )
        ):
            try:
                return node.apply(self, other)
            except ValueError:
                pass
        return full(self, other)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    return method


def _reflected(name, node, full, doc):
    """The reflected form (``number + tensor``) of a commutative operator."""

    def method(self, other):
        t = type(other)
        if (
            t is float or (t is int and _INT_MIN <= other < _INT_END)
        ) and self._data.dtype.kind == "f":
            return node.apply(other, self)
        return full(other, self)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    return method


__add__ = _operator("__add__", _Add, _ew.add, "``self + other``.")
__radd__ = _reflected("__radd__", _Add, _ew.add, "``other + self``.")
__sub__ = _operator("__sub__", _Sub, _ew.sub, "``self - other``.")


def __rsub__(self, other):
    """``other - self``."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _RsubScalar.apply(other, self)
    return _ew.rsub(self, other)


__mul__ = _operator("__mul__", _Mul, _ew.mul, "``self * other``.")
__rmul__ = _reflected("__rmul__", _Mul, _ew.mul, "``other * self``.")
__truediv__ = _operator("__truediv__", _Div, _ew.div, "``self / other``.")


def __rtruediv__(self, other):
    """``other / self``: ``other * self.reciprocal()``, as PyTorch computes it."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _Mul.apply(_Reciprocal.apply(self), other)
    if isinstance(other, (int, float, bool)):
        return _ew.mul(_un.reciprocal(self), other)
    return _ew.div(other, self)


def __floordiv__(self, other):
    """``self // other``."""
    return _ew.floor_divide(self, other)


def __rfloordiv__(self, other):
    """``other // self``."""
    return _ew.floor_divide(other, self)


def __mod__(self, other):
    """``self % other``."""
    return _ew.remainder(self, other)


def __rmod__(self, other):
    """``other % self``."""
    return _ew.remainder(other, self)


def __pow__(self, other):
    """``self ** other``."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _PowScalar.apply(self, other)
    return _pw.pow(self, other)


def __rpow__(self, other):
    """``other ** self``."""
    return _pw.pow(other, self)


def __matmul__(self, other):
    """``self @ other``."""
    return _la.matmul(self, other)


def __rmatmul__(self, other):
    """``other @ self``."""
    return _la.matmul(other, self)


def __neg__(self):
    """``-self``."""
    if self._data.dtype.kind == "f":
        return _Neg.apply(self)
    return _ew.neg(self)


def __pos__(self):
    """``+self`` (the tensor itself)."""
    return self


def __abs__(self):
    """``abs(self)``."""
    return _un.abs(self)


def __invert__(self):
    """``~self`` (integer and bool tensors)."""
    if self._data.dtype.kind not in "biu":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return _cmp.bitwise_not(self)


def __and__(self, other):
    """``self & other``."""
    return _cmp.bitwise_and(self, other)


def __or__(self, other):
    """``self | other``."""
    return _cmp.bitwise_or(self, other)


def __xor__(self, other):
    """``self ^ other``."""
    return _cmp.bitwise_xor(self, other)


def __lshift__(self, other):
    """``self << other``."""
    return _cmp.bitwise_left_shift(self, other)


def __rlshift__(self, other):
    """``other << self``."""
    return _cmp.bitwise_left_shift(other, self)


def __rshift__(self, other):
    """``self >> other``."""
    return _cmp.bitwise_right_shift(self, other)


def __rrshift__(self, other):
    """``other >> self``."""
    return _cmp.bitwise_right_shift(other, self)


def __eq__(self, other):
    """``self == other``, elementwise."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _make(self._data.__eq__(other))  # what eq() computes, without a node
    return _cmp.eq(self, other)


def __ne__(self, other):
    """``self != other``, elementwise."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _make(self._data.__ne__(other))  # what ne() computes, without a node
    return _cmp.ne(self, other)


def __lt__(self, other):
    """``self < other``, elementwise."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _make(self._data.__lt__(other))  # what lt() computes, without a node
    return _cmp.lt(self, other)


def __le__(self, other):
    """``self <= other``, elementwise."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _make(self._data.__le__(other))  # what le() computes, without a node
    return _cmp.le(self, other)


def __gt__(self, other):
    """``self > other``, elementwise."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _make(self._data.__gt__(other))  # what gt() computes, without a node
    return _cmp.gt(self, other)


def __ge__(self, other):
    """``self >= other``, elementwise."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _make(self._data.__ge__(other))  # what ge() computes, without a node
    return _cmp.ge(self, other)


# In-place operators: ember.ops.inplace
def __iadd__(self, other):
    """``self += other``."""
    return _ip.add_(self, other)


def __isub__(self, other):
    """``self -= other``."""
    return _ip.sub_(self, other)


def __imul__(self, other):
    """``self *= other``."""
    return _ip.mul_(self, other)


def __itruediv__(self, other):
    """``self /= other``."""
    return _ip.div_(self, other)


def __ipow__(self, other):
    """``self **= other``."""
    return _ip.inplace(self, _pw.pow, other)


def __ifloordiv__(self, other):
    """``self //= other``."""
    return _ip.inplace(self, _ew.floor_divide, other)


def __imod__(self, other):
    """``self %= other``."""
    return _ip.inplace(self, _ew.remainder, other)


def __iand__(self, other):
    """``self &= other``."""
    return _ip.inplace(self, _cmp.bitwise_and, other)


def __ior__(self, other):
    """``self |= other``."""
    return _ip.inplace(self, _cmp.bitwise_or, other)


def __ixor__(self, other):
    """``self ^= other``."""
    return _ip.inplace(self, _cmp.bitwise_xor, other)


def __ilshift__(self, other):
    """``self <<= other``."""
    return _ip.inplace(self, _cmp.bitwise_left_shift, other)


def __irshift__(self, other):
    """``self >>= other``."""
    return _ip.inplace(self, _cmp.bitwise_right_shift, other)


def __imatmul__(self, other):
    """``self @= other``."""
    return _ip.inplace(self, _la.matmul, other)


# ----- indexing (ember.ops.indexing) ----------------------------------------------
def __getitem__(self, index):
    """``self[index]``."""
    return _ix.getitem(self, index)


def __setitem__(self, index, value):
    """``self[index] = value``."""
    _ix.setitem(self, index, value)


for _fn in (
    __add__, __radd__, __sub__, __rsub__, __mul__, __rmul__, __truediv__, __rtruediv__,
    __floordiv__, __rfloordiv__, __mod__, __rmod__, __pow__, __rpow__, __matmul__,
    __rmatmul__, __neg__, __pos__, __abs__, __invert__, __lshift__, __rlshift__, __rshift__,
    __rrshift__, __eq__, __ne__, __lt__, __le__, __gt__, __ge__, __iadd__, __isub__,
    __imul__, __itruediv__, __ipow__, __ifloordiv__, __imod__, __iand__, __ior__, __ixor__,
    __ilshift__, __irshift__, __imatmul__, __getitem__, __setitem__,
):  # fmt: skip
    declare(None, _fn, methods=(_fn.__name__,), public=False)
# &, | and ^ commute: the reflected operator is the same function.
declare(None, __and__, methods=("__and__", "__rand__"), public=False)
declare(None, __or__, methods=("__or__", "__ror__"), public=False)
declare(None, __xor__, methods=("__xor__", "__rxor__"), public=False)
__all__ = public_names(__name__)
