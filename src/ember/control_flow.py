"""``cond``: data-dependent branching as one graph operation, run eagerly.

With a Python ``pred`` the chosen branch is simply called.  With a tensor ``pred`` both
branches are checked, as PyTorch's tracing checks them (same output structure, shapes
and dtypes; no output aliasing an input), and the taken one runs as one autograd node,
``CondAutogradOpBackward``, whose backward differentiates that branch again."""

from __future__ import annotations

from .autograd import grad as _grad
from .autograd.function import Function
from .autograd.grad_mode import enable_grad, is_grad_enabled, no_grad
from .tensor_base import TensorBase

__all__ = ["cond"]

_ALIASING = (
    "This higher order operator doesn't work unless it is captured completely with "
    "torch.compile. Got graph break/error:\n\nEncountered aliasing during higher order op "
    "tracing"
)


def _leaves(tree):
    """The leaves of nested tuples/lists/dicts, in order."""
    out, stack = [], [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, (tuple, list)):
            stack.extend(reversed(node))
        else:
            out.append(node)
    return out


def _shares(a, b):
    from .backend import np

    return np.shares_memory(a._data, b._data)


class CondAutogradOp(Function):
    """The taken branch of ``cond`` as one node; backward re-runs it to differentiate."""

    @staticmethod
    def forward(ctx, fn, *operands):
        ctx.fn = fn
        ctx.save_for_backward(*operands)
        with no_grad():
            return fn(*operands)

    @staticmethod
    def backward(ctx, *grads):
        operands = ctx.saved_tensors
        create = is_grad_enabled()
        with enable_grad():
            ins = [o.detach().requires_grad_(o.requires_grad) for o in operands]
            out = ctx.fn(*ins)
        outs = [o for o in _leaves(out) if isinstance(o, TensorBase)]
        want = [i for i in ins if i.requires_grad]
        pairs = [(o, g) for o, g in zip(outs, grads) if o.requires_grad and g is not None]
        found = iter(
            _grad(
                [o for o, _ in pairs],
                want,
                [g for _, g in pairs],
                allow_unused=True,
                create_graph=create,
            )
            if pairs and want
            else [None] * len(want)
        )
        return (None,) + tuple(next(found) if i.requires_grad else None for i in ins)


def _signature(out):
    return [
        (tuple(o.shape), o.dtype) if isinstance(o, TensorBase) else type(o) for o in _leaves(out)
    ]


def cond(pred, true_fn, false_fn, operands=()):
    """``true_fn(*operands)`` if ``pred`` else ``false_fn(*operands)``; with a tensor
    ``pred`` (one element) the branches must agree in output shapes and dtypes."""
    operands = tuple(operands)
    if not isinstance(pred, TensorBase):
        return (true_fn if pred else false_fn)(*operands)
    if pred.numel() != 1:
        raise RuntimeError(f"Expected pred to be bool or single-element tensor, but got {pred!r}.")
    if not all(isinstance(o, TensorBase) for o in _leaves(operands)):
        raise RuntimeError(
            "Expect operands to be a tuple of possibly nested dict/list/tuple that only "
            f"consists of tensor leaves, but got {operands!r}."
        )
    with no_grad():
        outs = [true_fn(*operands), false_fn(*operands)]
    for out in outs:
        for o in _leaves(out):
            if isinstance(o, TensorBase) and any(_shares(o, i) for i in _leaves(operands)):
                raise RuntimeError(_ALIASING)
    if _signature(outs[0]) != _signature(outs[1]):
        raise RuntimeError(
            "RuntimeError when making fake tensor call. Ember: the branches of cond must "
            f"return the same structure of tensors, got {_signature(outs[0])} and "
            f"{_signature(outs[1])}."
        )
    fn = true_fn if bool(pred.item()) else false_fn
    if not (is_grad_enabled() and any(o.requires_grad for o in _leaves(operands))):
        return outs[0] if fn is true_fn else outs[1]
    return CondAutogradOp.apply(fn, *operands)
