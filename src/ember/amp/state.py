"""Autocast state: per thread and per device type, whether autocast is on and its dtype.

The context managers in ``autocast_mode`` save and restore these values, so nested regions
behave as a stack. Ops read the CPU entry through ``cpu_enabled()`` (one attribute read).
"""

from __future__ import annotations

import threading

# Device types PyTorch parses, in its order (its error message lists them so).
DEVICE_TYPES = (
    "cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve", "fpga",
    "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia", "privateuseone",
)  # fmt: skip

# Device types with an autocast mode, and the lower-precision dtype each uses by default.
DEFAULT_DTYPE = {
    "cpu": "bfloat16",
    "cuda": "float16",
    "ipu": "float16",
    "xpu": "float16",
    "mps": "float16",
    "maia": "bfloat16",
    "xla": "bfloat16",
    "hpu": "bfloat16",
    "mtia": "float16",
    "privateuseone": "float16",
    "hip": "float16",  # has a dtype, but no autocast mode of its own
}
AVAILABLE = frozenset(DEFAULT_DTYPE) - {"hip"}


def dtype_named(name):
    """The Ember dtype called ``name``, looked up when needed (bfloat16 may come later)."""
    from .. import dtypes

    d = getattr(dtypes, name, None)
    if d is None:
        raise RuntimeError(
            f"autocast needs ember.{name}, which this build of Ember does not have yet"
        )
    return d


def parse_device_type(text) -> str:
    """The device type of a device string such as ``'cpu'`` or ``'cuda:0'``."""
    kind = text.split(":", 1)[0]
    if kind not in DEVICE_TYPES:
        raise RuntimeError(
            f"Expected one of {', '.join(DEVICE_TYPES)} device type at start of device string: "
            f"{text}"
        )
    return kind


class _State(threading.local):
    def __init__(self):
        self.enabled = {}  # device type -> bool (absent: False)
        self.dtype = {}  # device type -> Ember dtype (absent: the device's default)
        self.cpu = False  # mirror of enabled["cpu"], the one entry ops ask about
        self.cache_enabled = True
        self.nesting = 0


STATE = _State()


def cpu_enabled() -> bool:
    """Whether CPU autocast is on in this thread (the ops' fast check)."""
    return STATE.cpu


def _supported(text, who) -> str:
    kind = parse_device_type(text)
    if kind not in AVAILABLE:
        raise RuntimeError(f"unknown device type for autocast in {who}")
    return kind


def _check_str(value, func):
    if not isinstance(value, str):
        raise TypeError(
            f"{func}(): argument 'device_type' (position 1) must be str, not {type(value).__name__}"
        )


def is_autocast_available(device_type: str) -> bool:
    """Whether autocast has a mode for this device type."""
    _check_str(device_type, "_is_autocast_available")
    return parse_device_type(device_type) in AVAILABLE


def is_autocast_enabled(device_type: str = "cuda") -> bool:
    """Whether autocast is on for ``device_type`` in this thread (CUDA when not given)."""
    _check_str(device_type, "is_autocast_enabled")
    kind = _supported(device_type, "get_autocast_dispatch_key_from_device_type")
    return STATE.enabled.get(kind, False)


def set_autocast_enabled(device_type, enabled=None) -> None:
    """Turn autocast on or off for a device type (``set_autocast_enabled(bool)``: CUDA)."""
    if enabled is None and isinstance(device_type, bool):
        device_type, enabled = "cuda", device_type
    _check_str(device_type, "set_autocast_enabled")
    if not isinstance(enabled, bool):
        raise TypeError(
            "set_autocast_enabled(): argument 'enabled' (position 2) must be bool, not "
            f"{type(enabled).__name__}"
        )
    kind = _supported(device_type, "get_autocast_dispatch_key_from_device_type")
    STATE.enabled[kind] = enabled
    if kind == "cpu":
        STATE.cpu = enabled


def get_autocast_dtype(device_type: str):
    """The dtype autocast casts to on ``device_type`` (bfloat16 on CPU, float16 on CUDA)."""
    _check_str(device_type, "get_autocast_dtype")
    kind = device_type_or_unsupported(device_type)
    d = STATE.dtype.get(kind)
    return d if d is not None else dtype_named(DEFAULT_DTYPE[kind])


def stored_dtype(device_type: str):
    """The dtype set for ``device_type``, or None when it has its default (for save/restore)."""
    return STATE.dtype.get(parse_device_type(device_type))


def restore_dtype(device_type: str, dtype) -> None:
    """Put back a value from ``stored_dtype`` (None: the default again)."""
    kind = parse_device_type(device_type)
    if dtype is None:
        STATE.dtype.pop(kind, None)
    else:
        STATE.dtype[kind] = dtype


def device_type_or_unsupported(text) -> str:
    """The device type of ``text``, refusing types without an autocast dtype as PyTorch does."""
    kind = parse_device_type(text)
    if kind not in DEFAULT_DTYPE:
        raise RuntimeError("unsupported scalarType")
    return kind


def set_autocast_dtype(device_type: str, dtype) -> None:
    """Set the dtype autocast casts to on ``device_type``."""
    from ..dtypes import dtype as _dtype

    _check_str(device_type, "set_autocast_dtype")
    if not isinstance(dtype, _dtype):
        raise TypeError(
            "set_autocast_dtype(): argument 'dtype' (position 2) must be torch.dtype, not "
            f"{type(dtype).__name__}"
        )
    kind = device_type_or_unsupported(device_type)
    STATE.dtype[kind] = dtype


def is_autocast_cache_enabled() -> bool:
    """Whether autocast may cache casts of weights (Ember recomputes casts; value kept for API)."""
    return STATE.cache_enabled


def set_autocast_cache_enabled(enabled: bool) -> None:
    """Set the autocast cache flag."""
    if not isinstance(enabled, bool):
        raise TypeError(f"enabled must be a bool (got {type(enabled).__name__})")
    STATE.cache_enabled = enabled


def clear_autocast_cache() -> None:
    """Drop cached casts (Ember keeps none, so there is nothing to drop)."""


def autocast_increment_nesting() -> int:
    """Count one more open autocast region; returns the new depth."""
    STATE.nesting += 1
    return STATE.nesting


def autocast_decrement_nesting() -> int:
    """Count one autocast region closed; returns the new depth."""
    STATE.nesting -= 1
    return STATE.nesting


def _deprecated(old, new):
    import warnings

    warnings.warn(
        f"torch.{old}() is deprecated. Please use torch.{new} instead.",
        DeprecationWarning,
        stacklevel=3,
    )


def is_autocast_cpu_enabled() -> bool:
    """Deprecated: ``is_autocast_enabled('cpu')``."""
    _deprecated("is_autocast_cpu_enabled", "is_autocast_enabled('cpu')")
    return is_autocast_enabled("cpu")


def get_autocast_cpu_dtype():
    """Deprecated: ``get_autocast_dtype('cpu')``."""
    _deprecated("get_autocast_cpu_dtype", "get_autocast_dtype('cpu')")
    return get_autocast_dtype("cpu")


def get_autocast_gpu_dtype():
    """Deprecated: ``get_autocast_dtype('cuda')``."""
    _deprecated("get_autocast_gpu_dtype", "get_autocast_dtype('cuda')")
    return get_autocast_dtype("cuda")
