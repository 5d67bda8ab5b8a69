"""Pseudo-inverses and least squares: linalg.pinv (and the top-level pinverse),
linalg.lstsq, linalg.matrix_rank.

The pseudo-inverse's gradient is the constant-rank rule
``-X^T G X^T + (I - A X) G^T X X^T + X^T X G^T (I - X A)`` (X = pinv(A)); lstsq's
solution differentiates as ``pinv(A) B``, as in PyTorch.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import np as _np
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ._linalg_common import check_float, check_matrix, check_square, linalg, write_out
from ._spec import OpSpec
from .clamp import tensor_arg
from .registry import LOOP, op, public_names

LstsqResult = return_type("linalg_lstsq", "solution", "residuals", "rank", "singular_values")


def _tolerances(a_dtype, m, n, atol, rtol):
    """PyTorch's (atol, rtol): rtol defaults to eps * max(m, n) unless atol is given."""
    if rtol is None:
        rtol = 0.0 if atol is not None and atol > 0 else _np.finfo(a_dtype).eps * max(m, n)
    return 0.0 if atol is None else atol, rtol


def _svals_cutoff(s, atol, rtol):
    top = s[..., :1] if s.shape[-1] else _np.zeros(s.shape[:-1] + (1,), s.dtype)
    return _np.maximum(atol, rtol * top)


def pinv_array(a, atol, rtol, hermitian):
    """The pseudo-inverse of each matrix, dropping singular values at or below the cutoff."""
    m, n = a.shape[-2:]
    if a.size == 0:
        return _np.zeros(a.shape[:-2] + (n, m), a.dtype)
    if hermitian:
        w, q = _np.linalg.eigh(a)
        s = _np.abs(w)
        keep = s > _svals_cutoff(_np.sort(s)[..., ::-1], atol, rtol)
        inv = _np.where(keep, 1 / _np.where(keep, w, 1), 0)
        return (q * inv[..., None, :]) @ q.swapaxes(-1, -2)
    u, s, vh = _np.linalg.svd(a, full_matrices=False)
    keep = s > _svals_cutoff(s, atol, rtol)
    inv = _np.where(keep, 1 / _np.where(keep, s, 1), 0)
    return (vh.swapaxes(-1, -2) * inv[..., None, :]) @ u.swapaxes(-1, -2)


def pinv_grad(a, x, g):
    """d pinv(A) for the gradient ``g`` of X = pinv(A) (constant rank)."""
    xt = x.mT
    m, n = a.shape[-2], a.shape[-1]
    eye_m = Tensor._make(_np.eye(m, dtype=a._data.dtype))
    eye_n = Tensor._make(_np.eye(n, dtype=a._data.dtype))
    gt = g.mT
    return -(xt @ g @ xt) + (eye_m - a @ x) @ gt @ x @ xt + xt @ x @ gt @ (eye_n - x @ a)


class LinalgPinv(Node):
    """X = pinv(A): dA = -X^T G X^T + (I - A X) G^T X X^T + X^T X G^T (I - X A)"""

    def forward(self, a, atol, rtol, hermitian):
        x = pinv_array(a, atol, rtol, hermitian).astype(a.dtype, copy=False)
        self.save_for_backward(a, x)
        return x

    def backward(self, grad):
        a, x = self.saved_tensors
        return pinv_grad(a, x, grad), None, None, None


def _pinv(name, A, atol, rtol, hermitian):
    tensor_arg(name, A, "A", 1)
    if A._data.dtype.kind not in "fc" or A._data.ndim < 2:
        word = {"f": "Float", "i": "Long", "b": "Bool"}.get(A._data.dtype.kind, "Float")
        shape = ", ".join(str(d) for d in A.shape)
        raise RuntimeError(
            f"linalg.pinv({word}{{[{shape}]}}): expected a tensor with 2 or more dimensions of "
            "float, double, cfloat or cdouble types"
        )
    if hermitian:
        check_square(name, A)
    m, n = A.shape[-2:]
    atol, rtol = _tolerances(A._data.dtype, m, n, atol, rtol)
    return LinalgPinv.apply(A, float(atol), float(rtol), bool(hermitian))


_PINV = [((4, 3),), ((3, 4),), ((2, 3, 3),)]


@op(LinalgPinv, grad_fn="LinalgPinvBackward0", public=False, vmap=LOOP,
    spec=(OpSpec("linalg_pinv", lambda t, a: linalg(t).pinv(a), _PINV, shapes=None),
          OpSpec("linalg_pinv_hermitian",
                 lambda t, a: linalg(t).pinv(a @ a.mT + t.eye(3, dtype=a.dtype), hermitian=True),
                 [((3, 3),)], shapes=None)))  # fmt: skip
def linalg_pinv(A, *, atol=None, rtol=None, hermitian=False, out=None):
    """The Moore-Penrose pseudo-inverse of each matrix (singular values at or below
    ``max(atol, rtol * largest)`` count as zero)."""
    return write_out("linalg.pinv", _pinv("linalg.pinv", A, atol, rtol, hermitian), out, A)


@op(None, methods="pinverse",
    spec=OpSpec("pinverse", lambda t, a: t.pinverse(a), _PINV[:1], shapes=None))  # fmt: skip
def pinverse(input, rcond=1e-15):
    """The pseudo-inverse (``torch.pinverse``: ``linalg.pinv`` with ``rtol=rcond``)."""
    return _pinv("pinverse", input, None, rcond, False)


# ----- lstsq ------------------------------------------------------------------------------
_DRIVERS = ("gels", "gelsy", "gelsd", "gelss")


