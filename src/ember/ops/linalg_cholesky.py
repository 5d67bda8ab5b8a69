"""Cholesky: linalg.cholesky(_ex), the deprecated top-level cholesky, and cholesky_solve and
cholesky_inverse from a factor."""

from __future__ import annotations

from ..autograd.callsite import warn
from ..autograd.node import Node
from ..backend import np as _np
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ._linalg_common import LinAlgError, batch_prefix, linalg, square_float, write_out
from ._spec import OpSpec
from .clamp import tensor_arg
from .linalg_triangular import linalg_solve_triangular
from .registry import LOOP, op, public_names

CholeskyExResult = return_type("linalg_cholesky_ex", "L", "info")
_NP_ERROR = _np.linalg.LinAlgError


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
    square_float(name, A)
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
    return write_out("linalg.cholesky", low, out, A)


@op(None, public=False, out="same")
def linalg_cholesky_ex(A, *, upper=False, check_errors=False):
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
    return write_out("cholesky", low, out, input)


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
    return write_out("cholesky_solve", x, out, B, L)


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
    return write_out("cholesky_inverse", linv.mT @ linv, out, L)


__all__ = public_names(__name__)


__all__ = public_names(__name__)
