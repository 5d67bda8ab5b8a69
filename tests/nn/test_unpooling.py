"""MaxUnpool1d/2d/3d and F.max_unpool*: values, gradients, output_size and errors vs PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from ._compare import torch
from ._pool_parity import check, same_error

RNG = np.random.default_rng(0)


def _x(*shape):
    return RNG.standard_normal(shape)


def _roundtrip(nd, pool_kw, unpool_kw=None):
    def fn(lib, t):
        F = lib.nn.functional
        out, idx = getattr(F, f"max_pool{nd}d")(t, return_indices=True, **pool_kw)
        return getattr(F, f"max_unpool{nd}d")(out * 2, idx, **(unpool_kw or pool_kw))

    return fn


@pytest.mark.parametrize(
    "nd, shape, kw",
    [
        (1, (2, 3, 8), dict(kernel_size=2)),
        (1, (3, 9), dict(kernel_size=3, stride=2, padding=1)),
        (2, (2, 3, 6, 4), dict(kernel_size=2)),
        (2, (3, 5, 7), dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 0))),
        (2, (1, 2, 5, 5), dict(kernel_size=3, stride=1, padding=1)),
        (3, (1, 2, 4, 4, 6), dict(kernel_size=2)),
        (3, (2, 5, 4, 3), dict(kernel_size=(2, 3, 1), stride=1)),
    ],
)
def test_unpool_roundtrip_values_and_grads(nd, shape, kw):
    check(_roundtrip(nd, kw), _x(*shape))


@pytest.mark.parametrize("size", [(5, 5), (1, 2, 5, 5), [5, 5]])
def test_output_size_within_one_stride(size):
    check(_roundtrip(2, dict(kernel_size=2), dict(kernel_size=2, output_size=size)), _x(1, 2, 5, 5))
    check(_roundtrip(2, dict(kernel_size=2), dict(kernel_size=2, output_size=size)), _x(1, 2, 4, 4))


def test_module_repr_and_forward():
    for cls, args in [("MaxUnpool1d", (2, 3, 1)), ("MaxUnpool2d", (2,)), ("MaxUnpool3d", (2, 1))]:
        assert repr(getattr(ember.nn, cls)(*args)) == repr(getattr(torch.nn, cls)(*args))
    x = _x(2, 3, 4, 4)
    outs = []
    for lib in (ember, torch):
        pool, unpool = lib.nn.MaxPool2d(2, return_indices=True), lib.nn.MaxUnpool2d(2)
        o, i = pool(lib.tensor(x))
        outs.append(unpool(o, i, output_size=(2, 3, 5, 5)).numpy())
    np.testing.assert_array_equal(outs[0], outs[1])
    assert list(ember.nn.MaxUnpool2d(2).state_dict()) == []


def test_grad_fn_names():
    x = ember.randn(1, 1, 4, 4, 4, requires_grad=True)
    o, i = ember.nn.functional.max_pool3d(x, 2, return_indices=True)
    assert ember.nn.functional.max_unpool3d(o, i, 2).grad_fn.name() == "MaxUnpool3DBackward0"
    o, i = ember.nn.functional.max_pool2d(x[0], 2, return_indices=True)
    assert ember.nn.functional.max_unpool2d(o, i, 2).grad_fn.name() == "MaxUnpool2DBackward0"


def _pooled(shape, nd=2):
    out, idx = getattr(torch.nn.functional, f"max_pool{nd}d")(
        torch.tensor(_x(*shape)), 2, return_indices=True
    )
    return out.numpy(), idx.numpy()


def _bad_index(idx, where, value):
    idx = idx.copy()
    idx[where] = value
    return idx


@pytest.mark.parametrize(
    "call",
    [
        lambda F, o, i: F.max_unpool2d(o, i, 2, output_size=(6, 5)),
        lambda F, o, i: F.max_unpool2d(o, i, 2, output_size=(2, 5, 5)),
        lambda F, o, i: F.max_unpool2d(o, i, 2, output_size=(1, 5)),
        lambda F, o, i: F.max_unpool2d(o, i, 3, stride=1, padding=5),
        lambda F, o, i: F.max_unpool2d(o, i.int(), 2),
        lambda F, o, i: F.max_unpool2d(o, i.double(), 2),
        lambda F, o, i: F.max_unpool2d(o, i[:, :1], 2),
        lambda F, o, i: F.max_unpool2d(o[0, 0], i[0, 0], 2),
        lambda F, o, i: F.max_unpool2d(o.long(), i, 2),
        lambda F, o, i: F.max_unpool1d(o[0, 0, 0], i[0, 0, 0], 2),
        lambda F, o, i: F.max_unpool3d(o[0], i[0], 2),
        lambda F, o, i: F.max_unpool3d(o.unsqueeze(2), i.unsqueeze(2), 2, stride=0),
    ],
)
def test_errors_match(call):
    o, i = _pooled((1, 2, 4, 4))
    same_error(lambda lib, o, i: call(lib.nn.functional, o, i), o, i)


# PyTorch's threads race to report a bad index when there are several: one at a time here.
@pytest.mark.parametrize("value", [16, -1, 99])
def test_invalid_index_reported(value):
    o, i = _pooled((2, 2, 4, 4))
    bad = _bad_index(i, (1, 0, 1, 0), value)
    same_error(lambda lib, o, i: lib.nn.functional.max_unpool2d(o, i, 2), o, bad)
    o3, i3 = _pooled((1, 2, 4, 4, 4), nd=3)
    bad3 = _bad_index(i3, (0, 1, 1, 0, 1), value * 5)
    same_error(lambda lib, o, i: lib.nn.functional.max_unpool3d(o, i, 2), o3, bad3)
    o1, i1 = _pooled((3, 8), nd=1)
    bad1 = _bad_index(i1, (1, 2), value // 2)
    same_error(lambda lib, o, i: lib.nn.functional.max_unpool1d(o, i, 2), o1, bad1)


def test_unbatched_and_empty():
    check(_roundtrip(2, dict(kernel_size=2)), _x(3, 4, 4))
    o, i = _pooled((0, 2, 4, 4))
    e = ember.nn.functional.max_unpool2d(ember.tensor(o), ember.tensor(i), 2)
    assert tuple(e.shape) == (0, 2, 4, 4)
