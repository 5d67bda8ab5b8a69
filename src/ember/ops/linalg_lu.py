"""LU with partial pivoting: linalg.lu_factor(_ex), linalg.lu, linalg.lu_solve and the
top-level lu_unpack.

``A = P L U``.  The gradient is PyTorch's: for square A,
``gA = P L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T``; wide and tall matrices first move
the gradient of the extra columns of U (rows of L) onto the square part.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import np as _np
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ._binary import not_implemented
from ._linalg_common import (
    batch_prefix,
    check_float,
    check_matrix,
    linalg,
    lu_array,
    permutation_from_pivots,
)
from ._spec import OpSpec
from .clamp import tensor_arg
from .linalg_triangular import linalg_solve_triangular as _tri
from .registry import LOOP, op, public_names

LuFactorResult = return_type("linalg_lu_factor", "LU", "pivots")
LuFactorExResult = return_type("linalg_lu_factor_ex", "LU", "pivots", "info")
LuResult = return_type("linalg_lu", "P", "L", "U")
LuUnpackResult = return_type("lu_unpack", "P", "L", "U")


def _permutation_matrix(pivots, m, dtype):
    """P with ``A = P L U`` for LAPACK pivots: P[perm[i], i] = 1."""
    perm = permutation_from_pivots(pivots, m)
    p = _np.zeros(perm.shape + (m,), dtype)
    _np.put_along_axis(p, perm[..., :, None], 1, axis=-1)
    return p.swapaxes(-1, -2).copy()


def _split(lu, m, n):
    """L (unit lower, m x k) and U (upper, k x n) from the packed factors (Ember ops)."""
    k = min(m, n)
    eye = Tensor._make(_np.eye(m, k, dtype=lu._data.dtype))
    return lu[..., :, :k].tril(-1) + eye, lu[..., :k, :].triu()


def _square_backward(low, up, gl, gu):
    """L^-T (tril(L^T gL, -1) + triu(gU U^T)) U^-T for square L U."""
    r = (low.mT @ gl).tril(-1) + (gu @ up.mT).triu()
    x = _tri(up.mT, r, upper=False, left=False)
    return _tri(low.mT, x, upper=True, unitriangular=True)


def lu_backward(p, low, up, gl, gu):
    """d(P L U) for the gradients ``gl`` of L and ``gu`` of U (either may be None)."""
    m, n = low.shape[-2], up.shape[-1]
    gl = low * 0 if gl is None else gl
    gu = up * 0 if gu is None else gu
    if m == n:
        return p @ _square_backward(low, up, gl, gu)
    from .join import cat

    if m < n:  # wide: A = P L [U1 | U2]
        u1, u2, gu1, gu2 = up[..., :m], up[..., m:], gu[..., :m], gu[..., m:]
        gl = gl - _tri(low.mT, gu2, upper=True, unitriangular=True) @ u2.mT
        left = _square_backward(low, u1, gl, gu1)
        right = _tri(low.mT, gu2, upper=True, unitriangular=True)
        return p @ cat([left, right], -1)
    # tall: A = P [L1; L2] U
    l1, l2, gl1, gl2 = low[..., :n, :], low[..., n:, :], gl[..., :n, :], gl[..., n:, :]
    gu = gu - _tri(up.mT, l2.mT @ gl2, upper=False, left=False)
    top = _square_backward(l1, up, gl1, gu)
    bottom = _tri(up.mT, gl2, upper=False, left=False)
    return p @ cat([top, bottom], -2)


class LinalgLuFactorEx(Node):
    """The packed LU factors: gLU split into gL (below the diagonal) and gU, then PyTorch's
    LU rule"""

    materialize_grads = False

    def forward(self, a):
        lu, pivots, info = lu_array(a)
        self.pivots = pivots
        self.save_for_backward(lu)
        return lu, pivots, info

    def differentiable_outputs(self, n):
        return (True, False, False)

    def backward(self, grad, *rest):
        if grad is None:
            return (None,)
        (lu,) = self.saved_tensors
        m, n = lu.shape[-2:]
        k = min(m, n)
        low, up = _split(lu, m, n)
        p = Tensor._make(_permutation_matrix(self.pivots, m, lu._data.dtype))
        return (lu_backward(p, low, up, grad[..., :, :k].tril(-1), grad[..., :k, :].triu()),)


class LinalgLu(Node):
    """A = P L U: PyTorch's LU rule (P has no gradient)"""

    materialize_grads = False

    def forward(self, a):
        lu, pivots, _ = lu_array(a)
        m, n = a.shape[-2:]
        k = min(m, n)
        p = _permutation_matrix(pivots, m, a.dtype)
        low = _np.tril(lu[..., :, :k], -1) + _np.eye(m, k, dtype=a.dtype)
        up = _np.triu(lu[..., :k, :])
        self.save_for_backward(p, low, up)
        return p, low, up

    def differentiable_outputs(self, n):
        return (False, True, True)

    def backward(self, gp, gl, gu):
        if gl is None and gu is None:
            return (None,)
        p, low, up = self.saved_tensors
        return (lu_backward(p, low, up, gl, gu),)


