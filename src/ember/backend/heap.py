"""Keep freed temporaries' memory in the process instead of faulting it in every step.

A training step on the CPU allocates and frees arrays of one to a few MiB many times
(convolution columns, activations, their gradients).  glibc's ``malloc`` serves them from
its heap and, by default, hands the freed top of the heap back to the kernel as soon as
128 KiB are free there, so the next step's arrays fault the same pages in again: on a
small CNN that is about a third of the step.  Ember asks glibc to keep 64 MiB of slack at
the heap's top (``mallopt(M_TOP_PAD)``), which is what setting ``MALLOC_TOP_PAD_`` does.

A setting the user made wins: when ``MALLOC_TOP_PAD_`` is in the environment (glibc has
read it at start-up), Ember leaves the allocator alone.  Elsewhere than glibc (macOS,
Windows, musl) nothing is done.
"""

from __future__ import annotations

import ctypes
import os

#: Bytes of free memory glibc keeps at the heap's top (its default is 128 KiB).
TOP_PAD = 64 << 20
_M_TOP_PAD = -2  # glibc's <malloc.h> parameter number


def _glibc():
    """The process's C library when it is glibc, else None."""
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION"):
            return None
        return ctypes.CDLL(None)
    except (AttributeError, ValueError, OSError):  # no confstr / not glibc / no handle
        return None


def keep_heap_slack(size: int = TOP_PAD) -> bool:
    """Ask glibc to keep ``size`` free bytes at the heap's top; True when the setting was made.

    Does nothing (False) when the user chose with ``MALLOC_TOP_PAD_``, or off glibc.
    """
    if "MALLOC_TOP_PAD_" in os.environ:
        return False
    libc = _glibc()
    mallopt = getattr(libc, "mallopt", None)
    if mallopt is None:
        return False
    return bool(mallopt(_M_TOP_PAD, int(size)))
