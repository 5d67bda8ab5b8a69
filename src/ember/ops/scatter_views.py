"""The ``*_scatter`` ops: a copy of ``input`` with one view of it (a diagonal, a selected
slice, a strided slice, an ``as_strided`` window) replaced by ``src``.

Each is one node; its gradient sends the view's part of the upstream gradient to ``src``
and the rest to ``input``, both written with Ember ops, so higher orders follow.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim
from ._spec import OpSpec
from .linalg import require_tensor
from .registry import LOOP, op, public_names
from .strided import _checked, _view
from .windows import select_position


def _diagonal_window(xp, arr, offset, d1, d2):
    """A writable view of ``arr.diagonal(offset, d1, d2)``."""
    start = [slice(None)] * arr.ndim
    start[d2 if offset >= 0 else d1] = slice(abs(offset), None)
    sub = arr[tuple(start)]
    if sub.size == 0:
        return xp.diagonal(arr, offset, d1, d2).copy()
    diag = xp.diagonal(sub, 0, d1, d2)
    return xp.lib.stride_tricks.as_strided(sub, diag.shape, diag.strides, writeable=True)


class _ViewScatter(Node):
    """d(input with view <- src) = grad outside the view to input, grad in the view to src"""

    def forward(self, x, src, *args):
        self.args_ = args
        self.src_shape = src.shape
        out = self.window_copy(x)
        self.window(out)[...] = src
        return out

    def window_copy(self, x):
        return x.copy()

    def backward(self, grad):
        n = self.needs_input_grad
        gx = gs = None
        if n[0]:
            gx = type(self).apply(grad, grad.new_zeros(self.src_shape), *self.args_)
        if n[1]:
            gs = self.read(grad)
        return (gx, gs) + (None,) * len(self.args_)


class DiagonalScatter(_ViewScatter):
    """d diagonal_scatter: the diagonal of grad to src, the rest to input"""

    def window(self, arr):
        return _diagonal_window(self.xp, arr, *self.args_)

    def read(self, grad):
        return grad.diagonal(*self.args_)


class SelectScatter(_ViewScatter):
    """d select_scatter: the selected slice of grad to src, the rest to input"""

    def window(self, arr):
        dim, index = self.args_
        return arr[(slice(None),) * dim + (index,)]

    def read(self, grad):
        return grad.select(*self.args_)


class SliceScatter(_ViewScatter):
    """d slice_scatter: the strided slice of grad to src, the rest to input"""

    def window(self, arr):
        dim, start, end, step = self.args_
        return arr[(slice(None),) * dim + (slice(start, end, step),)]

    def read(self, grad):
        dim, start, end, step = self.args_
        return grad[(slice(None),) * dim + (slice(start, end, step),)]


class AsStridedScatter(_ViewScatter):
    """d as_strided_scatter: grad read through the strided window to src, the rest to input"""

    def window_copy(self, x):
        # The copy keeps input's memory order (PyTorch's clone does): the window is laid
        # over that order.
        perm = self.args_[3]
        return x.transpose(perm).copy().transpose(_inverse(perm))

    def window(self, arr):
        size, stride, offset, perm = self.args_
        root = arr.transpose(perm)
        return _view(self.xp, root, arr.dtype, size, stride, offset)

    def read(self, grad):
        size, stride, offset, perm = self.args_
        flat = grad.permute(*perm).flatten().clone()
        return flat.as_strided(size, stride, offset)


def _inverse(perm):
    inv = [0] * len(perm)
    for i, p in enumerate(perm):
        inv[p] = i
    return tuple(inv)


def _check_src(name, input, src, slice_shape):
    require_tensor(src, name, "src", 2)
    if tuple(src._data.shape) != tuple(slice_shape):
        raise RuntimeError(
            "expected src to have a size equal to the slice of self. src size = "
            f"{list(src._data.shape)}, slice size = {list(slice_shape)}"
        )
    return src if src._data.dtype == input._data.dtype else src.to(input.dtype)


_SQ = [((3, 3), (3,)), ((2, 3, 4), (3, 2))]


@op(
    DiagonalScatter,
    methods="diagonal_scatter",
    vmap=LOOP,
    spec=(
        OpSpec("diagonal_scatter", lambda t, a, b: t.diagonal_scatter(a, b), [_SQ[0]], shapes=None),
        OpSpec(
            "diagonal_scatter_offset",
            lambda t, a, b: t.diagonal_scatter(a, b, -1, 2, 0),
            [((2, 3, 4), (3, 2)), ((3, 2, 2), (2, 1))],
            shapes=None,
        ),
    ),
)
def diagonal_scatter(input, src, offset=0, dim1=0, dim2=1):
    """``input`` with its diagonal (``offset``, ``dim1``, ``dim2``) replaced by ``src``."""
    require_tensor(input, "diagonal_scatter", "input", 1)
    nd = input._data.ndim
    d1, d2 = wrap_dim(dim1, nd), wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    offset = int(offset)
    shape = input._data.shape
    n = max(0, min(shape[d1] + min(offset, 0), shape[d2] - max(offset, 0)))
    rest = tuple(s for i, s in enumerate(shape) if i not in (d1, d2))
    src = _check_src("diagonal_scatter", input, src, rest + (n,))
    return DiagonalScatter.apply(input, src, offset, d1, d2)


@op(
    SelectScatter,
    methods="select_scatter",
    vmap=LOOP,
    spec=OpSpec(
        "select_scatter",
        lambda t, a, b: t.select_scatter(a, b, 1, -1),
        [((3, 4), (3,)), ((2, 3, 4), (2, 4))],
        shapes=None,
    ),
)
def select_scatter(input, src, dim, index):
    """``input`` with ``input.select(dim, index)`` replaced by ``src``."""
    require_tensor(input, "select_scatter", "input", 1)
    shape = input._data.shape
    d, index = select_position(shape, dim, index)
    src = _check_src("select_scatter", input, src, shape[:d] + shape[d + 1 :])
    return SelectScatter.apply(input, src, d, index % shape[d])


def _bound(v, n, default):
    if v is None:
        return default
    v = int(v)
    if v < 0:
        v += n
    return min(max(v, 0), n)


@op(
    SliceScatter,
    methods="slice_scatter",
    vmap=LOOP,
    spec=OpSpec(
        "slice_scatter",
        lambda t, a, b: t.slice_scatter(a, b, 1, 1, None, 2),
        [((3, 4), (3, 2)), ((2, 5, 1), (2, 2, 1))],
        shapes=None,
    ),
    out="same",
)
def slice_scatter(input, src, dim=0, start=None, end=None, step=1):
    """``input`` with the slice ``start:end:step`` of dimension ``dim`` replaced by ``src``."""
    require_tensor(input, "slice_scatter", "input", 1)
    shape = input._data.shape
    d = wrap_dim(dim, len(shape))
    step = int(step)
    if step <= 0:
        raise RuntimeError("slice step must be positive")
    n = shape[d] if shape else 1
    lo = _bound(start, n, 0)
    hi = max(lo, _bound(end, n, n))
    count = (hi - lo + step - 1) // step
    src = _check_src("slice_scatter", input, src, shape[:d] + (count,) + shape[d + 1 :])
    return SliceScatter.apply(input, src, d, lo, hi, step)


def _memory_order(x):
    """The dimensions of ``x`` from the outermost in memory to the innermost."""
    strides = x._data.strides
    return tuple(sorted(range(len(strides)), key=lambda i: -abs(strides[i])))


@op(
    AsStridedScatter,
    methods="as_strided_scatter",
    vmap=LOOP,
    spec=OpSpec(
        "as_strided_scatter",
        lambda t, a, b: t.as_strided_scatter(a, b, (2, 2), (3, 1), 1),
        [((9,), (2, 2)), ((3, 4), (2, 2))],
        shapes=None,
        # PyTorch 2.13 sends input the window's gradient instead of the rest (its own
        # gradcheck fails): input's gradient is checked against finite differences only.
        grad=(False, True),
    ),
)
def as_strided_scatter(input, src, size, stride, storage_offset=None):
    """A copy of ``input`` whose ``as_strided(size, stride, storage_offset)`` window (in the
    copy's own memory) is replaced by ``src``."""
    require_tensor(input, "as_strided_scatter", "input", 1)
    fresh = Tensor._make(input._data.copy())
    size, stride, offset = _checked("as_strided_scatter", fresh, size, stride,
                                    0 if storage_offset is None else storage_offset,
                                    False)  # fmt: skip
    src = _check_src("as_strided_scatter", input, src, size)
    return AsStridedScatter.apply(input, src, size, stride, offset, _memory_order(input))


__all__ = public_names(__name__)
