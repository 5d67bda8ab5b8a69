"""``torch.cuda.FloatTensor`` and friends: names exist, but a CPU-only build has no such tensors.

Calling one raises PyTorch's TypeError; ``isinstance(t, torch.cuda.FloatTensor)`` is False for
every Ember tensor, since none lives on a GPU.
"""

from __future__ import annotations

from .. import legacy_types as _cpu
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


BY_NAME = {}


def _twin(cpu_type):
    """The CUDA legacy type of the same name and dtype as the CPU one ``cpu_type``."""
    name = cpu_type.__name__
    dtype_name = cpu_type.dtype.name
    cls = _CudaTensorType(
        name,
        (),
        {
            "_dtype_name": dtype_name,
            "__doc__": f"Legacy name of CUDA {dtype_name} tensors.",
            "__module__": "torch.cuda",  # PyTorch's name for it, as typename() prints
            "__qualname__": name,
        },
    )
    BY_NAME[name] = cls
    return cls


FloatTensor = _twin(_cpu.FloatTensor)
DoubleTensor = _twin(_cpu.DoubleTensor)
HalfTensor = _twin(_cpu.HalfTensor)
BFloat16Tensor = _twin(_cpu.BFloat16Tensor)
ByteTensor = _twin(_cpu.ByteTensor)
CharTensor = _twin(_cpu.CharTensor)
ShortTensor = _twin(_cpu.ShortTensor)
IntTensor = _twin(_cpu.IntTensor)
LongTensor = _twin(_cpu.LongTensor)
BoolTensor = _twin(_cpu.BoolTensor)

__all__ = list(BY_NAME)
