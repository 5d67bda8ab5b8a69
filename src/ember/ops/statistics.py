"""Statistics: mode, quantile, nanquantile, msort, cov, corrcoef.

``quantile`` is a composition (sort, gather, lerp) as in PyTorch, so its gradient flows
back through the sort to the elements it interpolated between; ``cov`` and ``corrcoef`` are
compositions too.  ``mode`` is one node that picks an element (``ModeBackward0``).
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.callsite import warn
from ..backend import np as _np
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out
from ._spec import OpSpec, some_nan
from .clamp import tensor_arg
from .registry import LOOP, op, public_names
from .sorting import SelectAlong, check_pair_out, write_pair

ModeResult = return_type("mode")
_INDEX = _np.dtype("int64")


# ----- mode -------------------------------------------------------------------------------
class Mode(SelectAlong):
    """d mode(x) = grad sent back to the chosen element's index"""

    def forward(self, x, dim, keepdim):
        xp = self.xp
        xw = x if x.ndim else x.reshape(1)
        rows = xp.moveaxis(xw, dim, -1)
        lead, n = rows.shape[:-1], rows.shape[-1]
        rows = rows.reshape(-1, n)
        order = xp.argsort(rows, axis=1, kind="stable")
        s = xp.take_along_axis(rows, order, 1)
        pos = xp.arange(n)
        new = xp.ones(s.shape, dtype=bool)
        new[:, 1:] = s[:, 1:] != s[:, :-1]
        last = xp.ones(s.shape, dtype=bool)
        last[:, :-1] = new[:, 1:]
        start = xp.maximum.accumulate(xp.where(new, pos, 0), axis=1)
        # The longest run ends where ``length`` peaks; ties go to the smallest value (first),
        # and within the run the stable sort puts the last occurrence at its end.
        length = xp.where(last, pos - start + 1, -1)
        best = xp.argmax(length, axis=1)
        idx = order[xp.arange(len(best)), best].reshape(lead + (1,))
        idx = xp.moveaxis(idx, -1, dim).astype(_INDEX)
        return self.select(x, idx, dim, keepdim)


def _repeats(z):
    return (z * 1.5).round()


@op(Mode, methods="mode", vmap=LOOP,
    spec=(OpSpec("mode", lambda t, a: t.mode(a), [((3, 6),), ((),), ((2, 3, 4),)], domain=_repeats,
                 fd=False),
          OpSpec("mode_dim0_keep", lambda t, a: a.mode(0, keepdim=True), [((5, 3),)], shapes=None,
                 domain=_repeats, fd=False)))  # fmt: skip
def mode(input, dim=-1, keepdim=False, *, out=None):
    """The most frequent value along ``dim`` (the smallest among ties) and the index of its
    last occurrence."""
    tensor_arg("mode", input, "input", 1)
    data = input._data
    d = _wrap_dim(dim, data.ndim)
    if data.ndim and data.shape[d] == 0:
        raise IndexError(f"mode(): Expected reduction dim {d} to have non-zero size.")
    if out is None:
        return ModeResult(*Mode.apply(input, d, bool(keepdim)))
    check_pair_out("mode", out, data.dtype, input)
    return write_pair(ModeResult, out, *Mode.apply(input, d, bool(keepdim)))


@op(None, methods="msort", spec=OpSpec("msort", lambda t, a: t.msort(a), [((4, 3),), ((),)]))
def msort(input, *, out=None):
    """``input`` sorted along its first dimension."""
    tensor_arg("msort", input, "input", 1)
    result = input.sort(0).values
    if out is None:
        return result
    _out.check_out_tensors("msort", out, 1)
    _out.refuse_grad("msort", out, input)
    return _out.write(out, result)


# ----- quantile / nanquantile --------------------------------------------------------------
_MODES = ("linear", "lower", "higher", "midpoint", "nearest")


