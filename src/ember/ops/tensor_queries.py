"""Questions about a tensor (``is_signed``, ``is_nonzero``, ``is_same_size``, ``dim_order``,
...), the complex casts ``cfloat``/``cdouble``, and the element-by-element Python maps
``apply_``/``map_``/``map2_`` (CPU only, outside autograd, as in PyTorch)."""

from __future__ import annotations

import weakref

from .._tensor_layout import storage_root
from ..backend import np
from ..tensor_base import TensorBase
from .registry import declare, public_names


def _tensor_arg(name, input):
    if not isinstance(input, TensorBase):
        raise TypeError(
            f"{name}(): argument 'input' (position 1) must be Tensor, not {type(input).__name__}"
        )


def is_signed(input) -> bool:
    """True when the dtype holds negative values (signed integers, floats, complex)."""
    _tensor_arg("is_signed", input)
    kind = input._data.dtype.kind
    return kind in "ifc" or input._data.dtype.name == "bfloat16"


def is_nonzero(input) -> bool:
    """The truth of a one-element tensor (an error for any other number of elements)."""
    _tensor_arg("is_nonzero", input)
    n = input._data.size
    if n == 0:
        raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
    if n > 1:
        raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
    return bool(input._data.reshape(-1)[0])


def is_same_size(input, other) -> bool:
    """True when both tensors have the same shape."""
    _tensor_arg("is_same_size", input)
    return tuple(input._data.shape) == tuple(other._data.shape)


def is_neg(input) -> bool:
    """False: Ember never keeps a lazy negation bit (negated views are materialised)."""
    return False


def cfloat(self, memory_format=None):
    """This tensor as complex64."""
    from ..dtypes import complex64

    return self.to(complex64)


def cdouble(self, memory_format=None):
    """This tensor as complex128."""
    from ..dtypes import complex128

    return self.to(complex128)


def dim_order(self, *, ambiguity_check=False):
    """The dimensions from outermost to innermost in memory (by decreasing stride)."""
    strides = self.stride()
    order = tuple(sorted(range(len(strides)), key=lambda d: -strides[d]))
    if ambiguity_check is True and len(set(strides)) < len(strides):
        raise RuntimeError(
            "The tensor does not have unique dim order, or cannot map to exact one of the "
            "given memory formats."
        )
    return order


_STORAGE_TYPES: dict = {}


def storage_type(self):
    """The (legacy) storage class of this tensor's dtype, e.g. ``FloatStorage``."""
    from ..dtypes import legacy_type_name
    from ..storage import TypedStorage

    word = legacy_type_name(self.dtype)[len("torch.") : -len("Tensor")] + "Storage"
    cls = _STORAGE_TYPES.get(word)
    if cls is None:
        cls = _STORAGE_TYPES[word] = type(word, (TypedStorage,), {"__module__": "ember"})
    return cls


# Storages moved to shared memory, by the id of the array that owns them.
_SHARED: dict = {}


def share_memory_(self):
    """Mark the storage as shared between processes (CPU memory already is: a no-op move)."""
    root = storage_root(self._data)
    key = id(root)
    _SHARED[key] = weakref.ref(root, lambda _r, key=key: _SHARED.pop(key, None))
    return self


def is_shared(self) -> bool:
    """True after ``share_memory_()`` on this tensor's storage."""
    ref = _SHARED.get(id(storage_root(self._data)))
    return ref is not None and ref() is storage_root(self._data)


def new_empty_strided(
    self, size, stride, *, dtype=None, device=None, requires_grad=False, **kwargs
):
    """An uninitialised tensor of ``size`` and ``stride``, of this tensor's dtype by default."""
    from ..factories import empty_strided

    return empty_strided(size, stride, dtype=self.dtype if dtype is None else dtype,
                         device=self.device if device is None else device,
                         requires_grad=requires_grad)  # fmt: skip


def _no_grad_map(name, *tensors):
    if any(t._requires_grad for t in tensors):
        raise RuntimeError(
            f"Can't call {name}() on Variable that requires grad. Use var.detach().{name}() "
            "instead."
        )


def _number(value):
    if isinstance(value, TensorBase):
        value = value.item()
    if not isinstance(value, (int, float, complex, np.number, np.bool_)):
        raise TypeError(f"must be real number, not {type(value).__name__}")
    return value


def _map(self, name, fn, others):
    _no_grad_map(name, self, *others)
    if self.device.type != "cpu":
        raise TypeError(f"{name}_ is only implemented on CPU tensors")
    arrays = [o.expand(self.shape)._data for o in others]
    data = self._data
    flat = [data.reshape(-1)] + [
        a.reshape(-1) if a.flags.c_contiguous else a.ravel() for a in arrays
    ]
    values = [_number(fn(*[f[i].item() for f in flat])) for i in range(data.size)]
    out = np.asarray(values).reshape(data.shape) if values else data
    if data.dtype.kind in "iub" and out.dtype.kind in "fc":
        out = np.trunc(out.real) if out.dtype.kind == "c" else np.trunc(out)
    data[...] = out.astype(data.dtype, copy=False)
    self._bump_version(f"{name}()")
    return self


def apply_(self, callable):
    """Replace each element ``v`` by ``callable(v)`` (Python numbers; CPU; no autograd)."""
    return _map(self, "apply_", callable, ())


def map_(self, tensor, callable):
    """Replace each element ``v`` by ``callable(v, w)``, ``w`` from ``tensor`` broadcast."""
    return _map(self, "map_", callable, (tensor,))


def map2_(self, x, y, callable):
    """Replace each element ``v`` by ``callable(v, a, b)``, ``a``/``b`` from ``x``/``y``."""
    return _map(self, "map2_", callable, (x, y))


def is_complex(input) -> bool:
    """True for complex64/complex128 tensors."""
    _tensor_arg("is_complex", input)
    return input._data.dtype.kind == "c"


def detach(input):
    """``input.detach()``: a new leaf sharing the data, without history."""
    return input.detach()


def detach_(input):
    """``input.detach_()``: cut ``input`` from its history, in place."""
    return input.detach_()


for _fn in (is_complex, detach, detach_):
    declare(None, _fn)
declare(None, is_signed, methods="is_signed")
declare(None, is_nonzero, methods="is_nonzero")
declare(None, is_same_size, methods="is_same_size")
declare(None, is_neg, methods="is_neg")
for _fn in (
    cfloat,
    cdouble,
    dim_order,
    storage_type,
    share_memory_,
    is_shared,
    new_empty_strided,
    apply_,
    map_,
    map2_,
):
    declare(None, _fn, methods=_fn.__name__, public=False)

__all__ = public_names(__name__)
