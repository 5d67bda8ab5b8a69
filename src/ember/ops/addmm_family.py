"""``addbmm`` and ``addr`` (``beta * input + alpha * product``), and the in-place forms of
the whole ``add*`` product family: ``addmm_``, ``addmv_``, ``baddbmm_``, ``addbmm_``,
``addr_`` (``addmm`` and friends are declared in ``linalg``; their in-place forms live here).
"""

from __future__ import annotations

from .. import dtypes as _dt
from ..autograd.grad_mode import no_grad
from ..autograd.node import Node
from ..tensor_base import TensorBase as Tensor
from ..tensor_base import wrap_dim
from . import registry
from ._binary import type_word
from ._spec import OpSpec
from .inplace import check_inplace, commit, public_inplace
from .linalg import (
    addmm,
    addmv,
    baddbmm,
    check_expand,
    dtype_mismatch,
    not_implemented,
    require_tensor,
)
from .registry import declare, op, public_names


def _scaled(xp, out, c, beta, alpha):
    """``alpha * out + beta * c`` in ``out``'s dtype (``beta == 0`` ignores ``c``'s NaNs)."""
    if out.dtype.kind == "b":
        out = xp.logical_and(out, bool(alpha))
        return xp.logical_or(out, xp.logical_and(c, bool(beta))) if beta else out
    if alpha != 1:
        out = xp.multiply(out, alpha, out=out, casting="unsafe")
    if beta != 0:
        out = out + (c if beta == 1 else xp.multiply(c, beta).astype(out.dtype, copy=False))
    return out


class _AddProduct(Node):
    """Base of addbmm and addr: ``beta*c + alpha*product(a, b)``; a subclass gives the product
    and the gradients of its two factors."""

    def forward(self, c, a, b, beta, alpha):
        xp = self.xp
        out = self.product(xp, a, b)
        self.beta, self.alpha = beta, alpha
        n = self.needs_input_grad
        if n is not None:
            self.save_for_backward(a if n[2] else None, b if n[1] else None)
        return _scaled(xp, out, c, beta, alpha)

    def backward(self, grad):
        a, b = self.saved_tensors
        n = self.needs_input_grad
        gc = (grad if self.beta == 1 else grad * self.beta) if n[0] else None
        g = grad if self.alpha == 1 else grad * self.alpha
        return (gc, *self.factor_grads(g, a, b, n), None, None)


class Addbmm(_AddProduct):
    """d(beta*c + alpha*sum_b a[b] @ b[b]) = beta*grad; alpha*grad @ b[b]^T; alpha*a[b]^T @ grad"""

    @staticmethod
    def product(xp, a, b):
        return xp.matmul(a, b).sum(0, dtype=a.dtype)

    @staticmethod
    def factor_grads(g, a, b, n):
        g = g.unsqueeze(0)
        return (g @ b.mH if n[1] else None), (a.mH @ g if n[2] else None)


class Addr(_AddProduct):
    """d(beta*c + alpha*outer(u, v)) = beta*grad; alpha*grad @ conj(v); alpha*grad^T @ conj(u)"""

    @staticmethod
    def product(xp, u, v):
        return xp.multiply.outer(u, v) if u.dtype.kind != "b" else xp.logical_and.outer(u, v)

    @staticmethod
    def factor_grads(g, u, v, n):
        return (g @ v.conj() if n[1] else None), (g.mT @ u.conj() if n[2] else None)


def _same_dtype_out(name, out, result):
    # PyTorch checks out= as the kernel's "self" operand against mat2.
    if out._data.dtype != result._data.dtype:
        raise RuntimeError(
            f"self and mat2 must have the same dtype, but got {type_word(out)} and "
            f"{type_word(result)}"
        )


@op(Addbmm, methods="addbmm", vmap=registry.LOOP,
    spec=(OpSpec("addbmm", lambda t, c, a, b: t.addbmm(c, a, b, beta=0.5, alpha=2.0),
                 [((3, 2), (4, 3, 5), (4, 5, 2)), ((2,), (2, 3, 4), (2, 4, 2)),
                  ((), (1, 2, 2), (1, 2, 3))], shapes=None, atol=1e-4, rtol=1e-4),
          OpSpec("addbmm_default", lambda t, c, a, b: t.addbmm(c, a, b),
                 [((3, 1), (2, 3, 4), (2, 4, 2))], shapes=None, atol=1e-4, rtol=1e-4)),
    out=_same_dtype_out)  # fmt: skip
def addbmm(input, batch1, batch2, *, beta=1, alpha=1):
    """``beta * input + alpha * sum_b batch1[b] @ batch2[b]``."""
    factors = (("batch1", batch1), ("batch2", batch2))
    _require_tensors("addbmm", input, *factors)
    # PyTorch reads the result's size from the factors and expands the input to it before
    # it checks their ranks: too few dimensions fail as an index, a bad input as an expand.
    check_expand(input, (_size_at(batch1, 1), _size_at(batch2, 2)))
    _check_ranks(factors, 3, "{name} must be a 3D tensor")
    s1, s2 = batch1._data.shape, batch2._data.shape
    if s1[0] != s2[0]:
        raise RuntimeError(
            f"batch1 and batch2 must have same number of batches, got {s1[0]} and {s2[0]}"
        )
    if s1[2] != s2[1]:
        raise RuntimeError(
            f"Incompatible matrix sizes for bmm ({s1[1]}x{s1[2]} and {s2[1]}x{s2[2]})"
        )
    if input._data.dtype != batch2._data.dtype:
        raise dtype_mismatch(
            "self and mat2 must have the same dtype, but got {} and {}", input, batch2
        )
    if batch1._data.dtype != batch2._data.dtype:
        raise dtype_mismatch(
            "mat1 and mat2 must have the same dtype, but got {} and {}", batch1, batch2
        )
    if batch1._data.dtype.kind == "b":
        raise not_implemented("addbmm_impl_cpu_", batch1)
    _check_scalars(batch1._data.dtype, beta, alpha)
    return Addbmm.apply(input, batch1, batch2, beta, alpha)


