"""``repr``/``str`` of tensors, as PyTorch formats them (interim: NumPy-based)."""

from __future__ import annotations

from .backend import asnumpy, np


def format_tensor(t) -> str:
    """The text PyTorch prints for a tensor."""
    a = asnumpy(t._data)
    body = np.array2string(a, separator=", ", prefix="tensor(")
    suffix = []
    if a.dtype.kind == "f" and a.dtype != np.float32:
        suffix.append(f"dtype=torch.{a.dtype}")
    if t.grad_fn is not None:
        suffix.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t._requires_grad:
        suffix.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + s for s in suffix) + ")"
