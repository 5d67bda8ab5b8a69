"""Max pooling (1/2/3-d, indices of the first maximum) and adaptive max pooling.

Max pooling finds each window's first maximum on a strided view (no copy of the
input per window, no Python loop over pixels), then gathers with ``TakeFlat``;
its gradient scatters with ``PutFlat`` (one ``bincount``).  The two nodes are each
other's backward, so higher orders work.  Tiled windows (stride == kernel, no padding)
take a faster path without index arithmetic (``MaxPoolTiled``).  Average pooling is in
``avg_pooling``.
"""

from __future__ import annotations

import math

from ..autograd.node import Node
from ..backend import np, xp_of
from ..tensor_base import TensorBase as Tensor
from . import batching
from ._spec import OpSpec
from .conv import batch_of_one, ndindex, windows
from .losses import F
from .registry import LOOP, declare, op, public_names


class TakeFlat(Node):
    """d x.flatten()[idx] = put_flat(g, idx)"""

    def forward(self, x, idx):
        self.in_shape = x.shape
        self.idx_ = idx
        return x.reshape(-1)[idx]

    def backward(self, grad):
        return PutFlat.apply(grad, self.idx_, self.in_shape), None


# PyTorch's pooling nodes are named by dimension; one subclass per name.
class MaxPool3d(TakeFlat):
    """d max over each 3-d window = grad to the window's first maximal element"""


class MaxPool1d(TakeFlat):
    """d max over each 1-d window (PyTorch: 2-d pooling of a row, squeezed)"""


class AdaptiveMaxPool2d(TakeFlat):
    """d max over each adaptive window = grad to the window's first maximal element"""


class PutFlat(Node):
    """d put_flat(g, idx) = take_flat(h, idx)"""

    def forward(self, g, idx, shape):
        self.idx_ = idx
        size = math.prod(shape)
        out = self.xp.bincount(idx.reshape(-1), weights=g.reshape(-1), minlength=size)
        return out.astype(g.dtype, copy=False).reshape(shape)

    def backward(self, grad):
        return TakeFlat.apply(grad, self.idx_), None, None


def _tuple(v, n):
    if isinstance(v, (tuple, list)):
        return tuple(int(i) for i in v) if len(v) == n else tuple(int(v[0]) for _ in range(n))
    return (int(v),) * n


def _pool_out(size, k, s, p, d, ceil_mode):
    eff = d * (k - 1) + 1
    if ceil_mode:
        o = -(-(size + 2 * p - eff) // s) + 1
        if (o - 1) * s >= size + p:
            o -= 1
    else:
        o = (size + 2 * p - eff) // s + 1
    return o


def _geometry(x, nd, kernel_size, stride, padding, dilation, ceil_mode, name):
    k = _tuple(kernel_size, nd)
    s = _tuple(stride, nd) if stride is not None and stride != [] and stride != () else k
    if any(v == 0 for v in s):
        raise RuntimeError("stride should not be zero")
    p = _tuple(padding, nd)
    d = _tuple(dilation, nd)
    for ki, pi, di in zip(k, p, d):
        if pi > (di * (ki - 1) + 1) // 2:
            raise RuntimeError(
                f"pad should be at most half of effective kernel size, but got pad={pi}, "
                f"kernel_size={ki} and dilation={di}"
            )
    size = x.shape[2:]
    o = tuple(_pool_out(*a, ceil_mode) for a in zip(size, k, s, p, d))
    if any(v <= 0 for v in o):
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, x.shape[1:]))}). Calculated output size: "
            f"({'x'.join(map(str, (x.shape[1],) + o))}). Output size is too small"
        )
    # Extra high-side padding so the last (ceil-mode) window fits.
    pads = tuple(
        (pi, max(pi, (oi - 1) * si + di * (ki - 1) + 1 - n - pi))
        for pi, oi, si, di, ki, n in zip(p, o, s, d, k, size)
    )
    return k, s, pads, d, o


def _batched(input, nd, name):
    """``input`` with a batch of one added when unbatched, and whether it was (pooling's
    message for a wrong rank)."""
    return batch_of_one(input, nd, name, "{2}: Expected {0}D or {1}D input, but got {3}")


# ----- max pooling over tiled windows (stride == kernel, no padding or dilation) -------------
# The common case (max_pool2d(x, 2)) without index arithmetic: each of the kh*kw positions
# of a window is a strided view of the input, the maximum is a chain of maximum() calls,
# and a boolean mask per position marks where the first maximum of each window is.
def _window_views(a, k, o):
    """The kh*kw strided views (n, c, oh, ow) of ``a`` (n, c, >=oh*kh, >=ow*kw), row-major."""
    (kh, kw), (oh, ow) = k, o
    n, c = a.shape[:2]
    tiles = a[:, :, : oh * kh, : ow * kw].reshape(n, c, oh, kh, ow, kw)
    return [tiles[:, :, :, i, :, j] for i in range(kh) for j in range(kw)]


