"""``torch.cuda.Stream`` / ``Event`` / ``stream()`` as a CPU-only build has them."""

from __future__ import annotations

from ._errors import HINT


class Stream:
    """A CUDA stream; constructing one needs CUDA, so it raises here."""

    def __init__(self, device=None, priority=0, **kwargs):
        raise RuntimeError("torch.cuda.Stream requires CUDA support." + HINT)


class Event:
    """A CUDA event; constructing one needs CUDA, so it raises here."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False, **kwargs):
        raise RuntimeError("Tried to instantiate dummy base class Event." + HINT)


class StreamContext:
    """Context manager selecting a stream; ``StreamContext(None)`` does nothing."""

    def __init__(self, stream):
        self.stream = stream

    def __enter__(self):
        if self.stream is not None:
            raise RuntimeError("torch.cuda.Stream requires CUDA support." + HINT)

    def __exit__(self, *exc):
        return False


def stream(stream):
    """A context manager that makes ``stream`` current (``None``: no change)."""
    return StreamContext(stream)
