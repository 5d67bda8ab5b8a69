"""Splitting spelled as PyTorch's other entry points: ``split_with_sizes``, the "unsafe"
splits (``unsafe_split``, ``unsafe_chunk``, ``unsafe_split_with_sizes``: pieces that share
memory with the input but are not tracked as its views, so in-place writes on them are
allowed), and ``narrow_copy`` (``narrow`` as a new tensor)."""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim
from ._out_rules import same_dtype_rule
from ._spec import OpSpec
from .join import Split, SplitWithSizes, _pieces, _share
from .linalg import require_tensor
from .registry import LOOP, declare, op, public_names
from .scatter_views import slice_scatter
from .windows import narrow_start


def _sizes_arg(name, sizes):
    if isinstance(sizes, Tensor) or not isinstance(sizes, (list, tuple)):
        raise TypeError(
            f"{name}(): argument 'split_sizes' (position 2) must be tuple of ints, not "
            f"{type(sizes).__name__}"
        )
    return [int(s) for s in sizes]


def _shape_and_dim(input, dim, what="split"):
    shape = input._data.shape
    if not shape:
        raise RuntimeError(f"{what} expects at least a 1-dimensional tensor")
    return shape, wrap_dim(dim, len(shape))


def _bounds_of_sizes(input, sizes, dim):
    shape, d = _shape_and_dim(input, dim)
    if any(s < 0 for s in sizes):
        raise RuntimeError(
            "split_with_sizes expects split_sizes have only non-negative entries, but got "
            f"split_sizes={sizes}"
        )
    if sum(sizes) != shape[d]:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {shape[d]} (input tensor's "
            f"size at dimension {d}), but got split_sizes={sizes}"
        )
    bounds, start = [], 0
    for s in sizes:
        bounds.append((start, start + s))
        start += s
    return d, tuple(bounds)


def _bounds_of_size(input, size, dim):
    shape, d = _shape_and_dim(input, dim)
    n = shape[d]
    if size < 0:
        raise RuntimeError(f"split expects split_size be non-negative, but got split_size={size}")
    if size == 0:
        if n != 0:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        return d, ((0, 0),)
    return d, tuple((a, min(a + size, n)) for a in range(0, n, size)) or ((0, 0),)


@op(
    None,
    methods="split_with_sizes",
    numpy_names=False,
    spec=OpSpec(
        "split_with_sizes",
        lambda t, a: _pieces(t.split_with_sizes(a, [2, 0, 1], dim=-1)),
        [((2, 3),)],
        shapes=None,
    ),
)
def split_with_sizes(input, split_sizes, dim=0):
    """Pieces of the listed sizes along ``dim`` (views of ``input``)."""
    require_tensor(input, "split_with_sizes", "input", 1)
    sizes = _sizes_arg("split_with_sizes", split_sizes)
    d, bounds = _bounds_of_sizes(input, sizes, dim)
    return _share(input, SplitWithSizes.apply(input, d, bounds))


class UnsafeSplit(Split):
    """d unsafe_split(x) = the pieces' grads joined back"""


class UnsafeSplitWithSizes(Split):
    """d unsafe_split_with_sizes(x) = the pieces' grads joined back"""


declare(
    UnsafeSplitWithSizes,
    vmap=LOOP,
    spec=OpSpec(
        "unsafe_split_with_sizes",
        lambda t, a: _pieces(t.unsafe_split_with_sizes(a, [1, 0, 2])),
        [((3, 2),)],
        shapes=None,
    ),
)


@op(
    UnsafeSplit,
    methods="unsafe_split",
    vmap=LOOP,
    numpy_names=False,
    spec=(
        OpSpec(
            "unsafe_split",
            lambda t, a: _pieces(t.unsafe_split(a, 2, 1)),
            [((3, 5),), ((3, 0),)],
            shapes=None,
        ),
        OpSpec(
            "unsafe_chunk",
            lambda t, a: _pieces(a.unsafe_chunk(3, -1)),
            [((2, 7),), ((2, 6),)],
            shapes=None,
        ),
    ),
)
def unsafe_split(input, split_size, dim=0):
    """``split`` into pieces of ``split_size`` that are not tracked as views of ``input``."""
    require_tensor(input, "unsafe_split", "input", 1)
    if isinstance(split_size, (list, tuple)) or isinstance(split_size, Tensor):
        raise TypeError(
            "unsafe_split(): argument 'split_size' (position 2) must be int, not "
            f"{type(split_size).__name__}"
        )
    d, bounds = _bounds_of_size(input, int(split_size), dim)
    return UnsafeSplit.apply(input, d, bounds)


@op(None, methods="unsafe_chunk")
def unsafe_chunk(input, chunks, dim=0):
    """``chunk`` into pieces that are not tracked as views of ``input``."""
    require_tensor(input, "unsafe_chunk", "input", 1)
    shape, d = _shape_and_dim(input, dim, "chunk")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = shape[d]
    if n == 0:
        return UnsafeSplit.apply(input, d, ((0, 0),) * chunks)
    return unsafe_split(input, -(-n // chunks), d)


@op(None, methods="unsafe_split_with_sizes", numpy_names=False)
def unsafe_split_with_sizes(input, split_sizes, dim=0):
    """``split_with_sizes`` into pieces that are not tracked as views of ``input``."""
    require_tensor(input, "unsafe_split_with_sizes", "input", 1)
    sizes = _sizes_arg("unsafe_split_with_sizes", split_sizes)
    d, bounds = _bounds_of_sizes(input, sizes, dim)
    return UnsafeSplitWithSizes.apply(input, d, bounds)


# ----- narrow_copy ------------------------------------------------------------------------
class NarrowCopy(Node):
    """d narrow_copy(x) = grad placed back in zeros at the narrowed slice"""

    def forward(self, x, dim, start, length):
        self.args_ = (x.shape, dim, start, length)
        return x[(slice(None),) * dim + (slice(start, start + length),)].copy()

    def backward(self, grad):
        shape, dim, start, length = self.args_
        return (
            slice_scatter(grad.new_zeros(shape), grad, dim, start, start + length),
            None,
            None,
            None,
        )


_narrow_copy_out = same_dtype_rule(
    "Expected self.dtype() == output.dtype() to be true, but got false.  (Could this error "
    "message be improved?  If so, please report an enhancement request to PyTorch.)"
)


@op(
    NarrowCopy,
    methods="narrow_copy",
    vmap=LOOP,
    spec=OpSpec(
        "narrow_copy", lambda t, a: a.narrow_copy(-1, -3, 2), [((3, 4),), ((2, 3, 4),)], shapes=None
    ),
    out=_narrow_copy_out,
)
def narrow_copy(input, dim, start, length):
    """A new tensor holding the slice ``start:start+length`` of dimension ``dim``."""
    require_tensor(input, "narrow_copy", "input", 1)
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if not -len(shape) <= dim < len(shape):
        raise RuntimeError(
            "Expected dim < static_cast<int64_t>(self_sizes.size()) to be true, but got false.  "
            "(Could this error message be improved?  If so, please report an enhancement "
            "request to PyTorch.)"
        )
    d = dim % len(shape)
    start, length = int(start), int(length)
    n = shape[d]
    start = narrow_start(start, n)
    if length < 0 or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return NarrowCopy.apply(input, d, start, length)


__all__ = public_names(__name__)
