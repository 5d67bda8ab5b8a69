"""linalg.matrix_power/matrix_exp/cross/vecdot/multi_dot/diagonal/norm/vector_norm/
matrix_norm/cond/lu_factor/lu/lu_solve and the top-level cross, chain_matmul, lu_unpack:
values, argument errors and gradients against PyTorch (finite differences where PyTorch's
own gradient fails)."""

from __future__ import annotations

import importlib
import warnings

import numpy as np
import pytest

import ember
import ember.linalg  # noqa: F401 - the namespace (ember/__init__ may not import it yet)
from ember.autograd.gradcheck import gradcheck

from ._both import both, grads

A = [[1.0, 2], [3, 4]]
INF = float("inf")
P = [[1.0, 0, 0], [0, 1, 0]]
Q = [[0.0, 1, 0], [0, 0, 1]]


def linalg(lib):
    return importlib.import_module(lib.__name__ + ".linalg")


@pytest.mark.parametrize(
    "call",
    [
        lambda t: linalg(t).matrix_power(t.tensor(A), 3),
        lambda t: linalg(t).matrix_power(t.tensor(A), 0),
        lambda t: linalg(t).matrix_power(t.tensor(A), -2),
        lambda t: linalg(t).matrix_power(t.ones(2, 3), 2),
        lambda t: linalg(t).matrix_power(t.tensor(A).long(), 2),
        lambda t: linalg(t).matrix_power(t.tensor(A).long(), -1),
        lambda t: linalg(t).matrix_power(t.ones(3), 2),
        lambda t: t.tensor(A).matrix_power(5),
        lambda t: linalg(t).matrix_exp(t.tensor(A)),
        lambda t: linalg(t).matrix_exp(t.tensor(A) * 10),
        lambda t: t.matrix_exp(t.tensor([[[0.0, 1], [-1, 0]], [[1e-9, 0], [0, 2]]])),
        lambda t: linalg(t).matrix_exp(t.tensor(A).long()),
        lambda t: linalg(t).matrix_exp(t.ones(2, 3)),
        lambda t: linalg(t).matrix_exp(t.zeros(0, 0)),
        lambda t: linalg(t).cross(t.tensor(P), t.tensor(Q)),
        lambda t: t.cross(t.tensor(P).mT, t.tensor(Q).mT),
        lambda t: t.cross(t.tensor(P), t.tensor(Q), dim=1),
        lambda t: linalg(t).cross(t.tensor(P), t.ones(3)),
        lambda t: linalg(t).cross(t.tensor(P), t.ones(2, 2)),
        lambda t: linalg(t).cross(t.tensor(P).long(), t.tensor(Q).long()),
        lambda t: linalg(t).cross(t.ones(2, 4), t.ones(2, 4)),
        lambda t: t.cross(t.ones(2, 4), t.ones(2, 4)),
        lambda t: linalg(t).cross(t.tensor(P), t.tensor(Q).double()),
        lambda t: linalg(t).cross(t.ones(2, 1, 3), t.tensor(Q)),
        lambda t: linalg(t).vecdot(t.tensor(P), t.tensor(Q)),
        lambda t: linalg(t).vecdot(t.tensor(P), t.tensor(Q), dim=0),
        lambda t: linalg(t).vecdot(t.tensor(P).long(), t.tensor(Q).long()),
        lambda t: linalg(t).vecdot(t.tensor(P), t.ones(3)),
        lambda t: linalg(t).multi_dot([t.ones(3), t.ones(3, 2), t.ones(2)]),
        lambda t: linalg(t).multi_dot([t.ones(3, 2)]),
        lambda t: linalg(t).multi_dot([t.ones(3, 2), t.ones(3, 2)]),
        lambda t: linalg(t).multi_dot([t.ones(3, 2, 2), t.ones(2, 2)]),
        lambda t: linalg(t).multi_dot([t.ones(3), t.ones(3)]),
        lambda t: linalg(t).multi_dot([t.ones(2, 3), t.ones(3, 4).double()]),
        lambda t: t.chain_matmul(t.ones(2, 3), t.ones(3, 2)),
        lambda t: t.chain_matmul(t.ones(2, 3)),
        lambda t: linalg(t).diagonal(t.ones(2, 3, 3)),
        lambda t: linalg(t).diagonal(t.arange(9.0).reshape(3, 3), offset=1),
    ],
)
def test_products(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated forms warn in both libraries
        both(call, rtol=1e-5)


def test_deprecations_warn():
    with pytest.warns(UserWarning, match="without specifying the dim"):
        ember.cross(ember.tensor(P).mT, ember.tensor(Q).mT)
    with pytest.warns(UserWarning, match="chain_matmul is deprecated"):
        ember.chain_matmul(ember.ones(2, 3), ember.ones(3, 2))


V = [3.0, -4]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: linalg(t).norm(t.tensor(A)),
        lambda t: linalg(t).norm(t.tensor(V)),
        lambda t: [linalg(t).norm(t.tensor(A), o) for o in ("fro", "nuc", 2, -2, 1, INF)],
        lambda t: linalg(t).norm(t.tensor(V), 1),
        lambda t: linalg(t).norm(t.tensor(A), 3),
        lambda t: linalg(t).norm(t.tensor(V), "fro"),
        lambda t: linalg(t).norm(t.tensor(A), 2, dim=1),
        lambda t: linalg(t).norm(t.tensor(A), dim=(0, 1), keepdim=True),
        lambda t: linalg(t).norm(t.ones(2, 2, 2)),
        lambda t: linalg(t).norm(t.ones(2, 2, 2), 2),
        lambda t: linalg(t).norm(t.tensor(A).long()),
        lambda t: linalg(t).vector_norm(t.tensor(A), 1, dim=0),
        lambda t: linalg(t).vector_norm(t.tensor(A), 0),
        lambda t: linalg(t).vector_norm(t.tensor(A), dtype=t.float64),
        lambda t: linalg(t).vector_norm(t.tensor(A).long()),
        lambda t: linalg(t).vector_norm(t.tensor(A), "fro"),
        lambda t: [linalg(t).matrix_norm(t.tensor(A), o) for o in (-1, -INF, 2)],
        lambda t: linalg(t).matrix_norm(t.tensor(A), 3),
        lambda t: linalg(t).matrix_norm(t.tensor(V)),
        lambda t: linalg(t).matrix_norm(t.tensor(A), "foo"),
        lambda t: linalg(t).matrix_norm(t.tensor(A), 2, keepdim=True),
        lambda t: linalg(t).matrix_norm(t.ones(2, 3, 4), 1, dim=(0, 2), keepdim=True),
        lambda t: [linalg(t).cond(t.tensor(A), o) for o in (None, "fro", 1, -2)],
        lambda t: linalg(t).cond(t.tensor([[1.0, 2], [2, 4]]), 1),
        lambda t: linalg(t).cond(t.tensor([[1.0, 0, 0], [0, 0, 0]])),
        lambda t: linalg(t).cond(t.ones(2, 3), 1),
        lambda t: linalg(t).cond(t.tensor(A).long()),
        lambda t: linalg(t).cond(t.zeros(2, 0, 0)),
    ],
)
def test_norms(call):
    both(call, rtol=1e-5)


