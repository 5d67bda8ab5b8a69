"""In-place shape changes and resize_as_ against PyTorch: shapes, memory, versions,
gradients, grad_fn names and errors."""

import numpy as np
import pytest
import torch

import ember

from ._oracle import same

CASES = [
    ((2, 3), "t_", ()),
    ((3,), "t_", ()),
    ((2, 3, 4), "transpose_", (0, 2)),
    ((2, 3, 4), "swapaxes_", (1, -1)),
    ((2, 3, 4), "swapdims_", (0, 1)),
    ((2, 1, 3, 1), "squeeze_", ()),
    ((2, 1, 3, 1), "squeeze_", (1,)),
    ((2, 1, 3, 1), "squeeze_", ((1, 3),)),
    ((2, 3), "unsqueeze_", (1,)),
    ((2, 3), "unsqueeze_", (-1,)),
]


@pytest.mark.parametrize("shape,name,args", CASES)
def test_inplace_view_matches_pytorch(shape, name, args):
    a = np.random.default_rng(0).standard_normal(shape)
    results = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = x * 2
        v = y._version
        r = getattr(y, name)(*args)
        assert r is y and y._version == v + 1
        w = lib.arange(float(y.numel()), dtype=lib.float64).view(y.shape)
        (y * w).sum().backward()
        results.append((tuple(y.shape), y.grad_fn.name(), y.detach().numpy(), x.grad.numpy()))
    (s1, n1, v1, g1), (s2, n2, v2, g2) = results
    assert (s1, n1) == (s2, n2)
    np.testing.assert_array_equal(v1, v2)
    np.testing.assert_array_equal(g1, g2)


def test_the_tensor_keeps_its_storage():
    x = ember.zeros(2, 3)
    y = x.view(6)
    y.unsqueeze_(0)
    assert tuple(y.shape) == (1, 6) and y._base is x
    y.add_(1)
    assert x.sum().item() == 6


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.ones(2, 3, requires_grad=True).t_(),
        lambda lib: lib.ones(2, 3, 4).t_(),
        lambda lib: lib.ones(2, 3).transpose_(0, 5),
        lambda lib: lib.ones(2, 3).resize_as_(lib.ones(3, 4)).shape,
        lambda lib: lib.arange(6.0).resize_as_(lib.ones(2, 2)),
        lambda lib: lib.arange(6.0).resize_as_(lib.ones(2, 4)).shape,
        lambda lib: lib.ones(2, requires_grad=True).resize_as_(lib.ones(1)),
        lambda lib: (lib.ones(2, requires_grad=True) * 2).resize_as_(lib.ones(2)),
        lambda lib: lib.ones(2, 3).view(6).squeeze_(0).shape,
    ],
)
def test_outcomes_match(call):
    same(lambda: call(ember), lambda: call(torch))
