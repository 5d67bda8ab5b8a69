"""The engine runs a graph's single path from the root without dependency counts and
hands over to its general loop where the graph branches: every shape of graph gets
PyTorch's gradients, hooks and errors either way."""

import numpy as np
import pytest
import torch

import ember

GRAPHS = {
    "chain": lambda x: ((x * 1.5 - 0.5).tanh().exp() * 2).sum(),
    "chain then diamond": lambda x: ((x * 2).sin() + (x * 2).cos() * 3).sum() * 1.5,
    "chain into a shared input": lambda x: ((x * 0.5) * (x * 0.5)).sum().exp(),
    "chain into x * x": lambda x: (x * x).sum() * 2,
    "chain through split": lambda x: sum(p.sum() * (i + 1) for i, p in enumerate(x.split(2))),
    "diamond then chain": lambda x: (((x + 1) * (x - 1)) * 3 - 1).tanh().sum(),
    "unused branch": lambda x: (x * 3 + x.detach()).sum(),
    "through unbind": lambda x: x.unbind(0)[1] * 4,
}


def _grad(lib, name, **kw):
    x = lib.tensor(np.linspace(-1.0, 1.0, 6), dtype=lib.float64, requires_grad=True)
    GRAPHS[name](x).backward(**kw)
    return x.grad.numpy()


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_gradients_match_pytorch(name):
    np.testing.assert_allclose(_grad(ember, name), _grad(torch, name), rtol=1e-12)


@pytest.mark.parametrize("name", sorted(GRAPHS))
def test_retain_graph_lets_a_second_backward_accumulate(name):
    for lib in (ember, torch):
        x = lib.tensor(np.linspace(-1.0, 1.0, 6), dtype=lib.float64, requires_grad=True)
        y = GRAPHS[name](x)
        y.backward(retain_graph=True)
        first = x.grad.numpy().copy()
        y.backward()
        np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-12)


@pytest.mark.parametrize("lib", [ember, torch])
def test_second_backward_without_retain_graph_is_refused(lib):
    x = lib.tensor([0.5, 1.5], requires_grad=True)
    y = (x * 2).exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


@pytest.mark.parametrize("lib", [ember, torch])
def test_hooks_in_the_middle_of_a_path(lib):
    x = lib.tensor([0.5, 1.5], requires_grad=True)
    seen = []
    a = x * 2
    a.register_hook(lambda g: seen.append(g.tolist()) or g * 10)
    b = a.exp()
    b.retain_grad()
    y = (b * 3).sum()
    y.grad_fn.register_hook(lambda gi, go: seen.append("node"))
    y.backward()
    np.testing.assert_allclose(seen[1], (3 * b.detach()).tolist(), rtol=1e-6)
    assert seen[0] == "node"
    np.testing.assert_allclose(b.grad.numpy(), [3.0, 3.0])
    np.testing.assert_allclose(x.grad.numpy(), (60 * (x.detach() * 2).exp()).numpy(), rtol=1e-6)


@pytest.mark.parametrize("lib", [ember, torch])
def test_create_graph_through_a_path_gives_second_derivatives(lib):
    x = lib.tensor([0.5, 1.5], dtype=lib.float64, requires_grad=True)
    (g,) = lib.autograd.grad((x * 2).exp().sum(), x, create_graph=True)
    (gg,) = lib.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), (4 * (2 * x.detach()).exp()).numpy(), rtol=1e-12)


def test_a_leaf_gradient_is_adopted_when_nothing_else_holds_it():
    x = ember.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x * 3
    (y * 2).sum().backward()
    arr = x.grad._data
    assert arr.base is None and arr.strides == x._data.strides
    z = (x * 1.0).sum()
    z.backward()  # accumulates in place into the adopted array
    assert x.grad._data is arr
    np.testing.assert_allclose(x.grad.numpy(), np.full((2, 2), 7.0))


def test_a_leaf_gradient_others_hold_is_copied():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    kept = []
    y = x * 2
    y.register_hook(lambda g: kept.append(g))
    y.sum().backward()
    assert not np.shares_memory(x.grad._data, kept[0]._data)
    np.testing.assert_allclose(x.grad.numpy(), [2.0, 2.0])
    x.grad += 1  # the hook's tensor is not changed by accumulating into .grad
    np.testing.assert_allclose(kept[0].numpy(), [1.0, 1.0])


@pytest.mark.parametrize("lib", [ember, torch])
def test_custom_functions_on_a_path(lib):
    class Twice(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, ga, gb):
            return ga * 2 + (0 if gb is None else gb * 3)

    class Square(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = lib.tensor([0.5, 1.5], dtype=lib.float64, requires_grad=True)
    a, _ = Twice.apply(Square.apply(x * 1.5).exp())
    a.sum().backward()
    y = (x.detach() * 1.5) ** 2
    expected = 2 * y.exp() * 2 * (x.detach() * 1.5) * 1.5
    np.testing.assert_allclose(x.grad.numpy(), expected.numpy(), rtol=1e-12)


def test_a_hook_added_to_a_recorded_node_runs():
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y = (x * 2).exp()
    calls = []
    y.grad_fn.register_prehook(lambda go: calls.append("pre") or (go[0] * 0,))
    y.sum().backward()
    assert calls == ["pre"] and x.grad.tolist() == [0.0, 0.0]


@pytest.mark.parametrize("lib", [ember, torch])
def test_a_root_with_several_outputs(lib):
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    piece = x.unbind(0)[1]  # the root is the unbind node, which has two outputs
    piece.backward(lib.tensor([5.0, 6.0]))
    np.testing.assert_allclose(x.grad.numpy(), [[0.0, 0.0], [5.0, 6.0]])