class MaxPoolTiled(Node):
    """d max over each window = grad to the window's first maximal element"""

    def forward(self, x, k, o, out_shape):
        xp = self.xp
        views = _window_views(x, k, o)
        best = views[0].copy()
        for v in views[1:]:
            xp.maximum(best, v, out=best)  # NaN propagates: NaN is the maximum, as in PyTorch
        masks = _first_marks([v == best for v in views[:-1]], xp, best.shape)
        if x.dtype.kind == "f" and bool(xp.isnan(best).any()):
            # PyTorch's kernel takes a NaN as the maximum, and a later NaN replaces an
            # earlier one: in a window holding NaN the gradient goes to its last NaN.
            last = _first_marks([xp.isnan(v) for v in views[:0:-1]], xp, best.shape)[::-1]
            in_nan = xp.isnan(best)
            masks = [xp.where(in_nan, n, m) for m, n in zip(masks, last)]
        self.masks, self.k, self.o, self.in_shape = masks, k, o, x.shape
        self.best_shape = best.shape
        return best if out_shape is None else best.reshape(out_shape)

    def backward(self, grad):
        g = grad.reshape(self.best_shape)
        return PoolScatter.apply(g, self.masks, self.k, self.o, self.in_shape), None, None, None


def _pool_batched(apply, cls, args, flags, shapes, kw, B):
    """vmap's rule for pooling nodes ``(x, ..., out_shape)``: the batch's samples are more
    samples, the result shaped per example."""
    if not flags[0] or any(flags[1:]):
        raise batching.CannotBatch("only the input may be batched")
    sx = shapes[0]
    out = apply(cls, args[0].reshape((B * sx[0],) + tuple(sx[1:])), *args[1:-1], None, **kw)
    shape = args[-1] if args[-1] is not None else (sx[0],) + tuple(out.shape[1:])
    return out.reshape((B,) + tuple(shape))


def _first_marks(hits, xp, shape):
    """One mask per window position: where ``hits[i]`` is the first hit (the last position
    takes every window with no earlier hit); ``hits`` covers all positions but the last."""
    taken = None
    masks = []
    for m in hits:
        if taken is None:
            taken = m.copy()
        else:
            m = m & ~taken
            taken |= m
        masks.append(m)
    masks.append(~taken if taken is not None else xp.ones(shape, bool))
    return masks


class PoolScatter(Node):
    """Each window's gradient to its maximal element (linear: d = gather by the masks)"""

    def forward(self, g, masks, k, o, in_shape):
        xp = self.xp
        self.masks, self.k, self.o = masks, k, o
        (kh, kw), (oh, ow) = k, o
        n, c, h, w = in_shape
        tiles = xp.zeros((n, c, oh, kh, ow, kw), g.dtype)
        finite = g.dtype.kind != "f" or bool(xp.isfinite(g).all())
        for (i, j), m in zip(((i, j) for i in range(kh) for j in range(kw)), masks):
            v = tiles[:, :, :, i, :, j]
            if finite:
                xp.multiply(g, m, out=v)
            else:  # NaN * 0 would leak into the other positions
                xp.copyto(v, g, where=m)
        tiles = tiles.reshape(n, c, oh * kh, ow * kw)
        if (oh * kh, ow * kw) == (h, w):
            return tiles
        out = xp.zeros(in_shape, g.dtype)  # rows/columns past the last window get nothing
        out[:, :, : oh * kh, : ow * kw] = tiles
        return out

    def backward(self, grad):
        return PoolGather.apply(grad, self.masks, self.k, self.o), None, None, None, None


class PoolGather(Node):
    """Each window's value at its maximal element (linear: d = scatter by the masks)"""

    def forward(self, h, masks, k, o):
        xp = self.xp
        self.masks, self.k, self.o, self.in_shape = masks, k, o, h.shape
        out = None
        for v, m in zip(_window_views(h, k, o), masks):
            part = xp.where(m, v, 0).astype(h.dtype, copy=False)
            out = part if out is None else out + part
        return out

    def backward(self, grad):
        return PoolScatter.apply(grad, self.masks, self.k, self.o, self.in_shape), None, None, None


def _tiled(nd, k, s, pads, d, x):
    """Whether max pooling is over tiled windows that fit inside the input."""
    return (
        nd == 2
        and s == k
        and d == (1, 1)
        and not any(a or b for a, b in pads)
        and x._data.dtype.kind in "fiu"
    )


