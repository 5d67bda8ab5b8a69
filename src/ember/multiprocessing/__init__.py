"""``torch.multiprocessing``: Python's ``multiprocessing`` plus ``spawn``, for Ember tensors.

Everything ``multiprocessing`` offers (``Process``, ``Queue``, ``Pool``, ``get_context``,
``set_start_method``, ...) is here under the same names. Ember tensors cross process
boundaries by pickling, so a tensor put in a ``Queue`` arrives as an equal copy; unlike
PyTorch, the two processes do not share its memory (``share_memory_`` is not emulated).
"""

from __future__ import annotations

import multiprocessing as _mp
import sys as _sys
from multiprocessing import *  # noqa: F403 - the standard library's names, as PyTorch re-exports

from .spawn import (
    ProcessContext,
    ProcessException,
    ProcessExitedException,
    ProcessRaisedException,
    spawn,
    start_processes,
)

__all__ = [
    *_mp.__all__,
    "ProcessContext",
    "ProcessException",
    "ProcessExitedException",
    "ProcessRaisedException",
    "spawn",
    "start_processes",
    "get_all_sharing_strategies",
    "get_sharing_strategy",
    "set_sharing_strategy",
]

_SHARING = {"file_descriptor", "file_system"} if _sys.platform != "darwin" else {"file_system"}
_sharing = ["file_descriptor" if _sys.platform != "darwin" else "file_system"]


def get_all_sharing_strategies() -> set:
    """The strategies PyTorch offers for sharing tensor memory on this platform."""
    return set(_SHARING)


def get_sharing_strategy() -> str:
    """The current sharing strategy (Ember copies tensors whatever it is)."""
    return _sharing[0]


def set_sharing_strategy(new_strategy: str) -> None:
    """Choose a sharing strategy; Ember copies tensors, so this only checks and records it."""
    if new_strategy not in _SHARING:
        raise AssertionError(f"{new_strategy!r} is not one of {sorted(_SHARING)}")
    _sharing[0] = new_strategy
