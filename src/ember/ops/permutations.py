"""Permutations of the dimensions (views): permute, transpose / swapdims / swapaxes, t,
movedim / moveaxis."""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import wrap_dim as _wrap_dim
from . import batching
from ._spec import OpSpec
from .movement import dims_arg, shape_arg
from .registry import op, public_names


class Permute(Node):
    """d(permute x) = grad permuted back"""

    is_view = True

    def forward(self, x, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, grad):
        inv = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inv[d] = i
        return type(self).apply(grad, tuple(inv)), None


@op(
    Permute,
    methods="permute",
    vmap=batching.permute,
    spec=(
        OpSpec("permute", lambda t, a: a.permute(2, 0, 1), [((2, 3, 4),)], shapes=None),
        OpSpec("T", lambda t, a: a.T, [((3, 4),)], shapes=None),
    ),
)
def permute(input, *args, dims=None):
    """Reorder dimensions (a view)."""
    dims = shape_arg("permute", "dims", args, dims, True)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


class Transpose(Permute):
    """d(transpose x) = grad transposed back"""


def _swap(nd, d0, d1):
    dims = list(range(nd))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return tuple(dims)


@op(
    Transpose,
    methods=("transpose", "swapdims"),
    aliases=("swapdims",),
    vmap=batching.permute,
    spec=(
        OpSpec(
            "transpose", lambda t, a: a.transpose(0, -1), [((2, 3),), ((2, 3, 4),)], shapes=None
        ),
        OpSpec("mT", lambda t, a: a.mT, [((2, 3, 4),)], shapes=None),
        OpSpec("swapaxes", lambda t, a: t.swapaxes(a, 0, 1), [((2, 3),)], shapes=None),
    ),
)
def transpose(input, dim0, dim1):
    """Swap two dimensions (a view)."""
    nd = input._data.ndim
    if nd == 0:
        _wrap_dim(dim0, 0), _wrap_dim(dim1, 0)
        return Transpose.apply(input, ())
    return Transpose.apply(input, _swap(nd, _wrap_dim(dim0, nd), _wrap_dim(dim1, nd)))


swapdims = transpose


@op(None, methods="swapaxes")
def swapaxes(input, axis0, axis1):
    """``transpose`` with NumPy's argument names."""
    return transpose(input, axis0, axis1)


class T(Permute):
    """d(x.t()) = grad.t()"""


@op(
    T,
    methods="t",
    vmap=batching.permute,
    spec=OpSpec("t", lambda t, a: a.t(), [((2, 3),), ((3,),), ((),)], shapes=None),
)
def t(input):
    """Transpose a tensor of at most 2 dimensions (fewer: the tensor as it is, as a view)."""
    nd = input._data.ndim
    if nd > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {nd}D")
    return T.apply(input, (1, 0) if nd == 2 else tuple(range(nd)))


@op(
    None,
    methods=("movedim", "moveaxis"),
    aliases=("moveaxis",),
    spec=OpSpec("movedim", lambda t, a: t.movedim(a, (0, -1), (2, 0)), [((2, 3, 4),)], shapes=None),
)
def movedim(input, source, destination):
    """Move dimensions ``source`` to positions ``destination`` (a view); the rest keep order."""
    src, dst = dims_arg(source), dims_arg(destination)
    nd = input._data.ndim
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    s = [_wrap_dim(d, nd) for d in src]
    t = [_wrap_dim(d, nd) for d in dst]
    if len(set(s)) != len(s):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(t)) != len(t):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [None] * nd
    for a, b in zip(s, t):
        order[b] = a
    rest = iter(d for d in range(nd) if d not in s)
    order = tuple(next(rest) if o is None else o for o in order)
    return Permute.apply(input, order)


moveaxis = movedim

__all__ = public_names(__name__)
