"""Window functions for spectral analysis (``hann_window``, ``hamming_window``,
``blackman_window``, ``bartlett_window``, ``kaiser_window``): 1-d factories.

A periodic window of length N is the symmetric window of length N + 1 without its last
point (the form ``stft`` wants).  Values are computed step by step in the requested dtype,
each step rounded as PyTorch's kernels round it (float16 and bfloat16 compute each step in
float32 and round its result), so reduced-precision windows come out bit for bit as
PyTorch's.  Kaiser's Bessel function is NumPy's double-precision one, rounded: within an
ulp of PyTorch's single-precision one, which at float16 very rarely shows."""

from __future__ import annotations

import math

from . import dtypes as _dt
from .backend import np
from .creation import _finish, layout_and_pinning

__all__ = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]

_HALF_NP = (_dt.float16.np, _dt.bfloat16.np)


def _window(name, window_length, periodic, values, dtype, layout, device, requires_grad, pinned):
    layout_and_pinning(name, {"layout": layout})
    d = _dt.get_default_dtype() if dtype is None else _dt.dtype_arg(dtype, name)
    if not (d.is_floating_point or d.is_complex):
        shown = "Strided (default)" if layout is None else "Strided"
        raise RuntimeError(
            f"{name} expects floating point dtypes, got: TensorOptions("
            f"dtype={_dt.C_TYPE_NAMES[d.name]}, device=cpu, layout={shown}, "
            f"requires_grad=false (default), pinned_memory={str(bool(pinned)).lower()}, "
            "memory_format=(nullopt))"
        )
    n = int(window_length)
    if n < 0:
        raise RuntimeError(f"{name} requires non-negative window_length, got window_length={n}")
    layout_and_pinning(name, {"pin_memory": pinned})
    if n <= 1:
        data = np.ones(n, dtype=d.np)
    elif d.is_complex:
        # PyTorch lets complex dtypes through its check, then its arange refuses them.
        raise NotImplementedError(f"\"arange_cpu\" not implemented for '{_dt.scalar_type_name(d)}'")
    else:
        m = n + 1 if periodic else n
        data = values(_Steps(d.np), m)[:n]
    return _finish(np.ascontiguousarray(data), requires_grad, device)


class _Steps:
    """Arithmetic that rounds every step to the window's dtype, as PyTorch's kernels do."""

    def __init__(self, np_dtype):
        self.out = np_dtype
        self.half = np_dtype in _HALF_NP
        self.work = np.dtype(np.float32) if self.half else np_dtype

    def r(self, x):
        """``x`` rounded to the window's dtype (kept in the working dtype)."""
        return x.astype(self.out).astype(self.work) if self.half else x

    def c(self, value):
        """A Python number as PyTorch's arithmetic kernels see it: rounded to the dtype."""
        return self.work.type(self.out.type(value))

    def arange(self, m):
        """``0 .. m - 1`` in the window's dtype (rounded there: bfloat16 past 256)."""
        return self.r(np.arange(m, dtype=self.work))

    def done(self, x):
        """The result in the window's dtype."""
        return x.astype(self.out, copy=False)


def _cos_window(alpha, beta):
    def values(s, m):
        x = s.r(s.arange(m) * s.c(2 * math.pi / (m - 1)))
        x = s.r(np.cos(x))
        x = s.r(x * s.c(-beta))
        return s.done(x + s.c(alpha))

    return values


def _blackman(s, m):
    x = s.r(s.arange(m) * s.c(math.pi / (m - 1)))
    four = s.r(s.r(np.cos(s.r(x * s.c(4)))) * s.c(0.08))
    two = s.r(s.r(np.cos(s.r(x * s.c(2)))) * s.c(0.5))
    return s.done(s.r(four - two) + s.c(0.42))


def hann_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                pin_memory=False, requires_grad=False):  # fmt: skip
    """Hann window: ``0.5 - 0.5 cos(2 pi n / (N - 1))``."""
    return _window("hann_window", window_length, periodic, _cos_window(0.5, 0.5), dtype, layout,
                   device, requires_grad, pin_memory)  # fmt: skip


def hamming_window(window_length, periodic=True, alpha=0.54, beta=0.46, *, dtype=None, layout=None,
                   device=None, pin_memory=False, requires_grad=False):  # fmt: skip
    """Hamming window: ``alpha - beta cos(2 pi n / (N - 1))``."""
    return _window("hamming_window", window_length, periodic, _cos_window(alpha, beta), dtype,
                   layout, device, requires_grad, pin_memory)  # fmt: skip


def blackman_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):  # fmt: skip
    """Blackman window: ``0.42 - 0.5 cos(2 pi n / (N - 1)) + 0.08 cos(4 pi n / (N - 1))``."""
    return _window("blackman_window", window_length, periodic, _blackman, dtype, layout, device,
                   requires_grad, pin_memory)  # fmt: skip


def _bartlett(s, m):
    x = s.r(s.arange(m) * s.c(2 / (m - 1)))
    # The rising half as it is; the falling half mirrored as 2 - x.
    half = (m - 1) // 2 + 1
    x[half:] = s.r(-x[half:] + s.c(2))
    return s.done(x)


def bartlett_window(window_length, periodic=True, *, dtype=None, layout=None, device=None,
                    pin_memory=False, requires_grad=False):  # fmt: skip
    """Bartlett (triangular) window: ``1 - |2n / (N - 1) - 1|``."""
    return _window("bartlett_window", window_length, periodic, _bartlett, dtype, layout, device,
                   requires_grad, pin_memory)  # fmt: skip


def kaiser_window(window_length, periodic=True, beta=12.0, *, dtype=None, layout=None, device=None,
                  pin_memory=False, requires_grad=False):  # fmt: skip
    """Kaiser window: ``I0(beta sqrt(1 - (2n / (N - 1) - 1)^2)) / I0(beta)``."""

    def values(s, m):
        # Kaiser's own kernel keeps its constants in the working precision.
        centre = s.work.type((m - 1) / 2)
        r = (s.arange(m) - centre) / centre
        # The magnitude: a bfloat16 arange past 256 rounds the last point beyond the edge.
        x = (s.work.type(beta) * np.sqrt(np.abs(1 - r * r))).astype(np.float64)
        # Each Bessel value is rounded to the working precision before the division.
        return s.done(np.i0(x).astype(s.work) / s.work.type(np.i0(float(beta))))

    return _window("kaiser_window", window_length, periodic, values, dtype, layout, device,
                   requires_grad, pin_memory)  # fmt: skip
