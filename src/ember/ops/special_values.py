"""NaN and infinity: the tests (isnan, isinf, isfinite, isposinf, isneginf, isreal,
signbit), ``nan_to_num`` and the reductions that skip NaN (nansum, nanmean)."""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from . import _out, batching
from ._spec import OpSpec, some_nan
from .clamp import tensor_arg
from .inplace import public_inplace
from .reduce import accumulated_dtype, expand_reduced, out_dtype, reduced_dims
from .registry import declare, op, public_names
from .unary import quiet

_EW = batching.elementwise
_U = [((3, 4),), ((),), ((0, 3),)]
# Inputs with NaN, +inf and -inf among ordinary values.
_SPECIAL = (float("nan"), float("inf"), float("-inf"), 0.0, -0.0)


def _with_specials(z):
    out = z.copy().reshape(-1)
    out[::3] = [_SPECIAL[i % len(_SPECIAL)] for i in range(len(out[::3]))]
    return out.reshape(z.shape)


def _check_spec(name, fn):
    return OpSpec(name, fn, _U, domain=_with_specials, fd=False, second_order=False)


# ----- the tests ----------------------------------------------------------------------------
class Classify(Node):
    """A bool test of each element (isnan, isinf, ...): no gradient"""

    def forward(self, x, test):
        xp = self.xp
        kind = x.dtype.kind
        if test == "isreal":
            return xp.imag(x) == 0 if kind == "c" else xp.ones(x.shape, dtype=bool)
        if kind not in "fc":
            if test == "isfinite":
                return xp.ones(x.shape, dtype=bool)
            if test == "signbit" and kind == "i":
                return x < 0
            return xp.zeros(x.shape, dtype=bool)
        if test == "isposinf":
            return xp.isposinf(x)
        if test == "isneginf":
            return xp.isneginf(x)
        return getattr(xp, test)(x)

    def differentiable_outputs(self, n):
        return (False,) * n


declare(
    Classify,
    grad_fn="ClassifyBackward0",
    vmap=_EW,
    spec=_check_spec("isfinite_node", lambda t, a: t.isfinite(a)),
)


def _classify(name, input, out=None):
    tensor_arg(name, input, "input", 1)
    if input._data.dtype.kind == "c":
        if name == "signbit":
            raise NotImplementedError("signbit is not implemented for complex tensors.")
        if name in ("isposinf", "isneginf"):
            raise RuntimeError(f"{name} does not support complex inputs.")
    if out is None:
        return Classify.apply(input, name)
    _out.check_out_tensors(name, out, 1)
    if out._data.dtype.kind != "b":
        raise RuntimeError(f"{name} does not support non-boolean outputs.")
    return _out.write(out, Classify.apply(input, name))


@op(None, methods="isnan", spec=_check_spec("isnan", lambda t, a: t.isnan(a)))
def isnan(input):
    """True where ``input`` is NaN."""
    return _classify("isnan", input)


@op(None, methods="isinf", spec=_check_spec("isinf", lambda t, a: t.isinf(a)))
def isinf(input):
    """True where ``input`` is +inf or -inf."""
    return _classify("isinf", input)


@op(None, methods="isfinite", spec=_check_spec("isfinite", lambda t, a: a.isfinite()))
def isfinite(input):
    """True where ``input`` is neither NaN nor infinite."""
    return _classify("isfinite", input)


@op(None, methods="isposinf", spec=_check_spec("isposinf", lambda t, a: t.isposinf(a)))
def isposinf(input, *, out=None):
    """True where ``input`` is +inf."""
    return _classify("isposinf", input, out)


@op(None, methods="isneginf", spec=_check_spec("isneginf", lambda t, a: t.isneginf(a)))
def isneginf(input, *, out=None):
    """True where ``input`` is -inf."""
    return _classify("isneginf", input, out)


@op(None, methods="isreal", spec=_check_spec("isreal", lambda t, a: t.isreal(a)))
def isreal(input):
    """True where ``input`` has no imaginary part (everywhere for real dtypes)."""
    return _classify("isreal", input)


@op(None, methods="signbit", spec=_check_spec("signbit", lambda t, a: t.signbit(a)))
def signbit(input, *, out=None):
    """True where the sign bit of ``input`` is set (``-0.0`` included)."""
    return _classify("signbit", input, out)


# ----- nan_to_num ---------------------------------------------------------------------------
class NanToNum(Node):
    """d nan_to_num(x) = grad times 1 where x is finite, 0 where it was replaced"""

    upcast_float16 = False  # the defaults are the input dtype's own limits

    def forward(self, x, nan, posinf, neginf):
        xp = self.xp
        info = xp.finfo(x.dtype)
        posinf = info.max if posinf is None else posinf
        neginf = info.min if neginf is None else neginf
        if self.needs_input_grad is not None:
            self.kept = xp.isfinite(x).astype(x.dtype)
        return xp.nan_to_num(x, nan=nan, posinf=posinf, neginf=neginf)

    def backward(self, grad):
        # A product, not a choice: an infinite gradient at a replaced element gives NaN.
        return grad * Tensor._make(self.kept), None, None, None


