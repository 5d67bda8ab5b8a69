"""linalg.inv/det/slogdet/solve/cholesky/solve_triangular and the top-level inverse, det,
logdet, slogdet, cholesky, cholesky_solve, cholesky_inverse, triangular_solve: batches,
singular and non-square inputs, PyTorch's LinAlgError, deprecation warnings, gradients."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import ember
import ember.linalg  # noqa: F401 - the namespace (ember/__init__ may not import it yet)

from ._both import both, grads

SING = [[1.0, 2], [2, 4]]
SING3 = [[1.0, 2, 3], [2, 4, 6], [1, 1, 1]]
A2 = [[2.0, 0], [1, 3]]


def linalg(lib):
    return importlib.import_module(lib.__name__ + ".linalg")


def test_linalg_error_is_a_runtime_error():
    assert issubclass(ember.linalg.LinAlgError, RuntimeError)
    with pytest.raises(ember.linalg.LinAlgError, match="diagonal element 2 is zero"):
        ember.linalg.inv(ember.tensor(SING))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: linalg(t).inv(t.tensor(SING)),
        lambda t: linalg(t).inv(t.tensor(SING3)),
        lambda t: linalg(t).inv(t.stack([t.eye(2), t.tensor(SING)])),
        lambda t: linalg(t).inv(t.ones(2, 3)),
        lambda t: linalg(t).inv(t.ones(3)),
        lambda t: linalg(t).inv(t.eye(2).long()),
        lambda t: linalg(t).inv(t.zeros(0, 0)),
        lambda t: linalg(t).inv(t.zeros(2, 0, 0)),
        lambda t: linalg(t).inv_ex(t.eye(2)),
        lambda t: linalg(t).inv_ex(t.tensor(SING)).info,
        lambda t: t.inverse(t.tensor(A2)),
        lambda t: t.tensor(A2).inverse(),
        lambda t: linalg(t).det(t.ones(2, 3)),
        lambda t: linalg(t).det(t.tensor(SING)),
        lambda t: linalg(t).det(t.eye(2).long()),
        lambda t: linalg(t).det(t.zeros(0, 0)),
        lambda t: t.det(t.tensor(A2).expand(3, 2, 2)),
        lambda t: linalg(t).slogdet(t.tensor(SING)),
        lambda t: linalg(t).slogdet(-t.eye(3)),
        lambda t: t.slogdet(t.tensor(A2)),
        lambda t: t.logdet(-t.eye(3)),
        lambda t: t.logdet(t.tensor(SING)),
        lambda t: t.tensor(A2).logdet(),
    ],
)
def test_inverse_and_determinants(call):
    both(call, rtol=1e-5)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: linalg(t).solve(t.tensor(SING), t.ones(2)),
        lambda t: linalg(t).solve(t.eye(2), t.ones(3)),
        lambda t: linalg(t).solve(t.eye(2), t.ones(2, 3, 4)),
        lambda t: linalg(t).solve(t.tensor(A2).expand(3, 2, 2), t.ones(3, 2)),
        lambda t: linalg(t).solve(t.tensor(A2), t.ones(2, 2, 1)),
        lambda t: linalg(t).solve(t.eye(2), t.ones(2), left=False),
        lambda t: linalg(t).solve(t.tensor(A2), t.ones(1, 2), left=False),
        lambda t: linalg(t).solve(t.eye(2), t.ones(2, 2).double()),
        lambda t: linalg(t).solve_ex(t.tensor(A2), t.ones(2)),
        lambda t: linalg(t).solve_ex(t.tensor(SING), t.ones(2)).info,
    ],
)
def test_solve(call):
    both(call, rtol=1e-5)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: linalg(t).cholesky(t.tensor(SING)),
        lambda t: linalg(t).cholesky(t.stack([t.eye(2), -t.eye(2)])),
        lambda t: linalg(t).cholesky_ex(-t.eye(2)),
        lambda t: linalg(t).cholesky_ex(t.eye(2) * 4),
        lambda t: linalg(t).cholesky(t.ones(2, 3)),
        lambda t: linalg(t).cholesky(t.tensor([[4.0, 100], [2, 5]])),
        lambda t: linalg(t).cholesky(t.tensor([[4.0, 2], [2, 5]]), upper=True),
        lambda t: linalg(t).solve_triangular(t.tensor(A2), t.ones(2, 1), upper=False),
        lambda t: linalg(t).solve_triangular(t.tensor(A2), t.ones(2, 1), upper=False, left=False),
        lambda t: linalg(t).solve_triangular(t.tensor(A2), t.ones(1, 2), upper=False, left=False),
        lambda t: linalg(t).solve_triangular(t.tensor(A2), t.ones(3, 2, 2), upper=True),
        lambda t: linalg(t).solve_triangular(
            t.tensor([[0.0, 0], [1, 3]]), t.ones(2, 1), upper=False
        ),
        lambda t: linalg(t).solve_triangular(t.tensor(A2), t.ones(2, 1).double(), upper=False),
        lambda t: linalg(t).solve_triangular(t.ones(2, 3), t.ones(2, 1), upper=False),
        lambda t: linalg(t).solve_triangular(t.tensor(A2).long(), t.ones(2, 1).long(), upper=False),
        lambda t: t.cholesky_solve(t.ones(2, 1), t.tensor(A2)),
        lambda t: t.cholesky_solve(t.ones(2), t.tensor(A2)),
        lambda t: t.cholesky_inverse(t.tensor(A2)),
        lambda t: t.cholesky_inverse(t.tensor(A2).mT, upper=True),
        lambda t: t.triangular_solve(t.ones(2, 1), t.tensor(A2), upper=False),
        lambda t: t.triangular_solve(t.ones(2, 1), t.tensor(A2), upper=False, transpose=True),
        lambda t: t.cholesky(t.tensor([[4.0, 2], [2, 5]])),
    ],
)
def test_cholesky_and_triangular(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecated forms warn in both libraries
        both(call, rtol=1e-5)


def test_deprecated_forms_warn():
    for call in (
        lambda: ember.cholesky(ember.eye(2)),
        lambda: ember.triangular_solve(ember.ones(2, 1), ember.eye(2)),
    ):
        with pytest.warns(UserWarning, match="deprecated"):
            call()


SPD = [[4.0, 1, 0.5], [1, 3, 0.2], [0.5, 0.2, 2]]
M3 = [[2.0, 0.3, -0.1], [0.4, 1.5, 0.2], [-0.3, 0.1, 1.8]]


def test_gradients():
    grads(lambda t, a: linalg(t).inv(a), M3)
    grads(lambda t, a: linalg(t).det(a), M3)
    grads(lambda t, a: linalg(t).slogdet(a).logabsdet, M3)
    grads(lambda t, a, b: linalg(t).solve(a, b), M3, [[1.0, 2], [0, 1], [3, -1]])
    grads(lambda t, a, b: linalg(t).solve(a, b), M3, [1.0, 2, 3])
    grads(lambda t, a: linalg(t).cholesky(a), SPD)
    grads(lambda t, a: linalg(t).cholesky(a, upper=True), SPD)
    grads(lambda t, a, b: linalg(t).solve_triangular(a, b, upper=True), M3, [[1.0], [2], [3]])


def test_det_gradient_at_singular_matrices_is_zero_as_in_pytorch():
    grads(lambda t, a: linalg(t).det(a), SING3)
    grads(lambda t, a: linalg(t).det(a), [[[1.0, 2], [2, 4]], [[1.0, 2], [3, 4]]])
    x = ember.tensor(np.diag([1.0, 1.0, 0.0]), requires_grad=True)
    ember.linalg.det(x).backward()
    assert np.array_equal(x.grad.numpy(), np.zeros((3, 3)))
