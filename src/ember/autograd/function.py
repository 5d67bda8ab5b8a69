"""The public ``ember.autograd.Function`` (custom ops); errors shared with the engine."""

from __future__ import annotations


def wrong_grad_count(node, got):
    """PyTorch's error for a backward that returned the wrong number of gradients."""
    name = node.name()
    return RuntimeError(
        f"function {name} returned an incorrect number of gradients (expected "
        f"{len(node.next_functions)}, got {got})"
    )
