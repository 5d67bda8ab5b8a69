"""Bilinear maps (``linear`` itself is an op of its own family)."""

from __future__ import annotations


def bilinear(input1, input2, weight, bias=None):
    """``x1^T A x2 + b`` for each output feature."""
    y = (input1.unsqueeze(-2).unsqueeze(-2) @ weight).squeeze(-2)  # (..., out, in2)
    out = (y * input2.unsqueeze(-2)).sum(-1)
    return out if bias is None else out + bias
