"""Shared plumbing for ops on two or more operands: promotion and broadcasting errors."""

from __future__ import annotations

from .. import dtypes as _dt
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor

_FLOAT_KINDS = "fc"


def as_operand(x):
    """Tensors and Python scalars pass through; arrays, lists and NumPy scalars become tensors."""
    if isinstance(x, (Tensor, int, float, bool)):
        return x
    if isinstance(x, complex):
        return x
    from ..creation import tensor

    try:
        return tensor(x) if not hasattr(x, "dtype") else Tensor._make(_asarray(x))
    except Exception:
        raise TypeError(
            f"unsupported operand type for a tensor operation: '{type(x).__name__}'"
        ) from None


def _asarray(x):
    from ..backend import np

    return np.asarray(x)


def promote(a, b):
    """Return ``a, b`` cast (as needed) to PyTorch's result dtype of the pair.

    Python scalars stay scalars: NumPy already treats them as weak, as PyTorch does,
    once the tensor operand has the result's category.
    """
    ta = isinstance(a, Tensor)
    tb = isinstance(b, Tensor)
    if ta and tb:
        if a._data.dtype == b._data.dtype:
            return a, b
        rt = _dt.result_type(a, b).np
        if a._data.dtype != rt:
            a = a.to(rt)
        if b._data.dtype != rt:
            b = b.to(rt)
        return a, b
    if not ta and not tb:
        a = as_operand(a)
        b = as_operand(b)
        if not isinstance(a, Tensor) and not isinstance(b, Tensor):
            from ..creation import tensor

            a = tensor(a)
        return promote(a, b)
    t, s = (a, b) if ta else (b, a)
    if isinstance(s, _np.generic):
        s = s.item()  # NumPy scalars are as weak as Python scalars in PyTorch
        a, b = (t, s) if ta else (s, t)
    if not isinstance(s, (int, float, bool, complex)):
        s = as_operand(s)
        return promote(a if ta else s, s if ta else b)
    kind = t._data.dtype.kind
    if kind in _FLOAT_KINDS and type(s) is not complex:
        return a, b  # the common case: float tensor and a Python number
    rt = _dt.result_type(t, s).np
    if t._data.dtype != rt:
        t = t.to(rt)
    if kind == "b" and type(s) is bool and rt.kind == "b":
        pass
    elif rt.kind in "iu" and type(s) is bool:
        s = int(s)
    if rt.kind in "iu" and type(s) is int:
        info = _np.iinfo(rt)
        if not info.min <= s <= info.max:  # PyTorch wraps; NumPy would refuse
            s = _np.array(s & 0xFFFFFFFFFFFFFFFF, dtype=_np.uint64).astype(rt)
    return (t, s) if ta else (s, t)


def broadcast_error(*operands):
    """PyTorch's RuntimeError for shapes that do not broadcast."""
    shapes = [o._data.shape if isinstance(o, Tensor) else () for o in operands]
    names = "ab"
    for i in range(len(shapes)):
        for j in range(i + 1, len(shapes)):
            sa, sb = shapes[i], shapes[j]
            for k in range(1, min(len(sa), len(sb)) + 1):
                x, y = sa[-k], sb[-k]
                if x != y and x != 1 and y != 1:
                    dim = max(len(sa), len(sb)) - k
                    return RuntimeError(
                        f"The size of tensor {names[min(i, 1)]} ({x}) must match the size of "
                        f"tensor {names[min(j, 1)]} ({y}) at non-singleton dimension {dim}"
                    )
    return None


def apply_binary(node_cls, a, b, **kwargs):
    """Promote ``a`` and ``b`` and apply ``node_cls``, with PyTorch's broadcasting error."""
    a, b = promote(a, b)
    try:
        return node_cls.apply(a, b, **kwargs)
    except ValueError:
        err = broadcast_error(a, b)
        if err is not None:
            raise err from None
        raise
