"""Shape ops: reshape, view, expand, permute, transpose, squeeze, unsqueeze, flatten,
movedim, narrow, select, diagonal, unfold (views), and repeat, tile, flip, roll (copies).

Views share memory and the version counter with their base (``is_view``).
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import xp_of
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
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


def _dims_arg(dims):
    return tuple(dims) if isinstance(dims, (tuple, list)) else (dims,)


def movedim(input, source, destination):
    """Move dimensions ``source`` to positions ``destination`` (a view); the rest keep order."""
    src, dst = _dims_arg(source), _dims_arg(destination)
    nd = input._data.ndim
    if len(src) != len(dst):
        raise RuntimeError(
            f"movedim: Invalid source or destination dims: source ({list(src)} dims) should "
            f"contain the same number of dims as destination ({list(dst)} dims)"
        )
    s = [_wrap_dim(d, nd) for d in src]
    t = [_wrap_dim(d, nd) for d in dst]
    if len(set(s)) != len(s):
        raise RuntimeError(f"movedim: repeated dim in `source` ({list(src)})")
    if len(set(t)) != len(t):
        raise RuntimeError(f"movedim: repeated dim in `destination` ({list(dst)})")
    order = [None] * nd
    for a, b in zip(s, t):
        order[b] = a
    rest = iter(d for d in range(nd) if d not in s)
    order = tuple(next(rest) if o is None else o for o in order)
    return Permute.apply(input, order)


moveaxis = movedim


class Repeat(Node):
    """d(x.repeat(r)) = grad summed over the copies"""

    def forward(self, x, reps):
        self.in_shape, self.reps = x.shape, reps
        return self.xp.tile(x, reps)

    def backward(self, grad):
        reps = tuple(self.reps)
        shape = (1,) * (len(reps) - len(self.in_shape)) + tuple(self.in_shape)
        split = []
        for r, s in zip(reps, shape):
            split += [r, s]
        g = grad.reshape(tuple(split)).sum(dim=tuple(range(0, 2 * len(reps), 2)))
        return g.reshape(self.in_shape), None


def repeat(input, *sizes):
    """Tile ``input`` ``sizes[i]`` times along each dimension (leading new dims allowed)."""
    reps = _shape_arg(sizes)
    shape = input._data.shape
    if len(reps) < len(shape):
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    padded = (1,) * (len(reps) - len(shape)) + shape
    out = [r * s for r, s in zip(reps, padded)]
    for o in out:
        if o < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {o}: {out}")
    return Repeat.apply(input, reps)


def tile(input, dims):
    """Repeat ``input`` by ``dims``, padding ``dims`` with leading ones to ``input.dim()``."""
    dims = _dims_arg(dims)
    nd = input._data.ndim
    if len(dims) < nd:
        dims = (1,) * (nd - len(dims)) + tuple(dims)
    return repeat(input, dims)


class Flip(Node):
    """d(flip x) = flip(grad)"""

    def forward(self, x, dims):
        self.dims = dims
        return self.xp.flip(x, dims).copy() if dims else x.copy()

    def backward(self, grad):
        return Flip.apply(grad, self.dims), None


def flip(input, *dims):
    """Reverse the order of elements along ``dims`` (a copy, as in PyTorch)."""
    if len(dims) == 1 and isinstance(dims[0], (tuple, list)):
        dims = tuple(dims[0])
    nd = input._data.ndim
    wrapped = tuple(_wrap_dim(d, nd) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return Flip.apply(input, wrapped)


def fliplr(input):
    """Flip the columns (dimension 1)."""
    if input._data.ndim < 2:
        raise RuntimeError("Input must be >= 2-d.")
    return flip(input, (1,))


def flipud(input):
    """Flip the rows (dimension 0)."""
    if input._data.ndim < 1:
        raise RuntimeError("Input must be >= 1-d.")
    return flip(input, (0,))


class Roll(Node):
    """d(roll x by s) = roll(grad by -s)"""

    def forward(self, x, shifts, dims):
        self.shifts, self.dims = shifts, dims
        return self.xp.roll(x, shifts, axis=dims)

    def backward(self, grad):
        back = tuple(-s for s in self.shifts) if self.dims is not None else -self.shifts
        return Roll.apply(grad, back, self.dims), None, None


def roll(input, shifts, dims=None):
    """Shift elements cyclically along ``dims`` (the flattened tensor when ``dims`` is None)."""
    sh = _dims_arg(shifts)
    if dims is None:
        if len(sh) != 1:
            raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:0")
        return Roll.apply(input, int(sh[0]), None)
    ds = _dims_arg(dims)
    if len(sh) != len(ds):
        raise RuntimeError(f"shifts and dimensions must align. shifts: {len(sh)}, dims:{len(ds)}")
    nd = input._data.ndim
    ds = tuple(_wrap_dim(d, nd) for d in ds)
    return Roll.apply(input, tuple(int(s) for s in sh), ds)


def _getitem(input, index):
    from .indexing import GetItem

    return GetItem.apply(input, index, True)


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
    if not -n <= start <= n:
        raise IndexError(
            f"start out of range (expected to be in range of [{-n}, {n}], but got {start})"
        )
    if start < 0:
        start += n
    if start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    return _getitem(input, (slice(None),) * d + (slice(start, start + length),))


def select(input, dim, index):
    """The sub-tensor at ``index`` of dimension ``dim``, which is removed (a view)."""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    index = int(index)
    if not -shape[d] <= index < shape[d]:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(shape)} at "
            f"dimension {d}"
        )
    return _getitem(input, (slice(None),) * d + (index,))


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


class Diagonal(Node):
    """d(diagonal x) = zeros like x with grad on that diagonal"""

    is_view = True

    def forward(self, x, offset, d1, d2):
        self.args_ = (x.shape, offset, d1, d2)
        return _diag_view(x, offset, d1, d2)

    def backward(self, grad):
        return DiagonalScatter.apply(grad, *self.args_), None, None, None


class DiagonalScatter(Node):
    """out = zeros(shape) with grad on a diagonal; d/dgrad = that diagonal of out_grad"""

    def forward(self, grad, shape, offset, d1, d2):
        self.args_ = (offset, d1, d2)
        out = self.xp.zeros(shape, dtype=grad.dtype)
        _diag_view(out, offset, d1, d2)[...] = grad
        return out

    def backward(self, g):
        return Diagonal.apply(g, *self.args_), None, None, None, None


def diagonal(input, offset=0, dim1=0, dim2=1):
    """The diagonal of the ``dim1``, ``dim2`` planes, as a last dimension (a view)."""
    nd = input._data.ndim
    d1, d2 = _wrap_dim(dim1, nd), _wrap_dim(dim2, nd)
    if d1 == d2:
        raise RuntimeError(f"diagonal dimensions cannot be identical {dim1}, {dim2}")
    return Diagonal.apply(input, int(offset), d1, d2)


class Unfold(Node):
    """d(x.unfold) = the windows' gradients added back where they overlap"""

    is_view = True

    def forward(self, x, dim, size, step):
        self.args_ = (x.shape, dim, size, step)
        xp = self.xp
        if x.ndim == 0:
            return xp.lib.stride_tricks.as_strided(x, (1,), (0,))
        n = (x.shape[dim] - size) // step + 1
        shape = x.shape[:dim] + (n,) + x.shape[dim + 1 :] + (size,)
        st = x.strides
        strides = st[:dim] + (st[dim] * step,) + st[dim + 1 :] + (st[dim],)
        return xp.lib.stride_tricks.as_strided(x, shape, strides)

    def backward(self, grad):
        return UnfoldBackward.apply(grad, *self.args_), None, None, None


