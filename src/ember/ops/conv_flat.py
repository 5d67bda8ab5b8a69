"""Stride-1 convolutions on the flattened padded grid: columns copied as long runs.

For stride 1 the receptive field of output ``o`` at kernel offset ``k`` is input element
``o + k * dilation``.  Lay the padded input out channels first, every example's padded
grid flattened one after another: ``buf[c, n * P + p]`` with ``P`` the padded grid's size.
Then kernel offset ``k`` is one *flat* shift ``s_k``, the same for every example and
position, and the columns of offset ``k`` are one contiguous slice ``buf[:, s_k : s_k + L]``
(``L = N * P``) instead of a strided window of short rows.  The outputs are computed for
every position of the padded grid; those outside the real output (the grid's last rows and
columns) are junk and are dropped, or multiplied by zeros in the gradients.  That is some
extra multiplication (the padded grid over the output grid, at most ``FLAT_MAX_EXTRA``) for
copies and strided adds that run over long rows, which is what costs most for the few
channels of small CNNs.

The junk positions read real input values; a non-finite value there makes ``0 * inf``
(NaN) in a gradient: the input gradient runs flat only for a finite kernel, and a weight
gradient that comes out non-finite is computed again on the strided path.
"""

from __future__ import annotations

import math

#: The flat path is taken when the padded grid is at most this much bigger than the output.
FLAT_MAX_EXTRA = 1.5


def flat_pays(stride, padded, osh):
    """True when a stride-1 convolution with this padded grid should run flat."""
    return all(s == 1 for s in stride) and math.prod(padded) <= FLAT_MAX_EXTRA * max(
        math.prod(osh), 1
    )


def _row_sizes(padded):
    """Flat distance between neighbours along each spatial dimension of the padded grid."""
    sizes, acc = [], 1
    for p in reversed(padded):
        sizes.append(acc)
        acc *= p
    return sizes[::-1]


def _shifts(kshape, dilation, padded):
    """The flat shift of every kernel offset, in the kernel's row-major order."""
    rows = _row_sizes(padded)
    shifts = [0]
    for k, d, r in zip(kshape, dilation, rows):
        shifts = [s + i * d * r for s in shifts for i in range(k)]
    return shifts


def _grid_view(xp_buf, n, padded, length):
    """``buf[:, :length]`` seen as (C, N, *padded)."""
    return xp_buf[:, :length].reshape((xp_buf.shape[0], n) + tuple(padded))


def _interior(pads, sizes):
    """Slices of the padded grid that hold the unpadded ``sizes`` (after C and N)."""
    return (slice(None), slice(None)) + tuple(slice(lo, lo + s) for (lo, _), s in zip(pads, sizes))


def _leading(sizes):
    """Slices of the padded grid's leading corner of extent ``sizes`` (after C and N)."""
    return (slice(None), slice(None)) + tuple(slice(0, s) for s in sizes)


def flat_input(xp, x, pads, padded, slack):
    """(C, N * P + slack): ``x`` zero-padded, channels first, every example's grid flat."""
    n, c = x.shape[:2]
    length = n * math.prod(padded)
    buf = xp.zeros((c, length + slack), dtype=x.dtype)
    _grid_view(buf, n, padded, length)[_interior(pads, x.shape[2:])] = x.swapaxes(0, 1)
    return buf


def flat_grad(xp, g, padded):
    """(O, N * P): ``g`` at the padded grid's leading corner, zeros at the junk positions."""
    n, o = g.shape[:2]
    length = n * math.prod(padded)
    buf = xp.zeros((o, length), dtype=g.dtype)
    _grid_view(buf, n, padded, length)[_leading(g.shape[2:])] = g.swapaxes(0, 1)
    return buf


def flat_columns(xp, buf, shifts, length):
    """(C * K, L): the columns, one contiguous slice of ``buf`` per channel and offset."""
    c = buf.shape[0]
    cols = xp.empty((c, len(shifts), length), dtype=buf.dtype)
    for j, s in enumerate(shifts):
        cols[:, j] = buf[:, s : s + length]
    return cols.reshape(c * len(shifts), length)


def _groups(total, groups):
    step = total // groups
    return [slice(i * step, (i + 1) * step) for i in range(groups)]


def flat_conv(xp, x, w, pads, dilation, groups, padded, osh):
    """The convolution of ``x`` (N, C, ...) with ``w`` (O, C/groups, K...), stride 1."""
    n, kshape = x.shape[0], w.shape[2:]
    shifts = _shifts(kshape, dilation, padded)
    length = n * math.prod(padded)
    buf = flat_input(xp, x, pads, padded, shifts[-1])
    parts = [
        w[og].reshape(og.stop - og.start, -1) @ flat_columns(xp, buf[cg], shifts, length)
        for og, cg in zip(_groups(w.shape[0], groups), _groups(x.shape[1], groups))
    ]
    out = parts[0] if groups == 1 else xp.concatenate(parts)
    out = _grid_view(out, n, padded, length)[_leading(osh)]
    return xp.ascontiguousarray(out.swapaxes(0, 1))


def flat_conv_transpose(xp, g, w, pads, dilation, groups, padded, in_shape):
    """The input gradient of a stride-1 convolution: ``g``'s columns added back by shift."""
    n, kshape = g.shape[0], w.shape[2:]
    shifts = _shifts(kshape, dilation, padded)
    length = n * math.prod(padded)
    gbuf = flat_grad(xp, g, padded)
    cg = w.shape[1]
    buf = xp.zeros((cg * groups, length + shifts[-1]), dtype=xp.result_type(g, w))
    for og, ig in zip(_groups(w.shape[0], groups), _groups(cg * groups, groups)):
        cols = w[og].reshape(og.stop - og.start, -1).T @ gbuf[og]
        cols = cols.reshape(cg, len(shifts), length)
        target = buf[ig]
        for j, s in enumerate(shifts):
            target[:, s : s + length] += cols[:, j]
    out = _grid_view(buf, n, padded, length)[_interior(pads, in_shape)]
    return xp.ascontiguousarray(out.swapaxes(0, 1))


def flat_conv_weight(xp, x, g, pads, dilation, groups, padded, kshape):
    """The weight gradient of a stride-1 convolution: ``g`` (zeros at junk) times columns."""
    n = x.shape[0]
    shifts = _shifts(kshape, dilation, padded)
    length = n * math.prod(padded)
    buf = flat_input(xp, x, pads, padded, shifts[-1])
    gbuf = flat_grad(xp, g, padded)
    parts = [
        gbuf[og] @ flat_columns(xp, buf[cg], shifts, length).T
        for og, cg in zip(_groups(g.shape[1], groups), _groups(x.shape[1], groups))
    ]
    out = parts[0] if groups == 1 else xp.concatenate(parts)
    return out.reshape((g.shape[1], x.shape[1] // groups) + tuple(kshape))
