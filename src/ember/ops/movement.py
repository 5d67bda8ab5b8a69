"""Shape views: view (also as another dtype), reshape, squeeze, unsqueeze, flatten, unflatten,
ravel, atleast_Nd; expand.

Views share memory and the version counter with their base (``is_view``).  Permutations
of the dimensions (permute, transpose, t, movedim) are in ``permutations``; copies that
rearrange elements (flip, roll, repeat, ...) in ``rearrange``; diagonal, unfold, narrow
and select in ``windows``.
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import batching
from ._spec import OpSpec
from .registry import declare, op, public_names


def shape_arg(name, keyword, args, value, empty_ok=False):
    """Sizes given as ``f(2, 3)``, ``f((2, 3))`` or ``f(<keyword>=(2, 3))``, as a tuple of ints.

    ``empty_ok``: ``f()`` means the empty shape (PyTorch refuses it; Ember's own code
    writes ``t.reshape(*shape)`` for 0-d shapes).
    """
    if value is not None:
        if args:
            raise TypeError(f"{name}() got multiple values for argument '{keyword}'")
        args = (value,)
    elif not args and not empty_ok:
        raise TypeError(f'{name}() missing 1 required positional arguments: "{keyword}"')
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        args = tuple(args[0])
    return tuple(int(s) for s in args)


def dims_arg(dims):
    """One dim or a sequence of dims, as a tuple."""
    return tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)


def infer_shape(shape, numel):
    """Resolve one ``-1`` in ``shape`` for a tensor of ``numel`` elements (PyTorch's errors)."""
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return shape


# ----- views with a new shape -------------------------------------------------------------
class View(Node):
    """d(view x) = grad reshaped back"""

    is_view = True

    def forward(self, x, shape):
        self.in_shape = x.shape
        out = x.view()
        try:
            out.shape = shape  # assigning .shape never copies: fails when strides forbid
        except AttributeError:
            raise RuntimeError(
                "view size is not compatible with input tensor's size and stride (at least one "
                "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
            ) from None
        return out

    def backward(self, grad):
        return grad.reshape(self.in_shape), None


class ReshapeAlias(View):
    """d(reshape x) = grad reshaped back (x not contiguous, but the new shape is a view)"""


class UnsafeView(Node):
    """d(reshape x) = grad reshaped back (a copy: the strides allow no view)"""

    def forward(self, x, shape):
        self.in_shape = x.shape
        return x.reshape(shape)

    def backward(self, grad):
        return grad.reshape(self.in_shape), None


def _viewable(data, shape):
    probe = data.view()
    try:
        probe.shape = shape
    except AttributeError:
        return False
    return True


@op(
    View,
    methods="view",
    public=False,
    vmap=batching.to_shape,
    spec=(
        OpSpec("view", lambda t, a: a.view(-1), [((2, 3),), ((),)], shapes=None),
        OpSpec("view_size", lambda t, a: a.view(size=(3, 2)), [((2, 3),)], shapes=None),
    ),
)
def view(input, *sizes, size=None, dtype=None):
    """A view with a new shape (errors when the strides do not allow it), or the same
    memory read as another ``dtype`` (``view(torch.int32)``: the bits reinterpreted)."""
    if dtype is not None or (len(sizes) == 1 and isinstance(sizes[0], _dt.dtype)):
        if dtype is None:
            dtype = sizes[0]
        elif sizes or size is not None:
            raise TypeError(
                "view() received an invalid combination of arguments - got (torch.dtype, "
                "int), but expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n"
            )
        return _view_dtype(input, _dt.as_dtype(dtype))
    if len(sizes) > 1 and isinstance(sizes[0], _dt.dtype):
        raise TypeError(
            "view() received an invalid combination of arguments - got (torch.dtype, int), but "
            "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n"
        )
    shape = infer_shape(shape_arg("view", "size", sizes, size, True), input._data.size)
    return View.apply(input, shape)


def _view_dtype(input, dtype):
    """The same memory read as ``dtype``: PyTorch's rules for the last dimension."""
    data = input._data
    new = dtype.np
    old_size, new_size = data.dtype.itemsize, new.itemsize
    if old_size != new_size:
        _check_view_dtype(input, dtype, old_size, new_size)
    out = data.view(new)
    # Not differentiable, as in PyTorch; the memory and the version counter are shared.
    return Tensor._make(out, False, None, 0, input._version_counter)


def _check_view_dtype(input, dtype, old_size, new_size):
    data = input._data
    what = (
        f"to view {_dt.scalar_type_name(data)} as {_dt.scalar_type_name(dtype)} (different "
        "element sizes)"
    )
    if data.ndim == 0:
        raise RuntimeError(f"self.dim() cannot be 0 {what}")
    strides = [s // old_size for s in data.strides]
    if data.shape[-1] != 1 and strides[-1] != 1:
        raise RuntimeError(f"self.stride(-1) must be 1 {what}, but got {strides[-1]}")
    if new_size <= old_size:
        return
    ratio = new_size // old_size
    if data.shape[-1] % ratio:
        raise RuntimeError(
            f"self.size(-1) must be divisible by {ratio} {what}, but got {data.shape[-1]}"
        )
    offset = _storage_offset(input)
    if offset % ratio:
        raise RuntimeError(
            f"self.storage_offset() must be divisible by {ratio} {what}, but got {offset}"
        )
    for k, s in enumerate(strides[:-1]):
        if s % ratio:
            raise RuntimeError(f"self.stride({k}) must be divisible by {ratio} {what}, but got {s}")


def _storage_offset(t):
    """Elements between the start of ``t``'s memory and that of the tensor it views."""
    if t._base is None:
        return 0
    return (_address(t._data) - _address(t._base._data)) // t._data.dtype.itemsize


def _address(a):
    interface = getattr(a, "__array_interface__", None) or a.__cuda_array_interface__
    return interface["data"][0]


@op(
    None,
    methods="reshape",
    spec=OpSpec("reshape", lambda t, a: a.reshape(4, -1), [((2, 6),), ((8,),)], shapes=None),
)
def reshape(input, *sizes, shape=None):
    """The same data in a new shape (a view when possible, else a copy); one dim may be -1."""
    data = input._data
    shape = infer_shape(shape_arg("reshape", "shape", sizes, shape, True), data.size)
    if data.flags.c_contiguous:
        if shape == data.shape and not input._requires_grad:
            return input._view_of(data)
        return View.apply(input, shape)
    if _viewable(data, shape):
        return ReshapeAlias.apply(input, shape)
    return UnsafeView.apply(input, shape)


declare(
    ReshapeAlias,
    vmap=batching.to_shape,
    spec=OpSpec(
        "reshape_alias",
        lambda t, a: a.transpose(0, 1).reshape(3, 2, 2),
        [((2, 3, 2),)],
        shapes=None,
    ),
)
declare(
    UnsafeView,
    vmap=batching.to_shape,
    spec=OpSpec("reshape_copy", lambda t, a: a.t().reshape(-1), [((3, 4),)], shapes=None),
)


@op(None, methods="view_as", public=False)
def view_as(input, other):
    """``input.view(other.shape)``."""
    return view(input, other._data.shape)


@op(None, methods="reshape_as", public=False)
def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return reshape(input, other._data.shape)


class Squeeze(View):
    """d(squeeze x) = grad reshaped back"""


class SqueezeDim(View):
    """d(squeeze(x, dim)) = grad reshaped back"""


class SqueezeDims(View):
    """d(squeeze(x, dims)) = grad reshaped back"""


@op(
    Squeeze,
    methods="squeeze",
    vmap=batching.to_shape,
    spec=OpSpec("squeeze", lambda t, a: a.squeeze(), [((1, 3, 1),)], shapes=None),
)
def squeeze(input, dim=None):
    """Remove dimensions of size 1 (all of them, or those in ``dim``)."""
    shape = input._data.shape
    if dim is None:
        return Squeeze.apply(input, tuple(s for s in shape if s != 1))
    many = isinstance(dim, (tuple, list))
    dims = {_wrap_dim(d, len(shape)) for d in (dim if many else (dim,))}
    new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return (SqueezeDims if many else SqueezeDim).apply(input, new)


declare(
    SqueezeDim,
    grad_fn="SqueezeBackward1",
    vmap=batching.to_shape,
    spec=OpSpec("squeeze_dim", lambda t, a: a.squeeze(-1), [((1, 3, 1),), ((),)], shapes=None),
)
declare(
    SqueezeDims,
    grad_fn="SqueezeBackward2",
    vmap=batching.to_shape,
    spec=OpSpec("squeeze_dims", lambda t, a: t.squeeze(a, (0, 1)), [((1, 3, 1),)], shapes=None),
)


class Unsqueeze(View):
    """d(unsqueeze x) = grad reshaped back"""


@op(
    Unsqueeze,
    methods="unsqueeze",
    vmap=batching.to_shape,
    spec=OpSpec("unsqueeze", lambda t, a: a.unsqueeze(-1), [((2, 3),), ((),)], shapes=None),
)
def unsqueeze(input, dim):
    """Insert a dimension of size 1 at ``dim``."""
    shape = list(input._data.shape)
    shape.insert(_wrap_dim(dim, len(shape) + 1), 1)
    return Unsqueeze.apply(input, tuple(shape))


@op(
    None,
    methods="flatten",
    spec=OpSpec("flatten", lambda t, a: t.flatten(a, 1), [((2, 3, 4),)], shapes=None),
)
def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim..end_dim`` into one (``input`` itself when that is one)."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s = _wrap_dim(start_dim, len(shape))
    e = _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    n = 1
    for x in shape[s : e + 1]:
        n *= x
    return reshape(input, shape[:s] + (n,) + shape[e + 1 :])


@op(None, methods="unflatten", numpy_names=False)  # PyTorch refuses axis= here
def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes`` (a view)."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = infer_shape(sizes, shape[d])
    return view(input, shape[:d] + sizes + shape[d + 1 :])


@op(
    None,
    methods="ravel",
    spec=OpSpec("ravel", lambda t, a: a.t().ravel(), [((3, 4),)], shapes=None),
)
def ravel(input):
    """The elements as a 1-D tensor (a view of a contiguous copy when the memory is not)."""
    from .convert import contiguous

    return view(contiguous(input), -1)


def _atleast(n, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
        many = True
    else:
        many = len(tensors) != 1
    out = []
    for t in tensors:
        nd = t._data.ndim
        if nd == 0:
            t = reshape(t, (1,) * n)
        elif nd == 1 and n >= 2:
            t = unsqueeze(t, 0)
            if n == 3:
                t = unsqueeze(t, -1)
        elif nd == 2 and n == 3:
            t = unsqueeze(t, -1)
        out.append(t)
    return tuple(out) if many else out[0]


@op(
    None,
    spec=OpSpec("atleast_1d", lambda t, a: t.atleast_1d(a), [((),), ((3,),)], shapes=None),
)
def atleast_1d(*tensors):
    """Each tensor with at least 1 dimension (0-d tensors become shape ``(1,)``)."""
    return _atleast(1, tensors)


@op(
    None,
    spec=OpSpec("atleast_2d", lambda t, a: t.atleast_2d(a), [((),), ((3,),)], shapes=None),
)
def atleast_2d(*tensors):
    """Each tensor with at least 2 dimensions (new dimensions go first)."""
    return _atleast(2, tensors)


@op(
    None,
    spec=OpSpec(
        "atleast_3d", lambda t, a: t.atleast_3d(a), [((),), ((3,),), ((2, 3),)], shapes=None
    ),
)
def atleast_3d(*tensors):
    """Each tensor with at least 3 dimensions (``(n,)`` becomes ``(1, n, 1)``)."""
    return _atleast(3, tensors)


# ----- expand -----------------------------------------------------------------------------
class Expand(Node):
    """d(expand x) = grad (the engine sums it back to x's shape)"""

    is_view = True

    def forward(self, x, shape):
        return self.xp.broadcast_to(x, shape)

    def backward(self, grad):
        return grad, None


def _batched_expand(apply, cls, args, flags, shapes, kw, B):
    """vmap: size-1 dimensions after the batch one bring the input to the target's rank."""
    x, target = args[0], tuple(args[1])
    s = tuple(shapes[0])
    if flags[0] and len(s) < len(target):
        x = x.reshape((B,) + (1,) * (len(target) - len(s)) + s)
    return batching.to_shape(apply, cls, (x, target), flags, shapes, kw, B)


@op(
    Expand,
    methods="expand",
    public=False,
    vmap=_batched_expand,
    spec=OpSpec("expand", lambda t, a: a.expand(2, 3, 4), [((3, 1),), ((1, 4),)], shapes=None),
)
def expand(input, *sizes, size=None):
    """Broadcast to ``sizes`` without copying; ``-1`` keeps a dimension."""
    sizes = shape_arg("expand", "size", sizes, size, True)
    data = input._data
    if len(sizes) < data.ndim:
        raise RuntimeError(
            f"expand({_dt.legacy_type_name(data)[6:]}{{{list(data.shape)}}}, size="
            f"{list(sizes)}): the number of sizes provided ({len(sizes)}) must be greater or "
            f"equal to the number of dimensions in the tensor ({data.ndim})"
        )
    lead = len(sizes) - data.ndim
    shape = list(sizes)
    for i in reversed(range(len(sizes))):  # PyTorch checks from the last dimension
        s = sizes[i]
        if s == -1:
            if i < lead:
                raise RuntimeError(
                    f"The expanded size of the tensor (-1) isn't allowed in a leading, "
                    f"non-existing dimension {i}"
                )
            s = data.shape[i - lead]
        elif i >= lead and data.shape[i - lead] not in (1, s):
            raise RuntimeError(
                f"The expanded size of the tensor ({s}) must match the existing size "
                f"({data.shape[i - lead]}) at non-singleton dimension {i}.  Target sizes: "
                f"{list(sizes)}.  Tensor sizes: {list(data.shape)}"
            )
        shape[i] = s
    shape = tuple(shape)
    if shape == data.shape and not input._requires_grad:
        return input._view_of(data)
    return Expand.apply(input, shape)


@op(None, methods="expand_as", public=False)
def expand_as(input, other):
    """``input.expand(other.shape)``."""
    return expand(input, other._data.shape)


@op(
    None,
    methods="broadcast_to",
    spec=OpSpec("broadcast_to", lambda t, a: t.broadcast_to(a, (2, 3)), [((3,),)], shapes=None),
)
def broadcast_to(input, size):
    """``input.expand(size)``."""
    return expand(input, size)


__all__ = public_names(__name__)
