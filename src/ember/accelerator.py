"""``torch.accelerator``: the current accelerator, which Ember (CPU only) does not have.

``is_available()`` is False and ``current_accelerator()`` None, so the common idiom
``device = torch.accelerator.current_accelerator() if torch.accelerator.is_available() else
"cpu"`` picks the CPU; calls that need an accelerator raise PyTorch's RuntimeError.
"""

from __future__ import annotations

import warnings


def _none_available() -> RuntimeError:
    return RuntimeError(
        "Cannot access accelerator device when none is available. Ember computes on the CPU: "
        "check torch.accelerator.is_available() first."
    )


def is_available() -> bool:
    """False: no accelerator."""
    return False


def current_accelerator(check_available: bool = False):
    """The accelerator's device type, or None when there is none (always, here)."""
    return None


def device_count() -> int:
    """0: no accelerator devices."""
    return 0


def current_device_index() -> int:
    """The current accelerator device's index; raises, since there is none."""
    raise _none_available()


def current_device_idx() -> int:
    """Deprecated name of ``current_device_index``; raises, since there is no accelerator."""
    warnings.warn("Use `current_device_index` instead.", FutureWarning, stacklevel=2)
    raise _none_available()


def set_device_index(device, /) -> None:
    """Select an accelerator device; raises, since there is none."""
    raise _none_available()


def set_device_idx(device, /) -> None:
    """Deprecated name of ``set_device_index``; raises, since there is no accelerator."""
    warnings.warn("Use `set_device_index` instead.", FutureWarning, stacklevel=2)
    raise _none_available()


def synchronize(device=None, /) -> None:
    """Wait for accelerator work; raises, since there is no accelerator."""
    raise _none_available()


def current_stream(device=None, /):
    """The accelerator's current stream; raises, since there is no accelerator."""
    raise _none_available()


def set_stream(stream) -> None:
    """Make ``stream`` current; raises, since there is no accelerator."""
    raise _none_available()


def empty_cache() -> None:
    """Release cached accelerator memory; raises, since there is no accelerator."""
    raise _none_available()


def memory_allocated(device_index=None, /) -> int:
    """Accelerator memory held by tensors; raises, since there is no accelerator."""
    raise _none_available()


def max_memory_allocated(device_index=None, /) -> int:
    """Peak accelerator memory held by tensors; raises, since there is no accelerator."""
    raise _none_available()


def memory_reserved(device_index=None, /) -> int:
    """Accelerator memory held by the allocator; raises, since there is no accelerator."""
    raise _none_available()


def max_memory_reserved(device_index=None, /) -> int:
    """Peak accelerator memory held by the allocator; raises, since there is no accelerator."""
    raise _none_available()


def memory_stats(device_index=None, /):
    """The accelerator allocator's statistics; raises, since there is no accelerator."""
    raise _none_available()


def reset_peak_memory_stats(device_index=None, /) -> None:
    """Reset the accelerator's peak memory counters; raises, since there is no accelerator."""
    raise _none_available()


def get_memory_info(device_index=None, /):
    """Free and total accelerator memory; raises, since there is no accelerator."""
    raise _none_available()


class device_index:
    """Context manager selecting an accelerator device; ``device_index(None)`` does nothing."""

    def __init__(self, device, /) -> None:
        self.idx = device

    def __enter__(self) -> None:
        if self.idx is not None:
            raise _none_available()

    def __exit__(self, *exc) -> bool:
        return False
