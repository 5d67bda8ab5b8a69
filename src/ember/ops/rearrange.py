"""Copies that rearrange elements: repeat, tile, flip, fliplr, flipud, roll, rot90."""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import wrap_dim as _wrap_dim
from ._spec import OpSpec
from .movement import dims_arg, shape_arg
from .registry import LOOP, op, public_names


class Repeat(Node):
    """d(x.repeat(r)) = grad summed over the copies"""

    def forward(self, x, reps):
        self.in_shape, self.reps = x.shape, reps
        return self.xp.tile(x, reps)

    def backward(self, grad):
        reps = tuple(self.reps)
        shape = (1,) * (len(reps) - len(self.in_shape)) + tuple(self.in_shape)
        split = []
        for r, s in zip(reps, shape):
            split += [r, s]
        g = grad.reshape(tuple(split)).sum(dim=tuple(range(0, 2 * len(reps), 2)))
        return g.reshape(self.in_shape), None


@op(
    Repeat,
    methods="repeat",
    public=False,
    vmap=LOOP,
    spec=OpSpec(
        "repeat", lambda t, a: a.repeat(2, 1, 3), [((3, 2),), ((),), ((0, 2),)], shapes=None
    ),
)
def repeat(input, *sizes, repeats=None):
    """Tile ``input`` ``sizes[i]`` times along each dimension (leading new dims allowed)."""
    reps = shape_arg("repeat", "repeats", sizes, repeats)
    shape = input._data.shape
    if len(reps) < len(shape):
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    padded = (1,) * (len(reps) - len(shape)) + shape
    out = [r * s for r, s in zip(reps, padded)]
    for o in out:
        if o < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {o}: {out}")
    return Repeat.apply(input, reps)


@op(
    None,
    methods="tile",
    spec=OpSpec("tile", lambda t, a: t.tile(a, (2,)), [((3, 2),), ((2, 3, 1),)], shapes=None),
)
def tile(input, dims):
    """Repeat ``input`` by ``dims``, padding ``dims`` with leading ones to ``input.dim()``."""
    dims = dims_arg(dims)
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + tuple(dims)
    return repeat(input, dims)


class Flip(Node):
    """d(flip x) = flip(grad)"""

    def forward(self, x, dims):
        self.dims = dims
        return self.xp.flip(x, dims).copy() if dims else x.copy()

    def backward(self, grad):
        return Flip.apply(grad, self.dims), None


@op(
    Flip,
    methods="flip",
    vmap=LOOP,
    spec=(
        OpSpec("flip", lambda t, a: t.flip(a, (0, -1)), [((3, 4),), ((2, 3, 4),)], shapes=None),
        OpSpec("flip_dims_keyword", lambda t, a: a.flip(dims=[1]), [((3, 4),)], shapes=None),
    ),
)
def flip(input, *args, dims=None):
    """Reverse the order of elements along ``dims`` (a copy, as in PyTorch)."""
    dims = shape_arg("flip", "dims", args, dims)
    nd = input._data.ndim
    wrapped = tuple(_wrap_dim(d, nd) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return Flip.apply(input, wrapped)


def _flip_one(input, dim):
    """``input`` flipped along ``dim``, which it must have (PyTorch's error otherwise)."""
    if input._data.ndim <= dim:
        raise RuntimeError(f"Input must be >= {dim + 1}-d.")
    return flip(input, (dim,))


@op(None, methods="fliplr",
    spec=OpSpec("fliplr", lambda t, a: t.fliplr(a), [((3, 4),)], shapes=None))  # fmt: skip
def fliplr(input):
    """Flip the columns (dimension 1)."""
    return _flip_one(input, 1)


@op(None, methods="flipud",
    spec=OpSpec("flipud", lambda t, a: t.flipud(a), [((3, 4),)], shapes=None))  # fmt: skip
def flipud(input):
    """Flip the rows (dimension 0)."""
    return _flip_one(input, 0)


class Roll(Node):
    """d(roll x by s) = roll(grad by -s)"""

    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return self.xp.roll(x, shifts, axis=dims)

    def backward(self, grad):
        back = tuple(-s for s in self.shifts) if self.dims is not None else -self.shifts
        return Roll.apply(grad, back, self.dims), None, None


@op(
    Roll,
    methods="roll",
    vmap=LOOP,
    spec=(
        OpSpec("roll", lambda t, a: t.roll(a, (1, -3), (0, 1)), [((3, 4),)], shapes=None),
        OpSpec("roll_flat", lambda t, a: a.roll(5), [((3, 4),), ((0,),)], shapes=None),
    ),
)
def roll(input, shifts, dims=None):
    """Shift elements cyclically along ``dims`` (the flattened tensor when ``dims`` is None)."""
    sh = dims_arg(shifts)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return Roll.apply(input, int(sh[0]), None)
    ds = dims_arg(dims)
    if len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    nd = input._data.ndim
    ds = tuple(_wrap_dim(d, nd) for d in ds)
    return Roll.apply(input, tuple(int(s) for s in sh), ds)


class Rot90(Node):
    """d(rot90(x, k)) = rot90(grad, -k)"""

    def forward(self, x, k, dims):
        self.k, self.dims = k, dims
        return self.xp.rot90(x, k, axes=dims).copy()

    def backward(self, grad):
        return Rot90.apply(grad, (4 - self.k) % 4, self.dims), None, None


@op(
    Rot90,
    methods="rot90",
    vmap=LOOP,
    spec=(
        OpSpec("rot90", lambda t, a: t.rot90(a, 1, (0, 1)), [((3, 4),), ((2, 3, 4),)], shapes=None),
        OpSpec("rot90_k3", lambda t, a: t.rot90(a, -1, (1, 0)), [((3, 4),)], shapes=None),
        OpSpec("rot90_k2", lambda t, a: a.rot90(2, (0, 2)), [((2, 3, 4),)], shapes=None),
        OpSpec("rot90_k0", lambda t, a: a.rot90(0), [((3, 4),)], shapes=None),
    ),
)
def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims``, from the first toward the second."""
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == nd:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    return Rot90.apply(input, k % 4, (_wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)))


__all__ = public_names(__name__)
