"""The Adam family: Adam, AdamW, Adamax, NAdam and RAdam on one shared step; SparseAdam.

``_AdamBase._update`` does what the five share, once: the gradient (negated under
``maximize``, coupled or decoupled weight decay: ``Optimizer._gradients``), the state
(``step``, ``exp_avg``, the second moment), the first moment ``m = lerp(m, g, 1 - beta1)``,
the second moment ``v = beta2 * v + (1 - beta2) * g²`` (Adamax: the infinity norm), and the
bias corrections ``1 - beta**step``. Each optimizer writes only its own parameter update.
"""

from __future__ import annotations

import math

from ..tensor import Tensor
from ._updates import array_module, buffer, maximum_, scalar_state, step_tensor, value_of, values
from .optimizer import Optimizer, check_fused, check_nonnegative, group_defaults


def _check_betas(betas):
    for i in (0, 1):
        if not 0.0 <= betas[i] < 1.0:
            raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")


def _check(lr, eps, betas, weight_decay):
    check_nonnegative(lr=lr, eps=eps)
    _check_betas(betas)
    check_nonnegative(weight_decay=weight_decay)


class _AdamBase(Optimizer):
    """One step for the Adam family; subclasses write ``_apply`` (the parameter update)."""

    _second_moment = "exp_avg_sq"
    _recorded_step_in_dtype = False

    def __init__(self, params, defaults):
        _check(defaults["lr"], defaults["eps"], defaults["betas"], defaults["weight_decay"])
        check_nonnegative(**{k: defaults[k] for k in ("momentum_decay",) if k in defaults})
        self._check_more(defaults)
        super().__init__(params, defaults)
        check_fused(defaults)

    def _check_more(self, defaults):
        """Checks one optimizer of the family adds (after the shared ones)."""

    def _init_state(self, state, p, x, group):
        """Extra state made on the first step (before the step count)."""

    def _update(self, p, x, g, state, group):
        b1, b2 = (value_of(b) for b in group["betas"])
        self._init_state(state, p, x, group)
        m = buffer(state, "exp_avg", p, x)
        v = buffer(state, self._second_moment, p, x)
        step = step_tensor(state)
        if self._recorded_step_in_dtype and isinstance(x, Tensor):
            # PyTorch's recorded Adam and NAdam compute their scalars from the step-count
            # tensor, in its dtype (float32 unless the default dtype is float64)
            step = state["step"]._data[()]
        xp = array_module(x)
        if isinstance(m, Tensor):
            m += (g - m) * (1 - b1)  # lerp, as PyTorch computes it
        else:  # the same arithmetic in one scratch array
            t = g - m
            t *= 1 - b1
            m += t
        self._update_second_moment(xp, v, g, b2, group)
        self._apply(xp, x, g, m, v, state, group, step, 1 - b1**step, 1 - b2**step)

    def _update_second_moment(self, xp, v, g, b2, group):
        v *= b2
        if isinstance(v, Tensor):
            v += (1 - b2) * g * g
        else:
            t = g * (1 - b2)
            t *= g
            v += t

    def _apply(self, xp, x, g, m, v, state, group, step, bc1, bc2):  # pragma: no cover
        raise NotImplementedError


class Adam(_AdamBase):
    """Adam; ``weight_decay`` is a coupled L2 term unless ``decoupled_weight_decay``."""

    _recorded_step_in_dtype = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False,
                 *, foreach=None, maximize=False, capturable=False, differentiable=False,
                 fused=None, decoupled_weight_decay=False):  # fmt: skip
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError(
                "lr as a Tensor is not supported for capturable=False and foreach=True"
            )
        super().__init__(params, group_defaults(locals()))

    def _check_more(self, d):
        # Adam alone takes tensor betas, as PyTorch's does
        betas = d["betas"]
        if not all(isinstance(b, float) for b in betas) and not all(
            isinstance(b, Tensor) for b in betas
        ):
            raise ValueError("betas must be either both floats or both Tensors")
        for i, b in enumerate(betas):
            if isinstance(b, Tensor):
                if d["foreach"] and not d["capturable"]:
                    raise ValueError(
                        f"betas[{i}] as a Tensor is not supported for capturable=False and "
                        "foreach=True"
                    )
                if b.numel() != 1:
                    raise ValueError(f"Tensor betas[{i}] must be 1-element")

    def _init_state(self, state, p, x, group):
        if group["amsgrad"]:
            buffer(state, "max_exp_avg_sq", p, x)

    def _apply(self, xp, x, g, m, v, state, group, step, bc1, bc2):
        lr, eps = value_of(group["lr"]), group["eps"]
        if group["amsgrad"]:
            v = maximum_(values(state["max_exp_avg_sq"], x), v)
        if isinstance(x, Tensor):
            # a recorded step folds the step size into the denominator, as PyTorch's does
            # (its ``number / tensor`` is ``reciprocal(tensor) * number``)
            neg = -((1 / bc1) * lr)
            x += m / (xp.sqrt(v) / float(bc2**0.5 * neg) + float((1 / neg) * eps))
        else:
            d = xp.sqrt(v)
            d /= math.sqrt(bc2)
            d += eps
            if d.dtype != m.dtype:
                x -= (lr / bc1) * (m / d)
                return
            # (lr / bc1) * (m / d) in the scratch array, in the same order
            xp.divide(m, d, out=d)
            d *= lr / bc1
            x -= d


