"""Joining and splitting: cat, stack and their h/v/d/column variants; split, chunk, unbind,
tensor_split and h/v/dsplit.

The pieces of split, chunk and unbind are views of the input (one node with several
outputs; the engine fills zeros for pieces that got no gradient); tensor_split and its
h/v/d forms give one slice view per piece, as PyTorch does.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out, batching
from ._spec import OpSpec
from .indexing import Select, Slice
from .indexing_backward import index_put_add
from .movement import atleast_1d, atleast_2d, atleast_3d, reshape
from .registry import LOOP, declare, op, public_names


def _slice(t, dim, a, b):
    return Slice.apply(t, (slice(None),) * dim + (slice(a, b),), True)


# ----- cat / stack ------------------------------------------------------------------------
class Cat(Node):
    """d cat(xs, dim) = the slices of grad, one per input"""

    def forward(self, *arrays, dim, skip):
        self.dim = dim
        self.skip = skip
        self.sizes = [a.shape[dim] if not s else 0 for a, s in zip(arrays, skip)]
        kept = [a for a, s in zip(arrays, skip) if not s]
        if not kept:
            return self.xp.concatenate(arrays)
        return self.xp.concatenate(kept, axis=dim)

    def backward(self, grad):
        out = []
        start = 0
        for i, (n, s) in enumerate(zip(self.sizes, self.skip)):
            if not self.needs_input_grad[i]:
                out.append(None)
            elif s:
                out.append(Tensor._make(self.xp.zeros((0,), dtype=grad._data.dtype)))
            else:
                out.append(_slice(grad, self.dim, start, start + n))
            start += n
        return tuple(out)


def _tensor_list(op, tensors):
    if isinstance(tensors, Tensor):
        raise TypeError(
            f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, not Tensor"
        )
    tensors = list(tensors)
    for i, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(
                f"expected Tensor as element {i} in argument 0, but got {type(t).__name__}"
            )
    return tensors


def _promoted(tensors):
    dt = _dt.from_numpy_dtype(tensors[0]._data.dtype)
    same = True
    for t in tensors[1:]:
        d = _dt.from_numpy_dtype(t._data.dtype)
        if d is not dt:
            same = False
            dt = _dt.promote_types(dt, d)
    if same:
        return tensors
    return [t if t._data.dtype == dt.np else t.to(dt) for t in tensors]


def _cat_out(name, tensors, out, result):
    """``result()`` written into ``out`` (cat's dtype rule), or returned."""

    def check(o):
        r = _dt.result_type(*tensors) if tensors else None
        if r is not None and _order(r.np) > _order(o._data.dtype):
            raise TypeError(
                f"torch.cat(): input types can't be cast to the desired output type "
                f"{_dt.scalar_type_name(o._data)}"
            )

    return _out.result_into(name, out, tensors, result, check)


def _order(np_dtype):
    return {"b": 0, "u": 1, "i": 1, "f": 2, "c": 3}[np_dtype.kind]


def _pieces(outs):
    # Weight each piece differently so that a wrong routing of gradients shows.
    return tuple(o * (k + 1) for k, o in enumerate(outs))


@op(
    Cat,
    aliases=("concatenate", "concat"),
    vmap=batching.join,
    spec=(
        OpSpec(
            "cat",
            lambda t, a, b: t.cat([a, b], dim=-1),
            [((2, 3), (2, 4)), ((0, 3), (0, 1)), ((2, 3, 1), (2, 3, 2))],
            shapes=None,
        ),
        OpSpec(
            "cat_dim0", lambda t, a, b, c: t.cat((a, b, c)), [((1, 3), (2, 3), (0, 3))], shapes=None
        ),
        OpSpec(
            "cat_skip_empty", lambda t, a, b: t.cat([b, a, b], 1), [((2, 3), (0,))], shapes=None
        ),
        OpSpec(
            "cat_promote",
            lambda t, a, b: t.cat([a, b.double()]),
            [((2, 3), (1, 3))],
            shapes=None,
            dtypes=("float32",),
        ),
        OpSpec(
            "concatenate",
            lambda t, a, b: t.concatenate([a, b], axis=1),
            [((2, 3), (2, 1))],
            shapes=None,
        ),
        OpSpec(
            "hstack",
            lambda t, a, b: t.hstack([a, b]),
            [((3,), (2,)), ((2, 1), (2, 3))],
            shapes=None,
        ),
        OpSpec("vstack", lambda t, a, b: t.vstack((a, b)), [((3,), (3,)), ((), ())], shapes=None),
        OpSpec(
            "dstack",
            lambda t, a, b: t.dstack((a, b)),
            [((3,), (3,)), ((2, 3), (2, 3))],
            shapes=None,
        ),
        OpSpec(
            "column_stack", lambda t, a, b: t.column_stack((a, b)), [((3,), (3, 2))], shapes=None
        ),
    ),
)
def cat(tensors, dim=0, *, out=None):
    """Join tensors along an existing dimension ``dim`` (1-D empty tensors are skipped)."""
    tensors = _tensor_list("cat", tensors)
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be concatenated")
    skip = tuple(t._data.shape == (0,) for t in tensors)
    ref = next((t for t, s in zip(tensors, skip) if not s), tensors[0])
    rshape = ref._data.shape
    d = _wrap_dim(dim, len(rshape))
    for i, (t, s) in enumerate(zip(tensors, skip)):
        if s:
            continue
        shape = t._data.shape
        if len(shape) != len(rshape):
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {len(rshape)} and {len(shape)}"
            )
        for k, (a, b) in enumerate(zip(rshape, shape)):
            if k != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} but "
                    f"got size {b} for tensor number {i} in the list."
                )
    if out is None:
        return Cat.apply(*_promoted(tensors), dim=d, skip=skip)
    return _cat_out("cat", tensors, out, lambda: Cat.apply(*_promoted(tensors), dim=d, skip=skip))


