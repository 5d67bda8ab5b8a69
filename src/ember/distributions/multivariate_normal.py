"""``MultivariateNormal``: Gaussian vectors from a covariance, precision or Cholesky factor."""

from __future__ import annotations

import math

import ember

from . import constraints
from ._linalg import batch_mv, cholesky, matrix_inverse_from_tril, solve_triangular
from ._loc_scale import _LocCentered
from .distribution import Distribution
from .utils import _standard_normal, broadcast_shapes, lazy_property

__all__ = ["MultivariateNormal"]


def _batch_mahalanobis(low, x):
    """|L^-1 x|^2 over the last dim, L and x broadcast over their batch dims."""
    return solve_triangular(low, x.unsqueeze(-1), upper=False).squeeze(-1).pow(2).sum(-1)


def _precision_to_scale_tril(precision):
    """The lower Cholesky factor of P^-1, without forming the inverse."""
    flipped = cholesky(ember.flip(precision, (-2, -1)))
    low_inv = ember.transpose(ember.flip(flipped, (-2, -1)), -2, -1)
    eye = ember.eye(precision.shape[-1], dtype=precision.dtype, device=precision.device)
    return solve_triangular(low_inv, eye, upper=False)


_PARAMS = ("covariance_matrix", "precision_matrix", "scale_tril")
_NDIM_ERRORS = {
    "scale_tril": "scale_tril matrix must be at least two-dimensional, "
    "with optional leading batch dimensions",
    "covariance_matrix": "covariance_matrix must be at least two-dimensional, "
    "with optional leading batch dimensions",
    "precision_matrix": "precision_matrix must be at least two-dimensional, "
    "with optional leading batch dimensions",
}


class MultivariateNormal(_LocCentered, Distribution):
    """MultivariateNormal(loc, covariance_matrix= | precision_matrix= | scale_tril=).

    Exactly one matrix is given; everything is computed from the Cholesky factor of the
    covariance. ``rsample`` is reparameterized (loc + L eps).
    """

    arg_constraints = {
        "loc": constraints.real_vector,
        "covariance_matrix": constraints.positive_definite,
        "precision_matrix": constraints.positive_definite,
        "scale_tril": constraints.lower_cholesky,
    }
    support = constraints.real_vector
    has_rsample = True

    def __init__(self, loc, covariance_matrix=None, precision_matrix=None, scale_tril=None,
                 validate_args=None):  # fmt: skip
        if loc.dim() < 1:
            raise ValueError("loc must be at least one-dimensional.")
        given = {
            "covariance_matrix": covariance_matrix,
            "precision_matrix": precision_matrix,
            "scale_tril": scale_tril,
        }
        given = {k: v for k, v in given.items() if v is not None}
        if len(given) != 1:
            raise ValueError(
                "Exactly one of covariance_matrix or precision_matrix or scale_tril may be "
                "specified."
            )
        ((name, matrix),) = given.items()
        if matrix.dim() < 2:
            raise ValueError(_NDIM_ERRORS[name])
        batch_shape = broadcast_shapes(matrix.shape[:-2], loc.shape[:-1])
        setattr(self, name, matrix.expand(tuple(batch_shape) + (-1, -1)))
        self.loc = loc.expand(tuple(batch_shape) + (-1,))
        super().__init__(batch_shape, self.loc.shape[-1:], validate_args=validate_args)
        if name == "scale_tril":
            self._unbroadcasted_scale_tril = matrix
        elif name == "covariance_matrix":
            self._unbroadcasted_scale_tril = cholesky(matrix)
        else:
            self._unbroadcasted_scale_tril = _precision_to_scale_tril(matrix)

    def expand(self, batch_shape, _instance=None):
        """The distribution expanded to ``batch_shape`` (the factor itself is shared)."""
        new = self._expand_params(MultivariateNormal, batch_shape, _instance, ("loc",) + _PARAMS)
        new._unbroadcasted_scale_tril = self._unbroadcasted_scale_tril
        return new

    def _matrix_shape(self):
        return tuple(self._batch_shape) + tuple(self._event_shape) * 2

    @lazy_property
    def scale_tril(self):
        """The lower Cholesky factor of the covariance."""
        return self._unbroadcasted_scale_tril.expand(self._matrix_shape())

    @lazy_property
    def covariance_matrix(self):
        """L L^T."""
        low = self._unbroadcasted_scale_tril
        return ember.matmul(low, low.mT).expand(self._matrix_shape())

    @lazy_property
    def precision_matrix(self):
        """(L L^T)^-1."""
        inverse = matrix_inverse_from_tril(self._unbroadcasted_scale_tril)
        return inverse.expand(self._matrix_shape())

    @property
    def variance(self):
        shape = tuple(self._batch_shape) + tuple(self._event_shape)
        return self._unbroadcasted_scale_tril.pow(2).sum(-1).expand(shape)

    def rsample(self, sample_shape=ember.Size()):
        """loc + L eps with eps ~ N(0, I)."""
        shape = self._extended_shape(sample_shape)
        eps = _standard_normal(shape, dtype=self.loc.dtype, device=self.loc.device)
        return self.loc + batch_mv(self._unbroadcasted_scale_tril, eps)

    def _half_log_det(self):
        return self._unbroadcasted_scale_tril.diagonal(dim1=-2, dim2=-1).log().sum(-1)

    def log_prob(self, value):
        """-(k log(2 pi) + |L^-1 (x - loc)|^2) / 2 - log det L."""
        if self._validate_args:
            self._validate_sample(value)
        m = _batch_mahalanobis(self._unbroadcasted_scale_tril, value - self.loc)
        k = self._event_shape[0]
        return -0.5 * (k * math.log(2 * math.pi) + m) - self._half_log_det()

    def entropy(self):
        """k (1 + log(2 pi)) / 2 + log det L."""
        k = self._event_shape[0]
        h = 0.5 * k * (1.0 + math.log(2 * math.pi)) + self._half_log_det()
        return h if len(self._batch_shape) == 0 else h.expand(self._batch_shape)
