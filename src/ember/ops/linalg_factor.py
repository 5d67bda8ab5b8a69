"""Factorizations: linalg.qr, linalg.svd, linalg.svdvals, linalg.eigh, linalg.eigvalsh.

Gradients are PyTorch's (real case): the QR rule of Walter and Lehmann, the SVD rule with
``F_ij = 1 / (s_j**2 - s_i**2)`` (only the first ``min(m, n)`` singular vectors count when
``full_matrices``), and the eigh rule on the skew part of ``Q^T G_Q``.  Like PyTorch's, they
are infinite or NaN where singular values or eigenvalues repeat.
"""

from __future__ import annotations

from ..autograd.node import Node
from ..backend import np as _np
from ..return_types import return_type
from ..tensor_base import TensorBase as Tensor
from ._linalg_common import (
    Eigendecomposition,
    check_float,
    check_matrix,
    check_square,
    linalg,
    write_out,
)
from ._spec import OpSpec
from .clamp import tensor_arg
from .linalg_triangular import linalg_solve_triangular
from .registry import LOOP, op, public_names
from .where import where

QrResult = return_type("linalg_qr", "Q", "R")
LegacyQrResult = return_type("qr", "Q", "R")
LegacySvdResult = return_type("svd", "U", "S", "V")
SvdResult = return_type("linalg_svd", "U", "S", "Vh")
EighResult = return_type("linalg_eigh", "eigenvalues", "eigenvectors")


# ----- QR ---------------------------------------------------------------------------------
def _qr_square_backward(q, r, gq, gr):
    """The QR rule for m >= n (reduced): (gQ + Q copyltu(M)) R^-T, M = R gR^T - gQ^T Q."""
    m = r @ gr.mT - gq.mT @ q
    low = m.tril(-1)
    b = gq + q @ (low + low.mT + m.diagonal(0, -2, -1).diag_embed())
    return linalg_solve_triangular(r.mT, b, upper=False, left=False)


class LinalgQr(Node):
    """A = QR: dA from (gQ, gR) by the Walter-Lehmann rule (wide A split as [X | Y])"""

    def forward(self, a, mode):
        self.mode = mode
        self.m, self.n = a.shape[-2:]
        if mode == "r":
            r = self.xp.linalg.qr(a, mode="r")
            self.save_for_backward(a, r)
            return _np.empty((0,), a.dtype), r
        q, r = self.xp.linalg.qr(a, mode=mode)
        self.save_for_backward(a, q, r)
        return q, r

    def backward(self, gq, gr):
        m, n = self.m, self.n
        if self.mode == "r":
            raise RuntimeError(
                "The derivative of linalg.qr depends on Q, which is not computed when mode='r'. "
                "Please use linalg.qr(A, mode='reduced') if you are going to differentiate "
                "through linalg.qr."
            )
        if self.mode == "complete" and m > n:
            raise RuntimeError(
                "The QR decomposition is not differentiable when mode='complete' and nrows > ncols."
            )
        a, q, r = self.saved_tensors
        if m >= n:
            return _qr_square_backward(q, r, gq, gr), None
        # Wide: A = [X | Y], R = [U | V] with X = Q U and V = Q^T Y.
        y = a[..., m:]
        gv = gr[..., m:]
        gx = _qr_square_backward(q, r[..., :m], gq + y @ gv.mT, gr[..., :m])
        from .join import cat

        return cat([gx, q @ gv], -1), None


def _qr_spec(name, fn, samples):
    return OpSpec(name, fn, samples, shapes=None)


@op(LinalgQr, grad_fn="LinalgQrBackward0", public=False, vmap=LOOP,
    spec=(_qr_spec("linalg_qr", lambda t, a: linalg(t).qr(a), [((4, 3),), ((3, 3),), ((2, 3, 2),)]),
          _qr_spec("linalg_qr_wide", lambda t, a: linalg(t).qr(a), [((2, 4),)]),
          _qr_spec("linalg_qr_complete", lambda t, a: linalg(t).qr(a, mode="complete"),
                   [((2, 4),)])),
    out="same")  # fmt: skip
def linalg_qr(A, mode="reduced"):
    """``(Q, R)`` with ``A = Q R``, Q with orthonormal columns and R upper triangular
    (``mode``: ``"reduced"``, ``"complete"`` or ``"r"`` for R alone)."""
    tensor_arg("linalg.qr", A, "A", 1)
    if mode not in ("reduced", "complete", "r"):
        raise RuntimeError(
            f"qr received unrecognized mode '{mode}' but expected one of 'reduced' (default), "
            "'r', or 'complete'"
        )
    check_matrix("linalg.qr", A)
    check_float("linalg.qr", A)
    return QrResult(*LinalgQr.apply(A, mode))


