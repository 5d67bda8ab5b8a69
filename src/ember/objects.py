"""Questions about Python objects: ``is_tensor``, ``numel``, ``typename``, ``is_storage``."""

from __future__ import annotations


def is_tensor(obj) -> bool:
    """True if ``obj`` is an Ember tensor (parameters included)."""
    from .tensor import Tensor

    return isinstance(obj, Tensor)


def numel(input) -> int:
    """The number of elements of the tensor ``input``."""
    if not is_tensor(input):
        raise TypeError(
            f"numel(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )
    return input.numel()


def typename(obj) -> str:
    """A readable type name: ``obj.type()`` for tensors (``'torch.FloatTensor'``), else the
    qualified class or object name (``'int'``, ``'ember.nn.modules.linear.Linear'``)."""
    if is_tensor(obj):
        return obj.type()
    module = getattr(obj, "__module__", "") or ""
    if hasattr(obj, "__qualname__"):
        name = obj.__qualname__
    elif hasattr(obj, "__name__"):
        name = obj.__name__
    else:
        module = type(obj).__module__ or ""
        name = type(obj).__qualname__
    return name if module in ("", "builtins") else f"{module}.{name}"


def is_storage(obj) -> bool:
    """True for storage objects; Ember keeps tensors' data in arrays, so nothing is one."""
    return False
