"""Inverses, determinants and linear solves: linalg.inv(_ex), det, slogdet, logdet,
linalg.solve(_ex), linalg.cholesky(_ex), linalg.solve_triangular, and the older top-level
inverse, cholesky, cholesky_solve, cholesky_inverse, triangular_solve.

Every op takes batches of matrices.  Backward rules are PyTorch's formulas written with
these same ops (so they record for higher orders): for instance d inv(A) = -A^-T G A^-T.
"""

from __future__ import annotations

from ..autograd.callsite import warn
from ..autograd.node import Node
from ..backend import np as _np
from ..tensor_base import TensorBase as Tensor
from . import _out
from ._binary import needs, not_implemented
from ._linalg_common import (
    LinAlgError,
    batch_prefix,
    check_float,
    check_matrix,
    check_same_dtype,
    check_square,
    linalg,
    lu_array,
    solve_triangular_array,
)
from ._spec import OpSpec
from .clamp import tensor_arg
from .registry import LOOP, op, public_names
from .sorting import return_type
from .where import where

InvExResult = return_type("linalg_inv_ex", "inverse", "info")
SlogdetResult = return_type("linalg_slogdet", "sign", "logabsdet")
SolveExResult = return_type("linalg_solve_ex", "result", "info")
CholeskyExResult = return_type("linalg_cholesky_ex", "L", "info")
TriangularSolveResult = return_type("triangular_solve", "solution", "cloned_coefficient")
_NP_ERROR = _np.linalg.LinAlgError


def _sq(z):
    """Well-conditioned test matrices: square ones near twice the identity."""
    if z.ndim >= 2 and z.shape[-1] == z.shape[-2]:
        return z * 0.3 + _np.eye(z.shape[-1]) * 2
    return z


_SQ = [((3, 3),), ((2, 4, 4),), ((0, 0),)]


# ----- inverse ------------------------------------------------------------------------------
def _inverse_array(xp, a):
    """``(inverse, info)``: LAPACK's values where ``a`` is invertible; where it is not, NaN
    and the 1-based index of the zero pivot."""
    try:
        return xp.linalg.inv(a), _np.zeros(a.shape[:-2], dtype=_np.int32)
    except _NP_ERROR:
        info = lu_array(_np.asarray(a))[2]
        flat = a.reshape((-1,) + a.shape[-2:])
        out = _np.full(flat.shape, _np.nan, dtype=a.dtype)
        for i, ok in enumerate(info.reshape(-1) == 0):
            if ok:
                out[i] = xp.linalg.inv(flat[i])
        return out.reshape(a.shape), info


class LinalgInvEx(Node):
    """d inv(A) = -inv(A)^T G inv(A)^T; info has no gradient"""

    materialize_grads = False

    def forward(self, a):
        out, info = _inverse_array(self.xp, a)
        self.save_for_backward(out)
        return out, info

    def differentiable_outputs(self, n):
        return (True, False)

    def backward(self, grad, grad_info=None):
        if grad is None:
            return (None,)
        (y,) = self.saved_tensors
        yt = y.mT
        return (-(yt @ grad @ yt),)


def _inv(name, A, check_errors=True):
    tensor_arg(name, A, "A", 1)
    base = name.replace("_ex", "")
    check_matrix(base, A)
    check_float(base, A)
    check_square(base, A)
    result, info = LinalgInvEx.apply(A)
    if check_errors and info._data.any():
        prefix, k = batch_prefix(info._data)
        raise LinAlgError(
            f"linalg.inv: {prefix}The diagonal element {k} is zero, the inversion could not be "
            "completed because the input matrix is singular."
        )
    return result, info


@op(
    LinalgInvEx,
    grad_fn="LinalgInvExBackward0",
    public=False,
    vmap=LOOP,
    spec=OpSpec("linalg_inv", lambda t, a: linalg(t).inv(a), _SQ, shapes=None, domain=_sq),
)
def linalg_inv(A, *, out=None):
    """The inverse of each square matrix in ``A`` (``LinAlgError`` for a singular one)."""
    result, _ = _inv("linalg.inv", A)
    return _write("linalg.inv", result, out, A)