class AdamW(Adam):
    """Adam with decoupled weight decay: ``p *= 1 - lr * weight_decay`` before the step."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False, *, maximize=False, foreach=None, capturable=False,
                 differentiable=False, fused=None):  # fmt: skip
        super().__init__(params, **group_defaults(locals()), decoupled_weight_decay=True)


class Adamax(_AdamBase):
    """Adam with the infinity norm: ``u = max(beta2 * u, |g| + eps)``."""

    _second_moment = "exp_inf"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None,
                 *, maximize=False, differentiable=False, capturable=False):  # fmt: skip
        super().__init__(params, group_defaults(locals()))

    def _update_second_moment(self, xp, v, g, b2, group):
        v *= b2
        maximum_(v, xp.abs(g) + group["eps"])

    def _apply(self, xp, x, g, m, v, state, group, step, bc1, bc2):
        x -= (value_of(group["lr"]) / bc1) * (m / v)


class NAdam(_AdamBase):
    """Adam with Nesterov momentum and a momentum-decay schedule."""

    _capturable_tensors = "params, mu_products and state_steps"

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 momentum_decay=4e-3, decoupled_weight_decay=False, *, foreach=None, maximize=False,
                 capturable=False, differentiable=False):  # fmt: skip
        super().__init__(params, group_defaults(locals()))

    def _init_state(self, state, p, x, group):
        if "mu_product" not in state:
            state["mu_product"] = scalar_state(1.0)

    def _apply(self, xp, x, g, m, v, state, group, step, bc1, bc2):
        lr, b1, decay = value_of(group["lr"]), value_of(group["betas"][0]), group["momentum_decay"]
        mu = b1 * (1.0 - 0.5 * (0.96 ** (step * decay)))
        mu_next = b1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * decay)))
        product = state["mu_product"]
        product._data *= mu
        recorded = isinstance(x, Tensor)
        mu_product = product._data[()] if recorded else float(product._data)
        denom = xp.sqrt(v / bc2) + group["eps"]
        if recorded:
            # the product is a float32 tensor there, and ``number / tensor`` is
            # ``reciprocal(tensor) * number``
            x += (g * float((1 / (1.0 - mu_product)) * (-lr * (1.0 - mu)))) / denom
            x += (m * float((1 / (1.0 - mu_product * mu_next)) * (-lr * mu_next))) / denom
        else:
            c_grad = -lr * (1.0 - mu) / (1.0 - mu_product)
            c_avg = (-lr * mu_next) / (1.0 - mu_product * mu_next)
            x += c_grad * (g / denom)
            x += c_avg * (m / denom)


class RAdam(_AdamBase):
    """Adam with the variance of the adaptive learning rate rectified."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False):  # fmt: skip
        super().__init__(params, group_defaults(locals()))

    def _apply(self, xp, x, g, m, v, state, group, step, bc1, bc2):
        lr, b2 = value_of(group["lr"]), value_of(group["betas"][1])
        corrected = m / bc1
        rho_inf = 2 / (1 - b2) - 1
        rho_t = rho_inf - 2 * step * (b2**step) / bc2
        if rho_t > 5.0:
            rect = math.sqrt(
                (rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)
            )
            adaptive = (bc2**0.5) / (xp.sqrt(v) + group["eps"])
            x -= corrected * lr * adaptive * rect
        else:
            x -= corrected * lr


class SparseAdam(Optimizer):
    """Adam for sparse gradients (PyTorch's ``SparseAdam``).

    Ember's gradients are always dense (it has no sparse tensors), and PyTorch's
    SparseAdam refuses dense gradients, so a step with any gradient raises PyTorch's error.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        super().__init__(params, group_defaults(locals()))
        complex_params = [
            [i, j]
            for i, group in enumerate(self.param_groups)
            for j, p in enumerate(group["params"])
            if p.is_complex()
        ]
        if complex_params:
            raise ValueError(
                f"Complex params at indices {complex_params}: SparseAdam does not support "
                "complex parameters"
            )

    def _step_group(self, group):
        if any(p._grad is not None for p in group["params"]):
            raise RuntimeError(
                "SparseAdam does not support dense gradients, please consider Adam instead"
            )
