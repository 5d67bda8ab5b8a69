"""Keep freed temporaries' memory in the process instead of faulting it in every step.

A training step on the CPU allocates and frees arrays of one to a few MiB many times
(convolution columns, activations, their gradients).  glibc's ``malloc`` hands the freed
top of its heap back to the kernel once more than its trim threshold is free there, so
the next step's arrays fault the same pages in again: on a small CNN that was about a
third of the step.  Ember asks glibc (``mallopt``) to keep 64 MiB of free memory at the
heap's top (``M_TOP_PAD``).  Setting any such parameter stops glibc from adapting its mmap
threshold as it goes, so Ember also sets that threshold to 32 MiB, the largest glibc's own
adaptation reaches: arrays below it come from the heap, larger ones are mapped afresh.

Where the user has tuned glibc's allocator (``MALLOC_TOP_PAD_``, ``MALLOC_TRIM_THRESHOLD_``,
``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_MMAP_MAX_`` or a ``glibc.malloc`` tunable in
``GLIBC_TUNABLES``), Ember leaves it as they chose; ``EMBER_HEAP_SLACK=0`` leaves glibc's
defaults untouched, and ``EMBER_HEAP_SLACK=<bytes>`` keeps that much instead of 64 MiB.
Elsewhere than glibc (macOS, Windows, musl) nothing is done.
"""

from __future__ import annotations

import ctypes
import os
import warnings

#: Bytes of free memory glibc keeps at the heap's top (its default is 128 KiB).
TOP_PAD = 64 << 20
#: Arrays at least this large are mapped afresh rather than taken from the heap.
MMAP_THRESHOLD = 32 << 20
# glibc's <malloc.h> parameter numbers.
_M_TOP_PAD = -2
_M_MMAP_THRESHOLD = -3
_USER_SETTINGS = (
    "MALLOC_TOP_PAD_",
    "MALLOC_TRIM_THRESHOLD_",
    "MALLOC_MMAP_THRESHOLD_",
    "MALLOC_MMAP_MAX_",
)


def _glibc():
    """The process's C library when it is glibc, else None."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
        return ctypes.CDLL(None)
    except (AttributeError, ValueError, OSError):  # no confstr / not glibc / no handle
        return None


def slack_wanted(environ=os.environ):
    """The heap slack Ember should ask for: 0 when the user chose the allocator's settings
    or turned this off, else ``EMBER_HEAP_SLACK`` bytes (64 MiB by default)."""
    if any(name in environ for name in _USER_SETTINGS):
        return 0
    if "glibc.malloc" in environ.get("GLIBC_TUNABLES", ""):
        return 0
    value = environ.get("EMBER_HEAP_SLACK", "").strip()
    if not value:
        return TOP_PAD
    try:
        return max(int(value), 0)
    except ValueError:  # a typo in the environment should not stop ``import ember``
        warnings.warn(
            f"EMBER_HEAP_SLACK must be a number of bytes (0 turns the setting off), got "
            f"{value!r}; using {TOP_PAD}",
            RuntimeWarning,
            stacklevel=2,
        )
        return TOP_PAD


def keep_heap_slack() -> bool:
    """Ask glibc to keep freed memory for reuse (see the module); True when it was set."""
    size = slack_wanted()
    if not size:
        return False
    mallopt = getattr(_glibc(), "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(_M_TOP_PAD, size))
