"""diagonal_scatter, select_scatter, slice_scatter, as_strided_scatter against PyTorch."""

import numpy as np
import pytest

import ember

from ._both import both, grads, torch

R = np.random.default_rng(1)
X = R.standard_normal((4, 3))
X3 = R.standard_normal((2, 3, 4))


def f(lib, a, dtype=None):
    return lib.tensor(a, dtype=dtype or lib.float32)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.diagonal_scatter(f(lib, X), lib.ones(3)),
        lambda lib: f(lib, X).diagonal_scatter(lib.ones(2), 1),
        lambda lib: lib.diagonal_scatter(f(lib, X), lib.ones(3), -1),
        lambda lib: lib.diagonal_scatter(f(lib, X3), lib.ones(3, 2), -1, 2, 0),
        lambda lib: lib.diagonal_scatter(f(lib, X), lib.ones(0), 5),
        lambda lib: lib.diagonal_scatter(f(lib, X), lib.ones(3, dtype=lib.float64)),
        lambda lib: lib.diagonal_scatter(f(lib, X, lib.int64), lib.ones(3) * 2.7),
        lambda lib: lib.select_scatter(f(lib, X), lib.ones(3), 0, -1),
        lambda lib: f(lib, X3).select_scatter(lib.ones(2, 4), 1, 2),
        lambda lib: lib.select_scatter(f(lib, X), lib.ones(4, dtype=lib.int64), 1, 0),
        lambda lib: lib.slice_scatter(f(lib, X), lib.ones(2, 3), 0, 1, 3),
        lambda lib: lib.slice_scatter(f(lib, X), lib.ones(4, 3)),
        lambda lib: lib.slice_scatter(f(lib, X), lib.ones(2, 3), 0, None, None, 2),
        lambda lib: lib.slice_scatter(f(lib, X), lib.ones(4, 2), 1, -2),
        lambda lib: lib.slice_scatter(f(lib, X), lib.ones(4, 0), 1, 5),
        lambda lib: f(lib, X3).slice_scatter(lib.ones(2, 3, 2), -1, -10, 3, 2),
        lambda lib: lib.as_strided_scatter(f(lib, X), lib.ones(2, 2), (2, 2), (3, 1)),
        lambda lib: lib.as_strided_scatter(f(lib, X), lib.ones(2, 2), (2, 2), (3, 1), 1),
        lambda lib: lib.as_strided_scatter(f(lib, X).t(), lib.zeros(2), (2,), (1,)),
        lambda lib: lib.as_strided_scatter(f(lib, X)[1:], lib.zeros(2), (2,), (1,)),
        lambda lib: f(lib, X).as_strided_scatter(lib.ones(3, 3), (3, 3), (1, 1)),
    ],
)
def test_values_and_dtypes(call):
    both(call)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.diagonal_scatter(f(lib, X), lib.ones(2)),
        lambda lib: lib.diagonal_scatter(f(lib, X), lib.ones(3), 0, 0, 0),
        lambda lib: lib.diagonal_scatter(f(lib, X), lib.ones(3), 0, 0, 2),
        lambda lib: lib.select_scatter(f(lib, X), lib.ones(2), 0, 0),
        lambda lib: lib.select_scatter(f(lib, X), lib.ones(3), 0, 5),
        lambda lib: lib.select_scatter(f(lib, X), lib.ones(3), 2, 0),
        lambda lib: lib.select_scatter(f(lib, X), 1.0, 0, 0),
        lambda lib: lib.slice_scatter(f(lib, X), lib.ones(3, 3), 0, 1, 3),
        lambda lib: lib.slice_scatter(f(lib, X), lib.ones(4, 3), 0, step=0),
        lambda lib: lib.as_strided_scatter(f(lib, X), lib.ones(2, 3), (2, 2), (3, 1)),
        lambda lib: lib.as_strided_scatter(f(lib, X), lib.ones(4, 4), (4, 4), (3, 1)),
        lambda lib: lib.select_scatter(f(lib, X), lib.ones(3), 0, 0, out=lib.zeros(4, 3)),
        lambda lib: lib.diagonal_scatter(f(lib, X), lib.ones(3), out=lib.zeros(4, 3)),
        lambda lib: lib.slice_scatter(f(lib, X), lib.ones(4, 3), out=lib.zeros(4, 3).double()),
    ],
)
def test_errors(call):
    both(call)


def test_slice_scatter_out():
    both(lambda lib: lib.slice_scatter(f(lib, X), lib.ones(2, 3), 0, 1, 3, out=lib.zeros(4, 3)))


def test_gradients_against_pytorch():
    grads(lambda lib, a, b: lib.diagonal_scatter(a, b, 1), X, X[:2, 0])
    grads(lambda lib, a, b: lib.diagonal_scatter(a, b, -1, 2, 0), X3, X3[0, :, :2])
    grads(lambda lib, a, b: lib.select_scatter(a, b, 1, 2), X, X[:, 0])
    grads(lambda lib, a, b: lib.slice_scatter(a, b, 0, 1, None, 2), X, X[:2])
    for lib in (ember, torch):
        a = lib.zeros(3, 3, requires_grad=True)
        b = lib.zeros(3, dtype=lib.float64, requires_grad=True)
        out = lib.diagonal_scatter(a, b)
        assert type(out.grad_fn).__name__ == "DiagonalScatterBackward0"
        out.sum().backward()
        assert b.grad.dtype == lib.float64


def test_as_strided_scatter_input_gradient_is_the_rest():
    # PyTorch 2.13 gives input the window's gradient (its own gradcheck fails); Ember gives
    # the gradient outside the window, which finite differences confirm.
    a = ember.tensor(X.reshape(-1)[:9], requires_grad=True)
    b = ember.tensor(X[:2, :2], requires_grad=True)
    assert ember.autograd.gradcheck(
        lambda a, b: ember.as_strided_scatter(a, b, (2, 2), (3, 1), 1), (a, b)
    )
    out = ember.as_strided_scatter(a, b, (2, 2), (3, 1), 1)
    out.backward(ember.arange(9.0, dtype=ember.float64))
    np.testing.assert_array_equal(a.grad.numpy(), [0, 0, 0, 3, 0, 0, 6, 7, 8])
    np.testing.assert_array_equal(b.grad.numpy(), [[1, 2], [4, 5]])
