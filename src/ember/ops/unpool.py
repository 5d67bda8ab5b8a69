"""Max unpooling (1/2/3-d): the partial inverse of max pooling.

Each input value is written at the position its index names in a zero output plane;
the gradient gathers the output gradient at the same positions (``TakeFlat``), so
higher orders come from the max pooling nodes.
"""

from __future__ import annotations

import math

from ..autograd.node import Node
from ..backend import np, xp_of
from ..dtypes import scalar_type_name
from ._spec import OpSpec
from .losses import F
from .pooling import TakeFlat, distinct
from .registry import LOOP, declare, op


class MaxUnpool2d(Node):
    """d unpool(x, idx) = gather(g, idx)"""

    def forward(self, x, flat, shape):
        self.flat = flat
        out = self.xp.zeros(math.prod(shape), dtype=x.dtype)
        # Assignment, not accumulation: positions named twice hold one value, as in PyTorch.
        out[flat.reshape(-1)] = x.reshape(-1)
        return out.reshape(shape)

    def backward(self, grad):
        return TakeFlat.apply(grad, self.flat), None, None


class MaxUnpool3d(MaxUnpool2d):
    """d unpool(x, idx) = gather(g, idx) over 3-d volumes"""


def _ints(v, n):
    if isinstance(v, (tuple, list)):
        return tuple(int(i) for i in v)
    return (int(v),) * n


def unpool_output_size(input, kernel, stride, padding, output_size):
    """The spatial output size: the default inverse of pooling, or ``output_size`` checked
    to lie strictly within one stride of it."""
    nd = len(kernel)
    default = [
        (input.shape[input.dim() - nd + d] - 1) * stride[d] + kernel[d] - 2 * padding[d]
        for d in range(nd)
    ]
    if output_size is None:
        size = default
    else:
        if len(output_size) == nd + 2:
            output_size = output_size[2:]
        size = list(output_size)
        if len(size) != nd:
            raise ValueError(
                f"output_size should be a sequence containing {nd} or {nd + 2} elements, but "
                f"it has a length of '{len(size)}'"
            )
        for d in range(nd):
            low, high = default[d] - stride[d], default[d] + stride[d]
            if not low < size[d] < high:
                raise ValueError(
                    f'invalid output_size "{output_size}" (dim {d} must be between {low} and '
                    f"{high})"
                )
    for d in range(nd):
        if size[d] < 0:
            raise ValueError(
                "max_unpooling: output_size must contain non-negative spatial dimensions, but "
                f"got output_size[{d}]={size[d]}"
            )
    return [int(s) for s in size]


def _unpool(nd, input, indices, size):
    """Scatter ``input`` into planes of spatial ``size`` at ``indices`` (PyTorch's checks)."""
    pnd = max(nd, 2)  # 1-d unpooling is PyTorch's 2-d kernel on a trailing unit axis
    if input.dim() + pnd - nd not in (pnd + 1, pnd + 2):
        raise RuntimeError(
            f"Input to max_unpooling{pnd}d should be a {pnd + 1}d or {pnd + 2}d Tensor, but got "
            f"a tensor with {input.dim() + (pnd - nd)} dimensions."
        )
    if indices._data.dtype != np.int64:
        raise RuntimeError(
            f"elements in indices should be type int64 but got: {scalar_type_name(indices.dtype)}"
        )
    if tuple(indices.shape) != tuple(input.shape):
        raise RuntimeError(
            "Expected shape of indices to be same as that of the input tensor "
            f"({list(_padded_shape(input.shape, nd))}) but got indices tensor with shape: "
            f"{list(_padded_shape(indices.shape, nd))}"
        )
    if not input.is_floating_point():
        raise NotImplementedError(
            f"\"max_unpool{pnd}d\" not implemented for '{scalar_type_name(input.dtype)}'"
        )
    lead = tuple(input.shape[: input.dim() - nd])
    idx = indices._data
    xp = xp_of(idx)
    plane = math.prod(size)
    per = idx.reshape(math.prod(lead), -1) if idx.size else idx.reshape(0, 0)
    bad = ((per < 0) | (per >= plane)).reshape(-1)
    if bad.any():
        # PyTorch's kernel keeps the last bad index it meets (threads may race; serially it
        # is the last one in memory order).
        last = bad.size - 1 - int(xp.argmax(bad[::-1]))
        shown = "x".join(str(s) for s in list(size) + [1] * (pnd - nd))
        raise RuntimeError(
            f"Found an invalid max index: {int(per.reshape(-1)[last])} (output volumes are of "
            f"size {shown})"
        )
    base = (xp.arange(per.shape[0]) * plane).reshape((-1, 1))
    flat = (per + base).reshape(idx.shape)
    if nd == 1:  # PyTorch runs the 2-d kernel on a trailing unit dimension, as here
        out = MaxUnpool2d.apply(input.unsqueeze(-1), flat[..., None], lead + tuple(size) + (1,))
        return out.squeeze(-1)
    node = MaxUnpool3d if nd == 3 else MaxUnpool2d
    return node.apply(input, flat, lead + tuple(size))


