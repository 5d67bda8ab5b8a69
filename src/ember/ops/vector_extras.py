"""Small vector ops: ``positive``, ``sgn`` (the complex sign ``z / |z|``), ``renorm``
(sub-tensors scaled down to a maximum norm), ``vdot`` (conjugating dot product) and
``Tensor.sum_to_size``."""

from __future__ import annotations

from ..autograd.node import Node
from ..dtypes import scalar_type_name
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim
from . import batching
from ._binary import zeros_like
from ._out_rules import same_dtype_rule
from ._spec import OpSpec
from .linalg import _check_dot, require_tensor
from .registry import LOOP, declare, op, public_names


@op(None, methods="positive")
def positive(input):
    """``input`` itself (unary ``+``); refused for bool tensors."""
    require_tensor(input, "positive", "input", 1)
    if input._data.dtype.kind == "b":
        raise RuntimeError("The `+` operator, on a bool tensor is not supported.")
    return input


def _widened_complex(t, a, b):
    """``complex(a, b)`` for a spec (float16 samples widened first: there is no complex32)."""
    if a.dtype == t.float16:
        a, b = a.float(), b.float()
    return t.complex(a, b)


# ----- sgn -------------------------------------------------------------------------------
class Sgn(Node):
    """d sgn: 0 for real inputs; for complex z, (grad - Re(grad conj(s)) s) / |z| (0 at 0)"""

    def forward(self, x):
        xp = self.xp
        if x.dtype.kind == "c":
            a = xp.abs(x)
            out = xp.where(a == 0, 0, x / xp.where(a == 0, 1, a)).astype(x.dtype, copy=False)
            if self.needs_input_grad is not None:
                self.save_for_backward(x)
            return out
        out = xp.asarray(xp.sign(x))
        return xp.nan_to_num(out, copy=False) if x.dtype.kind == "f" else out

    def backward(self, grad):
        if not self.saved_tensors:
            return (zeros_like(grad),)
        (x,) = self.saved_tensors
        a = x.abs()
        zero = a == 0
        safe = a.masked_fill(zero, 1.0)
        s = x / safe
        g = (grad - (grad * s.conj()).real * s) / safe
        return (g.masked_fill(zero, 0),)


_sgn_out = same_dtype_rule("Found dtype {out} but expected {result}", scalar_type_name)


@op(
    Sgn,
    methods="sgn",
    inplace=True,
    vmap=batching.elementwise,
    # Real inputs: PyTorch's gradient is a ZeroTensor the spec runner cannot read (tested in
    # tests/ops/test_float_bits_vectors.py).  Complex second order is left out: Ember's
    # complex double backward differs from PyTorch's for plain products too.
    spec=OpSpec(
        "sgn_complex",
        lambda t, a, b: t.view_as_real(t.sgn(_widened_complex(t, a, b))),
        [((3, 4), (3, 4)), ((), ())],
        shapes=None,
        dtypes=("float64",),
        second_order=False,
    ),
    out=_sgn_out,
)
def sgn(input):
    """``z / |z|`` for complex elements (0 at 0); the sign for real ones."""
    require_tensor(input, "sgn", "input", 1)
    if input._data.dtype.kind == "b":
        return input.clone()
    return Sgn.apply(input)


# ----- renorm ----------------------------------------------------------------------------
def _norms(xp, a, p, dims):
    """The ``p``-norms of ``|x|`` (``a``) over ``dims``, kept as size-1 dimensions."""
    if p == float("inf"):
        return a.max(axis=dims, keepdims=True, initial=0)
    if p == 1:
        return a.sum(axis=dims, keepdims=True)
    if p == 2:
        return xp.sqrt((a * a).sum(axis=dims, keepdims=True))
    return (a**p).sum(axis=dims, keepdims=True) ** (1.0 / p)


class Renorm(Node):
    """d(x * f(norm)) = grad f + dnorm/dx * sum(Re(grad conj(x))) f'(norm), with
    f = maxnorm / (norm + 1e-7) where norm > maxnorm, else 1"""

    upcast_float16 = False  # PyTorch rounds the scale factor to float16 before multiplying

    def forward(self, x, p, dim, maxnorm):
        xp = self.xp
        dims = tuple(d for d in range(x.ndim) if d != dim)
        real = xp.abs(x)
        if real.dtype.itemsize == 2:
            real = real.astype(xp.float32)
        norm = _norms(xp, real, p, dims)
        factor = xp.where(norm > maxnorm, maxnorm / (norm + 1e-7), 1.0)
        factor = factor.astype(xp.abs(x[:0]).dtype)
        self.args_ = (p, dims, maxnorm)
        if self.needs_input_grad is not None:
            self.save_for_backward(x)
        return (x * factor).astype(x.dtype, copy=False)

    def backward(self, grad):
        (x,) = self.saved_tensors
        half = x.dtype if x._data.dtype.itemsize == 2 and not x.is_complex() else None
        if half is not None:  # one float32 pass, rounded once, as PyTorch's kernel
            gx = self._grad(grad.float(), x.float())
            return gx.to(half), None, None, None
        return self._grad(grad, x), None, None, None

    def _grad(self, grad, x):
        p, dims, maxnorm = self.args_
        a = x.abs()
        if p == float("inf"):
            norm = a.amax(dims, keepdim=True) if dims else a
        else:
            norm = (a**p).sum(dims, keepdim=True) ** (1.0 / p) if dims else a
        mask = norm > maxnorm
        denom = norm + 1e-7
        f = (maxnorm / denom).masked_fill(~mask, 1.0)
        gx = grad * f
        if not bool(mask.any()):
            return gx
        prod = grad * x.conj()
        prod = prod.real if prod.is_complex() else prod
        cot = (prod.sum(dims, keepdim=True) if dims else prod) * (-maxnorm / denom**2)
        cot = cot.masked_fill(~mask, 0.0)
        safe = norm.masked_fill(~mask, 1.0)
        unit = x.sgn()
        if p == float("inf"):
            top = (a == norm).to(a.dtype)
            ties = top.sum(dims, keepdim=True) if dims else top
            dnorm = unit * top / ties
        elif p == 1:
            dnorm = unit
        elif p == 2:
            dnorm = x / safe
        else:
            dnorm = unit * a ** (p - 1) / safe ** (p - 1)
        return gx + dnorm * cot


