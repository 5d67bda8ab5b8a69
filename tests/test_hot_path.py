"""Mechanisms of the hot path (not timings): no graph under no_grad, memory released
after backward, gradients stolen only when nobody else can see them, deep chains."""

from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import ember
from ember.autograd import node as node_mod


def _count_nodes(monkeypatch):
    """A list that gets one entry per node recorded (every record draws a sequence number)."""
    made = []
    numbers = node_mod._sequence

    class Counting:
        def __next__(self):
            made.append(1)
            return next(numbers)

    monkeypatch.setattr(node_mod, "_sequence", Counting())
    return made


def test_no_graph_under_no_grad(monkeypatch):
    made = _count_nodes(monkeypatch)
    x = ember.ones(3, requires_grad=True)
    with ember.no_grad():
        y = (x * 2 + 1).exp().sum()
    assert y.grad_fn is None and not y.requires_grad
    assert made == []
    z = x * 2
    assert type(z.grad_fn).__name__ == "MulBackward0" and made == [1]


def test_no_graph_when_nothing_requires_grad(monkeypatch):
    made = _count_nodes(monkeypatch)
    a = ember.ones(3)
    b = (a * 3 - a).tanh()
    assert b.grad_fn is None and made == []


def test_saved_arrays_released_after_backward():
    x = ember.tensor(np.linspace(0.1, 1, 5, dtype=np.float32), requires_grad=True)
    y = x.exp()  # Exp saves its output array
    alive = weakref.ref(y._data)
    loss = y.sum()
    del y
    gc.collect()
    assert alive() is not None  # held by the graph for backward
    loss.backward()
    assert alive() is None  # freed by backward (no retain_graph)
    with pytest.raises(RuntimeError):
        loss.backward()


def test_retain_graph_keeps_saved_arrays():
    x = ember.tensor(np.linspace(0.1, 1, 5, dtype=np.float32), requires_grad=True)
    y = x.exp()
    alive = weakref.ref(y._data)
    loss = y.sum()
    del y
    loss.backward(retain_graph=True)
    assert alive() is not None
    loss.backward()
    np.testing.assert_allclose(x.grad._data, 2 * np.exp(np.linspace(0.1, 1, 5)), rtol=1e-6)


def test_graph_dies_with_its_output():
    x = ember.ones(4, requires_grad=True)
    y = (x * 2).tanh()
    fn_ref = weakref.ref(y.grad_fn)
    del y
    assert fn_ref() is None  # no reference cycle keeps the node alive


def test_grad_is_stolen_without_copy_when_unshared():
    x = ember.ones(4, requires_grad=True)
    (x * 3).sum().backward()
    g1 = x.grad._data
    assert g1.flags.owndata and g1.flags.writeable
    (x * 3).sum().backward()  # accumulates in place into the same array
    assert x.grad._data is g1
    np.testing.assert_allclose(g1, 6.0)


def test_shared_gradient_is_not_stolen_twice():
    # Add's backward hands the same gradient object to both inputs.
    a = ember.ones(3, requires_grad=True)
    b = ember.ones(3, requires_grad=True)
    (a * 2 + b * 2).sum().backward()
    c = ember.ones(3, requires_grad=True)
    d = ember.ones(3, requires_grad=True)
    s = c + d
    s.backward(ember.ones(3))
    assert not np.shares_memory(c.grad._data, d.grad._data)
    c.grad.add_(1)
    np.testing.assert_allclose(d.grad._data, 1.0)


def test_user_gradient_is_never_aliased():
    x = ember.ones(3, requires_grad=True)
    g = ember.full((3,), 2.0)
    (x * 1).backward(g)
    x.grad.add_(5)
    np.testing.assert_allclose(g._data, 2.0)
    y = ember.ones(3, requires_grad=True)
    y.backward(g)  # a leaf's own gradient: .grad must be a copy
    assert not np.shares_memory(y.grad._data, g._data)


def test_retained_and_leaf_grads_do_not_alias():
    x = ember.ones(3, requires_grad=True)
    y = x + 0
    y.retain_grad()
    (y * 2).sum().backward()
    assert not np.shares_memory(x.grad._data, y.grad._data)
    x.grad.add_(1)
    np.testing.assert_allclose(y.grad._data, 2.0)


def test_hooks_see_and_replace_gradients():
    x = ember.ones(2, requires_grad=True)
    seen = []
    x.register_hook(lambda g: seen.append(g) or g * 10)
    (x * 2).sum().backward()
    np.testing.assert_allclose(x.grad._data, 20.0)
    np.testing.assert_allclose(seen[0]._data, 2.0)


def test_grad_layout_follows_a_fortran_ordered_leaf():
    w = ember.tensor(np.asfortranarray(np.ones((3, 4), np.float32)), requires_grad=True)
    (w * 2).sum().backward()
    assert w.grad._data.flags.f_contiguous


def test_version_counter_still_checked():
    x = ember.ones(3, requires_grad=True)
    y = x.exp()
    with ember.no_grad():
        pass
    z = y * y
    y.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        z.sum().backward()


def test_create_graph_still_records():
    x = ember.tensor(2.0, requires_grad=True)
    (g,) = ember.autograd.grad(x**3, x, create_graph=True)
    (h,) = ember.autograd.grad(g, x)
    assert float(g) == pytest.approx(12.0) and float(h) == pytest.approx(12.0)
