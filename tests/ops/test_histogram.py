"""histogram and histogramdd against PyTorch: bins as a count or edges, range, weight, density,
named results, the not-implemented gradient, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember

from ._both import both, torch

RNG = np.random.default_rng(7)
DATA = RNG.standard_normal(200)
POINTS = RNG.standard_normal((50, 3))
NAN, INF = float("nan"), float("inf")


def parts(r):
    return (r.hist,) + (tuple(r.bin_edges) if isinstance(r.bin_edges, tuple) else (r.bin_edges,))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: t.histogram(x),
        lambda t, x: t.histogram(x, 7),
        lambda t, x: t.histogram(x, bins=10, range=(-1.0, 0.5)),
        lambda t, x: t.histogram(x, 4, range=[0, 4]),
        lambda t, x: x.histogram(6, density=True),
        lambda t, x: t.histogram(x, 5, weight=x.abs(), density=True),
        lambda t, x: t.histogram(x, 3, weight=x * x),
        lambda t, x: t.histogram(x.reshape(20, 10), 4),
        lambda t, x: t.histogram(x, t.tensor([-2.0, -0.5, 0.0, 0.1, 3.0], dtype=x.dtype)),
        lambda t, x: t.histogram(x, t.tensor([3.0, 2.0, 1.0], dtype=x.dtype)),
        lambda t, x: t.histogram(x[:0], 3),
        lambda t, x: t.histogram(t.full((4,), 2.0, dtype=x.dtype), 4),
        lambda t, x: t.histogram(t.tensor([5.0], dtype=x.dtype), 2, range=(1.0, 1.0)),
        lambda t, x: t.histogram(t.tensor([1.0, NAN, 2.0], dtype=x.dtype), 3, range=(0.0, 3.0)),
        lambda t, x: t.histogram(t.tensor([0.0, 1.0, 2.0, 3.0], dtype=x.dtype), 3),
    ],
)
def test_histogram_values(call, dtype):
    both(lambda t: parts(call(t, t.tensor(DATA, dtype=getattr(t, dtype)))))


def test_histogram_named_result_and_out():
    for lib in (ember, torch):
        r = lib.histogram(lib.tensor([1.0, 2.0, 1.0, 4.0]), 3)
        assert type(r).__name__ == "histogram" and r[0] is r.hist and r[1] is r.bin_edges
        assert repr(r).startswith("torch.return_types.histogram(")
    both(lambda t: parts(t.histogram(t.tensor([5.0]), 2, out=(t.empty(0), t.empty(0)))))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.histogram(t.tensor([1, 2]), 4),
        lambda t: t.histogram(t.tensor([1.0, 2.0], dtype=t.float16), 4),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), 0),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), -1),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), 3, range=(3.0, 1.0)),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), 3, range=(0.0, INF)),
        lambda t: t.histogram(t.tensor([1.0, NAN]), 3),
        lambda t: t.histogram(t.tensor([1.0, INF]), 3),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), 3, weight=t.ones(3)),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), 3, weight=t.ones(2, dtype=t.float64)),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), t.ones(2, 2)),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), t.tensor([0.0, 3.0], dtype=t.float64)),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), 3.0),
        lambda t: t.histogram(t.tensor([1.0, 2.0]), t.tensor([0.0, 3.0]), range=(0.0, 1.0)),
        lambda t: t.histogram([1.0, 2.0], 3),
    ],
)
def test_histogram_errors(call):
    both(lambda t: parts(call(t)), message=True)


def test_histogram_records_a_not_implemented_gradient():
    for lib in (ember, torch):
        x = lib.tensor([1.0, 2.0, 1.0, 4.0], requires_grad=True)
        r = lib.histogram(x, 2)
        assert r.hist.grad_fn.name() == "torch::autograd::NotImplemented"
        assert r.bin_edges.requires_grad
        with pytest.raises(RuntimeError, match="derivative for aten::histogram is not implemented"):
            r.hist.sum().backward()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize(
    "call",
    [
        lambda t, p: t.histogramdd(p, bins=[3, 4, 2]),
        lambda t, p: t.histogramdd(p, bins=3),
        lambda t, p: t.histogramdd(p[:, :2], bins=(2, 3), range=(0.0, 1.0, -1.0, 2.0)),
        lambda t, p: t.histogramdd(p[:, :2], bins=[2, 2], range=[0.0, 1.0, 0.0, 1.0], density=True),
        lambda t, p: t.histogramdd(p, bins=2, weight=p[:, 0].abs()),
        lambda t, p: t.histogramdd(
            p.reshape(5, 10, 3), bins=2, weight=t.ones(5, 10, dtype=p.dtype)
        ),
        lambda t, p: t.histogramdd(
            p[:, :2],
            bins=[t.tensor([-1.0, 0.0, 2.0], dtype=p.dtype), t.tensor([0.0, 1.0], dtype=p.dtype)],
        ),
        lambda t, p: t.histogramdd(p[:0], bins=2),
    ],
)
def test_histogramdd_values(call, dtype):
    both(lambda t: parts(call(t, t.tensor(POINTS, dtype=getattr(t, dtype)))))


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.histogramdd(t.tensor([0.0, 1.0, 2.0]), bins=2),
        lambda t: t.histogramdd(t.ones(3, 2), bins=[2, 2, 2]),
        lambda t: t.histogramdd(t.ones(3, 2), bins=[2, 2], range=[0.0, 1.0]),
        lambda t: t.histogramdd(t.ones(3, 2), bins=[0, 2]),
        lambda t: t.histogramdd(t.ones(3, 2), bins=[2, t.tensor([0.0, 1.0])]),
        lambda t: t.histogramdd(t.ones(3, 2), bins=2, weight=t.ones(2)),
    ],
)
def test_histogramdd_errors(call):
    both(lambda t: parts(call(t)))


def test_histogramdd_named_result():
    for lib in (ember, torch):
        r = lib.histogramdd(lib.ones(3, 2), bins=2)
        assert type(r).__name__ == "histogramdd" and isinstance(r.bin_edges, tuple)


@pytest.mark.parametrize(
    "call",
    [
        lambda t, x: t.histogram(x, 4, range=(-1.0, 1.0), density=True),
        lambda t, x: t.histogram(x, t.tensor([0.0, 1.0], dtype=x.dtype)),
        lambda t, x: t.histogram(x, 5),
        lambda t, x: t.histogram(x[:0], 5),
        lambda t, x: t.histogramdd(x.reshape(15, 2), bins=[3, 2], range=[-1.0, 1.0, 0.0, 2.0]),
        lambda t, x: t.histogramdd(x.reshape(15, 2), bins=2),
    ],
)
def test_half_precision_only_fails_where_the_range_is_computed(call):
    both(lambda t: parts(call(t, t.tensor(DATA[:30], dtype=t.float16))), rtol=1e-3, atol=1e-3)
