"""Fractional max pooling (2-d and 3-d): windows at pseudo-random, increasing offsets.

Along an axis of length ``n`` pooled by windows of size ``k`` to ``o`` outputs, with
``u`` the plane's random sample in [0, 1) and ``a = (n - k) / (o - 1)`` (in the input's
precision, as PyTorch computes it), window ``i`` starts at ``int((i + u) a) - int(u a)``
and the last one at ``n - k``.  Each window takes its first maximum (a NaN is the
maximum, the last NaN winning).  Values are gathered with ``TakeFlat``, so the gradient
and its higher orders are max pooling's.
"""

from __future__ import annotations

import math

from ..backend import np, xp_of
from ..dtypes import scalar_type_name
from ._spec import OpSpec
from .losses import F
from .pooling import TakeFlat, _gather, distinct
from .registry import LOOP, declare, op

_AXES = {2: ("height", "width"), 3: ("time", "height", "width")}


class FractionalMaxPool2d(TakeFlat):
    """d max over each fractional window = grad to the window's first maximal element"""


class FractionalMaxPool3d(TakeFlat):
    """d max over each fractional 3-d window = grad to the window's first maximal element"""


def _starts(xp, u, n, k, o):
    """The start of every window along one axis, per plane: (planes, o) int64."""
    dt = u.dtype
    out = xp.empty((u.shape[0], o), dtype=np.int64)
    if o > 1:
        alpha = dt.type(n - k) / dt.type(o - 1)
        i = xp.arange(o - 1).astype(dt)
        ua = (u * alpha).astype(np.int64)
        out[:, :-1] = ((i[None, :] + u[:, None]) * alpha).astype(np.int64) - ua[:, None]
    if o > 0:
        out[:, -1] = n - k
    return out


def _sizes(value, nd, what, name):
    many = "tuple of Ints" if nd == 2 else "tuple of three Ints"
    if isinstance(value, (tuple, list)):
        if len(value) == 1:
            value = tuple(value) * nd
        if len(value) != nd:
            raise RuntimeError(f"{name}: {what} must either be a single Int or {many}")
        return tuple(int(v) for v in value)
    return (int(value),) * nd


def _check(nd, x, k, o, samples):
    """PyTorch's checks of the input, the window and output sizes and the samples."""
    where = "fractional_max_pool2d()" if nd == 2 else "fractional_max_pool3d_out()"
    if x.dim() not in (nd + 1, nd + 2):
        raise RuntimeError(
            f"{where}: Expected {nd + 1}D or {nd + 2}D tensor, but got: {list(x.shape)}"
        )
    for d in range(1, x.dim()):
        if x.shape[d] == 0:
            raise RuntimeError(
                f"{where}: Expected input to have non-zero size for non-batch dimensions, but "
                f"got{list(x.shape)} with dimension {d} being empty."
            )
    size = tuple(x.shape[-nd:])
    for axis, n, kk, oo in zip(_AXES[nd], size, k, o):
        # PyTorch's 3-d check is strict: a window may not reach the last element.
        if oo + kk - 1 > n or (nd == 3 and oo + kk - 1 == n):
            raise RuntimeError(f"{where}: pool {axis} {kk} too large relative to input {axis} {n}")
    if samples.dim() != 3:
        raise RuntimeError(f"Expect _random_samples to have 3 dimensions, got {samples.dim()}")
    batch = x.shape[0] if x.dim() == nd + 2 else 1
    if samples.shape[0] < batch:
        raise RuntimeError("Expect _random_samples.size(0) no less then input batch size.")
    if samples.shape[1] != x.shape[-nd - 1]:
        raise RuntimeError("Expect _random_samples.size(1) equals to input channel size.")
    if samples.shape[2] != nd:
        raise RuntimeError(
            f"Expect _random_samples.size(2) equals to {nd}; got {samples.shape[2]}."
        )
    if samples.dtype != x.dtype:
        raise RuntimeError("Expect _random_samples to have the same dtype as input")
    if any(v < 0 for v in o):
        lead = tuple(x.shape[: x.dim() - nd])
        raise RuntimeError(
            f"Trying to create tensor with negative dimension {min(o)}: {list(lead + o)}"
        )