def _max_pool(nd, input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, name):
    x, unb = _batched(input, nd, name)
    k, s, pads, d, o = _geometry(x, nd, kernel_size, stride, padding, dilation, ceil_mode, name)
    if not return_indices and _tiled(nd, k, s, pads, d, x):
        return MaxPoolTiled.apply(x, k, o, tuple(x.shape[1:2]) + o if unb else None)
    data = x._data
    xp = xp_of(data)
    width = ((0, 0), (0, 0)) + pads
    fill = -xp.inf if data.dtype.kind == "f" else xp.iinfo(data.dtype).min
    xpad = xp.pad(data, width, constant_values=fill) if any(a or b for a, b in pads) else data
    win = windows(xp, xpad, k, s, d, o)
    kprod = math.prod(k)
    flat = win.reshape(win.shape[: 2 + nd] + (kprod,))
    # NaN counts as the maximum, as in PyTorch; argmax returns the first maximal index.
    arg = xp.argmax(flat, axis=-1)
    if data.dtype.kind == "f":
        nan = xp.isnan(flat)
        if nan.any():  # PyTorch's kernel: a later NaN replaces an earlier one
            last_nan = kprod - 1 - xp.argmax(nan[..., ::-1], axis=-1)
            arg = xp.where(nan.any(-1), last_nan, arg)
    kidx = xp.unravel_index(arg, k)
    size = data.shape[2:]
    plane = 0
    for i in range(nd):
        grid = xp.arange(o[i]).reshape((o[i],) + (1,) * (nd - 1 - i)) * s[i]
        coord = grid + kidx[i] * d[i] - pads[i][0]
        plane = plane * size[i] + coord
    n, c = data.shape[:2]
    base = (xp.arange(n * c).reshape((n, c) + (1,) * nd)) * math.prod(size)
    return _gather(_MAX_NODES[nd], x, plane + base, plane, unb, return_indices)


def _gather(node, x, idx, ind, unb, return_indices):
    """The pooled values of ``x`` at flat indices ``idx`` (and the indices ``ind`` PyTorch
    returns), without the batch dim of an unbatched input."""
    if unb:
        idx, ind = idx[0], ind[0]
    out = node.apply(x, idx)
    if return_indices:
        return out, Tensor._make(ind.astype(np.int64, copy=False))
    return out


def _max_pool_nd(nd, doc):
    """``max_pool{nd}d``: the public function of one dimensionality."""
    name = f"max_pool{nd}d"

    def max_pool(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False,
                 return_indices=False):  # fmt: skip
        args = (kernel_size, stride, padding, dilation, ceil_mode, return_indices)
        return _max_pool(nd, input, *args, name)

    max_pool.__name__ = max_pool.__qualname__ = name
    max_pool.__doc__ = doc
    return max_pool


max_pool1d = op(None)(_max_pool_nd(1, "1-d max pooling over (N, C, L) inputs."))
max_pool2d = op(None)(
    _max_pool_nd(
        2, "2-d max pooling over (N, C, H, W) inputs; the gradient goes to the first maximum."
    )
)
max_pool3d = op(None)(_max_pool_nd(3, "3-d max pooling over (N, C, D, H, W) inputs."))


@op(None)
def max_pool1d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    """``max_pool1d`` returning ``(values, indices)``."""
    return max_pool1d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


@op(None, public=False)
def max_pool2d_with_indices(
    input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=True
):
    """``max_pool2d`` returning ``(values, indices)``."""
    return max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode, True)


def adaptive_sizes(output_size, size, nd):
    """The output size of adaptive pooling (``None`` keeps the input's size)."""
    out = _tuple(output_size, nd) if not isinstance(output_size, (tuple, list)) else output_size
    return tuple(s if o is None else int(o) for o, s in zip(out, size))