class LinalgLstsq(Node):
    """X = pinv(A) B: dB = pinv(A)^T G, dA by the pseudo-inverse rule with G_X B^T"""

    materialize_grads = False

    def forward(self, a, b, rcond, driver, vector):
        xp = self.xp
        m, n = a.shape[-2:]
        bm = b[..., None] if vector else b
        batch = _np.broadcast_shapes(a.shape[:-2], bm.shape[:-2])
        af = _np.broadcast_to(a, batch + a.shape[-2:]).reshape((-1, m, n))
        bf = _np.broadcast_to(bm, batch + bm.shape[-2:]).reshape((-1, m, bm.shape[-1]))
        cut = rcond if rcond is not None else _np.finfo(a.dtype).eps * max(m, n)
        sols, ranks, svals = [], [], []
        for ai, bi in zip(af, bf):
            sol, _, rank, sv = xp.linalg.lstsq(ai, bi, rcond=cut)
            sols.append(sol)
            ranks.append(rank)
            svals.append(sv)
        k = bm.shape[-1]
        x = _np.array(sols, dtype=a.dtype).reshape(batch + (n, k))
        rank = _np.array(ranks, dtype=_np.int64).reshape(batch)
        sv = _np.array(svals, dtype=a.dtype).reshape(batch + (min(m, n),))
        if driver != "gelsy" and m > n and (rank == n).all():
            residuals = ((_np.broadcast_to(a, batch + (m, n)) @ x - bm) ** 2).sum(-2)
        else:
            residuals = _np.empty((0,), a.dtype)
        if driver not in ("gelsd", "gelss"):
            sv = _np.empty((0,), a.dtype)
        if driver == "gels":
            rank = _np.empty((0,), _np.int64)
        self.vector = vector
        self.save_for_backward(a, b)
        return (x[..., 0] if vector else x), residuals.astype(a.dtype), rank, sv

    def differentiable_outputs(self, n):
        return (True, True, False, False)

    def backward(self, grad, *rest):
        a, b = self.saved_tensors
        if grad is None:
            return None, None, None, None, None
        x = linalg_pinv(a)
        g = grad.unsqueeze(-1) if self.vector else grad
        bm = b.unsqueeze(-1) if self.vector else b
        gb = x.mT @ g
        ga = pinv_grad(a, x, g @ bm.mT)
        return ga, (gb.squeeze(-1) if self.vector else gb), None, None, None


@op(LinalgLstsq, grad_fn="LinalgLstsqBackward0", public=False, vmap=LOOP,
    spec=(OpSpec("linalg_lstsq", lambda t, a, b: linalg(t).lstsq(a, b).solution,
                 [((4, 3), (4, 2)), ((2, 3, 2), (2, 3, 1)), ((3, 2), (3,))], shapes=None),
          OpSpec("linalg_lstsq_gelsd",
                 lambda t, a, b: linalg(t).lstsq(a, b, driver="gelsd").solution, [((4, 3), (4, 2))],
                 shapes=None)))  # fmt: skip
def linalg_lstsq(A, B, rcond=None, *, driver=None):
    """``(solution, residuals, rank, singular_values)`` of the least-squares problem
    ``min ||A X - B||`` (what is filled in depends on ``driver``, as in PyTorch)."""
    name = "torch.linalg.lstsq"
    tensor_arg("linalg.lstsq", A, "self", 1)
    tensor_arg("linalg.lstsq", B, "b", 2)
    driver = "gelsy" if driver is None else driver
    if driver not in _DRIVERS:
        raise RuntimeError(
            f"{name}: parameter `driver` should be one of (gels, gelsy, gelsd, gelss)"
        )
    check_matrix("linalg.lstsq", A)
    check_float("linalg.lstsq", A, B)
    vector = B._data.ndim == A._data.ndim - 1
    rows = B.shape[-1] if vector else B.shape[-2]
    if rows != A.shape[-2]:
        raise RuntimeError(f"{name}: input.size(-2) should match other.size(-2)")
    return LstsqResult(*LinalgLstsq.apply(A, B, rcond, driver, vector))


# ----- matrix_rank ------------------------------------------------------------------------
@op(None, public=False,
    spec=OpSpec("linalg_matrix_rank", lambda t, a: linalg(t).matrix_rank(a),
                [((4, 3),), ((2, 2, 3),)], shapes=None, fd=False))  # fmt: skip
def linalg_matrix_rank(A, tol=None, hermitian=False, *, atol=None, rtol=None, out=None):
    """The number of singular values above ``max(atol, rtol * largest)`` in each matrix."""
    tensor_arg("linalg.matrix_rank", A, "input", 1)
    if A._data.dtype.kind != "f":
        raise RuntimeError("This function doesn't handle types other than float and double")
    check_matrix("linalg.matrix_rank", A)
    if tol is not None:
        atol, rtol = tol, 0.0
    m, n = A.shape[-2:]
    atol, rtol = _tolerances(A._data.dtype, m, n, atol, rtol)
    a = A._data
    if hermitian:
        s = _np.sort(_np.abs(_np.linalg.eigvalsh(a)))[..., ::-1] if a.size else a[..., 0, :0]
    else:
        s = _np.linalg.svd(a, compute_uv=False) if a.size else _np.zeros(a.shape[:-2] + (0,))
    rank = (s > _svals_cutoff(s, atol, rtol)).sum(-1).astype(_np.int64)
    return write_out("linalg.matrix_rank", Tensor._make(_np.asarray(rank)), out, A)


__all__ = public_names(__name__)
