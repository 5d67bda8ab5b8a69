"""``torch.nn.attention``: choosing scaled-dot-product-attention kernels, and flex_attention."""

from __future__ import annotations

import contextlib
import enum

from ...backends import cuda as _cuda
from . import flex_attention  # noqa: F401

__all__ = ["SDPBackend", "sdpa_kernel", "WARN_FOR_UNFUSED_KERNELS"]

WARN_FOR_UNFUSED_KERNELS = False


class SDPBackend(enum.IntEnum):
    """The kernels scaled_dot_product_attention may run on."""

    ERROR = -1
    MATH = 0
    FLASH_ATTENTION = 1
    EFFICIENT_ATTENTION = 2
    CUDNN_ATTENTION = 3
    OVERRIDEABLE = 4

    def __str__(self) -> str:
        return f"SDPBackend.{self.name}"


# the switch of each backend: (getter, setter); OVERRIDEABLE has no switch in backends.cuda
_overrideable = [True]


def _set_overrideable(on: bool) -> None:
    _overrideable[0] = on


_SWITCHES = {
    SDPBackend.CUDNN_ATTENTION: (_cuda.cudnn_sdp_enabled, _cuda.enable_cudnn_sdp),
    SDPBackend.FLASH_ATTENTION: (_cuda.flash_sdp_enabled, _cuda.enable_flash_sdp),
    SDPBackend.EFFICIENT_ATTENTION: (
        _cuda.mem_efficient_sdp_enabled,
        _cuda.enable_mem_efficient_sdp,
    ),
    SDPBackend.MATH: (_cuda.math_sdp_enabled, _cuda.enable_math_sdp),
    SDPBackend.OVERRIDEABLE: (lambda: _overrideable[0], _set_overrideable),
}
_DEFAULT_PRIORITY = [1, 2, 0, 3, 4]
_priority = list(_DEFAULT_PRIORITY)


def _cur_sdpa_kernel_backends(with_priority: bool = False):
    """The enabled backends (in priority order when asked)."""
    on = [b for b, (enabled, _) in _SWITCHES.items() if enabled()]
    if with_priority:
        on.sort(key=lambda b: _priority.index(int(b)))
    return on


def _sdpa_kernel(backends, set_priority: bool = False) -> None:
    for b, (_, enable) in _SWITCHES.items():
        enable(b in backends)
    if set_priority:
        order = [int(b) for b in backends]
        _priority[:] = order + [p for p in _priority if p not in order]


@contextlib.contextmanager
def sdpa_kernel(backends, set_priority: bool = False):
    """Within the block, only ``backends`` (a backend or a list) may run attention."""
    if not isinstance(backends, (list, SDPBackend)):
        raise AssertionError(
            "Backend must be an instance of SDPBackend or a list of SDPBackend instances, got "
            f"{type(backends).__name__}"
        )
    if isinstance(backends, SDPBackend):
        backends = [backends]
    backends = list(dict.fromkeys(backends))
    previous = _cur_sdpa_kernel_backends(with_priority=set_priority)
    try:
        _sdpa_kernel(backends, set_priority)
        yield {}
    finally:
        _sdpa_kernel(previous, set_priority)
