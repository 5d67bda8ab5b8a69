"""Rprop: resilient backpropagation, per-coordinate step sizes driven by gradient signs."""

from __future__ import annotations

from ._updates import array_module, buffer, clamp_, step_tensor, value_of
from .optimizer import Optimizer, check_nonnegative, group_defaults


class Rprop(Optimizer):
    """Grow a coordinate's step by ``etas[1]`` while its gradient keeps its sign, shrink it by
    ``etas[0]`` when the sign flips (skipping that update), and move by ``-sign(g) * step``."""

    def __init__(self, params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False,
                 foreach=None, maximize=False, differentiable=False):  # fmt: skip
        check_nonnegative(lr=lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, group_defaults(locals()))

    def _update(self, p, x, g, state, group):
        step_tensor(state)
        prev = buffer(state, "prev", p, x)
        step_size = buffer(state, "step_size", p, x, value_of(group["lr"]))
        shrink, grow = group["etas"]
        xp = array_module(x)
        # the factor per coordinate, in the gradient's dtype: grow where the gradient kept
        # its sign, shrink where it flipped, 1 where either is zero
        factor = xp.sign(g * prev)
        factor[factor > 0] = grow
        factor[factor < 0] = shrink
        factor[factor == 0] = 1
        step_size *= factor
        clamp_(step_size, *group["step_sizes"])
        # after a sign flip the coordinate waits one step (its gradient counts as zero)
        g = xp.where(factor == shrink, 0.0, g)
        x -= xp.sign(g) * step_size
        prev[...] = g
