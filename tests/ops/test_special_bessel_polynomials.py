"""special's Bessel, Airy, zeta, incomplete gamma and orthogonal-polynomial functions against
PyTorch: values (float32/float64, special points, broadcasting, n as a tensor or a number),
dtype rules and errors, and gradients exactly where PyTorch has them."""

from __future__ import annotations

import importlib

import numpy as np
import pytest

import ember

from ._both import both, torch

INF, NAN = float("inf"), float("nan")


def special(lib):
    return importlib.import_module(lib.__name__ + ".special")


BESSEL = [
    "bessel_j0",
    "bessel_j1",
    "bessel_y0",
    "bessel_y1",
    "modified_bessel_i0",
    "modified_bessel_i1",
    "modified_bessel_k0",
    "modified_bessel_k1",
    "scaled_modified_bessel_k0",
    "scaled_modified_bessel_k1",
    "spherical_bessel_j0",
    "airy_ai",
]
EDGES = [0.0, -0.0, -1.5, 1e-300, 1e-5, 0.5, 1.9, 2.1, 7.5, 24.9, 25.1, 30.0, 1e4, 1e30]
EDGES += [INF, -INF, NAN, -7.9, -8.1, -30.0, 2.3]
# PyTorch's own kernels are off by up to ~4e-7 in a few places (J0/J1/Y0/Y1 around x = 5,
# Ai between -3 and -2, where its error reaches 3e-6): the grid is compared at that
# tolerance, the edges tightly.
GRID = np.concatenate([np.linspace(-40, 40, 801), np.geomspace(1e-8, 1e3, 60)])


@pytest.mark.parametrize("name", BESSEL)
def test_unary_values_at_special_points(name):
    both(lambda t: getattr(special(t), name)(t.tensor(EDGES, dtype=t.float64)), rtol=1e-12)


@pytest.mark.parametrize("name", BESSEL)
def test_unary_values_on_a_grid(name):
    both(lambda t: getattr(special(t), name)(t.tensor(GRID)), rtol=1e-6, atol=5e-6)
    both(lambda t: getattr(special(t), name)(t.tensor(GRID, dtype=t.float32)), rtol=2e-5, atol=5e-6)


@pytest.mark.parametrize("name", BESSEL)
def test_unary_dtypes_errors_and_out(name):
    both(lambda t: getattr(special(t), name)(t.tensor([1, 2, 3])))
    both(lambda t: getattr(special(t), name)(t.tensor([True, False])))
    both(lambda t: getattr(special(t), name)(t.tensor([1.0, 2.0], dtype=t.float16)))
    both(lambda t: getattr(special(t), name)(2.0))
    both(lambda t: getattr(special(t), name)(t.tensor([0.5, 2.0]), out=t.empty(2)))


@pytest.mark.parametrize("name", BESSEL)
def test_unary_records_no_gradient(name):
    x = ember.tensor([0.5, 1.5], requires_grad=True)
    y = getattr(ember.special, name)(x)
    assert y.grad_fn is None and not y.requires_grad
    assert not getattr(torch.special, name)(
        torch.tensor([0.5, 1.5], requires_grad=True)
    ).requires_grad


POLYS = [
    "chebyshev_polynomial_t",
    "chebyshev_polynomial_u",
    "chebyshev_polynomial_v",
    "chebyshev_polynomial_w",
    "shifted_chebyshev_polynomial_t",
    "shifted_chebyshev_polynomial_u",
    "shifted_chebyshev_polynomial_v",
    "shifted_chebyshev_polynomial_w",
    "hermite_polynomial_h",
    "hermite_polynomial_he",
    "laguerre_polynomial_l",
    "legendre_polynomial_p",
]
PX = [-1.5, -1.0, -0.7, -0.25, 0.0, 0.3, 0.5, 0.9, 1.0, 1.2, 2.0, 1e3, INF]
PN = [-3.0, -1.0, 0.0, 1.0, 2.0, 3.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 15.0, 25.0, 2.7, INF]


