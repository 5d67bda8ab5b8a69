"""Indexing: ``tensor[index]``, ``tensor[index] = value``, gather/scatter and masked ops.

Basic indices (ints, slices, None, Ellipsis) give views; advanced indices (integer
or boolean tensors) copy.  Repeated advanced indices accumulate their gradients.
PyTorch applies integer indices before advanced ones (``x[0, :, [0, 1]]`` has shape
``(4, 2)`` for ``x`` of shape ``(3, 4, 5)``, where NumPy gives ``(2, 4)``), so such an
index runs as a basic view followed by the advanced part.
"""

from __future__ import annotations

import warnings

from ..autograd.node import Node
from ..backend import np as _np
from ..backend import xp_of
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from ._spec import OpSpec, register
from .indexing_backward import add_rows, index_put_add, scatter_add_dim

_LEGACY_SEQ = (
    "Using a non-tuple sequence for multidimensional indexing is deprecated and will be changed "
    "in pytorch 2.9; use x[tuple(seq)] instead of x[seq]. In pytorch 2.9 this will be "
    "interpreted as tensor index, x[torch.tensor(seq)], which will result either in an error "
    "or a different result"
)
_BAD_TENSOR = "tensors used as indices must be long, int, byte or bool tensors"


# ----- turning a PyTorch index into NumPy's --------------------------------------------
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
    if k == "b" or k == "i":
        return a
    if a.dtype == _np.uint8:
        warnings.warn(
            "indexing with dtype torch.uint8 is now deprecated, please use a dtype torch.bool "
            "instead.",
            UserWarning,
            stacklevel=4,
        )
        return a.astype(bool)
    if k == "u":
        return a.astype(_np.int64)
    raise IndexError(_BAD_TENSOR)


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
        return _index_array(it._read_values())
    if isinstance(it, _np.ndarray):
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
        warnings.warn(_LEGACY_SEQ, UserWarning, stacklevel=4)
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

    def backward(self, grad):
        return index_put_add(self.in_shape, self.index, grad), None, None

    def name(self):
        if not self.is_view:
            return "IndexBackward0"
        return "SelectBackward0" if type(self.index) is int else "SliceBackward0"


def getitem(input, index):
    """``input[index]`` with PyTorch's rules (views for basic indices, copies otherwise)."""
    if _is_basic(index):
        return _basic(input, index)
    items = [_convert_item(i) for i in _items(index)]
    items = [None if i is True else i for i in items]
    arrays = [i for i in items if isinstance(i, _np.ndarray)]
    if not arrays and all(i is not False for i in items):
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
        return GetItem.apply(input, index, True)
    except IndexError as e:
        raise _index_error(input._data.shape, _items(index), e) from None


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
    items = [None if i is True else i for i in items]
    if _needs_split(items):
        first, second = _split_index(items)
        index_put_(getitem(input, first), second, value)
        return
    try:
        index_put_(input, tuple(items), value)
    except IndexError as e:
        raise _index_error(input._data.shape, items, e) from None


def index_put(input, indices, values, accumulate=False):
    """Out-of-place ``index_put_``: a copy of ``input`` with ``values`` put at ``indices``."""
    from .convert import clone
    from .inplace import index_put_

    return index_put_(clone(input), tuple(indices), values, accumulate)


# ----- shared checks --------------------------------------------------------------------
def _dtype_word(np_dtype):
    from ..autograd.errors import legacy_type_name

    return legacy_type_name(_np.empty(0, dtype=np_dtype))[6:-6]


def _as_tensor(x):
    if isinstance(x, Tensor):
        return x
    from ..creation import tensor

    return tensor(x)


def _oob(index, n):
    bad = (index < 0) | (index >= n)
    if bad.any():
        return int(index.reshape(-1)[_np.flatnonzero(bad.reshape(-1))[0]])
    return None


def _wrap(index, n):
    return _np.where(index < 0, index + n, index) if index.size and index.min() < 0 else index


# ----- gather / scatter -----------------------------------------------------------------
def _gather_array(xp, x, dim, index):
    if x.ndim == 0:
        return x.reshape(1)[index.reshape(1)].reshape(())
    sub = x[tuple(slice(0, index.shape[d]) if d != dim else slice(None) for d in range(x.ndim))]
    return xp.take_along_axis(sub, index.astype(xp.intp, copy=False), axis=dim)


