"""Padding: constant, reflect, replicate and circular."""

from __future__ import annotations

from ...backend import np
from ...tensor import Tensor


def pad(input, pad, mode: str = "constant", value=None):
    """Pad the last ``len(pad) // 2`` dimensions (pairs given from the last dimension back)."""
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    nd = len(pad) // 2
    if nd > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.dim()}"
        )
    pairs = [(0, 0)] * (input.dim() - nd) + [
        (pad[2 * (nd - 1 - i)], pad[2 * (nd - 1 - i) + 1]) for i in range(nd)
    ]
    if mode == "constant":
        return _constant_pad(input, pairs, 0.0 if value is None else value)
    x = input
    for axis, (lo, hi) in enumerate(pairs):
        if not lo and not hi:
            continue
        n = x.shape[axis]
        pos = np.arange(-lo, n + hi)
        if mode == "reflect":
            if lo >= n or hi >= n:
                raise RuntimeError(
                    f"Argument #4: Padding size should be less than the corresponding input "
                    f"dimension, but got: padding ({lo}, {hi}) at dimension {axis} of input "
                    f"{list(input.shape)}"
                )
            period = 2 * (n - 1) if n > 1 else 1
            m = np.mod(pos, period)
            idx = np.where(m < n, m, period - m)
        elif mode == "replicate":
            idx = np.clip(pos, 0, n - 1)
        elif mode == "circular":
            idx = np.mod(pos, n)
        else:
            raise NotImplementedError(f"Unsupported padding mode: {mode}")
        x = x.index_select(axis, Tensor._make(idx.astype(np.int64)))
    return x


def _constant_pad(input, pairs, value):
    from ...creation import full

    crop = tuple(slice(max(-lo, 0), n - max(-hi, 0)) for (lo, hi), n in zip(pairs, input.shape))
    x = input[crop] if any(lo < 0 or hi < 0 for lo, hi in pairs) else input
    pairs = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    if not any(lo or hi for lo, hi in pairs):
        return x
    shape = tuple(n + lo + hi for (lo, hi), n in zip(pairs, x.shape))
    out = full(shape, value, dtype=x.dtype)
    region = tuple(slice(lo, lo + n) for (lo, _), n in zip(pairs, x.shape))
    out[region] = x
    return out