concatenate = concat = cat


class Stack(Node):
    """d stack(xs, dim) = grad.unbind(dim)"""

    def forward(self, *arrays, dim):
        self.dim = dim
        return self.xp.stack(arrays, axis=dim)

    def backward(self, grad):
        pre = (slice(None),) * self.dim
        return tuple(
            Select.apply(grad, pre + (i,), True) if need else None
            for i, need in enumerate(self.needs_input_grad)
        )


@op(
    Stack,
    vmap=batching.join,
    spec=OpSpec(
        "stack", lambda t, a, b: t.stack([a, b], -1), [((2, 3), (2, 3)), ((), ())], shapes=None
    ),
)
def stack(tensors, dim=0, *, out=None):
    """Join equally shaped tensors along a new dimension ``dim``."""
    tensors = _tensor_list("stack", tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0]._data.shape
    for i, t in enumerate(tensors[1:], 1):
        if t._data.shape != s0:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                f"{list(t._data.shape)} at entry {i}"
            )
    d = _wrap_dim(dim, len(s0) + 1)
    if out is None:
        return Stack.apply(*_promoted(tensors), dim=d)
    return _cat_out("stack", tensors, out, lambda: Stack.apply(*_promoted(tensors), dim=d))


@op(None)
def hstack(tensors, *, out=None):
    """Join along dimension 1 (dimension 0 for 1-D tensors)."""
    ts = atleast_1d(_tensor_list("hstack", tensors))
    return cat(ts, 0 if ts[0]._data.ndim == 1 else 1, out=out)


@op(None, aliases=("row_stack",))
def vstack(tensors, *, out=None):
    """Join along dimension 0, after making every tensor at least 2-D."""
    return cat(atleast_2d(_tensor_list("vstack", tensors)), 0, out=out)


row_stack = vstack


@op(None)
def dstack(tensors, *, out=None):
    """Join along dimension 2, after making every tensor at least 3-D."""
    return cat(atleast_3d(_tensor_list("dstack", tensors)), 2, out=out)


@op(None)
def column_stack(tensors, *, out=None):
    """Join as columns: 0-d and 1-D tensors become columns, then ``hstack``."""
    ts = _tensor_list("column_stack", tensors)
    ts = [reshape(t, (-1, 1)) if t._data.ndim <= 1 else t for t in ts]
    return cat(ts, 1, out=out)


# ----- split family -----------------------------------------------------------------------
def _fill(node, grads):
    """Zeros for the outputs that got no gradient (None when none got one)."""
    if all(g is None for g in grads):
        return None
    return tuple(
        g if g is not None else Tensor._make(node.xp.zeros(*node._out_meta[i]))
        for i, g in enumerate(grads)
    )


