"""repeat_interleave, meshgrid, cartesian_prod, combinations, block_diag, diagflat, vander,
tril_indices/triu_indices against PyTorch: dtypes, empty and 0-d inputs, errors, grad_fn."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
from ember.autograd.gradcheck import gradcheck

from ._both import both, grads

M = [[1, 2], [3, 4]]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.repeat_interleave(t.tensor(M), 2),
        lambda t: t.repeat_interleave(t.tensor(M), t.tensor([1, 2]), dim=0),
        lambda t: t.repeat_interleave(t.tensor(M), t.tensor(2), dim=1),
        lambda t: t.repeat_interleave(t.tensor(M), t.tensor([2]), dim=1),
        lambda t: t.repeat_interleave(t.tensor([2, 3])),
        lambda t: t.repeat_interleave(t.tensor(M), -1),
        lambda t: t.repeat_interleave(t.tensor(M), t.tensor([1, 2, 3]), dim=0),
        lambda t: t.repeat_interleave(t.tensor(M), t.tensor([1, -2]), dim=0),
        lambda t: t.repeat_interleave(t.tensor(M), 2, dim=0, output_size=5),
        lambda t: t.repeat_interleave(t.tensor(M), 2, dim=0, output_size=4),
        lambda t: t.repeat_interleave(t.tensor(M), t.tensor([1, 2]), dim=0, output_size=5),
        lambda t: t.repeat_interleave(t.tensor(3.0), 3),
        lambda t: t.repeat_interleave(t.tensor(M), t.tensor([1.0, 2]), dim=0),
        lambda t: t.tensor(M).repeat_interleave(2, dim=-1),
        lambda t: t.repeat_interleave(t.tensor(M), t.tensor([[1, 2]]), dim=0),
        lambda t: t.repeat_interleave(t.tensor([[2]])),
        lambda t: t.repeat_interleave(t.zeros(0, 2), 2, dim=0),
        lambda t: t.repeat_interleave(t.tensor(M), 0, dim=0),
        lambda t: t.repeat_interleave(t.tensor(M), 2, dim=3),
    ],
)
def test_repeat_interleave(call):
    both(call)


def test_repeat_interleave_grad_fn_as_pytorch():
    def names(t):
        x = t.ones(2, 3, requires_grad=True)
        a = t.repeat_interleave(x, 2, dim=1).grad_fn.name()
        b = t.repeat_interleave(x, t.tensor([1, 0]), dim=0).grad_fn.name()
        return a + b

    both(names)
    grads(lambda t, x: t.repeat_interleave(x, t.tensor([2, 0, 1]), dim=0), [1.0, 2, 3])


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.meshgrid(t.tensor([1, 2]), t.tensor([3, 4, 5]), indexing="ij"),
        lambda t: t.meshgrid(t.tensor([1, 2]), t.tensor([3, 4, 5]), indexing="xy"),
        lambda t: t.meshgrid(t.tensor([1, 2]), t.tensor([3.0, 4, 5]), indexing="xy"),
        lambda t: t.meshgrid([t.tensor([1, 2]), t.tensor(3)], indexing="ij"),
        lambda t: t.meshgrid(indexing="ij"),
        lambda t: t.meshgrid(t.tensor([1]), indexing="foo"),
        lambda t: t.cartesian_prod(t.tensor([1, 2]), t.tensor([3, 4, 5])),
        lambda t: t.cartesian_prod(t.tensor([1, 2])),
        lambda t: t.cartesian_prod(t.tensor([1, 2]), t.tensor([3.0])),
        lambda t: t.cartesian_prod(t.ones(2, 2)),
        lambda t: t.combinations(t.tensor([1, 2, 3])),
        lambda t: t.combinations(t.tensor([1, 2, 3]), r=3, with_replacement=True),
        lambda t: t.combinations(t.tensor([1, 2, 3]), r=0),
        lambda t: t.combinations(t.tensor([1, 2]), r=3),
        lambda t: t.combinations(t.ones(2, 2)),
        lambda t: t.combinations(t.tensor([1, 2]), r=-1),
    ],
)
def test_grids_and_combinations(call):
    both(call)


def test_meshgrid_without_indexing_warns_and_uses_ij():
    with pytest.warns(UserWarning, match="indexing argument"):
        a, b = ember.meshgrid(ember.tensor([1, 2]), ember.tensor([3, 4, 5]))
    assert a.shape == (2, 3) and b.shape == (2, 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ember.meshgrid(ember.tensor([1, 2]), indexing="ij")
    both(lambda t: t.meshgrid(t.ones(2, 2), indexing="ij"), message=False)


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.block_diag(t.tensor([[1, 2]]), t.tensor(3.0), t.tensor([4, 5])),
        lambda t: t.block_diag(),
        lambda t: t.block_diag(t.ones(2, 2, 2)),
        lambda t: t.block_diag(t.zeros(0, 2), t.ones(1, 1)),
        lambda t: t.block_diag(t.tensor([True]), t.tensor([2])),
        lambda t: t.diagflat(t.tensor(M)),
        lambda t: t.diagflat(t.tensor([1, 2]), -1),
        lambda t: t.diagflat(t.tensor(3.0)),
        lambda t: t.diagflat(t.zeros(0)),
        lambda t: t.tensor(M).diagflat(1),
        lambda t: t.vander(t.tensor([1, 2, 3])),
        lambda t: t.vander(t.tensor([1.0, 2, 3]), N=2, increasing=True),
        lambda t: t.vander(t.tensor([1, 2, 3]), N=0),
        lambda t: t.vander(t.ones(2, 2)),
        lambda t: t.vander(t.tensor([True, False])),
        lambda t: t.vander(t.tensor([1, 2]), N=-1),
        lambda t: t.vander(t.tensor([1, 2], dtype=t.int32)),
        lambda t: t.vander(t.tensor(2.0)),
        lambda t: t.vander(t.tensor([1.0, 2], requires_grad=True), N=1).requires_grad,
    ],
)
def test_block_diag_diagflat_vander(call):
    both(call)


def test_block_diag_gradient_and_name():
    both(lambda t: t.block_diag(t.ones(2, requires_grad=True), t.ones(1, 1)).grad_fn.name())
    grads(lambda t, a, b: t.block_diag(a, b), [[1.0, 2], [3, 4]], [5.0, 6, 7])


def test_vander_gradient_by_finite_differences():
    # PyTorch 2.13 cannot differentiate its own vander; the finite differences are the check.
    x = ember.tensor(np.array([0.5, -1.5, 2.0]), requires_grad=True)
    assert gradcheck(lambda a: ember.vander(a), (x,))
    assert gradcheck(lambda a: ember.vander(a, N=4, increasing=True), (x,))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.tril_indices(3, 3),
        lambda t: t.tril_indices(4, 3, 1),
        lambda t: t.triu_indices(3, 4, -1),
        lambda t: t.triu_indices(3, 3, dtype=t.int32),
        lambda t: t.tril_indices(0, 3),
        lambda t: t.tril_indices(-1, 3),
        lambda t: t.tril_indices(3, -1),
        lambda t: t.tril_indices(3, 3, dtype=t.float32),
        lambda t: t.triu_indices(2, 2, 5),
        lambda t: t.tril_indices(3, 3, -5),
    ],
)
def test_tri_indices(call):
    both(call)
