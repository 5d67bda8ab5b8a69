"""Stochastic gradient descent with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from .optimizer import Optimizer, add_scaled_, bump, grad_of, group_defaults, required


class SGD(Optimizer):
    """``p -= lr * g`` with optional momentum (buffer starts as the first gradient)."""

    def __init__(
        self,
        params,
        lr=1e-3,
        momentum=0,
        dampening=0,
        weight_decay=0,
        nesterov=False,
        *,
        maximize=False,
        foreach=None,
        differentiable=False,
        fused=None,
    ):
        if lr is not required and lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = group_defaults(locals())
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, mom, damp = group["lr"], group["momentum"], group["dampening"]
        wd, nesterov, maximize = group["weight_decay"], group["nesterov"], group["maximize"]
        for p in group["params"]:
            g = grad_of(p, maximize)
            if g is None:
                continue
            data = p._data
            if wd:
                g = g + wd * data
            if mom:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    from ..tensor import Tensor

                    buf = state["momentum_buffer"] = Tensor._make(g.copy())
                else:
                    b = buf._data
                    b *= mom
                    if damp:
                        b += (1 - damp) * g
                    else:
                        b += g
                    bump(buf)
                g = g + mom * buf._data if nesterov else buf._data
            if lr == 1:
                data -= g
            else:
                add_scaled_(data, -lr, g)
            bump(p)
