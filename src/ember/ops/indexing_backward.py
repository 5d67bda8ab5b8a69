"""The backward of indexing: scatter a gradient into zeros, accumulating repeats."""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor import Tensor


class IndexPutAdd(Node):
    """out = zeros(shape) with grad added at index; d/dgrad = out_grad[index]"""

    def forward(self, grad, shape, index):
        xp = self.xp
        out = xp.zeros(shape, dtype=grad.dtype)
        self.index = index
        if _has_advanced(index):
            xp.add.at(out, index, grad)
        else:
            out[index] = grad
        return out

    def backward(self, g):
        return g[self.index] if not _has_advanced(self.index) else _take(g, self.index), None, None


def _take(g, index):
    from .indexing import GetItem

    return GetItem.apply(g, index, False)


def _has_advanced(index):
    items = index if isinstance(index, tuple) else (index,)
    return any(hasattr(i, "shape") or isinstance(i, list) for i in items)


def index_put_add(shape, index, grad):
    """A tensor of zeros shaped ``shape`` with ``grad`` added at ``index``."""
    return IndexPutAdd.apply(grad, shape, index)


_ = Tensor
