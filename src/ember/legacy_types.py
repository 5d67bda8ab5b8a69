"""PyTorch's legacy tensor API: ``FloatTensor``, ``LongTensor``, ... , the legacy
``Tensor(...)`` constructor, ``tensor.type(...)`` and ``set_default_tensor_type``.

The legacy types are not classes of tensors (every tensor is an ``ember.Tensor``): calling
one builds a tensor of its dtype, and ``isinstance(t, ember.FloatTensor)`` asks whether
``t`` is a CPU float32 tensor, as in PyTorch.  They print and name themselves as PyTorch's
(``torch.FloatTensor``), the names ``tensor.type()`` returns.
"""

from __future__ import annotations

import builtins
import warnings

from . import dtypes as _dt
from ._data_conversion import check_user_array, to_array
from .backend import np
from .tensor_base import Size, TensorBase

_SIGNATURES = (
    " * (*, torch.device device = None)\n"
    " * (torch.Storage storage)\n"
    " * (Tensor other)\n"
    " * (tuple of ints size, *, torch.device device = None)\n"
    " * (object data, *, torch.device device = None)"
)


def _options(name):
    return (
        f"TensorOptions(dtype={_dt.C_TYPE_NAMES[name]}, device=cpu, layout=Strided, "
        "requires_grad=false (default), pinned_memory=false (default), memory_format=(nullopt))"
    )


def _type_word(x):
    if isinstance(x, _dt.dtype):
        return "torch.dtype"
    if isinstance(x, TensorBase):
        return "Tensor"
    return type(x).__name__


def _is_size_item(x):
    if isinstance(x, TensorBase):
        return False
    return isinstance(x, (int, np.integer)) and not isinstance(x, (builtins.bool, np.bool_))


def legacy_array(d, args, kwargs, *, any_dtype=False):
    """The array a legacy constructor of dtype ``d`` builds from ``args``: empty for none,
    uninitialised for sizes, a copy of data; a NumPy array or tensor of dtype ``d`` is
    shared, not copied (``any_dtype``: a tensor of any dtype, as ``Tensor(t)``)."""
    device = kwargs.pop("device", None)
    if kwargs:
        got = ", ".join(
            [_type_word(a) for a in args] + [f"{k}={_type_word(v)}" for k, v in kwargs.items()]
        )
        raise TypeError(
            f"new() received an invalid combination of arguments - got ({got}), but expected "
            f"one of:\n{_SIGNATURES}"
        )
    if device is not None:
        from .device import device as _device

        kind = _device(device).type
        if kind != "cpu":
            raise RuntimeError(
                f"legacy constructor expects device type: cpu but device type: {kind} was passed"
            )
    if not args:
        return np.empty((0,), d.np)
    if builtins.all(_is_size_item(a) for a in args) or (len(args) == 1 and type(args[0]) is Size):
        from .creation import _alloc, _size

        return _alloc(np.empty, _size(args, "new"), d.np)
    if len(args) > 1:
        if _is_size_item(args[0]):
            from .creation import _size

            _size(args, "new")  # PyTorch's error for the first item that is not an int
        got = ", ".join(_type_word(a) for a in args)
        raise TypeError(
            f"new() received an invalid combination of arguments - got ({got}), but expected "
            f"one of:\n{_SIGNATURES}"
        )
    data = args[0]
    if isinstance(data, TensorBase):
        if data.dtype is d or any_dtype:
            return data._data
        raise TypeError(f"expected {_options(d.name)} (got {_options(data.dtype.name)})")
    if isinstance(data, np.ndarray):
        src = check_user_array(data)
        return data if src is d else _dt.cast(data, d.np)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    if not isinstance(data, (list, tuple, range)):
        raise TypeError(f"new(): data must be a sequence (got {type(data).__name__})")
    from ._data_conversion import check_nested

    data = list(data) if isinstance(data, range) else data
    check_nested(data)
    return to_array(data, d)


def _mark_inference(t):
    from .autograd.grad_mode import state

    if state.inference:
        t._ensure_extra().inference = True
    return t


def legacy_tensor_init(self, *args, **kwargs):
    """``ember.Tensor(...)``: the legacy constructor, with the default dtype."""
    arr = legacy_array(_dt.get_default_dtype(), args, kwargs, any_dtype=True)
    TensorBase._init_from(self, arr, False)
    _mark_inference(self)


class _TensorType(type):
    """Metaclass of the legacy tensor types: calling one builds a tensor of its dtype;
    ``isinstance`` asks whether a tensor is a CPU tensor of that dtype."""

    def __call__(cls, *args, **kwargs):
        return _mark_inference(TensorBase._make(legacy_array(cls.dtype, args, kwargs)))

    def __instancecheck__(cls, obj):
        return (
            isinstance(obj, TensorBase)
            and type(obj._data) is np.ndarray
            and obj._data.dtype is cls.dtype.np
        )

    def __repr__(cls):
        return f"<class 'torch.{cls.__name__}'>"


