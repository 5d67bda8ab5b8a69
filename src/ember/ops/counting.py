"""Counting and locating values: bincount, histc, isin, bucketize, searchsorted.

None has a gradient: their outputs are counts, indices or booleans (``bincount`` with
weights that require grad records PyTorch's not-implemented node).
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from . import _out
from ._binary import not_implemented, type_word
from ._spec import OpSpec
from .clamp import tensor_arg
from .elementwise import NotDifferentiable
from .registry import LOOP, op, public_names

_INDEX = _np.dtype("int64")


class NoGrad(Node):
    """Base of the ops here whose outputs carry no gradient."""

    def differentiable_outputs(self, n):
        return (False,) * n


def _counting_spec(name, fn, samples, **kw):
    return OpSpec(name, fn, samples, shapes=None, fd=False, second_order=False, **kw)


# ----- bincount ---------------------------------------------------------------------------
class Bincount(NotDifferentiable):
    """Occurrences of each value (weighted sums with ``weights``): no derivative"""

    aten = "bincount"
    upcast_float16 = False  # float16 weights are summed in float64, as PyTorch does

    def forward(self, x, weights, minlength):
        xp = self.xp
        n = max(int(x.max()) + 1 if x.size else 0, minlength)
        if weights is None or x.size == 0:  # PyTorch counts an empty input as int64
            return xp.bincount(x, minlength=n).astype(_INDEX)
        out_dtype = weights.dtype if weights.dtype in (_np.float32, _np.float64) else _np.float64
        return xp.bincount(x, weights=weights.astype(_np.float64), minlength=n).astype(out_dtype)


def _bincount_sample(rng, shapes):
    return (rng.integers(0, 5, size=shapes[0]),)


@op(
    Bincount,
    methods="bincount",
    grad_fn="torch::autograd::NotImplemented",
    vmap=LOOP,
    spec=(
        _counting_spec(
            "bincount_weights",
            lambda t, w, i: t.bincount(i, w, minlength=7),
            [((6,),), ((0,),)],
            extra=_bincount_sample,
            grad=(False,),
        ),
        _counting_spec("bincount", lambda t, w, i: i.bincount(), [((6,),)], extra=_bincount_sample),
    ),
)
def bincount(input, weights=None, minlength=0):
    """How often each value ``0..max(input)`` occurs in the 1-d non-negative integer ``input``
    (summing ``weights`` instead of ones when given)."""
    tensor_arg("bincount", input, "input", 1)
    data = input._data
    if data.dtype.kind not in "iu":
        raise not_implemented("bincount_cpu", input)
    if data.ndim != 1 or (data.size and data.min() < 0):
        raise RuntimeError("bincount only supports 1-d non-negative integral inputs.")
    if minlength < 0:
        raise RuntimeError("minlength should be >= 0")
    if weights is not None and (weights._data.ndim != 1 or weights._data.shape != data.shape):
        raise RuntimeError("weights should be 1-d and have the same length as input")
    return Bincount.apply(input, weights, int(minlength))


# ----- histc ------------------------------------------------------------------------------
class Histc(NoGrad):
    """A histogram of ``bins`` equal bins over ``[lo, hi]`` (values outside are left out)"""

    def forward(self, x, bins, lo, hi):
        xp = self.xp
        flat = x.reshape(-1).astype(_np.float64)
        keep = (flat >= lo) & (flat <= hi)
        pos = ((flat[keep] - lo) * (bins / (hi - lo))).astype(_INDEX)
        pos = xp.minimum(pos, bins - 1)  # the top edge belongs to the last bin
        return xp.bincount(pos, minlength=bins).astype(x.dtype)


@op(
    Histc,
    methods="histc",
    vmap=LOOP,
    spec=(
        _counting_spec("histc", lambda t, a: t.histc(a, bins=5), [((20,),), ((3, 4),), ((0,),)]),
        _counting_spec("histc_range", lambda t, a: a.histc(4, -1, 1), [((30,),)]),
    ),
)
def histc(input, bins=100, min=0, max=0, *, out=None):  # noqa: A002 - PyTorch's names
    """A histogram of ``input`` with ``bins`` equal bins between ``min`` and ``max`` (the
    data's own range when both are 0)."""
    tensor_arg("histc", input, "input", 1)
    data = input._data
    if data.dtype.kind != "f":
        raise not_implemented("histogram_cpu", input)
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    lo, hi = float(min), float(max)
    if lo > hi:
        raise RuntimeError("torch.histc: max must be larger than min")
    if lo == hi and data.size:
        lo, hi = float(data.min()), float(data.max())
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    if not (_np.isfinite(lo) and _np.isfinite(hi)):
        raise RuntimeError(f"torch.histc: range of [{_c_float(lo)}, {_c_float(hi)}] is not finite")
    result = Histc.apply(input, int(bins), lo, hi)
    if out is None:
        return result
    _out.check_out_tensors("histc", out, 1)
    return _out.write(out, result)


def _c_float(v):
    """A float as C++ prints it (``-nan``, ``inf``, ``1``)."""
    if v != v:
        return "-nan"
    return f"{v:g}"


# ----- isin -------------------------------------------------------------------------------
class Isin(NoGrad):
    """Whether each element occurs among the test elements"""

    def forward(self, elements, test, invert):
        return self.xp.isin(elements, test, invert=invert)


def _as_tensor_operand(x, like):
    return Tensor._make(_np.asarray(x, dtype=_dt.result_type(like, x).np))


@op(
    Isin,
    vmap=LOOP,
    spec=_counting_spec(
        "isin", lambda t, a, b: t.isin(a.round(), b.round()), [((3, 4), (5,)), ((), (0,))]
    ),
)
def isin(elements, test_elements, *, assume_unique=False, invert=False, out=None):
    """True where an element of ``elements`` is among ``test_elements``."""
    ea, ta = isinstance(elements, Tensor), isinstance(test_elements, Tensor)
    if not ea and not ta:
        raise TypeError(
            "isin() received an invalid combination of arguments - got "
            f"({type(elements).__name__}, {type(test_elements).__name__}), but expected one "
            "of:\n * (Tensor elements, Tensor test_elements, *, bool assume_unique = False, "
            "bool invert = False, Tensor out = None)\n * (Number element, Tensor test_elements, "
            "*, bool assume_unique = False, bool invert = False, Tensor out = None)\n * (Tensor "
            "elements, Number test_element, *, bool assume_unique = False, bool invert = False, "
            "Tensor out = None)\n"
        )
    if not ea:
        elements = _as_tensor_operand(elements, test_elements)
    if not ta:
        test_elements = _as_tensor_operand(test_elements, elements)
    for t in (elements, test_elements):
        if t._data.dtype.kind in "bc":
            raise RuntimeError(f"Unsupported input type encountered for isin(): {type_word(t)}")
    result = Isin.apply(elements, test_elements, bool(invert))
    if out is None:
        return result
    _out.check_out_tensors("isin", out, 1)
    return _out.write(out, result)


# ----- searchsorted / bucketize ------------------------------------------------------------
class Searchsorted(NoGrad):
    """Where each value would be inserted into the sorted innermost rows of ``sorted``"""

    def forward(self, seq, values, right, index_dtype, sorter):
        xp = self.xp
        side = "right" if right else "left"
        if sorter is not None:
            seq = xp.take_along_axis(seq, sorter, -1)
        if seq.ndim == 1:
            return xp.searchsorted(seq, values, side=side).astype(index_dtype)
        rows = seq.reshape(-1, seq.shape[-1])
        vals = values.reshape(rows.shape[0], -1)
        out = xp.empty(vals.shape, dtype=index_dtype)
        for r in range(rows.shape[0]):
            out[r] = xp.searchsorted(rows[r], vals[r], side=side)
        return out.reshape(values.shape)


def _searchsorted_spec(name, fn, samples):
    return _counting_spec(name, fn, samples, domain=(-3.0, 3.0))


def _check_out_index(out, out_int32):
    if out is None:
        return
    _out.check_out_tensors("searchsorted", out, 1)
    want = _np.dtype("int32") if out_int32 else _INDEX
    if out._data.dtype != want:
        raise RuntimeError(
            "torch.searchsorted(): output tensor's dtype is wrong, it can only be Int(int32) or "
            "Long(int64) depending on whether out_int32 flag is True, but we got output "
            f"tensor's dtype {type_word(out)} and out_int32 flag is {out_int32}"
        )


@op(
    Searchsorted,
    vmap=LOOP,
    spec=(
        _searchsorted_spec(
            "searchsorted",
            lambda t, s, v: t.searchsorted(s.sort().values, v),
            [((6,), (3, 4)), ((2, 5), (2, 3)), ((4,), ())],
        ),
        _searchsorted_spec(
            "searchsorted_right",
            lambda t, s, v: t.searchsorted(s.round().sort().values, v.round(), side="right"),
            [((6,), (3, 4))],
        ),
    ),
)
def searchsorted(
    sorted_sequence, input, *, out_int32=False, right=False, side=None, sorter=None, out=None
):
    """The indices at which ``input``'s values would be inserted into ``sorted_sequence``
    (along its last dimension) to keep it sorted."""
    tensor_arg("searchsorted", sorted_sequence, "sorted_sequence", 1)
    if side is not None:
        if side not in ("left", "right"):
            raise RuntimeError(
                f"torch.searchsorted(): side can only be 'left' or 'right' but got {side}"
            )
        right = side == "right"
    seq = sorted_sequence._data
    if seq.ndim == 0:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should have positive dimension, but got 0 "
            "dimension"
        )
    if not isinstance(input, Tensor):
        input = Tensor._make(_np.asarray(input, dtype=seq.dtype))
    vals = input._data
    if seq.ndim > 1 and seq.shape[:-1] != vals.shape[:-1]:
        raise RuntimeError(
            "torch.searchsorted(): boundaries tensor should be 1 dimension or the first N-1 "
            "dimensions of boundaries tensor and input value tensor must match, but we got "
            f"boundaries tensor {list(seq.shape)} and input value tensor {list(vals.shape)}"
        )
    _check_out_index(out, out_int32)
    index_dtype = _np.dtype("int32") if out_int32 else _INDEX
    order = sorter._data if sorter is not None else None
    result = Searchsorted.apply(sorted_sequence, input, bool(right), index_dtype, order)
    return result if out is None else _out.write(out, result)


@op(
    None,
    spec=_searchsorted_spec(
        "bucketize",
        lambda t, v, b: t.bucketize(v, b.sort().values, right=True),
        [((3, 4), (5,)), ((), (3,))],
    ),
)
def bucketize(input, boundaries, *, out_int32=False, right=False, out=None):
    """The index of the bucket of each element of ``input`` among the sorted 1-d
    ``boundaries``."""
    tensor_arg("bucketize", boundaries, "boundaries", 2)
    if boundaries._data.ndim != 1:
        raise RuntimeError(
            f"boundaries tensor must be 1 dimension, but got dim({boundaries._data.ndim})"
        )
    return searchsorted(boundaries, input, out_int32=out_int32, right=right, out=out)


__all__ = public_names(__name__)
