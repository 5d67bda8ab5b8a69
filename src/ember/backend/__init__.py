"""The only place Ember imports an array library.

Ops never name NumPy or CuPy: they ask for the array module of their inputs
(``xp_of``) and call it.  The CPU is NumPy.  Every other device type is a
``DeviceBackend`` registered here: CuPy registers itself as ``"cuda"`` the first time
a CUDA device is asked for (``cuda_backend``); tests register a NumPy-backed
stand-in the same way, so the device path runs on machines without a GPU.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy

from .._fields import Fields
from .heap import keep_heap_slack

# NumPy warns when arithmetic makes inf or nan (1 / 0, inf * 0, overflow); PyTorch computes
# the same IEEE values without a word.  Those warnings are silenced when Ember's own code is
# where they arise (``module``); a user's own NumPy code keeps NumPy's behaviour.
warnings.filterwarnings(
    "ignore",
    message=r"(divide by zero|invalid value|overflow|underflow) encountered",
    category=RuntimeWarning,
    module=r"ember(\.|$)",
)

# Large temporaries freed in one step are reused by the next, not faulted in again (heap.py).
heap_slack_kept = keep_heap_slack()

np = numpy  # the CPU array module, for modules that need it explicitly

ndarray = numpy.ndarray


class DeviceBackend(Fields):
    """An array library for one device type (``"cuda"``): how Ember recognises its
    arrays, computes with them and moves data to and from the host.

    Args:
        type: the device type it serves, as in ``ember.device(type, index)``.
        xp: its NumPy-compatible array module (CuPy).
        array_type: the class of its arrays.
        to_device: ``to_device(host_array, index)`` -> a device array.
        to_host: ``to_host(array)`` -> a NumPy array.
        device_count: ``device_count()`` -> how many devices it sees.
        index_of: ``index_of(array)`` -> the device index an array lives on.
    """

    # (a dataclass written out: ``@dataclass`` was a noticeable part of ``import ember``)
    _FIELDS = ("type", "xp", "array_type", "to_device", "to_host", "device_count", "index_of")

    def __init__(
        self,
        type: str,
        xp: Any,
        array_type: Any,
        to_device: Callable,
        to_host: Callable,
        device_count: Callable,
        index_of: Callable,
    ) -> None:
        self._set((type, xp, array_type, to_device, to_host, device_count, index_of))


_BACKENDS: dict = {}


def register_device(backend: DeviceBackend) -> None:
    """Make ``backend`` the array library of its device type."""
    _BACKENDS[backend.type] = backend


def unregister_device(device_type: str) -> None:
    """Forget the backend of ``device_type`` (tests that registered a stand-in)."""
    _BACKENDS.pop(device_type, None)


def cuda_backend():
    """The ``"cuda"`` backend: registered, or CuPy when it imports and sees a GPU; else None."""
    b = _BACKENDS.get("cuda")
    if b is not None:
        return b
    try:  # pragma: no cover - only with CuPy
        import cupy

        if cupy.cuda.runtime.getDeviceCount() < 1:
            return None
    except Exception:
        return None
    b = DeviceBackend(  # pragma: no cover - only with CuPy
        "cuda",
        cupy,
        cupy.ndarray,
        lambda a, index: _on_cupy_device(cupy, a, index),
        cupy.asnumpy,
        cupy.cuda.runtime.getDeviceCount,
        lambda a: a.device.id,
    )
    register_device(b)  # pragma: no cover
    return b  # pragma: no cover


def _on_cupy_device(cupy, array, index):  # pragma: no cover - only with CuPy
    with cupy.cuda.Device(index or 0):
        return cupy.asarray(array)


def backend_of(array):
    """The ``DeviceBackend`` that owns ``array``, or None for a NumPy (CPU) array."""
    if type(array) is numpy.ndarray:
        return None
    for b in _BACKENDS.values():
        if isinstance(array, b.array_type):
            return b
    return None


def xp_of(array):
    """Return the array module (NumPy, CuPy, ...) that owns ``array``."""
    if type(array) is numpy.ndarray or not _BACKENDS:
        return numpy
    b = backend_of(array)
    return numpy if b is None else b.xp


def device_of(array):
    """``(type, index)`` of the device ``array`` lives on (``("cpu", None)`` for NumPy)."""
    b = backend_of(array)
    if b is None:
        return "cpu", None
    return b.type, b.index_of(array)


def asnumpy(array):
    """Return ``array`` as a NumPy array (copying from the device if needed)."""
    b = backend_of(array)
    if b is not None:
        return b.to_host(array)
    if isinstance(array, numpy.ndarray):
        return array
    return numpy.asarray(array)


def to_device_array(array, device_type, index=None):
    """``array`` on ``device_type`` (``"cpu"`` or a registered type; index for the device)."""
    if device_type == "cpu":
        return asnumpy(array)
    b = cuda_backend() if device_type == "cuda" else _BACKENDS.get(device_type)
    if b is None:
        raise device_unavailable(device_type)
    src = backend_of(array)
    if src is b and (index is None or b.index_of(array) == index):
        return array
    host = array if src is None else src.to_host(array)
    return b.to_device(host, index)


def device_unavailable(device_type):
    """PyTorch's error (CPU-only build) for a device type this machine cannot use."""
    if device_type == "cuda":
        return AssertionError("Torch not compiled with CUDA enabled")
    return RuntimeError(f"PyTorch is not linked with support for {device_type} devices")


def device_count(device_type: str) -> int:
    """How many devices of ``device_type`` are usable (0 without a backend)."""
    b = cuda_backend() if device_type == "cuda" else _BACKENDS.get(device_type)
    return 0 if b is None else b.device_count()
