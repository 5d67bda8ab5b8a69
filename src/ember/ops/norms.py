"""Vector norms: ``norm`` (PyTorch records ``linalg.vector_norm``'s node for it)."""

from __future__ import annotations

import builtins

from .. import dtypes as _dt
from ..backend import np as _np
from . import _out, batching
from ._spec import OpSpec
from .reduce import (
    ALL_DIMS,
    DIM_SAMPLES,
    NONEMPTY_SAMPLES,
    SAMPLES,
    SavedReduction,
    numel,
    reduced_dims,
)
from .registry import op, public_names

_INF = float("inf")


class VectorNorm(SavedReduction):
    """d ||x||_p = sign(x) |x|^(p-1) / ||x||^(p-1) * grad (0 where the norm is 0)"""

    def forward(self, x, p, dims, keepdim):
        xp = self.xp
        self.p, self.dims, self.keepdim, self.in_shape = p, dims, keepdim, x.shape
        if not x.ndim and p != 0:  # one value: its magnitude (PyTorch does not square it)
            out = xp.asarray(abs(x[()]))
            self.save_for_backward(x, out)
            return out
        if p == 2 and x.dtype.kind == "f":  # the common case, lean: no abs
            if x.size and numel(x.shape, dims) == 1:  # one value per result: as above
                out = xp.abs(x).sum(axis=dims, keepdims=keepdim)
                out = xp.asarray(out, dtype=x.dtype)
                self.save_for_backward(x, out)
                return out
            if xp is _np:  # NumPy's ufunc reduce: cheaper than the .sum() method
                total = _np.add.reduce(x * x, axis=dims, keepdims=keepdim)
            else:
                total = (x * x).sum(axis=dims, keepdims=keepdim)
            out = xp.asarray(xp.sqrt(total), dtype=x.dtype)
            self.save_for_backward(x, out)
            return out
        a = xp.abs(x)
        if p == 2:
            out = xp.sqrt(xp.sum(a * a, axis=dims, keepdims=keepdim))
        elif p == 1:
            out = xp.sum(a, axis=dims, keepdims=keepdim)
        elif p == _INF:
            out = xp.amax(a, axis=dims, keepdims=keepdim)
        elif p == -_INF:
            out = xp.amin(a, axis=dims, keepdims=keepdim)
        elif p == 0:
            out = xp.sum(a != 0, axis=dims, keepdims=keepdim).astype(a.dtype)
        else:
            with _np.errstate(divide="ignore"):
                out = xp.sum(a**p, axis=dims, keepdims=keepdim) ** (1.0 / p)
        out = xp.asarray(out, dtype=a.dtype)
        self.save_for_backward(x, out)
        return out

    def backward(self, grad):
        from .unary import abs as _abs
        from .unary import sign
        from .where import where

        p = self.p
        if p == 0:
            return None, None, None, None
        x, out = self.saved_tensors
        g = self.expanded(grad)
        if p == 1:
            return g * sign(x), None, None, None
        n = self.expanded(out)
        if p in (_INF, -_INF):
            mask = _abs(x) == n
            count = mask.sum(self.dims, keepdim=True) if self.dims else mask.long()
            return sign(x) * mask * (g / count), None, None, None
        nzero = n == 0
        a = _abs(x)
        if p < 1:
            xzero = x == 0
            scaled = sign(x) * where(xzero, 0.0, where(xzero, 1.0, a) ** (p - 1))
            return scaled * g * n ** (1 - p), None, None, None
        if p == 2:  # PyTorch's order: grad * (x / norm), so one tiny value gives 1, not inf
            return g * where(nzero, 0.0, x / where(nzero, 1.0, n)), None, None, None
        if p >= 2:
            n_safe = where(nzero, 1.0, n) ** (p - 1)
            scaled = x if p == 2 else x * a ** (p - 2)
            return scaled * where(nzero, 0.0, g / n_safe), None, None, None
        # 1 < p < 2: at a zero norm the masked quotient is inf, its second derivative NaN,
        # as in PyTorch.
        with _np.errstate(divide="ignore", invalid="ignore"):
            return sign(x) * a ** (p - 1) * where(nzero, 0.0, g / n ** (p - 1)), None, None, None