class UnfoldBackward(Node):
    """out = zeros(shape) with each window's grad added; d/dgrad = out_grad.unfold(...)"""

    def forward(self, grad, shape, dim, size, step):
        self.args_ = (dim, size, step)
        out = self.xp.zeros(shape, dtype=grad.dtype)
        if not shape:
            out[...] = grad.reshape(())
            return out
        n = grad.shape[dim]
        moved = self.xp.moveaxis(out, dim, -1)
        g = self.xp.moveaxis(grad, dim, -2)
        for k in range(size):  # one vectorised add per window position
            moved[..., k : k + step * (n - 1) + 1 : step] += g[..., k]
        return out

    def backward(self, g):
        return Unfold.apply(g, *self.args_), None, None, None, None


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


def rot90(input, k=1, dims=(0, 1)):
    """Rotate by 90 degrees ``k`` times in the plane ``dims``, from the first toward the second."""
    dims = tuple(dims)
    nd = input._data.ndim
    if len(dims) != 2:
        raise RuntimeError(f"expected total rotation dims == 2, but got dims = {len(dims)}")
    if nd < 2:
        raise RuntimeError(f"expected total dims >= 2, but got total dims = {nd}")
    if dims[0] == dims[1] or abs(dims[0] - dims[1]) == nd:
        raise RuntimeError(
            f"expected rotation dims to be different, but got dim0 = {dims[0]} and dim1 = {dims[1]}"
        )
    d0, d1 = _wrap_dim(dims[0], nd), _wrap_dim(dims[1], nd)
    k %= 4
    if k == 1:
        return transpose(flip(input, (d1,)), d0, d1)
    if k == 2:
        return flip(input, (d0, d1))
    if k == 3:
        return transpose(flip(input, (d0,)), d0, d1)
    return View.apply(input, input._data.shape)


