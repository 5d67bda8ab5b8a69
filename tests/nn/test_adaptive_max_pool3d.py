"""AdaptiveMaxPool3d, F.adaptive_max_pool3d and the ``*_with_indices`` spellings vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from ._compare import torch
from ._pool_parity import check, same_error

RNG = np.random.default_rng(2)


def _x(*shape):
    return RNG.standard_normal(shape)


@pytest.mark.parametrize(
    "shape, size",
    [
        ((2, 3, 5, 6, 7), (2, None, 3)),
        ((2, 3, 5, 6, 7), (4, 5, 3)),
        ((3, 4, 4, 5), 2),
        ((1, 2, 3, 3, 3), 5),
        ((1, 1, 4, 4, 4), 1),
    ],
)
def test_values_indices_and_grads(shape, size):
    check(lambda lib, t: lib.nn.functional.adaptive_max_pool3d(t, size, True), _x(*shape))


def test_module_repr_and_grad_fn():
    for size in [(2, None, 3), 4]:
        assert repr(ember.nn.AdaptiveMaxPool3d(size)) == repr(torch.nn.AdaptiveMaxPool3d(size))
    check(lambda lib, t: lib.nn.AdaptiveMaxPool3d((2, 1, 3), True)(t), _x(2, 2, 4, 3, 5))
    x = ember.randn(1, 1, 4, 4, 4, requires_grad=True)
    out = ember.nn.functional.adaptive_max_pool3d(x, 2)
    assert out.grad_fn.name() == "AdaptiveMaxPool3DBackward0"


def test_nan_is_the_maximum_and_last_nan_wins():
    row = np.array([[[[[1.0, np.nan, 3.0, np.nan, 2.0]]]]])
    e = ember.nn.functional.adaptive_max_pool3d(ember.tensor(row), (1, 1, 2), True)
    t = torch.nn.functional.adaptive_max_pool3d(torch.tensor(row), (1, 1, 2), True)
    np.testing.assert_array_equal(e[1].numpy(), t[1].numpy())
    np.testing.assert_array_equal(e[0].numpy(), t[0].numpy())


@pytest.mark.parametrize(
    "name, args",
    [
        ("adaptive_max_pool3d_with_indices", ((2, 3, 2),)),
        ("adaptive_max_pool2d_with_indices", ((2, 3),)),
        ("adaptive_max_pool1d_with_indices", (3,)),
        ("max_pool3d_with_indices", (2,)),
    ],
)
def test_with_indices_spellings_return_both(name, args):
    shape = {"1": (2, 3, 7), "2": (2, 5, 7), "3": (1, 2, 5, 6, 7)}[name.split("pool")[1][0]]
    check(lambda lib, t: getattr(lib.nn.functional, name)(t, *args), _x(*shape))
    check(
        lambda lib, t: getattr(lib.nn.functional, name)(t, *args, return_indices=False),
        _x(*shape),
    )


def test_empty_batch():
    e = ember.nn.functional.adaptive_max_pool3d(ember.zeros(0, 3, 4, 4, 4), 2, True)
    assert tuple(e[0].shape) == tuple(e[1].shape) == (0, 3, 2, 2, 2)


@pytest.mark.parametrize(
    "call",
    [
        lambda F, x: F.adaptive_max_pool3d(x, (2, 3)),
        lambda F, x: F.adaptive_max_pool3d(x[0, 0], 2),
        lambda F, x: F.adaptive_max_pool3d(x, -1),
        lambda F, x: F.adaptive_max_pool3d(x[:, :, :0], 2),
        lambda F, x: F.adaptive_max_pool3d(x.long(), 2),
    ],
)
def test_errors_match(call):
    same_error(lambda lib, x: call(lib.nn.functional, x), _x(2, 3, 4, 5, 6))
