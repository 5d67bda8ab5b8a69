"""Normalisation functions: batch, instance, layer, group, RMS, local response, p-norm."""

from __future__ import annotations

from ...backend import np


def _blend_into(buffer, value, momentum):
    """``buffer = (1 - momentum) * buffer + momentum * value``, in place, without a graph."""
    b = buffer._data
    b *= 1 - momentum
    b += (momentum * value).astype(b.dtype)
    buffer._version[0] += 1


def _affine(out, weight, bias, shape):
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def _moments(x, dims):
    mean = x.mean(dims, keepdim=True)
    d = x - mean
    return mean, d, (d * d).mean(dims, keepdim=True)


def batch_norm(
    input, running_mean, running_var, weight=None, bias=None, training=False, momentum=0.1, eps=1e-5
):
    """Normalise per channel with batch statistics (training) or running statistics.

    Training normalises with the biased batch variance and folds the unbiased one
    into ``running_var``.
    """
    x = input
    if x.dim() < 2:
        raise ValueError(f"expected 2D or higher input (got {x.dim()}D input)")
    c = x.shape[1]
    if training and (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")
    for name, t in (
        ("running_mean", running_mean),
        ("running_var", running_var),
        ("weight", weight),
        ("bias", bias),
    ):
        if t is not None and t.numel() != c:
            raise RuntimeError(f"{name} should contain {c} elements not {t.numel()}")
    dims = (0,) + tuple(range(2, x.dim()))
    shape = (1, c) + (1,) * (x.dim() - 2)
    if training:
        n = x.numel() // max(c, 1)
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size {x.shape}"
            )
        mean, d, var = _moments(x, dims)
        m = 0.0 if momentum is None else momentum
        if running_mean is not None:
            _blend_into(running_mean, mean._data.reshape(c), m)
        if running_var is not None:
            _blend_into(running_var, var._data.reshape(c) * (n / (n - 1)), m)
        out = d * (var + eps).rsqrt()
    else:
        for name, t in (("running_mean", running_mean), ("running_var", running_var)):
            if t is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
        out = (x - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
    return _affine(out, weight, bias, shape)


def instance_norm(
    input,
    running_mean=None,
    running_var=None,
    weight=None,
    bias=None,
    use_input_stats=True,
    momentum=0.1,
    eps=1e-5,
):
    """Normalise each (sample, channel) over its spatial positions."""
    x = input
    n, c = x.shape[:2]
    dims = tuple(range(2, x.dim()))
    shape = (1, c) + (1,) * (x.dim() - 2)
    if use_input_stats:
        mean, d, var = _moments(x, dims)
        if running_mean is not None:
            k = x.numel() // (n * c)
            _blend_into(running_mean, mean._data.reshape(n, c).mean(0), momentum)
            _blend_into(running_var, (var._data.reshape(n, c) * (k / (k - 1))).mean(0), momentum)
        out = d * (var + eps).rsqrt()
    else:
        out = (x - running_mean.reshape(shape)) * (running_var.reshape(shape) + eps).rsqrt()
    return _affine(out, weight, bias, shape)


def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """Normalise over the last ``len(normalized_shape)`` dimensions."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    normalized_shape = tuple(normalized_shape)
    k = len(normalized_shape)
    if tuple(input.shape[input.dim() - k :]) != normalized_shape or input.dim() < k:
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size"
            f"{list(input.shape)}"
        )
    _, d, var = _moments(input, tuple(range(input.dim() - k, input.dim())))
    out = d * (var + eps).rsqrt()
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def rms_norm(input, normalized_shape, weight=None, eps=None):
    """Scale by the root mean square over the last dimensions."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    dims = tuple(range(input.dim() - len(normalized_shape), input.dim()))
    if eps is None:
        eps = float(np.finfo(input._data.dtype).eps)
    out = input * ((input * input).mean(dims, keepdim=True) + eps).rsqrt()
    return out if weight is None else out * weight


def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """Normalise over groups of channels (and all spatial positions)."""
    n, c = input.shape[:2]
    if c % num_groups:
        raise RuntimeError(
            f"Expected number of channels in input to be divisible by num_groups, but got "
            f"input of shape {input.shape} and num_groups={num_groups}"
        )
    _, d, var = _moments(input.reshape(n, num_groups, -1), -1)
    out = (d * (var + eps).rsqrt()).reshape(input.shape)
    return _affine(out, weight, bias, (1, c) + (1,) * (input.dim() - 2))


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
    norm = input.norm(p, dim, keepdim=True)
    return input / norm.clamp_min(eps).expand_as(input)
