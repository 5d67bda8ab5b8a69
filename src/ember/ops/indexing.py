"""Indexing: ``tensor[index]`` and ``tensor[index] = value`` with PyTorch's rules.

Basic indices (ints, slices, None, Ellipsis) give views; advanced indices (integer
or boolean tensors, lists) copy, and their repeated positions accumulate gradients.
PyTorch applies integer indices before advanced ones (``x[0, :, [0, 1]]`` has shape
``(4, 2)`` for ``x`` of shape ``(3, 4, 5)``, where NumPy gives ``(2, 4)``), so such an
index runs as a basic view followed by the advanced part.

PyTorch records a basic index as a chain of select/slice/unsqueeze views; here it is
one node, named after the last view of that chain (``x[1:, 0]``: ``SelectBackward0``).
Also here: nonzero / argwhere.  gather/scatter, index_select & co. and the masked ops
are in ``gather_scatter``, ``index_ops`` and ``masked``.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.callsite import warn
from ..autograd.node import Node
from ..backend import np as _np
from ..backend import xp_of
from ..tensor_base import TensorBase as Tensor
from . import _out, batching
from ._spec import OpSpec
from .indexing_backward import SelectBackward, SliceBackward, has_advanced, index_put_add
from .registry import declare, op, public_names

# ----- turning a PyTorch index into NumPy's --------------------------------------------
_LEGACY_SEQ = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
    "or a different result"
)
_BAD_TENSOR = "tensors used as indices must be long, int, byte or bool tensors"


def _is_basic(index):
    items = index if isinstance(index, tuple) else (index,)
    for i in items:
        if not (i is None or i is Ellipsis or isinstance(i, (int, slice))) or isinstance(i, bool):
            return False
        if isinstance(i, slice) and i.step is not None:
            _check_step(i)
    return True


def _check_step(s):
    step = s.step.__index__() if not isinstance(s.step, int) else s.step
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if step < 0:
        raise ValueError("step must be greater than zero")


def _index_array(a):
    """An index array with PyTorch's dtype rules (uint8 masks are deprecated bool masks)."""
    k = a.dtype.kind
    if k == "b" or (k == "i" and a.dtype.itemsize >= 4):
        return a  # bool masks, int32 and int64 indices
    if a.dtype == _np.uint8:
        warn(
            "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
            "instead.",
            UserWarning,
        )
        return a.astype(bool)
    raise IndexError(_BAD_TENSOR)  # int8, int16 and floats, as PyTorch refuses them


def _list_array(seq):
    if len(seq) == 0:
        return _np.zeros(0, dtype=_np.int64)
    a = _np.asarray([i._data if isinstance(i, Tensor) else i for i in seq])
    if a.dtype.kind not in "biu":
        raise IndexError(_BAD_TENSOR)
    return a


def _treat_as_tuple(seq):
    # PyTorch's legacy rule: a short list holding sequences, tensors, slices, None or
    # Ellipsis is a tuple of indices.
    if len(seq) >= 32:
        return False
    return any(
        i is None or i is Ellipsis or isinstance(i, (Tensor, list, tuple, slice, _np.ndarray))
        for i in seq
    )


def _convert_item(it):
    if it is None or it is Ellipsis or type(it) is int or type(it) is bool:
        return it
    if isinstance(it, slice):
        if it.step is not None:
            _check_step(it)
        return it
    if isinstance(it, Tensor):
        it = it._read_values()
    if isinstance(it, _np.ndarray):
        if it.ndim == 0 and it.dtype.kind in "iu":
            return int(it)  # a 0-d integer tensor selects, as an int does
        return _index_array(it)
    if isinstance(it, (list, tuple)):
        return _list_array(it)
    if isinstance(it, (bool, _np.bool_)):
        return bool(it)
    if isinstance(it, (int, _np.integer)):
        return int(it)
    if isinstance(it, str):
        raise TypeError(f"new(): invalid data type '{type(it).__name__}'")
    raise IndexError(
        "only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are "
        f"valid indices (got {type(it).__name__})"
    )


def _items(index):
    if isinstance(index, tuple):
        return index
    if isinstance(index, list) and _treat_as_tuple(index):
        warn(_LEGACY_SEQ, UserWarning)
        return tuple(index)
    return (index,)


