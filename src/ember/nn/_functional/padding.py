"""Padding: constant, reflect, replicate and circular, with PyTorch's argument checks.

Non-constant modes are a gather along each padded axis with an index array computed on
the host, so their gradient is the matching scatter-add.
"""

from __future__ import annotations

from ...backend import np

_MODES = ("constant", "reflect", "replicate", "circular")
_AXES = ("D", "H", "W")


def _pairs(input, pad):
    """(before, after) per dimension of ``input``, from PyTorch's last-dimension-first list."""
    nd = len(pad) // 2
    tail = [(pad[2 * (nd - 1 - i)], pad[2 * (nd - 1 - i) + 1]) for i in range(nd)]
    return [(0, 0)] * (input.dim() - nd) + tail


def _crop(input, pairs):
    """``input`` with the negative pads cut away (PyTorch's narrow: left, then right)."""
    cuts = []
    for (lo, hi), n in zip(pairs, input.shape):
        start, m = max(-lo, 0), n + min(lo, 0)
        if m < 0 or m + min(hi, 0) < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        cuts.append(slice(start, start + m + min(hi, 0)))
    if any(lo < 0 or hi < 0 for lo, hi in pairs):
        return input[tuple(cuts)]
    return input


def _constant(input, pairs, value):
    from ...creation import full

    x = _crop(input, pairs)
    grow = [(max(lo, 0), max(hi, 0)) for lo, hi in pairs]
    if not any(lo or hi for lo, hi in grow):
        return x if x is not input else input[...]
    out = full(tuple(n + lo + hi for (lo, hi), n in zip(grow, x.shape)), value, dtype=x.dtype)
    out[tuple(slice(lo, lo + n) for (lo, _), n in zip(grow, x.shape))] = x
    return out


def _source_index(mode, lo, hi, n):
    """For each output position along one axis, the input position it copies."""
    pos = np.arange(-lo, n + hi)
    if mode == "replicate":
        return np.clip(pos, 0, n - 1)
    if mode == "circular":
        # Negative pads crop first; the positive ones then wrap around what is left.
        start, stop = max(-lo, 0), n - max(-hi, 0)
        kept = stop - start
        if kept <= 0:  # nothing left to wrap: PyTorch reads unset memory here
            return np.zeros(n + lo + hi, dtype=np.int64)
        return start + np.mod(np.arange(-max(lo, 0), kept + max(hi, 0)), kept)
    period = 2 * (n - 1) if n > 1 else 1
    m = np.mod(pos, period)
    return np.where(m < n, m, period - m)


def _check_non_constant(input, pairs, mode, k):
    shape = list(input.shape)
    batched = input.dim() == k + 2
    if mode != "circular" and any(s == 0 for s in shape[1 if batched else 0 :]):
        raise RuntimeError(
            f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and "
            f"other non-zero dimensions for input, but got: {shape}"
        )
    axes = list(range(input.dim() - 1, input.dim() - 1 - k, -1))  # last dimension first
    for j, axis in enumerate(axes):
        lo, hi, n = *pairs[axis], shape[axis]
        if mode == "reflect" and (lo >= n or hi >= n):
            raise RuntimeError(
                f"Argument #{4 + 2 * j}: Padding size should be less than the corresponding input "
                f"dimension, but got: padding ({lo}, {hi}) at dimension {axis} of input {shape}"
            )
        if mode == "circular" and (lo > n or hi > n):
            raise RuntimeError("Padding value causes wrapping around more than once.")
    spatial = shape[-k:]
    out = [n + lo + hi for (lo, hi), n in zip(pairs[-k:], spatial)]
    if mode == "circular":
        if any(o < 0 for o in out):
            raise RuntimeError("Negative padding value is resulting in an empty dimension")
        return
    if all(o < 1 for o in out):
        names = _AXES[3 - k :]
        if k == 3:
            given = f"D: {spatial[0]} H: {spatial[1]}, W: {spatial[2]}"
        else:
            given = ", ".join(f"{a}: {s}" for a, s in zip(names, spatial))
            given += " " if (k == 2 and mode == "replicate") else ""
        calc = " ".join(f"{a}: {o}" for a, o in zip(names, out))
        raise RuntimeError(f"input ({given}) is too small. Calculated output {calc}")
    if any(o < 0 for o in out):
        if mode == "reflect":
            raise RuntimeError("numel: integer multiplication overflow")
        full_shape = shape[:-k] + out
        bad = next(o for o in out if o < 0)
        raise RuntimeError(f"Trying to create tensor with negative dimension {bad}: {full_shape}")


def pad(input, pad, mode: str = "constant", value=None):
    """Pad the last ``len(pad) // 2`` dimensions; ``pad`` lists (before, after) pairs
    starting from the last dimension. Negative amounts crop."""
    if mode not in _MODES:
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pad = tuple(pad)
    for i, p in enumerate(pad):
        if isinstance(p, bool) or not isinstance(p, int):
            raise TypeError(
                "pad(): argument 'pad' (position 2) must be tuple of ints, but found element of "
                f"type {type(p).__name__} at pos {i}"
            )
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    k = len(pad) // 2
    if k > input.dim():
        raise RuntimeError(
            "Padding length should be less than or equal to two times the input dimension but "
            f"got padding length {len(pad)} and input of dimension {input.dim()}"
        )
    pairs = _pairs(input, pad)
    if mode == "constant":
        return _constant(input, pairs, 0.0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not (1 <= k <= 3 and input.dim() in (k + 1, k + 2)):
        raise NotImplementedError(
            f"Padding size {len(pad)} is not supported for {input.dim()}D input tensor.\n"
            "Supported combinations for non-constant padding:\n"
            "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
            "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
            "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)"
        )
    _check_non_constant(input, pairs, mode, k)
    from ...tensor import Tensor

    x = input
    for axis in range(input.dim() - k, input.dim()):
        lo, hi = pairs[axis]
        if lo or hi:
            idx = _source_index(mode, lo, hi, input.shape[axis]).astype(np.int64)
            x = x.index_select(axis, Tensor._make(idx))
    return x
