"""Bounds and binary elementwise maths: clamp, maximum/minimum, fmax/fmin, atan2, lerp,
hypot, copysign.

Gradients follow PyTorch at ties and bounds: clamp's bounds are inclusive
(``clamp(min=0)'(0) = 1``), ``maximum``/``minimum`` give each tied input half, and
``fmax``/``fmin`` give a tie to the first input and ignore NaN.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ._binary import apply_binary, broadcast_error, promote
from ._spec import OpSpec, register
from .unary import _float_input, not_implemented
from .where import where

_C10 = {"float16": "c10::Half", "float32": "float", "float64": "double"}


def _needs(node, i):
    n = node.needs_input_grad
    return n is not None and n[i]


def _tensor_arg(fn, x, name, pos):
    if not isinstance(x, Tensor):
        raise TypeError(
            f"{fn}(): argument '{name}' (position {pos}) must be Tensor, not {type(x).__name__}"
        )


# ----- clamp -------------------------------------------------------------------------------
class ClampScalar(Node):
    """d clamp(x, lo, hi) = dx where lo <= x <= hi (bounds inclusive), else 0"""

    def forward(self, x, lo, hi):
        self.save_for_backward(x)
        self.lo, self.hi = lo, hi
        xp = self.xp
        out = x
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        return out if out is not x else x.copy()

    def backward(self, grad):
        (x,) = self.saved_tensors
        lo, hi = self.lo, self.hi
        if lo is None:
            mask = x <= hi
        elif hi is None:
            mask = x >= lo
        else:
            mask = (x >= lo) & (x <= hi)
        return where(mask, grad, 0.0), None, None

    def name(self):
        return "ClampBackward1"


class ClampMin(ClampScalar):
    """d clamp_min(x, lo) = dx where x >= lo, else 0"""

    def name(self):
        return "ClampMinBackward0"


class ClampMax(ClampScalar):
    """d clamp_max(x, hi) = dx where x <= hi, else 0"""

    def name(self):
        return "ClampMaxBackward0"


class Clamp(Node):
    """d clamp(x, lo, hi): dx where lo <= x <= hi; dlo where x < lo <= hi; dhi where x > hi
    or hi < lo"""

    def forward(self, x, lo, hi):
        self.save_for_backward(x, lo, hi)
        xp = self.xp
        out = x
        if lo is not None:
            out = xp.maximum(out, lo)
        if hi is not None:
            out = xp.minimum(out, hi)
        return out

    def backward(self, grad):
        x, lo, hi = self.saved_tensors
        glo = ghi = None
        if lo is None:
            gx = where(x <= hi, grad, 0.0) if _needs(self, 0) else None
            ghi = where(x > hi, grad, 0.0) if _needs(self, 2) else None
        elif hi is None:
            gx = where(x >= lo, grad, 0.0) if _needs(self, 0) else None
            glo = where(x < lo, grad, 0.0) if _needs(self, 1) else None
        else:
            # When hi < lo every output is hi: the gradient goes to hi alone.
            inverted = hi < lo
            gx = where((x >= lo) & (x <= hi), grad, 0.0) if _needs(self, 0) else None
            if _needs(self, 1):
                glo = where((x < lo) & ~inverted, grad, 0.0)
            if _needs(self, 2):
                ghi = where((x > hi) | inverted, grad, 0.0)
        return gx, glo, ghi


def clamp(input, min=None, max=None):
    """Limit ``input`` to ``[min, max]``; either bound may be a number or a tensor."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        rt = _dt.result_type(input, min, max).np
        x, lo, hi = (
            t if not isinstance(t, Tensor) or t._data.dtype == rt else t.to(rt)
            for t in (input, min, max)
        )
        try:
            return Clamp.apply(x, lo, hi)
        except ValueError:
            raise broadcast_error(*(t for t in (x, lo, hi) if t is not None)) from None
    return _clamp_scalar(ClampScalar, input, min, max)