def to_numpy_index(index):
    """The NumPy index for a PyTorch index (tensors become arrays; NumPy's axis rules)."""
    out = tuple(_convert_item(i) for i in _items(index))
    return out[0] if len(out) == 1 and not isinstance(index, tuple) else out


def _is_int(it):
    """Python ints and 0-d integer tensors select (PyTorch applies them before the rest)."""
    return type(it) is int or (isinstance(it, _np.ndarray) and it.ndim == 0 and it.dtype != bool)


def _needs_split(items):
    arrays = [i for i in items if isinstance(i, _np.ndarray) and not _is_int(i)]
    return bool(arrays) and any(_is_int(i) for i in items)


def _split_index(items):
    """``(first, second)``: PyTorch's integer selections, then the advanced part."""
    first, second = [], []
    for it in items:
        if _is_int(it):
            first.append(int(it))
        elif isinstance(it, _np.ndarray):
            first.extend([slice(None)] * (it.ndim if it.dtype == bool else 1))
            second.append(it)
        elif it is Ellipsis:
            first.append(it)
            second.append(it)
        elif it is None:
            first.append(None)
            second.append(slice(None))
        else:
            first.append(it)
            second.append(slice(None))
    return tuple(first), tuple(second)


def index_extra(values):
    """A spec's constant index tensor: ``values`` as int64 (``OpSpec.extra``)."""
    return lambda rng, shapes: (_np.array(values, dtype=_np.int64),)


def out_of_bounds(index, n):
    """The first entry of an index array outside ``[0, n)`` (None when all are inside)."""
    bad = (index < 0) | (index >= n)
    if bad.any():
        return int(index.reshape(-1)[_np.flatnonzero(bad.reshape(-1))[0]])
    return None


def wrap_index(index, n):
    """An index array with negative entries counted from the end (``-1`` is ``n - 1``)."""
    return _np.where(index < 0, index + n, index) if index.size and index.min() < 0 else index


# ----- getitem --------------------------------------------------------------------------
class GetItem(Node):
    """d(x[i]) = zeros like x with grad added at i (repeated indices accumulate)"""

    def forward(self, x, index, basic):
        self.in_shape = x.shape
        self.index = index
        self.is_view = basic
        out = x[index]
        if basic and not isinstance(out, self.xp.ndarray):
            # An integer index down to one element gives a NumPy scalar: take a 0-d view.
            out = x[(index if isinstance(index, tuple) else (index,)) + (Ellipsis,)]
        return out

    #: The node of the backward: zeros with the gradient added at the index.
    scatter = None

    def backward(self, grad):
        return index_put_add(self.in_shape, self.index, grad, self.scatter), None, None


class _BasicGetItem(GetItem):
    """Base of the getitems whose result is a view of the input (a basic index)"""

    is_view = True  # known before forward: float16 inputs are not copied to float32


class Select(_BasicGetItem):
    """d(x[..., i, ...]) = zeros like x with grad put at index i"""

    scatter = SelectBackward


class Slice(_BasicGetItem):
    """d(x[a:b]) = zeros like x with grad put in the slice"""

    scatter = SliceBackward


class IndexUnsqueeze(_BasicGetItem):
    """d(x[None]) = grad reshaped back (zeros around it when the index also selects)"""

    def backward(self, grad):
        if _selects(self.index):
            return GetItem.backward(self, grad)
        return grad.reshape(self.in_shape), None, None


class Alias(_BasicGetItem):
    """d(x[...]) = grad"""

    def backward(self, grad):
        return grad, None, None


def _full(s, n):
    """True for a slice that keeps all ``n`` elements in order (PyTorch skips it)."""
    return (
        (s.start is None or (type(s.start) is int and s.start == 0))
        and (s.step is None or (type(s.step) is int and s.step == 1))
        and (s.stop is None or (type(s.stop) is int and s.stop >= n))
    )


def _selects(index):
    """True when a basic index drops elements (an int, or a slice that is not ``:``)."""
    items = index if isinstance(index, tuple) else (index,)
    return any(type(i) is int or (isinstance(i, slice) and i != slice(None)) for i in items)


