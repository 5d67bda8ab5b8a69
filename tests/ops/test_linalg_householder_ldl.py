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


def _symmetric(n, kind, rng):
    m = rng.standard_normal((n, n))
    if kind in ("complex", "hermitian"):
        m = m + 1j * rng.standard_normal((n, n))
    if kind == "integers":
        m = np.round(2 * m)  # ties and zeros exercise the pivot choices
    return m + (m.conj().T if kind == "hermitian" else m.T)


@pytest.mark.parametrize("kind", ["real", "integers", "complex", "hermitian"])
def test_ldl_factor_pivots_and_values_match(kind):
    rng = np.random.default_rng(5)
    herm = kind == "hermitian"
    for n in [1, 2, 3, 4, 6, 9]:
        for _ in range(4):
            s = _symmetric(n, kind, rng)
            e = ember.linalg.ldl_factor_ex(ember.tensor(s), hermitian=herm)
            t = torch.linalg.ldl_factor_ex(torch.tensor(s), hermitian=herm)
            np.testing.assert_array_equal(e.pivots.numpy(), t.pivots.numpy())
            assert e.info.item() == t.info.item() and e.pivots.dtype == ember.int32
            np.testing.assert_allclose(e.LD.numpy(), t.LD.numpy(), rtol=1e-10, atol=1e-12)
            if t.info.item() == 0:
                b = rng.standard_normal((n, 2)).astype(s.dtype)
                xe = ember.linalg.ldl_solve(e.LD, e.pivots, ember.tensor(b), hermitian=herm)
                xt = torch.linalg.ldl_solve(t.LD, t.pivots, torch.tensor(b), hermitian=herm)
                np.testing.assert_allclose(xe.numpy(), xt.numpy(), rtol=1e-9, atol=1e-10)


S3 = [[0.0, 1.0, 2.0], [1.0, 0.0, 3.0], [2.0, 3.0, 0.0]]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: tuple(t.linalg.ldl_factor(t.tensor(S3))),
        lambda t: tuple(t.linalg.ldl_factor(t.tensor(S3), hermitian=True)),
        lambda t: tuple(t.linalg.ldl_factor_ex(t.stack([t.tensor(S3), t.zeros(3, 3)]))),
        lambda t: tuple(t.linalg.ldl_factor(t.zeros(0, 0))),
        lambda t: tuple(t.linalg.ldl_factor_ex(t.eye(2, dtype=t.float64))),
        lambda t: t.linalg.ldl_solve(*t.linalg.ldl_factor(t.tensor(S3)), t.eye(3)),
        lambda t: t.linalg.ldl_solve(*t.linalg.ldl_factor(t.tensor(S3)), t.ones(2, 3, 1)),
        lambda t: t.linalg.ldl_solve(
            t.linalg.ldl_factor(t.tensor(S3))[0],
            t.linalg.ldl_factor(t.tensor(S3))[1].long(),
            t.ones(3, 1),
        ),
    ],
)
def test_ldl_values(call):
    both(call, rtol=1e-6)


def _ld(t):
    return t.linalg.ldl_factor(t.tensor(S3))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.linalg.ldl_factor(t.zeros(3, 2)),
        lambda t: t.linalg.ldl_factor(t.zeros(3)),
        lambda t: t.linalg.ldl_factor(t.zeros(3, 3, dtype=t.long)),
        lambda t: t.linalg.ldl_factor(t.eye(3).half()),
        lambda t: t.linalg.ldl_factor([[1.0]]),
        lambda t: t.linalg.ldl_solve(_ld(t)[0][0], _ld(t)[1], t.ones(3, 1)),
        lambda t: t.linalg.ldl_solve(_ld(t)[0][:, :2], _ld(t)[1], t.ones(3, 1)),
        lambda t: t.linalg.ldl_solve(_ld(t)[0], _ld(t)[1].float(), t.ones(3, 1)),
        lambda t: t.linalg.ldl_solve(_ld(t)[0].long(), _ld(t)[1], t.ones(3, 1).long()),
        lambda t: t.linalg.ldl_solve(_ld(t)[0], _ld(t)[1], t.ones(3, 1).long()),
        lambda t: t.linalg.ldl_solve(_ld(t)[0], _ld(t)[1], t.ones(3, 1, dtype=t.float64)),
        lambda t: t.linalg.ldl_solve(_ld(t)[0].expand(2, 3, 3), _ld(t)[1], t.ones(3, 1)),
        lambda t: t.linalg.ldl_solve(_ld(t)[0], _ld(t)[1][:2], t.ones(3, 1)),
        lambda t: t.linalg.ldl_solve(_ld(t)[0], _ld(t)[1], t.ones(2, 1)),
        lambda t: t.linalg.ldl_solve(_ld(t)[0], _ld(t)[1], t.ones(3)),
        lambda t: t.linalg.ldl_solve(_ld(t)[0].half(), _ld(t)[1], t.ones(3, 1).half()),
        lambda t: t.linalg.ldl_solve(_ld(t)[0], _ld(t)[1], [[1.0]]),
    ],
)
def test_ldl_errors(call):
    both(call)


def test_ldl_factor_of_a_singular_matrix_is_an_error():
    # PyTorch reports LAPACK's positive info through an internal assertion; its message ends
    # with the same sentence as Ember's.
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="ldl_factor: Unknown error code: 1"):
            lib.linalg.ldl_factor(lib.zeros(3, 3))
        with pytest.raises(RuntimeError, match="ldl_factor_ex: Unknown error code: 1"):
            lib.linalg.ldl_factor_ex(lib.zeros(3, 3), check_errors=True)


def test_ldl_records_not_implemented_gradients():
    for lib in (ember, torch):
        a = lib.tensor(S3, requires_grad=True)
        ld, piv = lib.linalg.ldl_factor(a)
        assert ld.grad_fn.name() == "torch::autograd::NotImplemented" and not piv.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_factor_ex"):
            ld.sum().backward()
        b = lib.ones(3, 1, requires_grad=True)
        x = lib.linalg.ldl_solve(ld.detach(), piv, b)
        with pytest.raises(RuntimeError, match="derivative for aten::linalg_ldl_solve"):
            x.sum().backward()


def test_ldl_half_precision_is_refused_unless_empty():
    both(lambda t: tuple(t.linalg.ldl_factor_ex(t.zeros(0, 0, dtype=t.float16))))
    both(lambda t: t.linalg.ldl_factor(t.eye(2, dtype=t.float16)))
    both(
        lambda t: t.linalg.ldl_solve(
            t.zeros(0, 0).half(), t.zeros(0, dtype=t.int32), t.zeros(0, 2).half()
        )
    )


def test_ldl_out_arguments():
    def factor(t):
        out = (t.empty(0), t.empty(0, dtype=t.int32))
        r = t.linalg.ldl_factor(t.tensor(S3, requires_grad=True), out=out)
        return (r[0] is out[0], r[1] is out[1]) + out

    def factor_ex(t):
        out = (t.empty(0), t.empty(0, dtype=t.int32), t.empty(0, dtype=t.int32))
        t.linalg.ldl_factor_ex(t.tensor(S3), out=out)
        return out

    def solve(t):
        out = t.empty(3, 1)
        r = t.linalg.ldl_solve(*_ld(t), t.ones(3, 1, requires_grad=True), out=out)
        return r is out, out

    for call in (factor, factor_ex, solve):
        both(call, rtol=1e-6)