@op(None, public=False)
def linalg_inv_ex(A, *, check_errors=False, out=None):
    """``(inverse, info)``: info is 0 for invertible matrices, else the zero pivot's index."""
    result, info = _inv("linalg.inv_ex", A, check_errors)
    return InvExResult(result, info)


@op(
    None,
    methods="inverse",
    spec=OpSpec("inverse", lambda t, a: t.inverse(a), _SQ[:2], shapes=None, domain=_sq),
)
def inverse(input, *, out=None):
    """The inverse of each square matrix (``torch.inverse``: ``linalg.inv``)."""
    return linalg_inv(input, out=out)


def _write(name, result, out, *inputs):
    if out is None:
        return result
    _out.check_out_tensors(name, out, 1)
    _out.refuse_grad(name, out, *inputs)
    return _out.write(out, result)


# ----- det / slogdet / logdet -------------------------------------------------------------
class LinalgDet(Node):
    """d det(A) = G det(A) inv(A)^T (0 at an exactly singular A, as PyTorch gives)"""

    def forward(self, a):
        out = self.xp.linalg.det(a) if a.size else _np.ones(a.shape[:-2], a.dtype)
        out = _np.asarray(out, dtype=a.dtype)
        self.save_for_backward(a, out)
        return out

    def backward(self, grad):
        a, out = self.saved_tensors
        g = (grad * out).unsqueeze(-1).unsqueeze(-1)
        if not (out._data == 0).any():
            return (g * linalg_inv(a).mT,)
        inverse = LinalgInvEx.apply(a)[0]  # NaN where singular: masked out below
        singular = (out == 0).unsqueeze(-1).unsqueeze(-1)
        return (where(singular, 0.0, g * inverse.mT),)


def _square_float(name, A):
    tensor_arg(name, A, "A", 1)
    check_matrix(name, A)
    check_float(name, A)
    check_square(name, A)


@op(
    LinalgDet,
    methods="det",
    grad_fn="LinalgDetBackward0",
    vmap=LOOP,
    spec=(
        OpSpec("det", lambda t, a: t.det(a), _SQ, shapes=None, domain=_sq),
        OpSpec("det_any", lambda t, a: linalg(t).det(a), [((3, 3),), ((2, 2, 2),)], shapes=None),
    ),
)
def det(A, *, out=None):
    """The determinant of each square matrix in ``A``."""
    _square_float("linalg.det", A)
    return _write("linalg.det", LinalgDet.apply(A), out, A)


class LinalgSlogdet(Node):
    """d log|det A| = G inv(A)^T; the sign contributes nothing"""

    def forward(self, a):
        if a.size:
            sign, logabs = self.xp.linalg.slogdet(a)
        else:
            sign, logabs = _np.ones(a.shape[:-2], a.dtype), _np.zeros(a.shape[:-2], a.dtype)
        self.save_for_backward(a)
        return _np.asarray(sign, a.dtype), _np.asarray(logabs, a.dtype)

    materialize_grads = False  # the sign requires grad, as in PyTorch, but carries none

    def backward(self, grad_sign, grad):
        if grad is None:
            return (None,)
        (a,) = self.saved_tensors
        return (grad.unsqueeze(-1).unsqueeze(-1) * LinalgInvEx.apply(a)[0].mT,)


@op(
    LinalgSlogdet,
    methods="slogdet",
    grad_fn="LinalgSlogdetBackward0",
    vmap=LOOP,
    spec=OpSpec("slogdet", lambda t, a: linalg(t).slogdet(a), _SQ[:2], shapes=None, domain=_sq),
)
def slogdet(A, *, out=None):
    """``(sign, log|det|)`` of each square matrix: the determinant without overflow."""
    _square_float("linalg.slogdet", A)
    sign, logabs = LinalgSlogdet.apply(A)
    if out is not None:
        _out.check_out_tensors("linalg.slogdet", out, 2)
        _out.refuse_grad("linalg.slogdet", out, A)
        sign, logabs = _out.write(out[0], sign), _out.write(out[1], logabs)
    return SlogdetResult(sign, logabs)