def _padded_shape(shape, nd):
    return tuple(shape) + (1,) if nd == 1 else tuple(shape)


def _max_unpool_nd(nd):
    """``max_unpool{nd}d``: the public function of one dimensionality."""

    def max_unpool(input, indices, kernel_size, stride=None, padding=0, output_size=None):
        k = _ints(kernel_size, nd)
        s = _ints(stride, nd) if stride is not None else k
        p = _ints(padding, nd)
        if nd == 3 and any(v <= 0 for v in s):  # only PyTorch's 3-d kernel checks
            raise RuntimeError(f"strides should be greater than zero, but got stride: {list(s)}")
        size = unpool_output_size(input, k, s, p, output_size)
        return _unpool(nd, input, indices, size)

    max_unpool.__name__ = max_unpool.__qualname__ = f"max_unpool{nd}d"
    max_unpool.__doc__ = f"Partial inverse of ``max_pool{nd}d``: values back at their indices."
    return max_unpool


max_unpool1d = op(None, public=False)(_max_unpool_nd(1))
max_unpool2d = op(None, public=False)(_max_unpool_nd(2))
max_unpool3d = op(None, public=False)(_max_unpool_nd(3))


def _roundtrip(nd, **kw):
    def fn(t, x):
        out, idx = F(t, f"max_pool{nd}d")(x, return_indices=True, **kw)
        return F(t, f"max_unpool{nd}d")(out, idx, **kw)

    return fn


declare(
    MaxUnpool2d,
    None,
    grad_fn="MaxUnpool2DBackward0",
    vmap=LOOP,
    spec=(
        OpSpec(
            "max_unpool2d",
            _roundtrip(2, kernel_size=2),
            [((2, 3, 4, 4),), ((2, 5, 5),)],
            shapes=None,
            domain=distinct,
        ),
        OpSpec(
            "max_unpool2d_overlap",
            _roundtrip(2, kernel_size=3, stride=1, padding=1),
            [((1, 2, 4, 5),)],
            shapes=None,
            domain=distinct,
            # A position two windows chose is written twice, yet each write gets the
            # gradient (PyTorch's rule): not the finite-difference derivative.
            fd=False,
        ),
        OpSpec(
            "max_unpool1d",
            _roundtrip(1, kernel_size=3, stride=3, padding=1),
            [((2, 2, 7),), ((3, 7),)],
            shapes=None,
            domain=distinct,
        ),
    ),
)
declare(
    MaxUnpool3d,
    None,
    grad_fn="MaxUnpool3DBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "max_unpool3d",
        _roundtrip(3, kernel_size=2),
        [((1, 2, 4, 4, 4),), ((2, 4, 2, 4),)],
        shapes=None,
        domain=distinct,
    ),
)

__all__: list = []
