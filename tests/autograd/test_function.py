"""Custom autograd Functions: the ctx API, errors, in-place outputs, double backward."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd.function import Function, once_differentiable

torch = pytest.importorskip("torch")


def _both(build):
    """Build the same Function class on ember and torch (``build(lib, base, once)``)."""
    return (
        build(ember, Function, once_differentiable),
        build(torch, torch.autograd.Function, torch.autograd.function.once_differentiable),
    )


def _square(lib, base, once):
    class Square(base):
        @staticmethod
        def forward(ctx, x, k):
            ctx.seen = ctx.needs_input_grad
            ctx.save_for_backward(x)
            ctx.k = k
            return x * x * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g * ctx.k, None

    return Square


def test_forward_backward_and_needs_input_grad_match_torch():
    E, T = _both(_square)
    a = np.array([1.0, -2.0, 3.0])
    xe = ember.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    ye, yt = E.apply(xe, 3.0), T.apply(xt, 3.0)
    assert ye.grad_fn.seen == yt.grad_fn.seen == (True, False)
    assert ye.grad_fn.name() == yt.grad_fn.name() == "SquareBackward"
    assert "SquareBackward" in repr(ye)
    ye.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(xe.grad.numpy(), xt.grad.numpy())


def test_needs_input_grad_without_graph():
    E, _ = _both(_square)
    y = E.apply(ember.ones(2), 2.0)
    assert not y.requires_grad and y.grad_fn is None
    with ember.no_grad():
        y = E.apply(ember.ones(2, requires_grad=True), 2.0)
    assert not y.requires_grad


def test_double_backward_through_function():
    E, T = _both(_square)
    a = np.array([1.0, 2.0])
    xe = ember.tensor(a, requires_grad=True)
    xt = torch.tensor(a, requires_grad=True)
    (ge,) = ember.autograd.grad(E.apply(xe, 1.0).pow(2).sum(), xe, create_graph=True)
    (gt,) = torch.autograd.grad(T.apply(xt, 1.0).pow(2).sum(), xt, create_graph=True)
    (gge,) = ember.autograd.grad(ge.sum(), xe)
    (ggt,) = torch.autograd.grad(gt.sum(), xt)
    np.testing.assert_allclose(gge.numpy(), ggt.numpy())


def test_setup_context_style_and_kwargs():
    class Mul(Function):
        @staticmethod
        def forward(x, y):
            return x * y

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(*inputs)

        @staticmethod
        def backward(ctx, g):
            x, y = ctx.saved_tensors
            return g * y, g * x

    x = ember.tensor([2.0, 3.0], requires_grad=True)
    y = ember.tensor([5.0, 7.0], requires_grad=True)
    Mul.apply(x, y=y).sum().backward()
    assert x.grad.tolist() == [5.0, 7.0] and y.grad.tolist() == [2.0, 3.0]


def test_wrong_number_of_gradients():
    class Bad(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    x = ember.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError) as e:
        Bad.apply(x).sum().backward()
    assert str(e.value) == (
        "function BadBackward returned an incorrect number of gradients (expected 1, got 2)"
    )


def test_extra_none_gradients_are_dropped_and_too_few_fail():
    class Extra(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2, None

    class Few(Function):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, g):
            return g

    x = ember.ones(2, requires_grad=True)
    Extra.apply(x).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]
    with pytest.raises(
        RuntimeError,
        match=r"FewBackward returned an incorrect number of "
        r"gradients \(expected 2, got 1\)",
    ):
        Few.apply(x, x).sum().backward()


def test_gradient_for_non_tensor_input_fails():
    class G(Function):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, g):
            return g, ember.ones(1)

    with pytest.raises(
        RuntimeError,
        match="returned a gradient different than None at "
        "position 2, but the corresponding forward input was not a Variable",
    ):
        G.apply(ember.ones(2, requires_grad=True), 2.0).sum().backward()


def test_wrong_gradient_shape():
    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return ember.ones(3)

    with pytest.raises(RuntimeError) as e:
        BadShape.apply(ember.ones(2, requires_grad=True)).sum().backward()
    assert str(e.value) == (
        "Function BadShapeBackward returned an invalid gradient at index 0 - got [3] but "
        "expected shape compatible with [2]"
    )


def test_mark_dirty_returns_same_object_and_rewrites_history():
    class Double(Function):
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    leaf = ember.tensor([1.0, 2.0], requires_grad=True)
    a = leaf * 1
    v = a._version
    b = Double.apply(a)
    assert b is a
    assert a.grad_fn.name() == "DoubleBackward"
    assert a._version == v + 1
    a.sum().backward()
    assert leaf.grad.tolist() == [2.0, 2.0]
    with pytest.raises(
        RuntimeError,
        match="a leaf Variable that requires grad has been used in an in-place operation.",
    ):
        Double.apply(ember.ones(2, requires_grad=True))


def test_returning_an_input_gives_a_new_alias():
    class Same(Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 3

    x = ember.ones(2, requires_grad=True)
    y = Same.apply(x)
    assert y is not x and y.grad_fn.name() == "SameBackward" and x.grad_fn is None
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_non_tensor_outputs_and_non_differentiable_outputs():
    seen = {}

    class Multi(Function):
        @staticmethod
        def forward(ctx, x):
            idx = (x > 1).to(ember.int64)
            ctx.mark_non_differentiable(idx)
            return x * 2, idx, 5

        @staticmethod
        def backward(ctx, g, gidx, gfive):
            seen["g"] = (gidx, gfive)
            return g * 2

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    y, idx, five = Multi.apply(x)
    assert five == 5 and not idx.requires_grad and idx.grad_fn is None
    y.sum().backward()
    gidx, gfive = seen["g"]
    assert gidx.tolist() == [0, 0] and gfive is None  # materialized zeros, None for non-tensors
    assert x.grad.tolist() == [2.0, 2.0]


def test_set_materialize_grads_false_passes_none():
    seen = {}

    class Two(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.set_materialize_grads(False)
            return x * 2, x * 3

        @staticmethod
        def backward(ctx, g1, g2):
            seen["g2"] = g2
            return g1 * 2

    x = ember.ones(2, requires_grad=True)
    a, _ = Two.apply(x)
    a.sum().backward()
    assert seen["g2"] is None and x.grad.tolist() == [2.0, 2.0]


def test_saved_tensors_are_version_checked():
    E, _ = _both(_square)
    x = ember.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = E.apply(h, 1.0)
    h.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.sum().backward()


def test_save_for_backward_rejects_non_tensors():
    class S(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x, 3)
            return x * 1

        @staticmethod
        def backward(ctx, g):
            return g

    with pytest.raises(
        TypeError, match="save_for_backward can only save variables, but argument 1 is of type int"
    ):
        S.apply(ember.ones(1, requires_grad=True))


def test_saved_output_double_backward():
    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            out = x.exp()
            ctx.save_for_backward(out)
            return out

        @staticmethod
        def backward(ctx, g):
            (out,) = ctx.saved_tensors
            return g * out

    x = ember.tensor([0.5, 1.0], requires_grad=True)
    (g,) = ember.autograd.grad(Exp.apply(x).sum(), x, create_graph=True)
    (gg,) = ember.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), np.exp([0.5, 1.0]), rtol=1e-6)


def test_once_differentiable():
    class Once(Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x**2

        @staticmethod
        @once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    x = ember.tensor([1.0, 2.0], requires_grad=True)
    (g,) = ember.autograd.grad(Once.apply(x).sum(), x, create_graph=True)
    assert g.tolist() == [2.0, 4.0] and not g.requires_grad  # as PyTorch: grads in did not
    go = ember.ones(2, requires_grad=True)
    (g2,) = ember.autograd.grad(Once.apply(x), x, go, create_graph=True)
    assert g2.requires_grad
    with pytest.raises(
        RuntimeError,
        match="trying to differentiate twice a function that was marked with @once_differentiable",
    ):
        g2.sum().backward()


def test_freed_saved_tensors():
    E, _ = _both(_square)
    x = ember.ones(2, requires_grad=True)
    y = E.apply(x, 1.0)
    y.sum().backward()
    with pytest.raises(RuntimeError, match="Trying to backward through the graph a second time"):
        y.sum().backward()


def test_gradient_of_wrong_shape_is_refused_even_when_it_could_be_reshaped():
    """A [6] gradient for a [2, 3] input is an error (PyTorch's message), not reshaped."""
    import pytest

    import ember
    from ember.autograd.function import Function

    class BadShape(Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g.reshape(-1)

    x = ember.ones(2, 3, requires_grad=True)
    with pytest.raises(RuntimeError, match=r"returned an invalid gradient at index 0 - got \[6\]"):
        BadShape.apply(x).sum().backward()
