"""Shared plumbing of the elementwise families: operand promotion, PyTorch's broadcasting
error, its dtype words and "not implemented" errors, and which inputs a node differentiates."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.errors import legacy_type_name
from ..autograd.node import Node
from ..backend import np as _np
from ..backend import xp_of
from ..tensor_base import TensorBase as Tensor

_FLOAT_KINDS = "fc"


def needs(node, i) -> bool:
    """True when ``node``'s input ``i`` needs a gradient."""
    n = node.needs_input_grad
    return n is not None and n[i]


def zeros_like(grad):
    """PyTorch's zero gradient: zeros shaped like ``grad`` (not ``grad * 0``, which a NaN or
    inf upstream gradient would turn into NaN)."""
    return Tensor._make(xp_of(grad._data).zeros_like(grad._data))


def type_word(x) -> str:
    """PyTorch's scalar-type word (``Long``, ``Float``, ``Bool``) of a tensor or NumPy dtype."""
    return legacy_type_name(x._data if isinstance(x, Tensor) else _np.empty(0, x))[6:-6]


def not_implemented(kernel, x):
    """PyTorch's error for a kernel that has no implementation for ``x``'s dtype."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{type_word(x)}'")


def conj_of(x):
    """``x`` conjugated when it is complex (a tensor or a number); otherwise ``x`` itself."""
    if isinstance(x, Tensor):
        if x._data.dtype.kind != "c":
            return x
        from .complex_ops import conj

        return conj(x)
    return x.conjugate() if isinstance(x, complex) else x


def conjugated(rule, grad):
    """The gradients of a holomorphic op at complex values, by PyTorch's convention
    ``grad * conj(f'(z))``: its real rule ``rule(grad) = grad * f'(z)`` applied to
    ``conj(grad)``, conjugated."""
    from .complex_ops import conj

    return tuple(None if g is None else conj(g) for g in rule(conj(grad)))


class Holomorphic(Node):
    """Base of the nodes of holomorphic ops whose ``rule(grad)`` is written for real values:
    at complex values its gradients are conjugated as PyTorch defines them (``conjugated``)."""

    def rule(self, grad):
        """The gradients for a real ``grad``: ``grad * f'`` for each input."""
        raise NotImplementedError

    def backward(self, grad):
        if grad._data.dtype.kind == "c":
            return conjugated(self.rule, grad)
        return self.rule(grad)


def as_operand(x):
    """Tensors and Python scalars pass through; arrays, lists and NumPy scalars become tensors."""
    if isinstance(x, (Tensor, int, float, bool, complex)):
        return x
    from ..creation import tensor

    try:
        return tensor(x) if not hasattr(x, "dtype") else Tensor._make(_np.asarray(x))
    except Exception:
        raise TypeError(
            f"unsupported operand type for a tensor operation: '{type(x).__name__}'"
        ) from None


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
    if type(s) is int:
        _dt.check_int_scalar(s)
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
    if rt.kind == "V" and type(s) is not complex:
        s = _np.asarray(s, dtype=rt)  # bfloat16: the number as a bfloat16, as PyTorch has it
    elif kind == "b" and type(s) is bool and rt.kind == "b":
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


def apply_broadcast(node_cls, *operands, **kwargs):
    """``node_cls.apply(*operands)``, raising PyTorch's error for shapes that do not broadcast."""
    try:
        return node_cls.apply(*operands, **kwargs)
    except ValueError:
        err = broadcast_error(*operands)
        if err is not None:
            raise err from None
        raise


def apply_binary(node_cls, a, b, **kwargs):
    """Promote ``a`` and ``b`` and apply ``node_cls``, with PyTorch's broadcasting error."""
    a, b = promote(a, b)
    return apply_broadcast(node_cls, a, b, **kwargs)
