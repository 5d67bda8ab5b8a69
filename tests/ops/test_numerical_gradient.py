"""torch.gradient against PyTorch: spacing as a scalar, a list of scalars or coordinate
tensors; dim; edge_order 1 and 2; dtypes; gradients; errors."""

import numpy as np
import pytest

from ._both import both, grads

R = np.random.default_rng(5)
X = R.standard_normal((4, 5))
C0 = np.array([0.0, 1.0, 3.0, 3.5])
C1 = np.array([-1.0, 0.0, 0.5, 2.0, 4.0])


def x(lib):
    return lib.tensor(X, dtype=lib.float32)


@pytest.mark.parametrize("edge_order", [1, 2])
@pytest.mark.parametrize(
    "call",
    [
        lambda lib, e: lib.gradient(x(lib), edge_order=e),
        lambda lib, e: lib.gradient(x(lib), spacing=2.0, edge_order=e),
        lambda lib, e: lib.gradient(x(lib), spacing=3, dim=1, edge_order=e),
        lambda lib, e: lib.gradient(x(lib), spacing=[0.5, 2], edge_order=e),
        lambda lib, e: lib.gradient(x(lib), spacing=(0.5,), dim=[-1], edge_order=e),
        lambda lib, e: lib.gradient(x(lib), spacing=lib.tensor(2.0), edge_order=e),
        lambda lib, e: lib.gradient(x(lib), spacing=[lib.tensor(C0), lib.tensor(C1)], edge_order=e),
        lambda lib, e: lib.gradient(
            x(lib), spacing=(lib.tensor(C1, dtype=lib.float32),), dim=1, edge_order=e
        ),
        lambda lib, e: lib.gradient(
            x(lib), spacing=[lib.tensor(C1), lib.tensor(C0)], dim=(1, 0), edge_order=e
        ),
        lambda lib, e: lib.gradient(lib.tensor([1, 2, 4, 7, 3]), edge_order=e),
        lambda lib, e: lib.gradient(
            lib.tensor([1, 2, 4, 7]), spacing=[lib.tensor([0, 1, 3, 4])], edge_order=e
        ),
        lambda lib, e: lib.gradient(lib.tensor(X[0] + 1j * X[1]), edge_order=e),
        lambda lib, e: lib.gradient(lib.tensor(X).double(), dim=0, edge_order=e),
        lambda lib, e: lib.gradient(x(lib), axis=0, edge_order=e),
        lambda lib, e: lib.gradient(lib.ones(1, 3), dim=1, edge_order=e),
        lambda lib, e: lib.gradient(x(lib), dim=[], edge_order=e),
        lambda lib, e: lib.gradient(lib.tensor(3.0), edge_order=e),
    ],
)
def test_values_and_dtypes(call, edge_order):
    both(lambda lib: call(lib, edge_order), rtol=1e-5, atol=1e-5)


def test_float16():
    both(lambda lib: lib.gradient(lib.tensor(X[0]).half()), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.gradient(x(lib), edge_order=3),
        lambda lib: lib.gradient(x(lib), edge_order=0),
        lambda lib: lib.gradient(x(lib)[:2], edge_order=2),
        lambda lib: lib.gradient(x(lib)[:1]),
        lambda lib: lib.gradient(lib.ones(3, 0)),
        lambda lib: lib.gradient(x(lib), dim=2),
        lambda lib: lib.gradient(x(lib), dim=[0, 0]),
        lambda lib: lib.gradient(x(lib), spacing=[2.0]),
        lambda lib: lib.gradient(x(lib), spacing=[1.0, 2.0, 3.0]),
        lambda lib: lib.gradient(x(lib), spacing=[2.0, 3.0], dim=0),
        lambda lib: lib.gradient(x(lib), spacing=[lib.tensor(C0)], dim=[0, 1]),
        lambda lib: lib.gradient(x(lib), spacing=[lib.tensor([[0.0, 1.0]])], dim=0),
        lambda lib: lib.gradient(x(lib), spacing=[lib.tensor(2.0)], dim=0),
        lambda lib: lib.gradient(x(lib), spacing=[2, lib.tensor(C1)]),
        lambda lib: lib.gradient(lib.tensor([True, False, True])),
        lambda lib: lib.gradient(x(lib), 2.0),
    ],
)
def test_errors(call):
    both(call)


def test_gradients_to_input_and_coordinates():
    for e in (1, 2):
        grads(lambda lib, a, e=e: lib.cat(lib.gradient(a, edge_order=e), 0), X)
        grads(lambda lib, a, e=e: lib.gradient(a, spacing=[0.5, 3.0], edge_order=e)[1], X)
        grads(
            lambda lib, a, c, e=e: lib.gradient(a, spacing=[c], dim=1, edge_order=e)[0],
            X,
            C1,
        )