def _clamp_scalar(cls, input, lo, hi):
    x = input
    for b in (lo, hi):
        if b is not None:
            x, _ = promote(x, b)
    if x._data.dtype.kind in "iu":
        lo = None if lo is None else int(lo)
        hi = None if hi is None else int(hi)
    return cls.apply(x, lo, hi)


clip = clamp


def clamp_min(input, min):
    """``clamp(input, min=min)``."""
    if isinstance(min, Tensor):
        return clamp(input, min=min)
    return _clamp_scalar(ClampMin, input, min, None)


def clamp_max(input, max):
    """``clamp(input, max=max)``."""
    if isinstance(max, Tensor):
        return clamp(input, max=max)
    return _clamp_scalar(ClampMax, input, None, max)


# ----- maximum / minimum ----------------------------------------------------------------------
class Maximum(Node):
    """d max(a, b) = da where a > b, db where b > a, half of each at a tie (both at NaN)"""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.xp.maximum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        shared = where(a == b, grad * 0.5, grad)
        ga = where(a < b, 0.0, shared) if _needs(self, 0) else None
        gb = where(a > b, 0.0, shared) if _needs(self, 1) else None
        return ga, gb


class Minimum(Node):
    """d min(a, b) = da where a < b, db where b < a, half of each at a tie (both at NaN)"""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.xp.minimum(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        shared = where(a == b, grad * 0.5, grad)
        ga = where(a > b, 0.0, shared) if _needs(self, 0) else None
        gb = where(a < b, 0.0, shared) if _needs(self, 1) else None
        return ga, gb


def maximum(input, other):
    """Elementwise maximum of two tensors (NaN wins)."""
    _tensor_arg("maximum", input, "input", 1)
    _tensor_arg("maximum", other, "other", 2)
    return apply_binary(Maximum, input, other)


def minimum(input, other):
    """Elementwise minimum of two tensors (NaN wins)."""
    _tensor_arg("minimum", input, "input", 1)
    _tensor_arg("minimum", other, "other", 2)
    return apply_binary(Minimum, input, other)


class Fmax(Node):
    """d fmax(a, b) = da where a >= b or b is NaN, else db"""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.xp.fmax(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        first = (a >= b) | (b != b)
        ga = where(first, grad, 0.0) if _needs(self, 0) else None
        gb = where(first, 0.0, grad) if _needs(self, 1) else None
        return ga, gb


class Fmin(Node):
    """d fmin(a, b) = da where a <= b or b is NaN, else db"""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.xp.fmin(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        first = (a <= b) | (b != b)
        ga = where(first, grad, 0.0) if _needs(self, 0) else None
        gb = where(first, 0.0, grad) if _needs(self, 1) else None
        return ga, gb


def fmax(input, other):
    """Elementwise maximum that ignores NaN (NaN only where both are NaN)."""
    _tensor_arg("fmax", input, "input", 1)
    _tensor_arg("fmax", other, "other", 2)
    return apply_binary(Fmax, input, other)


def fmin(input, other):
    """Elementwise minimum that ignores NaN (NaN only where both are NaN)."""
    _tensor_arg("fmin", input, "input", 1)
    _tensor_arg("fmin", other, "other", 2)
    return apply_binary(Fmin, input, other)


# ----- atan2 / hypot / copysign -------------------------------------------------------------
class Atan2(Node):
    """d atan2(a, b) = (b da - a db) / (a**2 + b**2) (0 at the origin)"""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        return self.xp.arctan2(a, b)

    def backward(self, grad):
        a, b = self.saved_tensors
        r = a * a + b * b
        recip = where(r == 0, 0.0, 1 / where(r == 0, 1.0, r))
        ga = grad * (b * recip) if _needs(self, 0) else None
        gb = grad * (-a * recip) if _needs(self, 1) else None
        return ga, gb


def atan2(input, other):
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right quadrant."""
    _tensor_arg("atan2", input, "input", 1)
    _tensor_arg("atan2", other, "other", 2)
    # Operands keep their own float dtypes when NumPy promotes them as PyTorch would, so
    # that backward mixes precisions as PyTorch's does (self * self stays float32).
    rt = _dt.result_type(input, other)
    if not rt.is_floating_point:
        rt = _dt.get_default_dtype()
    a, b = (x if x._data.dtype.kind == "f" else x.to(rt) for x in (input, other))
    if _xp_result(a, b) != rt.np:
        a, b = (x if x._data.dtype == rt.np else x.to(rt) for x in (a, b))
    try:
        return Atan2.apply(a, b)
    except ValueError:
        raise broadcast_error(a, b) from None


def _xp_result(a, b):
    from ..backend import xp_of

    return xp_of(a._data).result_type(a._data, b._data)


arctan2 = atan2


class Hypot(Node):
    """d hypot(a, b) = (a da + b db) / hypot(a, b)"""

    def forward(self, a, b):
        out = self.xp.hypot(a, b)
        self.save_for_backward(a, b, out)
        return out

    def backward(self, grad):
        a, b, out = self.saved_tensors
        ga = grad * a / out if _needs(self, 0) else None
        gb = grad * b / out if _needs(self, 1) else None
        return ga, gb


def hypot(input, other):
    """``sqrt(input**2 + other**2)`` without overflow."""
    _tensor_arg("hypot", input, "input", 1)
    _tensor_arg("hypot", other, "other", 2)
    a, b = promote(input, other)
    if a._data.dtype.kind in "biu":
        raise not_implemented("hypot_cpu", a)
    return apply_binary(Hypot, a, b)


class Copysign(Node):
    """d copysign(a, b) = (out / a) da (0 where a == 0); db = 0"""

    def forward(self, a, b):
        out = self.xp.copysign(a, b)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        ga = where(a == 0, 0.0, grad * (out / where(a == 0, 1.0, a))) if _needs(self, 0) else None
        gb = grad * 0 if _needs(self, 1) else None
        return ga, gb


def copysign(input, other):
    """``|input|`` with the sign of ``other`` (a tensor or a number)."""
    a, b = promote(input, other)
    if isinstance(a, Tensor):
        a = _float_input(a)
    if isinstance(b, Tensor):
        b = _float_input(b)
        if isinstance(a, Tensor) and a._data.dtype != b._data.dtype:
            a, b = promote(a, b)
    return apply_binary(Copysign, a, b)


# ----- lerp ---------------------------------------------------------------------------------
class LerpScalar(Node):
    """d lerp(a, b, w) = (1 - w) da + w db"""

    def forward(self, a, b, w):
        self.w = w
        if abs(w) < 0.5:
            return a + w * (b - a)
        return b - (b - a) * (1 - w)

    def backward(self, grad):
        w = self.w
        ga = grad * (1 - w) if _needs(self, 0) else None
        gb = grad * w if _needs(self, 1) else None
        return ga, gb, None

    def name(self):
        return "LerpBackward0"


class Lerp(Node):
    """d lerp(a, b, w) = (1 - w) da + w db + (b - a) dw"""

    def forward(self, a, b, w):
        xp = self.xp
        self.save_for_backward(a if _needs(self, 2) else None, b if _needs(self, 2) else None, w)
        small = xp.abs(w) < 0.5
        return xp.where(small, a + w * (b - a), b - (b - a) * (1 - w))

    def backward(self, grad):
        a, b, w = self.saved_tensors
        ga = grad * (1 - w) if _needs(self, 0) else None
        gb = grad * w if _needs(self, 1) else None
        gw = grad * (b - a) if _needs(self, 2) else None
        return ga, gb, gw

    def name(self):
        return "LerpBackward1"


def lerp(input, end, weight):
    """``input + weight * (end - input)``, with a scalar or tensor ``weight``."""
    _tensor_arg("lerp", input, "input", 1)
    _tensor_arg("lerp", end, "end", 2)
    if input._data.dtype != end._data.dtype:
        raise RuntimeError(f"expected dtype {_c10(input)} for `end` but got dtype {_c10(end)}")
    if input._data.dtype.kind in "biu":
        raise not_implemented(
            "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar", input
        )
    try:
        if isinstance(weight, Tensor):
            if weight._data.dtype != input._data.dtype:
                if weight._data.ndim:
                    raise RuntimeError(
                        f"expected dtype {_c10(input)} for `weight` but got dtype {_c10(weight)}"
                    )
                weight = weight.to(input.dtype)
            return Lerp.apply(input, end, weight)
        return LerpScalar.apply(input, end, weight)
    except ValueError:
        ops = [input, end] + ([weight] if isinstance(weight, Tensor) else [])
        raise broadcast_error(*ops) from None


def _c10(t):
    return _C10.get(str(t._data.dtype), str(t._data.dtype))


__all__ = [
    "clamp",
    "clip",
    "clamp_min",
    "clamp_max",
    "maximum",
    "minimum",
    "fmax",
    "fmin",
    "atan2",
    "arctan2",
    "hypot",
    "copysign",
    "lerp",
]

METHODS = {name: name for name in __all__}

_B2 = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), ()), ((0, 3), (3,))]


def _spread(z):
    return z * 3


register(
    OpSpec(
        "clamp",
        lambda t, a: t.clamp(a, -0.5, 0.7),
        [((3, 4),), ((),), ((0, 2),)],
        second_order=False,
    ),
    OpSpec("clamp_min", lambda t, a: a.clamp(min=0.2), [((3, 4),), ((),)], second_order=False),
    OpSpec("clamp_max", lambda t, a: t.clamp_max(a, 0.2), [((3, 4),)], second_order=False),
    OpSpec("clip", lambda t, a: a.clip(-0.3, 0.3), [((3, 4),)], second_order=False),
    OpSpec(
        "clamp_tensor",
        lambda t, a, lo, hi: t.clamp(a, lo, hi),
        # PyTorch's own backward fails when a bound broadcasts the input to a larger shape.
        [((3, 4), (3, 4), (3, 4)), ((3, 4), (4,), (3, 1)), ((), (), ()), ((2, 4), (4,), ())],
        shapes=None,
        domain=_spread,
        second_order=False,
    ),
    OpSpec(
        "clamp_tensor_min",
        lambda t, a, lo: t.clamp(a, min=lo),
        _B2,
        shapes="broadcast2",
        second_order=False,
    ),
    OpSpec(
        "clamp_tensor_max",
        lambda t, a, hi: t.clamp(a, max=hi),
        _B2,
        shapes="broadcast2",
        second_order=False,
    ),
    OpSpec(
        "maximum", lambda t, a, b: t.maximum(a, b), _B2, shapes="broadcast2", second_order=False
    ),
    OpSpec(
        "minimum", lambda t, a, b: t.minimum(a, b), _B2, shapes="broadcast2", second_order=False
    ),
    OpSpec("fmax", lambda t, a, b: t.fmax(a, b), _B2, shapes="broadcast2", second_order=False),
    OpSpec("fmin", lambda t, a, b: t.fmin(a, b), _B2, shapes="broadcast2", second_order=False),
    OpSpec("atan2", lambda t, a, b: t.atan2(a, b), _B2, shapes="broadcast2"),
    OpSpec("hypot", lambda t, a, b: t.hypot(a, b), _B2, shapes="broadcast2", domain=(0.3, 2.0)),
    OpSpec(
        "copysign",
        lambda t, a, b: t.copysign(a, b),
        _B2,
        shapes="broadcast2",
        domain=lambda z: z + 0.2 * (z >= 0) - 0.2 * (z < 0),
        second_order=False,
    ),
    OpSpec(
        "copysign_scalar", lambda t, a: t.copysign(a, -1.0), [((3, 4),), ((),)], domain=(0.3, 2.0)
    ),
    OpSpec("lerp", lambda t, a, b: t.lerp(a, b, 0.3), _B2, shapes="broadcast2"),
    OpSpec("lerp_high", lambda t, a, b: t.lerp(a, b, 0.8), [((3, 4), (3, 4))]),
    OpSpec(
        "lerp_tensor",
        lambda t, a, b, w: t.lerp(a, b, w),
        [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)), ((), (), ())],
        shapes="broadcast3",
    ),
)
