"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from ..tensor import Tensor
from ._updates import add_scaled_, bump, value_of, values
from .optimizer import Optimizer, check_fused, group_defaults, required


class SGD(Optimizer):
    """``p -= lr * g`` with optional momentum (buffer starts as the first gradient)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *,
                 maximize=False, foreach=None, differentiable=False, fused=None):  # fmt: skip
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, group_defaults(locals()))
        check_fused(self.defaults)

    def _step_group(self, group):
        # no state unless there is momentum (PyTorch saves none either)
        lr, mom = value_of(group["lr"]), group["momentum"]
        for p, x, g in self._gradients(group):
            if mom:
                g = self._momentum(p, x, g, group)
            if isinstance(x, Tensor):
                x -= lr * g
                continue
            if lr == 1:
                x -= g
            else:
                add_scaled_(x, -lr, g)
            bump(p)

    def _momentum(self, p, x, g, group):
        """Update the momentum buffer with ``g``; return the direction to step along."""
        mom, damp = group["momentum"], group["dampening"]
        state = self.state[p]
        buf = state.get("momentum_buffer")
        if buf is None:
            # the buffer starts as a copy of the first gradient, cut from any graph
            arr = g.detach().clone()._data if isinstance(g, Tensor) else g.copy()
            buf = state["momentum_buffer"] = Tensor._make(arr)
            b = values(buf, x)
        else:
            b = values(buf, x)
            b *= mom
            b += (1 - damp) * g if damp else g
            if not isinstance(x, Tensor):
                bump(buf)
        return g + mom * b if group["nesterov"] else b
