"""mode, quantile/nanquantile, msort, cov, corrcoef, dist, cdist, pdist against PyTorch:
interpolation modes, NaN, keepdim, weights, argument errors, gradients."""

from __future__ import annotations

import pytest

from ._both import both, grads

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.mode(t.tensor([[1, 2, 2, 3, 3], [5, 5, 4, 4, 1]])),
        lambda t: t.mode(t.tensor([3.0, 1, 3, 1, 2]), 0),
        lambda t: t.mode(t.tensor(3.0)),
        lambda t: t.mode(t.zeros(0, 3), 0),
        lambda t: t.mode(t.zeros(2, 0)),
        lambda t: t.mode(t.tensor([True, False, True])),
        lambda t: t.mode(t.tensor([[1, 2], [1, 3]]), 0, keepdim=True),
        lambda t: t.tensor([[1, 2], [1, 3]]).mode(dim=1),
        lambda t: t.mode(t.tensor([2.0, 2]), out=(t.zeros(1), t.zeros(1, dtype=t.int64))),
        lambda t: t.msort(t.tensor([[3, 1], [2, 5], [1, 0]])),
        lambda t: t.tensor([3.0, 1, 2]).msort(),
    ],
)
def test_mode_msort(call):
    both(call)


X = [1.0, 2, 3, 4]
Q = [0.0, 0.3, 0.5, 0.7, 1.0]


@pytest.mark.parametrize("mode", ["linear", "lower", "higher", "midpoint", "nearest"])
def test_quantile_interpolations(mode):
    both(lambda t: t.quantile(t.tensor(X), t.tensor(Q), interpolation=mode))
    both(lambda t: t.nanquantile(t.tensor([NAN, 1, 2, NAN, 3]), t.tensor(Q), interpolation=mode))
    both(lambda t: t.quantile(t.tensor([1.0, NAN, 3]), 0.4, interpolation=mode))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.quantile(t.tensor(X), 1.5),
        lambda t: t.quantile(t.tensor(X), -0.1),
        lambda t: t.quantile(t.tensor(X).long(), 0.5),
        lambda t: t.quantile(t.tensor(X).half(), 0.5),
        lambda t: t.quantile(t.tensor(X), t.tensor([0.5], dtype=t.float64)),
        lambda t: t.quantile(t.tensor([]), 0.5),
        lambda t: t.quantile(t.tensor(X), t.tensor([[0.5]])),
        lambda t: t.quantile(t.tensor(X), 0.5, interpolation="foo"),
        lambda t: t.quantile(t.tensor(X), t.tensor([0.5, 1.2])),
        lambda t: t.quantile(t.tensor(X), t.tensor(0.5)),
        lambda t: t.nanquantile(t.tensor([NAN, NAN]), 0.5),
        lambda t: t.quantile(t.arange(6.0).reshape(2, 3), t.tensor([0.25, 0.75]), 1, True),
        lambda t: t.quantile(t.arange(6.0).reshape(2, 3), 0.5, keepdim=True),
        lambda t: t.quantile(t.arange(6.0).reshape(2, 3), t.tensor([0.1, 0.5]), keepdim=True),
        lambda t: t.quantile(t.tensor(3.0), 0.5),
        lambda t: t.quantile(t.tensor(3.0), t.tensor([0.5]), dim=0, keepdim=True),
        lambda t: t.quantile(t.zeros(2, 0), 0.5, dim=0),
        lambda t: t.quantile(t.tensor(X), 0.5, out=t.zeros(())),
        lambda t: t.tensor([[NAN, 1.0], [2.0, 3.0]]).nanquantile(0.5, dim=1),
    ],
)
def test_quantile_forms_and_errors(call):
    both(call)


def test_quantile_gradients():
    def two(t, x):
        return t.quantile(x, t.tensor([0.2, 0.5], dtype=x.dtype), dim=0)

    grads(two, [[3.0, 1], [2, 5], [7, 4]])
    grads(lambda t, x: t.nanquantile(x, 0.6), [3.0, NAN, 2, 7])


