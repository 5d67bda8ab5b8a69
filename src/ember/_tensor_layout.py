"""How a tensor's elements sit in memory, and the views PyTorch gives as properties
(``T``, ``mT``, ``H``, ``mH``, ``real``, ``imag``): the methods and properties of
``TensorBase`` that read its layout.  The views are ops, imported when first used
(the op families are built on top of ``TensorBase``)."""

from __future__ import annotations


def storage_root(arr):
    """The array that owns ``arr``'s memory: its bases followed through views (and through
    the wrappers NumPy's strided views keep between an array and its base)."""
    root, base = arr, arr.base
    while base is not None:
        if isinstance(base, type(arr)):
            root = base
        base = getattr(base, "base", None)
    return root


def stride(self, dim=None):
    """Strides in elements, as PyTorch counts them."""
    st = tuple(s // self._data.itemsize for s in self._data.strides)
    if dim is None:
        return st
    from .tensor_base import wrap_dim

    return st[wrap_dim(dim, self._data.ndim)]


def is_contiguous(self, memory_format=None) -> bool:
    """True when the elements are laid out row-major without gaps."""
    return bool(self._data.flags.c_contiguous)


def data_ptr(self) -> int:
    """Address of the first element."""
    return self._data.__array_interface__["data"][0]


def untyped_storage(self):
    """The underlying buffer (the array that owns the memory)."""
    return storage_root(self._data)


def storage(self):
    """The tensor's (deprecated) ``TypedStorage``: its whole buffer, flat."""
    from .storage import storage

    return storage(self)


def storage_offset(self) -> int:
    """Where the first element sits in the storage, in elements."""
    start = storage_root(self._data).__array_interface__["data"][0]
    return (self._data.__array_interface__["data"][0] - start) // self._data.itemsize


def _nbytes(self) -> int:
    """Bytes the elements take (numel times the element size, not the storage's size)."""
    return self._data.size * self._data.itemsize


def _itemsize(self) -> int:
    """Bytes one element takes."""
    return self._data.itemsize


def _is_cpu(self) -> bool:
    """True when the tensor lives in host memory."""
    return self.device.type == "cpu"


def get_device(self) -> int:
    """The device index: -1 for CPU tensors."""
    dev = self.device
    return -1 if dev.type == "cpu" else (dev.index or 0)


nbytes, itemsize, is_cpu = property(_nbytes), property(_itemsize), property(_is_cpu)


# ----- transposes -----------------------------------------------------------------------------
def _T(self):  # noqa: N802 - PyTorch's name
    """The tensor with its dimensions reversed."""
    if self._data.ndim == 2:  # the common case, without the checks' import
        return self.permute(1, 0)
    from .ops.adjoint import reversed_dims

    return reversed_dims(self)


def _mT(self):  # noqa: N802
    """The last two dimensions transposed."""
    if self._data.ndim >= 2:
        return self.transpose(-2, -1)
    from .ops.adjoint import matrix_transpose

    return matrix_transpose(self)


def _H(self):  # noqa: N802
    """Conjugate transpose of a matrix (the transpose for real tensors)."""
    from .ops.adjoint import conj_transpose

    return conj_transpose(self)


def _mH(self):  # noqa: N802
    """Conjugate transpose of the last two dimensions (``adjoint()``)."""
    from .ops.adjoint import matrix_adjoint

    return matrix_adjoint(self)


T, mT, H, mH = property(_T), property(_mT), property(_H), property(_mH)


# ----- real and imaginary parts ----------------------------------------------------------------
def _real(self):
    """The real part: a view of a complex tensor (writes reach it), a real tensor itself."""
    from .ops.complex_ops import real

    return real(self)


def _imag(self):
    """The imaginary part, a view of a complex tensor (real tensors have none: an error)."""
    from .ops.complex_ops import imag

    return imag(self)


def _set_part(part, name):
    def setter(self, value):
        if isinstance(value, str):
            from .dtypes import legacy_type_name

            raise TypeError(f"can't assign a str to a {legacy_type_name(self._data.dtype)}")
        target = part(self)
        if hasattr(value, "_data"):
            from .ops._binary import broadcast_error

            err = broadcast_error(target, value)
            if err is not None:
                raise err
        if self._data.dtype.kind == "c" and _recorded(self, value):
            # Written as a whole new complex value, so that the other part keeps its gradient.
            from .ops.complex_ops import complex, imag, real

            if not hasattr(value, "_data"):
                value = target.new_tensor(value)
            value = value.to(target.dtype).expand(target.shape)
            self.copy_(complex(value, imag(self)) if name == "real" else complex(real(self), value))
            return
        target.copy_(value)

    return setter


def _recorded(self, value):
    from .autograd.grad_mode import state

    wants = self._requires_grad or getattr(value, "_requires_grad", False)
    return wants and state.enabled


real = property(_real, _set_part(_real, "real"))
imag = property(_imag, _set_part(_imag, "imag"))
