"""histogram and histogramdd: counts (or summed weights, or densities) of values in bins,
with the bins' edges.

Equal bins are PyTorch's: ``linspace`` over the data's range (or ``range``), widened by 0.5
on each side when the range is a single point, [0, 1] for no data.  A value belongs to the
bin whose left edge is the last one not above it; the last bin includes its right edge;
values outside the edges (and NaN) are left out.  As in PyTorch, the outputs record a node
whose derivative is not implemented.
"""

from __future__ import annotations

from ..backend import np as _np
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from . import _out
from ._binary import type_word
from ._spec import OpSpec
from .clamp import tensor_arg
from .counting import _c_float as _c_number
from .elementwise import NotDifferentiable
from .registry import LOOP, declare, op, public_names

_HISTOGRAM = return_type("histogram", "hist", "bin_edges")
_HISTOGRAM_OUT = return_type("histogram_out", "hist", "bin_edges")
_HISTOGRAMDD = return_type("histogramdd", "hist", "bin_edges")
_NAME = "torch.histogramdd"


class Histogram(NotDifferentiable):
    """(hist, edges...) of the rows of an (N, D) array: no derivative"""

    aten = "histogram"
    upcast_float16 = False

    def forward(self, x, weight, edges, density):
        xp = self.xp
        d = len(edges)
        rows = x.reshape(-1, d)
        keep = xp.ones(rows.shape[0], dtype=bool)
        index = []
        for j, e in enumerate(edges):
            col = rows[:, j]
            keep &= (col >= e[0]) & (col <= e[-1])
            pos = xp.searchsorted(e, col, side="right") - 1
            index.append(xp.clip(pos, 0, len(e) - 2))  # the top edge belongs to the last bin
        shape = tuple(len(e) - 1 for e in edges)
        flat = xp.ravel_multi_index(tuple(i[keep] for i in index), shape) if keep.any() else None
        w = None if weight is None else weight.reshape(-1)[keep].astype("float64")
        size = int(_np.prod(shape))
        if flat is None:
            hist = xp.zeros(size)
        else:
            hist = xp.bincount(flat, weights=w, minlength=size)
        hist = hist.astype(x.dtype).reshape(shape)
        if density:
            with _np.errstate(all="ignore"):
                hist = hist / hist.sum()
                for j, e in enumerate(edges):
                    widths = xp.diff(e).reshape((-1,) + (1,) * (d - 1 - j))
                    hist = hist / widths
        return (hist,) + tuple(e.copy() for e in edges)

    def backward(self, *grads):
        raise RuntimeError(f"derivative for aten::{self.aten} is not implemented")


class Histogramdd(Histogram):
    """(hist, edges...) of a D-dimensional histogram: no derivative"""

    aten = "_histogramdd_from_bin_cts"


def _spec(name, fn, samples):
    return OpSpec(name, fn, samples, shapes=None, fd=False, second_order=False, grad=(False,))


declare(
    Histogram,
    grad_fn="torch::autograd::NotImplemented",
    vmap=LOOP,
    spec=(
        _spec("histogram", lambda t, a: tuple(t.histogram(a, 5)), [((20,),), ((3, 4),)]),
        _spec(
            "histogram_density",
            lambda t, a: tuple(a.histogram(4, range=(-1.0, 1.0), density=True)),
            [((30,),)],
        ),
    ),
)
declare(
    Histogramdd,
    grad_fn="torch::autograd::NotImplemented",
    vmap=LOOP,
    spec=_spec(
        "histogramdd",
        lambda t, a: (t.histogramdd(a, bins=[3, 2]).hist,),
        [((10, 2),), ((0, 2),)],
    ),
)


def _c_float(v):
    """A float as PyTorch's message prints it (NaN without a sign)."""
    return "nan" if v != v else _c_number(v)


def _check_dtype(input, half=False):
    """PyTorch's error for a dtype its kernel lacks (half precision only fails where the
    data's own range has to be found)."""
    ok = ("float32", "float64") + (("float16", "bfloat16") if half else ())
    if input._data.dtype.name not in ok:
        raise NotImplementedError(f"\"histogramdd\" not implemented for '{type_word(input)}'")


def _dtype_word(t):
    return {"float32": "float", "float64": "double"}.get(t._data.dtype.name, type_word(t).lower())