@op(
    None,
    methods="logdet",
    spec=OpSpec("logdet", lambda t, a: t.logdet(a), _SQ[:2], shapes=None, domain=_sq),
)
def logdet(input):
    """``log(det(input))``: NaN for a negative determinant, -inf for a singular matrix."""
    sign, logabs = slogdet(input)
    return where(sign == -1, _np.nan, logabs)


# ----- solve ------------------------------------------------------------------------------
def _vector_rhs(A, B):
    """PyTorch's rule: B is a (batch of) vector(s) when it is 1-d or has A's shape less the
    last dimension."""
    nb = B._data.ndim
    return nb == 1 or (nb == A._data.ndim - 1 and B.shape == A.shape[:-1])


class LinalgSolveEx(Node):
    """X = A^-1 B: dB = A^-T G, dA = -dB X^T (X A = B: dB = G A^-T, dA = -X^T dB)"""

    def forward(self, a, b, left, vector):
        xp = self.xp
        self.left, self.vector = left, vector
        bm = b[..., None] if vector else b
        lhs = a
        if not left:
            lhs, bm = a.swapaxes(-1, -2), bm.swapaxes(-1, -2)
        try:
            x = xp.linalg.solve(lhs, bm)
        except _NP_ERROR:
            raise LinAlgError(
                "torch.linalg.solve: The solver failed because the input matrix is singular."
            ) from None
        if not left:
            x = x.swapaxes(-1, -2)
        x = x[..., 0] if vector else x
        self.save_for_backward(a, x)
        return x

    def backward(self, grad):
        a, x = self.saved_tensors
        left, vector = self.left, self.vector
        gb = linalg_solve(a.mT, grad, left=left)
        ga = None
        if needs(self, 0):
            if vector:
                ga = -(gb.unsqueeze(-1) * x.unsqueeze(-2))
            elif left:
                ga = -(gb @ x.mT)
            else:
                ga = -(x.mT @ gb)
        return ga, gb, None, None


def _solve_args(name, A, B, left):
    tensor_arg(name, A, "A", 1)
    tensor_arg(name, B, "B", 2)
    check_float(name, A, B)
    check_square(name, A)
    check_same_dtype(name, A, B)
    vector = _vector_rhs(A, B) and left
    n = A.shape[-1]
    bm = B.shape + (1,) if vector or B._data.ndim == 1 else B.shape
    rows = bm[-2] if left else bm[-1]
    if rows != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"{name}: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and "
            f"{bm[-2]}x{bm[-1]})"
        )
    return vector


_SOLVE = [((3, 3), (3, 2)), ((2, 3, 3), (3,)), ((2, 3, 3), (2, 3)), ((3, 3), (2, 3, 1))]


@op(
    LinalgSolveEx,
    grad_fn="LinalgSolveExBackward0",
    public=False,
    vmap=LOOP,
    spec=(
        OpSpec(
            "linalg_solve", lambda t, a, b: linalg(t).solve(a, b), _SOLVE, shapes=None, domain=_sq
        ),
        OpSpec(
            "linalg_solve_right",
            lambda t, a, b: linalg(t).solve(a, b, left=False),
            [((3, 3), (2, 3))],
            shapes=None,
            domain=_sq,
        ),
    ),
)
def linalg_solve(A, B, *, left=True, out=None):
    """The solution X of ``A X = B`` (``X A = B`` when not ``left``) for square ``A``."""
    vector = _solve_args("linalg.solve", A, B, left)
    return _write("linalg.solve", LinalgSolveEx.apply(A, B, bool(left), vector), out, A, B)


@op(None, public=False)
def linalg_solve_ex(A, B, *, left=True, check_errors=False, out=None):
    """``(result, info)``: ``solve`` with info 0 where A is invertible, else its zero pivot."""
    vector = _solve_args("linalg.solve_ex", A, B, left)
    info = _np.asarray(lu_array(_np.asarray(A._data))[2]) if A._data.size else None
    if info is None or not info.any():
        return SolveExResult(
            LinalgSolveEx.apply(A, B, bool(left), vector),
            Tensor._make(_np.zeros(A.shape[:-2], _np.int32)),
        )
    if check_errors:
        raise LinAlgError(
            "torch.linalg.solve_ex: The solver failed because the input matrix is singular."
        )
    x = linalg_inv_ex(A).inverse
    result = x @ B.unsqueeze(-1) if vector else (x @ B if left else B @ x)
    return SolveExResult(result.squeeze(-1) if vector else result, Tensor._make(info))


