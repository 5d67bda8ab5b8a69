"""broadcast_shapes/broadcast_tensors, constant_pad_nd and the window functions vs PyTorch."""

import numpy as np
import pytest
import torch

import ember

from ._oracle import same

WINDOWS = ["hann_window", "hamming_window", "blackman_window", "bartlett_window", "kaiser_window"]


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.broadcast_shapes((2, 1), (3,)),
        lambda lib: lib.broadcast_shapes(2, (1,)),
        lambda lib: lib.broadcast_shapes(),
        lambda lib: lib.broadcast_shapes((5, 1, 4), (1, 3, 1), (4,)),
        lambda lib: lib.broadcast_shapes((2,), (3,)),
        lambda lib: lib.broadcast_shapes((-1,), (2,)),
        lambda lib: [t.shape for t in lib.broadcast_tensors(lib.ones(2, 1), lib.ones(3))],
        lambda lib: lib.broadcast_tensors(lib.ones(2), lib.ones(3)),
        lambda lib: lib.broadcast_tensors(),
        lambda lib: lib.constant_pad_nd(lib.ones(2, 2), (1, -1), value=3),
        lambda lib: lib.constant_pad_nd(lib.ones(2, 2, dtype=lib.int64), (1, 1), value=2.7),
        lambda lib: lib.constant_pad_nd(lib.arange(6.0).view(2, 3), [1, 1, -1, 2], 2),
        lambda lib: lib.constant_pad_nd(lib.ones(2, 2), (1,)),
        lambda lib: lib.constant_pad_nd(lib.ones(2, 2), (1, 1, 1, 1, 1, 1)),
        lambda lib: lib.constant_pad_nd(lib.ones(2, 2), (-2, -2)),
    ],
)
def test_outcomes_match(call):
    same(lambda: call(ember), lambda: call(torch))


def test_broadcast_tensors_views_and_gradients():
    for lib in (ember, torch):
        x = lib.ones(2, 3, requires_grad=True)
        y = lib.ones(3, requires_grad=True)
        a, b = lib.broadcast_tensors(x, y)
        assert a is x and b.grad_fn.name() == "ExpandBackward0"
        (a * b * 2).sum().backward()
        assert y.grad.tolist() == [4.0, 4.0, 4.0]


def test_constant_pad_gradient_and_name():
    a = np.arange(6.0).reshape(2, 3)
    grads = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        y = lib.constant_pad_nd(x, (2, -1, 0, 1), 5.0)
        assert y.grad_fn.name() == "ConstantPadNdBackward0"
        y.backward(lib.arange(float(y.numel()), dtype=lib.float64).view(y.shape))
        grads.append(x.grad.numpy())
    np.testing.assert_array_equal(*grads)


@pytest.mark.parametrize("name", WINDOWS)
@pytest.mark.parametrize("n", [0, 1, 2, 5, 16])
@pytest.mark.parametrize("periodic", [True, False])
def test_windows_match(name, n, periodic):
    for dt in ("float32", "float64"):
        e = getattr(ember, name)(n, periodic, dtype=getattr(ember, dt))
        t = getattr(torch, name)(n, periodic, dtype=getattr(torch, dt))
        assert e.dtype == getattr(ember, dt) and tuple(e.shape) == tuple(t.shape)
        np.testing.assert_allclose(e.numpy(), t.numpy(), atol=1e-6 if dt == "float32" else 1e-12)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.hann_window(-1),
        lambda lib: lib.hann_window(3, dtype=lib.int64),
        lambda lib: lib.hann_window(3, requires_grad=True).requires_grad,
        lambda lib: lib.hamming_window(4, True, 0.5, 0.5).tolist(),
        lambda lib: lib.kaiser_window(5, False, 3.0, dtype=lib.float64).tolist(),
        lambda lib: lib.blackman_window(3, periodic=False).dtype,
    ],
)
def test_window_arguments(call):
    same(lambda: call(ember), lambda: call(torch), convert=lambda v: repr(v)[:40])