def _q_tensor(input, q):
    """``q`` as a 0-d or 1-d array of ``input``'s dtype, checked as PyTorch checks it."""
    if isinstance(q, Tensor):
        if q._data.ndim > 1:
            raise RuntimeError("quantile() q must be a scalar or 1D tensor")
        if q._data.dtype != input._data.dtype:
            raise RuntimeError("quantile() q tensor must be same dtype as the input tensor")
        values = q._data
        if values.size and ((values < 0).any() or (values > 1).any()):
            raise RuntimeError("quantile() q values must be in the range [0, 1]")
        return values
    if not 0 <= q <= 1:
        raise RuntimeError(f"quantile() q must be in the range [0, 1] but got {q}")
    return _np.asarray(q, dtype=input._data.dtype)


def _quantile(name, input, q, dim, keepdim, interpolation, ignore_nan, out):
    tensor_arg(name, input, "input", 1)
    data = input._data
    if data.dtype not in (_np.float32, _np.float64):
        raise RuntimeError(f"{name}() input tensor must be either float or double dtype")
    qs = _q_tensor(input, q)
    if interpolation not in _MODES:
        raise RuntimeError(
            f"{name}() interpolation must be one of linear, lower, higher, midpoint or "
            f"nearest, but got {interpolation}"
        )
    if data.size == 0:
        raise RuntimeError(f"{name}() input tensor must be non-empty")
    if dim is None:
        x, d = input.reshape(-1), None
    else:
        d = _wrap_dim(dim, data.ndim)
        x = input.reshape(1) if data.ndim == 0 else input.movedim(d, -1)
    s = x.sort(-1).values  # NaN sorts last
    n = s.shape[-1]
    sd = s._data
    qv = qs.reshape(-1).astype(_np.float64)
    with _np.errstate(invalid="ignore"):
        nan = _np.isnan(sd)
        if ignore_nan:
            valid = (~nan).sum(-1, keepdims=True)
            ranks = _np.maximum(qv * (valid - 1), 0)
        else:
            ranks = _np.broadcast_to(qv * (n - 1), sd.shape[:-1] + qv.shape)
            ranks = _np.where(nan.any(-1, keepdims=True), n - 1, ranks)
    lo, hi = _np.floor(ranks).astype(_INDEX), _np.ceil(ranks).astype(_INDEX)
    if interpolation == "lower":
        result = s.gather(-1, Tensor._make(lo))
    elif interpolation == "higher":
        result = s.gather(-1, Tensor._make(hi))
    elif interpolation == "nearest":
        result = s.gather(-1, Tensor._make(_np.round(ranks).astype(_INDEX)))
    else:
        weight = ranks - lo if interpolation == "linear" else _np.full(ranks.shape, 0.5)
        low, high = s.gather(-1, Tensor._make(lo)), s.gather(-1, Tensor._make(hi))
        result = low.lerp(high, Tensor._make(weight.astype(data.dtype)))
    result = result.movedim(-1, 0) if qs.ndim else result.squeeze(-1)
    if keepdim:
        lead = 1 if qs.ndim else 0
        if d is None:
            result = result.reshape(result.shape[:lead] + (1,) * data.ndim)
        elif data.ndim:
            result = result.unsqueeze(d + lead)
    if out is None:
        return result
    _out.check_out_tensors(name, out, 1)
    _out.refuse_grad(name, out, input)
    return _out.write(out, result)


def _quantile_spec(name, fn, samples, **kw):
    return OpSpec(name, fn, samples, shapes=None, **kw)


_QS = [((3, 5),), ((6,),), ((),)]


@op(
    None,
    methods="quantile",
    spec=(
        _quantile_spec("quantile", lambda t, a: t.quantile(a, 0.3), _QS),
        _quantile_spec(
            "quantile_many",
            lambda t, a: a.quantile(t.tensor([0.0, 0.25, 0.9], dtype=a.dtype), dim=1),
            [((3, 5),)],
        ),
        _quantile_spec(
            "quantile_keepdim",
            lambda t, a: t.quantile(a, 0.6, dim=0, keepdim=True, interpolation="midpoint"),
            [((4, 3),), ((),)],
        ),
        _quantile_spec(
            "quantile_nearest",
            lambda t, a: t.quantile(a, 0.5, interpolation="nearest"),
            [((2, 3),)],
            fd=False,
        ),
    ),
)
def quantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """The ``q``-th quantiles of ``input`` (all elements, or along ``dim``), interpolating
    between the two nearest ranks; NaN where a slice holds NaN."""
    return _quantile("quantile", input, q, dim, keepdim, interpolation, False, out)


