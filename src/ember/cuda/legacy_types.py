"""``torch.cuda.FloatTensor`` and friends: names exist, but a CPU-only build has no such tensors.

Calling one raises PyTorch's TypeError; ``isinstance(t, torch.cuda.FloatTensor)`` is False for
every Ember tensor, since none lives on a GPU.
"""

from __future__ import annotations

from ._errors import HINT


class _CudaTensorType(type):
    """Metaclass of the CUDA legacy tensor types: no instances, no CPU tensor matches."""

    def __call__(cls, *args, **kwargs):
        raise TypeError(
            f"type torch.cuda.{cls.__name__} not available. Torch not compiled with CUDA "
            "enabled." + HINT
        )

    def __instancecheck__(cls, obj):
        return bool(getattr(obj, "is_cuda", False)) and _dtype_name(obj) == cls._dtype_name

    @property
    def dtype(cls):
        """The dtype of tensors of this type."""
        from .. import dtypes

        return getattr(dtypes, cls._dtype_name)

    @property
    def is_cuda(cls):
        """Always True: these name CUDA tensors."""
        return True

    def __repr__(cls):
        return f"<class 'torch.cuda.{cls.__name__}'>"


def _dtype_name(obj):
    d = getattr(obj, "dtype", None)
    return getattr(d, "name", None)


def _make(name, dtype_name):
    return _CudaTensorType(
        name,
        (),
        {
            "_dtype_name": dtype_name,
            "__doc__": f"Legacy name of CUDA {dtype_name} tensors.",
            "__module__": "torch.cuda",  # PyTorch's name for it, as typename() prints
            "__qualname__": name,
        },
    )


FloatTensor = _make("FloatTensor", "float32")
DoubleTensor = _make("DoubleTensor", "float64")
HalfTensor = _make("HalfTensor", "float16")
BFloat16Tensor = _make("BFloat16Tensor", "bfloat16")
ByteTensor = _make("ByteTensor", "uint8")
CharTensor = _make("CharTensor", "int8")
ShortTensor = _make("ShortTensor", "int16")
IntTensor = _make("IntTensor", "int32")
LongTensor = _make("LongTensor", "int64")
BoolTensor = _make("BoolTensor", "bool")
