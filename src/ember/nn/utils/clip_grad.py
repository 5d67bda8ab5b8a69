"""Gradient clipping, in place on ``.grad`` (PyTorch's ``torch.nn.utils.clip_grad_*``)."""

from __future__ import annotations

import math
import warnings

from ...autograd.grad_mode import no_grad
from ...backend import xp_of
from ...tensor import Tensor


def _grads(parameters):
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p._grad for p in parameters if p._grad is not None]


def get_total_norm(tensors, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """The ``norm_type`` norm of all ``tensors`` together, as a 0-d tensor."""
    if isinstance(tensors, Tensor):
        tensors = [tensors]
    tensors = list(tensors)
    norm_type = float(norm_type)
    if not tensors:
        from ...creation import tensor

        return tensor(0.0)
    datas = [t._data for t in tensors]
    xp = xp_of(datas[0])
    if norm_type == math.inf:
        total = max(float(xp.abs(d).max()) if d.size else 0.0 for d in datas)
    elif norm_type == -math.inf:
        total = min(float(xp.abs(d).min()) if d.size else math.inf for d in datas)
    else:
        # Each tensor's norm first, then the norm of the norms (PyTorch's order).
        norms = [
            float(xp.linalg.norm(d.reshape(-1).astype(xp.float64), ord=norm_type))
            if d.size
            else 0.0
            for d in datas
        ]
        total = float(xp.linalg.norm(xp.asarray(norms), ord=norm_type))
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is non-finite, "
            "so it cannot be clipped. To disable this error and scale the gradients by the "
            "non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    return Tensor._make(xp.asarray(total, dtype=datas[0].dtype))


def clip_grad_norm_(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Scale all gradients so their joint norm is at most ``max_norm``; returns the norm."""
    parameters = [parameters] if isinstance(parameters, Tensor) else list(parameters)
    grads = _grads(parameters)
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        clip_grads_with_norm_(parameters, max_norm, total, foreach)
    return total


def clip_grads_with_norm_(parameters, max_norm, total_norm, foreach=None):
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))`` in place."""
    coef = float(max_norm) / (float(total_norm._data) + 1e-6)
    if coef < 1.0:
        with no_grad():
            for g in _grads(parameters):
                g._data *= g._data.dtype.type(coef)
                g._bump_version("gradient clipping", site=False)


def clip_grad_norm(parameters, max_norm, norm_type=2.0, error_if_nonfinite=False, foreach=None):
    """Deprecated alias of ``clip_grad_norm_``."""
    warnings.warn(
        "`torch.nn.utils.clip_grad_norm` is now deprecated in favor of "
        "`torch.nn.utils.clip_grad_norm_`.",
        FutureWarning,
        stacklevel=2,
    )
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters, clip_value, foreach=None):
    """Clamp every gradient element to [-clip_value, clip_value] in place."""
    clip_value = float(clip_value)
    for g in _grads(parameters):
        xp = xp_of(g._data)
        xp.clip(g._data, -clip_value, clip_value, out=g._data)
        g._bump_version("gradient clipping", site=False)