def _lu_args(name, A, pivot):
    tensor_arg(name, A, "A", 1)
    check_matrix(name, A)
    if A._data.dtype.kind not in "fc":
        raise not_implemented("lu_cpu", A)
    check_float(name, A)
    if not pivot:
        raise RuntimeError(f"{name}: LU without pivoting is not implemented on the CPU")


_LU = [((3, 3),), ((2, 4, 4),), ((2, 4),), ((4, 2),)]


@op(
    LinalgLuFactorEx,
    grad_fn="LinalgLuFactorExBackward0",
    public=False,
    vmap=LOOP,
    spec=OpSpec("linalg_lu_factor_ex", lambda t, a: linalg(t).lu_factor_ex(a)[0], _LU, shapes=None),
    out="same",
)
def linalg_lu_factor_ex(A, *, pivot=True, check_errors=False):
    """``(LU, pivots, info)``: the packed factors of ``A = P L U``, LAPACK's 1-based row
    swaps, and the 1-based index of the first zero pivot (0 when none)."""
    _lu_args("linalg.lu_factor_ex", A, pivot)
    lu, pivots, info = LinalgLuFactorEx.apply(A)
    if check_errors:
        _check_pivots("torch.linalg.lu_factor_ex", info)
    return LuFactorExResult(lu, pivots, info)


def _check_pivots(name, info):
    if info._data.any():
        prefix, k = batch_prefix(info._data)
        raise RuntimeError(
            f"{name}: {prefix}U[{k},{k}] is zero and using it on lu_solve would result in a "
            "division by zero. If you still want to perform the factorization, consider "
            "calling linalg.lu(A, pivot) or linalg.lu_factor_ex(A, pivot)"
        )


@op(
    None,
    public=False,
    spec=OpSpec("linalg_lu_factor", lambda t, a: linalg(t).lu_factor(a)[0], _LU[:2], shapes=None),
    out="same",
)
def linalg_lu_factor(A, *, pivot=True):
    """``(LU, pivots)`` of ``A = P L U`` (an error where U has a zero on its diagonal)."""
    _lu_args("linalg.lu_factor", A, pivot)
    lu, pivots, info = LinalgLuFactorEx.apply(A)
    _check_pivots("torch.linalg.lu_factor", info)
    return LuFactorResult(lu, pivots)


@op(
    LinalgLu,
    grad_fn="LinalgLuBackward0",
    public=False,
    vmap=LOOP,
    spec=OpSpec("linalg_lu", lambda t, a: linalg(t).lu(a)[1:], _LU, shapes=None),
    out="same",
)
def linalg_lu(A, *, pivot=True):
    """``(P, L, U)`` with ``A = P L U``: P a permutation, L unit lower triangular (m x k),
    U upper triangular (k x n), k = min(m, n)."""
    _lu_args("linalg.lu", A, pivot)
    return LuResult(*LinalgLu.apply(A))


@op(
    None,
    spec=OpSpec(
        "lu_unpack",
        lambda t, a: t.lu_unpack(*linalg(t).lu_factor(a))[1:],
        [((3, 3),), ((4, 2),)],
        shapes=None,
    ),
    out="same",
)
def lu_unpack(LU_data, LU_pivots, unpack_data=True, unpack_pivots=True):  # noqa: N803
    """``(P, L, U)`` from the packed factors and pivots of ``lu_factor``."""
    m, n = LU_data.shape[-2:]
    empty = Tensor._make(_np.empty((0,), LU_data._data.dtype))
    p = (
        Tensor._make(_permutation_matrix(LU_pivots._data, m, LU_data._data.dtype))
        if unpack_pivots
        else empty
    )
    if not unpack_data:
        return LuUnpackResult(p, empty, empty)
    low, up = _split(LU_data, m, n)
    return LuUnpackResult(p, low, up)