_R, _D, _M = SAMPLES, DIM_SAMPLES, NONEMPTY_SAMPLES


@op(
    VectorNorm,
    methods="norm",
    grad_fn="LinalgVectorNormBackward0",
    vmap=batching.norm,
    spec=(
        OpSpec("norm", lambda t, a: t.norm(a), _R),
        OpSpec("norm_dim", lambda t, a: a.norm(dim=1, keepdim=True), _D[:2]),
        OpSpec("norm_1", lambda t, a: a.norm(1), _R, second_order=False),
        OpSpec("norm_inf", lambda t, a: a.norm(float("inf"), dim=-1), _D),
        OpSpec("norm_neginf", lambda t, a: a.norm(-float("inf")), _M),
        OpSpec("norm_3", lambda t, a: t.norm(a, 3, 0), _D),
        OpSpec("norm_1_5", lambda t, a: a.norm(1.5), [((3, 4),), ((2, 3, 4),)], shapes=None),
        OpSpec("norm_half", lambda t, a: a.norm(0.5), [((3, 4),)], shapes=None, domain=(0.5, 2.0)),
        OpSpec("norm_0", lambda t, a: a.norm(0, dim=0), [((3, 4),)], shapes=None, fd=False),
        OpSpec("norm_fro", lambda t, a: a.norm("fro", (0, 2)), [((2, 3, 4),)], shapes=None),
    ),
)
def norm(input, p="fro", dim=None, keepdim=False, out=None, dtype=None):
    """The vector p-norm over ``dim`` (all elements by default); ``'fro'`` is the 2-norm.

    ``p`` may be any number, ``inf`` or ``-inf``; at a zero vector the gradient is 0.
    """
    data = input._data
    if (
        type(p) is str
        and p == "fro"
        and dim is None
        and not keepdim
        and out is None
        and dtype is None
    ):
        if data.dtype.kind == "f":  # the common call, x.norm(): every dimension, 2-norm
            return VectorNorm.apply(input, 2.0, ALL_DIMS[data.ndim], False)
    if dtype is not None:
        input = input.to(dtype)
        data = input._data
    if isinstance(p, str):
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if isinstance(dim, (list, tuple)) and len(dim) != 2 or p == "nuc":
            if p == "nuc" and isinstance(dim, (list, tuple)) and len(dim) == 2:
                raise NotImplementedError("norm(p='nuc') is not supported by Ember yet.")
            got = " ".join(str(d) for d in (dim if dim is not None else range(data.ndim)))
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {got}")
        p = 2
    if data.dtype.kind not in "fc" and _dt.kind_of(data.dtype) not in "fc":  # bfloat16: "V"
        raise RuntimeError(
            "linalg.vector_norm: Expected a floating point or complex tensor as input. "
            f"Got {_dt.scalar_type_name(data)}"
        )
    dims = reduced_dims(data, dim)
    if p in (_INF, -_INF) and data.size == 0:
        empty = data.ndim == 0 or builtins.any(data.shape[d] == 0 for d in dims)
        if empty:
            raise RuntimeError(
                f"linalg.vector_norm cannot compute the {'-' if p < 0 else ''}inf norm on an "
                "empty tensor because the operation does not have an identity"
            )
    if out is None:
        return VectorNorm.apply(input, float(p), dims, bool(keepdim))
    _out.check_out_tensors("norm", out, 1)
    _out.same_dtype(out, data.dtype)
    _out.refuse_grad("linalg_vector_norm", out, input)
    return _out.write(out, VectorNorm.apply(input, float(p), dims, bool(keepdim)))


__all__ = public_names(__name__)
