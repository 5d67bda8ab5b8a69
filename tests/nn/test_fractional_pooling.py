"""FractionalMaxPool2d/3d and F.fractional_max_pool*: exact against PyTorch with given samples,
properties with Ember's own generator, module arguments and errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from ._compare import torch
from ._pool_parity import check, same_error

RNG = np.random.default_rng(3)


def _given(nd, samples, **kw):
    def fn(lib, t):
        s = lib.tensor(samples.astype(str(t.dtype).split(".")[1]))
        f = getattr(lib.nn.functional, f"fractional_max_pool{nd}d")
        return f(t, return_indices=True, _random_samples=s, **kw)

    return fn


@pytest.mark.parametrize(
    "nd, shape, kw",
    [
        (2, (2, 3, 9, 11), dict(kernel_size=2, output_size=(4, 5))),
        (2, (2, 3, 9, 11), dict(kernel_size=(3, 2), output_size=(7, 10))),
        (2, (3, 25, 7), dict(kernel_size=3, output_ratio=(0.5, 0.6))),
        (2, (2, 2, 6, 6), dict(kernel_size=2, output_size=1)),
        (3, (2, 2, 5, 6, 7), dict(kernel_size=2, output_size=(2, 3, 4))),
        (3, (2, 6, 5, 9), dict(kernel_size=(1, 2, 3), output_ratio=0.5)),
    ],
)
def test_given_samples_match_pytorch(nd, shape, kw):
    batch = shape[0] if len(shape) == nd + 2 else 1
    channels = shape[-nd - 1]
    samples = RNG.random((batch, channels, nd))
    x = RNG.standard_normal(shape)
    check(_given(nd, samples, **kw), x)
    check(_given(nd, samples, **kw), np.round(x))  # ties: the first maximum, as PyTorch


def test_many_geometries_give_the_same_windows():
    for _ in range(20):
        nd = int(RNG.integers(2, 4))
        size = tuple(int(v) for v in RNG.integers(4, 30 if nd == 2 else 10, nd))
        k = tuple(int(RNG.integers(1, min(size))) for _ in range(nd))
        o = tuple(int(RNG.integers(1, n - kk + 1)) for n, kk in zip(size, k))
        x = RNG.standard_normal((2, 2) + size).astype(np.float32)
        s = RNG.random((2, 2, nd)).astype(np.float32)
        got = []
        for lib in (ember, torch):
            f = getattr(lib.nn.functional, f"fractional_max_pool{nd}d")
            out = f(lib.tensor(x), k, o, return_indices=True, _random_samples=lib.tensor(s))
            got.append([np.asarray(t.numpy()) for t in out])
        np.testing.assert_array_equal(got[0][1], got[1][1])
        np.testing.assert_array_equal(got[0][0], got[1][0])


def test_nan_is_the_maximum():
    x = RNG.standard_normal((1, 1, 6, 6))
    x[0, 0, 1, 1] = x[0, 0, 2, 3] = np.nan
    check(_given(2, np.full((1, 1, 2), 0.3), kernel_size=3, output_size=3), x)


def test_own_generator_draws_the_samples():
    x = ember.randn(2, 3, 9, 10, dtype=ember.float64)
    ember.manual_seed(7)
    samples = ember.rand(2, 3, 2, dtype=ember.float64)
    ember.manual_seed(7)
    drawn = ember.nn.functional.fractional_max_pool2d(x, 2, (4, 5), return_indices=True)
    given = ember.nn.functional.fractional_max_pool2d(
        x, 2, (4, 5), return_indices=True, _random_samples=samples
    )
    np.testing.assert_array_equal(drawn[1].numpy(), given[1].numpy())


def test_random_windows_properties():
    ember.manual_seed(0)
    x = ember.randn(2, 3, 20, 17)
    F = ember.nn.functional
    values, idx = F.fractional_max_pool2d(x, 3, output_ratio=(0.5, 0.5), return_indices=True)
    assert tuple(values.shape) == (2, 3, 10, 8)
    flat = x.reshape(2, 3, -1).numpy()
    picked = np.take_along_axis(flat, idx.reshape(2, 3, -1).numpy(), 2)
    np.testing.assert_array_equal(picked, values.reshape(2, 3, -1).numpy())
    rows, cols = idx.numpy() // 17, idx.numpy() % 17
    # The first window starts at 0 and the last ends at the input's edge.
    assert rows[:, :, 0].max() <= 2 and rows[:, :, -1].min() >= 17
    assert cols[:, :, :, 0].max() <= 2 and cols[:, :, :, -1].min() >= 14
    draws = {tuple(F.fractional_max_pool2d(x, 3, 6, None, True)[1].numpy().flat) for _ in range(5)}
    assert len(draws) > 1  # fresh samples per call


def test_gradient_and_grad_fn():
    x = ember.randn(1, 2, 7, 7, requires_grad=True)
    out = ember.nn.functional.fractional_max_pool2d(x, 2, output_size=3)
    assert out.grad_fn.name() == "FractionalMaxPool2DBackward0"
    out.sum().backward()
    assert x.grad.sum().item() == 18
    x3 = ember.randn(1, 1, 5, 5, 5, requires_grad=True)
    out3 = ember.nn.functional.fractional_max_pool3d(x3, 2, output_size=2)
    assert out3.grad_fn.name() == "FractionalMaxPool3DBackward0"


def test_modules_repr_state_and_forward():
    for cls, kw in [
        ("FractionalMaxPool2d", dict(kernel_size=3, output_size=2)),
        ("FractionalMaxPool3d", dict(kernel_size=2, output_ratio=0.5)),
    ]:
        e, t = getattr(ember.nn, cls)(**kw), getattr(torch.nn, cls)(**kw)
        assert repr(e) == repr(t)
        for attr in ("kernel_size", "output_size", "output_ratio", "return_indices"):
            assert getattr(e, attr) == getattr(t, attr)
        assert list(e.state_dict()) == list(t.state_dict()) == []
    s = RNG.random((2, 3, 2))
    e, t = (
        lib.nn.FractionalMaxPool2d(2, (3, 4), return_indices=True, _random_samples=lib.tensor(s))
        for lib in (ember, torch)
    )
    assert list(e.state_dict()) == list(t.state_dict()) == ["_random_samples"]
    x = RNG.standard_normal((2, 3, 8, 9))
    for a, b in zip(e(ember.tensor(x)), t(torch.tensor(x))):
        np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize(
    "cls, kw",
    [
        ("FractionalMaxPool2d", dict(kernel_size=2)),
        ("FractionalMaxPool2d", dict(kernel_size=2, output_size=2, output_ratio=0.5)),
        ("FractionalMaxPool2d", dict(kernel_size=2, output_ratio=1.5)),
        ("FractionalMaxPool3d", dict(kernel_size=2, output_ratio=(0.5, 1.5, 0.5))),
        ("FractionalMaxPool3d", dict(kernel_size=2)),
    ],
)
def test_module_argument_errors(cls, kw):
    with pytest.raises(ValueError) as t_err:
        getattr(torch.nn, cls)(**kw)
    with pytest.raises(ValueError) as e_err:
        getattr(ember.nn, cls)(**kw)
    assert str(e_err.value) == str(t_err.value)


def _s(*shape, dtype="float64"):
    return lambda lib: lib.tensor(np.full(shape, 0.5, dtype=dtype))


@pytest.mark.parametrize(
    "call",
    [
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, output_size=(8, 5)),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, output_size=(4, 9)),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, output_ratio=(0.5, 0.5, 0.5)),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, output_ratio=0.5),
        lambda F, x, lib: F.fractional_max_pool2d(x[0, 0], 3, output_size=2),
        lambda F, x, lib: F.fractional_max_pool2d(x[None], 3, output_size=2),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, 2, _random_samples=_s(2, 1, 3)(lib)),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, 2, _random_samples=_s(2, 2, 2)(lib)),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, 2, _random_samples=_s(1, 1, 2)(lib)),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, 2, _random_samples=_s(2, 1, 2, 1)(lib)),
        lambda F, x, lib: F.fractional_max_pool2d(
            x, 3, 2, _random_samples=_s(2, 1, 2, dtype="float32")(lib)
        ),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, output_size=(2, 1, 1)),
        lambda F, x, lib: F.fractional_max_pool2d(x, (3, 2, 1), output_size=2),
        lambda F, x, lib: F.fractional_max_pool2d(x.long(), 3, output_size=2),
        lambda F, x, lib: F.fractional_max_pool2d(x[:, :, :0], 3, output_size=2),
        lambda F, x, lib: F.fractional_max_pool2d(x, 3, output_size=-1),
        lambda F, x, lib: F.fractional_max_pool3d(x[:, None], 2, output_size=(2, 3)),
        lambda F, x, lib: F.fractional_max_pool3d(x[:, None], 2, output_size=(1, 8, 2)),
        lambda F, x, lib: F.fractional_max_pool3d(x[:, None], 2),
        lambda F, x, lib: F.fractional_max_pool3d(x[:, None], (2, 2), output_size=1),
        lambda F, x, lib: F.fractional_max_pool3d(x[:, :, None, :0], 2, output_size=1),
        lambda F, x, lib: F.fractional_max_pool3d(x[None, None], 2, output_size=1),
    ],
)
def test_errors_match(call):
    same_error(lambda lib, x: call(lib.nn.functional, x, lib), RNG.standard_normal((2, 1, 9, 10)))
