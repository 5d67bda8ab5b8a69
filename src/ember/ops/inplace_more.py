"""More in-place forms and their out-of-place partners: ``cumsum_``, ``cumprod_``,
``tril_``, ``triu_``, ``fill_diagonal_``, ``put``/``put_``, and the in-place spellings of
the comparison aliases (``greater_``, ``less_equal_``, ``not_equal_``, ...).

The in-place forms of ops declared in other families (``cumsum``, ``tril``, ``gt``) are
declared here, with ``declare(None, fn, methods=...)``, next to the ones that are new."""

from __future__ import annotations

from ..autograd.node import Node
from ..dtypes import scalar_type_name
from ..tensor_base import TensorBase as Tensor
from ._spec import OpSpec
from .cumulative import cumprod, cumsum
from .diagonals import tril, triu
from .inplace import declared, inplace
from .linalg import ctype_name, require_tensor
from .registry import LOOP, declare, op, public_names


# ----- cumsum_ / cumprod_ / tril_ / triu_ -------------------------------------------------
def _cumulative_inplace(fn, name):
    def method(self, dim, *, dtype=None):
        if dtype is not None and dtype != self.dtype:
            from ..dtypes import as_dtype

            want = Tensor._make(self._data[:0].astype(as_dtype(dtype).np))
            raise RuntimeError(
                f"Bad in-place call: input tensor dtype {ctype_name(self)} and output tensor "
                f"dtype {ctype_name(want)} should match"
            )
        if self._data.dtype.kind == "b":
            raise NotImplementedError(
                f"\"{fn.__name__}_out_cpu\" not implemented for '{scalar_type_name(self)}'"
            )
        return inplace(self, fn, dim, dtype=dtype)

    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"In-place version of ``{fn.__name__}``."
    return method


cumsum_ = _cumulative_inplace(cumsum, "cumsum_")
cumprod_ = _cumulative_inplace(cumprod, "cumprod_")


def tril_(self, diagonal=0):
    """In-place version of ``tril``."""
    return inplace(self, tril, diagonal)


def triu_(self, diagonal=0):
    """In-place version of ``triu``."""
    return inplace(self, triu, diagonal)


_SQ = [((3, 4),), ((2, 3, 3),)]
declare(None, cumsum_, methods="cumsum_", public=False,
        spec=OpSpec("cumsum_", lambda t, a: (a * 1).cumsum_(-1), _SQ, shapes=None))  # fmt: skip
declare(None, cumprod_, methods="cumprod_", public=False,
        spec=OpSpec("cumprod_", lambda t, a: (a * 1).cumprod_(0), _SQ, shapes=None))  # fmt: skip
declare(None, tril_, methods="tril_", public=False,
        spec=OpSpec("tril_", lambda t, a: (a * 1).tril_(-1), _SQ, shapes=None))  # fmt: skip
declare(None, triu_, methods="triu_", public=False,
        spec=OpSpec("triu_", lambda t, a: (a * 1).triu_(1), _SQ, shapes=None))  # fmt: skip


# ----- fill_diagonal_ ---------------------------------------------------------------------
def fill_diagonal_(self, fill_value, wrap=False):
    """Fill the main diagonal (all dimensions equal, or a 2-D matrix) with ``fill_value``;
    ``wrap`` restarts it below a tall matrix's square every ``columns + 1`` rows."""
    shape = self._data.shape
    if len(shape) < 2:
        raise RuntimeError("dimensions must larger than 1")
    if len(shape) > 2 and any(s != shape[0] for s in shape):
        raise RuntimeError("all dimensions of input must be of equal length")
    rows, cols = shape[0], shape[1]
    step = sum(self.stride())
    start = self.storage_offset()
    n = min(rows, cols)
    # The diagonal is a strided view of self's memory: the write goes through it, and
    # autograd sees a write through a view (PyTorch's CopySlices), as in PyTorch.
    self.as_strided((n,), (step,), start).fill_(fill_value)
    if wrap and len(shape) == 2 and rows > cols + 1:
        more = (self._data.size + cols) // (cols + 1) - n
        offset = start + self.stride(0) * (cols + 1)
        self.as_strided((more,), (step,), offset).fill_(fill_value)
    return self


