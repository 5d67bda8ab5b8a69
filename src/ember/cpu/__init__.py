"""``torch.cpu``: the device Ember computes on, with PyTorch's device-module API.

CPU work runs in order on the calling thread, so streams and events are trivial: every
operation has completed when the call that launched it returns.
"""

from __future__ import annotations

from . import amp

__all__ = [
    "amp",
    "current_device",
    "current_stream",
    "device_count",
    "Event",
    "is_available",
    "is_initialized",
    "set_device",
    "stream",
    "Stream",
    "StreamContext",
    "synchronize",
]


def is_available() -> bool:
    """True: the CPU is always there."""
    return True


def is_initialized() -> bool:
    """True: the CPU needs no initialisation."""
    return True


def device_count() -> int:
    """1: the CPU counts as one device."""
    return 1


def current_device() -> str:
    """``'cpu'``."""
    return "cpu"


def set_device(device) -> None:
    """Select the CPU device: there is only one, so nothing changes."""


def synchronize(device=None) -> None:
    """Wait for CPU work: it has already finished."""


class Stream:
    """A CPU stream: work runs in order, so waiting and recording do nothing."""

    def __init__(self, priority: int = -1) -> None:
        self.priority = priority

    def wait_stream(self, stream) -> None:
        """Make this stream wait for ``stream``: already done."""

    def wait_event(self, event) -> None:
        """Make this stream wait for ``event``: already done."""

    def record_event(self) -> None:
        """Record an event on this stream: nothing to record."""


class Event:
    """A CPU event: always complete."""

    def query(self) -> bool:
        """True: all work recorded before it has finished."""
        return True

    def record(self, stream=None) -> None:
        """Record the event: nothing to wait for."""

    def synchronize(self) -> None:
        """Wait for the event: already complete."""

    def wait(self, stream=None) -> None:
        """Make a stream wait for the event: already complete."""


_current_stream = Stream()


def current_stream(device=None) -> Stream:
    """The (single) CPU stream."""
    return _current_stream


class StreamContext:
    """Context manager selecting a stream (a no-op on the CPU)."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def stream(stream) -> StreamContext:
    """A context manager selecting ``stream`` (a no-op on the CPU)."""
    return StreamContext(stream)