class Gather(Node):
    """d gather(x, dim, idx) = scatter_add(zeros_like(x), dim, idx, grad)"""

    def forward(self, x, dim, index):
        self.dim, self.index, self.in_shape = dim, index, x.shape
        return _gather_array(self.xp, x, dim, index)

    def backward(self, grad):
        zeros = Tensor._make(self.xp.zeros(self.in_shape, dtype=grad._data.dtype))
        return ScatterAdd.apply(zeros, grad, self.dim, self.index), None, None


def _check_gather(op, input, dim, index, src=None, what="input"):
    idx = index._data
    if idx.dtype.kind not in "iu" or idx.dtype.itemsize not in (4, 8):
        raise RuntimeError(f"{op}(): Expected dtype int32/int64 for index")
    x = input._data
    d = _wrap_dim(dim, x.ndim)
    nd = max(x.ndim, 1)
    if max(idx.ndim, 1) != nd:
        raise RuntimeError(f"Index tensor must have the same number of dimensions as {what} tensor")
    if src is not None and max(src._data.ndim, 1) != nd:
        raise RuntimeError("Index tensor must have the same number of dimensions as src tensor")
    if x.ndim and idx.size:
        too_big = any(idx.shape[k] > x.shape[k] for k in range(x.ndim) if k != d)
        if src is not None:
            if too_big or any(i > s for i, s in zip(idx.shape, src._data.shape)):
                raise RuntimeError(
                    f"Expected index {list(idx.shape)} to be no larger than self "
                    f"{list(x.shape)} apart from dimension {d} and to be no larger size than "
                    f"src {list(src._data.shape)}"
                )
        elif too_big:
            if op == "gather":
                k = next(k for k in range(x.ndim) if k != d and idx.shape[k] > x.shape[k])
                raise RuntimeError(
                    f"Size does not match at dimension {k} expected index {list(idx.shape)} to be "
                    f"no larger than self {list(x.shape)} apart from dimension {d}"
                )
            raise RuntimeError(
                f"Expected index {list(idx.shape)} to be no larger than self {list(x.shape)} "
                f"apart from dimension {d}"
            )
    n = x.shape[d] if x.ndim else 1
    bad = _oob(idx, n)
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    return d, idx


def gather(input, dim, index, *, sparse_grad=False, out=None):
    """``out[i][j] = input[i][index[i][j]]`` along ``dim`` (here for dim=1)."""
    d, idx = _check_gather("gather", input, dim, index)
    return Gather.apply(input, d, idx)


class ScatterAdd(Node):
    """d scatter_add(x, dim, idx, src) = grad to x, gather(grad, dim, idx) to src"""

    def forward(self, x, src, dim, index):
        self.dim, self.index, self.src_shape = dim, index, src.shape
        out = x.copy()
        if out.ndim == 0:
            scatter_add_dim(out.reshape(1), 0, index.reshape(1), src.reshape(1))
        else:
            scatter_add_dim(out, dim, index, src)
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gsrc = None
        if n[1]:
            gsrc = _pad_to(Gather.apply(grad, self.dim, self.index), self.src_shape)
        return (grad if n[0] else None), gsrc, None, None


def _pad_to(g, shape):
    """``g`` placed at the start of zeros of ``shape`` (the part of src an index covered)."""
    if g._data.shape == shape:
        return g
    return index_put_add(shape, tuple(slice(0, s) for s in g._data.shape), g)


def scatter_add(input, dim, index, src):
    """``input`` plus ``src`` added at ``index`` along ``dim`` (repeats accumulate)."""
    if not isinstance(src, Tensor):
        raise TypeError(
            f"scatter_add(): argument 'src' (position 3) must be Tensor, not {type(src).__name__}"
        )
    d, idx = _check_gather("scatter_add", input, dim, index, src, what="self")
    if src._data.dtype != input._data.dtype:
        raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
    return ScatterAdd.apply(input, src, d, idx)


class Scatter(Node):
    """d scatter(x, dim, idx, src) = grad zeroed at idx to x, gather(grad, dim, idx) to src"""

    def forward(self, x, src, dim, index):
        self.dim, self.index = dim, index
        self.src_shape = getattr(src, "shape", None)
        out = x.copy()
        if index.size:
            if out.ndim == 0:
                out[...] = src if not hasattr(src, "shape") else src.reshape(())
            else:
                part = src
                if hasattr(src, "shape"):
                    part = src[tuple(slice(0, s) for s in index.shape)]
                grids = list(self.xp.ogrid[tuple(slice(0, s) for s in index.shape)])
                grids[dim] = index
                out[tuple(grids)] = part
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gx = Scatter.apply(grad, 0.0, self.dim, self.index) if n[0] else None
        gsrc = None
        if n[1]:
            gsrc = _pad_to(Gather.apply(grad, self.dim, self.index), self.src_shape)
        return gx, gsrc, None, None

    def name(self):
        return "ScatterBackward0" if self.src_shape is not None else "ScatterBackward1"


