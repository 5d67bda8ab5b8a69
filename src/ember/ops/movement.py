"""Shape ops: reshape, view, expand, permute, transpose, squeeze, unsqueeze, flatten.

Views share memory and the version counter with their base (``is_view``).
"""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor import Tensor, _wrap_dim
from ._spec import OpSpec, register


def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


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


class Reshape(Node):
    """d(reshape x) = grad reshaped back"""

    def forward(self, x, shape):
        self.in_shape = x.shape
        out = x.reshape(shape)
        self.is_view = out.base is not None and (out.base is x or out.base is x.base)
        return out

    def backward(self, grad):
        return grad.reshape(self.in_shape), None


class View(Reshape):
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


def reshape(input, *shape):
    """The same data in a new shape (a view when possible, else a copy); one dim may be -1."""
    shape = infer_shape(_shape_arg(shape), input._data.size)
    if shape == input._data.shape:
        return View.apply(input, shape) if input._requires_grad else input._view_of(input._data)
    return Reshape.apply(input, shape)


def view(input, *shape):
    """A view with a new shape; errors when the strides do not allow it."""
    if len(shape) == 1 and not isinstance(shape[0], (tuple, list, int)):
        return input.to(shape[0])  # view(dtype) reinterpretation is not supported: cast
    shape = infer_shape(_shape_arg(shape), input._data.size)
    return View.apply(input, shape)


def view_as(input, other):
    """``input.view(other.shape)``."""
    return view(input, other._data.shape)


def reshape_as(input, other):
    """``input.reshape(other.shape)``."""
    return reshape(input, other._data.shape)


class Expand(Node):
    """d(expand x) = grad (the engine sums it back to x's shape)"""

    is_view = True

    def forward(self, x, shape):
        return self.xp.broadcast_to(x, shape)

    def backward(self, grad):
        return grad, None


def expand(input, *sizes):
    """Broadcast to ``sizes`` without copying; ``-1`` keeps a dimension."""
    sizes = _shape_arg(sizes)
    data = input._data
    if len(sizes) < data.ndim:
        raise RuntimeError(
            f"expand({_legacy(input)}{{{list(data.shape)}}}, size={list(sizes)}): the number of "
            "sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({data.ndim})"
        )
    lead = len(sizes) - data.ndim
    shape = []
    for i, s in enumerate(sizes):
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
        shape.append(s)
    shape = tuple(shape)
    if shape == data.shape and not input._requires_grad:
        return input._view_of(data)
    return Expand.apply(input, shape)


def _legacy(t):
    from ..autograd.errors import legacy_type_name

    return legacy_type_name(t._data).replace("torch.", "")


def expand_as(input, other):
    """``input.expand(other.shape)``."""
    return expand(input, other._data.shape)


def broadcast_to(input, size):
    """``input.expand(size)``."""
    return expand(input, size)


class Permute(Node):
    """d(permute x) = grad permuted back"""

    is_view = True

    def forward(self, x, dims):
        self.dims = dims
        return x.transpose(dims)

    def backward(self, grad):
        inv = [0] * len(self.dims)
        for i, d in enumerate(self.dims):
            inv[d] = i
        return grad.permute(*inv), None


def permute(input, *dims):
    """Reorder dimensions (a view)."""
    dims = _shape_arg(dims)
    nd = input._data.ndim
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    dims = tuple(_wrap_dim(d, nd) for d in dims)
    if len(set(dims)) != nd:
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return Permute.apply(input, dims)


def transpose(input, dim0, dim1):
    """Swap two dimensions (a view)."""
    nd = input._data.ndim
    if nd == 0:
        _wrap_dim(dim0, 0), _wrap_dim(dim1, 0)
        return Permute.apply(input, ())
    d0, d1 = _wrap_dim(dim0, nd), _wrap_dim(dim1, nd)
    dims = list(range(nd))
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return Permute.apply(input, tuple(dims))


swapaxes = swapdims = transpose


def t(input):
    """Transpose a tensor of at most 2 dimensions."""
    if input._data.ndim > 2:
        raise RuntimeError(
            f"t() expects a tensor with <= 2 dimensions, but self is {input._data.ndim}D"
        )
    return transpose(input, 0, 1) if input._data.ndim == 2 else View.apply(input, input._data.shape)


def squeeze(input, dim=None):
    """Remove dimensions of size 1 (all of them, or those in ``dim``)."""
    shape = input._data.shape
    if dim is None:
        new = tuple(s for s in shape if s != 1)
    else:
        dims = dim if isinstance(dim, (tuple, list)) else (dim,)
        dims = {_wrap_dim(d, len(shape)) for d in dims}
        new = tuple(s for i, s in enumerate(shape) if not (i in dims and s == 1))
    return View.apply(input, new)


def unsqueeze(input, dim):
    """Insert a dimension of size 1 at ``dim``."""
    shape = list(input._data.shape)
    d = _wrap_dim(dim, len(shape) + 1)
    shape.insert(d, 1)
    return View.apply(input, tuple(shape))


def flatten(input, start_dim=0, end_dim=-1):
    """Merge dimensions ``start_dim..end_dim`` into one."""
    shape = input._data.shape
    if not shape:
        return reshape(input, (1,))
    s = _wrap_dim(start_dim, len(shape))
    e = _wrap_dim(end_dim, len(shape))
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    n = 1
    for x in shape[s : e + 1]:
        n *= x
    return reshape(input, shape[:s] + (n,) + shape[e + 1 :])


def unflatten(input, dim, sizes):
    """Split dimension ``dim`` into ``sizes``."""
    shape = input._data.shape
    d = _wrap_dim(dim, len(shape))
    sizes = tuple(sizes)
    if -1 in sizes:
        sizes = infer_shape(sizes, shape[d])
    return reshape(input, shape[:d] + sizes + shape[d + 1 :])


METHODS = {
    "reshape": "reshape",
    "view": "view",
    "view_as": "view_as",
    "reshape_as": "reshape_as",
    "expand": "expand",
    "expand_as": "expand_as",
    "broadcast_to": "broadcast_to",
    "permute": "permute",
    "transpose": "transpose",
    "swapaxes": "transpose",
    "swapdims": "transpose",
    "t": "t",
    "squeeze": "squeeze",
    "unsqueeze": "unsqueeze",
    "flatten": "flatten",
    "unflatten": "unflatten",
}

register(
    OpSpec("reshape", lambda t, a: a.reshape(4, -1), [((2, 6),), ((8,),)], shapes=None),
    OpSpec("view", lambda t, a: a.view(-1), [((2, 3),), ((),)], shapes=None),
    OpSpec("expand", lambda t, a: a.expand(2, 3, 4), [((3, 1),), ((1, 4),)], shapes=None),
    OpSpec("permute", lambda t, a: a.permute(2, 0, 1), [((2, 3, 4),)], shapes=None),
    OpSpec("transpose", lambda t, a: a.transpose(0, -1), [((2, 3),), ((2, 3, 4),)], shapes=None),
    OpSpec("mT", lambda t, a: a.mT, [((2, 3, 4),)], shapes=None),
    OpSpec("squeeze", lambda t, a: a.squeeze(), [((1, 3, 1),)], shapes=None),
    OpSpec("unsqueeze", lambda t, a: a.unsqueeze(-1), [((2, 3),), ((),)], shapes=None),
    OpSpec("flatten", lambda t, a: t.flatten(a, 1), [((2, 3, 4),)], shapes=None),
)
_ = Tensor
