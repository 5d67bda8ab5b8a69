"""Indexing: ``tensor[index]`` and ``tensor[index] = value``.

Basic indices (ints, slices, None, Ellipsis) give views; advanced indices (integer
or boolean tensors) copy.  Repeated advanced indices accumulate their gradients.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor import Tensor
from ._spec import OpSpec, register


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if not (i is None or i is Ellipsis or isinstance(i, (int, slice))) or isinstance(i, bool):
            return False
    return True


def to_numpy_index(index):
    """Replace tensors inside an index by their arrays."""
    if isinstance(index, tuple):
        return tuple(to_numpy_index(i) for i in index)
    if isinstance(index, Tensor):
        return index._data
    if isinstance(index, list):
        from ..backend import np

        return np.asarray(
            [i._data if isinstance(i, Tensor) else i for i in index]
            if any(isinstance(i, Tensor) for i in index)
            else index
        )
    return index


class GetItem(Node):
    """d(x[i]) = zeros like x with grad added at i (repeated indices accumulate)"""

    def forward(self, x, index, basic):
        self.in_shape = x.shape
        self.index = index
        self.is_view = basic
        return x[index]

    def backward(self, grad):
        from .indexing_backward import index_put_add

        return index_put_add(self.in_shape, self.index, grad), None, None


def getitem(input, index):
    """``input[index]`` as NumPy and PyTorch define indexing."""
    basic = _is_basic(index)
    np_index = index if basic else to_numpy_index(index)
    try:
        return GetItem.apply(input, np_index, basic)
    except IndexError as e:
        raise IndexError(_index_message(input, index, e)) from None


def _index_message(t, index, err):
    msg = str(err)
    if "out of bounds" in msg:
        import re

        m = re.search(r"index (-?\d+) is out of bounds for axis (\d+) with size (\d+)", msg)
        if m:
            return (
                f"index {m.group(1)} is out of bounds for dimension {m.group(2)} with size "
                f"{m.group(3)}"
            )
    if "too many indices" in msg:
        return f"too many indices for tensor of dimension {t._data.ndim}"
    return msg


def setitem(input, index, value):
    """``input[index] = value``, recorded in the graph when gradients are involved."""
    from .inplace import index_put_

    index_put_(input, index, value)


METHODS = {}

register(
    OpSpec("getitem_basic", lambda t, a: a[1:, None, ..., ::2], [((3, 4, 5),)], shapes=None),
    OpSpec("getitem_int", lambda t, a: a[1], [((3, 4),)], shapes=None),
    OpSpec("getitem_repeat", lambda t, a: a[[0, 0, 2]], [((3, 4),)], shapes=None),
)