def _adaptive_max(nd, input, output_size, return_indices):
    x, unb = _batched(input, nd, "adaptive_max_pool")
    size = x.shape[2:]
    o = adaptive_sizes(output_size, size, nd)
    xp = xp_of(x._data)
    n, c = x.shape[:2]
    data = x._data.reshape(n * c, -1)
    # One pass per output cell (outputs are small): gather each window's first max.
    idx = xp.empty((n * c,) + o, dtype=xp.int64)
    grids = ndindex(o)
    for cell in grids:
        ranges = [
            (cell[i] * size[i] // o[i], -(-((cell[i] + 1) * size[i]) // o[i])) for i in range(nd)
        ]
        sub = xp.arange(math.prod(size)).reshape(size)[tuple(slice(a, b) for a, b in ranges)]
        sub = sub.reshape(-1)
        arg = xp.argmax(data[:, sub], axis=1)
        idx[(slice(None),) + cell] = sub[arg]
    base = (xp.arange(n * c) * math.prod(size)).reshape((n * c,) + (1,) * nd)
    node = AdaptiveMaxPool2d if nd == 2 else MaxPool1d
    idx = (idx + base).reshape((n, c) + o)
    return _gather(node, x, idx, idx - base.reshape((n, c) + (1,) * nd), unb, return_indices)


@op(None)
def adaptive_max_pool1d(input, output_size, return_indices=False):
    """Max pooling to a fixed output length."""
    return _adaptive_max(1, input, output_size, return_indices)


@op(None, public=False)
def adaptive_max_pool2d(input, output_size, return_indices=False):
    """Max pooling to a fixed (H, W) output size."""
    return _adaptive_max(2, input, output_size, return_indices)


def distinct(a):
    """Inputs for max pooling specs: distinct values (a tie's gradient is a choice, tested
    on its own)."""
    flat = np.argsort(np.argsort(a.reshape(-1)))
    return (flat.reshape(a.shape) / max(a.size, 1) * 4 - 2).astype(a.dtype)


def _spec(name, fname, samples, **kw):
    return OpSpec(name, lambda t, x: F(t, fname)(x, **kw), samples, shapes=None, domain=distinct)


def _grad_spec(name, pool, shapes, order=2):
    """A spec of the recorded gradient of ``pool`` (``order`` 3: of its gradient)."""

    def fn(t, x, g, *h):
        (gx,) = t.autograd.grad(pool(t, x), x, g, create_graph=True)
        return gx if order == 2 else t.autograd.grad(gx, g, h[0], create_graph=True)[0]

    return OpSpec(name, fn, [shapes], shapes=None, domain=distinct)


def _padded(t, x):
    return F(t, "max_pool2d")(x, 3, stride=2, padding=1)


def _tiles(t, x):
    return F(t, "max_pool2d")(x, 2)


declare(
    TakeFlat,
    None,
    grad_fn="MaxPool2DWithIndicesBackward0",
    vmap=LOOP,
    spec=(
        _spec(
            "max_pool2d_pad_stride",
            "max_pool2d",
            [((1, 2, 5, 6),)],
            kernel_size=(3, 2),
            stride=(2, 1),
            padding=1,
            dilation=(1, 2),
        ),
        _spec("max_pool2d_ceil", "max_pool2d", [((1, 2, 5, 5),)], kernel_size=2, ceil_mode=True),
        _spec("max_pool2d_unbatched", "max_pool2d", [((2, 5, 5),)], kernel_size=3, padding=1),
    ),
)
declare(MaxPool3d, None, grad_fn="MaxPool3DWithIndicesBackward0", vmap=LOOP,
        spec=_spec("max_pool3d", "max_pool3d", [((1, 1, 3, 3, 3),)],
                   kernel_size=2, stride=1))  # fmt: skip
declare(
    MaxPool1d,
    None,
    grad_fn="SqueezeBackward1",
    vmap=LOOP,
    spec=(
        _spec("max_pool1d", "max_pool1d", [((2, 2, 7),)], kernel_size=3, stride=2, padding=1),
        _spec("adaptive_max_pool1d", "adaptive_max_pool1d", [((2, 2, 7),)], output_size=3),
    ),
)
declare(AdaptiveMaxPool2d, None, grad_fn="AdaptiveMaxPool2DBackward0", vmap=LOOP,
        spec=_spec("adaptive_max_pool2d", "adaptive_max_pool2d", [((2, 2, 5, 7),)],
                   output_size=(2, 3)))  # fmt: skip
declare(PutFlat, None, grad_fn="MaxPool2DWithIndicesBackwardBackward0", vmap=LOOP,
        spec=_grad_spec("max_pool2d_pad_grad", _padded, ((1, 2, 5, 5), (1, 2, 3, 3))))  # fmt: skip
declare(MaxPoolTiled, None, grad_fn="MaxPool2DWithIndicesBackward0", vmap=_pool_batched,
        spec=_spec("max_pool2d", "max_pool2d", [((2, 2, 4, 4),), ((1, 1, 5, 5),), ((2, 4, 4),)],
                   kernel_size=2))  # fmt: skip
declare(PoolScatter, None, grad_fn="MaxPool2DWithIndicesBackwardBackward0", vmap=LOOP,
        spec=_grad_spec("max_pool2d_grad", _tiles, ((1, 2, 4, 4), (1, 2, 2, 2))))  # fmt: skip
declare(PoolGather, None, grad_fn="ViewBackward0", vmap=LOOP,
        spec=_grad_spec("max_pool2d_grad_grad", _tiles,
                        ((1, 2, 4, 4), (1, 2, 2, 2), (1, 2, 4, 4)), order=3))  # fmt: skip
_MAX_NODES = {1: MaxPool1d, 2: TakeFlat, 3: MaxPool3d}

__all__ = public_names(__name__)
