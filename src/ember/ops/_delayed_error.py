"""A gradient that may not be differentiated again: the value passes through, and a
backward through it raises the message it was made with (PyTorch's ``Error`` node)."""

from __future__ import annotations

from ..autograd.node import Node


class DelayedError(Node):
    """The identity forward; its backward raises (no derivative there)"""

    def forward(self, x, message):
        self.message = message
        return x

    def backward(self, grad):
        raise RuntimeError(self.message)

    def name(self):
        return "torch::autograd::Error"


DelayedError.__name__ = DelayedError.__qualname__ = "Error"


def delayed_error(t, message):
    """``t`` with a history whose backward raises ``message`` (only when ``t`` is recorded)."""
    if not t._requires_grad:
        return t
    return DelayedError.apply(t, message)