def _require_tensors(fn, input, first, second):
    """PyTorch's error for an operand of ``fn`` that is not a tensor (factors: (name, t))."""
    for i, (name, x) in enumerate((("input", input), first, second)):
        require_tensor(x, fn, name, i + 1)


def _check_ranks(factors, ndim, message):
    """PyTorch's error (``message`` with ``name`` and ``ndim``) for a (name, tensor) factor
    without ``ndim`` dimensions."""
    for name, x in factors:
        if x._data.ndim != ndim:
            raise RuntimeError(message.format(name=name, ndim=x._data.ndim))


def _size_at(t, d):
    """``t.size(d)``, with PyTorch's index errors for a tensor with too few dimensions."""
    ndim = t._data.ndim
    if ndim == 0:
        raise IndexError(f"Dimension specified as {d} but tensor has no dimensions")
    return t._data.shape[wrap_dim(d, ndim)]


def _check_scalars(dtype, beta, alpha):
    if dtype.kind in "biu":
        for name, s in (("beta", beta), ("alpha", alpha)):
            if isinstance(s, float) or (isinstance(s, Tensor) and s._data.dtype.kind in "fc"):
                raise RuntimeError(
                    f"For integral input tensors, argument {name} must not be a floating point "
                    "number."
                )


@op(Addr, methods="addr", vmap=registry.LOOP,
    spec=(OpSpec("addr", lambda t, c, a, b: t.addr(c, a, b, beta=0.5, alpha=-2.0),
                 [((3, 2), (3,), (2,)), ((2,), (3,), (2,)), ((), (2,), (4,)), ((0, 2), (0,), (2,))],
                 shapes=None),
          OpSpec("addr_default", lambda t, c, a, b: t.addr(c, a, b), [((3, 1), (3,), (4,))],
                 shapes=None)), out="castable")  # fmt: skip
def addr(input, vec1, vec2, *, beta=1, alpha=1):
    """``beta * input + alpha * outer(vec1, vec2)``."""
    factors = (("vec1", vec1), ("vec2", vec2))
    _require_tensors("addr", input, *factors)
    _check_ranks(factors, 1, "addr: Expected 1-D argument {name}, but got {ndim}-D")
    shape = (vec1._data.shape[0], vec2._data.shape[0])
    check_expand(input, shape)
    dtype = _dt.result_type(input, vec1, vec2)
    _check_scalars(dtype.np, beta, alpha)
    c, u, v = (x if x._data.dtype == dtype.np else x.to(dtype) for x in (input, vec1, vec2))
    return Addr.apply(c, u, v, beta, alpha)


# ----- in-place forms --------------------------------------------------------------------
def _same_shape(self, result):
    if tuple(self._data.shape) != tuple(result._data.shape):
        raise RuntimeError(
            f"Bad in-place call: input tensor size {list(self._data.shape)} and output tensor "
            f"size {list(result._data.shape)} should match"
        )


def _product_inplace(fn, name):
    def inplace_op(self, a, b, *, beta=1, alpha=1):
        check_inplace(self)
        result = fn(self, a, b, beta=beta, alpha=alpha)
        _same_shape(self, result)
        return commit(self, result, name)

    inplace_op.__name__ = inplace_op.__qualname__ = name
    inplace_op.__doc__ = f"In-place version of ``{fn.__name__}``."
    return inplace_op


addmm_ = _product_inplace(addmm, "addmm_")
addmv_ = _product_inplace(addmv, "addmv_")
baddbmm_ = _product_inplace(baddbmm, "baddbmm_")


def addr_(self, vec1, vec2, *, beta=1, alpha=1):
    """In-place version of ``addr``."""
    check_inplace(self)
    result = addr(self, vec1, vec2, beta=beta, alpha=alpha)
    if tuple(self._data.shape) != tuple(result._data.shape):
        raise RuntimeError(
            f"size mismatch, input: {list(self._data.shape)}, v1: {list(vec1._data.shape)}, "
            f"v2: {list(vec2._data.shape)}"
        )
    return commit(self, result, "addr_")


def addbmm_(self, batch1, batch2, *, beta=1, alpha=1):
    """In-place version of ``addbmm`` (``self`` is resized to the result, as PyTorch does)."""
    check_inplace(self)
    result = addbmm(self, batch1, batch2, beta=beta, alpha=alpha)
    if tuple(self._data.shape) != tuple(result._data.shape):
        # PyTorch resizes self to the product's shape (reading self while it writes it);
        # Ember writes the out-of-place value.
        with no_grad():
            self.resize_(*result._data.shape)
    return commit(self, result, "addbmm_")


for _fn in (addmm_, addmv_, baddbmm_, addr_, addbmm_):
    declare(None, _fn, methods=_fn.__name__, public=False)
addmv_ = public_inplace("addmv_")

__all__ = public_names(__name__)