# ----- cholesky ---------------------------------------------------------------------------
def cholesky_array(a):
    """``(L, info)`` for a batch of matrices (lower triangles read): LAPACK's factor where
    positive-definite; elsewhere the columns done before the failing order, as LAPACK leaves
    them, and info that order (1-based)."""
    try:
        return _np.linalg.cholesky(a), _np.zeros(a.shape[:-2], _np.int32)
    except _NP_ERROR:
        pass
    low = _np.tril(_np.array(a, copy=True))
    flat = low.reshape((-1,) + a.shape[-2:])
    info = _np.zeros(flat.shape[0], _np.int32)
    n = a.shape[-1]
    for b in range(flat.shape[0]):
        m = flat[b]
        for j in range(n):
            d = m[j, j] - m[j, :j] @ m[j, :j]
            if not d > 0:
                info[b] = j + 1
                break
            m[j, j] = _np.sqrt(d)
            m[j + 1 :, j] = (m[j + 1 :, j] - m[j + 1 :, :j] @ m[j, :j]) / m[j, j]
    return flat.reshape(a.shape), info.reshape(a.shape[:-2])


class LinalgCholeskyEx(Node):
    """dA = L^-T Phi(L^T G) L^-1 symmetrized, Phi taking the lower triangle with the diagonal
    halved (for ``upper``, G is the gradient of L^T); info has no gradient"""

    materialize_grads = False

    def forward(self, a, upper):
        self.upper = upper
        low, info = cholesky_array(a)
        out = low.swapaxes(-1, -2).copy() if upper else low
        self.save_for_backward(out)  # the output itself, so that its history is kept
        return out, info

    def differentiable_outputs(self, n):
        return (True, False)

    def backward(self, grad, grad_info=None):
        if grad is None:
            return None, None
        (out,) = self.saved_tensors
        low, g = (out.mT, grad.mT) if self.upper else (out, grad)
        phi = (low.mT @ g).tril()
        phi = phi - 0.5 * phi.diagonal(0, -2, -1).diag_embed()
        left = linalg_solve_triangular(low.mT, phi, upper=True)
        ga = linalg_solve_triangular(low.mT, left.mT, upper=True)
        return 0.5 * (ga + ga.mT), None


def _not_positive_definite(name, info):
    prefix, k = batch_prefix(info)
    return LinAlgError(
        f"{name}: {prefix}The factorization could not be completed because the input is not "
        f"positive-definite (the leading minor of order {k} is not positive-definite)."
    )


def _cholesky(name, node, A, upper, check_errors):
    _square_float(name, A)
    low, info = node.apply(A, bool(upper))
    if check_errors and info._data.any():
        raise _not_positive_definite(name, info._data)
    return low, info


def _spd_of(t, a):
    return a @ a.mT + a.shape[-1] * t.eye(a.shape[-1], dtype=a.dtype)


_SPD = [((3, 3),), ((2, 4, 4),)]


@op(
    LinalgCholeskyEx,
    grad_fn="LinalgCholeskyExBackward0",
    public=False,
    vmap=LOOP,
    spec=(
        OpSpec(
            "linalg_cholesky", lambda t, a: linalg(t).cholesky(_spd_of(t, a)), _SPD, shapes=None
        ),
        OpSpec(
            "linalg_cholesky_upper",
            lambda t, a: linalg(t).cholesky(_spd_of(t, a), upper=True),
            _SPD[:1],
            shapes=None,
        ),
    ),
)
def linalg_cholesky(A, *, upper=False, out=None):
    """The Cholesky factor L (``A = L L^T``; ``U = L^T`` when ``upper``) of each symmetric
    positive-definite matrix (its lower triangle is read)."""
    low, _ = _cholesky("linalg.cholesky", LinalgCholeskyEx, A, upper, True)
    return _write("linalg.cholesky", low, out, A)


