"""Sliding blocks: ``unfold`` (im2col) and its adjoint ``fold`` (col2im).

Both are one index operation on the zero-padded image flattened over (H, W): unfold
gathers every block's pixels, fold scatter-adds them back (overlaps add up).
"""

from __future__ import annotations

from ...backend import np
from ...tensor import Tensor


def _pair(v, name):
    if isinstance(v, (tuple, list)):
        if len(v) != 2:
            raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(v)}")
        return tuple(int(a) for a in v)
    return (int(v), int(v))


def _geometry(kernel_size, dilation, padding, stride):
    k, d = _pair(kernel_size, "kernel_size"), _pair(dilation, "dilation")
    p, s = _pair(padding, "padding"), _pair(stride, "stride")
    checks = {  # in PyTorch's order
        "kernel": (min(k) > 0, "kernel size should be greater than zero", "kernel", k),
        "dilation": (min(d) > 0, "dilation should be greater than zero", "dilation", d),
        "padding": (min(p) >= 0, "padding should be non-negative", "pad", p),
        "stride": (min(s) > 0, "stride should be greater than zero", "stride", s),
    }
    for ok, text, word, (h, w) in checks.values():
        if not ok:
            raise RuntimeError(f"{text}, but got {word}_height: {h} {word}_width: {w}")
    return k, d, p, s


def _blocks(size, k, d, p, s):
    return tuple((size[i] + 2 * p[i] - (d[i] * (k[i] - 1) + 1)) // s[i] + 1 for i in range(2))


def _flat_index(padded, k, d, s, blocks):
    """Flat (Hp * Wp) positions of every (kernel offset, block) pair, shape (kh*kw*L,)."""
    ki, kj = np.meshgrid(np.arange(k[0]), np.arange(k[1]), indexing="ij")
    bi, bj = np.meshgrid(np.arange(blocks[0]), np.arange(blocks[1]), indexing="ij")
    rows = ki.reshape(-1, 1) * d[0] + bi.reshape(1, -1) * s[0]
    cols = kj.reshape(-1, 1) * d[1] + bj.reshape(1, -1) * s[1]
    return Tensor._make((rows * padded[1] + cols).reshape(-1).astype(np.int64))


def _geom_text(k, d, p, s=None):
    text = f"kernel_size=({k[0]}, {k[1]}), dilation=({d[0]}, {d[1]}), padding=({p[0]}, {p[1]})"
    return text if s is None else text + f", stride=({s[0]}, {s[1]})"


def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """im2col: (N, C, H, W) -> (N, C*kh*kw, L), every sliding block as one column.

    An unbatched (C, H, W) input gives (C*kh*kw, L).
    """
    from .padding import pad

    k, d, p, s = _geometry(kernel_size, dilation, padding, stride)
    if input.dim() not in (3, 4) or any(n == 0 for n in input.shape[input.dim() - 3 :]):
        if input.dim() < 3:
            input.size(2)  # PyTorch's IndexError for a missing dimension
        raise RuntimeError(
            "Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
            f"dimensions for input, but got: {list(input.shape)}"
        )
    batched = input.dim() == 4
    x = input if batched else input.unsqueeze(0)
    n, c, h, w = x.shape
    blocks = _blocks((h, w), k, d, p, s)
    if min(blocks) < 1:
        raise RuntimeError(
            f"Given input with spatial size ({h}, {w}), {_geom_text(k, d, p)}, calculated shape "
            f"of the array of sliding blocks as ({blocks[0]}, {blocks[1]}), but its components "
            "must be at least one."
        )
    padded = (h + 2 * p[0], w + 2 * p[1])
    if any(p):
        x = pad(x, (p[1], p[1], p[0], p[0]))
    cols = x.reshape(n, c, padded[0] * padded[1]).index_select(
        2, _flat_index(padded, k, d, s, blocks)
    )
    out = cols.reshape(n, c * k[0] * k[1], blocks[0] * blocks[1])
    return out if batched else out.squeeze(0)


def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """col2im: (N, C*kh*kw, L) -> (N, C, H, W), the adjoint of ``unfold`` (overlaps add up).

    An unbatched (C*kh*kw, L) input gives (C, H, W).
    """
    from ...creation import zeros

    osz = _pair(output_size, "output_size")
    k, d, p, s = _geometry(kernel_size, dilation, padding, stride)
    if input.dim() not in (2, 3) or any(n == 0 for n in input.shape[input.dim() - 2 :]):
        raise RuntimeError(
            "Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and "
            f"non-zero dimensions for input, but got: {list(input.shape)}"
        )
    batched = input.dim() == 3
    x = input if batched else input.unsqueeze(0)
    n, ck, length = x.shape
    kk = k[0] * k[1]
    if ck % kk:
        raise RuntimeError(
            "Expected size of input's dimension 1 to be divisible by the product of kernel_size, "
            f"but got input.size(1)={ck} and kernel_size=({k[0]}, {k[1]})."
        )
    blocks = _blocks(osz, k, d, p, s)
    head = f"Given output_size=({osz[0]}, {osz[1]}), {_geom_text(k, d, p, s)}, "
    if blocks[0] * blocks[1] != length:
        raise RuntimeError(
            head + "expected size of input's dimension 2 to match the calculated number of "
            f"sliding blocks {blocks[0]} * {blocks[1]} = {blocks[0] * blocks[1]}, but got "
            f"input.size(2)={length}."
        )
    if min(blocks) < 1:
        raise RuntimeError(
            head + f"calculated shape of the array of sliding blocks as ({blocks[0]}, "
            f"{blocks[1]}), which is too small (non-positive)"
        )
    c = ck // kk
    padded = (osz[0] + 2 * p[0], osz[1] + 2 * p[1])
    canvas = zeros((n, c, padded[0] * padded[1]), dtype=x.dtype)
    out = canvas.index_add(2, _flat_index(padded, k, d, s, blocks), x.reshape(n, c, kk * length))
    out = out.reshape(n, c, padded[0], padded[1])
    if any(p):
        out = out[:, :, p[0] : p[0] + osz[0], p[1] : p[1] + osz[1]]
    return out if batched else out.squeeze(0)
