"""Inverses, determinants and general linear solves: linalg.inv(_ex), det, slogdet, logdet,
linalg.solve(_ex) and the top-level inverse.

Every op takes batches of matrices.  Backward rules are PyTorch's formulas written with
these same ops (so they record for higher orders): for instance d inv(A) = -A^-T G A^-T.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import np as _np
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from . import _out
from ._binary import needs
from ._linalg_common import (
    LinAlgError,
    batch_prefix,
    check_float,
    check_matrix,
    check_same_dtype,
    check_square,
    linalg,
    lu_array,
    square_float,
    write_out,
)
from ._linalg_common import well_conditioned as _sq
from ._spec import OpSpec
from .clamp import tensor_arg
from .registry import LOOP, op, public_names
from .where import where

InvExResult = return_type("linalg_inv_ex", "inverse", "info")
SlogdetResult = return_type("linalg_slogdet", "sign", "logabsdet")
SolveExResult = return_type("linalg_solve_ex", "result", "info")
_NP_ERROR = _np.linalg.LinAlgError
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
    return write_out("linalg.inv", result, out, A)


@op(None, public=False, out="same")
def linalg_inv_ex(A, *, check_errors=False):
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
    square_float("linalg.det", A)
    return write_out("linalg.det", LinalgDet.apply(A), out, A)


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
    square_float("linalg.slogdet", A)
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
            "linalg_solve",
            lambda t, a, b: linalg(t).solve(a, b),
            _SOLVE,
            shapes=None,
            domain=_sq,
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
    return write_out("linalg.solve", LinalgSolveEx.apply(A, B, bool(left), vector), out, A, B)


@op(None, public=False, out="same")
def linalg_solve_ex(A, B, *, left=True, check_errors=False):
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


__all__ = public_names(__name__)