def _edges(input, rows, bins, range):  # noqa: A002 - PyTorch's name
    """The bin edges of each of the ``rows.shape[1]`` dimensions (NumPy arrays)."""
    from ..creation import linspace

    d = rows.shape[1]
    if isinstance(bins, Tensor):
        bins = [bins]
    if isinstance(bins, int):
        bins = [bins] * d
    bins = list(bins)
    if len(bins) != d:
        raise RuntimeError(
            "histogramdd: The size of bins must be equal to the innermost dimension of the input."
        )
    if range is not None and len(range) != 2 * d:
        raise RuntimeError(
            f"{_NAME}: for a {d}-dimensional histogram range should have {2 * d} elements, "
            f"but got {len(range)}"
        )
    out = []
    for j, b in enumerate(bins):
        if isinstance(b, Tensor):
            if b._data.ndim != 1:
                raise RuntimeError(
                    f"{_NAME}: bins tensor should have one dimension, but got "
                    f"{b._data.ndim} dimensions in the bins tensor for dimension {j}"
                )
            if b._data.dtype != input._data.dtype:
                raise RuntimeError(
                    f"{_NAME}: input tensor and bins tensors should have the same dtype, but got "
                    f"input with dtype {_dtype_word(input)} and bins for dimension {j} with "
                    f"dtype {_dtype_word(b)}"
                )
            out.append(_np.array(b._data))
            continue
        if b <= 0:
            raise RuntimeError(
                f"torch.histogram(): bins must be > 0, but got {b} for dimension {j}"
            )
        if range is not None:
            lo, hi = float(range[2 * j]), float(range[2 * j + 1])
        elif rows.shape[0]:
            _check_dtype(input)
            lo, hi = float(rows[:, j].min()), float(rows[:, j].max())
        else:
            lo, hi = 0.0, 1.0
        if lo > hi:
            raise RuntimeError(
                f"{_NAME}: min should not exceed max, but got min {_c_float(lo)} max "
                f"{_c_float(hi)} for dimension {j}"
            )
        if not (_np.isfinite(lo) and _np.isfinite(hi)):
            raise RuntimeError(
                f"{_NAME}: dimension {j}'s range [{_c_float(lo)}, {_c_float(hi)}] is not finite"
            )
        if lo == hi:
            lo, hi = lo - 0.5, hi + 0.5
        out.append(linspace(lo, hi, int(b) + 1, dtype=input.dtype)._data)
    return tuple(out)


def _histogramdd(node, input, bins, range, weight, density, inner):  # noqa: A002
    _check_dtype(input, half=True)
    data = input._data
    rows = data.reshape(-1, inner)
    if weight is not None:
        if tuple(weight._data.shape) != tuple(data.shape[:-1]):
            raise RuntimeError(
                f"{_NAME}: if weight tensor is provided it should have the same shape as the "
                "input tensor excluding its innermost dimension, but got input with shape "
                f"{list(data.shape)} and weight with shape {list(weight._data.shape)}"
            )
        if weight._data.dtype != data.dtype:
            raise RuntimeError(
                f"{_NAME}: if weight tensor is provided, input tensor and weight tensor should "
                f"have the same dtype, but got input({_dtype_word(input)}), and "
                f"weight({_dtype_word(weight)})"
            )
    edges = _edges(input, rows, bins, range)
    outs = node.apply(input, weight, edges, bool(density))
    return outs[0], tuple(outs[1:])


@op(None, methods="histogram")
def histogram(input, bins=100, *, range=None, weight=None, density=False, out=None):  # noqa: A002
    """A histogram of ``input``'s values: ``bins`` equal bins over ``range`` (the data's
    range by default) or the edges ``bins``; returns ``(hist, bin_edges)``."""
    if (
        not isinstance(input, Tensor)
        or isinstance(bins, bool)
        or not isinstance(bins, (int, Tensor))
        or (isinstance(bins, Tensor) and range is not None)
    ):
        given = [type(input).__name__, type(bins).__name__]
        extra = {"range": range, "weight": weight, "density": density or None, "out": out}
        given += [f"{k}={type(v).__name__}" for k, v in extra.items() if v is not None]
        raise TypeError(
            f"histogram() received an invalid combination of arguments - got "
            f"({', '.join(given)}), but expected one of:\n"
            " * (Tensor input, Tensor bins, *, Tensor weight = None, bool density = False, "
            "tuple of Tensors out = None)\n"
            " * (Tensor input, int bins = 100, *, tuple of floats range = None, Tensor weight "
            "= None, bool density = False, tuple of Tensors out = None)\n"
        )
    _check_dtype(input, half=True)
    flat = input.reshape(-1, 1)
    if weight is not None and tuple(weight._data.shape) != tuple(input._data.shape):
        raise RuntimeError(
            f"{_NAME}: if weight tensor is provided it should have the same shape as the input "
            "tensor excluding its innermost dimension, but got input with shape "
            f"{list(flat.shape)} and weight with shape {list(weight._data.shape)}"
        )
    w = None if weight is None else weight.reshape(-1)
    hist, edges = _histogramdd(Histogram, flat, [bins], range, w, density, 1)
    if out is None:
        return _HISTOGRAM(hist, edges[0])
    _out.check_out_tensors("histogram", out, 2)
    return _HISTOGRAM_OUT(_out.write(out[0], hist), _out.write(out[1], edges[0]))


@op(None)
def histogramdd(input, bins=10, *, range=None, weight=None, density=False):  # noqa: A002
    """A histogram of the rows of ``input`` (its last dimension the coordinates): bins per
    dimension as counts or edges; returns ``(hist, bin_edges)``."""
    tensor_arg("histogramdd", input, "input", 1)
    if input._data.ndim < 2:
        raise RuntimeError(f"{_NAME}: input tensor should have at least 2 dimensions")
    if isinstance(bins, (list, tuple)):
        kinds = {isinstance(b, Tensor) for b in bins}
        if len(kinds) > 1:
            raise TypeError(
                "histogramdd(): argument 'bins' failed to unpack the object at pos 2 with error "
                '"type must be tuple of ints,but got Tensor"'
            )
    hist, edges = _histogramdd(
        Histogramdd, input, bins, range, weight, density, input._data.shape[-1]
    )
    return _HISTOGRAMDD(hist, edges)


__all__ = public_names(__name__)
