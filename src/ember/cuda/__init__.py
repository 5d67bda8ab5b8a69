"""``torch.cuda`` as PyTorch's CPU-only build has it: Ember computes on the CPU.

Queries answer as that build does (``is_available()`` is False, ``device_count()`` 0, memory
counters 0), seeding and cache calls are silent no-ops, and calls that need a GPU raise the
same exception types, with a hint to guard with ``torch.cuda.is_available()``.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict

from .._out_of_memory import OutOfMemoryError  # noqa: F401  (also ``ember.OutOfMemoryError``)
from . import amp, nccl  # noqa: F401  (submodules of the namespace)
from ._errors import HINT as _HINT
from ._errors import device_index as _device_index
from ._errors import missing_binding as _missing_binding
from ._errors import not_compiled as _not_compiled
from .legacy_types import *  # noqa: F401, F403  (the legacy CUDA tensor types)
from .streams import Event, Stream, StreamContext, stream  # noqa: F401


def is_available() -> bool:
    """False: this Ember has no CUDA device."""
    return False


def device_count() -> int:
    """0: no CUDA devices."""
    return 0


def is_initialized() -> bool:
    """False: CUDA is never initialised."""
    return False


def init() -> None:
    """Initialise CUDA; raises, since there is none."""
    raise _not_compiled()


def current_device() -> int:
    """The current CUDA device; raises, since there is none."""
    raise _not_compiled()


def set_device(device) -> None:
    """Select a CUDA device: a negative index is ignored, a real one needs CUDA and raises."""
    index = _device_index(device)
    if index >= 0:
        raise _missing_binding("_cuda_setDevice")


class device:
    """Context manager selecting a CUDA device (a negative index does nothing)."""

    def __init__(self, device):
        self.idx = _device_index(device, optional=True)
        self.prev_idx = -1

    def __enter__(self):
        if self.idx is None:
            raise TypeError(
                "'<' not supported between instances of 'NoneType' and 'int' (a CUDA device "
                "context needs a device index)"
            )
        if self.idx >= 0:
            raise RuntimeError("PyTorch was compiled without CUDA support." + _HINT)

    def __exit__(self, *exc):
        return False


class device_of(device):
    """Context manager selecting the device of a tensor (a CPU tensor: nothing)."""

    def __init__(self, obj):
        super().__init__(obj.get_device() if getattr(obj, "is_cuda", False) else -1)


def _needs_cuda(name, what):
    """The ``torch.cuda`` function ``name(device=None)``: it needs CUDA, so it raises."""

    def function(device=None):
        raise _not_compiled()

    function.__name__ = function.__qualname__ = name
    function.__doc__ = f"{what}; raises, since there is no CUDA."
    return function


synchronize = _needs_cuda("synchronize", "Wait for CUDA work to finish")
current_stream = _needs_cuda("current_stream", "The current CUDA stream")
default_stream = _needs_cuda("default_stream", "The default CUDA stream")


def empty_cache() -> None:
    """Release cached GPU memory: nothing to release, does nothing."""


def ipc_collect() -> None:
    """Collect GPU memory shared between processes; raises, since there is no CUDA."""
    raise _not_compiled()


mem_get_info = _needs_cuda("mem_get_info", "Free and total GPU memory")
get_device_name = _needs_cuda("get_device_name", "The name of a CUDA device")
get_device_properties = _needs_cuda("get_device_properties", "The properties of a CUDA device")
get_device_capability = _needs_cuda("get_device_capability", "The compute capability of a device")


def get_arch_list() -> list:
    """The CUDA architectures this build supports: none."""
    return []


def is_bf16_supported(including_emulation: bool = True) -> bool:
    """False: no CUDA device to support bfloat16."""
    return False


def is_tf32_supported() -> bool:
    """False: no CUDA device to support TF32."""
    return False


# ----- random numbers: seeding is deferred until CUDA starts, so it never fails ----------
def manual_seed(seed) -> None:
    """Seed the current CUDA device's generator: accepted and ignored without CUDA."""
    int(seed)


def manual_seed_all(seed) -> None:
    """Seed every CUDA device's generator: accepted and ignored without CUDA."""
    int(seed)


def seed() -> None:
    """Seed the CUDA generator non-deterministically: nothing to seed."""


def seed_all() -> None:
    """Seed every CUDA generator non-deterministically: nothing to seed."""


def initial_seed() -> int:
    """The CUDA generator's seed; raises, since there is no CUDA."""
    raise _not_compiled()


def get_rng_state(device="cuda"):
    """The CUDA generator's state; raises, since there is no CUDA."""
    raise _not_compiled()


def get_rng_state_all() -> list:
    """The states of every CUDA generator: none."""
    return []


def set_rng_state(new_state, device="cuda") -> None:
    """Restore a CUDA generator's state: accepted and ignored without CUDA."""
    if not hasattr(new_state, "clone"):
        raise AttributeError(f"'{type(new_state).__name__}' object has no attribute 'clone'")


def set_rng_state_all(new_states) -> None:
    """Restore every CUDA generator's state: nothing to restore."""


# ----- memory counters: nothing is ever allocated on a GPU ------------------------------
def memory_allocated(device=None) -> int:
    """Bytes of GPU memory held by tensors: 0."""
    return 0


def max_memory_allocated(device=None) -> int:
    """Peak bytes of GPU memory held by tensors: 0."""
    return 0


def memory_reserved(device=None) -> int:
    """Bytes of GPU memory held by the caching allocator: 0."""
    return 0


def max_memory_reserved(device=None) -> int:
    """Peak bytes of GPU memory held by the caching allocator: 0."""
    return 0


def _renamed_counter(old, new):
    """``torch.cuda.<old>``, a counter PyTorch renamed ``<new>``: it warns so and counts 0."""

    def function(device=None) -> int:
        warnings.warn(
            f"`torch.cuda.{old}` has been renamed to `torch.cuda.{new}`",
            FutureWarning,
            stacklevel=2,
        )
        return 0

    function.__name__ = function.__qualname__ = old
    function.__doc__ = f"Deprecated name of ``{new}``: 0."
    return function


memory_cached = _renamed_counter("memory_cached", "memory_reserved")
max_memory_cached = _renamed_counter("max_memory_cached", "max_memory_reserved")


def memory_stats(device=None) -> OrderedDict:
    """The caching allocator's statistics: empty."""
    return OrderedDict()


def memory_summary(device=None, abbreviated=False) -> str:
    """A printable summary of GPU memory use; raises KeyError, as there are no statistics."""
    raise KeyError("allocated_bytes.all.current (no CUDA memory statistics: CUDA is not available)")


def reset_peak_memory_stats(device=None) -> None:
    """Reset the peak memory counters; raises, since the CUDA allocator is absent."""
    raise _missing_binding("_cuda_resetPeakMemoryStats")


def reset_max_memory_allocated(device=None) -> None:
    """Deprecated: calls ``reset_peak_memory_stats`` (which raises without CUDA)."""
    warnings.warn(
        "torch.cuda.reset_max_memory_allocated now calls torch.cuda.reset_peak_memory_stats, "
        "which resets /all/ peak memory stats.",
        FutureWarning,
        stacklevel=2,
    )
    reset_peak_memory_stats(device)
