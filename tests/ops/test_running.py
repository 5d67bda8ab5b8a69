"""cummax/cummin (ties, NaN), logcumsumexp, diff, trapezoid and cumulative_trapezoid against
PyTorch: dtypes, empty and 0-d inputs, out=, errors and gradients."""

from __future__ import annotations

import pytest

from ._both import both, grads

NAN, INF = float("nan"), float("inf")
X = [1.0, 3, 3, 2, NAN, 5, 1, NAN]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.cummax(t.tensor(X), 0),
        lambda t: t.cummin(t.tensor(X), 0),
        lambda t: t.cummin(t.tensor([2.0, 1, 1, 3]), 0),
        lambda t: t.cummax(t.tensor([1, 3, 2]), 0),
        lambda t: t.cummax(t.tensor(2.0), 0),
        lambda t: t.cummax(t.tensor([True, False]), 0),
        lambda t: t.cummax(t.zeros(0, 3), 1),
        lambda t: t.tensor([[1.0, 5], [7, 2]]).cummin(dim=0),
        lambda t: t.cummax(t.tensor([1.0, 2]), 1),
        lambda t: t.cummax(t.tensor([1.0, 2]), 0, out=(t.zeros(2), t.zeros(2, dtype=t.int64))),
    ],
)
def test_cummax_cummin(call):
    both(call)


def test_cummax_gradient_goes_to_the_source_of_each_maximum():
    grads(lambda t, x: t.cummax(x, 1).values, [[1.0, 3, 3, 2], [5, 1, 6, 6]])
    grads(lambda t, x: t.cummin(x, 0).values, [[1.0, 3, 3, 2], [5, 1, 6, 2]])


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.logcumsumexp(t.tensor([1, 2]), 0),
        lambda t: t.logcumsumexp(t.tensor([-INF, -INF, 1.0]), 0),
        lambda t: t.logcumsumexp(t.tensor(2.0), 0),
        lambda t: t.logcumsumexp(t.tensor([1.0, INF, 1.0]), 0),
        lambda t: t.logcumsumexp(t.tensor([1000.0, -1000.0, 2.0]), 0),
        lambda t: t.tensor([1.0, 2]).half().logcumsumexp(0),
        lambda t: t.logcumsumexp(t.tensor([1.0, 2]), 0, out=t.zeros(2)),
    ],
)
def test_logcumsumexp(call):
    both(call)


def test_logcumsumexp_gradient_without_overflow():
    grads(lambda t, x: t.logcumsumexp(x, 0), [800.0, -800.0, 3.0, 2.0])


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.diff(t.tensor([1, 3, 6, 10])),
        lambda t: t.diff(t.tensor([True, False, False])),
        lambda t: t.diff(t.tensor([1, 3, 6, 10]), n=2),
        lambda t: t.diff(t.tensor([1, 3, 6, 10]), n=5),
        lambda t: t.diff(t.tensor([1.0, 3]), prepend=t.tensor([0.0]), append=t.tensor([[9.0]])),
        lambda t: t.diff(t.tensor(1.0)),
        lambda t: t.diff(t.tensor([1.0, 2]), n=-1),
        lambda t: t.diff(t.tensor([1.0, 2]), n=0),
        lambda t: t.diff(t.tensor([1.0, 2]), prepend=t.tensor([1])),
        lambda t: t.diff(t.tensor([1, 2]), prepend=t.tensor([1.0])),
        lambda t: t.diff(t.ones(2, 3), dim=0, prepend=t.zeros(3)),
        lambda t: t.tensor([[1, 4], [2, 8]]).diff(dim=0, append=t.tensor([[0, 0]])),
    ],
)
def test_diff(call):
    both(call)


Y = [1.0, 2, 3]


@pytest.mark.parametrize(
    "call",
    [
        lambda t: t.trapezoid(t.tensor(Y)),
        lambda t: t.trapezoid(t.tensor(Y), t.tensor([0.0, 1, 3])),
        lambda t: t.trapezoid(t.tensor(Y), dx=2),
        lambda t: t.trapezoid(t.tensor([1, 2, 3])),
        lambda t: t.trapezoid(t.zeros(3, 0)),
        lambda t: t.trapezoid(t.zeros(3, 0, requires_grad=True)).requires_grad,
        lambda t: t.trapezoid(t.tensor(1.0)),
        lambda t: t.trapezoid(t.ones(2, 3), t.tensor([0.0, 1, 3])),
        lambda t: t.trapezoid(t.ones(2, 3), t.tensor([0.0, 1])),
        lambda t: t.trapezoid(t.ones(2, 3), t.ones(2, 3), dx=1),
        lambda t: t.trapezoid(t.ones(3), x=2.0),
        lambda t: t.trapezoid(t.tensor(Y), t.tensor([0, 1, 3])),
        lambda t: t.trapz(t.tensor(Y), t.tensor([0.0, 1, 3])),
        lambda t: t.trapz(t.tensor(Y), dx=3.0),
        lambda t: t.cumulative_trapezoid(t.tensor(Y)),
        lambda t: t.cumulative_trapezoid(t.tensor(Y), t.tensor([0.0, 1, 3])),
        lambda t: t.cumulative_trapezoid(t.tensor([1, 2, 3]), dx=2),
        lambda t: t.cumulative_trapezoid(t.zeros(2, 0)),
        lambda t: t.cumulative_trapezoid(t.zeros(2, 1)),
    ],
)
def test_trapezoid(call):
    both(call)
