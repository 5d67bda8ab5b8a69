"""Broadcasting as functions (``broadcast_shapes``, ``broadcast_tensors``) and
``constant_pad_nd``, the padding op under ``F.pad(mode="constant")``."""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import Size
from ._binary import broadcast_error
from ._spec import OpSpec
from .registry import LOOP, declare, op, public_names


def broadcast_shapes(*shapes):
    """The shape that tensors of ``shapes`` broadcast to (no tensors are made)."""
    dims = [(s,) if isinstance(s, int) else tuple(s) for s in shapes]
    for s in dims:
        for n in s:
            if n < 0:
                raise ValueError("Attempting to broadcast a dimension with negative length!")
    ndim = max((len(s) for s in dims), default=0)
    out = [1] * ndim
    for i, s in enumerate(dims):
        for k in range(1, len(s) + 1):
            n = s[-k]
            if n == 1 or n == out[-k]:
                continue
            if out[-k] == 1:
                out[-k] = n
                continue
            raise RuntimeError(
                f"Attempting to broadcast a dimension of length {n} at {-k}! Mismatching "
                f"argument at index {i} had {s}; but expected shape should be broadcastable to "
                f"{out}"
            )
    return Size(out)


declare(None, broadcast_shapes)


@op(
    None,
    spec=OpSpec(
        "broadcast_tensors",
        lambda lib, a, b: lib.broadcast_tensors(a, b)[0] * 2 + lib.broadcast_tensors(a, b)[1],
        [((3, 1), (4,)), ((2, 3), (2, 3)), ((), (2,))],
        shapes=None,
    ),
)
def broadcast_tensors(*tensors):
    """Views of ``tensors`` expanded to their common broadcast shape."""
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
    try:
        shape = broadcast_shapes(*[t.shape for t in tensors])
    except RuntimeError:
        raise broadcast_error(*tensors) from None
    return tuple(t if t.shape == shape else t.expand(shape) for t in tensors)


class ConstantPadNd(Node):
    """d(pad x) = the gradient with the padding cut off (pads negated)"""

    def forward(self, x, pad, value):
        xp = self.xp
        nd = x.ndim
        index_in, index_out, shape = [], [], list(x.shape)
        for k in range(len(pad) // 2):
            d = nd - 1 - k
            lo, hi = pad[2 * k], pad[2 * k + 1]
            n = x.shape[d]
            if n + min(lo, 0) + min(hi, 0) < 0:
                raise RuntimeError("narrow(): length must be non-negative.")
            kept = n + min(lo, 0) + min(hi, 0)
            index_in.append((d, slice(-min(lo, 0), -min(lo, 0) + kept)))
            index_out.append((d, slice(max(lo, 0), max(lo, 0) + kept)))
            shape[d] = n + lo + hi
            if shape[d] < 0:
                raise RuntimeError(
                    f"The input size {n}, plus negative padding {lo} and {hi} resulted in a "
                    f"negative output size, which is invalid. Check dimension {d} of your input."
                )
        src = [slice(None)] * nd
        dst = [slice(None)] * nd
        for (d, a), (_, b) in zip(index_in, index_out):
            src[d], dst[d] = a, b
        out = xp.full(shape, value, dtype=x.dtype)
        out[tuple(dst)] = x[tuple(src)]
        self.pad = pad
        return out

    def backward(self, grad):
        return constant_pad_nd(grad, [-p for p in self.pad]), None, None


declare(
    ConstantPadNd,
    None,
    vmap=LOOP,
    spec=OpSpec(
        "constant_pad_nd",
        lambda lib, a: lib.constant_pad_nd(a, (1, -1, 2, 0), 0.5),
        [((3, 4),), ((2, 3, 4),)],
        shapes=None,
    ),
)


@op(None, out=False)
def constant_pad_nd(input, pad, value=0):
    """``input`` padded with ``value``: ``pad`` lists (before, after) sizes from the last
    dimension backwards; negative sizes crop."""
    pad = [int(p) for p in pad]
    if len(pad) % 2:
        raise RuntimeError(f"Length of pad must be even but instead it equals {len(pad)}")
    nd = input.dim()
    if len(pad) > 2 * nd:
        raise RuntimeError(
            "Length of pad should be no more than twice the number of dimensions of the input. "
            f"Pad length is {len(pad)}while the input has {nd}dimensions."
        )
    if hasattr(value, "item"):
        value = value.item()
    if input._data.dtype.kind in "iub" and isinstance(value, float):
        value = int(value)
    return ConstantPadNd.apply(input, tuple(pad), value)


__all__ = public_names(__name__)
