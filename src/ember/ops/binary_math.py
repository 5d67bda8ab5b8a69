"""Two-operand maths: atan2, hypot, copysign and lerp.

PyTorch records a different node for a number operand (``copysign(x, -1)`` is
``CopysignBackward1``, ``lerp(a, b, 0.5)`` is ``LerpBackward0``): each has its class.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._binary import apply_binary, apply_broadcast, needs, not_implemented, promote, zeros_like
from ._spec import OpSpec
from .clamp import tensor_arg
from .inplace import declared
from .registry import declare, op, public_names
from .unary import _float_input
from .where import where

_EW = batching.elementwise
_B2 = [((3, 4), (3, 4)), ((3, 1), (1, 4)), ((2, 3, 4), (4,)), ((), ()), ((0, 3), (3,))]
_C10 = {"float16": "c10::Half", "float32": "float", "float64": "double"}


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
        ga = grad * (b * recip) if needs(self, 0) else None
        gb = grad * (-a * recip) if needs(self, 1) else None
        return ga, gb


@op(Atan2, methods=("atan2", "arctan2"), inplace=True, aliases=("arctan2",), vmap=_EW,
    spec=OpSpec("atan2", lambda t, a, b: t.atan2(a, b), _B2, shapes="broadcast2"))  # fmt: skip
def atan2(input, other):
    """The angle of the point ``(other, input)``: ``atan(input / other)`` in the right quadrant."""
    tensor_arg("atan2", input, "input", 1)
    tensor_arg("atan2", other, "other", 2)
    # Operands keep their own float dtypes when NumPy promotes them as PyTorch would, so
    # that backward mixes precisions as PyTorch's does (self * self stays float32).
    rt = _dt.result_type(input, other)
    if not rt.is_floating_point:
        rt = _dt.get_default_dtype()
    a, b = (x if x._data.dtype.kind == "f" else x.to(rt) for x in (input, other))
    if _xp_result(a, b) != rt.np:
        a, b = (x if x._data.dtype == rt.np else x.to(rt) for x in (a, b))
    return apply_broadcast(Atan2, a, b)


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
        ga = grad * a / out if needs(self, 0) else None
        gb = grad * b / out if needs(self, 1) else None
        return ga, gb


@op(Hypot, methods="hypot", inplace=True, vmap=_EW,
    spec=OpSpec("hypot", lambda t, a, b: t.hypot(a, b), _B2, shapes="broadcast2",
                domain=(0.3, 2.0)))  # fmt: skip
def hypot(input, other):
    """``sqrt(input**2 + other**2)`` without overflow."""
    tensor_arg("hypot", input, "input", 1)
    tensor_arg("hypot", other, "other", 2)
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
        ga = where(a == 0, 0.0, grad * (out / where(a == 0, 1.0, a))) if needs(self, 0) else None
        gb = zeros_like(grad) if needs(self, 1) else None
        return ga, gb


class CopysignScalar(Copysign):
    """d copysign(a, s) = (out / a) da (0 where a == 0), for a number ``s``"""


declare(CopysignScalar, vmap=_EW, grad_fn="CopysignBackward1",
        spec=OpSpec("copysign_scalar", lambda t, a: t.copysign(a, -1.0), [((3, 4),), ((),)],
                    domain=(0.3, 2.0)))  # fmt: skip


@op(Copysign, methods="copysign", inplace=True, vmap=_EW,
    spec=OpSpec("copysign", lambda t, a, b: t.copysign(a, b), _B2, shapes="broadcast2",
                domain=lambda z: z + 0.2 * (z >= 0) - 0.2 * (z < 0),
                second_order=False))  # fmt: skip
def copysign(input, other):
    """``|input|`` with the sign of ``other`` (a tensor or a number)."""
    a, b = promote(input, other)
    if isinstance(a, Tensor):
        a = _float_input(a)
    if isinstance(b, Tensor):
        b = _float_input(b)
        if isinstance(a, Tensor) and a._data.dtype != b._data.dtype:
            a, b = promote(a, b)
    return apply_broadcast(Copysign if isinstance(b, Tensor) else CopysignScalar, a, b)


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
        ga = grad * (1 - w) if needs(self, 0) else None
        gb = grad * w if needs(self, 1) else None
        return ga, gb, None


class Lerp(Node):
    """d lerp(a, b, w) = (1 - w) da + w db + (b - a) dw"""

    def forward(self, a, b, w):
        xp = self.xp
        self.save_for_backward(a if needs(self, 2) else None, b if needs(self, 2) else None, w)
        small = xp.abs(w) < 0.5
        return xp.where(small, a + w * (b - a), b - (b - a) * (1 - w))

    def backward(self, grad):
        a, b, w = self.saved_tensors
        ga = grad * (1 - w) if needs(self, 0) else None
        gb = grad * w if needs(self, 1) else None
        gw = grad * (b - a) if needs(self, 2) else None
        return ga, gb, gw


declare(LerpScalar, vmap=_EW, grad_fn="LerpBackward0",
        spec=(OpSpec("lerp", lambda t, a, b: t.lerp(a, b, 0.3), _B2, shapes="broadcast2"),
              OpSpec("lerp_high", lambda t, a, b: t.lerp(a, b, 0.8),
                     [((3, 4), (3, 4))])))  # fmt: skip


@op(Lerp, methods="lerp", inplace=True, vmap=_EW, grad_fn="LerpBackward1",
    spec=OpSpec("lerp_tensor", lambda t, a, b, w: t.lerp(a, b, w),
                [((3, 4), (3, 4), (3, 4)), ((3, 1), (4,), (3, 4)), ((), (), ())],
                shapes="broadcast3"))  # fmt: skip
def lerp(input, end, weight):
    """``input + weight * (end - input)``, with a scalar or tensor ``weight``."""
    tensor_arg("lerp", input, "input", 1)
    tensor_arg("lerp", end, "end", 2)
    if input._data.dtype != end._data.dtype:
        raise RuntimeError(f"expected dtype {_c10(input)} for `end` but got dtype {_c10(end)}")
    if input._data.dtype.kind in "biu":
        raise not_implemented(
            "lerp_kernel_tensor" if isinstance(weight, Tensor) else "lerp_kernel_scalar", input
        )
    if isinstance(weight, Tensor):
        if weight._data.dtype != input._data.dtype:
            if weight._data.ndim:
                raise RuntimeError(
                    f"expected dtype {_c10(input)} for `weight` but got dtype {_c10(weight)}"
                )
            weight = weight.to(input.dtype)
        return apply_broadcast(Lerp, input, end, weight)
    return apply_broadcast(LerpScalar, input, end, weight)


def _c10(t):
    return _C10.get(str(t._data.dtype), str(t._data.dtype))


declare(None, declared("atan2_"), methods=("arctan2_",), public=False)

__all__ = public_names(__name__)
