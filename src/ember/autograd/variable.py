"""``Variable``: the pre-0.4 autograd wrapper, which PyTorch has since merged into Tensor.

``Variable(t)`` returns a tensor sharing ``t``'s data (no history), optionally requiring
grad; every tensor is a ``Variable`` for ``isinstance``.  ``volatile`` is accepted and has
no effect, with PyTorch's warning.
"""

from __future__ import annotations

import operator
import warnings

VOLATILE_SET = "volatile was removed and now has no effect. Use `with torch.no_grad():` instead."


class _VariableMeta(type):
    def __instancecheck__(cls, obj):
        from ..tensor_base import TensorBase

        return isinstance(obj, TensorBase)


def _type_name(obj):
    t = type(obj)
    return t.__name__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__name__}"


class Variable(metaclass=_VariableMeta):
    """``Variable(data, requires_grad=False, volatile=False)``: ``data`` as a new leaf tensor
    sharing its memory and version counter (what ``data.detach()`` gives)."""

    def __new__(cls, data=None, requires_grad=False, volatile=False, _grad_fn=None, **other):
        from ..tensor_base import TensorBase

        for name in other:
            raise TypeError(f"'{name}' is an invalid keyword argument for this function")
        requires_grad = bool(operator.index(requires_grad))
        if volatile:
            warnings.warn(VOLATILE_SET, UserWarning, stacklevel=2)
            if requires_grad:
                raise ValueError("Variable can't be volatile and require_grad at the same time!")
        if _grad_fn is not None:
            raise TypeError(
                f"_grad_fn has to be a Function object or None, but got {_type_name(_grad_fn)}"
            )
        if data is None:
            from ..creation import empty

            t = empty(0)
        elif isinstance(data, TensorBase):
            t = data.detach()
        else:
            raise TypeError(f"Variable data has to be a tensor, but got {_type_name(data)}")
        if requires_grad:
            if t.dtype.category < 2:
                raise RuntimeError(
                    "Only Tensors of floating point and complex dtype can require gradients"
                )
            t.requires_grad_(True)
        return t


__all__ = ["Variable"]