@pytest.mark.parametrize("name", POLYS)
def test_polynomial_values(name):
    def call(t, dtype):
        x = t.tensor(PX, dtype=dtype)[:, None]
        n = t.tensor(PN, dtype=dtype)
        return getattr(special(t), name)(x, n)

    both(lambda t: call(t, t.float64), rtol=1e-9, atol=1e-9)
    both(lambda t: call(t, t.float32), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("name", POLYS)
def test_polynomial_argument_forms(name):
    both(lambda t: getattr(special(t), name)(t.tensor([0.25, 0.5, 2.0]), 4))
    both(lambda t: getattr(special(t), name)(t.tensor([0.25, 0.5], dtype=t.float64), 3.5))
    both(lambda t: getattr(special(t), name)(0.5, t.tensor([0, 1, 2, 7])))
    both(lambda t: getattr(special(t), name)(t.tensor([1, 2]), t.tensor([2, 3])))
    both(lambda t: getattr(special(t), name)(t.tensor([0.5]), t.tensor([3.0], dtype=t.float64)))
    both(lambda t: getattr(special(t), name)(t.tensor([0.5], dtype=t.float16), 2))
    both(lambda t: getattr(special(t), name)(t.tensor([0.5, 0.2]), 3, out=t.empty(2)))
    both(lambda t: getattr(special(t), name)(0.5, 2), message=False)
    x = ember.tensor([0.5], requires_grad=True)
    assert not getattr(ember.special, name)(x, 3).requires_grad


ZX = [1.0, 0.5, 2.0, 2.0, 2.0, 2.0, 3.0, 2.5, INF, 2.0, 50.0, 2.0, -2.0, 1.0001, 1.5, 4.2, 7.0]
ZQ = [1.0, 1.0, 0.0, -1.0, -1.5, 1e9, -2.5, -2.5, 2.0, INF, 1.0, 1e-300, 1.0, 1.0, 0.3, 5.5, -7.3]


def test_zeta_values():
    both(lambda t: special(t).zeta(t.tensor(ZX, dtype=t.float64), t.tensor(ZQ, dtype=t.float64)))
    both(lambda t: special(t).zeta(t.tensor(ZX[:8]), t.tensor(ZQ[:8])), rtol=1e-5)
    both(lambda t: special(t).zeta(t.tensor([[2.0], [3.5]]), t.tensor([0.5, 1.0, 12.5])))
    both(lambda t: special(t).zeta(2, t.tensor([0.5, 1.5])))
    both(lambda t: special(t).zeta(t.tensor([2, 3]), t.tensor([1, 2])))
    both(lambda t: special(t).zeta(t.tensor([2.0, 3.0], dtype=t.float64), 2))
    both(lambda t: special(t).zeta(t.tensor([2.0], dtype=t.float16), t.tensor([1.0])))
    both(lambda t: special(t).zeta(2.0, 1.0), message=False)


GA = [0.0, 0.0, 0.0, 1.0, 1.0, -1.0, 2.0, INF, INF, 2.0, NAN, 1e-3, 1e3, 100.0, 5.0, 24.4, 0.3]
GX = [0.0, 1.0, INF, 0.0, -1.0, 1.0, INF, 1.0, INF, NAN, 1.0, 1e-3, 1001.0, 150.0, 0.1, 25.8, 2.0]


@pytest.mark.parametrize("name", ["gammainc", "gammaincc"])
def test_incomplete_gamma_values(name):
    # PyTorch's own values are accurate to about 2e-9 for large a.
    both(
        lambda t: getattr(special(t), name)(t.tensor(GA, dtype=t.float64), t.tensor(GX)),
        rtol=1e-8,
        atol=1e-300,
    )
    both(lambda t: getattr(special(t), name)(t.tensor([[0.5], [3.0]]), t.tensor([0.2, 4.0])))
    both(lambda t: getattr(special(t), name)(t.tensor([1.5], dtype=t.float16), t.tensor([0.5])))
    both(lambda t: getattr(special(t), name)(t.tensor([1, 2]), t.tensor([1, 2])))
    both(lambda t: getattr(special(t), name)(2, t.tensor([1.0])))


def test_igamma_methods_and_inplace():
    both(lambda t: t.igamma(t.tensor([1.5, 2.0]), t.tensor([0.5, 3.0])))
    both(lambda t: t.tensor([1.5, 2.0]).igammac(t.tensor([0.5, 3.0])))
    both(lambda t: t.tensor([1.5, 2.0]).igamma_(t.tensor([0.5, 3.0])))
    both(lambda t: t.tensor([1.5, 2.0]).igammac_(t.tensor([0.5, 3.0])))


# gammainc, gammaincc and zeta: differentiable in their second argument only.
_TWO_ARGUMENT_FUNCTIONS = pytest.mark.parametrize(
    "fn",
    [
        lambda t, a, x: t.special.gammainc(a, x),
        lambda t, a, x: t.special.gammaincc(a, x),
        lambda t, a, x: t.special.zeta(a + 1.0, x),
    ],
    ids=["gammainc", "gammaincc", "zeta"],
)


@_TWO_ARGUMENT_FUNCTIONS
def test_gradient_in_the_first_argument_is_not_implemented(fn):
    for lib in (ember, torch):
        a = lib.tensor([1.5, 2.5], dtype=lib.float64, requires_grad=True)
        x = lib.tensor([0.5, 3.0], dtype=lib.float64, requires_grad=True)
        with pytest.raises(NotImplementedError, match="is not implemented"):
            fn(lib, a, x).sum().backward()


@_TWO_ARGUMENT_FUNCTIONS
def test_gradient_in_the_second_argument_matches(fn):
    out = []
    for lib in (ember, torch):
        a = lib.tensor([1.5, 2.5, 0.7], dtype=lib.float64)
        x = lib.tensor([0.5, 3.0, 1.2], dtype=lib.float64, requires_grad=True)
        y = fn(lib, a, x)
        assert y.grad_fn.name() in ("IgammaBackward0", "IgammacBackward0", "SpecialZetaBackward0")
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        (gg,) = lib.autograd.grad(g.sum(), x)
        out.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-10)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-8)


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: t.special.bessel_j0(x, out=t.empty(2)),
        lambda t, x: t.special.chebyshev_polynomial_t(x, 2, out=t.empty(2)),
        lambda t, x: t.special.zeta(x + 1, t.ones(2), out=t.empty(2)),
        lambda t, x: t.special.gammainc(t.ones(2), x, out=t.empty(2)),
        lambda t, x: t.special.airy_ai(x.detach(), out=t.empty(2, dtype=t.int64)),
        lambda t, x: t.special.modified_bessel_k1(x.detach(), out=t.empty(2, dtype=t.float64)),
    ],
)
def test_out_with_inputs_that_require_grad(call):
    both(lambda t: call(t, t.ones(2, requires_grad=True)))
