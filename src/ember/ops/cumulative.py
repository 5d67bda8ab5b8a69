"""Running reductions along a dimension: cumsum, cumprod."""

from __future__ import annotations

from ..autograd.node import Node
from ..tensor_base import wrap_dim as _wrap_dim
from . import _out, batching
from ._spec import OpSpec
from .indexing_backward import backward_of
from .reduce import DIM_SAMPLES, SAMPLES, accumulated_dtype, half_zeros, need_dim, out_dtype
from .registry import declare, op, public_names


def _cum(xp, fn, x, dim, np_dtype=None):
    xw = x if x.ndim else x.reshape(1)
    return getattr(xp, fn)(xw, axis=dim, dtype=np_dtype).reshape(x.shape)


class Cumsum(Node):
    """d cumsum(x) = reversed cumulative sum of grad"""

    def forward(self, x, dim, np_dtype):
        self.dim = dim
        return _cum(self.xp, "cumsum", x, dim, np_dtype)

    def backward(self, grad):
        return RevCumsum.apply(grad, self.dim), None, None


class RevCumsum(Node):
    """d revcumsum(g) = cumsum of grad (the adjoint of cumsum)"""

    def forward(self, g, dim):
        xp = self.xp
        self.dim = dim
        if g.ndim == 0:
            return g.copy()
        return xp.flip(xp.cumsum(xp.flip(g, dim), axis=dim), dim)

    def backward(self, grad):
        return Cumsum.apply(grad, self.dim, None), None


class Cumprod(Node):
    """d cumprod(x)_i = sum_{j>=i} grad_j cumprod(x)_j / x_i, exact where x has zeros"""

    def forward(self, x, dim, np_dtype):
        self.dim = dim
        out = _cum(self.xp, "cumprod", x, dim, np_dtype)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        from .where import where

        x, out = self.saved_tensors
        d = self.dim
        if x._data.ndim == 0:
            return grad, None, None
        zero = x == 0
        if not zero._data.any():
            return RevCumsum.apply(grad * out, d) / x, None, None
        # Before a slice's first zero the division is exact; the first zero itself gets
        # the products with it left out; everything after it has gradient zero.
        seen = cumsum(zero, d)
        before = seen == 0
        first = zero & (seen == 1)
        part1 = RevCumsum.apply(grad * out, d) / where(before, x, 1.0)
        part2 = RevCumsum.apply(grad * Cumprod.apply(where(first, 1.0, x), d, None), d)
        return where(before, part1, where(first, part2, 0.0)), None, None


def _cumulative(name, node, input, dim, dtype, out):
    need_dim(name, dim)
    dtype = out_dtype(name, out, dtype)
    if out is not None and out._data.dtype.kind == "b":
        raise NotImplementedError(f"\"{name}_out_cpu\" not implemented for 'Bool'")
    if dtype is not None:
        input = input.to(dtype)
    np_dtype = accumulated_dtype(input._data, dtype)
    d = _wrap_dim(dim, input._data.ndim)
    if out is None:
        return node.apply(input, d, np_dtype)
    _out.refuse_grad(name, out, input)
    return _out.write(out, node.apply(input, d, np_dtype))


_R, _D = SAMPLES, DIM_SAMPLES


@op(Cumsum, methods="cumsum", vmap=batching.reduce,
    spec=(OpSpec("cumsum", lambda t, a: t.cumsum(a, 0), _R),
          OpSpec("cumsum_last", lambda t, a: a.cumsum(-1), _D)))  # fmt: skip
def cumsum(input, dim=None, *, dtype=None, out=None):
    """Cumulative sum along ``dim``; integers and bools accumulate as int64."""
    return _cumulative("cumsum", Cumsum, input, dim, dtype, out)


# PyTorch computes cumsum's gradient as flip(cumsum(flip(g))): its last node is a flip.
declare(RevCumsum, grad_fn="FlipBackward0", vmap=batching.reduce,
        spec=OpSpec("cumsum_backward", backward_of(lambda a: a.cumsum(1)), [((3, 4), (3, 4))],
                    shapes=None))  # fmt: skip


@op(Cumprod, methods="cumprod", vmap=batching.reduce,
    spec=(OpSpec("cumprod", lambda t, a: t.cumprod(a, 0), _R),
          OpSpec("cumprod_dim", lambda t, a: a.cumprod(1), _D[:2]),
          OpSpec("cumprod_zeros", lambda t, a: half_zeros(t, a).cumprod(1),
                 [((6, 4),), ((3, 5, 2),)])))  # fmt: skip
def cumprod(input, dim=None, *, dtype=None, out=None):
    """Cumulative product along ``dim``; integers and bools accumulate as int64."""
    return _cumulative("cumprod", Cumprod, input, dim, dtype, out)


__all__ = public_names(__name__)