class Split(Node):
    """d split(x) = the pieces' grads joined back (summed where pieces overlap)"""

    # Zeros for unused pieces are made here (the engine's check compares tensors with ==).
    materialize_grads = False

    def forward(self, x, dim, bounds):
        self.dim, self.bounds, self.in_shape = dim, bounds, x.shape
        pre = (slice(None),) * dim
        return tuple(x[pre + (slice(a, b),)] for a, b in bounds)

    def backward(self, *grads):
        grads = _fill(self, grads)
        if grads is None:
            return None, None, None
        b = self.bounds
        if all(b[i][1] == b[i + 1][0] for i in range(len(b) - 1)) and (
            b[0][0] == 0 and b[-1][1] == self.in_shape[self.dim]
        ):
            return Cat.apply(*grads, dim=self.dim, skip=(False,) * len(grads)), None, None
        total = None
        pre = (slice(None),) * self.dim
        for (a, e), g in zip(b, grads):
            part = index_put_add(self.in_shape, pre + (slice(a, e),), g)
            total = part if total is None else total + part
        return total, None, None


class SplitWithSizes(Split):
    """d split(x, sizes) = the pieces' grads joined back"""


def _split_at(input, dim, bounds, node=Split):
    return _share(input, node.apply(input, dim, tuple(bounds)))


def _share(input, outs):
    """Make ``outs`` views of ``input``: same version counter, same base; recorded pieces
    are marked as PyTorch marks the views of a function that returns several."""
    base = input if input._base is None else input._base
    for i, o in enumerate(outs):
        o._version_counter = input._version_counter
        o._base = base
        if o.grad_fn is not None:
            o._ensure_extra().multi_view = (i, o.grad_fn.name().rsplit("Backward", 1)[0])
    return outs


@op(
    Split,
    methods="split",
    vmap=LOOP,
    numpy_names=False,  # PyTorch refuses split(axis=...)
    spec=(
        OpSpec("split", lambda t, a: _pieces(a.split(2, 1)), [((3, 5),), ((3, 0),)], shapes=None),
        OpSpec("split_one_used", lambda t, a: a.split(2)[1], [((5, 2),)], shapes=None),
        OpSpec("chunk", lambda t, a: _pieces(a.chunk(3, -1)), [((2, 7),), ((2, 6),)], shapes=None),
    ),
)
def split(tensor, split_size_or_sections=None, dim=0, *, split_size=None):
    """Split into pieces of ``split_size`` (the last may be smaller) or of the listed sizes."""
    # The checks and bounds are those of the splits family (ops/splits.py, built on this module).
    from .splits import _bounds_of_size, _bounds_of_sizes

    if split_size is not None:
        split_size_or_sections = split_size
    if isinstance(split_size_or_sections, (list, tuple)):
        sizes = [int(s) for s in split_size_or_sections]
        d, bounds = _bounds_of_sizes(tensor, sizes, dim)
        return _split_at(tensor, d, bounds, SplitWithSizes)
    d, bounds = _bounds_of_size(tensor, int(split_size_or_sections), dim)
    return _split_at(tensor, d, bounds)


declare(
    SplitWithSizes,
    vmap=LOOP,
    spec=OpSpec(
        "split_sizes", lambda t, a: _pieces(t.split(a, [1, 0, 2])), [((3, 2),)], shapes=None
    ),
)


