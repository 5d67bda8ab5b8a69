"""Python's operators on tensors: ``+``, ``-``, ``*``, ``/``, ``**``, ``@``, comparisons,
bitwise operators, their in-place forms (``+=``) and indexing (``t[i]``, ``t[i] = v``).

Each is the ``Tensor`` method Python calls for the operator, declared below.  The common
cases (a float tensor with a Python number, or two float tensors of one dtype) need no
promotion: they go straight to the op's node, which is exactly what the public function
would call.  Anything else, and any error, takes the full path.
"""

from __future__ import annotations

import operator as _op

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

    return _named(method, name, doc)


def _named(method, name, doc):
    """``method`` under the operator's name and docstring (the name the registry declares)."""
    method.__name__ = method.__qualname__ = name
    method.__doc__ = doc
    return method


def _reflected(name, node, full, doc, commutes=False):
    """The reflected form (``number + tensor``): ``node`` for a float tensor and a Python
    number, ``full(other, self)`` otherwise.  An op that ``commutes`` records
    ``tensor + number``, as PyTorch does (its graph lists the number second)."""

    def method(self, other):
        t = type(other)
        if (
            t is float or (t is int and _INT_MIN <= other < _INT_END)
        ) and self._data.dtype.kind == "f":
            return node.apply(self, other) if commutes else node.apply(other, self)
        return full(other, self)

    return _named(method, name, doc)


def _comparison(name, compare, full, doc):
    """A comparison method: ``compare`` on the array for a float tensor and a Python number
    (what ``full`` computes, without a node), ``full(self, other)`` otherwise."""

    def method(self, other):
        t = type(other)
        d = self._data
        if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and d.dtype.kind == "f":
            # a 0-d tensor compares its value (a NumPy scalar: the same test, less overhead)
            return _make(compare(d if d.ndim else d[()], other))
        return full(self, other)

    return _named(method, name, doc)


def _calling(name, full, doc):
    """An operator method that is ``full(self, other)``."""

    def method(self, other):
        return full(self, other)

    return _named(method, name, doc)


def _calling_reflected(name, full, doc):
    """A reflected operator method (``other`` on the left): ``full(other, self)``."""

    def method(self, other):
        return full(other, self)

    return _named(method, name, doc)


def _inplace(name, full, doc):
    """An in-place operator method: ``full`` computed, then written into ``self``."""

    def method(self, other):
        return _ip.inplace(self, full, other)

    return _named(method, name, doc)


__add__ = _operator("__add__", _Add, _ew.add, "``self + other``.")
__radd__ = _reflected("__radd__", _Add, _ew.add, "``other + self``.", commutes=True)
__sub__ = _operator("__sub__", _Sub, _ew.sub, "``self - other``.")


def _subtracted_from(other, self):
    """``other - self`` for any ``other`` (rsub with its operands named the other way)."""
    return _ew.rsub(self, other)


__rsub__ = _reflected("__rsub__", _RsubScalar, _subtracted_from, "``other - self``.")


__mul__ = _operator("__mul__", _Mul, _ew.mul, "``self * other``.")
__rmul__ = _reflected("__rmul__", _Mul, _ew.mul, "``other * self``.", commutes=True)
__truediv__ = _operator("__truediv__", _Div, _ew.div, "``self / other``.")


def __rtruediv__(self, other):
    """``other / self``: ``other * self.reciprocal()``, as PyTorch computes it."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _Mul.apply(_Reciprocal.apply(self), other)
    if isinstance(other, (int, float, bool)):
        return _ew.mul(_un.reciprocal(self), other)
    return _ew.div(other, self)


__floordiv__ = _calling("__floordiv__", _ew.floor_divide, "``self // other``.")
__rfloordiv__ = _calling_reflected("__rfloordiv__", _ew.floor_divide, "``other // self``.")
__mod__ = _calling("__mod__", _ew.remainder, "``self % other``.")
__rmod__ = _calling_reflected("__rmod__", _ew.remainder, "``other % self``.")


def __pow__(self, other):
    """``self ** other``."""
    t = type(other)
    if (t is float or (t is int and _INT_MIN <= other < _INT_END)) and self._data.dtype.kind == "f":
        return _PowScalar.apply(self, other)
    return _pw.pow(self, other)


__rpow__ = _calling_reflected("__rpow__", _pw.pow, "``other ** self``.")
__matmul__ = _calling("__matmul__", _la.matmul, "``self @ other``.")
__rmatmul__ = _calling_reflected("__rmatmul__", _la.matmul, "``other @ self``.")


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


__and__ = _calling("__and__", _cmp.bitwise_and, "``self & other``.")
__or__ = _calling("__or__", _cmp.bitwise_or, "``self | other``.")
__xor__ = _calling("__xor__", _cmp.bitwise_xor, "``self ^ other``.")
__lshift__ = _calling("__lshift__", _cmp.bitwise_left_shift, "``self << other``.")
__rlshift__ = _calling_reflected("__rlshift__", _cmp.bitwise_left_shift, "``other << self``.")
__rshift__ = _calling("__rshift__", _cmp.bitwise_right_shift, "``self >> other``.")
__rrshift__ = _calling_reflected("__rrshift__", _cmp.bitwise_right_shift, "``other >> self``.")
__eq__ = _comparison("__eq__", _op.eq, _cmp.eq, "``self == other``, elementwise.")
__ne__ = _comparison("__ne__", _op.ne, _cmp.ne, "``self != other``, elementwise.")
__lt__ = _comparison("__lt__", _op.lt, _cmp.lt, "``self < other``, elementwise.")
__le__ = _comparison("__le__", _op.le, _cmp.le, "``self <= other``, elementwise.")
__gt__ = _comparison("__gt__", _op.gt, _cmp.gt, "``self > other``, elementwise.")
__ge__ = _comparison("__ge__", _op.ge, _cmp.ge, "``self >= other``, elementwise.")


# In-place operators: ember.ops.inplace
__iadd__ = _calling("__iadd__", _ip.add_, "``self += other``.")
__isub__ = _calling("__isub__", _ip.sub_, "``self -= other``.")
__imul__ = _calling("__imul__", _ip.mul_, "``self *= other``.")
__itruediv__ = _calling("__itruediv__", _ip.div_, "``self /= other``.")
__ipow__ = _inplace("__ipow__", _pw.pow, "``self **= other``.")
__ifloordiv__ = _inplace("__ifloordiv__", _ew.floor_divide, "``self //= other``.")
__imod__ = _inplace("__imod__", _ew.remainder, "``self %= other``.")
__iand__ = _inplace("__iand__", _cmp.bitwise_and, "``self &= other``.")
__ior__ = _inplace("__ior__", _cmp.bitwise_or, "``self |= other``.")
__ixor__ = _inplace("__ixor__", _cmp.bitwise_xor, "``self ^= other``.")
__ilshift__ = _inplace("__ilshift__", _cmp.bitwise_left_shift, "``self <<= other``.")
__irshift__ = _inplace("__irshift__", _cmp.bitwise_right_shift, "``self >>= other``.")
__imatmul__ = _inplace("__imatmul__", _la.matmul, "``self @= other``.")


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