def _fractional(nd, input, kernel_size, output_size, samples):
    name = f"fractional_max_pool{nd}d"
    k = _sizes(kernel_size, nd, "kernel_size", name)
    o = _sizes(output_size, nd, "output_size", name)
    _check(nd, input, k, o, samples)
    data = input._data
    xp = xp_of(data)
    size = tuple(data.shape[-nd:])
    lead = tuple(data.shape[: data.ndim - nd])
    planes = math.prod(lead)
    u = samples._data[: (lead[0] if len(lead) == 2 else 1)].reshape(planes, nd)
    # PyTorch's sample order: (W, H) for 2-d, (T, H, W) for 3-d.
    order = (1, 0) if nd == 2 else (0, 1, 2)
    flat = 0
    for axis in range(nd):
        start = _starts(xp, u[:, order[axis]], size[axis], k[axis], o[axis])
        pos = start[:, :, None] + xp.arange(k[axis])[None, None, :]  # (planes, o, k)
        # Broadcast to (planes, o_0, ..., o_{nd-1}, k_0, ..., k_{nd-1}).
        shape = [planes] + [1] * (2 * nd)
        shape[1 + axis], shape[1 + nd + axis] = o[axis], k[axis]
        flat = flat * size[axis] + pos.reshape(shape)
    win = flat.reshape((planes,) + o + (-1,))
    rows = xp.arange(planes).reshape((planes,) + (1,) * (nd + 1))
    vals = data.reshape(planes, -1)[rows, win]
    arg = xp.argmax(vals, axis=-1) if vals.shape[-1] else xp.zeros(vals.shape[:-1], np.int64)
    if vals.dtype.kind == "f" and vals.size:
        nan = xp.isnan(vals)
        if nan.any():
            last = vals.shape[-1] - 1 - xp.argmax(nan[..., ::-1], axis=-1)
            arg = xp.where(nan.any(axis=-1), last, arg)
    ind = xp.take_along_axis(win, arg[..., None], axis=-1)[..., 0] if win.shape[-1] else arg
    base = (xp.arange(planes) * math.prod(size)).reshape((planes,) + (1,) * nd)
    shape = lead + o
    node = FractionalMaxPool2d if nd == 2 else FractionalMaxPool3d
    return node, (ind + base).reshape(shape), ind.reshape(shape)


def _fractional_max_pool_nd(nd):
    """``fractional_max_pool{nd}d_with_indices``: the public function of one dimensionality."""
    name = f"fractional_max_pool{nd}d"

    def with_indices(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                     _random_samples=None):  # fmt: skip
        if output_size is None and output_ratio is None:
            raise ValueError(f"{name} requires specifying either an output_size or an output_ratio")
        if output_size is None:
            if nd == 2 and len(output_ratio) > 2:
                raise ValueError(
                    f"{name} requires output_ratio to either be a single Int or tuple of Ints."
                )
            ratio = (
                tuple(output_ratio)
                if isinstance(output_ratio, (tuple, list))
                else (output_ratio,) * nd
            )
            output_size = [int(input.size(d - nd) * ratio[d]) for d in range(nd)]
        samples = _random_samples
        if samples is None:
            from .. import random as _random

            batch = 1 if input.dim() == nd + 1 else input.size(0)
            channels = input.size(-nd - 1)
            if not input.is_floating_point():
                raise NotImplementedError(
                    '"check_uniform_bounds" not implemented for '
                    f"'{scalar_type_name(input.dtype)}'"
                )
            samples = _random.rand(batch, channels, nd, dtype=input.dtype)
        node, idx, ind = _fractional(nd, input, kernel_size, output_size, samples)
        return _gather(node, input, idx, ind, False, True)

    def fractional(input, kernel_size, output_size=None, output_ratio=None, return_indices=False,
                   _random_samples=None):  # fmt: skip
        args = (input, kernel_size, output_size, output_ratio, True, _random_samples)
        out = with_indices(*args)
        return out if return_indices else out[0]

    with_indices.__name__ = with_indices.__qualname__ = f"{name}_with_indices"
    with_indices.__doc__ = f"``{name}`` returning ``(values, indices)``."
    fractional.__name__ = fractional.__qualname__ = name
    fractional.__doc__ = f"{nd}-d max pooling over windows at pseudo-random offsets."
    return fractional, with_indices


_f2, _f2i = _fractional_max_pool_nd(2)
_f3, _f3i = _fractional_max_pool_nd(3)
fractional_max_pool2d = op(None, public=False)(_f2)
fractional_max_pool2d_with_indices = op(None, public=False)(_f2i)
fractional_max_pool3d = op(None, public=False)(_f3)
fractional_max_pool3d_with_indices = op(None, public=False)(_f3i)

# Fixed samples (batch 2, 2 channels) so both libraries pick the same windows.
_SAMPLES = {
    2: [[[0.13, 0.71], [0.52, 0.05]], [[0.97, 0.33], [0.41, 0.88]]],
    3: [[[0.13, 0.71, 0.5], [0.52, 0.05, 0.9]], [[0.97, 0.33, 0.2], [0.41, 0.88, 0.6]]],
}


def _fixed(nd, **kw):
    def fn(t, x):
        s = t.tensor(_SAMPLES[nd], dtype=x.dtype)
        return F(t, f"fractional_max_pool{nd}d")(x, _random_samples=s, **kw)

    return fn


declare(
    FractionalMaxPool2d,
    None,
    grad_fn="FractionalMaxPool2DBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "fractional_max_pool2d",
        _fixed(2, kernel_size=2, output_size=(3, 4)),
        [((2, 2, 7, 9),), ((2, 6, 6),)],
        shapes=None,
        domain=distinct,
    ),
)
declare(
    FractionalMaxPool3d,
    None,
    grad_fn="FractionalMaxPool3DBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "fractional_max_pool3d",
        _fixed(3, kernel_size=(2, 1, 2), output_size=(2, 3, 2)),
        [((2, 2, 4, 5, 4),), ((2, 3, 4, 5),)],
        shapes=None,
        domain=distinct,
    ),
)

__all__: list = []
