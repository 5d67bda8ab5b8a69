"""A tensor's values as Python and NumPy see them: ``item``, ``tolist``, ``numpy``,
``int()``, ``float()``, ``bool()``, ``complex()``, indices, ``len``, iteration, ``format``.

``TensorBase`` takes these functions as its methods.  Their refusals are PyTorch's: a
tensor of several elements is no Python number (ValueError; RuntimeError for ``bool``),
a complex one is no real number, and format specs apply to 0-d tensors only.
"""

from __future__ import annotations

import warnings

from . import dtypes as _dt
from .backend import asnumpy

_NOT_ONE = "only one element tensors can be converted to Python scalars"


def _single(t):
    if t._data.size != 1:
        raise ValueError(_NOT_ONE)
    return t._data.reshape(()).item()


def _real(t, c_type):
    value = _single(t)
    if type(value) is complex:
        raise RuntimeError(f"value cannot be converted to type {c_type} without overflow")
    return value


def item(self):
    """The single value as a Python number."""
    if self._data.size != 1:
        raise RuntimeError(
            f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
        )
    return self._data.reshape(()).item()


def tolist(self):
    """The data as (nested) Python lists."""
    return asnumpy(self._data).tolist()


def _refuse_bfloat16(data):
    if data.dtype is _dt.bfloat16.np:
        raise TypeError("Got unsupported ScalarType BFloat16")


def numpy(self, *, force=False):
    """The data as a NumPy array sharing memory (refused when it requires grad).

    NumPy has no bfloat16, so bfloat16 tensors are refused as PyTorch refuses them;
    ``force=True`` (Ember) returns the ml_dtypes bfloat16 array that holds the data.
    """
    if not force:
        if self._requires_grad:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() "
                "instead."
            )
        _refuse_bfloat16(self._data)
    return asnumpy(self._data)


def __array__(self, dtype=None, copy=None):  # noqa: N807 - NumPy's protocol name
    _refuse_bfloat16(self._data)
    a = asnumpy(self._data)
    return a if dtype is None else a.astype(dtype, copy=False)


def __float__(self):  # noqa: N807
    if self._requires_grad:
        warnings.warn(
            "Converting a tensor with requires_grad=True to a scalar may lead to unexpected "
            "behavior.\nConsider using tensor.detach() first.",
            UserWarning,
            stacklevel=2,
        )
    return float(_real(self, "double"))


def __int__(self):  # noqa: N807
    return int(_real(self, "int64_t"))


def __complex__(self):  # noqa: N807
    return complex(_single(self))


def __bool__(self):  # noqa: N807
    n = self._data.size
    if n != 1:
        amount = "no values" if n == 0 else "more than one value"
        raise RuntimeError(f"Boolean value of Tensor with {amount} is ambiguous")
    return bool(self._data.reshape(()))


def __index__(self):  # noqa: N807
    if self._data.dtype.kind not in "iub" or self._data.size != 1:
        raise TypeError("only integer tensors of a single element can be converted to an index")
    return int(self._data.reshape(()))


def __len__(self):  # noqa: N807
    if self._data.ndim == 0:
        raise TypeError("len() of a 0-d tensor")
    return self._data.shape[0]


def __iter__(self):  # noqa: N807
    if self._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(self.unbind(0))


def __repr__(self, *, tensor_contents=None):  # noqa: N807
    from ._formatting import format_tensor

    return format_tensor(self)


def __format__(self, spec):  # noqa: N807
    # A plain 0-d tensor formats as its number (f"{loss}" -> "0.25", f"{loss:.3f}"); other
    # tensors, subclasses included, take no spec and print as repr.
    from .tensor_base import _instance_class

    if self._data.ndim == 0 and type(self) is _instance_class[0]:
        return self.item().__format__(spec)
    return object.__format__(self, spec)
