"""``differentiable``, ``capturable``, ``fused`` and ``foreach`` as in PyTorch's CPU build."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

W0 = np.array([0.5, -1.0, 2.0])
C0 = np.array([1.5, 0.7, -0.3])

DIFFERENTIABLE = [
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1), 3),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.2, maximize=True), 3),
    ("Adam", dict(lr=0.1, amsgrad=True, weight_decay=0.1), 1),
    ("Adam", dict(lr=0.1, weight_decay=0.1), 3),
    ("AdamW", dict(lr=0.1), 3),
    ("RMSprop", dict(lr=0.01, centered=True, momentum=0.5), 1),
    ("RMSprop", dict(lr=0.01, weight_decay=0.1), 3),
    ("Adagrad", dict(lr=0.1, lr_decay=0.1), 3),
    ("Adadelta", dict(lr=0.5, weight_decay=0.1), 3),
    ("Adamax", dict(lr=0.1), 1),
    ("NAdam", dict(lr=0.1), 3),
    ("NAdam", dict(lr=0.1, weight_decay=0.1, decoupled_weight_decay=True), 3),
    ("RAdam", dict(lr=0.1), 3),
]


def _differentiable_run(lib, name, kw, steps):
    w0 = lib.tensor(W0, requires_grad=True)
    c = lib.tensor(C0, requires_grad=True)
    w = w0 * 1.0
    opt = getattr(lib.optim, name)([w], differentiable=True, **kw)
    for i in range(steps):
        w.grad = c * (w.detach() ** 3 + i)
        opt.step()
    (w * w).sum().backward()
    return w.detach().numpy(), w0.grad.numpy(), c.grad.numpy()


@pytest.mark.parametrize("name, kw, steps", DIFFERENTIABLE)
def test_differentiable_step_is_recorded_as_in_pytorch(name, kw, steps):
    """The step joins the graph: gradients reach the first weights and what made the grads."""
    got = _differentiable_run(ember, name, kw, steps)
    want = _differentiable_run(torch, name, kw, steps)
    for e, t in zip(got, want):
        np.testing.assert_allclose(e, t, rtol=1e-10, atol=1e-12)
    assert np.abs(got[2]).max() > 0


@pytest.mark.parametrize("name", ["SGD", "Adam", "RMSprop", "Rprop", "ASGD"])
def test_differentiable_on_a_leaf_raises_pytorchs_error(name):
    for lib in (ember, torch):
        w = lib.ones(2, requires_grad=True)
        opt = getattr(lib.optim, name)([w], lr=0.1, differentiable=True)
        w.grad = lib.ones(2)
        with pytest.raises(RuntimeError, match="a leaf Variable that requires grad is being used"):
            opt.step()


CAPTURABLE = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam", "RMSprop", "Adadelta", "ASGD", "Rprop"]


@pytest.mark.parametrize("name", CAPTURABLE)
def test_capturable_on_cpu_fails_at_the_step_as_pytorch(name):
    msgs = []
    for lib in (ember, torch):
        w = lib.ones(2, requires_grad=True)
        opt = getattr(lib.optim, name)([w], capturable=True)
        opt.step()  # no gradient: nothing to check
        w.grad = lib.ones(2)
        with pytest.raises(AssertionError) as info:
            opt.step()
        msgs.append(str(info.value))
        assert w.tolist() == [1.0, 1.0]
    assert msgs[0] == msgs[1]


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "Adafactor"])
def test_capturable_is_not_an_argument_where_pytorch_has_none(name):
    with pytest.raises(TypeError, match="unexpected keyword argument 'capturable'"):
        getattr(ember.optim, name)([ember.ones(2, requires_grad=True)], capturable=True)


@pytest.mark.parametrize("name", ["SGD", "Adam", "AdamW", "Adagrad"])
def test_fused_and_foreach_as_pytorch(name):
    for kw, msg in (
        (dict(fused=True, differentiable=True), "`fused` does not support `differentiable`"),
        (dict(fused=True, foreach=True), "`fused` and `foreach` cannot be `True` together."),
    ):
        for lib in (ember, torch):
            with pytest.raises(RuntimeError, match=msg):
                getattr(lib.optim, name)([lib.ones(2, requires_grad=True)], lr=0.1, **kw)
    out = []
    for lib in (ember, torch):
        for kw in (dict(fused=True), dict(foreach=True)):
            w = lib.tensor([1.0, -2.0], requires_grad=True)
            opt = getattr(lib.optim, name)([w], lr=0.1, **kw)
            for _ in range(3):
                w.grad = w.detach() * 3
                opt.step()
            out.append(w.detach().numpy().copy())
    np.testing.assert_allclose(out[0], out[2], rtol=1e-6)
    np.testing.assert_allclose(out[1], out[3], rtol=1e-6)


@pytest.mark.parametrize("name", ["RMSprop", "Adamax", "NAdam", "RAdam", "Adadelta", "ASGD"])
def test_fused_is_not_an_argument_where_pytorch_has_none(name):
    with pytest.raises(TypeError, match="unexpected keyword argument 'fused'"):
        getattr(ember.optim, name)([ember.ones(2, requires_grad=True)], fused=True)
