"""ASGD: averaged stochastic gradient descent (Polyak-Ruppert averaging of the iterates)."""

from __future__ import annotations

from ._updates import buffer, scalar_state, step_tensor, value_of
from .optimizer import Optimizer, check_nonnegative, group_defaults


class ASGD(Optimizer):
    """SGD with a decaying step ``eta = lr / (1 + lambd * lr * t)**alpha`` and a running
    average ``ax`` of the iterates, kept from step ``t0`` on."""

    _capturable_tensors = "params, mus, etas, and state_steps"

    def __init__(self, params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0,
                 foreach=None, maximize=False, differentiable=False, capturable=False):  # fmt: skip
        check_nonnegative(lr=lr, weight_decay=weight_decay)
        super().__init__(params, group_defaults(locals()))

    def _update(self, p, x, g, state, group):
        lr, lambd = value_of(group["lr"]), group["lambd"]
        if not state:
            state["step"] = scalar_state(0.0)
            state["eta"] = scalar_state(lr)
            state["mu"] = scalar_state(1.0)
        step = step_tensor(state)
        eta, mu = state["eta"], state["mu"]
        eta_value = float(eta._data)
        ax = buffer(state, "ax", p, x)
        x *= 1 - lambd * eta_value
        x -= eta_value * g
        if float(mu._data) != 1:
            ax += (x - ax) * float(mu._data)
        else:
            ax[...] = x
        # the new eta and mu are rounded to the scalar-state dtype (as PyTorch makes them
        # tensors of the default dtype), even where loading a state dict widened the state
        eta._data[...] = scalar_state(lr / ((1 + lambd * lr * step) ** group["alpha"]))._data
        mu._data[...] = scalar_state(1 / max(1, step - group["t0"]))._data
