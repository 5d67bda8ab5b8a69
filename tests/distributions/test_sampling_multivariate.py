"""Sampling of the multivariate, relaxed and mixture distributions, checked statistically."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.distributions as ED

N = 20000


def assert_within(actual, expected, bound):
    """|actual - expected| <= bound elementwise (bound may be an array)."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert np.all(np.abs(actual - expected) <= bound), (actual, expected, bound)


def _spd():
    a = np.array([[1.0, 0.0, 0.0], [0.6, 0.8, 0.0], [-0.3, 0.4, 0.5]])
    return a @ a.T


@pytest.mark.parametrize("kind", ["scale_tril", "covariance_matrix", "precision_matrix"])
def test_mvn_sample_mean_and_covariance(kind):
    """Sample mean and covariance of MultivariateNormal match loc and the covariance."""
    ember.manual_seed(10)
    cov = _spd()
    matrix = {
        "scale_tril": np.linalg.cholesky(cov),
        "covariance_matrix": cov,
        "precision_matrix": np.linalg.inv(cov),
    }[kind]
    loc = np.array([1.0, -2.0, 0.5])
    d = ED.MultivariateNormal(ember.tensor(loc), **{kind: ember.tensor(matrix)})
    x = d.sample((N,)).double().numpy()
    assert x.shape == (N, 3)
    assert_within(x.mean(0), loc, 5 * np.sqrt(np.diag(cov) / N))
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.05)
    r = d.rsample((2, 5))
    assert tuple(r.shape) == (2, 5, 3)


def test_lowrank_mvn_sample_covariance():
    """LowRankMultivariateNormal samples have covariance W W^T + diag(D)."""
    ember.manual_seed(11)
    w = np.array([[1.0, 0.2], [0.5, -0.7], [0.0, 0.9]])
    dg = np.array([0.3, 0.5, 0.2])
    loc = np.array([0.0, 1.0, -1.0])
    d = ED.LowRankMultivariateNormal(ember.tensor(loc), ember.tensor(w), ember.tensor(dg))
    x = d.sample((N,)).double().numpy()
    cov = w @ w.T + np.diag(dg)
    assert_within(x.mean(0), loc, 5 * np.sqrt(np.diag(cov) / N))
    np.testing.assert_allclose(np.cov(x.T), cov, atol=0.05)


def test_mvn_rsample_gradients():
    """MVN rsample is loc + L eps: gradient of the sum w.r.t. loc is the sample count."""
    ember.manual_seed(12)
    loc = ember.zeros(3, dtype=ember.float64, requires_grad=True)
    tril = ember.tensor(np.linalg.cholesky(_spd()), requires_grad=True)
    x = ED.MultivariateNormal(loc, scale_tril=tril).rsample((7,))
    gl, gt = ember.autograd.grad(x.sum(), [loc, tril])
    np.testing.assert_allclose(gl.numpy(), 7.0)
    assert np.all(np.isfinite(gt.numpy()))


def test_relaxed_bernoulli_threshold_is_bernoulli():
    """P(RelaxedBernoulli sample > 1/2) is exactly probs, at any temperature."""
    ember.manual_seed(13)
    p = np.array([0.1, 0.5, 0.8])
    for t in (0.3, 2.0):
        x = ED.RelaxedBernoulli(ember.tensor(t), probs=ember.tensor(p)).sample((N,)).numpy()
        assert np.all((x >= 0) & (x <= 1))
        freq = (x > 0.5).mean(0)
        assert_within(freq, p, 5 * np.sqrt(p * (1 - p) / N))


def test_relaxed_one_hot_argmax_is_categorical():
    """The argmax of a RelaxedOneHotCategorical sample is Categorical(probs) (Gumbel-max)."""
    ember.manual_seed(14)
    p = np.array([0.2, 0.5, 0.3])
    x = ED.RelaxedOneHotCategorical(ember.tensor(0.7), probs=ember.tensor(p)).rsample((N,))
    x = x.detach().numpy()
    np.testing.assert_allclose(x.sum(-1), 1.0, rtol=1e-5)
    freq = np.bincount(x.argmax(-1), minlength=3) / N
    assert_within(freq, p, 5 * np.sqrt(p * (1 - p) / N))


def test_relaxed_rsample_reaches_parameters():
    """Relaxed samples are differentiable w.r.t. logits and temperature."""
    ember.manual_seed(15)
    logits = ember.tensor([0.3, -1.0, 2.0], dtype=ember.float64, requires_grad=True)
    t = ember.tensor(0.5, dtype=ember.float64, requires_grad=True)
    y = ED.RelaxedOneHotCategorical(t, logits=logits).rsample((4,))
    gl, gt = ember.autograd.grad((y * ember.tensor([1.0, 2.0, 3.0])).sum(), [logits, t])
    assert np.any(gl.numpy() != 0) and np.isfinite(gt.item())
    y = ED.RelaxedBernoulli(t, logits=logits).rsample((4,))
    gl, gt = ember.autograd.grad(y.sum(), [logits, t])
    assert np.all(gl.numpy() > 0) and np.isfinite(gt.item())


def test_mixture_samples_match_mean_and_variance():
    """MixtureSameFamily samples have the mixture's mean and variance."""
    ember.manual_seed(16)
    mix = ED.Categorical(ember.tensor([[0.3, 0.7], [0.5, 0.5]]))
    comp = ED.Normal(
        ember.tensor([[-2.0, 1.0], [0.0, 4.0]]), ember.tensor([[0.5, 1.0], [2.0, 0.3]])
    )
    d = ED.MixtureSameFamily(mix, comp)
    x = d.sample((N,)).double()
    assert tuple(x.shape) == (N, 2)
    mean, var = d.mean.double().numpy(), d.variance.double().numpy()
    assert_within(x.mean(0).numpy(), mean, 5 * np.sqrt(var / N))
    np.testing.assert_allclose(x.var(0).numpy(), var, rtol=0.05)
    mv = ED.MixtureSameFamily(
        ED.Categorical(ember.tensor([0.5, 0.5])),
        ED.Independent(ED.Normal(ember.zeros(2, 3), ember.ones(2, 3)), 1),
    )
    assert tuple(mv.sample((4,)).shape) == (4, 3)
