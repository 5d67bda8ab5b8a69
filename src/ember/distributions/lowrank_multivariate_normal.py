"""``LowRankMultivariateNormal``: covariance W W^T + diag(D), handled in O(k m^2)."""

from __future__ import annotations

import math

import ember

from . import constraints
from ._linalg import batch_mv, cholesky, solve_triangular
from ._loc_scale import _LocCentered
from .distribution import Distribution
from .multivariate_normal import _batch_mahalanobis
from .utils import _standard_normal, broadcast_tensors, lazy_property

__all__ = ["LowRankMultivariateNormal"]


def _capacitance_tril(w, d):
    """Cholesky factor of I + W^T D^-1 W (the m x m capacitance matrix)."""
    m = w.size(-1)
    k = ember.matmul(w.mT / d.unsqueeze(-2), w)
    return cholesky(k + ember.eye(m, dtype=k.dtype, device=k.device))


def _lowrank_logdet(d, capacitance):
    """log det(W W^T + D) by the matrix determinant lemma."""
    return 2 * capacitance.diagonal(dim1=-2, dim2=-1).log().sum(-1) + d.log().sum(-1)


def _lowrank_mahalanobis(w, d, x, capacitance):
    """x^T (W W^T + D)^-1 x by the Woodbury identity."""
    wt_dinv_x = batch_mv(w.mT / d.unsqueeze(-2), x)
    return (x.pow(2) / d).sum(-1) - _batch_mahalanobis(capacitance, wt_dinv_x)


class LowRankMultivariateNormal(_LocCentered, Distribution):
    """A Gaussian with covariance ``cov_factor @ cov_factor.mT + diag(cov_diag)``."""

    arg_constraints = {
        "loc": constraints.real_vector,
        "cov_factor": constraints.independent(constraints.real, 2),
        "cov_diag": constraints.independent(constraints.positive, 1),
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, cov_factor, cov_diag, validate_args=None):
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        event_shape = loc.shape[-1:]
        if cov_factor.dim() < 2:
            raise ValueError(
                "cov_factor must be at least two-dimensional, "
                "with optional leading batch dimensions"
            )
        if cov_factor.shape[-2:-1] != event_shape:
            raise ValueError(
                f"cov_factor must be a batch of matrices with shape {event_shape[0]} x m"
            )
        if cov_diag.shape[-1:] != event_shape:
            raise ValueError(f"cov_diag must be a batch of vectors with shape {event_shape}")
        try:
            loc_, self.cov_factor, diag_ = broadcast_tensors(
                loc.unsqueeze(-1), cov_factor, cov_diag.unsqueeze(-1)
            )
        except RuntimeError as e:
            raise ValueError(
                f"Incompatible batch shapes: loc {loc.shape}, cov_factor {cov_factor.shape}, "
                f"cov_diag {cov_diag.shape}"
            ) from e
        self.loc = loc_[..., 0]
        self.cov_diag = diag_[..., 0]
        self._unbroadcasted_cov_factor = cov_factor
        self._unbroadcasted_cov_diag = cov_diag
        self._capacitance_tril = _capacitance_tril(cov_factor, cov_diag)
        super().__init__(self.loc.shape[:-1], event_shape, validate_args=validate_args)

    def expand(self, batch_shape, _instance=None):
        """The distribution expanded to ``batch_shape`` (the factors are shared)."""
        names = ("loc", "cov_diag", "cov_factor")
        new = self._expand_params(LowRankMultivariateNormal, batch_shape, _instance, names)
        new._unbroadcasted_cov_factor = self._unbroadcasted_cov_factor
        new._unbroadcasted_cov_diag = self._unbroadcasted_cov_diag
        new._capacitance_tril = self._capacitance_tril
        return new

    def _shape(self, *tail):
        return tuple(self._batch_shape) + tuple(self._event_shape) * len(tail)

    @lazy_property
    def variance(self):
        """The diagonal of the covariance."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        return (w.pow(2).sum(-1) + d).expand(self._shape(1))

    @lazy_property
    def scale_tril(self):
        """The lower Cholesky factor of the covariance."""
        n = self._event_shape[0]
        d_sqrt = self._unbroadcasted_cov_diag.sqrt().unsqueeze(-1)
        scaled = self._unbroadcasted_cov_factor / d_sqrt
        k = ember.matmul(scaled, scaled.mT) + ember.eye(n, dtype=scaled.dtype, device=scaled.device)
        return (d_sqrt * cholesky(k)).expand(self._shape(1, 1))

    @lazy_property
    def covariance_matrix(self):
        """W W^T + diag(D)."""
        w = self._unbroadcasted_cov_factor
        cov = ember.matmul(w, w.mT) + ember.diag_embed(self._unbroadcasted_cov_diag)
        return cov.expand(self._shape(1, 1))

    @lazy_property
    def precision_matrix(self):
        """(W W^T + D)^-1 by the Woodbury identity."""
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        a = solve_triangular(self._capacitance_tril, w.mT / d.unsqueeze(-2), upper=False)
        precision = ember.diag_embed(d.reciprocal()) - ember.matmul(a.mT, a)
        return precision.expand(self._shape(1, 1))

    def rsample(self, sample_shape=ember.Size()):
        """loc + W eps_W + sqrt(D) eps_D."""
        shape = tuple(self._extended_shape(sample_shape))
        w_shape = shape[:-1] + tuple(self.cov_factor.shape[-1:])
        eps_w = _standard_normal(w_shape, dtype=self.loc.dtype, device=self.loc.device)
        eps_d = _standard_normal(shape, dtype=self.loc.dtype, device=self.loc.device)
        w, d = self._unbroadcasted_cov_factor, self._unbroadcasted_cov_diag
        return self.loc + batch_mv(w, eps_w) + d.sqrt() * eps_d

    def _log_det(self):
        return _lowrank_logdet(self._unbroadcasted_cov_diag, self._capacitance_tril)

    def log_prob(self, value):
        """The Gaussian log-density, through Woodbury and the determinant lemma."""
        if self._validate_args:
            self._validate_sample(value)
        m = _lowrank_mahalanobis(
            self._unbroadcasted_cov_factor,
            self._unbroadcasted_cov_diag,
            value - self.loc,
            self._capacitance_tril,
        )
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + self._log_det() + m)

    def entropy(self):
        """(k (1 + log(2 pi)) + log det) / 2."""
        k = self._event_shape[0]
        h = 0.5 * (k * (1.0 + math.log(2 * math.pi)) + self._log_det())
        return h if len(self._batch_shape) == 0 else h.expand(self._batch_shape)