@op(None, methods="nanquantile",
    spec=(_quantile_spec("nanquantile", lambda t, a: t.nanquantile(a, 0.4, dim=1),
                         [((3, 5),), ((2, 8),)], domain=some_nan),
          _quantile_spec("nanquantile_lower",
                         lambda t, a: a.nanquantile(0.7, interpolation="lower"), [((9,),)],
                         domain=some_nan)))  # fmt: skip
def nanquantile(input, q, dim=None, keepdim=False, *, interpolation="linear", out=None):
    """``quantile`` ignoring NaN (NaN only where a slice is all NaN)."""
    return _quantile("nanquantile", input, q, dim, keepdim, interpolation, True, out)


# ----- cov / corrcoef -----------------------------------------------------------------------
def _weights(name, w, n, integral):
    if w is None:
        return None
    if w._data.ndim > 1:
        raise RuntimeError(f"cov(): expected {name} to have one or fewer dimensions")
    if w.numel() != n:
        raise RuntimeError(
            f"cov(): expected {name} to have the same numel as there are observations in the "
            f"input but got {w.numel()} != {n}"
        )
    kind = "integral" if integral else "floating point"
    if (w._data.dtype.kind in "iu") != integral or w._data.dtype.kind == "b":
        raise RuntimeError(
            f"cov(): expected {name} to have {kind} dtype but got {name} with "
            f"{_dt.scalar_type_name(w._data)} dtype"
        )
    if w._data.size and w._data.min() < 0:
        raise RuntimeError(f"cov(): {name} cannot be negative")
    return w


@op(
    None,
    methods="cov",
    spec=(
        OpSpec("cov", lambda t, a: t.cov(a), [((3, 5),), ((4,),), ((1, 3),)], shapes=None),
        OpSpec(
            "cov_weights",
            lambda t, a, w: a.cov(correction=0, aweights=w.abs() + 0.1),
            [((2, 4), (4,))],
            shapes=None,
        ),
    ),
)
def cov(input, *, correction=1, fweights=None, aweights=None):
    """The covariance matrix of the variables in the rows of ``input`` (observations in its
    columns), with frequency and importance weights."""
    tensor_arg("cov", input, "input", 1)
    if input._data.ndim > 2:
        raise RuntimeError(
            "cov(): expected input to have two or fewer dimensions but got an input with "
            f"{input._data.ndim} dimensions"
        )
    x = input if input._data.ndim == 2 else input.reshape(1, -1)
    if x._data.dtype.kind in "biu":
        x = x.to(_dt.get_default_dtype())
    n = x.shape[1]
    fw = _weights("fweights", fweights, n, True)
    aw = _weights("aweights", aweights, n, False)
    w = fw if aw is None else aw if fw is None else fw * aw
    if w is None:
        avg = x.mean(1)
        factor = n - correction
    else:
        total = w.sum()
        avg = (x * w).sum(1) / total
        if correction == 0:
            factor = total
        elif aw is None:
            factor = total - correction
        else:
            factor = total - correction * (w * aw).sum() / total
    if float(factor) <= 0:
        warn(
            "cov(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "number of observations."
        )
        factor = factor * 0
    xm = x - avg.unsqueeze(1)
    xw = xm if w is None else xm * w
    xt = xm.transpose(0, 1)
    with _np.errstate(divide="ignore", invalid="ignore"):  # no degrees of freedom: inf
        return (xw @ (xt.conj() if xt.is_complex() else xt) / factor).squeeze()


@op(
    None,
    methods="corrcoef",
    spec=OpSpec("corrcoef", lambda t, a: t.corrcoef(a), [((3, 5),), ((2, 6),)], shapes=None),
)
def corrcoef(input):
    """The Pearson correlation coefficients of the variables in the rows of ``input``."""
    c = cov(input)
    if c._data.ndim == 0:
        return c / c
    std = c.diagonal().sqrt()
    c = c / std.unsqueeze(1) / std.unsqueeze(0)
    return c if c.is_complex() else c.clamp(-1, 1)


__all__ = public_names(__name__)
