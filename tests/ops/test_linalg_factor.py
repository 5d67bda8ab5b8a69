"""linalg.qr/svd/svdvals/eigh/eigvalsh/pinv/lstsq/matrix_rank and pinverse: shapes and modes,
argument errors, gauge-free values and gradients against PyTorch."""

from __future__ import annotations

import importlib
import warnings

import pytest

import ember.linalg  # noqa: F401 - the namespace (ember/__init__ may not import it yet)

from ._both import both, grads

A32 = [[1.0, 2], [3, 4], [5, 6]]
SYM = [[2.0, 1], [1, 3]]


def linalg(lib):
    return importlib.import_module(lib.__name__ + ".linalg")


@pytest.mark.parametrize(
    "call",
    [
        lambda t: [x.shape for x in linalg(t).qr(t.tensor(A32))],
        lambda t: [x.shape for x in linalg(t).qr(t.tensor(A32), mode="complete")],
        lambda t: linalg(t).qr(t.tensor(A32), mode="r").R.abs(),
        lambda t: linalg(t).qr(t.tensor(A32), mode="r").Q.shape,
        lambda t: linalg(t).qr(t.tensor(A32), mode="foo"),
        lambda t: linalg(t).qr(t.ones(3)),
        lambda t: linalg(t).qr(t.tensor(A32).long()),
        lambda t: [x.shape for x in linalg(t).svd(t.tensor(A32))],
        lambda t: [x.shape for x in linalg(t).svd(t.tensor(A32), full_matrices=False)],
        lambda t: linalg(t).svdvals(t.tensor(A32)),
        lambda t: linalg(t).svdvals(t.zeros(2, 0, 3)),
        lambda t: linalg(t).svd(t.tensor(A32).long()),
        lambda t: linalg(t).svd(t.zeros(0, 3)),
        lambda t: linalg(t).eigh(t.tensor(SYM)).eigenvalues,
        lambda t: linalg(t).eigh(t.tensor([[2.0, 100], [1, 3]]), UPLO="U").eigenvalues,
        lambda t: linalg(t).eigh(t.tensor(A32)),
        lambda t: linalg(t).eigh(t.eye(2), UPLO="X"),
        lambda t: linalg(t).eigvalsh(t.tensor(SYM).expand(3, 2, 2)),
        lambda t: [x.shape for x in t.svd(t.tensor(A32))],
        lambda t: [x.shape for x in t.svd(t.tensor(A32), some=False)],
        lambda t: t.svd(t.tensor(A32), compute_uv=False),
        lambda t: t.tensor(A32).svd().S,
        lambda t: (lambda u, s, v: (u * s) @ v.mT)(*t.svd(t.tensor(A32))),
        lambda t: [x.abs() for x in t.qr(t.tensor(A32))],
        lambda t: [x.shape for x in t.tensor(A32).qr(some=False)],
    ],
)
def test_factorizations(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.qr is deprecated
        both(call, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: linalg(t).lstsq(t.tensor(A32), t.ones(3, 2)),
        lambda t: linalg(t).lstsq(t.tensor(A32), t.ones(3, 2), driver="gelsd"),
        lambda t: linalg(t).lstsq(t.tensor(A32), t.ones(3, 2), driver="gels"),
        lambda t: linalg(t).lstsq(t.tensor(A32), t.ones(3, 2), driver="gelss"),
        lambda t: linalg(t).lstsq(t.tensor(A32), t.ones(3, 2), driver="foo"),
        lambda t: linalg(t).lstsq(t.tensor(A32).mT, t.ones(2, 1)),
        lambda t: linalg(t).lstsq(t.tensor(A32), t.ones(3)),
        lambda t: linalg(t).lstsq(t.tensor(A32), t.ones(2, 2)),
        lambda t: linalg(t).lstsq(t.ones(3, 2), t.ones(3, 2), driver="gelsd"),
        # (rank-deficient problems differ: LAPACK's gelsy truncates the rank by its own test)
        lambda t: linalg(t).lstsq(t.tensor(A32), t.ones(3, 2), rcond=1e-3),
        lambda t: linalg(t).pinv(t.tensor(A32)),
        lambda t: linalg(t).pinv(t.tensor(A32), rtol=0.5),
        lambda t: linalg(t).pinv(t.tensor(A32), atol=1.0),
        lambda t: linalg(t).pinv(t.tensor(SYM), hermitian=True),
        lambda t: linalg(t).pinv(t.tensor(A32).long()),
        lambda t: t.pinverse(t.tensor(A32)),
        lambda t: t.tensor(A32).pinverse(rcond=0.5),
        lambda t: linalg(t).matrix_rank(t.tensor(A32)),
        lambda t: linalg(t).matrix_rank(t.ones(3, 3)),
        lambda t: linalg(t).matrix_rank(t.tensor(A32), atol=5.0),
        lambda t: linalg(t).matrix_rank(t.tensor(A32), tol=5.0),
        lambda t: linalg(t).matrix_rank(t.tensor(A32).long()),
        lambda t: linalg(t).matrix_rank(t.eye(3), hermitian=True),
        lambda t: linalg(t).matrix_rank(t.zeros(2, 0)),
    ],
)
def test_least_squares(call):
    both(call, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda t: linalg(t).qr(t.tensor(A32, requires_grad=True), mode="complete")[0], "complete"),
        (lambda t: linalg(t).qr(t.tensor(A32, requires_grad=True), mode="r")[1], "mode='r'"),
    ],
)
def test_qr_modes_without_gradient(call, message):
    def backward(t):
        call(t).sum().backward()

    error = both(backward)
    assert message in str(error)


M = [[2.0, 0.3, -0.1], [0.4, 1.5, 0.2], [-0.3, 0.1, 1.8], [0.5, -0.4, 0.9]]


def test_gradients():
    grads(lambda t, a: linalg(t).qr(a).R.abs().sum() + linalg(t).qr(a).Q.abs().sum(), M)
    grads(lambda t, a: linalg(t).svdvals(a), M)
    grads(lambda t, a: linalg(t).svd(a, full_matrices=False).U.abs(), M)
    grads(lambda t, a: linalg(t).svd(a).Vh.abs(), M)
    grads(lambda t, a: linalg(t).eigh(a + a.mT).eigenvectors.abs(), M[:3])
    grads(lambda t, a: linalg(t).eigvalsh(a), M[:3])
    grads(lambda t, a: linalg(t).pinv(a), M)
    grads(lambda t, a, b: linalg(t).lstsq(a, b).solution, M, [[1.0], [2], [0], [1]])
