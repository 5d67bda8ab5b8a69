"""RMSprop, Adagrad and Adadelta."""

from __future__ import annotations

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


class RMSprop(Optimizer):
    """Divide the gradient by a running RMS of recent gradients (optionally centered)."""

    def __init__(
        self,
        params,
        lr=1e-2,
        alpha=0.99,
        eps=1e-8,
        weight_decay=0,
        momentum=0,
        centered=False,
        capturable=False,
        foreach=None,
        maximize=False,
        differentiable=False,
    ):
        check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        defaults = group_defaults(locals())
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
        wd, mom, centered = group["weight_decay"], group["momentum"], group["centered"]
        for p in group["params"]:
            g = grad_of(p, group["maximize"])
            if g is None:
                continue
            data = p._data
            xp = xp_of(data)
            state = self.state[p]
            step_tensor(state)
            sq = state_buffer(state, "square_avg", p)
            if wd:
                g = g + wd * data
            sqd = sq._data
            sqd *= alpha
            sqd += (1 - alpha) * g * g
            bump(sq)
            if centered:
                ga = state_buffer(state, "grad_avg", p)
                gad = ga._data
                gad += (g - gad) * (1 - alpha)
                bump(ga)
                avg = xp.sqrt(sqd - gad * gad) + eps
            else:
                avg = xp.sqrt(sqd) + eps
            if mom > 0:
                buf = state_buffer(state, "momentum_buffer", p)
                b = buf._data
                b *= mom
                b += g / avg
                bump(buf)
                data -= lr * b
            else:
                data -= lr * (g / avg)
            bump(p)


class Adagrad(Optimizer):
    """Scale each coordinate by the root of its summed squared gradients."""

    def __init__(
        self,
        params,
        lr=1e-2,
        lr_decay=0,
        weight_decay=0,
        initial_accumulator_value=0,
        eps=1e-10,
        foreach=None,
        *,
        maximize=False,
        differentiable=False,
        fused=None,
    ):
        check_nonnegative(
            lr=lr,
            lr_decay=lr_decay,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            eps=eps,
        )
        defaults = group_defaults(locals())
        super().__init__(params, defaults)
        from ..backend import np
        from ..tensor import Tensor

        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = Tensor._make(np.zeros((), np.float32))
                state_buffer(state, "sum", p, group["initial_accumulator_value"])

    def _step_group(self, group):
        lr, lr_decay, eps, wd = group["lr"], group["lr_decay"], group["eps"], group["weight_decay"]
        for p in group["params"]:
            g = grad_of(p, group["maximize"])
            if g is None:
                continue
            data = p._data
            xp = xp_of(data)
            state = self.state[p]
            step = step_tensor(state)
            if wd:
                g = g + wd * data
            clr = lr / (1 + (step - 1) * lr_decay)
            s = state_buffer(state, "sum", p)
            s._data += g * g
            bump(s)
            data -= clr * (g / (xp.sqrt(s._data) + eps))
            bump(p)


class Adadelta(Optimizer):
    """Adadelta: step sizes from running averages of squared gradients and updates."""

    def __init__(
        self,
        params,
        lr=1.0,
        rho=0.9,
        eps=1e-6,
        weight_decay=0,
        foreach=None,
        *,
        capturable=False,
        maximize=False,
        differentiable=False,
    ):
        check_nonnegative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(eps=eps, weight_decay=weight_decay)
        defaults = group_defaults(locals())
        super().__init__(params, defaults)

    def _step_group(self, group):
        lr, rho, eps, wd = group["lr"], group["rho"], group["eps"], group["weight_decay"]
        for p in group["params"]:
            g = grad_of(p, group["maximize"])
            if g is None:
                continue
            data = p._data
            xp = xp_of(data)
            state = self.state[p]
            step_tensor(state)
            sq = state_buffer(state, "square_avg", p)
            acc = state_buffer(state, "acc_delta", p)
            if wd:
                g = g + wd * data
            sqd, accd = sq._data, acc._data
            sqd *= rho
            sqd += (1 - rho) * g * g
            std = xp.sqrt(sqd + eps)
            delta = xp.sqrt(accd + eps) / std * g
            accd *= rho
            accd += (1 - rho) * delta * delta
            data -= lr * delta
            bump(sq)
            bump(acc)
            bump(p)
