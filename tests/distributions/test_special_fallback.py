"""The package's own special functions (used until Ember has them) against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from scipy import special

import ember
from ember.distributions import _linalg, _special

X = np.array([0.1, 0.5, 1.0, 1.5, 2.0, 3.7, 10.0, 25.0, 150.0, -0.5, -1.3])


def _pair(x):
    return (
        ember.tensor(x, dtype=ember.float64, requires_grad=True),
        torch.tensor(x, dtype=torch.float64, requires_grad=True),
    )


# PyTorch's trigamma (and so every derivative past digamma) is accurate to about 1e-9
# relative; Ember's series is accurate to 1e-15 (e.g. trigamma(1) = pi^2 / 6 exactly).
POLY_RTOL = 3e-9


@pytest.mark.parametrize(
    "name,mine,ref,rtols",
    [
        ("lgamma", lambda x: _special._Lgamma.apply(x), torch.lgamma, (1e-12, 1e-12, POLY_RTOL)),
        (
            "digamma",
            lambda x: _special._Polygamma.apply(0, x),
            torch.digamma,
            (1e-12, POLY_RTOL, POLY_RTOL),
        ),
        (
            "trigamma",
            lambda x: _special._Polygamma.apply(1, x),
            lambda x: torch.polygamma(1, x),
            (POLY_RTOL,) * 3,
        ),
        (
            "polygamma3",
            lambda x: _special._Polygamma.apply(3, x),
            lambda x: torch.polygamma(3, x),
            (1e-12, 1e-12, 1e-12),
        ),
    ],
)
def test_gamma_family_values_and_two_derivatives(name, mine, ref, rtols):
    """Values, first and second derivatives equal PyTorch's (float64)."""
    e, t = _pair(X)
    ye, yt = mine(e), ref(t)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=rtols[0])
    (ge,) = ember.autograd.grad(ye.sum(), [e], create_graph=True)
    (gt,) = torch.autograd.grad(yt.sum(), [t], create_graph=True)
    np.testing.assert_allclose(ge.detach().numpy(), gt.detach().numpy(), rtol=rtols[1])
    (he,) = ember.autograd.grad(ge.sum(), [e])
    (ht,) = torch.autograd.grad(gt.sum(), [t])
    np.testing.assert_allclose(he.numpy(), ht.numpy(), rtol=rtols[2])


def test_trigamma_is_exact_where_known():
    """trigamma(1) = pi^2 / 6 and trigamma(1/2) = pi^2 / 2 to the last bits."""
    got = _special.polygamma_array(1, np.array([1.0, 0.5]))
    np.testing.assert_allclose(got, [np.pi**2 / 6, np.pi**2 / 2], rtol=2e-16)


def test_poles_and_infinities():
    """lgamma and digamma at poles, zero and infinity as PyTorch's."""
    x = np.array([0.0, -1.0, -2.0, np.inf, -np.inf, np.nan])
    for mine, ref in (
        (_special.lgamma_array, torch.lgamma),
        (_special.digamma_array, torch.digamma),
    ):
        np.testing.assert_array_equal(mine(x), ref(torch.tensor(x)).numpy())


def test_erfinv_and_gradient():
    """erfinv over (-1, 1) including the tails, and its derivative."""
    p = np.array([-0.999999, -0.9, -0.5, -1e-9, 0.0, 0.3, 0.7, 0.99, 0.9999999999])
    e, t = _pair(p)
    ye, yt = _special._Erfinv.apply(e), torch.erfinv(t)
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=1e-12, atol=1e-300)
    (ge,) = ember.autograd.grad(ye.sum(), [e])
    (gt,) = torch.autograd.grad(yt.sum(), [t])
    np.testing.assert_allclose(ge.numpy(), gt.numpy(), rtol=1e-9)
    edges = _special.erfinv_array(np.array([-1.0, 1.0, 1.5]))
    assert edges[0] == -np.inf and edges[1] == np.inf and np.isnan(edges[2])


