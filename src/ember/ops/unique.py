"""unique and unique_consecutive, over all elements or over slices along a dimension.

NaN is never equal to NaN here, as in PyTorch: every NaN is its own unique value.  The
values carry no gradient (PyTorch records a node whose backward is not implemented).
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import wrap_dim as _wrap_dim
from ._spec import OpSpec
from .clamp import tensor_arg
from .registry import LOOP, declare, op, public_names

_INDEX = _np.dtype("int64")


class Unique(Node):
    """(values, inverse, counts) of the unique elements or slices: no derivative"""

    aten = "_unique2"

    def forward(self, x, dim, consecutive):
        xp = self.xp
        if dim is None:
            rows = x.reshape(-1, 1)
        else:
            rows = xp.moveaxis(x, dim, 0)
            rows = rows.reshape(rows.shape[0], x.size // max(rows.shape[0], 1))
        n = rows.shape[0]
        if consecutive:
            order = xp.arange(n)
        elif rows.shape[1] == 1:
            order = xp.argsort(rows[:, 0], kind="stable")
        else:
            order = xp.lexsort(rows.T[::-1]) if n else xp.arange(0)
        ordered = rows[order]
        # A new group starts wherever a row differs from the previous one (NaN != NaN).
        starts = xp.ones(n, dtype=bool)
        if n > 1:
            starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
        group = xp.cumsum(starts) - 1
        inverse = xp.empty(n, dtype=_INDEX)
        inverse[order] = group
        first = xp.flatnonzero(starts)
        counts = xp.diff(xp.append(first, n)).astype(_INDEX)
        picked = ordered[first]
        if dim is None:
            values = picked.reshape(-1)
            inverse = inverse.reshape(x.shape)
        else:
            rest = xp.moveaxis(x, dim, 0).shape[1:]
            values = xp.moveaxis(picked.reshape((len(first),) + rest), 0, dim)
        return xp.ascontiguousarray(values), inverse, counts

    def differentiable_outputs(self, n):
        return (True, False, False)

    def backward(self, *grads):
        raise NotImplementedError(f"the derivative for '{self.aten}' is not implemented.")


class UniqueDim(Unique):
    """(values, inverse, counts) of the unique slices along a dimension: no derivative"""

    aten = "unique_dim"


class UniqueConsecutive(Unique):
    """(values, inverse, counts) of runs of equal elements or slices: no derivative"""

    aten = "unique_consecutive"


def _unique(name, node, input, return_inverse, return_counts, dim, consecutive):
    tensor_arg(name, input, "input", 1)
    data = input._data
    if dim is not None:
        if data.ndim == 0:
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        dim = _wrap_dim(dim, data.ndim)
        if data.size == 0:
            if data.shape.count(0) > 1:
                raise RuntimeError(
                    "Number of zero sized dimensions is more than one, so unique cannot be applied "
                )
            if data.shape[dim] != 0:
                raise RuntimeError(
                    "There are 0 sized dimensions, and they aren't selected, so unique cannot "
                    "be applied"
                )
    values, inverse, counts = node.apply(input, dim, consecutive)
    out = (values,)
    if return_inverse:
        out += (inverse,)
    if return_counts:
        out += (counts,)
    return out[0] if len(out) == 1 else out


_S = [((7,),), ((3, 4),), ((),), ((0,),)]


def _repeats(z):
    return (z * 2).round()  # repeated values


def _spec(name, fn, samples=_S):
    return OpSpec(name, fn, samples, domain=_repeats, grad=(False,), fd=False, second_order=False)


@op(
    Unique,
    methods="unique",
    grad_fn="Unique2Backward0",
    vmap=LOOP,
    spec=(
        _spec("unique", lambda t, a: t.unique(a, return_inverse=True, return_counts=True)),
        _spec(
            "unique_dim",
            lambda t, a: a.unique(dim=1, return_inverse=True, return_counts=True),
            [((3, 4),), ((2, 3, 2),), ((0, 3),)],
        ),
    ),
)
def unique(input, sorted=True, return_inverse=False, return_counts=False, dim=None):  # noqa: A002
    """The sorted unique elements of ``input`` (or unique slices along ``dim``), with the
    index of each element's value (``return_inverse``) and each value's count."""
    node = Unique if dim is None else UniqueDim
    return _unique("unique", node, input, return_inverse, return_counts, dim, False)


declare(
    UniqueDim,
    grad_fn="UniqueDimBackward0",
    vmap=LOOP,
    spec=_spec(
        "unique_dim0", lambda t, a: t.unique(a, dim=0, return_counts=True), [((5, 2),), ((4,),)]
    ),
)


@op(
    UniqueConsecutive,
    methods="unique_consecutive",
    vmap=LOOP,
    spec=(
        _spec(
            "unique_consecutive",
            lambda t, a: t.unique_consecutive(a, return_inverse=True, return_counts=True),
        ),
        _spec(
            "unique_consecutive_dim",
            lambda t, a: a.unique_consecutive(return_counts=True, dim=0),
            [((4, 2),), ((3, 2, 2),)],
        ),
    ),
)
def unique_consecutive(input, return_inverse=False, return_counts=False, dim=None):
    """``input`` with each run of equal consecutive elements (or slices along ``dim``)
    reduced to one, with each element's run index and each run's length."""
    return _unique("unique_consecutive", UniqueConsecutive, input, return_inverse, return_counts,
                   dim, True)  # fmt: skip


__all__ = public_names(__name__)
