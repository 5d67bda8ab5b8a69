"""``Tensor.storage()``: PyTorch's (deprecated) ``TypedStorage`` view of a tensor's memory —
the whole buffer the tensor lives in, as a flat typed sequence that writes through."""

from __future__ import annotations

from . import dtypes as _dt
from .autograd.callsite import warn

_DEPRECATED = (
    "TypedStorage is deprecated. It will be removed in the future and UntypedStorage will be "
    "the only storage class. This should only matter to you if you are using storages "
    "directly.  To access UntypedStorage directly, use tensor.untyped_storage() instead of "
    "tensor.storage()"
)


class TypedStorage:
    """The flat, typed memory behind a tensor (shared: writes show in every view)."""

    def __init__(self, flat):
        self._flat = flat

    def size(self) -> int:
        """The number of elements."""
        return int(self._flat.size)

    __len__ = size

    @property
    def dtype(self):
        """The element type."""
        return _dt.from_numpy_dtype(self._flat.dtype)

    @property
    def device(self):
        """Where the memory is (the CPU)."""
        from .device import device

        return device("cpu")

    def element_size(self) -> int:
        """Bytes per element."""
        return self._flat.itemsize

    def nbytes(self) -> int:
        """Bytes in all."""
        return self._flat.nbytes

    def data_ptr(self) -> int:
        """The address of the first element."""
        return self._flat.__array_interface__["data"][0]

    def tolist(self) -> list:
        """The elements as a Python list."""
        return self._flat.tolist()

    def __getitem__(self, i):
        return self._flat[i].item() if isinstance(i, int) else TypedStorage(self._flat[i])

    def __setitem__(self, i, value):
        self._flat[i] = value

    def __iter__(self):
        return iter(self.tolist())

    def __repr__(self):
        body = "\n".join(f" {v}" for v in self.tolist())
        kind = f"torch.storage.TypedStorage(dtype={self.dtype}, device=cpu)"
        return f"{body}\n[{kind} of size {len(self)}]"


def storage(self) -> TypedStorage:
    """The tensor's (deprecated) ``TypedStorage``: its whole buffer, flat."""
    warn(_DEPRECATED, UserWarning)
    base = self.untyped_storage()
    return TypedStorage(base.reshape(-1) if base.flags.c_contiguous else base.ravel(order="K"))
