"""``as_strided``: a view of a tensor's storage with any sizes, strides and offset, as
PyTorch's (``Tensor.as_strided_`` re-points the tensor itself).

The storage of a tensor is the array that owns its memory (``Tensor.untyped_storage``);
the view is made over it, so writes through the view are seen by every tensor sharing
that memory.  The gradient is PyTorch's ``AsStridedBackward0``: the output's gradient is
added into a zero storage (elements the view repeats accumulate) and read back through
the input's own geometry (divided by how often the input repeats a storage element).
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import storage_root
from ._spec import OpSpec
from .index_ops import IndexAdd, IndexSelect
from .inplace import check_inplace
from .registry import LOOP, op, public_names


def _geometry(arr, root):
    """``(sizes, strides, offset)`` of ``arr`` in elements of its own dtype inside ``root``."""
    isz = arr.itemsize
    offset = (arr.__array_interface__["data"][0] - root.__array_interface__["data"][0]) // isz
    return arr.shape, tuple(s // isz for s in arr.strides), offset


def _view(xp, root, dtype, size, stride, offset):
    """The array of ``dtype`` at ``offset`` elements into ``root``'s memory, strided."""
    isz = _np.dtype(dtype).itemsize
    byte_strides = tuple(s * isz for s in stride)
    if not all(size):  # no element to reach: NumPy would check the strides against the buffer
        return xp.lib.stride_tricks.as_strided(xp.empty(0, dtype), size, byte_strides)
    if xp is _np and (root.flags.c_contiguous or root.flags.f_contiguous):
        return _np.ndarray(size, dtype, buffer=root, offset=offset * isz, strides=byte_strides)
    flat = root.reshape(-1).view(dtype)
    return xp.lib.stride_tricks.as_strided(flat[offset:], size, byte_strides)


def _storage_indices(xp, geometry):
    """The storage position of every element of a geometry (an int64 array of its sizes)."""
    size, stride, offset = geometry
    pos = xp.full(size, offset, dtype=xp.int64)
    for d, (n, s) in enumerate(zip(size, stride)):
        shape = [1] * len(size)
        shape[d] = n
        pos = pos + (xp.arange(n, dtype=xp.int64) * s).reshape(shape)
    return pos


class AsStrided(Node):
    """d as_strided(x) = grad added into a zero storage at the view's positions, read back
    at x's positions (divided by x's repeats of a position)"""

    is_view = True

    def forward(self, x, size, stride, offset):
        root = storage_root(x)
        self.in_geometry = _geometry(x, root)
        self.out_geometry = (size, stride, offset)
        return _view(self.xp, root, x.dtype, size, stride, offset)

    def backward(self, grad):
        xp = self.xp
        out_pos = _storage_indices(xp, self.out_geometry).reshape(-1)
        in_pos = _storage_indices(xp, self.in_geometry).reshape(-1)
        both = xp.concatenate([out_pos, in_pos])
        if not both.size:
            return grad.new_zeros(self.in_geometry[0]), None, None, None
        low = int(both.min())
        n = int(both.max()) - low + 1
        storage = IndexAdd.apply(grad.new_zeros((n,)), grad.reshape(-1), 0, out_pos - low, 1)
        g = IndexSelect.apply(storage, 0, in_pos - low)
        count = xp.bincount(in_pos - low, minlength=n)
        if in_pos.size and count.max() > 1:  # x itself repeats storage elements (expand)
            g = g / Tensor._make(count[in_pos - low].astype(grad._data.dtype))
        return g.reshape(self.in_geometry[0]), None, None, None


class AsStridedInplace(AsStrided):
    """d as_strided_(x): as as_strided"""


def _ints(name, arg, value, position):
    """``value`` as a tuple of ints, refused with PyTorch's TypeError otherwise."""
    if isinstance(value, Tensor) or not isinstance(value, (tuple, list)):
        raise TypeError(
            f"{name}(): argument '{arg}' (position {position}) must be tuple of ints, not "
            f"{type(value).__name__}"
        )
    for k, v in enumerate(value):
        if not isinstance(v, int) and not (isinstance(v, Tensor) and v._data.dtype.kind in "iu"):
            raise TypeError(
                f"{name}(): argument '{arg}' failed to unpack the object at pos {k + 1} with "
                f'error "type must be tuple of ints,but got {type(v).__name__}"'
            )
    return tuple(int(v) for v in value)


