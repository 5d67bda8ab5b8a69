"""``ember.autograd.forward_ad``: dual tensors, with tangents derived from reverse mode.

Ember has no per-op forward rules.  ``make_dual(p, t)`` returns a tensor recorded in the
graph (a seed); ``unpack_dual(y)`` computes ``y``'s tangent on demand as the
Jacobian-vector product ``sum_k J_{y,seed_k} t_k`` with the double-vjp trick
(``J t = d/du <J^T u, t>``).  Because every backward rule is written with Ember ops and is
linear in its incoming gradient, this works for every differentiable op, custom
``Function`` subclasses included when their backward is differentiable.

Differences from PyTorch: a dual tensor reports ``requires_grad=True`` (it lives in the
reverse graph), and each ``unpack_dual`` costs two backward passes.
"""

from __future__ import annotations

from collections import namedtuple

from .function import Function

__all__ = [
    "UnpackedDualTensor",
    "dual_level",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
]

UnpackedDualTensor = namedtuple("UnpackedDualTensor", ["primal", "tangent"])

_state = {"level": None, "seeds": []}


def enter_dual_level():
    """Enter a new forward-AD level (only one at a time); returns its index."""
    if _state["level"] is not None:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _state["level"] = 0
    _state["seeds"] = []
    return 0


def exit_dual_level(*, level=None):
    """Leave the current level: every dual tensor made in it loses its tangent."""
    if _state["level"] is None:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    _state["level"] = None
    _state["seeds"] = []


class dual_level:
    """Context manager for a forward-AD level: ``with dual_level(): ...``."""

    def __enter__(self):
        return enter_dual_level()

    def __exit__(self, *exc):
        exit_dual_level()
        return False


class _Seed(Function):
    """Identity that marks a dual tensor in the graph."""

    @staticmethod
    def forward(ctx, x):
        return x.view_as(x)

    @staticmethod
    def backward(ctx, grad):
        return grad


def make_dual(tensor, tangent, *, level=None):
    """A tensor with primal ``tensor`` and tangent ``tangent`` (inside ``dual_level``)."""
    if _state["level"] is None:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    for what, t in (("primal", tensor), ("tangent", tangent)):
        if not (t.is_floating_point() or t.is_complex()):
            raise ValueError(f"Expected {what} to be floating point or complex, but got: {t.dtype}")
    if tuple(tangent.shape) != tuple(tensor.shape):
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    from .grad_mode import enable_grad

    src = tensor if tensor.requires_grad else tensor.detach().requires_grad_(True)
    with enable_grad():
        dual = _Seed.apply(src)
    _state["seeds"].append((dual, tangent.detach().to(tensor.dtype)))
    return dual


def _reachable_seeds(y):
    """The seeds whose node can be reached from ``y`` (iterative walk)."""
    fn = y.grad_fn
    if fn is None:
        return []
    by_node = {}
    for dual, tangent in _state["seeds"]:
        by_node.setdefault(dual.grad_fn, []).append((dual, tangent))
    found = []
    seen = {fn}
    stack = [fn]
    while stack:
        n = stack.pop()
        if n in by_node:
            found.extend(by_node[n])
        for child, _ in getattr(n, "_next", ()):
            if child is not None and child not in seen:
                seen.add(child)
                stack.append(child)
    return found


def unpack_dual(tensor, *, level=None):
    """``(primal, tangent)`` of ``tensor``; the tangent is None outside a level or if unset."""
    if _state["level"] is None or not tensor.requires_grad:
        return UnpackedDualTensor(tensor, None)
    seeds = _reachable_seeds(tensor)
    if not seeds:
        return UnpackedDualTensor(tensor, None)
    return UnpackedDualTensor(tensor, _jvp(tensor, seeds))


def _jvp(y, seeds):
    from ..creation import zeros_like
    from . import grad as autograd_grad
    from .grad_mode import enable_grad

    if not (y.is_floating_point() or y.is_complex()):
        return None
    duals = [d for d, _ in seeds]
    tangents = [t for _, t in seeds]
    with enable_grad():
        u = zeros_like(y).requires_grad_(True)
        vjps = autograd_grad(y, duals, u, create_graph=True, retain_graph=True, allow_unused=True)
        pairs = [(g, t) for g, t in zip(vjps, tangents) if g is not None and g.requires_grad]
        if not pairs:
            return zeros_like(y)
        (out,) = autograd_grad([g for g, _ in pairs], u, [t for _, t in pairs], retain_graph=True,
                               allow_unused=True)  # fmt: skip
    return zeros_like(y) if out is None else out.detach()