@op(None, public=False)
def linalg_cholesky_ex(A, *, upper=False, check_errors=False, out=None):
    """``(L, info)``: ``cholesky`` with info 0 where A is positive-definite, else the order
    of its first leading minor that is not."""
    return CholeskyExResult(
        *_cholesky("linalg.cholesky_ex", LinalgCholeskyEx, A, upper, check_errors)
    )


class Cholesky(LinalgCholeskyEx):
    """The deprecated ``torch.cholesky``: the same rule as ``linalg.cholesky``"""


_CHOLESKY_DEPRECATION = (
    "torch.cholesky is deprecated in favor of torch.linalg.cholesky and will be removed in a "
    "future PyTorch release.\nL = torch.cholesky(A)\nshould be replaced with\nL = "
    "torch.linalg.cholesky(A)\nand\nU = torch.cholesky(A, upper=True)\nshould be replaced "
    "with\nU = torch.linalg.cholesky(A).mH\nThis transform will produce equivalent results "
    "for all valid (symmetric positive definite) inputs."
)


@op(
    Cholesky,
    methods="cholesky",
    vmap=LOOP,
    spec=OpSpec(
        "cholesky_deprecated",
        lambda t, a: t.cholesky(_spd_of(t, a)),
        _SPD[:1],
        shapes=None,
    ),
)
def cholesky(input, upper=False, *, out=None):
    """The deprecated ``torch.cholesky`` (``linalg.cholesky``, with PyTorch's warning)."""
    warn(_CHOLESKY_DEPRECATION)
    low, _ = _cholesky("linalg.cholesky", Cholesky, input, upper, True)
    return _write("cholesky", low, out, input)


# ----- triangular solves --------------------------------------------------------------------
class LinalgSolveTriangular(Node):
    """X = A^-1 B for triangular A: dB = A^-T G, dA = -dB X^T kept on A's triangle
    (X A = B: dB = G A^-T, dA = -X^T dB)"""

    def forward(self, a, b, upper, left, unitriangular):
        self.upper, self.left, self.unit = upper, left, unitriangular
        if left:
            x = solve_triangular_array(a, b, upper, unitriangular)
        else:
            x = solve_triangular_array(
                a.swapaxes(-1, -2), b.swapaxes(-1, -2), not upper, unitriangular
            ).swapaxes(-1, -2)
        self.save_for_backward(a, x)
        return x

    def backward(self, grad):
        a, x = self.saved_tensors
        up, left, unit = self.upper, self.left, self.unit
        gb = linalg_solve_triangular(a.mT, grad, upper=not up, left=left, unitriangular=unit)
        ga = None
        if needs(self, 0):
            ga = -(gb @ x.mT) if left else -(x.mT @ gb)
            ga = ga.triu(1 if unit else 0) if up else ga.tril(-1 if unit else 0)
        return ga, gb, None, None, None


def _triangular(z):
    return _sq(z)


_TRI = [((3, 3), (3, 2)), ((2, 3, 3), (3, 1)), ((3, 3), (2, 3, 4))]