def test_xlogy_and_gradients():
    """xlogy with zeros and broadcasting; gradients with PyTorch's conventions."""
    x = np.array([[0.0, 1.0, 2.0]])
    y = np.array([[0.5], [0.0], [2.0]])
    (xe, xt), (ye, yt) = _pair(x), _pair(y)
    oe, ot = _special._Xlogy.apply(xe, ye), torch.xlogy(xt, yt)
    np.testing.assert_array_equal(oe.detach().numpy(), ot.detach().numpy())
    w = np.arange(9.0).reshape(3, 3)
    ge = ember.autograd.grad((oe * ember.tensor(w)).sum(), [xe, ye])
    gt = torch.autograd.grad((ot * torch.tensor(w)).sum(), [xt, yt])
    for a, b in zip(ge, gt):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-12)


def test_gammainc_values_and_x_gradient():
    """P(a, x) by series and continued fraction; d/dx flows, d/da raises as in PyTorch."""
    a = np.array([0.3, 1.0, 2.5, 10.0, 50.0, 3.0])
    x = np.array([0.1, 2.0, 0.5, 12.0, 40.0, 0.0])
    (ae, at), (xe, xt) = _pair(a), _pair(x)
    ye, yt = _special._Gammainc.apply(ae, xe), torch.special.gammainc(at, xt)
    # PyTorch's large-a expansion is off by 1.2e-9 at (50, 40); scipy agrees with Ember there
    np.testing.assert_allclose(ye.detach().numpy(), yt.detach().numpy(), rtol=2e-9, atol=1e-15)
    np.testing.assert_allclose(ye.detach().numpy(), special.gammainc(a, x), rtol=1e-13)
    (gt,) = torch.autograd.grad(yt.sum(), [xt], retain_graph=True)
    # with a constant shape parameter the x-gradient flows ...
    xe2 = ember.tensor(x, dtype=ember.float64, requires_grad=True)
    ye2 = _special._Gammainc.apply(ember.tensor(a, dtype=ember.float64), xe2)
    (ge,) = ember.autograd.grad(ye2.sum(), [xe2])
    np.testing.assert_allclose(ge.numpy(), gt.numpy(), rtol=1e-11)
    # ... and backward through a shape parameter raises, as PyTorch's backward() does
    with pytest.raises(NotImplementedError, match="igamma: input"):
        ye.sum().backward()
    with pytest.raises(NotImplementedError, match="igamma: input"):
        yt.sum().backward()


def test_cholesky_and_triangular_solve_against_pytorch():
    """The package's Cholesky and triangular solve: values, gradients, second order."""
    rng = np.random.default_rng(0)
    m = rng.normal(size=(2, 3, 3))
    a = m @ m.transpose(0, 2, 1) + np.eye(3)
    b = rng.normal(size=(3, 2))
    (ae, at), (be, bt) = _pair(a), _pair(b)
    le, lt = _linalg._Cholesky.apply(ae), torch.linalg.cholesky(at)
    xe = _linalg._SolveTriangular.apply(le.mT, be, True, False)
    xt = torch.linalg.solve_triangular(lt.mT, bt, upper=True)
    np.testing.assert_allclose(xe.detach().numpy(), xt.detach().numpy(), rtol=1e-12)
    ge = ember.autograd.grad((xe**2).sum(), [ae, be], create_graph=True)
    gt = torch.autograd.grad((xt**2).sum(), [at, bt], create_graph=True)
    for x1, x2 in zip(ge, gt):
        np.testing.assert_allclose(x1.detach().numpy(), x2.detach().numpy(), rtol=1e-10)
    (he,) = ember.autograd.grad(ge[0].sum(), [ae])
    (ht,) = torch.autograd.grad(gt[0].sum(), [at])
    np.testing.assert_allclose(he.numpy(), ht.numpy(), rtol=1e-9, atol=1e-12)
