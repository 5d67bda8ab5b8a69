"""Adam, AdamW (decoupled weight decay) and Adamax."""

from __future__ import annotations

import math

from ..backend import xp_of
from .optimizer import (
    Optimizer,
    bump,
    check_nonnegative,
    grad_of,
    group_defaults,
    state_buffer,
    step_tensor,
)


def _check(lr, eps, betas, weight_decay):
    check_nonnegative(lr=lr, eps=eps)
    if not 0.0 <= betas[0] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
    if not 0.0 <= betas[1] < 1.0:
        raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
    check_nonnegative(weight_decay=weight_decay)


class Adam(Optimizer):
    """Adam; ``weight_decay`` is a coupled L2 term unless ``decoupled_weight_decay``."""

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        amsgrad=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
        fused=None,
        decoupled_weight_decay=False,
    ):
        _check(lr, eps, betas, weight_decay)
        defaults = group_defaults(locals())
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        wd, amsgrad, maximize = group["weight_decay"], group["amsgrad"], group["maximize"]
        decoupled = group.get("decoupled_weight_decay", False)
        for p in group["params"]:
            g = grad_of(p, maximize)
            if g is None:
                continue
            data = p._data
            xp = xp_of(data)
            state = self.state[p]
            m = state_buffer(state, "exp_avg", p)
            v = state_buffer(state, "exp_avg_sq", p)
            if amsgrad:
                vmax = state_buffer(state, "max_exp_avg_sq", p)
            step = step_tensor(state)
            if wd:
                if decoupled:
                    data *= 1 - lr * wd
                else:
                    g = g + wd * data
            md, vd = m._data, v._data
            md += (g - md) * (1 - b1)  # lerp, as PyTorch computes it
            vd *= b2
            vd += (1 - b2) * g * g
            bc1 = 1 - b1**step
            bc2_sqrt = math.sqrt(1 - b2**step)
            if amsgrad:
                xp.maximum(vmax._data, vd, out=vmax._data)
                denom = xp.sqrt(vmax._data) / bc2_sqrt + eps
                bump(vmax)
            else:
                denom = xp.sqrt(vd) / bc2_sqrt + eps
            data -= (lr / bc1) * (md / denom)
            bump(m)
            bump(v)
            bump(p)


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the step."""

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=1e-2,
        amsgrad=False,
        *,
        maximize=False,
        foreach=None,
        capturable=False,
        differentiable=False,
        fused=None,
    ):
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )


class Adamax(Optimizer):
    """Adam with the infinity norm."""

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        capturable=False,
    ):
        _check(lr, eps, betas, weight_decay)
        defaults = group_defaults(locals())
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        wd, maximize = group["weight_decay"], group["maximize"]
        for p in group["params"]:
            g = grad_of(p, maximize)
            if g is None:
                continue
            data = p._data
            xp = xp_of(data)
            state = self.state[p]
            m = state_buffer(state, "exp_avg", p)
            u = state_buffer(state, "exp_inf", p)
            step = step_tensor(state)
            if wd:
                g = g + wd * data
            md, ud = m._data, u._data
            md += (g - md) * (1 - b1)
            ud *= b2
            xp.maximum(ud, xp.abs(g) + eps, out=ud)
            clr = lr / (1 - b1**step)
            data -= clr * (md / ud)
            bump(m)
            bump(u)
            bump(p)
