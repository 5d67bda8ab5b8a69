"""LPPool1d/2d/3d and F.lp_pool*: values, gradients (norms 1, 2, 3, fractional, +-inf)."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from ._compare import torch
from ._pool_parity import check, same_error

RNG = np.random.default_rng(1)


def _x(*shape, positive=False):
    x = RNG.standard_normal(shape)
    return np.abs(x) + 0.1 if positive else x


def _lp(nd, *args, **kw):
    return lambda lib, t: getattr(lib.nn.functional, f"lp_pool{nd}d")(t, *args, **kw)


@pytest.mark.parametrize(
    "nd, shape, args, kw, positive",
    [
        (1, (2, 3, 7), (2, 3), dict(stride=2, ceil_mode=True), False),
        (1, (3, 7), (1, 3), {}, False),
        (1, (2, 7), (1.5, 2), {}, True),
        (2, (2, 3, 6, 7), (2, 3), {}, False),
        (2, (2, 3, 6, 7), (2, (2, 3)), dict(stride=(1, 2), ceil_mode=True), False),
        (2, (2, 6, 7), (3, 2), {}, False),
        (2, (1, 2, 6, 7), (2.5, 2), {}, True),
        (2, (3, 6, 7), (float("inf"), 2), {}, False),
        (2, (3, 6, 7), (-float("inf"), 2), dict(stride=1), False),
        (3, (1, 2, 4, 5, 6), (2, 2), {}, False),
        (3, (2, 4, 5, 6), (2, (2, 1, 3)), dict(stride=1), False),
        (3, (2, 4, 5, 6), (float("inf"), 2), dict(ceil_mode=True), False),
    ],
)
def test_lp_pool_values_and_grads(nd, shape, args, kw, positive):
    check(_lp(nd, *args, **kw), _x(*shape, positive=positive))


def test_zero_window_has_zero_gradient():
    check(_lp(2, 2, 2), np.zeros((1, 1, 4, 4)))


def test_modules_repr_and_forward():
    cases = [
        ("LPPool1d", (2.5, 3, 2, True), (2, 3, 9)),
        ("LPPool2d", (2, 3), (1, 2, 6, 6)),
        ("LPPool3d", (1, (2, 2, 1)), (1, 2, 4, 4, 3)),
    ]
    for cls, args, shape in cases:
        e, t = getattr(ember.nn, cls)(*args), getattr(torch.nn, cls)(*args)
        assert repr(e) == repr(t)
        x = _x(*shape)
        np.testing.assert_allclose(e(ember.tensor(x)).numpy(), t(torch.tensor(x)).numpy())


@pytest.mark.parametrize(
    "call",
    [
        lambda F, x: F.lp_pool1d(x[0], 2, (3,)),
        lambda F, x: F.lp_pool2d(x, 2, 9),
        lambda F, x: F.lp_pool2d(x, 0, 2),
    ],
)
def test_errors_match(call):
    same_error(lambda lib, x: call(lib.nn.functional, x), np.abs(_x(1, 2, 4, 4)) + 0.5)
