"""The RMSprop family: RMSprop, Adagrad and Adadelta on one shared step.

All three scale the step by an accumulator of squared gradients. ``_SquaredGradBase._update``
does what they share, once: the gradient (``maximize``, coupled weight decay:
``Optimizer._gradients``), the step count, and the accumulator ``a = decay * a +
(1 - decay) * g²`` (a running average with RMSprop's ``alpha`` or Adadelta's ``rho``;
Adagrad's plain sum ``a += g²``). Each optimizer writes only its own parameter update.
"""

from __future__ import annotations

from ._updates import array_module, buffer, scalar_state, state_buffer, step_tensor, value_of
from .optimizer import Optimizer, check_fused, check_nonnegative, group_defaults


class _SquaredGradBase(Optimizer):
    """One step for the RMSprop family; subclasses write ``_apply`` (the parameter update)."""

    _accumulator = "square_avg"
    _decay_option = None  # the group option of the running average; None: a plain sum

    def _update(self, p, x, g, state, group):
        step = step_tensor(state)
        acc = buffer(state, self._accumulator, p, x)
        if self._decay_option is None:
            acc += g * g
        else:
            decay = group[self._decay_option]
            acc *= decay
            acc += (1 - decay) * g * g
        self._apply(array_module(x), p, x, g, acc, state, group, step)

    def _apply(self, xp, p, x, g, acc, state, group, step):  # pragma: no cover - abstract
        raise NotImplementedError


class RMSprop(_SquaredGradBase):
    """Divide the gradient by a running RMS of recent gradients (optionally centered)."""

    _decay_option = "alpha"

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):  # fmt: skip
        check_nonnegative(lr=lr, eps=eps, momentum=momentum, weight_decay=weight_decay, alpha=alpha)
        super().__init__(params, group_defaults(locals()))

    def _apply(self, xp, p, x, g, acc, state, group, step):
        alpha, eps, mom = group["alpha"], group["eps"], group["momentum"]
        if group["centered"]:
            avg_g = buffer(state, "grad_avg", p, x)
            avg_g += (g - avg_g) * (1 - alpha)
            avg = xp.sqrt(acc - avg_g * avg_g) + eps
        else:
            avg = xp.sqrt(acc) + eps
        lr = value_of(group["lr"])
        if mom > 0:
            b = buffer(state, "momentum_buffer", p, x)
            b *= mom
            b += g / avg
            x -= lr * b
        else:
            x -= lr * (g / avg)


class Adagrad(_SquaredGradBase):
    """Scale each coordinate by the root of its summed squared gradients."""

    _accumulator = "sum"

    def __init__(self, params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0,
                 eps=1e-10, foreach=None, *, maximize=False, differentiable=False,
                 fused=None):  # fmt: skip
        check_nonnegative(lr=lr, lr_decay=lr_decay, weight_decay=weight_decay,
                          initial_accumulator_value=initial_accumulator_value, eps=eps)  # fmt: skip
        super().__init__(params, group_defaults(locals()))
        check_fused(self.defaults)
        # PyTorch makes Adagrad's state at construction, so it is saved before any step
        for group in self.param_groups:
            for p in group["params"]:
                state = self.state[p]
                state["step"] = scalar_state(0.0)
                state_buffer(state, "sum", p, group["initial_accumulator_value"])

    def _apply(self, xp, p, x, g, acc, state, group, step):
        clr = value_of(group["lr"]) / (1 + (step - 1) * group["lr_decay"])
        x -= clr * (g / (xp.sqrt(acc) + group["eps"]))


class Adadelta(_SquaredGradBase):
    """Adadelta: step sizes from running averages of squared gradients and updates."""

    _decay_option = "rho"

    def __init__(self, params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *,
                 capturable=False, maximize=False, differentiable=False):  # fmt: skip
        check_nonnegative(lr=lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(eps=eps, weight_decay=weight_decay)
        super().__init__(params, group_defaults(locals()))

    _capturable_devices = ["cuda", "xpu", "hpu", "privateuseone"]

    def _apply(self, xp, p, x, g, acc, state, group, step):
        rho, eps = group["rho"], group["eps"]
        acc_delta = buffer(state, "acc_delta", p, x)
        delta = xp.sqrt(acc_delta + eps) / xp.sqrt(acc + eps) * g
        acc_delta *= rho
        acc_delta += (1 - rho) * delta * delta
        x -= value_of(group["lr"]) * delta