def _number(name, arg, value):
    if value is not None and (not isinstance(value, (int, float)) or isinstance(value, complex)):
        raise TypeError(f"{name}(): argument '{arg}' must be float, not {type(value).__name__}")
    return None if value is None else float(value)


@op(
    NanToNum,
    methods="nan_to_num",
    inplace=True,
    vmap=_EW,
    spec=(
        OpSpec("nan_to_num", lambda t, a: t.nan_to_num(a), _U, domain=_with_specials),
        OpSpec(
            "nan_to_num_values",
            lambda t, a: a.nan_to_num(1.5, 2.0, -3.0),
            [((4, 5),)],
            domain=_with_specials,
        ),
    ),
)
def nan_to_num(input, nan=0.0, posinf=None, neginf=None, *, out=None):
    """``input`` with NaN, +inf and -inf replaced by ``nan``, ``posinf`` and ``neginf``
    (the dtype's largest and lowest values by default)."""
    tensor_arg("nan_to_num", input, "input", 1)
    nan = _number("nan_to_num", "nan", nan) if nan is not None else 0.0
    posinf = _number("nan_to_num", "posinf", posinf)
    neginf = _number("nan_to_num", "neginf", neginf)
    if out is not None:
        _out.check_out_tensors("nan_to_num", out, 1)
        if out._data.dtype != input._data.dtype:
            raise RuntimeError(
                f"nan_to_num: dtype of out: {_dt.scalar_type_name(out._data)} should be same as "
                f"input: {_dt.scalar_type_name(input._data)}"
            )
        _out.refuse_grad("nan_to_num", out, input)
    if input._data.dtype.kind in "fc":
        result = NanToNum.apply(input, nan, posinf, neginf)
    else:
        result = input.clone()
    return result if out is None else _out.write(out, result)


nan_to_num_ = public_inplace("nan_to_num_")


# ----- nansum / nanmean ---------------------------------------------------------------------
class Nansum(Node):
    """d nansum(x) = grad broadcast back, times 0 at the NaN elements"""

    def forward(self, x, dims, keepdim, np_dtype):
        xp = self.xp
        self.in_shape, self.dims, self.keepdim = x.shape, dims, keepdim
        if x.dtype.kind == "f":
            if self.needs_input_grad is not None:
                self.kept = (~xp.isnan(x)).astype(x.dtype)
            with quiet(xp):
                return xp.asarray(xp.nansum(x, axis=dims, keepdims=keepdim, dtype=np_dtype))
        return xp.asarray(xp.sum(x, axis=dims, keepdims=keepdim, dtype=np_dtype))

    def backward(self, grad):
        g = expand_reduced(grad, self.in_shape, self.dims, self.keepdim)
        return g * Tensor._make(self.kept), None, None, None


_R = [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)]


@op(
    Nansum,
    methods="nansum",
    vmap=batching.reduce,
    spec=(
        OpSpec("nansum", lambda t, a: t.nansum(a), _R, domain=some_nan, fd=False),
        OpSpec("nansum_dim", lambda t, a: a.nansum(1, keepdim=True), _R[:1] + _R[2:]),
        OpSpec("nansum_nan_dim", lambda t, a: a.nansum((0, -1)), _R[3:], domain=some_nan),
    ),
)
def nansum(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The sum over ``dim`` treating NaN as zero."""
    tensor_arg("nansum", input, "input", 1)
    data = input._data
    if data.dtype.kind == "c":
        raise RuntimeError("nansum on CPU does not support complex inputs")
    dims = reduced_dims(data, dim)
    dtype = out_dtype("nansum", out, dtype)
    result = Nansum.apply(input, dims, bool(keepdim), accumulated_dtype(data, dtype))
    if out is None:
        return result
    _out.refuse_grad("nansum", out, input)
    return _out.write(out, result)


@op(
    None,
    methods="nanmean",
    spec=(
        OpSpec("nanmean", lambda t, a: t.nanmean(a), _R, domain=some_nan, fd=False),
        OpSpec("nanmean_dim", lambda t, a: a.nanmean(-1), _R[:1] + _R[3:], domain=some_nan),
    ),
)
def nanmean(input, dim=None, keepdim=False, *, dtype=None, out=None):
    """The mean over ``dim`` of the elements that are not NaN."""
    tensor_arg("nanmean", input, "input", 1)
    if input._data.dtype.kind not in "fc":
        raise RuntimeError(
            "nanmean(): expected input to have floating point or complex dtype but got "
            f"{_dt.scalar_type_name(input._data)}"
        )
    if dtype is not None:
        input = input.to(dtype)
    if out is not None:
        _out.check_out_tensors("nanmean", out, 1)
        _out.refuse_grad("nanmean", out, input)
    count = (~isnan(input)).sum(dim, keepdim)
    result = nansum(input, dim, keepdim) / count
    return result if out is None else _out.write(out, result)


__all__ = public_names(__name__)