def view_node(index, shape):
    """The node of a basic ``index`` into a tensor of ``shape``: the view PyTorch records
    last (``Select``, ``Slice``, ``IndexUnsqueeze``), or ``Alias`` when the index keeps all."""
    kind = type(index)
    if kind is int:
        return Select
    if kind is slice:
        return Slice
    items = index if kind is tuple else (index,)
    node = Alias
    dim = 0
    for k, it in enumerate(items):
        if it is None:
            node = IndexUnsqueeze
        elif it is Ellipsis:
            after = sum(1 for i in items[k + 1 :] if i is not None and i is not Ellipsis)
            dim = len(shape) - after
        else:
            if type(it) is int:
                node = Select
            elif not (it.start is None and it.stop is None and it.step is None) and not _full(
                it, shape[dim] if dim < len(shape) else 0
            ):
                node = Slice
            dim += 1
    return node


def index_node(index, shape):
    """The node that reads a NumPy ``index`` (basic: a view node; advanced: ``GetItem``)."""
    return GetItem if has_advanced(index) else view_node(index, shape)


@op(
    GetItem,
    public=False,
    grad_fn="IndexBackward0",
    vmap=batching.getitem,
    spec=(
        OpSpec("getitem_repeat", lambda t, a: a[[0, 0, 2]], [((3, 4),)], shapes=None),
        OpSpec(
            "getitem_mixed",
            lambda t, a: a[0, :, [1, 1, 3]] + a[[2, 0, 2], 1:, -1:].sum(),
            [((3, 4, 5),)],
            shapes=None,
        ),
        OpSpec(
            "getitem_adv2",
            lambda t, a, i: a[i, :, i.flip(0)].sum(0) * a[..., i][..., None, 0],
            [((4, 3, 4),)],
            shapes=None,
            extra=index_extra([3, 0, 0, -1]),
        ),
        OpSpec("getitem_mask", lambda t, a: a[a > 0], [((3, 4),), ((0, 3),), ((),)], shapes=None),
        OpSpec("getitem_mask_dim", lambda t, a: a[:, a[0] > 0], [((3, 4),)], shapes=None),
        OpSpec(
            "getitem_ellipsis_adv",
            lambda t, a, i: a[i[:2], ..., 1],
            [((4, 3, 2),)],
            shapes=None,
            extra=index_extra([1, 0, 2]),
        ),
    ),
)
def getitem(input, index):
    """``input[index]`` with PyTorch's rules (views for basic indices, copies otherwise)."""
    if _is_basic(index):
        return _basic(input, index)
    items = [_convert_item(i) for i in _items(index)]
    if not any(isinstance(i, (_np.ndarray, bool)) for i in items):
        return _basic(input, tuple(items))
    if _needs_split(items):
        first, items = _split_index(items)
        input = _basic(input, first)
    try:
        return GetItem.apply(input, tuple(items), False)
    except (IndexError, ValueError) as e:
        raise _index_error(input._data.shape, items, e) from None


def _basic(input, index):
    try:
        return view_node(index, input._data.shape).apply(input, index, True)
    except IndexError as e:
        raise _index_error(input._data.shape, _items(index), e) from None


declare(
    Select,
    vmap=batching.getitem,
    spec=(
        OpSpec("getitem_int", lambda t, a: a[1], [((3, 4),)], shapes=None),
        OpSpec("getitem_slice_int", lambda t, a: a[1:, -1], [((3, 4),)], shapes=None),
    ),
)
declare(
    Slice,
    vmap=batching.getitem,
    spec=(
        OpSpec("getitem_basic", lambda t, a: a[1:, None, ..., ::2], [((3, 4, 5),)], shapes=None),
        OpSpec("getitem_slice", lambda t, a: a[:2], [((3, 4),)], shapes=None),
    ),
)
declare(
    IndexUnsqueeze,
    grad_fn="UnsqueezeBackward0",
    vmap=batching.getitem,
    spec=(
        OpSpec("getitem_none", lambda t, a: a[:, None], [((3, 4),)], shapes=None),
        OpSpec("getitem_none_0d", lambda t, a: a[None], [((),), ((2,),)], shapes=None),
        OpSpec("getitem_int_none", lambda t, a: a[0, None], [((3, 4),)], shapes=None),
    ),
)
declare(
    Alias,
    vmap=batching.getitem,
    spec=(
        OpSpec("getitem_all", lambda t, a: a[..., :], [((3, 4),)], shapes=None),
        OpSpec("getitem_ellipsis", lambda t, a: a[...], [((),), ((2,),)], shapes=None),
    ),
)


