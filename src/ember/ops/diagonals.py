"""The diagonal and the triangles of matrices: ``trace``, ``diag``, ``diag_embed``,
``tril``, ``triu``."""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim
from . import batching, windows
from ._spec import OpSpec
from .linalg import not_implemented
from .registry import LOOP, op, public_names


class Trace(Node):
    """d(trace A) = grad * I"""

    def forward(self, x):
        self.shape = x.shape
        return self.xp.trace(x, dtype=self.xp.int64 if x.dtype.kind in "biu" else None)

    def backward(self, grad):
        eye = self.xp.eye(*self.shape, dtype=grad._data.dtype)
        return (grad * Tensor._make(eye),)


@op(Trace, methods="trace", vmap=LOOP,
    spec=OpSpec("trace", lambda t, a: t.trace(a), [((3, 3),), ((2, 4),), ((0, 3),)],
                shapes=None))  # fmt: skip
def trace(input):
    """Sum of the main diagonal of a matrix."""
    if input._data.ndim != 2:
        raise RuntimeError(f"trace: expected a matrix, but got tensor with dim {input._data.ndim}")
    if input._data.dtype.kind == "b":
        raise not_implemented("trace", input)
    return Trace.apply(input)


class Diagonal(windows.Diagonal):
    """d(diagonal x) = grad written back onto the diagonal of zeros"""

    is_view = False  # PyTorch's diag copies the diagonal out

    def forward(self, x, offset, dim1, dim2):
        return super().forward(x, offset, dim1, dim2).copy()

    def backward(self, grad):
        return (DiagEmbed.apply(grad, *self.args_), None, None, None)


class DiagEmbed(windows.DiagonalScatter):
    """d(diag_embed x) = the diagonal of grad"""

    def backward(self, grad):
        return (Diagonal.apply(grad, *self.args_), None, None, None, None)


def _diag_embed(x, offset, d1, d2, shape=None):
    if shape is None:
        size = (x._data.shape[-1] if x._data.ndim else 1) + abs(offset)
        rest = iter(x._data.shape[:-1])
        shape = tuple(size if i in (d1, d2) else next(rest) for i in range(x._data.ndim + 1))
    return DiagEmbed.apply(x, shape, offset, d1, d2)


@op(DiagEmbed, methods="diag_embed", vmap=LOOP,
    spec=(OpSpec("diag_embed", lambda t, a: t.diag_embed(a), [((2, 3),), ((3,),)], shapes=None),
          OpSpec("diag_embed_dims", lambda t, a: t.diag_embed(a, -1, 0, 2),
                 [((2, 3),), ((2, 2, 3),)], shapes=None),
          OpSpec("diag_1d", lambda t, a: t.diag(a), [((3,),), ((0,),)], shapes=None),
          OpSpec("diag_1d_offset", lambda t, a: t.diag(a, -2), [((3,),)],
                 shapes=None)))  # fmt: skip
def diag_embed(input, offset=0, dim1=-2, dim2=-1):
    """Tensor whose (``dim1``, ``dim2``) planes have the last dimension of ``input`` on their
    ``offset`` diagonal and zeros elsewhere."""
    nd = input._data.ndim + 1
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return _diag_embed(input, offset, d1, d2)


# PyTorch's ``diag`` of a matrix copies the diagonal out; its node says so.
@op(Diagonal, methods="diag", grad_fn="DiagonalBackward0_copy", vmap=LOOP,
    spec=(OpSpec("diag_2d", lambda t, a: t.diag(a), [((3, 4),), ((4, 2),)], shapes=None),
          OpSpec("diag_2d_offset", lambda t, a: t.diag(a, 1), [((3, 4),), ((4, 2),)], shapes=None)),
    out="same")  # fmt: skip
def diag(input, diagonal=0):
    """1-D input: a square matrix with it on the ``diagonal``-th diagonal; 2-D input: that
    diagonal as a 1-D tensor."""
    nd = input._data.ndim
    if nd == 1:
        return _diag_embed(input, diagonal, 0, 1)
    if nd == 2:
        return Diagonal.apply(input, diagonal, 0, 1)
    raise RuntimeError(f"diag(): Supports 1D or 2D tensors. Got {nd}D")


class Tril(Node):
    """d(tril x) = tril(grad)"""

    fn = "tril"

    def forward(self, x, k):
        self.k = k
        return getattr(self.xp, self.fn)(x, k)

    def backward(self, grad):
        return type(self).apply(grad, self.k), None


class Triu(Tril):
    """d(triu x) = triu(grad)"""

    fn = "triu"


# Both work on the last two dimensions, so a batch of inputs is one larger input.
@op(Tril, methods="tril", vmap=batching.elementwise,
    spec=(OpSpec("tril", lambda t, a: t.tril(a), [((3, 4),), ((2, 4, 3),), ((0, 2),)], shapes=None),
          OpSpec("tril_offset", lambda t, a: t.tril(a, -1), [((4, 3),)], shapes=None)),
    out="same")  # fmt: skip
def tril(input, diagonal=0):
    """Lower triangle of the last two dimensions (on and below the ``diagonal``-th)."""
    if input._data.ndim < 2:
        raise RuntimeError("tril: input tensor must have at least 2 dimensions")
    return Tril.apply(input, diagonal)


@op(Triu, methods="triu", vmap=batching.elementwise,
    spec=(OpSpec("triu", lambda t, a: t.triu(a), [((3, 4),), ((2, 4, 3),)], shapes=None),
          OpSpec("triu_offset", lambda t, a: t.triu(a, 2), [((4, 5),)], shapes=None)),
    out="same")  # fmt: skip
def triu(input, diagonal=0):
    """Upper triangle of the last two dimensions (on and above the ``diagonal``-th)."""
    if input._data.ndim < 2:
        raise RuntimeError("triu: input tensor must have at least 2 dimensions")
    return Triu.apply(input, diagonal)


__all__ = public_names(__name__)
