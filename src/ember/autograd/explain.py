"""``explain(tensor)``: why a tensor's ``.grad`` is None, or why it does not require grad.

Reads only what the tensor and its graph already hold; where Ember recorded the site of
a ``detach()`` or a ``no_grad`` block on the tensor (``tensor._extra.origin``), it is
quoted.
"""

from __future__ import annotations

from .graph import nodes_of
from .node import AccumulateGrad

__all__ = ["explain"]


def _desc(t):
    name = t._extra.name if t._extra is not None and t._extra.name else None
    core = f"tensor of shape {list(t.shape)} ({str(t.dtype).replace('torch.', '')})"
    return f"'{name}', a {core}," if name else f"This {core}"


def _origin(t):
    o = t._extra.origin if t._extra is not None else None
    if not o:
        return None
    if isinstance(o, tuple):
        how, site = (o + (None,))[:2]
        return f"{how} at {site}" if site else str(how)
    return str(o)


def _leaves(t, limit=5):
    out = []
    for n in nodes_of(t):
        if type(n) is AccumulateGrad:
            v = n.variable
            out.append(f"{list(v.shape)} {str(v.dtype).replace('torch.', '')}")
            if len(out) >= limit:
                break
    return out


def _reachable(t, loss):
    acc = t._acc() if t._acc is not None else None
    if t.grad_fn is not None:
        target = t.grad_fn
    elif acc is not None:
        target = acc
    else:
        return False
    return any(n is target for n in nodes_of(loss))


def explain(tensor, loss=None) -> str:
    """A plain-English reason for ``tensor.grad`` being None (or the gradient's state).

    Args:
        tensor: the tensor you expected a gradient for.
        loss: optionally, the tensor you call ``backward()`` on; then Ember also says
            whether ``tensor`` is reachable from it.
    """
    from ..autograd.grad_mode import state
    from ..tensor import Tensor

    if not isinstance(tensor, Tensor):
        raise TypeError(f"explain() expects a Tensor, got {type(tensor).__name__}")
    t = tensor
    d = _desc(t)
    lines = []
    if t._data.dtype.kind not in "fc":
        lines.append(
            f"{d} has an integer/bool dtype: only floating-point and complex tensors can "
            "require gradients, so it never gets one. Convert with .float() first (indices and "
            "masks have no gradient)."
        )
        return "\n".join(lines)
    if not t.requires_grad:
        origin = _origin(t)
        if t.is_inference():
            lines.append(f"{d} was created under inference_mode(): it can never require grad.")
        elif origin:
            lines.append(f"{d} does not require grad: it was made by {origin}.")
        else:
            lines.append(
                f"{d} does not require grad, so no gradient is computed for it. It is either "
                "a leaf created without requires_grad=True, or the result of an op run under "
                "no_grad()/inference_mode(), of detach() or .data, or of ops whose inputs did "
                "not require grad."
            )
        if not state.enabled:
            lines.append("Grad mode is off right now (you are inside no_grad()).")
        if t._base is not None and t._base.requires_grad:
            lines.append(
                "It shares memory with a tensor that does require grad: it looks like a "
                "detach()ed or .data view of it, which cuts the graph."
            )
        lines.append(
            "Fix: call .requires_grad_() on the leaf you want gradients for, and compute from "
            "it outside no_grad() without detach()."
        )
        return "\n".join(lines)
    if t.grad_fn is not None:
        rg = t._retains_grad
        trace = getattr(t.grad_fn, "_trace", None)
        where = ""
        if trace is not None and len(trace):
            f = trace[0]
            where = f" at {f.filename}:{f.lineno}"
        if rg and t._grad is not None:
            lines.append(f"{d} retains its grad and has one.")
            return "\n".join(lines)
        lines.append(
            f"{d} is a non-leaf: the output {t._output_nr} of {t.grad_fn.name()}{where}. "
            "backward() fills .grad only for leaves"
            + (
                "; retain_grad() is on, but no backward has reached it yet."
                if rg
                else ". Call .retain_grad() on it before backward(), or use "
                "autograd.grad(loss, tensor)."
            )
        )
        leaves = _leaves(t)
        if leaves:
            lines.append("Its leaves (which do get .grad): " + "; ".join(leaves) + ".")
        if loss is not None and not _reachable(t, loss):
            lines.append("It is also not reachable from the given loss.")
        return "\n".join(lines)
    # A leaf that requires grad.
    if t._grad is not None:
        import math

        from ..backend import asnumpy

        g = asnumpy(t._grad._data)
        norm = math.sqrt(float((g.astype("float64") ** 2).sum())) if g.size else 0.0
        lines.append(f"{d} is a leaf with a gradient (norm {norm:.6g}).")
        if norm == 0.0:
            lines.append(
                "The gradient is all zeros: the loss depends on it only through flat regions "
                "(relu below 0, clamp outside its range, argmax/rounding ops) or with weight 0."
            )
        return "\n".join(lines)
    if loss is not None:
        if not _reachable(t, loss):
            lines.append(
                f"{d} is not reachable from the loss: the loss does not depend on it (an unused "
                "parameter, or the path was cut by detach(), .data, .item(), a NumPy round-trip "
                "or an op run under no_grad())."
            )
        else:
            lines.append(
                f"{d} is reachable from the loss, but no backward has reached it yet (call "
                "loss.backward()), or its .grad was reset to None (zero_grad(set_to_none=True))."
            )
        return "\n".join(lines)
    acc = t._acc() if t._acc is not None else None
    if acc is None:
        lines.append(
            f"{d} is a leaf that requires grad, but no live graph uses it: either no forward "
            "pass has used it since the last backward, or the loss does not depend on it. "
            "Pass loss= to explain() to check reachability."
        )
    else:
        lines.append(
            f"{d} is a leaf that requires grad and is used by a live graph; .grad stays None "
            "until backward() runs through it (or after zero_grad(set_to_none=True))."
        )
    return "\n".join(lines)