def _checked(name, input, size, stride, storage_offset, method):
    """Sizes, strides and offset checked as PyTorch checks them (its messages)."""
    first = 1 if method else 2
    size = _ints(name, "size", size, first)
    stride = _ints(name, "stride", stride, first + 1)
    if storage_offset is None:
        offset = input.storage_offset()
    elif isinstance(storage_offset, bool) or not isinstance(storage_offset, (int, Tensor)):
        raise TypeError(
            f"{name}(): argument 'storage_offset' (position {first + 2}) must be int, not "
            f"{type(storage_offset).__name__}"
        )
    else:
        offset = int(storage_offset)
    if len(size) != len(stride):
        raise RuntimeError("mismatch in length of strides and shape")
    if any(s < 0 for s in stride):
        raise RuntimeError(
            f"as_strided: Negative strides are not supported at the moment, got strides: "
            f"{list(stride)}"
        )
    if offset < 0:
        raise RuntimeError(f"Tensor: invalid storage offset {offset}")
    if any(n < 0 for n in size):
        raise RuntimeError(
            f"Storage size calculation overflowed with sizes={list(size)} and "
            f"strides={list(stride)}"
        )
    isz = input._data.itemsize
    needed = 0
    if all(size):
        needed = (offset + sum((n - 1) * s for n, s in zip(size, stride)) + 1) * isz
    have = storage_root(input._data).nbytes
    if needed > have:
        raise RuntimeError(
            f"setStorage: sizes {list(size)}, strides {list(stride)}, storage offset {offset}, "
            f"and itemsize {isz} requiring a storage size of {needed} are out of bounds for "
            f"storage of size {have}"
        )
    return size, stride, offset


_SAMPLES = [((12,),), ((3, 4),)]


@op(
    AsStrided,
    vmap=LOOP,
    spec=(
        OpSpec("as_strided", lambda t, a: a.as_strided((2, 3), (3, 1), 1), _SAMPLES, shapes=None),
        OpSpec(
            "as_strided_overlap",
            lambda t, a: t.as_strided(a, (3, 3), (1, 1)),
            _SAMPLES,
            shapes=None,
        ),
        OpSpec(
            "as_strided_of_view",
            lambda t, a: a.reshape(3, 4).t().as_strided((2, 2), (1, 4)),
            _SAMPLES,
            shapes=None,
        ),
        OpSpec(
            "as_strided_of_expanded",
            lambda t, a: a.reshape(-1)[:3].expand(2, 3).as_strided((2, 2), (1, 1)),
            _SAMPLES,
            shapes=None,
        ),
    ),
)
def as_strided(input, size, stride, storage_offset=None):
    """A view of ``input``'s storage with the given sizes and strides (in elements),
    starting ``storage_offset`` elements in (default: where ``input`` starts)."""
    size, stride, offset = _checked("as_strided", input, size, stride, storage_offset, False)
    return AsStrided.apply(input, size, stride, offset)


def _method(self, size, stride, storage_offset=None):
    size, stride, offset = _checked("as_strided", self, size, stride, storage_offset, True)
    return AsStrided.apply(self, size, stride, offset)


_method.__name__ = "as_strided"
_method.__doc__ = as_strided.__doc__


@op(
    AsStridedInplace,
    methods="as_strided_",
    grad_fn="AsStridedBackward1",
    vmap=LOOP,
    spec=OpSpec(
        "as_strided_",
        lambda t, a: (a * 1).as_strided_((2, 2), (1, 2), 1),
        _SAMPLES,
        shapes=None,
    ),
)
def as_strided_(input, size, stride, storage_offset=None):
    """Make ``input`` itself the strided view of its storage (sizes, strides, offset)."""
    check_inplace(input)
    size, stride, offset = _checked("as_strided_", input, size, stride, storage_offset, True)
    result = AsStridedInplace.apply(input, size, stride, offset)
    input._data = result._data
    input._bump_version("as_strided_")
    if result.grad_fn is not None:
        input.grad_fn, input._output_nr = result.grad_fn, 0
    return input


op(None, methods="as_strided", public=False)(_method)

__all__ = public_names(__name__)
