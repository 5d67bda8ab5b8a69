"""``autocast``: a region (or decorated function) where ops run in lower precision.

Ember computes on the CPU, so CPU autocast is the one that changes results; other device
types keep their state as PyTorch's CPU-only build does (CUDA autocast switches itself off
with PyTorch's warning).
"""

from __future__ import annotations

import functools
import warnings

from . import state

_LOW_PRECISION = ("bfloat16", "float16")


class autocast:
    """Run ops in ``dtype`` (lower precision) inside the region, per PyTorch's op lists.

    Args:
        device_type: ``"cpu"`` for Ember's computations; ``"cuda"`` disables itself with a
            warning since CUDA is not available.
        dtype: the lower-precision dtype (default: ``get_autocast_dtype(device_type)``,
            bfloat16 on CPU).
        enabled: False makes a region where autocast is off (also inside an enabled one).
        cache_enabled: kept for PyTorch's API (Ember caches no casts).
    """

    def __init__(self, device_type, dtype=None, enabled=True, cache_enabled=None):
        if not isinstance(device_type, str):
            raise ValueError(f"Expected `device_type` of type `str`, got: `{type(device_type)}`")
        self.fast_dtype = state.get_autocast_dtype(device_type) if dtype is None else dtype
        self.device = device_type
        if not state.is_autocast_available(device_type):
            raise RuntimeError(
                f"User specified an unsupported autocast device_type '{device_type}'"
            )
        if device_type == "privateuseone":
            raise AssertionError(
                "Tried to use AMP with the `privateuseone` backend, but the backend has not "
                "registered a module or  the module miss some necessary funcs."
            )
        self._cache_enabled = (
            state.is_autocast_cache_enabled() if cache_enabled is None else cache_enabled
        )
        if enabled and not self._usable(device_type):
            enabled = False
        self._enabled = enabled

    def _usable(self, device_type) -> bool:
        if device_type == "cuda":
            warnings.warn(
                "CUDA is not available or torch_xla is imported. Disabling autocast.",
                stacklevel=3,
            )
            return False
        from ..dtypes import dtype as _dtype

        if not (isinstance(self.fast_dtype, _dtype) and self.fast_dtype.name in _LOW_PRECISION):
            name = device_type.upper()
            warnings.warn(
                f"In {name} autocast, but the target dtype is not supported. Disabling autocast."
                f"\n{name} Autocast only supports dtypes of "
                + ", ".join(f"torch.{n}" for n in _LOW_PRECISION)
                + " currently.",
                stacklevel=3,
            )
            return False
        return True

    def __enter__(self):
        self.prev_cache_enabled = state.is_autocast_cache_enabled()
        self.prev = state.is_autocast_enabled(self.device)
        self.prev_fastdtype = state.stored_dtype(self.device)
        state.set_autocast_enabled(self.device, self._enabled)
        state.set_autocast_dtype(self.device, self.fast_dtype)
        state.autocast_increment_nesting()
        state.set_autocast_cache_enabled(self._cache_enabled)
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        if state.autocast_decrement_nesting() == 0:
            state.clear_autocast_cache()
        state.set_autocast_enabled(self.device, self.prev)
        state.restore_dtype(self.device, self.prev_fastdtype)
        state.set_autocast_cache_enabled(self.prev_cache_enabled)
        return False

    def __call__(self, func):
        """Use as a decorator: ``func`` runs inside this autocast region."""

        @functools.wraps(func)
        def decorated(*args, **kwargs):
            with self:
                return func(*args, **kwargs)

        return decorated


def _deprecated_alias(device_type, dtype_default):
    """A ``torch.<device>.amp.autocast`` class: ``autocast(device_type, ...)`` with a warning."""

    class _autocast(autocast):
        __doc__ = f"Deprecated form of ``autocast('{device_type}', ...)`` (warns as PyTorch does)."

        def __init__(self, enabled=True, dtype=None, cache_enabled=True):
            warnings.warn(
                f"`torch.{device_type}.amp.autocast(args...)` is deprecated. Please use "
                f"`torch.amp.autocast('{device_type}', args...)` instead.",
                FutureWarning,
                stacklevel=2,
            )
            if dtype is None:
                dtype = state.dtype_named(dtype_default)
            super().__init__(device_type, dtype=dtype, enabled=enabled, cache_enabled=cache_enabled)

    _autocast.__name__ = _autocast.__qualname__ = "autocast"
    return _autocast