def _index_error(shape, items, err):
    """PyTorch's IndexError for a failed NumPy index."""
    msg = str(err)
    items = [_convert_item(i) for i in items]
    if len(shape) == 0 and any(type(i) is int or isinstance(i, slice) for i in items):
        return IndexError(
            "invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` "
            "in C++ to convert a 0-dim tensor to a number"
        )
    if "too many indices" in msg:
        return IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if "only a single ellipsis" in msg:
        return IndexError(msg)
    used = sum(
        (i.ndim if isinstance(i, _np.ndarray) and i.dtype == bool else 1)
        for i in items
        if i is not None and i is not Ellipsis and type(i) is not bool
    )
    dim = 0
    ordinal = 0
    int_shapes = []
    for it in items:
        if it is Ellipsis:
            dim += len(shape) - used
            continue
        if it is None or type(it) is bool:
            continue
        if isinstance(it, _np.ndarray) and it.dtype == bool:
            sub = shape[dim : dim + it.ndim]
            for j, (m, s) in enumerate(zip(it.shape, sub)):
                if m != s:
                    return IndexError(
                        f"The shape of the mask {list(it.shape)} at index {j} does not match the "
                        f"shape of the indexed tensor {list(shape)} at index {dim + j}"
                    )
            dim += it.ndim
            ordinal += 1
            continue
        n = shape[dim] if dim < len(shape) else 0
        if type(it) is int and not -n <= it < n:
            return IndexError(f"index {it} is out of bounds for dimension {dim} with size {n}")
        if isinstance(it, _np.ndarray):
            int_shapes.append(list(it.shape))
            bad = (it < -n) | (it >= n)
            if bad.any():
                v = it.reshape(-1)[_np.flatnonzero(bad.reshape(-1))[0]]
                return IndexError(
                    f"index {v} is out of bounds for dimension {ordinal} with size {n}"
                )
            ordinal += 1
        dim += 1
    if "broadcast" in msg:
        shapes = ", ".join(str(s) for s in int_shapes)
        return IndexError(
            f"shape mismatch: indexing tensors could not be broadcast together with shapes {shapes}"
        )
    return IndexError(msg.replace("axis", "dimension"))


def setitem(input, index, value):
    """``input[index] = value``, recorded in the graph when gradients are involved."""
    from .inplace import index_put_

    if _is_basic(index):
        index_put_(input, index, value)
        return
    items = [_convert_item(i) for i in _items(index)]
    if _needs_split(items):
        first, second = _split_index(items)
        index_put_(getitem(input, first), second, value)
        return
    try:
        index_put_(input, tuple(items), value)
    except IndexError as e:
        raise _index_error(input._data.shape, items, e) from None


@op(
    None,
    methods="index_put",
    spec=OpSpec(
        "index_put",
        lambda t, a, v, i: a.index_put((i,), v, accumulate=True),
        [((4, 3), (3,))],
        shapes=None,
        extra=index_extra([1, 1, 3]),
    ),
)
def index_put(input, indices, values, accumulate=False):
    """Out-of-place ``index_put_``: a copy of ``input`` with ``values`` put at ``indices``."""
    from .convert import clone
    from .inplace import index_put_

    return index_put_(clone(input), tuple(indices), values, accumulate)


_ND = dict(grad=(False,), fd=False)


@op(
    None,
    methods="nonzero",
    spec=OpSpec("nonzero", lambda t, a: t.nonzero(a > 0), [((3, 4),), ((),)], shapes=None, **_ND),
)
def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or one per dim."""
    x = input._data
    xp = xp_of(x)
    if as_tuple:
        return tuple(Tensor._make(i.astype(xp.int64)) for i in xp.nonzero(xp.atleast_1d(x)))

    def check(o):
        if o._data.dtype != _dt.int64.np:
            raise RuntimeError(
                "nonzero: Expected out tensor to have scalar type Long but got scalar type"
                f"{_dt.scalar_type_name(o._data)}"
            )

    return _out.result_into("nonzero", out, (),
                            lambda: Tensor._make(xp.argwhere(x).astype(xp.int64, copy=False)),
                            check)  # fmt: skip


@op(None, methods="argwhere")
def argwhere(input):
    """``nonzero(input)``: an ``(n, ndim)`` tensor of the indices of non-zero elements."""
    return nonzero(input)


__all__ = public_names(__name__)
