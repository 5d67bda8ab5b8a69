"""Backward through very deep and very wide graphs completes (no recursion)."""

import sys

import numpy as np
import pytest

import ember as torch


def _chain(depth):
    x = torch.tensor(1.0, requires_grad=True)
    y = x
    for _ in range(depth):
        y = y * 1.0
    return x, y


def _check_chain(depth):
    assert depth > 100 * sys.getrecursionlimit()
    x, y = _chain(depth)
    y.backward()
    assert x.grad.item() == 1.0
    # the graph is released afterwards, without the recursion a naive __del__ chain needs
    del y
    assert x.grad.item() == 1.0


def test_chain_200k_deep():
    _check_chain(200_000)


@pytest.mark.slow
def test_chain_1m_deep():
    _check_chain(1_000_000)


def test_deep_chain_dropped_without_backward_is_freed():
    """Dropping an unused 100k-node graph must not overflow the C stack."""
    x, y = _chain(100_000)
    del y
    assert x.grad is None


def test_deep_chain_autograd_grad_with_mixed_ops():
    x = torch.tensor([0.5, -0.25], requires_grad=True)
    y = x
    for _ in range(20_000):
        y = (y + 1.0) - 1.0
    (g,) = torch.autograd.grad(y.sum(), [x])
    np.testing.assert_array_equal(g.numpy(), [1.0, 1.0])


def test_graph_100k_wide_stack():
    x = torch.tensor([1.0, 2.0], dtype=torch.float64, requires_grad=True)
    n = 100_000
    terms = [x * float(i) for i in range(n)]
    total = torch.stack(terms).sum()
    total.backward()
    expected = n * (n - 1) / 2
    np.testing.assert_array_equal(x.grad.numpy(), [expected, expected])


@pytest.mark.slow
def test_graph_100k_wide_tree_sum():
    """One leaf feeds 100k ops whose results are summed pairwise (a balanced tree)."""
    x = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    level = [x * float(i % 7) for i in range(100_000)]
    while len(level) > 1:
        nxt = [level[i] + level[i + 1] for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    level[0].backward()
    assert x.grad.item() == sum(i % 7 for i in range(100_000))
