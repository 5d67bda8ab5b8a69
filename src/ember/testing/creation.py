"""``make_tensor``: a random tensor of a given shape and dtype, for tests (PyTorch's ranges)."""

from __future__ import annotations

import math
import warnings

from ..backend import np


def _default_range(d):
    if d.name == "bool":
        return 0, 2
    if d.category == 1:
        return (0, 10) if d.name.startswith("uint") else (-9, 10)
    return -9, 9


def _clamped_range(d, low, high):
    from ..info import finfo, iinfo

    info = finfo(d) if d.category >= 2 else iinfo(d) if d.name != "bool" else None
    lo_default, hi_default = _default_range(d)
    low = lo_default if low is None else low
    high = hi_default if high is None else high
    if (isinstance(low, float) and math.isnan(low)) or (
        isinstance(high, float) and math.isnan(high)
    ):
        raise ValueError(f"`low` and `high` cannot be NaN, but got low={low} and high={high}")
    if info is not None:
        low, high = max(low, info.min), min(high, info.max)
    if d.category >= 2 and low == high:
        warnings.warn(
            "Passing `low==high` to `torch.testing.make_tensor` for floating or complex types "
            "is deprecated since 2.1 and will be removed in 2.3. Use `torch.full(...)` instead.",
            FutureWarning,
            stacklevel=3,
        )
    elif low >= high:
        raise ValueError(f"`low` must be less than `high`, but got {low} >= {high}")
    return low, high


def _values(d, shape, low, high, rng):
    if d.name == "bool":
        return rng.integers(0, 2, shape).astype(bool)
    if d.category == 1:
        return rng.integers(math.ceil(low), math.ceil(high), shape).astype(d.np)
    if d.category == 2:
        return rng.uniform(low, high, shape).astype(d.np)
    real = rng.uniform(low, high, shape) + 1j * rng.uniform(low, high, shape)
    return real.astype(d.np)


def _no_zeros(d, data):
    from ..info import finfo

    zero = data == 0
    if d.category <= 1:
        data[zero] = 1
    else:
        tiny = finfo(d).tiny
        data[zero] = tiny if d.category == 2 else complex(tiny, tiny)
    return data


def _laid_out(data, noncontiguous, memory_format):
    from ..memory_format import channels_last, channels_last_3d

    if noncontiguous and data.size > 1:
        wide = np.repeat(data, 2, axis=-1)
        return wide[..., ::2]
    if memory_format is channels_last and data.ndim == 4:
        return np.ascontiguousarray(data.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    if memory_format is channels_last_3d and data.ndim == 5:
        return np.ascontiguousarray(data.transpose(0, 2, 3, 4, 1)).transpose(0, 4, 1, 2, 3)
    return data


def make_tensor(*shape, dtype, device, low=None, high=None, requires_grad=False,
                noncontiguous=False, exclude_zero=False, memory_format=None):  # fmt: skip
    """A tensor of ``shape`` and ``dtype`` with values uniform in ``[low, high)``.

    Defaults: bool [0, 2), unsigned [0, 10), signed [-9, 10), floating and complex [-9, 9);
    bounds are clamped to the dtype's finite range. Values come from Ember's default generator.
    """
    from .. import dtypes
    from ..device import device as _device
    from ..random import _rng
    from ..tensor import Tensor

    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    if not isinstance(dtype, dtypes.dtype) or dtype.category not in (0, 1, 2, 3):
        raise TypeError(
            f"The requested dtype '{dtype}' is not supported by torch.testing.make_tensor(). To "
            "request support, file an issue at: https://github.com/pytorch/pytorch/issues"
        )
    if noncontiguous and memory_format is not None:
        raise ValueError(
            "The parameters `noncontiguous` and `memory_format` are mutually exclusive, but got "
            f"noncontiguous={noncontiguous} and memory_format={memory_format}"
        )
    if requires_grad and dtype.category < 2:
        raise ValueError(
            "`requires_grad=True` is not supported for boolean and integral dtypes, but got "
            f"dtype={dtype}"
        )
    if _device(device).type == "cuda":
        from ..cuda._errors import not_compiled

        raise not_compiled()
    low, high = _clamped_range(dtype, low, high)
    data = _values(dtype, tuple(shape), low, high, _rng(None))
    if exclude_zero:
        data = _no_zeros(dtype, data)
    t = Tensor._make(_laid_out(data, noncontiguous, memory_format))
    return t.requires_grad_(True) if requires_grad else t