def scatter(input, dim, index, src=None, value=None, *, reduce=None):
    """``input`` with ``src`` (a tensor, or a number ``value``) written at ``index`` along ``dim``.

    ``reduce="add"``/``"multiply"`` are not supported (use ``scatter_add``).
    """
    if reduce is not None:
        if reduce == "add" and isinstance(src, Tensor):
            return scatter_add(input, dim, index, src)
        raise NotImplementedError("Ember's scatter supports reduce=None only; use scatter_add.")
    if src is None:
        src = value
    if isinstance(src, Tensor):
        d, idx = _check_gather("scatter", input, dim, index, src, what="self")
        if src._data.dtype != input._data.dtype:
            raise RuntimeError("scatter(): Expected self.dtype to be equal to src.dtype")
        return Scatter.apply(input, src, d, idx)
    d, idx = _check_gather("scatter", input, dim, index, what="self")
    return Scatter.apply(input, src, d, idx)


# ----- index_select / index_add / index_fill / index_copy --------------------------------
def _check_vector_index(op, input, dim, index, dtypes_msg):
    idx = index._data if isinstance(index, Tensor) else _np.asarray(index)
    if idx.dtype.kind not in "iu":
        raise RuntimeError(dtypes_msg)
    if idx.ndim > 1:
        raise IndexError(f"{op}(): Index is supposed to be a vector")
    d = _wrap_dim(dim, input._data.ndim)
    return d, idx.reshape(-1)


class IndexSelect(Node):
    """d index_select(x, dim, idx) = index_add(zeros_like(x), dim, idx, grad)"""

    def forward(self, x, dim, index):
        self.dim, self.index, self.in_shape = dim, index, x.shape
        if x.ndim == 0:
            return x.reshape(1)[index].reshape(())
        return self.xp.take(x, index, axis=dim)

    def backward(self, grad):
        zeros = Tensor._make(self.xp.zeros(self.in_shape, dtype=grad._data.dtype))
        return IndexAdd.apply(zeros, grad, self.dim, self.index, 1), None, None


def index_select(input, dim, index):
    """The entries of ``input`` at positions ``index`` (a vector) along ``dim``."""
    d, idx = _check_vector_index(
        "index_select", input, dim, index, "index_select(): Expected dtype int32 or int64 for index"
    )
    x = input._data
    if x.ndim == 0 and idx.size != 1:
        raise RuntimeError(
            f"index_select(): Index to scalar can have only 1 value, got {idx.size} value(s)"
        )
    n = x.shape[d] if x.ndim else 1
    bad = _oob(idx, n)
    if bad is not None:
        raise RuntimeError(f"INDICES element is out of DATA bounds, id={bad} axis_dim={n}")
    return IndexSelect.apply(input, d, idx)


def _rows(arr, dim):
    """``arr`` with ``dim`` moved first (a view), 0-d arrays as one row."""
    return arr.reshape(1) if arr.ndim == 0 else _np.moveaxis(arr, dim, 0)


class IndexAdd(Node):
    """d index_add(x, dim, idx, src, alpha) = grad to x, alpha*index_select(grad) to src"""

    upcast_float16 = False  # PyTorch rounds alpha*src to float16 first

    def forward(self, x, src, dim, index, alpha):
        self.dim, self.index, self.alpha = dim, index, alpha
        out = x.copy()
        s = _rows(src, dim)
        add_rows(_rows(out, dim), index, s if alpha == 1 else s * alpha)
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gsrc = None
        if n[1]:
            gsrc = IndexSelect.apply(grad, self.dim, self.index)
            if self.alpha != 1:
                gsrc = gsrc * self.alpha
        return (grad if n[0] else None), gsrc, None, None, None


