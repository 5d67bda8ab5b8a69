"""Adafactor: Adam-like steps with a factored second moment (row and column averages)."""

from __future__ import annotations

from ..backend import np, xp_of
from ..tensor import Tensor
from ._updates import bump, scalar_state, step_tensor, value_of
from .optimizer import Optimizer, group_defaults


class Adafactor(Optimizer):
    """Adafactor as PyTorch has it: for a matrix (or a batch of them) the second moment is
    kept as row and column averages whose outer product estimates it; vectors keep it
    whole. Steps are relative: ``alpha = max(eps2, rms(p)) * min(lr, 1/sqrt(t))``, with the
    update clipped to an RMS of at most ``d``."""

    _decay_in_gradients = False  # decoupled, from the parameter before the step

    def __init__(self, params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0,
                 *, foreach=None, maximize=False):  # fmt: skip
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, group_defaults(locals()))

    def _step_group(self, group):
        lr, wd, d = value_of(group["lr"]), group["weight_decay"], group["d"]
        eps1, eps2 = group["eps"]
        for p in group["params"]:
            if p._grad is not None and p.is_complex():
                raise RuntimeError("Adafactor does not support complex parameters")
        for p, x, g in self._gradients(group):
            xp = xp_of(x)
            if eps1 is None:
                # as in PyTorch, the first parameter's dtype decides for the whole group
                eps1 = float(np.finfo(x.dtype).eps)
            state = self.state[p]
            if not state:
                state["step"] = scalar_state(0.0)
                if g.ndim > 1:
                    state["row_var"] = Tensor._make(xp.zeros(g.shape[:-1] + (1,), g.dtype))
                    state["col_var"] = Tensor._make(
                        xp.zeros(g.shape[:-2] + (1,) + g.shape[-1:], g.dtype)
                    )
                else:
                    state["variance"] = Tensor._make(xp.zeros_like(g))
            step = step_tensor(state)
            weight = step ** group["beta2_decay"]  # 1 - beta2 at this step
            alpha = max(eps2, _norm(xp, x) / (x.size**0.5)) * min(lr, 1 / (step**0.5))
            if wd:
                x *= 1 - lr * wd
            if g.ndim > 1:
                row, col = state["row_var"]._data, state["col_var"]._data
                row += (xp.mean(g * g, axis=-1, keepdims=True) - row) * weight
                col += (xp.mean(g * g, axis=-2, keepdims=True) - col) * weight
                estimate = (row @ col) / xp.maximum(row.mean(axis=-2, keepdims=True), eps1)
            else:
                var = state["variance"]._data
                var += (g * g - var) * weight
                estimate = var
            update = g / xp.sqrt(xp.maximum(estimate, eps1 * eps1))
            x -= (alpha / max(1.0, _norm(xp, update) / ((update.size**0.5) * d))) * update
            bump(p)
            for v in state.values():
                bump(v)


def _norm(xp, a):
    """The 2-norm of ``a`` as a Python float."""
    return float(xp.sqrt(xp.sum(a * a)))
