"""NAdam (Nesterov-accelerated Adam) and RAdam (rectified Adam)."""

from __future__ import annotations

import math

from ..backend import np, xp_of
from ..tensor import Tensor
from .adam import _check
from .optimizer import (
    Optimizer,
    bump,
    check_nonnegative,
    grad_of,
    group_defaults,
    state_buffer,
    step_tensor,
)


class NAdam(Optimizer):
    """Adam with Nesterov momentum and a momentum-decay schedule."""

    def __init__(
        self,
        params,
        lr=2e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        momentum_decay=4e-3,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        _check(lr, eps, betas, weight_decay)
        check_nonnegative(momentum_decay=momentum_decay)
        defaults = group_defaults(locals())
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, (b1, b2), eps = group["lr"], group["betas"], group["eps"]
        wd, md = group["weight_decay"], group["momentum_decay"]
        for p in group["params"]:
            g = grad_of(p, group["maximize"])
            if g is None:
                continue
            data = p._data
            xp = xp_of(data)
            state = self.state[p]
            if "mu_product" not in state:
                # Kept in float32, as PyTorch keeps it.
                state["mu_product"] = Tensor._make(np.ones((), np.float32))
            m = state_buffer(state, "exp_avg", p)
            v = state_buffer(state, "exp_avg_sq", p)
            step = step_tensor(state)
            bc2 = 1 - b2**step
            if wd:
                if group["decoupled_weight_decay"]:
                    data *= 1 - lr * wd
                else:
                    g = g + wd * data
            mu = b1 * (1.0 - 0.5 * (0.96 ** (step * md)))
            mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * md)))
            mp = state["mu_product"]
            mp._data *= mu
            mu_product = float(mp._data)
            md_, vd = m._data, v._data
            md_ += (g - md_) * (1 - b1)
            vd *= b2
            vd += (1 - b2) * g * g
            denom = xp.sqrt(vd / bc2) + eps
            data += (-lr * (1.0 - mu) / (1.0 - mu_product)) * (g / denom)
            data += ((-lr * mu_next) / (1.0 - mu_product * mu_next)) * (md_ / denom)
            bump(m)
            bump(v)
            bump(p)


class RAdam(Optimizer):
    """Adam with the variance of the adaptive learning rate rectified."""

    def __init__(
        self,
        params,
        lr=1e-3,
        betas=(0.9, 0.999),
        eps=1e-8,
        weight_decay=0,
        decoupled_weight_decay=False,
        *,
        foreach=None,
        maximize=False,
        capturable=False,
        differentiable=False,
    ):
        _check(lr, eps, betas, weight_decay)
        defaults = group_defaults(locals())
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, (b1, b2), eps, wd = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        for p in group["params"]:
            g = grad_of(p, group["maximize"])
            if g is None:
                continue
            data = p._data
            xp = xp_of(data)
            state = self.state[p]
            m = state_buffer(state, "exp_avg", p)
            v = state_buffer(state, "exp_avg_sq", p)
            step = step_tensor(state)
            if wd:
                if group["decoupled_weight_decay"]:
                    data *= 1 - lr * wd
                else:
                    g = g + wd * data
            md, vd = m._data, v._data
            md += (g - md) * (1 - b1)
            vd *= b2
            vd += (1 - b2) * g * g
            bc1 = 1 - b1**step
            bc2 = 1 - b2**step
            corrected = md / bc1
            rho_inf = 2 / (1 - b2) - 1
            rho_t = rho_inf - 2 * step * (b2**step) / bc2
            if rho_t > 5.0:
                rect = math.sqrt(
                    (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
                )
                adaptive = (bc2**0.5) / (xp.sqrt(vd) + eps)
                data -= corrected * lr * adaptive * rect
            else:
                data -= corrected * lr
            bump(m)
            bump(v)
            bump(p)
