"""Window functions for spectral analysis (``hann_window``, ``hamming_window``,
``blackman_window``, ``bartlett_window``, ``kaiser_window``): 1-d factories.

A periodic window of length N is the symmetric window of length N + 1 without its last
point (the form ``stft`` wants).  Values are computed in the requested dtype, as PyTorch's
kernels do, so float32 windows round as PyTorch's."""

from __future__ import annotations

import math

from . import dtypes as _dt
from .backend import np
from .creation import _finish

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


def _window(name, window_length, periodic, dtype, device, requires_grad, values):
    d = _dt.get_default_dtype() if dtype is None else _dt.dtype_arg(dtype, name)
    if d.np.kind != "f":
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions("
            f"dtype={_dt.C_TYPE_NAMES[d.name]}, device=cpu, layout=Strided (default), "
            "requires_grad=false (default), pinned_memory=false (default), memory_format=(nullopt))"
        )
    n = int(window_length)
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={n}")
    if n <= 1:
        data = np.ones(n, dtype=d.np)
    else:
        m = n + 1 if periodic else n
        data = values(np.arange(m, dtype=d.np), m, d.np)[:n].astype(d.np, copy=False)
    return _finish(np.ascontiguousarray(data), requires_grad, device)


def _cos_sum(coefficients):
    def values(k, m, t):
        step = t.type(2 * math.pi / (m - 1))
        out = np.full(k.shape, t.type(coefficients[0]), dtype=t)
        sign = -1
        for j, c in enumerate(coefficients[1:], 1):
            out = out + t.type(sign * c) * np.cos(k * (step * j))
            sign = -sign
        return out

    return values


def hann_window(
    window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False
):
    """Hann window: ``0.5 - 0.5 cos(2 pi n / (N - 1))``."""
    return _window(
        "hann_window", window_length, periodic, dtype, device, requires_grad, _cos_sum((0.5, 0.5))
    )


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None,
                   device=None, requires_grad=False):  # fmt: skip
    """Hamming window: ``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window("hamming_window", window_length, periodic, dtype, device, requires_grad,
                   _cos_sum((alpha, beta)))  # fmt: skip


def blackman_window(
    window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False
):
    """Blackman window: ``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _window("blackman_window", window_length, periodic, dtype, device, requires_grad,
                   _cos_sum((0.42, 0.5, 0.08)))  # fmt: skip


def _bartlett(k, m, t):
    return 1 - np.abs(k * t.type(2 / (m - 1)) - 1)


def bartlett_window(
    window_length, periodic=True, *, dtype=None, layout=None, device=None, requires_grad=False
):
    """Bartlett (triangular) window: ``1 - |2n / (N - 1) - 1|``."""
    return _window(
        "bartlett_window", window_length, periodic, dtype, device, requires_grad, _bartlett
    )


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  requires_grad=False):  # fmt: skip
    """Kaiser window: ``I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta)``."""

    def values(k, m, t):
        r = k * t.type(2 / (m - 1)) - 1
        inner = np.sqrt(np.maximum(1 - r * r, 0)).astype(np.float64)
        return (np.i0(beta * inner) / np.i0(beta)).astype(t)

    return _window("kaiser_window", window_length, periodic, dtype, device, requires_grad, values)
