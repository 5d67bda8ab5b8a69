"""linalg.householder_product (orgqr) and linalg.ldl_factor(_ex)/ldl_solve against PyTorch:
values, batches, complex inputs, gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.linalg  # noqa: F401

from ._both import both, torch

RNG = np.random.default_rng(11)


def _cplx(t, z):
    return t.view_as_real(z) if z.is_complex() else z


HOUSEHOLDER = [
    ((4, 3), (2,)),
    ((3, 3), (3,)),
    ((2, 5, 3), (2, 3)),
    ((3, 2), (0,)),
    ((1, 2, 2), (1, 1)),
]


@pytest.mark.parametrize("shapes", HOUSEHOLDER)
def test_householder_product_values(shapes):
    a, tau = RNG.standard_normal(shapes[0]), RNG.standard_normal(shapes[1])
    both(lambda t: t.linalg.householder_product(t.tensor(a), t.tensor(tau)), rtol=1e-12)
    both(lambda t: t.orgqr(t.tensor(a, dtype=t.float32), t.tensor(tau, dtype=t.float32)), rtol=1e-5)
    both(lambda t: t.tensor(a).orgqr(t.tensor(tau)), rtol=1e-12)


def test_householder_product_complex_values_and_gradients():
    a = RNG.standard_normal((4, 3)) + 1j * RNG.standard_normal((4, 3))
    tau = RNG.standard_normal(2) + 1j * RNG.standard_normal(2)
    both(lambda t: _cplx(t, t.linalg.householder_product(t.tensor(a), t.tensor(tau))), rtol=1e-12)
    out = []
    for lib in (ember, torch):
        xs = [lib.tensor(v, requires_grad=True) for v in (a.real, a.imag, tau.real, tau.imag)]
        q = lib.linalg.householder_product(lib.complex(xs[0], xs[1]), lib.complex(xs[2], xs[3]))
        w = lib.arange(24.0, dtype=lib.float64).reshape(4, 3, 2).cos()
        (lib.view_as_real(q) * w).sum().backward()
        out.append([x.grad.numpy() for x in xs])
    for e, t in zip(*out):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)


def test_householder_product_second_order():
    a, tau = RNG.standard_normal((4, 3)), RNG.standard_normal(3)
    out = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.tensor(tau, requires_grad=True)
        q = lib.linalg.householder_product(x, y)
        (gx, gy) = lib.autograd.grad((q * q.detach().cos()).sum(), (x, y), create_graph=True)
        (hx,) = lib.autograd.grad((gx.sin().sum() + gy.sum()), x)
        out.append((gx.detach().numpy(), gy.detach().numpy(), hx.numpy()))
    for e, t in zip(*out):
        np.testing.assert_allclose(e, t, rtol=1e-9, atol=1e-12)


def test_householder_product_no_reflectors_gives_no_gradient():
    for lib in (ember, torch):
        a = lib.ones(3, 2, dtype=lib.float64, requires_grad=True)
        tau = lib.ones(0, dtype=lib.float64, requires_grad=True)
        lib.linalg.householder_product(a, tau).sum().backward()
        assert a.grad is None and tau.grad is None


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.linalg.householder_product(t.randn(4, 3), t.randn(4)),
        lambda t: t.linalg.householder_product(t.randn(3, 4), t.randn(2)),
        lambda t: t.linalg.householder_product(t.randn(3), t.randn(2)),
        lambda t: t.linalg.householder_product(t.randn(2, 4, 3), t.randn(3, 2)),
        lambda t: t.linalg.householder_product(t.randn(2, 4, 3), t.randn(2)),
        lambda t: t.linalg.householder_product(t.randn(4, 3), t.randn(1, 2)),
        lambda t: t.linalg.householder_product(t.randn(4, 3), t.randn(2, dtype=t.float64)),
        lambda t: t.linalg.householder_product(t.ones(4, 3).long(), t.ones(2).long()),
        lambda t: t.linalg.householder_product(t.ones(4, 3).half(), t.ones(2).half()),
        lambda t: t.linalg.householder_product([[1.0]], t.ones(1)),
    ],
)
def test_householder_product_errors(call):
    both(call)