@op(
    None,
    public=False,
    spec=(
        OpSpec(
            "linalg_lu_solve",
            lambda t, a, b: linalg(t).lu_solve(*linalg(t).lu_factor(a), b),
            [((3, 3), (3, 2)), ((2, 3, 3), (2, 3, 1))],
            shapes=None,
        ),
        OpSpec(
            "linalg_lu_solve_adjoint_right",
            lambda t, a, b: linalg(t).lu_solve(
                *linalg(t).lu_factor(a), b, left=False, adjoint=True
            ),
            [((3, 3), (2, 3))],
            shapes=None,
        ),
    ),
    out="same",
)
def linalg_lu_solve(LU, pivots, B, *, left=True, adjoint=False):  # noqa: N803
    """The solution X of ``A X = B`` from A's ``lu_factor`` (``A^T X = B`` when
    ``adjoint``; ``X A = B`` when not ``left``)."""
    tensor_arg("linalg.lu_solve", B, "B", 3)
    if B._data.ndim < 2:
        raise RuntimeError("linalg.lu_solve: The input tensor B must have at least 2 dimensions.")
    if not left:  # X A = B  <=>  A^T X^T = B^T
        return linalg_lu_solve(LU, pivots, B.mT, adjoint=not adjoint).mT
    n = LU.shape[-1]
    low, up = _split(LU, n, n)
    p = Tensor._make(_permutation_matrix(pivots._data, n, LU._data.dtype))
    if not adjoint:  # A = P L U:  X = U^-1 L^-1 P^T B
        y = _tri(low, p.mT @ B, upper=False, unitriangular=True)
        return _tri(up, y, upper=True)
    # A^T = U^T L^T P^T:  X = P L^-T U^-T B
    y = _tri(up.mT, B, upper=False)
    return p @ _tri(low.mT, y, upper=True, unitriangular=True)


_LU_DEPRECATION = (
    "torch.lu is deprecated in favor of torch.linalg.lu_factor / torch.linalg.lu_factor_ex and "
    "will be removed in a future PyTorch release.\nLU, pivots = torch.lu(A, compute_pivots)\n"
    "should be replaced with\nLU, pivots = torch.linalg.lu_factor(A, compute_pivots)\nand\n"
    "LU, pivots, info = torch.lu(A, compute_pivots, get_infos=True)\nshould be replaced with\n"
    "LU, pivots, info = torch.linalg.lu_factor_ex(A, compute_pivots)"
)
_LU_SOLVE_DEPRECATION = (
    "torch.lu_solve is deprecated in favor of torch.linalg.lu_solveand will be removed in a "
    "future PyTorch release.\nNote that torch.linalg.lu_solve has its arguments reversed.\n"
    "X = torch.lu_solve(B, LU, pivots)\nshould be replaced with\nX = torch.linalg.lu_solve("
    "LU, pivots, B)"
)
LuWithInfoResult = return_type("_lu_with_info", "LU", "pivots", "info")


@op(
    None,
    methods="lu",
    spec=OpSpec("lu", lambda t, a: t.lu(a)[0], [((3, 3),)], shapes=None),
    out="same",
)
def lu(A, pivot=True, get_infos=False):  # noqa: N803 - PyTorch's name
    """The deprecated ``(LU, pivots)`` (with ``info`` when ``get_infos``): ``lu_factor``."""
    from ..autograd.callsite import warn

    warn(_LU_DEPRECATION)
    if get_infos:
        return LuWithInfoResult(*linalg_lu_factor_ex(A, pivot=pivot))
    factors, pivots = linalg_lu_factor(A, pivot=pivot)
    return factors, pivots


@op(
    None,
    methods="lu_solve",
    spec=OpSpec(
        "lu_solve",
        lambda t, b, a: t.lu_solve(b, *linalg(t).lu_factor(a)),
        [((3, 2), (3, 3))],
        shapes=None,
    ),
)
def lu_solve(b, LU_data, LU_pivots, *, out=None):  # noqa: N803 - PyTorch's names
    """The deprecated ``lu_solve(B, LU, pivots)``: ``linalg.lu_solve(LU, pivots, B)``."""
    from ..autograd.callsite import warn

    warn(_LU_SOLVE_DEPRECATION)
    return linalg_lu_solve(LU_data, LU_pivots, b, out=out)


__all__ = public_names(__name__)