def _check_source(op, input, d, idx, source):
    x, s = input._data, source._data
    ns = s.shape[d] if s.ndim else 1
    if idx.size != ns:
        return RuntimeError(
            f"{op}(): Number of indices ({idx.size}) should be equal to source.size(dim): "
            f"({ns}), for dim: {d}"
        )
    if (
        x.ndim != s.ndim
        and (x.ndim > 1 or s.ndim > 1)
        or any(a != b for k, (a, b) in enumerate(zip(x.shape, s.shape)) if k != d)
    ):
        return RuntimeError(
            "source tensor shape must match self tensor shape, excluding the specified "
            f"dimension. Got self.shape = {list(x.shape)} source.shape = {list(s.shape)}"
        )
    return None


def index_add(input, dim, index, source, *, alpha=1):
    """``input`` with ``alpha * source`` added at positions ``index`` along ``dim``."""
    idx = index._data
    if idx.dtype.kind not in "iu":
        raise RuntimeError(
            f"index_add_(): Expected dtype int32/int64 for index but got: {_dtype_word(idx.dtype)}"
        )
    if idx.ndim > 1:
        raise IndexError(
            f"index_add_(): Index is supposed to be a vector, but got dim: {idx.ndim} with type: "
            f"{_dtype_word(idx.dtype)} and size: {list(idx.shape)}"
        )
    d = _wrap_dim(dim, input._data.ndim)
    idx = idx.reshape(-1)
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            f"index_add_(): self ({_dtype_word(input._data.dtype)}) and source "
            f"({_dtype_word(source._data.dtype)}) must have the same scalar type"
        )
    err = _check_source("index_add_", input, d, idx, source)
    if err is not None:
        raise err
    n = input._data.shape[d] if input._data.ndim else 1
    bad = _oob(idx, n)
    if bad is not None:
        raise RuntimeError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    return IndexAdd.apply(input, source, d, idx, alpha)


class IndexFill(Node):
    """d index_fill(x, dim, idx, v) = grad zeroed at idx to x, the sum of grad there to v"""

    def forward(self, x, value, dim, index):
        self.dim, self.index = dim, index
        self.tensor_value = hasattr(value, "shape")
        out = x.copy()
        _rows(out, dim)[index] = value
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        filled = IndexFill.apply(grad, 0.0, self.dim, self.index)
        gv = (grad - filled).sum() if n[1] else None
        return (filled if n[0] else None), gv, None, None

    def name(self):
        return "IndexFillBackward1" if self.tensor_value else "IndexFillBackward0"


def _check_value(op, value):
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError(
            f"{op} only supports a 0-dimensional value tensor, but got tensor with "
            f"{value._data.ndim} dimension(s)."
        )


def index_fill(input, dim, index, value):
    """``input`` with ``value`` written at positions ``index`` along ``dim``."""
    idx = index._data
    if idx.dtype != _np.int64:
        raise IndexError("index_fill_(): Expected dtype int64 for index.")
    if idx.ndim > 1:
        raise RuntimeError("Index has to be a vector/scalar")
    _check_value("index_fill_", value)
    d = _wrap_dim(dim, input._data.ndim)
    idx = idx.reshape(-1)
    n = input._data.shape[d] if input._data.ndim else 1
    bad = _oob(_wrap(idx, n), n)
    if bad is not None:
        bad = int(idx.reshape(-1)[_np.flatnonzero((idx < -n) | (idx >= n))[0]])
        raise IndexError(f"index {bad} is out of bounds for dimension {d} with size {n}")
    if isinstance(value, Tensor) and value._data.dtype != input._data.dtype:
        value = value.to(input.dtype)
    return IndexFill.apply(input, value, d, _wrap(idx, n))


class IndexCopy(Node):
    """d index_copy(x, dim, idx, src) = grad zeroed at idx to x, index_select(grad) to src"""

    def forward(self, x, src, dim, index):
        self.dim, self.index = dim, index
        out = x.copy()
        _rows(out, dim)[index] = _rows(src, dim)
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gx = IndexFill.apply(grad, 0.0, self.dim, self.index) if n[0] else None
        gs = IndexSelect.apply(grad, self.dim, self.index) if n[1] else None
        return gx, gs, None, None


