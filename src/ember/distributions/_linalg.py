"""The few linear-algebra pieces the multivariate distributions need, with gradients.

``cholesky`` and ``solve_triangular`` are differentiable ``Function``s whose backward is
written with Ember ops (so it records for higher orders); the library's own linalg ops
replace them here once they exist.
"""

from __future__ import annotations

import ember

from ..autograd import Function
from ..backend import np
from ..ops._linalg_common import solve_triangular_array


def _tensor(array):
    return ember.Tensor._make(np.ascontiguousarray(array))


def cholesky_info(array):
    """PyTorch's ``cholesky_ex(...).info``: 0 where a matrix factors, else the failing order."""
    a = np.asarray(array)
    flat = a.reshape((-1,) + a.shape[-2:])
    info = np.zeros(flat.shape[0], dtype=np.int32)
    for i, m in enumerate(flat):
        try:
            np.linalg.cholesky(m)
        except np.linalg.LinAlgError:
            info[i] = _failing_order(m)
    return info.reshape(a.shape[:-2])


def _failing_order(m):
    for k in range(1, m.shape[-1] + 1):
        try:
            np.linalg.cholesky(m[:k, :k])
        except np.linalg.LinAlgError:
            return k
    return m.shape[-1]


def _not_pd_error(array):
    info = cholesky_info(array)
    bad = np.flatnonzero(info.reshape(-1))
    first = int(bad[0]) if bad.size else 0
    order = int(info.reshape(-1)[first]) if bad.size else array.shape[-1]
    where = f"(Batch element {first}): " if np.ndim(array) > 2 else ""
    return RuntimeError(
        f"linalg.cholesky: {where}The factorization could not be completed because the input "
        f"is not positive-definite (the leading minor of order {order} is not "
        "positive-definite)."
    )


class _Cholesky(Function):
    """dA = L^-H sym(tril(L^H dL)) L^-1, the diagonal halved (A = L L^H)."""

    @staticmethod
    def forward(ctx, a):
        try:
            low = np.linalg.cholesky(a._data)
        except np.linalg.LinAlgError:
            raise _not_pd_error(a._data) from None
        out = _tensor(low)
        ctx.save_for_backward(out)
        return out

    @staticmethod
    def backward(ctx, grad):
        (low,) = ctx.saved_tensors
        p = ember.matmul(low.mT, grad).tril()
        sym = 0.5 * (p + p.tril(-1).mT)
        left = solve_triangular(low.mT, sym, upper=True)
        return solve_triangular(low.mT, left.mT, upper=True).mT


class _SolveTriangular(Function):
    """X = A^-1 B: dB = A^-H dX, dA = -dB X^H restricted to A's triangle."""

    @staticmethod
    def forward(ctx, a, b, upper, unitriangular):
        out = _tensor(solve_triangular_array(a._data, b._data, upper, unitriangular))
        ctx.save_for_backward(a, out)
        ctx.upper = upper
        ctx.unit = unitriangular
        return out

    @staticmethod
    def backward(ctx, grad):
        a, x = ctx.saved_tensors
        gb = solve_triangular(a.mT, grad, upper=not ctx.upper, unitriangular=ctx.unit)
        ga = None
        if ctx.needs_input_grad[0]:
            ga = -ember.matmul(gb, x.mT)
            offset = 1 if ctx.unit else 0
            ga = ga.triu(offset) if ctx.upper else ga.tril(-offset)
        return ga, gb, None, None


def cholesky(a):
    """The lower Cholesky factor L of a (batch of) symmetric positive-definite matrices."""
    op = getattr(getattr(ember, "linalg", None), "cholesky", None)
    return op(a) if op is not None else _Cholesky.apply(a)


def solve_triangular(a, b, *, upper, unitriangular=False):
    """X with A X = B for a triangular A (``torch.linalg.solve_triangular``, left side)."""
    op = getattr(getattr(ember, "linalg", None), "solve_triangular", None)
    if op is not None:
        return op(a, b, upper=upper, unitriangular=unitriangular)
    return _SolveTriangular.apply(a, b, upper, unitriangular)


def eigvalsh(a):
    """Eigenvalues of symmetric matrices, ascending (no gradient: used only by constraints)."""
    return ember.Tensor._make(np.linalg.eigvalsh(np.asarray(a._data)))


def eye_like(a, n):
    """An n x n identity with ``a``'s dtype and device."""
    return ember.eye(n, dtype=a.dtype, device=a.device)


def matrix_inverse_from_tril(low):
    """(L L^T)^-1 from its Cholesky factor L (``torch.cholesky_inverse``)."""
    inv = solve_triangular(low, eye_like(low, low.shape[-1]).expand(low.shape), upper=False)
    return ember.matmul(inv.mT, inv)


def batch_mv(bmat, bvec):
    """Matrix times vector over broadcast batch dims."""
    return ember.matmul(bmat, bvec.unsqueeze(-1)).squeeze(-1)
