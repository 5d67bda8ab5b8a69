"""``torch.mps``: Apple's Metal backend, absent from Ember (and from non-Apple builds).

``torch.backends.mps.is_available()`` is the check scripts make; calls that need the
backend raise PyTorch's RuntimeError.
"""

from __future__ import annotations


def _no_mps(call) -> RuntimeError:
    return RuntimeError(
        f"Cannot execute {call}() without MPS backend. Ember computes on the CPU: check "
        "torch.backends.mps.is_available() first."
    )


def is_available() -> bool:
    """False: no MPS device."""
    return False


def device_count() -> int:
    """0: no MPS devices."""
    return 0


def synchronize() -> None:
    """Wait for MPS work; raises, since there is no MPS backend."""
    raise _no_mps("deviceSynchronize")


def empty_cache() -> None:
    """Release cached MPS memory; raises, since there is no MPS backend."""
    raise _no_mps("emptyCache")


def manual_seed(seed) -> None:
    """Seed the MPS generator: ignored without an MPS device."""


def seed() -> None:
    """Seed the MPS generator non-deterministically; raises, since there is no MPS backend."""
    raise _no_mps("getDefaultGenerator")


def get_rng_state(device="mps"):
    """The MPS generator's state; raises, since there is no MPS backend."""
    raise _no_mps("getDefaultGenerator")


def set_rng_state(new_state, device="mps") -> None:
    """Restore the MPS generator's state; raises, since there is no MPS backend."""
    raise _no_mps("getDefaultGenerator")


def current_allocated_memory() -> int:
    """MPS memory held by tensors; raises, since there is no MPS backend."""
    raise _no_mps("getCurrentAllocatedMemory")


def driver_allocated_memory() -> int:
    """MPS memory held by the driver; raises, since there is no MPS backend."""
    raise _no_mps("getDriverAllocatedMemory")


def recommended_max_memory() -> int:
    """The recommended MPS working-set size; raises, since there is no MPS backend."""
    raise _no_mps("getRecommendedMaxMemory")


def set_per_process_memory_fraction(fraction) -> None:
    """Cap MPS memory use; raises, since there is no MPS backend."""
    raise _no_mps("setMemoryFraction")
