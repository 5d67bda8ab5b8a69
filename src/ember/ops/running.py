"""Running values and differences along a dimension: cummax, cummin, logcumsumexp, diff,
trapezoid (trapz) and cumulative_trapezoid.

``diff`` and the trapezoid rules are compositions of slicing, subtraction and sums, as in
PyTorch (their ``grad_fn`` is the last of those ops).
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.node import Node
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out, batching
from ._binary import not_implemented
from ._spec import OpSpec
from .clamp import tensor_arg
from .registry import op, public_names
from .unary import quiet
from .where import where

CummaxResult = return_type("cummax")
CumminResult = return_type("cummin")
_R = [((3, 4),), ((),), ((0, 3),), ((2, 3, 4),)]


def _along(x):
    """``x`` viewed as at least 1-d (a 0-d tensor runs along its one element)."""
    return x if x.ndim else x.reshape(1)


# ----- cummax / cummin --------------------------------------------------------------------
class Cummax(Node):
    """d cummax(x) = grad summed back into the positions the running maxima came from"""

    ufunc = "maximum"

    def forward(self, x, dim):
        xp = self.xp
        xw = _along(x)
        values = getattr(xp, self.ufunc).accumulate(xw, axis=dim)
        # A position takes over when it reaches the running value (ties: the latest) or
        # is NaN (which then sticks).
        take = xw == values
        if x.dtype.kind in "fc":
            take |= xp.isnan(xw)
        shape = [1] * xw.ndim
        shape[dim] = xw.shape[dim]
        pos = xp.arange(xw.shape[dim]).reshape(shape)
        indices = xp.maximum.accumulate(xp.where(take, pos, 0), axis=dim)
        self.dim, self.indices, self.in_shape = dim, indices, x.shape
        return values.reshape(x.shape), indices.reshape(x.shape)

    def differentiable_outputs(self, n):
        return (True, False)

    materialize_grads = False

    def backward(self, grad, grad_indices=None):
        if grad is None:
            return None, None
        g = grad.reshape(self.indices.shape)
        zeros = g.new_zeros(self.indices.shape)
        out = zeros.scatter_add(self.dim, Tensor._make(self.indices), g)
        return out.reshape(self.in_shape), None


class Cummin(Cummax):
    """d cummin(x) = grad summed back into the positions the running minima came from"""

    ufunc = "minimum"


def _cum_select(name, node, result, input, dim, out):
    tensor_arg(name, input, "input", 1)
    d = _wrap_dim(dim, input._data.ndim)
    if out is None:
        return result(*node.apply(input, d))
    _out.check_out_tensors(name, out, 2)
    _out.refuse_grad(name, out, input)
    values, indices = node.apply(input, d)
    return result(_out.write(out[0], values), _out.write(out[1], indices))


def _ties_spec(name, fn):
    """A spec on rounded values: repeated values check that ties pick the latest index."""
    return OpSpec(name, fn, [((3, 6),)], shapes=None, domain=lambda z: z.round(), fd=False)


@op(Cummax, methods="cummax", vmap=batching.reduce,
    spec=(OpSpec("cummax", lambda t, a: t.cummax(a, 0), _R),
          _ties_spec("cummax_ties", lambda t, a: a.cummax(-1))))  # fmt: skip
def cummax(input, dim, *, out=None):
    """The running maximum along ``dim`` and the index where each was reached."""
    return _cum_select("cummax", Cummax, CummaxResult, input, dim, out)


@op(
    Cummin,
    methods="cummin",
    vmap=batching.reduce,
    spec=(
        OpSpec("cummin", lambda t, a: t.cummin(a, -1), _R),
        _ties_spec("cummin_ties", lambda t, a: a.cummin(1)),
    ),
)
def cummin(input, dim, *, out=None):
    """The running minimum along ``dim`` and the index where each was reached."""
    return _cum_select("cummin", Cummin, CumminResult, input, dim, out)


# ----- logcumsumexp -------------------------------------------------------------------------
class Logcumsumexp(Node):
    """d out_j / d x_i = exp(x_i - out_j) for i <= j"""

    def forward(self, x, dim):
        self.dim = dim
        with quiet(self.xp):
            out = self.xp.logaddexp.accumulate(_along(x), axis=dim).reshape(x.shape)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        x, out = self.saved_tensors
        d = self.dim if x.ndim else None
        if d is None:
            return grad, None

        def reversed_lcse(t):
            return logcumsumexp(t.flip(d), d).flip(d)

        # sum over j >= i of g_j exp(x_i - out_j), with the positive and negative parts of
        # g taken through logs so that no exp overflows.
        pos = reversed_lcse(where(grad > 0, grad, 0.0).log() - out)
        neg = reversed_lcse(where(grad < 0, -grad, 0.0).log() - out)
        return (x + pos).exp() - (x + neg).exp(), None


@op(
    Logcumsumexp,
    methods="logcumsumexp",
    vmap=batching.reduce,
    spec=(
        OpSpec("logcumsumexp", lambda t, a: t.logcumsumexp(a, 0), _R, second_order=False),
        OpSpec(
            "logcumsumexp_wide",
            lambda t, a: a.logcumsumexp(1),
            [((3, 5),)],
            domain=(-60.0, 60.0),
            second_order=False,
        ),
    ),
)
def logcumsumexp(input, dim, *, out=None):
    """``log(cumsum(exp(input), dim))`` without overflow."""
    tensor_arg("logcumsumexp", input, "input", 1)
    if input._data.dtype.kind not in "fc":
        raise not_implemented("logcumsumexp_out_cpu", input)
    result = Logcumsumexp.apply(input, _wrap_dim(dim, input._data.ndim))
    if out is None:
        return result
    _out.check_out_tensors("logcumsumexp", out, 1)
    _out.refuse_grad("logcumsumexp", out, input)
    return _out.write(out, result)


# ----- diff -------------------------------------------------------------------------------
def _cat(tensors, dim):
    from .join import cat

    return cat(tensors, dim)


@op(
    None,
    methods="diff",
    spec=(
        OpSpec("diff", lambda t, a: t.diff(a), [((3, 4),), ((5,),), ((0, 2),)]),
        OpSpec("diff_n2_dim0", lambda t, a: a.diff(2, 0), [((4, 3),), ((2, 3),)], shapes=None),
        OpSpec(
            "diff_prepend_append",
            lambda t, a, p, q: t.diff(a, dim=0, prepend=p, append=q),
            [((3, 2), (1, 2), (2, 2))],
            shapes=None,
        ),
    ),
    out="castable",
)
def diff(input, n=1, dim=-1, prepend=None, append=None):
    """The ``n``-th forward difference along ``dim``, after joining ``prepend`` and
    ``append`` to ``input`` there (``!=`` for bool tensors)."""
    tensor_arg("diff", input, "input", 1)
    nd = input._data.ndim
    if nd == 0:
        raise RuntimeError("diff expects input to be at least one-dimensional")
    if n < 0:
        raise RuntimeError(f"order must be non-negative but got {n}")
    d = _wrap_dim(dim, nd)
    parts = [t for t in (prepend, input, append) if t is not None]
    for t in parts:
        if t._data.ndim != nd:
            raise RuntimeError("diff expects prepend or append to be the same dimension as input")
    x = _cat(parts, d) if len(parts) > 1 else input
    for _ in range(n):
        size = x.shape[d]
        if size == 0:
            break
        hi, lo = x.narrow(d, 1, size - 1), x.narrow(d, 0, size - 1)
        x = hi != lo if x._data.dtype.kind == "b" else hi - lo
    return x


# ----- trapezoid / cumulative_trapezoid ---------------------------------------------------
def _trapezoid_args(name, y, x, dx, dim):
    if x is not None and dx is not None:
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got (Tensor, Tensor, "
            f"dx={type(dx).__name__}), but expected one of:\n * (Tensor y, Tensor x, *, int dim "
            "= -1)\n * (Tensor y, *, Number dx = 1, int dim = -1)\n"
        )
    if x is not None and not isinstance(x, Tensor):
        raise TypeError(
            f"{name}() received an invalid combination of arguments - got (Tensor, "
            f"x={type(x).__name__}), but expected one of:\n * (Tensor y, Tensor x, *, int dim "
            "= -1)\n * (Tensor y, *, Number dx = 1, int dim = -1)\n"
        )
    tensor_arg(name, y, "y", 1)
    if y._data.ndim == 0:
        raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
    d = _wrap_dim(dim, y._data.ndim)
    if y._data.dtype.kind in "biu":
        y = y.to(_dt.get_default_dtype())
    spacing = None
    if x is not None:
        if x._data.ndim == 1:
            if x.shape[0] != y.shape[d]:
                raise RuntimeError(f"{name}: There must be one `x` value for each sample point")
            shape = [1] * y._data.ndim
            shape[d] = x.shape[0]
            x = x.reshape(shape)
        spacing = diff(x, dim=d)
    return y, d, spacing, 1 if dx is None else dx


def _pair_sums(y, d):
    size = y.shape[d]
    return y.narrow(d, 1, size - 1) + y.narrow(d, 0, size - 1)


@op(
    None,
    spec=(
        OpSpec("trapezoid", lambda t, y: t.trapezoid(y), [((3, 4),), ((5,),), ((2, 0),)]),
        OpSpec(
            "trapezoid_x",
            lambda t, y, x: t.trapezoid(y, x, dim=0),
            [((3, 4), (3, 4)), ((4, 2), (4,))],
            shapes=None,
        ),
        OpSpec("trapezoid_dx", lambda t, y: t.trapezoid(y, dx=0.5), [((2, 5),)], shapes=None),
    ),
    aliases=("trapz",),
)
def trapezoid(y, x=None, *, dx=None, dim=-1):
    """The trapezoidal rule along ``dim``: sample points ``x`` or a constant spacing ``dx``."""
    y, d, spacing, dx = _trapezoid_args("trapezoid", y, x, dx, dim)
    if y.shape[d] == 0:  # a constant zero, as PyTorch gives (no history)
        return y.detach().sum(d)
    if spacing is not None:
        return (spacing * _pair_sums(y, d)).sum(d) / 2
    return (y.sum(d) - (y.select(d, 0) + y.select(d, -1)) * 0.5) * dx


trapz = trapezoid


@op(
    None,
    spec=(
        OpSpec("cumulative_trapezoid", lambda t, y: t.cumulative_trapezoid(y), _R[:1] + _R[3:]),
        OpSpec(
            "cumulative_trapezoid_x",
            lambda t, y, x: t.cumulative_trapezoid(y, x),
            [((3, 4), (4,)), ((2, 3), (2, 3))],
            shapes=None,
        ),
        OpSpec(
            "cumulative_trapezoid_dx",
            lambda t, y: t.cumulative_trapezoid(y, dx=2.0, dim=0),
            [((3, 2),), ((1, 2),)],
            shapes=None,
        ),
    ),
)
def cumulative_trapezoid(y, x=None, *, dx=None, dim=-1):
    """The running trapezoidal rule along ``dim`` (one fewer element there than ``y``)."""
    y, d, spacing, dx = _trapezoid_args("cumulative_trapezoid", y, x, dx, dim)
    if y.shape[d] == 0:
        return y.narrow(d, 0, 0)
    pairs = _pair_sums(y, d)
    if spacing is not None:
        return (spacing * pairs / 2).cumsum(d)
    return (pairs * (dx / 2)).cumsum(d)


__all__ = public_names(__name__)
