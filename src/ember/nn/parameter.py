"""``Parameter``: a tensor that a ``Module`` registers as one of its weights."""

from __future__ import annotations

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and is registered by ``Module``.

    It shares memory (and the version counter) with the tensor it is made from.
    """

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty

            data = empty(0)
        t = Tensor.__new__(cls)
        Tensor._init_from(t, data._data, False)
        t._version = data._version
        if requires_grad:
            t.requires_grad_(True)
        return t

    def __init__(self, data=None, requires_grad=True):
        pass

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __reduce_ex__(self, proto):
        from ..serialization import _rebuild_parameter

        return (_rebuild_parameter, (self.numpy(force=True), self._requires_grad))

    def __deepcopy__(self, memo):
        if id(self) in memo:
            return memo[id(self)]
        t = Parameter(Tensor._make(self._data.copy()), self._requires_grad)
        if self._grad is not None:
            t._grad = self._grad.clone()
        t.__dict__.update(self.__dict__)
        memo[id(self)] = t
        return t


class Buffer(Tensor):
    """Marks a tensor to be registered as a buffer when assigned to a ``Module``."""

    def __new__(cls, data=None, *, persistent=True):
        if data is None:
            from ..creation import empty

            data = empty(0)
        b = Tensor.__new__(cls)
        Tensor._init_from(b, data._data, data._requires_grad)
        b.persistent = persistent
        return b

    def __init__(self, data=None, *, persistent=True):
        pass


class UninitializedParameter(Parameter):
    """Placeholder type (lazy modules are not implemented)."""


def is_lazy(param) -> bool:
    """True for uninitialized (lazy) parameters."""
    return isinstance(param, UninitializedParameter)
