"""bincount, histc, isin, bucketize, searchsorted, unique, unique_consecutive against PyTorch:
dtypes, empty and 0-d inputs, NaN, out=, argument errors and the missing derivatives."""

from __future__ import annotations

import pytest

from ._both import both

NAN = float("nan")
I = [1, 3, 1, 0]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.bincount(t.tensor(I)),
        lambda t: t.bincount(t.tensor(I), minlength=6),
        lambda t: t.bincount(t.tensor(I), t.tensor([0.5, 1, 2, 3])),
        lambda t: t.bincount(t.tensor(I), t.tensor([0.5, 1, 2, 3], dtype=t.float64)),
        lambda t: t.bincount(t.tensor(I), t.tensor([1, 2, 3, 4])),
        lambda t: t.bincount(t.tensor(I), t.tensor([0.5, 1, 2, 3]).half()),
        lambda t: t.bincount(t.tensor([1, 2], dtype=t.uint8)),
        lambda t: t.bincount(t.tensor([], dtype=t.int64)),
        lambda t: t.bincount(t.tensor([], dtype=t.int64), t.tensor([]), minlength=3),
        lambda t: t.bincount(t.tensor([-1, 2])),
        lambda t: t.bincount(t.tensor([[1]])),
        lambda t: t.bincount(t.tensor([1.0])),
        lambda t: t.bincount(t.tensor([True])),
        lambda t: t.bincount(t.tensor(I), minlength=-1),
        lambda t: t.bincount(t.tensor(I), t.ones(3)),
    ],
)
def test_bincount(call):
    both(call)


def test_bincount_with_grad_weights_has_no_derivative():
    def backward(t):
        y = t.bincount(t.tensor(I), t.tensor([0.5, 1, 2, 3], requires_grad=True))
        assert y.requires_grad and y.grad_fn.name() == "torch::autograd::NotImplemented"
        y.sum().backward()

    both(backward)


X = [1.0, 2, 1, 4, -1, 10]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.histc(t.tensor(X), bins=4),
        lambda t: t.histc(t.tensor(X), bins=4, min=0, max=3),
        lambda t: t.histc(t.tensor([0.0, 1, 2, 3]), bins=3, min=0, max=3),
        lambda t: t.histc(t.tensor([2.0, 2.0]), bins=4),
        lambda t: t.histc(t.tensor([]), bins=4),
        lambda t: t.histc(t.tensor(X, dtype=t.float64), bins=3),
        lambda t: t.histc(t.tensor([1, 2]), bins=4),
        lambda t: t.histc(t.tensor(X), bins=0),
        lambda t: t.histc(t.tensor(X), bins=4, min=3, max=1),
        lambda t: t.histc(t.tensor([1.0, NAN]), bins=3),
        lambda t: t.histc(t.tensor([1.0, float("inf")]), bins=3),
        lambda t: t.histc(t.tensor(X, requires_grad=True), bins=4),
        lambda t: t.histc(t.tensor(X), 5, out=t.zeros(2)),
        lambda t: t.tensor(X).histc(5, -1, 1),
    ],
)
def test_histc(call):
    both(call)


E, TE = [[1, 2], [3, 4]], [2, 3]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.isin(t.tensor(E), t.tensor(TE)),
        lambda t: t.isin(t.tensor(E), t.tensor(TE), invert=True),
        lambda t: t.isin(t.tensor(E), 2),
        lambda t: t.isin(2, t.tensor(TE)),
        lambda t: t.isin(t.tensor(E).float(), t.tensor(TE)),
        lambda t: t.isin(t.tensor([NAN]), t.tensor([NAN])),
        lambda t: t.isin(t.tensor(E), t.tensor(TE), assume_unique=True),
        lambda t: t.isin(2, 3),
        lambda t: t.isin(t.tensor(E), t.tensor([True])),
    ],
)
def test_isin(call):
    both(call)