@op(None, methods="chunk")
def chunk(input, chunks, dim=0):
    """Split into ``chunks`` pieces of ``ceil(size / chunks)`` (fewer when they run out)."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    if n == 0:
        return _split_at(input, d, [(0, 0)] * chunks)
    return split(input, -(-n // chunks), d)


class Unbind(Node):
    """d unbind(x, dim) = stack(grads, dim)"""

    materialize_grads = False

    def forward(self, x, dim):
        self.dim = dim
        pre = (slice(None),) * dim
        return tuple(x[pre + (i, Ellipsis)] for i in range(x.shape[dim]))

    def backward(self, *grads):
        grads = _fill(self, grads)
        if grads is None:
            return None, None
        return Stack.apply(*grads, dim=self.dim), None


@op(
    Unbind,
    methods="unbind",
    vmap=batching.unbind,
    spec=(
        OpSpec("unbind", lambda t, a: _pieces(a.unbind(1)), [((2, 3),), ((3, 1, 2),)], shapes=None),
        OpSpec("unbind_one_used", lambda t, a: t.unbind(a)[2], [((3, 2),)], shapes=None),
    ),
)
def unbind(input, dim=0):
    """The slices along ``dim``, with that dimension removed (views)."""
    shape = input._data.shape
    if not shape:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, len(shape))
    if shape[d] == 0:
        return ()
    return _share(input, Unbind.apply(input, d))


def _slices(input, dim, bounds):
    pre = (slice(None),) * dim
    return tuple(Slice.apply(input, pre + (slice(a, b),), True) for a, b in bounds)


@op(
    None,
    methods="tensor_split",
    spec=(
        OpSpec(
            "tensor_split",
            lambda t, a: _pieces(t.tensor_split(a, 3, dim=1)),
            [((2, 7),), ((2, 2),)],
            shapes=None,
        ),
        OpSpec(
            "tensor_split_overlap",
            lambda t, a: _pieces(a.tensor_split([3, 1, 9, -2])),
            [((6,),)],
            shapes=None,
        ),
        OpSpec("tensor_split_one", lambda t, a: a.tensor_split(2)[1], [((5, 2),)], shapes=None),
    ),
)
def tensor_split(input, indices_or_sections, dim=0):
    """Split into ``n`` nearly equal pieces, or at the listed indices (views)."""
    shape = input._data.shape
    if not shape:
        raise RuntimeError(
            "tensor_split expected at least a 1-dimensional tensor, but got a tensor with 0 dims"
        )
    d = _wrap_dim(dim, len(shape))
    n = shape[d]
    ios = indices_or_sections
    if isinstance(ios, Tensor):
        ios = int(ios.item()) if ios._data.ndim == 0 else [int(i) for i in ios.tolist()]
    if isinstance(ios, (list, tuple)):
        cuts = [0] + [min(max(int(i) + (n if i < 0 else 0), 0), n) for i in ios] + [n]
        bounds = [(cuts[k], max(cuts[k], cuts[k + 1])) for k in range(len(cuts) - 1)]
        return _slices(input, d, bounds)
    sections = int(ios)
    if sections <= 0:
        raise RuntimeError(f"number of sections must be larger than 0, got {sections}")
    q, r = divmod(n, sections)
    bounds, start = [], 0
    for k in range(sections):
        size = q + (1 if k < r else 0)
        bounds.append((start, start + size))
        start += size
    return _slices(input, d, bounds)


def _nsplit(name, input, ios, dim, min_dims):
    nd = input._data.ndim
    if nd < min_dims:
        raise RuntimeError(
            f"torch.{name} requires a tensor with at least {min_dims} dimension, but got a "
            f"tensor with {nd} dimensions!"
        )
    if isinstance(ios, int):
        size = input._data.shape[dim]
        if ios == 0 or size % ios:
            raise RuntimeError(
                f"torch.{name} attempted to split along dimension {dim}, but the size of the "
                f"dimension {size} is not divisible by the split_size {ios}!"
            )
    return tensor_split(input, ios, dim)


@op(
    None,
    methods="hsplit",
    spec=OpSpec("hsplit", lambda t, a: _pieces(t.hsplit(a, [1, 2])), [((2, 4),)], shapes=None),
)
def hsplit(input, indices_or_sections):
    """``tensor_split`` along dimension 1 (dimension 0 for 1-D tensors)."""
    dim = 0 if input._data.ndim == 1 else 1
    return _nsplit("hsplit", input, indices_or_sections, dim, 1)


@op(
    None,
    methods="vsplit",
    spec=OpSpec("vsplit", lambda t, a: _pieces(a.vsplit(2)), [((4, 3),)], shapes=None),
)
def vsplit(input, indices_or_sections):
    """``tensor_split`` along dimension 0 of a tensor with at least 2 dimensions."""
    return _nsplit("vsplit", input, indices_or_sections, 0, 2)


@op(
    None,
    methods="dsplit",
    spec=OpSpec("dsplit", lambda t, a: _pieces(a.dsplit([1])), [((2, 2, 3),)], shapes=None),
)
def dsplit(input, indices_or_sections):
    """``tensor_split`` along dimension 2 of a tensor with at least 3 dimensions."""
    return _nsplit("dsplit", input, indices_or_sections, 2, 3)


__all__ = public_names(__name__)
