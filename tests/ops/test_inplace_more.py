"""cumsum_, cumprod_, tril_, triu_, fill_diagonal_, put/put_ and the in-place comparison
aliases against PyTorch: values, dtypes, gradients, errors."""

import numpy as np
import pytest

import ember

from ._both import both, grads, torch

R = np.random.default_rng(3)
X = R.standard_normal((3, 4))


def x(lib):
    return lib.arange(12.0).reshape(3, 4)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: x(lib).cumsum_(1),
        lambda lib: x(lib).cumsum_(dim=0),
        lambda lib: x(lib).int().cumsum_(0),
        lambda lib: x(lib).to(lib.uint8).cumprod_(1),
        lambda lib: x(lib).cumprod_(-1),
        lambda lib: x(lib).cumsum_(0, dtype=lib.float32),
        lambda lib: x(lib).long().cumsum_(0, dtype=lib.float32),
        lambda lib: x(lib).cumsum_(0, dtype=lib.float64),
        lambda lib: (x(lib) > 3).cumsum_(0),
        lambda lib: (x(lib) > 3).cumprod_(0),
        lambda lib: x(lib).cumsum_(2),
        lambda lib: x(lib).tril_(-1),
        lambda lib: x(lib).triu_(1),
        lambda lib: x(lib).t().tril_(),
        lambda lib: lib.ones(3).tril_(),
        lambda lib: lib.ones(3).triu_(),
    ],
)
def test_cumulative_and_triangles(call):
    both(call)


def test_cumulative_and_triangles_gradients_and_history():
    grads(lambda lib, a: (a * 1).cumsum_(1), X)
    grads(lambda lib, a: (a * 1).cumprod_(0), X)
    grads(lambda lib, a: (a * 1).tril_(1), X)
    grads(lambda lib, a: (a * 1).triu_(-1), X)
    for lib in (ember, torch):
        a = lib.tensor(X, requires_grad=True)
        assert type((a * 1).cumsum_(0).grad_fn).__name__ == "CumsumBackward0"
        assert type((a * 1).triu_().grad_fn).__name__ == "TriuBackward0"
        with pytest.raises(RuntimeError, match="leaf Variable"):
            a.tril_()


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.ones(3, 3).fill_diagonal_(2),
        lambda lib: lib.ones(7, 3).fill_diagonal_(2, wrap=True),
        lambda lib: lib.ones(8, 3).fill_diagonal_(2, wrap=True),
        lambda lib: lib.ones(4, 3).fill_diagonal_(2, wrap=True),
        lambda lib: lib.ones(7, 3).fill_diagonal_(2, wrap=False),
        lambda lib: lib.ones(3, 5).fill_diagonal_(2, wrap=True),
        lambda lib: lib.ones(2, 2, 2).fill_diagonal_(2),
        lambda lib: lib.ones(3, 3).long().fill_diagonal_(2.5),
        lambda lib: lib.ones(3, 3).t().fill_diagonal_(3),
        lambda lib: lib.ones(4, 3)[1:].fill_diagonal_(3),
        lambda lib: lib.ones(2, 3, 2).fill_diagonal_(2),
        lambda lib: lib.ones(3).fill_diagonal_(2),
        lambda lib: lib.ones(3, 3, requires_grad=True).fill_diagonal_(3),
    ],
)
def test_fill_diagonal(call):
    both(call)


def test_fill_diagonal_gradient_and_view():
    grads(lambda lib, a: (a * 1).fill_diagonal_(0.5, wrap=True), R.standard_normal((7, 2)))
    for lib in (ember, torch):
        base = lib.ones(3, 3)
        view = base[:, :2]
        view.fill_diagonal_(5)
        assert base[1, 1].item() == 5 and base[2, 2].item() == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.put(x(lib), lib.tensor([1, -1]), lib.tensor([9.0, 8.0])),
        lambda lib: lib.put(x(lib), lib.tensor([1, 1]), lib.tensor([9.0, 8.0]), accumulate=True),
        lambda lib: x(lib).put(lib.tensor([[1], [5]]), lib.tensor([9.0, 8.0])),
        lambda lib: lib.put(lib.tensor(5.0), lib.tensor([0]), lib.tensor([1.0])),
        lambda lib: lib.put(lib.zeros(0), lib.tensor([], dtype=lib.long), lib.tensor([])),
        lambda lib: x(lib).put_(lib.tensor([1, 2]), lib.tensor([9.0, 8.0]), True),
        lambda lib: x(lib).t().put_(lib.tensor([1, 2]), lib.tensor([9.0, 8.0])),
        lambda lib: lib.put(x(lib), lib.tensor([1, 12]), lib.tensor([9.0, 8.0])),
        lambda lib: lib.put(x(lib), lib.tensor([1, -13]), lib.tensor([9.0, 8.0])),
        lambda lib: lib.put(x(lib), lib.tensor([1, 2]), lib.tensor([9.0, 8.0, 7.0])),
        lambda lib: lib.put(x(lib), lib.tensor([1.0, 2.0]), lib.tensor([9.0, 8.0])),
        lambda lib: lib.put(x(lib), lib.tensor([1, 2], dtype=lib.int32), lib.tensor([9.0, 8.0])),
        lambda lib: lib.put(x(lib), lib.tensor([1, 2]), lib.tensor([9.0, 8.0]).double()),
        lambda lib: lib.put(x(lib), lib.tensor([1, 2]), 3.0),
        lambda lib: lib.put(lib.zeros(0), lib.tensor([0]), lib.tensor([1.0])),
        lambda lib: lib.put(x(lib), lib.tensor([1]), lib.tensor([9.0]), out=x(lib)),
        lambda lib: x(lib).long().put_(lib.tensor([1, 2]), lib.tensor([9.0, 8.0])),
    ],
)
def test_put(call):
    both(call)


def test_put_gradients():
    idx = np.array([[1, -2], [5, 0]])
    for acc in (False, True):
        out = []
        for lib in (ember, torch):
            a = lib.tensor(X, requires_grad=True)
            b = lib.tensor(X[0], requires_grad=True)
            y = lib.put(a, lib.tensor(idx), b.reshape(2, 2), accumulate=acc)
            assert type(y.grad_fn).__name__ == "PutBackward0"
            (y * lib.arange(12.0, dtype=y.dtype).reshape(3, 4)).sum().backward()
            out.append((a.grad.numpy(), b.grad.numpy()))
        for e, t in zip(*out):
            np.testing.assert_allclose(e, t)
    grads(lambda lib, a, b: (a * 1).put_(lib.tensor([3, 4]), b), X, X[1, :2])


@pytest.mark.parametrize(
    "alias", ["greater_", "greater_equal_", "less_", "less_equal_", "not_equal_"]
)
@pytest.mark.parametrize("other", [lambda lib: lib.tensor([0.0, 5.0, 6.0, 20.0]), lambda lib: 5])
def test_comparison_aliases_in_place(alias, other):
    both(lambda lib: getattr(x(lib), alias)(other(lib)))
    both(lambda lib: getattr(x(lib).long(), alias)(other(lib)))
