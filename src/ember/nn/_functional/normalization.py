"""Normalisation functions: batch, instance, layer, group, RMS, local response, p-norm."""

from __future__ import annotations

import math

from ...autograd.grad_mode import no_grad
from ...backend import np
from ...ops.elementwise import div as _div
from ...ops.normalization import batch_norm, group_norm, layer_norm  # noqa: F401


def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None,
                  use_input_stats=True, momentum=0.1, eps=1e-5):  # fmt: skip
    """Normalise each (sample, channel) over its spatial positions.

    As in PyTorch: batch norm of the input seen as one sample of N*C channels, viewed
    back; the running statistics take the mean over the batch of the per-sample updates.
    """
    x = input
    if use_input_stats and math.prod(x.shape[2:]) == 1:
        raise ValueError(
            f"Expected more than 1 spatial element when training, got input size {x.shape}"
        )
    n, c = x.shape[:2]
    rm = None if running_mean is None else running_mean.repeat(n)
    rv = None if running_var is None else running_var.repeat(n)
    out = batch_norm(x.contiguous().view((1, n * c) + tuple(x.shape[2:])), rm, rv,
                     None if weight is None else weight.repeat(n),
                     None if bias is None else bias.repeat(n), use_input_stats, momentum,
                     eps)  # fmt: skip
    if use_input_stats:
        with no_grad():
            for buffer, rows in ((running_mean, rm), (running_var, rv)):
                if buffer is not None:
                    buffer.copy_(rows.view(n, c).mean(0))
    return out.view(x.shape)


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Scale by the root mean square over the last dimensions."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    dims = tuple(range(input.dim() - len(normalized_shape), input.dim()))
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
    """Divide by ``(k + alpha * mean of x^2 over ``size`` neighbouring channels)^beta``."""
    if input.dim() < 3:
        # PyTorch's message carries a run of spaces from its source layout; kept verbatim.
        raise ValueError(
            "Expected 3D or higher dimensionality" + " " * 26 + f"input (got {input.dim()} "
            "dimensions)"
        )
    if input.numel() == 0:
        return input
    from .padding import pad

    c = input.shape[1]
    sq = input * input
    # Zero-pad the channel axis (size // 2 before, (size - 1) // 2 after), then add the
    # ``size`` shifted windows: a sliding sum over channels.
    tail = input.dim() - 2
    padded = pad(sq, (0, 0) * tail + (size // 2, (size - 1) // 2))
    total = padded[:, 0:c]
    for j in range(1, size):
        total = total + padded[:, j : j + c]
    div = ((total / size) * alpha + k) ** beta
    return input / div


def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """``input / max(||input||_p, eps)`` along ``dim``."""
    denom = input.norm(p, dim, keepdim=True).clamp_min(eps).expand_as(input)
    if out is None:
        return input / denom
    return _div(input, denom, out=out)