def _maxnorm(value):
    return float(value.item()) if isinstance(value, Tensor) else float(value)


@op(
    Renorm,
    methods="renorm",
    inplace=True,
    vmap=LOOP,
    spec=(
        OpSpec(
            "renorm",
            lambda t, a: t.renorm(a, 2, 0, 1.5),
            [((3, 4),), ((2, 3, 2),), ((4, 1),)],
            shapes=None,
        ),
        OpSpec(
            "renorm_p",
            lambda t, a: a.renorm(3, -1, 1.0),
            [((3, 4),), ((2, 3, 2),)],
            shapes=None,
        ),
        OpSpec(
            "renorm_1",
            lambda t, a: a.renorm(1, 1, 2.0),
            [((3, 4),)],
            shapes=None,
            domain=(0.2, 1.0),
        ),
    ),
    out="same",
)
def renorm(input, p, dim, maxnorm):
    """Each sub-tensor along ``dim`` whose ``p``-norm exceeds ``maxnorm``, scaled down to it."""
    require_tensor(input, "renorm", "input", 1)
    p = float(p.item()) if isinstance(p, Tensor) else float(p)
    maxnorm = _maxnorm(maxnorm)
    if p <= 0:
        raise RuntimeError("renorm: non-positive-norm not supported")
    if maxnorm < 0:
        shown = int(maxnorm) if maxnorm == int(maxnorm) else maxnorm
        raise RuntimeError(f"renorm: expected maxnorm to be >= 0 but got {shown}")
    nd = input._data.ndim
    if nd <= 1:
        raise RuntimeError(f"renorm: input needs at least 2 dimensions, got {nd} dimensions")
    d = wrap_dim(dim, nd)
    if input._data.dtype.kind in "biu":
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
            f"{scalar_type_name(input)}"
        )
    return Renorm.apply(input, p, d, maxnorm)


# ----- vdot ------------------------------------------------------------------------------
class Vdot(Node):
    """d sum(conj(a) b) = conj(grad) b for a, grad a for b"""

    def forward(self, a, b):
        self.save_for_backward(a, b)
        xp = self.xp
        return xp.asarray(xp.vdot(a, b)).astype(a.dtype, copy=False)

    def backward(self, grad):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        ga = grad.conj() * b if n[0] else None
        gb = grad * a if n[1] else None
        return ga, gb


_vdot_out = same_dtype_rule(
    "result dtype {out} does not match input dtype {result}", scalar_type_name
)


@op(
    Vdot,
    methods="vdot",
    vmap=LOOP,
    spec=(
        OpSpec("vdot", lambda t, a, b: t.vdot(a, b), [((4,), (4,)), ((0,), (0,))], shapes=None),
        OpSpec(
            "vdot_complex",
            lambda t, a, b: t.view_as_real(
                t.vdot(_widened_complex(t, a, b), _widened_complex(t, b, a * 2))
            ),
            [((3,), (3,))],
            shapes=None,
            dtypes=("float64",),
            second_order=False,
        ),
    ),
    out=_vdot_out,
)
def vdot(input, other):
    """``sum(conj(input) * other)`` of two 1-D tensors."""
    require_tensor(input, "vdot", "input", 1)
    require_tensor(other, "vdot", "other", 2)
    if input._data.ndim != 1 or other._data.ndim != 1:
        raise RuntimeError(
            f"1D tensors expected, but got {input._data.ndim}D and {other._data.ndim}D tensors"
        )
    _check_dot(input, other)
    return Vdot.apply(input, other)


# ----- sum_to_size -----------------------------------------------------------------------
def _size_arg(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, int) or isinstance(s, bool):
            raise TypeError(
                "sum_to_size(): argument 'size' (position 1) must be tuple of ints, not "
                f"{type(s).__name__}"
            )
    return tuple(size)


def sum_to_size(self, *size):
    """``self`` summed down to ``size``, a shape that broadcasts to ``self``'s."""
    if not size:
        raise TypeError('sum_to_size() missing 1 required positional arguments: "size"')
    size = _size_arg(size)
    shape = tuple(self._data.shape)
    lead = len(shape) - len(size)
    if lead < 0 or any(s != 1 and s != shape[lead + i] for i, s in enumerate(size)):
        raise RuntimeError(f"size {{{list(size)}}} is not expandable to size {{{list(shape)}}}.")
    if size == shape:
        return self
    dims = [lead + i for i, s in enumerate(size) if s == 1 and shape[lead + i] != 1]
    out = self.sum(list(range(lead)) + dims, keepdim=True) if lead or dims else self
    return out.view(size) if lead else out


declare(
    None,
    sum_to_size,
    methods="sum_to_size",
    public=False,
    spec=OpSpec(
        "sum_to_size",
        lambda t, a: a.sum_to_size(1, 4) + a.sum_to_size((4,)) + a.sum_to_size(3, 1).sum(),
        [((3, 4),), ((2, 3, 4),)],
        shapes=None,
    ),
)

__all__ = public_names(__name__)