declare(
    None,
    fill_diagonal_,
    methods="fill_diagonal_",
    public=False,
    spec=OpSpec(
        "fill_diagonal_",
        lambda t, a: (a * 1).fill_diagonal_(2.0, wrap=True),
        [((3, 3),), ((7, 3),), ((2, 4),), ((2, 2, 2),)],
        shapes=None,
        second_order=False,  # a write through a view: its backward is first order only
    ),
)


# ----- put / put_ -------------------------------------------------------------------------
class Put(Node):
    """d put: grad at the written positions to source (read back), the rest to input (all
    of it when accumulating)"""

    def forward(self, x, source, index, accumulate):
        xp = self.xp
        out = x.copy()
        flat = out.reshape(-1)
        if accumulate:
            xp.add.at(flat, index, source.reshape(-1))
        else:
            flat[index] = source.reshape(-1)
        self.index, self.accumulate, self.src_shape = index, accumulate, source.shape
        return out

    def backward(self, grad):
        n = self.needs_input_grad
        gx = gs = None
        if n[0]:
            gx = grad
            if not self.accumulate:
                zeros = grad.new_zeros(self.src_shape)
                gx = Put.apply(grad, zeros, self.index, False)
        if n[1]:
            idx = Tensor._make(self.index)
            gs = grad.reshape(-1).index_select(0, idx).reshape(self.src_shape)
        return gx, gs, None, None


def _put_index(input, index, source):
    if index._data.dtype.name != "int64":
        raise RuntimeError(
            f"put_(): Expected a long tensor for index, but got {scalar_type_name(index)}"
        )
    if input._data.dtype != source._data.dtype:
        raise RuntimeError(
            "put_(): self and source expected to have the same dtype, but got self.dtype = "
            f"{scalar_type_name(input)} and source.dtype = {scalar_type_name(source)}"
        )
    if index._data.size != source._data.size:
        raise IndexError(
            "put_(): Expected source and index to have the same number of elements, but got "
            f"source.numel() = {source._data.size}, index.numel() = {index._data.size}"
        )
    numel = input._data.size
    idx = index._data.reshape(-1)
    if idx.size and numel == 0:
        raise IndexError("put_(): Tried to put elements into an empty tensor")
    if idx.size:
        bad = (idx < -numel) | (idx >= numel)
        if bad.any():
            i = int(idx[bad.argmax()])
            raise IndexError(
                f"out of range: tried to access index {i} on a tensor of {numel} elements."
            )
    return idx % max(numel, 1)


@op(
    Put,
    methods="put",
    vmap=LOOP,
    spec=(
        OpSpec(
            "put",
            lambda t, a, b, i: t.put(a, i, b),
            [((3, 4), (2, 2))],
            shapes=None,
            extra=lambda rng, shapes: (rng.permutation(12)[:4].reshape(2, 2) - 6,),
        ),
        OpSpec(
            "put_accumulate",
            lambda t, a, b, i: a.put(i, b, accumulate=True),
            [((3, 4), (5,))],
            shapes=None,
            extra=lambda rng, shapes: (rng.integers(-12, 12, 5),),
        ),
    ),
)
def put(input, index, source, accumulate=False):
    """A copy of ``input`` with ``source`` written (or, ``accumulate``, added) at ``index``,
    positions in ``input`` seen as flat."""
    require_tensor(input, "put", "input", 1)
    require_tensor(index, "put", "index", 2)
    require_tensor(source, "put", "source", 3)
    idx = _put_index(input, index, source)
    return Put.apply(input, source, idx, bool(accumulate))


def put_(self, index, source, accumulate=False):
    """In-place version of ``put``."""
    require_tensor(index, "put_", "index", 1)
    require_tensor(source, "put_", "source", 2)
    return inplace(self, put, index, source, accumulate)


declare(None, put_, methods="put_", public=False)


# ----- comparison aliases, in place -------------------------------------------------------
for _alias, _name in (
    ("greater_", "gt_"),
    ("greater_equal_", "ge_"),
    ("less_", "lt_"),
    ("less_equal_", "le_"),
    ("not_equal_", "ne_"),
):
    declare(None, declared(_name), methods=_alias, public=False)

__all__ = public_names(__name__)
