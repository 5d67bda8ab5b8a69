"""Views of parts of a tensor: narrow, select, diagonal, and unfold (sliding windows)."""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import xp_of
from ..tensor_base import wrap_dim as _wrap_dim
from ._spec import OpSpec
from .indexing import Select, Slice
from .indexing_backward import backward_of
from .registry import LOOP, declare, op, public_names


def narrow_start(start, n):
    """``start`` checked against a dimension of size ``n`` (PyTorch's error), made >= 0."""
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    return start + n if start < 0 else start


def select_position(shape, dim, index):
    """``(dim, index)`` of a select on ``shape``, checked with PyTorch's errors, dim wrapped."""
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    index = int(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(shape)} at "
            f"dimension {d}"
        )
    return d, index


@op(
    None,
    methods="narrow",
    spec=OpSpec("narrow", lambda t, a: a.narrow(-1, -3, 2), [((3, 4),), ((2, 3, 4),)], shapes=None),
)
def narrow(input, dim, start, length):
    """The slice ``start:start+length`` of dimension ``dim`` (a view)."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    start, length = int(start), int(length)
    n = shape[d]
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    start = narrow_start(start, n)
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return Slice.apply(input, (slice(None),) * d + (slice(start, start + length),), True)


@op(
    None,
    methods="select",
    spec=OpSpec("select", lambda t, a: a.select(1, -1), [((3, 4),), ((2, 3, 4),)], shapes=None),
)
def select(input, dim, index):
    """The sub-tensor at ``index`` of dimension ``dim``, which is removed (a view)."""
    d, index = select_position(input._data.shape, dim, index)
    return Select.apply(input, (slice(None),) * d + (index,), True)


def _diag_view(x, offset, d1, d2):
    """A writable strided view of the diagonal of ``x`` over ``d1``, ``d2``, last."""
    xp = xp_of(x)
    n1, n2 = x.shape[d1], x.shape[d2]
    length = max(0, min(n1 + min(offset, 0), n2 - max(offset, 0)))
    keep = [k for k in range(x.ndim) if k not in (d1, d2)]
    shape = tuple(x.shape[k] for k in keep) + (length,)
    strides = tuple(x.strides[k] for k in keep) + (x.strides[d1] + x.strides[d2],)
    start = x
    if length:
        idx = [slice(None)] * x.ndim
        idx[d1] = slice(max(-offset, 0), None)
        idx[d2] = slice(max(offset, 0), None)
        start = x[tuple(idx)]
    return xp.lib.stride_tricks.as_strided(start, shape, strides)


class _WindowView(Node):
    """A view of three arguments whose gradient is its ``placed`` node: zeros like the
    input with the gradient placed where the view looks."""

    is_view = True

    def forward(self, x, *args):
        self.args_ = (x.shape, *args)
        return self.view(x, *args)

    def backward(self, grad):
        return self.placed.apply(grad, *self.args_), None, None, None


class _Placed(Node):
    """zeros(shape) with the gradient placed by ``place``; d/dgrad = the ``view_node`` of
    out_grad"""

    def forward(self, grad, shape, *args):
        self.args_ = args
        out = self.xp.zeros(shape, dtype=grad.dtype)
        self.place(out, grad, *args)
        return out

    def backward(self, g):
        return self.view_node.apply(g, *self.args_), None, None, None, None


class Diagonal(_WindowView):
    """d(diagonal x) = zeros like x with grad on that diagonal"""

    def view(self, x, offset, d1, d2):
        return _diag_view(x, offset, d1, d2)


class DiagonalScatter(_Placed):
    """out = zeros(shape) with grad on a diagonal; d/dgrad = that diagonal of out_grad"""

    view_node = Diagonal

    def place(self, out, grad, offset, d1, d2):
        _diag_view(out, offset, d1, d2)[...] = grad


Diagonal.placed = DiagonalScatter


@op(
    Diagonal,
    methods="diagonal",
    vmap=LOOP,
    spec=(
        OpSpec("diagonal", lambda t, a: a.diagonal(), [((3, 4),), ((4, 3),)], shapes=None),
        OpSpec(
            "diagonal_offset",
            lambda t, a: t.diagonal(a, -1, 2, 0),
            [((3, 4, 5),), ((2, 2, 2),)],
            shapes=None,
        ),
    ),
)
def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the ``dim1``, ``dim2`` planes, as a last dimension (a view)."""
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


declare(
    DiagonalScatter,
    grad_fn="DiagonalBackwardBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "diagonal_backward",
        backward_of(lambda a: a.diagonal(1)),
        [((3, 4), (3,))],
        shapes=None,
    ),
)


class Unfold(_WindowView):
    """d(x.unfold) = the windows' gradients added back where they overlap"""

    def view(self, x, dim, size, step):
        xp = self.xp
        if x.ndim == 0:
            return xp.lib.stride_tricks.as_strided(x, (1,), (0,))
        n = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1 :] + (size,)
        st = x.strides
        strides = st[:dim] + (st[dim] * step,) + st[dim + 1 :] + (st[dim],)
        return xp.lib.stride_tricks.as_strided(x, shape, strides)


class UnfoldBackward(_Placed):
    """out = zeros(shape) with each window's grad added; d/dgrad = out_grad.unfold(...)"""

    view_node = Unfold

    def place(self, out, grad, dim, size, step):
        if not out.shape:
            out[...] = grad.reshape(())
            return
        n = grad.shape[dim]
        moved = self.xp.moveaxis(out, dim, -1)
        g = self.xp.moveaxis(grad, dim, -2)
        for k in range(size):  # one vectorised add per window position
            moved[..., k : k + step * (n - 1) + 1 : step] += g[..., k]


Unfold.placed = UnfoldBackward


@op(
    Unfold,
    methods="unfold",
    public=False,
    vmap=LOOP,
    spec=(
        OpSpec("unfold", lambda t, a: a.unfold(1, 3, 2), [((2, 7),), ((2, 3),)], shapes=None),
        OpSpec("unfold_overlap", lambda t, a: (a**2).unfold(0, 3, 1), [((6,),)], shapes=None),
    ),
)
def unfold(input, dimension, size, step):
    """All windows of ``size`` elements, ``step`` apart, along ``dimension`` (a view)."""
    shape = input._data.shape
    d = _wrap_dim(dimension, len(shape))
    n = shape[d] if shape else 1
    if size > n:
        raise RuntimeError(f"maximum size for tensor at dimension {d} is {n} but size is {size}")
    if step <= 0:
        raise RuntimeError(f"step is {step} but must be > 0")
    return Unfold.apply(input, d, int(size), int(step))


declare(
    UnfoldBackward,
    grad_fn="UnfoldBackwardBackward0",
    vmap=LOOP,
    spec=OpSpec(
        "unfold_backward",
        backward_of(lambda a: a.unfold(0, 3, 1)),
        [((5,), (3, 3))],
        shapes=None,
    ),
)

__all__ = public_names(__name__)
