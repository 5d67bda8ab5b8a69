"""KL divergences between (low-rank) multivariate normals."""

from __future__ import annotations

from ._kl_registry import register_kl
from ._linalg import solve_triangular
from .lowrank_multivariate_normal import (
    LowRankMultivariateNormal,
    _lowrank_logdet,
    _lowrank_mahalanobis,
)
from .multivariate_normal import MultivariateNormal, _batch_mahalanobis
from .utils import broadcast_shapes


def _batch_trace_xxt(bmat):
    """trace(X X^T) over the last two dims: the sum of squares."""
    return bmat.pow(2).sum(-1).sum(-1)


def _check_events(p, q, what):
    if p.event_shape != q.event_shape:
        raise ValueError(
            f"KL-divergence between two {what} with                          different "
            "event shapes cannot be computed"
        )


def _half_log_det(low):
    return low.diagonal(dim1=-2, dim2=-1).log().sum(-1)


def _lowrank_parts(d):
    return d._unbroadcasted_cov_factor, d._unbroadcasted_cov_diag, d._capacitance_tril


def _woodbury_factor(q):
    """A = C^-1 W^T D^-1 for q's capacitance factor C."""
    w, dg, cap = _lowrank_parts(q)
    return solve_triangular(cap, w.mT / dg.unsqueeze(-2), upper=False)


@register_kl(MultivariateNormal, MultivariateNormal)
def _kl_mvn_mvn(p, q):
    _check_events(p, q, "Multivariate Normals")
    lp, lq = p._unbroadcasted_scale_tril, q._unbroadcasted_scale_tril
    half_term1 = _half_log_det(lq) - _half_log_det(lp)
    n = p.event_shape[0]
    batch = tuple(broadcast_shapes(lq.shape[:-2], lp.shape[:-2]))
    term2 = _batch_trace_xxt(
        solve_triangular(lq.expand(batch + (n, n)), lp.expand(batch + (n, n)), upper=False)
    )
    term3 = _batch_mahalanobis(lq, q.loc - p.loc)
    return half_term1 + 0.5 * (term2 + term3 - n)


@register_kl(LowRankMultivariateNormal, LowRankMultivariateNormal)
def _kl_lowrank_lowrank(p, q):
    _check_events(p, q, "Low Rank Multivariate Normals")
    pw, pd, pcap = _lowrank_parts(p)
    qw, qd, qcap = _lowrank_parts(q)
    term1 = _lowrank_logdet(qd, qcap) - _lowrank_logdet(pd, pcap)
    term3 = _lowrank_mahalanobis(qw, qd, q.loc - p.loc, qcap)
    a = _woodbury_factor(q)
    term21 = (pd / qd).sum(-1)
    term22 = _batch_trace_xxt(pw * qd.rsqrt().unsqueeze(-1))
    term23 = _batch_trace_xxt(a * pd.sqrt().unsqueeze(-2))
    term24 = _batch_trace_xxt(a.matmul(pw))
    term2 = term21 + term22 - term23 - term24
    return 0.5 * (term1 + term2 + term3 - p.event_shape[0])


@register_kl(MultivariateNormal, LowRankMultivariateNormal)
def _kl_mvn_lowrank(p, q):
    _check_events(p, q, "(Low Rank) Multivariate Normals")
    qw, qd, qcap = _lowrank_parts(q)
    lp = p._unbroadcasted_scale_tril
    term1 = _lowrank_logdet(qd, qcap) - 2 * _half_log_det(lp)
    term3 = _lowrank_mahalanobis(qw, qd, q.loc - p.loc, qcap)
    a = _woodbury_factor(q)
    term21 = _batch_trace_xxt(lp * qd.rsqrt().unsqueeze(-1))
    term22 = _batch_trace_xxt(a.matmul(lp))
    return 0.5 * (term1 + term21 - term22 + term3 - p.event_shape[0])


@register_kl(LowRankMultivariateNormal, MultivariateNormal)
def _kl_lowrank_mvn(p, q):
    _check_events(p, q, "(Low Rank) Multivariate Normals")
    pw, pd, pcap = _lowrank_parts(p)
    lq = q._unbroadcasted_scale_tril
    term1 = 2 * _half_log_det(lq) - _lowrank_logdet(pd, pcap)
    term3 = _batch_mahalanobis(lq, q.loc - p.loc)
    batch = tuple(broadcast_shapes(lq.shape[:-2], pw.shape[:-2]))
    n = p.event_shape[0]
    lq = lq.expand(batch + (n, n))
    term21 = _batch_trace_xxt(
        solve_triangular(lq, pw.expand(batch + (n, pw.size(-1))), upper=False)
    )
    sqrt_diag = pd.sqrt().diag_embed().expand(batch + (n, n))
    term22 = _batch_trace_xxt(solve_triangular(lq, sqrt_diag, upper=False))
    return 0.5 * (term1 + term21 + term22 + term3 - p.event_shape[0])
