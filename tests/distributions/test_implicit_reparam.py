"""Reparameterized Gamma, Beta, Dirichlet and StudentT samples: their gradients.

PyTorch defines d sample / d concentration by implicit differentiation of the CDF at a fixed
quantile. Ember's derivative is checked against finite differences of scipy's inverse CDF
(tight), against PyTorch's own approximations applied to Ember's samples (PyTorch's are
accurate to about 1e-3), and for unbiasedness: the mean gradient is d E[x] / d alpha.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import special

import ember
import ember.distributions as ED
from ember.distributions import _implicit

ALPHAS = np.array([0.05, 0.3, 1.0, 2.5, 10.0, 50.0, 300.0])
QUANTILES = [0.001, 0.05, 0.5, 0.95, 0.999]


@pytest.mark.parametrize("q", QUANTILES)
def test_standard_gamma_grad_against_finite_differences(q):
    """dx/dalpha at a fixed quantile equals the derivative of scipy's inverse CDF."""
    x = special.gammaincinv(ALPHAS, q)
    h = 1e-5 * ALPHAS
    fd = (special.gammaincinv(ALPHAS + h, q) - special.gammaincinv(ALPHAS - h, q)) / (2 * h)
    mine = _implicit.standard_gamma_grad(ALPHAS, x)
    np.testing.assert_allclose(mine, fd, rtol=1e-5)
    ref = torch._standard_gamma_grad(torch.tensor(ALPHAS), torch.tensor(x)).numpy()
    np.testing.assert_allclose(mine, ref, rtol=2e-3)


@pytest.mark.parametrize("q", QUANTILES)
def test_beta_marginal_grad_against_finite_differences(q):
    """PyTorch's _dirichlet_grad semantics: (dx/da of Beta(a, total - a)) / (1 - x)."""
    a = np.array([0.3, 1.0, 2.0, 5.0, 50.0, 0.7])
    b = np.array([0.5, 3.0, 2.0, 1.0, 2.0, 40.0])
    x = special.betaincinv(a, b, q)
    h = 1e-6 * a
    fd = (special.betaincinv(a + h, b, q) - special.betaincinv(a - h, b, q)) / (2 * h)
    mine = _implicit.dirichlet_grad(x, a, a + b)
    np.testing.assert_allclose(mine * (1 - x), fd, rtol=2e-5)
    ref = torch._dirichlet_grad(torch.tensor(x), torch.tensor(a), torch.tensor(a + b)).numpy()
    np.testing.assert_allclose(mine, ref, rtol=2e-3)


def test_gamma_rsample_gradients_match_pytorch_formula():
    """Gamma.rsample gradients: d/dalpha as PyTorch's on the same samples, d/drate = -x/rate."""
    ember.manual_seed(0)
    alpha = ember.tensor([0.4, 1.5, 7.0], dtype=ember.float64, requires_grad=True)
    rate = ember.tensor([2.0, 0.5, 1.0], dtype=ember.float64, requires_grad=True)
    x = ED.Gamma(alpha, rate).rsample((5,))
    ga, gr = ember.autograd.grad(x.sum(), [alpha, rate])
    xs = x.detach().numpy()
    a, r = alpha.detach().numpy(), rate.detach().numpy()
    dxda = torch._standard_gamma_grad(torch.tensor(a).expand(5, 3), torch.tensor(xs * r)).numpy()
    np.testing.assert_allclose(ga.numpy(), (dxda / r).sum(0), rtol=2e-3)
    np.testing.assert_allclose(gr.numpy(), (-xs / r).sum(0), rtol=1e-12)


def test_dirichlet_rsample_gradient_matches_pytorch_formula():
    """Dirichlet.rsample backward is PyTorch's: g * (w - sum(x * w)) with g = _dirichlet_grad."""
    ember.manual_seed(1)
    conc = ember.tensor([[0.5, 2.0, 3.0], [4.0, 1.0, 0.7]], dtype=ember.float64)
    conc.requires_grad_()
    x = ED.Dirichlet(conc).rsample((4,))
    w = np.arange(24, dtype=np.float64).reshape(4, 2, 3) / 10
    (g,) = ember.autograd.grad((x * ember.tensor(w)).sum(), [conc])
    xt = torch.tensor(x.detach().numpy())
    ct = torch.tensor(conc.detach().numpy()).expand(4, 2, 3)
    dg = torch._dirichlet_grad(xt, ct, ct.sum(-1, True).expand_as(ct))
    wt = torch.tensor(w)
    expected = (dg * (wt - (xt * wt).sum(-1, True))).sum(0).numpy()
    np.testing.assert_allclose(g.numpy(), expected, rtol=3e-3)
    assert x.shape == (4, 2, 3)
    np.testing.assert_allclose(x.detach().sum(-1).numpy(), 1.0, rtol=1e-12)


def test_reparameterized_gradients_are_unbiased():
    """The mean over many samples of d x / d alpha is d E[x] / d alpha."""
    ember.manual_seed(2)
    n = 4000
    alpha = ember.tensor([0.3, 2.0, 12.0], dtype=ember.float64, requires_grad=True)
    (g,) = ember.autograd.grad(ED.Gamma(alpha, 2.0).rsample((n,)).sum(), [alpha])
    np.testing.assert_allclose(g.numpy() / n, 0.5, rtol=0.05)

    c1 = ember.tensor([0.7, 3.0], dtype=ember.float64, requires_grad=True)
    c0 = ember.tensor([1.5, 0.4], dtype=ember.float64, requires_grad=True)
    g1, g0 = ember.autograd.grad(ED.Beta(c1, c0).rsample((n,)).sum(), [c1, c0])
    a, b = c1.detach().numpy(), c0.detach().numpy()
    np.testing.assert_allclose(g1.numpy() / n, b / (a + b) ** 2, rtol=0.06)
    np.testing.assert_allclose(g0.numpy() / n, -a / (a + b) ** 2, rtol=0.06)


def test_studentt_and_chi2_rsample_flow_to_every_parameter():
    """StudentT.rsample reaches df (through Chi2's gamma), loc and scale."""
    ember.manual_seed(3)
    df = ember.tensor([3.0, 9.0], dtype=ember.float64, requires_grad=True)
    loc = ember.tensor([0.0, 1.0], dtype=ember.float64, requires_grad=True)
    scale = ember.tensor([1.0, 2.0], dtype=ember.float64, requires_grad=True)
    x = ED.StudentT(df, loc, scale).rsample((3,))
    gd, gl, gs = ember.autograd.grad(x.sum(), [df, loc, scale])
    assert np.all(np.isfinite(gd.numpy())) and np.any(gd.numpy() != 0)
    np.testing.assert_allclose(gl.numpy(), 3.0)
    np.testing.assert_allclose(
        gs.numpy(), ((x.detach() - loc.detach()) / scale.detach()).sum(0).numpy()
    )