B, V = [1, 3, 5, 7, 9], [[3, 6, 9], [3, 6, 9]]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.bucketize(t.tensor(V), t.tensor(B)),
        lambda t: t.bucketize(t.tensor(V), t.tensor(B), right=True),
        lambda t: t.bucketize(t.tensor(V), t.tensor(B), out_int32=True),
        lambda t: t.bucketize(3, t.tensor(B)),
        lambda t: t.bucketize(t.tensor(V), t.tensor(B).reshape(1, 5)),
        lambda t: t.bucketize(t.tensor(V).float(), t.tensor(B)),
        lambda t: t.searchsorted(t.tensor(B), t.tensor(V), side="right"),
        lambda t: t.searchsorted(t.tensor(B), t.tensor(V), right=False, side="right"),
        lambda t: t.searchsorted(t.tensor(B), 3),
        lambda t: t.searchsorted(t.tensor([[1, 3, 5], [2, 4, 6]]), t.tensor([[3, 4], [5, 6]])),
        lambda t: t.searchsorted(t.tensor([[1, 3, 5], [2, 4, 6]]), t.tensor([[3, 4]])),
        lambda t: t.searchsorted(t.tensor([5, 1, 3]), t.tensor([3]), sorter=t.tensor([1, 2, 0])),
        lambda t: t.searchsorted(t.tensor(B), t.tensor(V), side="middle"),
        lambda t: t.searchsorted(t.tensor(1), t.tensor(V)),
        lambda t: t.searchsorted(t.tensor(B).float(), t.tensor([NAN, 4.0])),
        lambda t: t.searchsorted(t.tensor(B), t.tensor(V), out=t.zeros(6, dtype=t.int64)),
        lambda t: t.searchsorted(
            t.tensor(B), t.tensor(V), out_int32=True, out=t.zeros(1, dtype=t.int64)
        ),
        lambda t: t.searchsorted(t.tensor(B), t.tensor(4)),
    ],
)
def test_bucketize_searchsorted(call):
    both(call)


U = [3, 1, 2, 3, 1, NAN, NAN]
M = [[1, 2], [1, 2], [0, 5]]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.unique(t.tensor(U)),
        lambda t: t.unique(t.tensor(U), sorted=False),
        lambda t: t.unique(t.tensor(U), return_inverse=True, return_counts=True),
        lambda t: t.unique(t.tensor(M), dim=0, return_inverse=True, return_counts=True),
        lambda t: t.unique(t.tensor(M), dim=1),
        lambda t: t.unique(t.tensor([[2, 1], [3, 4]]), dim=1, return_inverse=True),
        lambda t: t.unique(t.tensor([[NAN, 1], [NAN, 1]]), dim=0),
        lambda t: t.unique(t.zeros(0, 3), dim=0, return_inverse=True, return_counts=True),
        lambda t: t.unique(t.zeros(2, 0), dim=0),
        lambda t: t.unique(t.zeros(0, 0), dim=1),
        lambda t: t.unique(t.tensor(5.0)),
        lambda t: t.unique(t.tensor(5.0), return_inverse=True),
        lambda t: t.unique(t.tensor(5.0), dim=0),
        lambda t: t.unique(t.zeros(0), return_inverse=True, return_counts=True),
        lambda t: t.unique(t.tensor([2, 1, 2], dtype=t.int32), return_counts=True),
        lambda t: t.unique(t.tensor([True, False, True])),
        lambda t: t.unique(t.tensor(U), dim=5),
        lambda t: t.tensor(U).unique(return_counts=True),
        lambda t: t.unique_consecutive(
            t.tensor([1, 1, 2, 2, 3, 1, 1]), return_inverse=True, return_counts=True
        ),
        lambda t: t.unique_consecutive(t.tensor(M), dim=0, return_counts=True),
        lambda t: t.unique_consecutive(t.tensor(3.0), return_inverse=True, return_counts=True),
        lambda t: t.unique_consecutive(t.zeros(3, 0), dim=0),
        lambda t: t.unique_consecutive(t.tensor([NAN, NAN, 1.0])),
        lambda t: t.tensor(M).unique_consecutive(return_inverse=True),
    ],
)
def test_unique(call):
    both(call)


@pytest.mark.parametrize(
    "fn, name",
    [
        (lambda t, y: t.unique(y), "Unique2Backward0"),
        (lambda t, y: t.unique(y, dim=0), "UniqueDimBackward0"),
        (lambda t, y: t.unique_consecutive(y), "UniqueConsecutiveBackward0"),
    ],
)
def test_unique_records_a_node_without_derivative(fn, name):
    def backward(t):
        y = t.tensor([[3.0, 1.0], [3.0, 1.0]], requires_grad=True)
        out = fn(t, y)
        assert out.requires_grad and out.grad_fn.name() == name
        out.sum().backward()

    both(backward)