# ----- SVD --------------------------------------------------------------------------------
def _svd_backward(u, s, vh, gu, gs, gvh):
    """PyTorch's SVD rule (real, reduced): U [(F o skew(U^T gU)) S + diag(gS)
    + S (F o skew(V^T gV))] V^T plus the parts outside the spans of U and V."""
    v = vh.mT
    ds = s.diag_embed()
    inner = gs.diag_embed() if gs is not None else None
    if gu is None and gvh is None:
        return u @ inner @ vh
    s2 = s * s
    diff = s2.unsqueeze(-2) - s2.unsqueeze(-1)  # s_j**2 - s_i**2
    k = s.shape[-1]
    off = Tensor._make(~_np.eye(k, dtype=bool))
    f = where(off, 1 / where(off, diff, 1.0), 0.0)
    total = inner if inner is not None else u.new_zeros(u.shape[:-2] + (k, k))
    m, n = u.shape[-2], v.shape[-2]
    if gu is not None:
        utgu = u.mT @ gu
        total = total + (f * (utgu - utgu.mT)) @ ds
    if gvh is not None:
        gv = gvh.mT
        vtgv = v.mT @ gv
        total = total + ds @ (f * (vtgv - vtgv.mT))
    ga = u @ total @ vh
    sinv = (1 / s).unsqueeze(-2)
    if gu is not None and m > k:
        ga = ga + ((gu - u @ (u.mT @ gu)) * sinv) @ vh
    if gvh is not None and n > k:
        gv = gvh.mT
        ga = ga + (u * sinv) @ (gv - v @ (v.mT @ gv)).mT
    return ga


class LinalgSvd(Node):
    """A = U diag(S) Vh: PyTorch's SVD rule (see ``_svd_backward``)"""

    materialize_grads = False

    def forward(self, a, full_matrices, compute_uv):
        xp = self.xp
        self.full, self.uv = full_matrices, compute_uv
        m, n = a.shape[-2:]
        k = min(m, n)
        if a.size == 0:  # identities as bases, as LAPACK's
            cols, rows = (m, n) if full_matrices else (k, k)
            u = _np.broadcast_to(_np.eye(m, cols, dtype=a.dtype), a.shape[:-2] + (m, cols))
            vh = _np.broadcast_to(_np.eye(rows, n, dtype=a.dtype), a.shape[:-2] + (rows, n))
            u, vh, s = u.copy(), vh.copy(), _np.zeros(a.shape[:-2] + (k,), a.dtype)
        else:
            u, s, vh = xp.linalg.svd(a, full_matrices=full_matrices)
        if compute_uv:
            self.save_for_backward(u, s, vh)
            return u, s, vh
        self.save_for_backward(a)  # backward factors again, with history for higher orders
        return s

    def backward(self, *grads):
        if not self.uv:
            (a,) = self.saved_tensors
            u, s, vh = linalg_svd(a, full_matrices=False)
            return _svd_backward(u, s, vh, None, grads[0], None), None, None
        u, s, vh = self.saved_tensors
        gu, gs, gvh = grads
        # The thin factors carry the gradient (extra columns of a full basis do not).
        k = s.shape[-1]
        u, vh = u[..., :k], vh[..., :k, :]
        if gu is not None:
            gu = gu[..., :k]
        if gvh is not None:
            gvh = gvh[..., :k, :]
        if gs is None and gu is None and gvh is None:
            return None, None, None
        return _svd_backward(u, s, vh, gu, gs, gvh), None, None


def _svd_check(name, A):
    tensor_arg(name, A, "A", 1)
    check_matrix(name, A)
    check_float(name, A)


def _usv(t, a):
    """A gauge-free function of the SVD (singular vectors are defined up to sign)."""
    u, s, vh = linalg(t).svd(a, full_matrices=False)
    return (u * s.unsqueeze(-2)) @ vh, u @ u.mT, vh.mT @ vh


@op(LinalgSvd, grad_fn="LinalgSvdBackward0", public=False, vmap=LOOP,
    spec=(OpSpec("linalg_svd", _usv, [((4, 3),), ((3, 4),), ((2, 3, 3),)], shapes=None),
          OpSpec("linalg_svd_full", lambda t, a: _usv(t, a)[0] + 0 * linalg(t).svd(a)[0].sum(),
                 [((3, 2),)], shapes=None)),
    out="same")  # fmt: skip
def linalg_svd(A, full_matrices=True, *, driver=None):
    """``(U, S, Vh)`` with ``A = U diag(S) Vh``, singular values descending."""
    _svd_check("linalg.svd", A)
    return SvdResult(*LinalgSvd.apply(A, bool(full_matrices), True))


@op(None, public=False,
    spec=OpSpec("linalg_svdvals", lambda t, a: linalg(t).svdvals(a),
                [((4, 3),), ((2, 2, 3),), ((0, 2),)], shapes=None))  # fmt: skip
def linalg_svdvals(A, *, driver=None, out=None):
    """The singular values of each matrix in ``A``, descending."""
    _svd_check("linalg.svdvals", A)
    return write_out("linalg.svdvals", LinalgSvd.apply(A, False, False), out, A)