def index_copy(input, dim, index, source):
    """``input`` with the slices of ``source`` copied to positions ``index`` along ``dim``."""
    idx = index._data
    if idx.ndim > 1:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {idx.ndim})")
    if idx.dtype != _np.int64:
        raise RuntimeError("index_copy_(): Expected a long tensor for index")
    d = _wrap_dim(dim, input._data.ndim)
    idx = idx.reshape(-1)
    ns = source._data.shape[d] if source._data.ndim else 1
    if idx.size != ns:
        raise IndexError(
            f"index_copy_(): Number of indices ({idx.size}) should be equal to source.size(dim) "
            f"({ns})"
        )
    err = _check_source("index_copy_", input, d, idx, source)
    if err is not None:
        raise err
    n = input._data.shape[d] if input._data.ndim else 1
    bad = _oob(idx, n)
    if bad is not None:
        raise IndexError(
            f"index_copy_(): index {bad} is out of bounds for dimension {d} with size {n}"
        )
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "index_copy_(): self and source expected to have the same dtype, but got (self) "
            f"{input.dtype} and (source) {source.dtype}"
        )
    return IndexCopy.apply(input, source, d, idx)


# ----- masked ops -----------------------------------------------------------------------
_C_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
}


def _check_mask(op, mask, style="c"):
    m = mask._data if isinstance(mask, Tensor) else _np.asarray(mask)
    if m.dtype != bool:
        word = _C_NAMES.get(m.dtype.name, m.dtype.name) if style == "c" else _dtype_word(m.dtype)
        raise RuntimeError(f"{op} only supports boolean masks, but got mask with dtype {word}")
    return m


def _broadcast(xp, input, mask):
    try:
        return xp.broadcast_shapes(input._data.shape, mask.shape)
    except ValueError:
        from ._binary import broadcast_error

        raise broadcast_error(Tensor._make(mask), input) from None


class MaskedFill(Node):
    """d masked_fill(x, m, v) = grad zeroed where m to x, the sum of grad where m to v"""

    def forward(self, x, value, mask):
        self.mask = mask
        self.tensor_value = hasattr(value, "shape")
        v = self.xp.asarray(value, dtype=x.dtype)
        return self.xp.where(mask, v, x)

    def backward(self, grad):
        n = self.needs_input_grad
        gx = MaskedFill.apply(grad, 0.0, self.mask) if n[0] else None
        gv = None
        if n[1]:
            gv = MaskedFill.apply(grad, 0.0, ~self.mask).sum()
        return gx, gv, None

    def name(self):
        return "MaskedFillBackward1" if self.tensor_value else "MaskedFillBackward0"


def masked_fill(input, mask, value):
    """``input`` with ``value`` (a number or 0-d tensor) where ``mask`` is True (broadcast)."""
    m = _check_mask("masked_fill_", mask)
    _check_value("masked_fill_", value)
    _broadcast(_np, input, m)
    if isinstance(value, Tensor) and not value._requires_grad:
        value = value._data
    return MaskedFill.apply(input, value, m)


class MaskedSelect(Node):
    """d masked_select(x, m) = zeros with grad put where m (broadcast back by the engine)"""

    def forward(self, x, mask):
        shape = self.xp.broadcast_shapes(x.shape, mask.shape)
        self.mask = self.xp.broadcast_to(mask, shape)
        return self.xp.broadcast_to(x, shape)[self.mask]

    def backward(self, grad):
        return index_put_add(self.mask.shape, self.mask, grad), None


def masked_select(input, mask):
    """The elements of ``input`` where ``mask`` is True, as a 1-D tensor (broadcast)."""
    m = mask._data if isinstance(mask, Tensor) else _np.asarray(mask)
    if m.dtype != bool:
        raise RuntimeError("masked_select: expected BoolTensor for mask")
    _broadcast(_np, input, m)
    return MaskedSelect.apply(input, m)


class MaskedScatter(Node):
    """d masked_scatter(x, m, s) = grad zeroed where m to x, grad[m] to s's first elements"""

    def forward(self, x, src, mask):
        xp = self.xp
        shape = xp.broadcast_shapes(x.shape, mask.shape)
        self.mask = xp.broadcast_to(mask, shape)
        self.src_shape = src.shape
        out = xp.broadcast_to(x, shape).copy()
        k = int(self.mask.sum())
        out[self.mask] = src.reshape(-1)[:k]
        self.k = k
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gx = MaskedFill.apply(grad, 0.0, self.mask) if n[0] else None
        gs = None
        if n[1]:
            picked = GetItem.apply(grad, self.mask, False)
            size = 1
            for s in self.src_shape:
                size *= s
            gs = index_put_add((size,), slice(0, self.k), picked).reshape(self.src_shape)
        return gx, gs, None