LU3 = [[1.0, 2, 3], [4, 5, 6], [7, 8, 10]]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: linalg(t).lu_factor(t.tensor(LU3)),
        lambda t: linalg(t).lu_factor(t.tensor(LU3)[:2]),
        lambda t: linalg(t).lu(t.tensor(LU3)[:2]),
        lambda t: linalg(t).lu(t.tensor(LU3).mT[:2].mT),
        lambda t: linalg(t).lu_factor(t.tensor([[1.0, 2], [2, 4]])),
        lambda t: linalg(t).lu_factor(t.zeros(3, 2, 2)),
        lambda t: linalg(t).lu_factor_ex(t.zeros(2, 2)),
        lambda t: linalg(t).lu_factor_ex(t.zeros(2, 2), check_errors=True),
        lambda t: linalg(t).lu_factor(t.tensor(LU3), pivot=False),
        lambda t: linalg(t).lu_factor(t.tensor(LU3).long()),
        lambda t: linalg(t).lu_solve(*linalg(t).lu_factor(t.tensor(LU3)), t.ones(3, 1)),
        lambda t: linalg(t).lu_solve(*linalg(t).lu_factor(t.tensor(LU3)), t.ones(1, 3), left=False),
        lambda t: linalg(t).lu_solve(
            *linalg(t).lu_factor(t.tensor(LU3)), t.ones(3, 1), adjoint=True
        ),
        lambda t: linalg(t).lu_solve(*linalg(t).lu_factor(t.tensor(LU3)), t.ones(3)),
        lambda t: t.lu_unpack(*linalg(t).lu_factor(t.tensor(LU3))),
        lambda t: t.lu_unpack(*linalg(t).lu_factor(t.tensor(LU3)), unpack_data=False),
        lambda t: linalg(t).lu(t.tensor(LU3, requires_grad=True)).P.requires_grad,
        lambda t: t.lu(t.tensor(LU3)),
        lambda t: t.tensor(LU3).lu(get_infos=True),
        lambda t: t.lu_solve(t.ones(3, 1), *t.lu(t.tensor(LU3))),
        lambda t: t.ones(3, 2).lu_solve(*t.lu(t.tensor(LU3))),
    ],
)
def test_lu(call):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.lu and torch.lu_solve are deprecated
        both(call, rtol=1e-5, atol=1e-5)