# ----- eigh -------------------------------------------------------------------------------
class LinalgEigh(Eigendecomposition):
    """A = Q diag(L) Q^T: dA = Q (diag(gL) + skew(Q^T gQ) / (L_j - L_i)) Q^T"""

    def forward(self, a, uplo, vectors):
        self.vectors, self.uplo = vectors, uplo
        if a.size:
            w, q = self.xp.linalg.eigh(a, UPLO=uplo)
        else:
            w, q = _np.zeros(a.shape[:-1], a.dtype), _np.zeros(a.shape, a.dtype)
        return self.outputs(a, w, q)

    def backward(self, *grads):
        w, q, gl, gq = self.factors(grads, self.uplo)
        if gl is None and gq is None:
            return None, None, None
        n = w.shape[-1]
        inner = gl.diag_embed() if gl is not None else q.new_zeros(q.shape[:-2] + (n, n))
        if gq is not None:
            qtg = q.mT @ gq
            skew = 0.5 * (qtg - qtg.mT)
            diff = w.unsqueeze(-2) - w.unsqueeze(-1)  # L_j - L_i
            off = Tensor._make(~_np.eye(n, dtype=bool))
            inner = inner + where(off, skew / where(off, diff, 1.0), 0.0)
        return q @ inner @ q.mT, None, None


def _eigh_check(name, A, UPLO):
    tensor_arg(name, A, "A", 1)
    check_matrix(name, A)
    check_float(name, A)
    check_square(name, A)
    if UPLO not in ("L", "U"):
        raise RuntimeError(f"Expected UPLO argument to be 'L' or 'U', but got {UPLO}")


def _sym(t, a):
    return a + a.mT


def _qlq(t, a):
    """A gauge-free function of eigh (eigenvectors are defined up to sign)."""
    w, q = linalg(t).eigh(_sym(t, a))
    return w, (q * w.unsqueeze(-2)) @ q.mT, q.abs()


@op(LinalgEigh, grad_fn="LinalgEighBackward0", public=False, vmap=LOOP,
    spec=(OpSpec("linalg_eigh", _qlq, [((3, 3),), ((2, 4, 4),)], shapes=None, atol=1e-4),
          OpSpec("linalg_eigh_upper", lambda t, a: linalg(t).eigh(_sym(t, a), UPLO="U")[0],
                 [((3, 3),)], shapes=None)),
    out="same")  # fmt: skip
def linalg_eigh(A, UPLO="L"):  # noqa: N803 - PyTorch's name
    """``(eigenvalues, eigenvectors)`` of symmetric matrices (ascending; only the ``UPLO``
    triangle is read)."""
    _eigh_check("linalg.eigh", A, UPLO)
    w, q = LinalgEigh.apply(A, UPLO, True)
    return EighResult(w, q)


@op(None, public=False,
    spec=OpSpec("linalg_eigvalsh", lambda t, a: linalg(t).eigvalsh(_sym(t, a)),
                [((3, 3),), ((2, 2, 2),)], shapes=None))  # fmt: skip
def linalg_eigvalsh(A, UPLO="L", *, out=None):  # noqa: N803 - PyTorch's name
    """The eigenvalues of symmetric matrices, ascending."""
    _eigh_check("linalg.eigvalsh", A, UPLO)
    return write_out("linalg.eigvalsh", LinalgEigh.apply(A, UPLO, False), out, A)


# ----- the older top-level forms ----------------------------------------------------------
_QR_DEPRECATION = (
    "torch.qr is deprecated in favor of torch.linalg.qr and will be removed in a future "
    "PyTorch release.\nThe boolean parameter 'some' has been replaced with a string parameter "
    "'mode'.\nQ, R = torch.qr(A, some)\nshould be replaced with\nQ, R = torch.linalg.qr(A, "
    "'reduced' if some else 'complete')"
)


@op(None, methods="qr", spec=OpSpec("qr", lambda t, a: t.qr(a).R.abs(), [((4, 3),)], shapes=None),
    out="same")  # fmt: skip
def qr(input, some=True):
    """The deprecated ``(Q, R)`` of ``linalg.qr`` (``some``: reduced, else complete)."""
    from ..autograd.callsite import warn

    warn(_QR_DEPRECATION)
    return LegacyQrResult(*linalg_qr(input, "reduced" if some else "complete"))


@op(None, methods="svd",
    spec=OpSpec("svd", lambda t, a: _usv(t, a)[0] + 0 * t.svd(a).V.sum(), [((4, 3),)], shapes=None),
    out="same")  # fmt: skip
def svd(input, some=True, compute_uv=True):
    """``(U, S, V)`` with ``A = U diag(S) V^T`` (V, not Vh; zero U and V without
    ``compute_uv``)."""
    if not compute_uv:
        s = linalg_svdvals(input)
        m, n = input.shape[-2:]
        batch = input.shape[:-2]
        zeros = [Tensor._make(_np.zeros(batch + (k, k), input._data.dtype)) for k in (m, n)]
        return LegacySvdResult(zeros[0], s, zeros[1])
    u, s, vh = linalg_svd(input, full_matrices=not some)
    return LegacySvdResult(u, s, vh.mT)


__all__ = public_names(__name__)
