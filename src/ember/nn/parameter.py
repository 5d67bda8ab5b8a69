"""``Parameter``: a tensor that a ``Module`` registers as one of its weights."""

from __future__ import annotations

from ..tensor import Tensor


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and is registered by ``Module``.

    It shares memory (and the version counter) with the tensor it is made from.
    """

    _plain_tensor = True

    def __new__(cls, data=None, requires_grad=True):
        if data is None:
            from ..creation import empty

            data = empty(0)
        t = Tensor.__new__(cls)
        Tensor._init_from(t, data._data, False)
        t._version_counter = data._version_counter
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


class _Uninitialized:
    """What uninitialized (lazy) parameters and buffers share: no shape until materialized."""

    __slots__ = ()  # keeps a buffer's layout that of Tensor, so it can become one in place
    cls_to_become = None

    def _refuse(self, what):
        raise ValueError(
            f"Attempted to use an uninitialized parameter in {what}. This error happens when you "
            "are using a `LazyModule` or explicitly manipulating "
            f"`torch.nn.parameter.{type(self).__name__}` objects. When using LazyModules Call "
            "`forward` with a dummy batch to initialize the parameters before calling torch "
            "functions"
        )

    @property
    def shape(self):
        raise RuntimeError(
            "Can't access the shape of an uninitialized parameter or buffer. This error usually "
            "happens in `load_state_dict` when trying to load an uninitialized parameter into an "
            "initialized one. Call `forward` to initialize the parameters before accessing their "
            "attributes."
        )

    def size(self, dim=None):
        """Refused: an uninitialized tensor has no size yet."""
        self._refuse("<method 'size' of 'torch._C.TensorBase' objects>")

    def dim(self):
        """Refused: an uninitialized tensor has no dimensions yet."""
        self._refuse("<method 'dim' of 'torch._C.TensorBase' objects>")

    def numel(self):
        """Refused: an uninitialized tensor has no elements yet."""
        self._refuse("<method 'numel' of 'torch._C.TensorBase' objects>")

    def materialize(self, shape, device=None, dtype=None):
        """Give the tensor uninitialized storage of ``shape`` and make it its final class."""
        from ..creation import empty

        dtype = dtype if dtype is not None else self.dtype
        self._data = empty(tuple(shape), dtype=dtype)._data
        self._bump_version("a parameter update", site=False)
        self.__class__ = self.cls_to_become

    def __repr__(self):
        return f"<{type(self).__name__}>"


class UninitializedParameter(_Uninitialized, Parameter):
    """A parameter whose shape is not known yet (lazy modules fill it on the first call)."""

    cls_to_become = Parameter

    def __new__(cls, requires_grad=True, device=None, dtype=None):
        from ..creation import empty

        return Parameter.__new__(cls, empty(0, dtype=dtype), requires_grad)

    def __init__(self, requires_grad=True, device=None, dtype=None):
        pass

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = type(self)(self._requires_grad, dtype=self.dtype)
        return memo[id(self)]


class UninitializedBuffer(_Uninitialized, Tensor):
    """A buffer whose shape is not known yet (lazy modules fill it on the first call)."""

    __slots__ = ()
    cls_to_become = Tensor

    def __new__(cls, requires_grad=False, device=None, dtype=None, persistent=True):
        from ..creation import empty

        b = Tensor.__new__(cls)
        Tensor._init_from(b, empty(0, dtype=dtype)._data, requires_grad)
        return b

    def __init__(self, requires_grad=False, device=None, dtype=None, persistent=True):
        pass


def is_lazy(param) -> bool:
    """True for uninitialized (lazy) parameters and buffers."""
    return isinstance(param, _Uninitialized)