W = [[1.0, 2, 4], [3, 1, 0]]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.cov(t.tensor([[1, 2, 4], [3, 1, 0]])),
        lambda t: t.cov(t.tensor(W), correction=3),
        lambda t: t.cov(t.tensor(W), fweights=t.tensor([1, 2, 1])),
        lambda t: t.cov(t.tensor(W), fweights=t.tensor([1.0, 2, 1])),
        lambda t: t.cov(t.tensor(W), aweights=t.tensor([1, 2, 1])),
        lambda t: t.cov(
            t.tensor(W), aweights=t.tensor([1.0, 2, 1]), fweights=t.tensor([1, 1, 2]), correction=2
        ),
        lambda t: t.cov(t.tensor([1.0, 2, 4])),
        lambda t: t.cov(t.ones(2, 2, 2)),
        lambda t: t.cov(t.tensor(W), fweights=t.tensor([1, -2, 1])),
        lambda t: t.cov(t.tensor(W), fweights=t.tensor([1, 2])),
        lambda t: t.corrcoef(t.tensor(W)),
        lambda t: t.corrcoef(t.tensor([1.0, 2, 4])),
        lambda t: t.corrcoef(t.tensor([[1, 2, 4], [3, 1, 0]])),
        lambda t: t.corrcoef(t.tensor([[1.0, 1, 1], [3, 1, 0]])),
        lambda t: t.tensor(W).cov(),
    ],
)
def test_cov_corrcoef(call):
    both(call)


def test_cov_warns_without_degrees_of_freedom():
    both(lambda t: t.cov(t.tensor([[1.0]])))
    import warnings

    import ember

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ember.cov(ember.tensor([[1.0, 2.0]]), correction=2)
    assert [w.category for w in caught] == [UserWarning]


def test_cov_corrcoef_gradients():
    grads(lambda t, x: t.cov(x), W)
    grads(lambda t, x: t.corrcoef(x), W)


A, B = [[1.0, 2], [3, 4]], [1.0, 0]


@pytest.mark.parametrize("p", [2, 0, 1, 1.5, 3, INF, -INF, -1])
def test_dist_orders(p):
    both(lambda t: t.dist(t.tensor(A), t.tensor(B), p))
    if p not in (0,):
        grads(lambda t, a, b: t.dist(a, b, p), [[1.0, 2], [3, 4]], [1.0, 0.5])


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.dist(t.tensor([1, 2]), t.tensor([1, 3])),
        lambda t: t.dist(t.tensor(A), t.ones(3)),
        lambda t: t.dist(t.tensor(A, dtype=t.float64), t.tensor(B)),
        lambda t: t.tensor(A).dist(t.tensor(B)),
        lambda t: t.cdist(t.ones(3), t.ones(2, 3)),
        lambda t: t.cdist(t.ones(2, 3), t.ones(2, 4)),
        lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3), p=-1),
        lambda t: t.cdist(t.ones(2, 3, dtype=t.int64), t.ones(2, 3, dtype=t.int64)),
        lambda t: t.cdist(t.ones(5, 2, 3), t.ones(1, 4, 3)),
        lambda t: t.cdist(t.ones(0, 3), t.ones(2, 3)),
        lambda t: t.cdist(t.ones(2, 3), t.ones(2, 3).double()),
        lambda t: t.cdist(t.tensor([[0.0, 0], [3, 4]]), t.tensor([[0.0, 0], [1, 1]]), p=0),
        lambda t: t.pdist(t.ones(3)),
        lambda t: t.pdist(t.ones(1, 3)),
        lambda t: t.pdist(t.ones(3, 3), p=-1),
        lambda t: t.pdist(t.ones(3, 2, dtype=t.int64)),
        lambda t: t.pdist(t.tensor([[0.0, 0], [3, 4], [1, 1]]), p=0),
        lambda t: t.pdist(t.tensor([[0.0, 0], [3, 4], [1, 1]]), p=INF),
    ],
)
def test_cdist_pdist(call):
    both(call, rtol=1e-5)


def test_cdist_pdist_gradients_at_zero_distances():
    grads(lambda t, a, b: t.cdist(a, b), [[0.0, 0], [3, 4]], [[0.0, 0], [1, 1]])
    grads(lambda t, a: t.pdist(a), [[0.0, 0], [0, 0], [1, 2]])
    grads(lambda t, a, b: t.cdist(a, b, p=1), [[0.5, 0], [3, 4]], [[0.0, 2], [1, 1]])