def ravel(input):
    """The elements as a 1-D tensor (a view when the memory allows)."""
    return reshape(input, (-1,))


def _atleast(n, tensors):
    if len(tensors) == 1 and isinstance(tensors[0], (tuple, list)):
        tensors = tuple(tensors[0])
        many = True
    else:
        many = len(tensors) != 1
    out = []
    for t in tensors:
        shape = t._data.shape
        if len(shape) < n:
            if n == 3 and len(shape) == 2:
                shape = shape + (1,)
            elif n == 3 and len(shape) == 1:
                shape = (1,) + shape + (1,)
            else:
                shape = (1,) * (n - len(shape)) + shape
            t = reshape(t, shape)
        out.append(t)
    return tuple(out) if many else out[0]


def atleast_1d(*tensors):
    """Each tensor with at least 1 dimension (0-d tensors become shape ``(1,)``)."""
    return _atleast(1, tensors)


def atleast_2d(*tensors):
    """Each tensor with at least 2 dimensions (new dimensions go first)."""
    return _atleast(2, tensors)


def atleast_3d(*tensors):
    """Each tensor with at least 3 dimensions (``(n,)`` becomes ``(1, n, 1)``)."""
    return _atleast(3, tensors)


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
    "movedim": "movedim",
    "moveaxis": "movedim",
    "repeat": "repeat",
    "tile": "tile",
    "flip": "flip",
    "fliplr": "fliplr",
    "flipud": "flipud",
    "roll": "roll",
    "narrow": "narrow",
    "select": "select",
    "diagonal": "diagonal",
    "unfold": "unfold",
    "rot90": "rot90",
    "ravel": "ravel",
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
    OpSpec("movedim", lambda t, a: t.movedim(a, (0, -1), (2, 0)), [((2, 3, 4),)], shapes=None),
    OpSpec("repeat", lambda t, a: a.repeat(2, 1, 3), [((3, 2),), ((),), ((0, 2),)], shapes=None),
    OpSpec("tile", lambda t, a: t.tile(a, (2,)), [((3, 2),), ((2, 3, 1),)], shapes=None),
    OpSpec("flip", lambda t, a: t.flip(a, (0, -1)), [((3, 4),), ((2, 3, 4),)], shapes=None),
    OpSpec("fliplr", lambda t, a: t.fliplr(a) * t.flipud(a), [((3, 4),)], shapes=None),
    OpSpec("roll", lambda t, a: t.roll(a, (1, -3), (0, 1)), [((3, 4),)], shapes=None),
    OpSpec("roll_flat", lambda t, a: a.roll(5), [((3, 4),), ((0,),)], shapes=None),
    OpSpec("narrow", lambda t, a: a.narrow(-1, -3, 2), [((3, 4),), ((2, 3, 4),)], shapes=None),
    OpSpec("select", lambda t, a: a.select(1, -1), [((3, 4),), ((2, 3, 4),)], shapes=None),
    OpSpec("diagonal", lambda t, a: a.diagonal(), [((3, 4),), ((4, 3),)], shapes=None),
    OpSpec(
        "diagonal_offset",
        lambda t, a: t.diagonal(a, -1, 2, 0) * 2,
        [((3, 4, 5),), ((2, 2, 2),)],
        shapes=None,
    ),
    OpSpec("unfold", lambda t, a: a.unfold(1, 3, 2), [((2, 7),), ((2, 3),)], shapes=None),
    OpSpec("unfold_overlap", lambda t, a: a.unfold(0, 3, 1) ** 2, [((6,),)], shapes=None),
    OpSpec("rot90", lambda t, a: t.rot90(a, 1, (0, 1)) + 0, [((3, 4),), ((2, 3, 4),)], shapes=None),
    OpSpec("rot90_k3", lambda t, a: t.rot90(a, -1, (1, 0)), [((3, 4),)], shapes=None),
    OpSpec("ravel", lambda t, a: a.t().ravel(), [((3, 4),)], shapes=None),
)
_ = Tensor