@op(
    LinalgSolveTriangular,
    grad_fn="LinalgSolveTriangularBackward0",
    public=False,
    vmap=LOOP,
    spec=(
        OpSpec(
            "solve_triangular",
            lambda t, a, b: linalg(t).solve_triangular(a, b, upper=True),
            _TRI,
            shapes=None,
            domain=_triangular,
        ),
        OpSpec(
            "solve_triangular_right_unit",
            lambda t, a, b: linalg(t).solve_triangular(
                a, b, upper=False, left=False, unitriangular=True
            ),
            [((3, 3), (2, 3))],
            shapes=None,
            domain=_triangular,
        ),
    ),
)
def linalg_solve_triangular(A, B, *, upper, left=True, unitriangular=False, out=None):
    """The solution X of ``A X = B`` (``X A = B`` when not ``left``) for triangular ``A``
    (only its ``upper`` or lower triangle is read; its diagonal is taken as ones when
    ``unitriangular``)."""
    name = "linalg.solve_triangular"
    tensor_arg(name, A, "A", 1)
    tensor_arg(name, B, "B", 2)
    check_matrix(name, A)
    check_matrix(name, B, "B")
    if A._data.dtype.kind not in "fc":
        raise not_implemented("triangular_solve_cpu", A)
    check_square(name, A)
    if B._data.dtype != A._data.dtype:  # PyTorch computes in A's dtype
        B = B.to(A.dtype)
    n = A.shape[-1]
    if (B.shape[-2] if left else B.shape[-1]) != n:
        eq = "AX = B" if left else "XA = B"
        raise RuntimeError(
            f"{name}: Incompatible shapes of A and B for the equation {eq} ({n}x{n} and "
            f"{B.shape[-2]}x{B.shape[-1]})"
        )
    result = LinalgSolveTriangular.apply(A, B, bool(upper), bool(left), bool(unitriangular))
    return _write(name, result, out, A, B)


_TRIANGULAR_DEPRECATION = (
    "torch.triangular_solve is deprecated in favor of torch.linalg.solve_triangularand will "
    "be removed in a future PyTorch release.\ntorch.linalg.solve_triangular has its arguments "
    "reversed and does not return a copy of one of the inputs.\nX = torch.triangular_solve(B, "
    "A).solution\nshould be replaced with\nX = torch.linalg.solve_triangular(A, B)."
)


@op(
    None,
    methods="triangular_solve",
    spec=OpSpec(
        "triangular_solve",
        lambda t, b, a: t.triangular_solve(b, a, upper=False, transpose=True),
        [((3, 2), (3, 3))],
        shapes=None,
        domain=_triangular,
    ),
)
def triangular_solve(input, A, upper=True, transpose=False, unitriangular=False, *, out=None):
    """The deprecated ``(solution, cloned_coefficient)`` of ``A X = input`` (``A^T X = input``
    when ``transpose``)."""
    warn(_TRIANGULAR_DEPRECATION)
    a = A.mT if transpose else A
    x = linalg_solve_triangular(a, input, upper=upper != transpose, unitriangular=unitriangular)
    return TriangularSolveResult(x, A.clone())


def _factor(L, upper):
    return L.mT if upper else L


@op(
    None,
    methods="cholesky_solve",
    spec=OpSpec(
        "cholesky_solve",
        lambda t, b, a: t.cholesky_solve(b, linalg(t).cholesky(_spd_of(t, a))),
        [((3, 2), (3, 3)), ((2, 3, 1), (3, 3))],
        shapes=None,
    ),
)
def cholesky_solve(B, L, upper=False, *, out=None):
    """The solution X of ``A X = B`` given A's Cholesky factor ``L`` (``U`` when ``upper``)."""
    tensor_arg("cholesky_solve", B, "input", 1)
    if B._data.ndim < 2:
        raise RuntimeError(
            f"b should have at least 2 dimensions, but has {B._data.ndim} dimensions instead"
        )
    low = _factor(L, upper)
    y = linalg_solve_triangular(low, B, upper=False)
    x = linalg_solve_triangular(low.mT, y, upper=True)
    return _write("cholesky_solve", x, out, B, L)


@op(
    None,
    methods="cholesky_inverse",
    spec=OpSpec(
        "cholesky_inverse",
        lambda t, a: t.cholesky_inverse(linalg(t).cholesky(_spd_of(t, a))),
        [((3, 3),)],
        shapes=None,
    ),
)
def cholesky_inverse(L, upper=False, *, out=None):
    """``A^-1`` from A's Cholesky factor ``L`` (``U`` when ``upper``)."""
    tensor_arg("cholesky_inverse", L, "input", 1)
    low = _factor(L, upper)
    eye = Tensor._make(_np.broadcast_to(_np.eye(low.shape[-1], dtype=low._data.dtype), low.shape))
    linv = linalg_solve_triangular(low, eye, upper=False)
    return _write("cholesky_inverse", linv.mT @ linv, out, L)


__all__ = public_names(__name__)