M = [[2.0, 0.3, -0.1], [0.4, 1.5, 0.2], [-0.3, 0.1, 1.8]]


def test_gradients():
    grads(lambda t, a: linalg(t).matrix_exp(a * 3), M)
    grads(lambda t, a: linalg(t).matrix_power(a, -3), M)
    grads(lambda t, a, b: linalg(t).cross(a, b), M, [[1.0, 2, 3]])
    grads(lambda t, a: linalg(t).matrix_norm(a, "nuc"), M)
    grads(lambda t, a: linalg(t).cond(a), M)
    grads(lambda t, a: linalg(t).lu(a).L + linalg(t).lu(a).U, M)
    grads(lambda t, a: linalg(t).lu(a[:2]).U, M)
    grads(lambda t, a: linalg(t).lu(a[:, :2]).L, M)
    grads(lambda t, a: linalg(t).lu_factor(a).LU, M)
    grads(lambda t, a, b: linalg(t).lu_solve(*linalg(t).lu_factor(a), b), M, [[1.0], [2], [3]])


def test_cond_gradient_by_finite_differences():
    # PyTorch 2.13 fails to differentiate cond for these orders (its own in-place write).
    x = ember.tensor(np.array(M), requires_grad=True)
    for order in ("fro", 1, INF):
        assert gradcheck(lambda a, order=order: ember.linalg.cond(a, order), (x,))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: linalg(t).vander(t.tensor([1.0, 2, 3])),
        lambda t: linalg(t).vander(t.tensor([[1, 2], [3, 4]]), N=3),
        lambda t: linalg(t).vander(t.tensor(2.0)),
        lambda t: linalg(t).vander(t.tensor([1.0, 2]), N=0),
        lambda t: linalg(t).tensorinv(t.eye(6).reshape(2, 3, 6), ind=2).shape,
        lambda t: linalg(t).tensorinv(t.ones(2, 3), ind=1),
        lambda t: linalg(t).tensorinv(t.eye(6).reshape(2, 3, 6), ind=0),
        lambda t: linalg(t).tensorsolve(t.eye(6).reshape(2, 3, 6), t.ones(2, 3)),
        lambda t: linalg(t).tensorsolve(t.eye(6).reshape(6, 2, 3), t.ones(6), dims=(0,)),
        lambda t: linalg(t).tensorsolve(t.eye(6).reshape(2, 3, 6), t.ones(3, 2)),
        lambda t: linalg(t).matmul(t.ones(2, 3), t.ones(3)),
    ],
)
def test_tensor_forms(call):
    both(call)