def masked_scatter(input, mask, source):
    """``input`` with the leading elements of ``source`` written where ``mask`` is True."""
    m = _check_mask("masked_scatter_", mask, style="torch")
    if source._data.dtype != input._data.dtype:
        raise RuntimeError(
            "masked_scatter: expected self and source to have same dtypes but got"
            f"{_dtype_word(input._data.dtype)} and {_dtype_word(source._data.dtype)}"
        )
    _broadcast(_np, input, m)
    k = int(_np.broadcast_to(m, _np.broadcast_shapes(input._data.shape, m.shape)).sum())
    if source._data.size < k:
        raise RuntimeError("Number of elements of source < number of ones in mask")
    return MaskedScatter.apply(input, source, m)


# ----- take / take_along_dim / nonzero --------------------------------------------------
def take(input, index):
    """``input`` treated as 1-D, read at ``index``; the result has ``index``'s shape."""
    idx = index._data
    if idx.dtype != _np.int64:
        raise RuntimeError(
            f"take(): Expected a long tensor for index, but got {_dtype_word(idx.dtype)}"
        )
    n = input._data.size
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        v = int(idx.reshape(-1)[_np.flatnonzero(bad.reshape(-1))[0]])
        raise IndexError(f"out of range: tried to access index {v} on a tensor of {n} elements.")
    return GetItem.apply(input.reshape(-1), idx, False)


def take_along_dim(input, indices, dim=None):
    """Values of ``input`` at ``indices`` along ``dim`` (broadcasting the other dims)."""
    idx = indices._data
    if idx.dtype != _np.int64:
        raise RuntimeError(
            "torch.take_along_dim(): dtype of indices should be Long but got "
            f"{_dtype_word(idx.dtype)}"
        )
    if dim is None:
        flat = input.reshape(-1)
        i = idx.reshape(-1)
        return Gather.apply(flat, 0, _checked_wrap(i, flat._data.shape[0], 0))
    x = input._data
    if x.ndim != idx.ndim:
        raise RuntimeError(
            "torch.take_along_dim(): input and indices should have the same number of "
            f"dimensions, but got {x.ndim} dimensions for input, and {idx.ndim} dimensions for "
            "indices"
        )
    d = _wrap_dim(dim, x.ndim)
    xs, ishape = list(x.shape), list(idx.shape)
    xs[d] = ishape[d] = 1
    b = list(_np.broadcast_shapes(tuple(xs), tuple(ishape)))
    bx, bi = list(b), list(b)
    bx[d], bi[d] = x.shape[d], idx.shape[d]
    from .movement import expand

    src = expand(input, tuple(bx)) if tuple(bx) != x.shape else input
    i = _np.broadcast_to(idx, tuple(bi))
    return Gather.apply(src, d, _checked_wrap(i, x.shape[d], d))


def _checked_wrap(idx, n, d):
    bad = (idx < -n) | (idx >= n)
    if bad.any():
        v = int(idx.reshape(-1)[_np.flatnonzero(bad.reshape(-1))[0]])
        raise RuntimeError(f"index {v} is out of bounds for dimension {d} with size {n}")
    return _wrap(idx, n)


def nonzero(input, *, out=None, as_tuple=False):
    """Indices of the non-zero elements: an ``(n, ndim)`` int64 tensor, or one per dim."""
    x = input._data
    xp = xp_of(x)
    if as_tuple:
        return tuple(Tensor._make(i.astype(xp.int64)) for i in xp.nonzero(xp.atleast_1d(x)))
    return Tensor._make(xp.argwhere(x).astype(xp.int64, copy=False))


def argwhere(input):
    """``nonzero(input)``: an ``(n, ndim)`` tensor of the indices of non-zero elements."""
    return nonzero(input)


METHODS = {
    "gather": "gather",
    "scatter": "scatter",
    "scatter_add": "scatter_add",
    "index_select": "index_select",
    "index_add": "index_add",
    "index_fill": "index_fill",
    "index_copy": "index_copy",
    "index_put": "index_put",
    "masked_fill": "masked_fill",
    "masked_select": "masked_select",
    "masked_scatter": "masked_scatter",
    "take": "take",
    "take_along_dim": "take_along_dim",
    "nonzero": "nonzero",
    "argwhere": "argwhere",
}

__all__ = list(METHODS) + ["getitem", "setitem"]


def _idx(values):
    return lambda rng, shapes: (_np.array(values, dtype=_np.int64),)


