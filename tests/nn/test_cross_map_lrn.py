"""nn.CrossMapLRN2d: forward and PyTorch's hand-written backward, repr and errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from ._compare import torch
from ._pool_parity import check, same_error

RNG = np.random.default_rng(4)


@pytest.mark.parametrize(
    "args, shape",
    [
        ((3,), (2, 6, 3, 3)),
        ((3, 0.5, 0.75, 1.5), (2, 6, 3, 3)),
        ((2, 1.0, 0.5, 1.0), (1, 5, 2, 4)),
        ((4, 1.0, 0.6, 2.0), (2, 7, 2, 3)),
        ((5, 2.0, 0.75, 1.0), (1, 9, 3, 2)),
        ((7, 0.9, 1.2, 1.3), (2, 3, 2, 2)),
        ((3, 0.7, 0.75, 1.0), (1, 1, 3, 3)),
        ((3, 0.7, 0.75, 1.0), (0, 3, 3, 3)),
    ],
)
def test_values_and_grads(args, shape):
    check(lambda lib, t: lib.nn.CrossMapLRN2d(*args)(t), RNG.standard_normal(shape))


def test_size_one_forward_and_backward_error():
    x = RNG.standard_normal((1, 4, 2, 2))
    outs = [lib.nn.CrossMapLRN2d(1, 0.5)(lib.tensor(x)).numpy() for lib in (ember, torch)]
    np.testing.assert_allclose(outs[0], outs[1], rtol=1e-12)
    same_error(lambda lib, t: lib.nn.CrossMapLRN2d(1)(t.requires_grad_()).sum().backward(), x)


def test_repr_state_and_grad_fn():
    for args in [(3,), (5, 0.1, 0.5, 2), (2, 1e-3, 0.75, 1.5)]:
        assert repr(ember.nn.CrossMapLRN2d(*args)) == repr(torch.nn.CrossMapLRN2d(*args))
    assert list(ember.nn.CrossMapLRN2d(3).state_dict()) == []
    x = ember.randn(1, 3, 2, 2, requires_grad=True)
    assert ember.nn.CrossMapLRN2d(3)(x).grad_fn.name() == "CrossMapLRN2dBackward"


@pytest.mark.parametrize("shape", [(3, 2, 2), (1, 2, 3, 2, 2)])
def test_needs_4d_input(shape):
    same_error(lambda lib, t: lib.nn.CrossMapLRN2d(3)(t), RNG.standard_normal(shape))