_BY_NAME = {}


def _make(name, dtype):
    """The legacy CPU type ``name`` of ``dtype`` tensors, also listed by its name."""
    cls = _TensorType(
        name,
        (),
        {
            "__doc__": f"Legacy name of CPU {dtype.name} tensors: ``{name}(*sizes)`` or "
            f"``{name}(data)`` builds one.",
            "__module__": "torch",
            "__qualname__": name,
            "dtype": dtype,
            "is_cuda": False,
            "is_sparse": False,
        },
    )
    _BY_NAME[name] = cls
    return cls


FloatTensor = _make("FloatTensor", _dt.float32)
DoubleTensor = _make("DoubleTensor", _dt.float64)
HalfTensor = _make("HalfTensor", _dt.float16)
BFloat16Tensor = _make("BFloat16Tensor", _dt.bfloat16)
ByteTensor = _make("ByteTensor", _dt.uint8)
CharTensor = _make("CharTensor", _dt.int8)
ShortTensor = _make("ShortTensor", _dt.int16)
IntTensor = _make("IntTensor", _dt.int32)
LongTensor = _make("LongTensor", _dt.int64)
BoolTensor = _make("BoolTensor", _dt.bool)


def _resolve_name(name):
    """The legacy type a dotted name such as ``'torch.FloatTensor'`` names."""
    from .cuda import legacy_types as cuda_types

    head, _, rest = name.partition(".")
    if head not in ("torch", "ember"):
        raise ModuleNotFoundError(f"No module named '{head}'", name=head)
    if rest.startswith("cuda."):
        found = cuda_types.BY_NAME.get(rest[5:])
    elif rest == "Tensor":
        from .tensor import Tensor as found
    else:
        found = _BY_NAME.get(rest)
    if found is None:
        raise AttributeError(f"module 'torch' has no attribute '{rest}'")
    return found


def _is_cuda_type(t):
    from .cuda.legacy_types import _CudaTensorType

    return isinstance(t, _CudaTensorType)


def _cuda_unavailable(name):
    from .cuda._errors import HINT

    return TypeError(
        f"type torch.cuda.{name} not available. Torch not compiled with CUDA enabled." + HINT
    )


_warned = []


def set_default_tensor_type(t) -> None:
    """Set the default floating dtype from a legacy type (``torch.DoubleTensor``) or its
    name; deprecated in PyTorch 2.1 in favour of ``set_default_dtype``."""
    if not _warned:  # PyTorch warns once per process
        _warned.append(True)
        warnings.warn(
            "torch.set_default_tensor_type() is deprecated as of PyTorch 2.1, please use "
            "torch.set_default_dtype() and torch.set_default_device() as alternatives.",
            UserWarning,
            stacklevel=2,
        )
    if isinstance(t, str):
        t = _resolve_name(t)
    if _is_cuda_type(t):
        raise _cuda_unavailable(t.__name__)
    if not isinstance(t, _TensorType):
        raise TypeError(
            "invalid type object: only floating-point types are supported as the default type"
        )
    if t.dtype.category != _dt.float32.category:
        raise TypeError("only floating-point types are supported as the default type")
    _dt.set_default_dtype(t.dtype)


def tensor_type(self, dtype=None, non_blocking=False, **kwargs):
    """``t.type()``: the legacy type name (``'torch.FloatTensor'``); ``t.type(T)``: ``t``
    converted to the dtype of ``T`` (a dtype, a legacy type or its name), ``t`` itself
    when it has that dtype already."""
    if dtype is None:
        return _dt.legacy_type_name(self._data)
    if isinstance(dtype, str):
        if not dtype.startswith(("torch.", "ember.")) or dtype.count(".") == 0:
            raise ValueError(f"invalid type: '{dtype}'")
        try:
            dtype = _resolve_name(dtype)
        except (ModuleNotFoundError, AttributeError):
            raise ValueError(f"invalid type: '{dtype}'") from None
    if _is_cuda_type(dtype):
        from .cuda._errors import HINT

        raise RuntimeError("Cannot initialize CUDA without ATen_cuda library." + HINT)
    if isinstance(dtype, _TensorType):
        dtype = dtype.dtype
    elif isinstance(dtype, type):
        from .tensor import Tensor

        if dtype is Tensor:
            return self
        module = dtype.__module__
        shown = (
            dtype.__name__
            if module.split(".")[0] in ("builtins", "ember")
            else (f"{module}.{dtype.__qualname__}")
        )
        raise ValueError(f"invalid type: '{shown}'")
    elif not isinstance(dtype, _dt.dtype):
        raise TypeError("dtype must be a type, str, or dtype object")
    return self.to(dtype, non_blocking=non_blocking)


__all__ = [
    "FloatTensor",
    "DoubleTensor",
    "HalfTensor",
    "BFloat16Tensor",
    "ByteTensor",
    "CharTensor",
    "ShortTensor",
    "IntTensor",
    "LongTensor",
    "BoolTensor",
    "set_default_tensor_type",
]