register(
    OpSpec("getitem_basic", lambda t, a: a[1:, None, ..., ::2], [((3, 4, 5),)], shapes=None),
    OpSpec("getitem_int", lambda t, a: a[1], [((3, 4),)], shapes=None),
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
        extra=_idx([3, 0, 0, -1]),
    ),
    OpSpec("getitem_mask", lambda t, a: a[a > 0] * 2, [((3, 4),), ((0, 3),), ((),)], shapes=None),
    OpSpec("getitem_mask_dim", lambda t, a: a[:, a[0] > 0], [((3, 4),)], shapes=None),
    OpSpec(
        "gather",
        lambda t, a, i: t.gather(a, 1, i),
        [((3, 4),)],
        shapes=None,
        extra=_idx([[0, 3, 3], [1, 1, 1]]),
    ),
    OpSpec(
        "gather_dim0",
        lambda t, a, i: a.gather(0, i),
        [((3, 4),)],
        shapes=None,
        extra=_idx([[2, 0, 2, 2], [0, 0, 1, 2]]),
    ),
    OpSpec(
        "scatter",
        lambda t, a, b, i: a.scatter(1, i, b),
        [((3, 4), (2, 3))],
        shapes=None,
        extra=_idx([[0, 3, 1], [2, 1, 0]]),
    ),
    OpSpec(
        "scatter_value",
        lambda t, a, i: t.scatter(a, 0, i, value=1.5),
        [((3, 4),)],
        shapes=None,
        extra=_idx([[0, 2, 1, 1]]),
    ),
    OpSpec(
        "scatter_add",
        lambda t, a, b, i: a.scatter_add(1, i, b),
        [((3, 4), (2, 3))],
        shapes=None,
        extra=_idx([[0, 3, 3], [2, 2, 2]]),
    ),
    OpSpec(
        "index_select",
        lambda t, a, i: a.index_select(-1, i),
        [((3, 4),), ((2, 3, 4),)],
        shapes=None,
        extra=_idx([3, 0, 3, -0]),
    ),
    OpSpec(
        "index_add",
        lambda t, a, b, i: a.index_add(0, i, b, alpha=2.0),
        [((3, 4), (4, 4))],
        shapes=None,
        extra=_idx([2, 0, 2, 2]),
    ),
    OpSpec(
        "index_fill",
        lambda t, a, v, i: a.index_fill(1, i, v.sum()),
        [((3, 4), (2,))],
        shapes=None,
        extra=_idx([3, 1, 0, 3]),
    ),
    OpSpec(
        "index_copy",
        lambda t, a, b, i: a.index_copy(1, i, b),
        [((3, 4), (3, 2))],
        shapes=None,
        extra=_idx([3, 0]),
    ),
    OpSpec(
        "masked_fill",
        lambda t, a, b: a.masked_fill(b > 0, 2.5),
        [((3, 4), (3, 4)), ((3, 4), (4,)), ((), ()), ((0, 3), (3,))],
        shapes="broadcast2",
        grad=(True, False),
    ),
    OpSpec(
        "masked_fill_tensor",
        lambda t, a, b, v: a.masked_fill(b > 0, v),
        [((3, 4), (4,), ())],
        shapes=None,
        grad=(True, False, True),
    ),
    OpSpec(
        "masked_select",
        lambda t, a, b: t.masked_select(a, b > 0),
        [((3, 4), (3, 4)), ((3, 1), (4,)), ((), ())],
        shapes="broadcast2",
        grad=(True, False),
    ),
    OpSpec(
        "masked_scatter",
        lambda t, a, b, s: a.masked_scatter(b > 0, s),
        [((3, 4), (4,), (3, 5))],
        shapes=None,
        grad=(True, False, True),
    ),
    OpSpec(
        "take", lambda t, a, i: t.take(a, i), [((3, 4),)], shapes=None, extra=_idx([[0, 11, -1]])
    ),
    OpSpec(
        "take_along_dim",
        lambda t, a, i: t.take_along_dim(a, i, 1),
        [((3, 4),)],
        shapes=None,
        extra=_idx([[0, 3], [1, 1], [2, 0]]),
    ),
    OpSpec(
        "take_along_dim_bcast",
        lambda t, a, i: t.take_along_dim(a, i, dim=-1),
        [((3, 4),)],
        shapes=None,
        extra=_idx([[0, 3, 3]]),
    ),
)
