"""torch.cond run eagerly, as PyTorch's CPU build runs it without compile."""

import numpy as np
import pytest
import torch

import ember

from ._oracle import same


def _x(lib):
    return lib.tensor([1.0, 2.0], requires_grad=True)


@pytest.mark.parametrize(
    "call",
    [
        lambda lib, x: lib.cond(x.sum() > 0, lambda a: a.sin(), lambda a: a.cos(), (x,)),
        lambda lib, x: lib.cond(x.sum() < 0, lambda a: a.sin(), lambda a: a.cos(), (x,)),
        lambda lib, x: lib.cond(True, lambda a: a * 2, lambda a: a * 3, (x,)),
        lambda lib, x: lib.cond(False, lambda a: a * 2, lambda a: a * 3, [x]),
        lambda lib, x: lib.cond(lib.tensor(False), lambda a, b: a * b, lambda a, b: a + b, (x, x)),
        lambda lib, x: lib.cond(lib.tensor([[True]]), lambda a: a * 2, lambda a: a * 3, (x,)),
        lambda lib, x: lib.cond(lib.tensor([True, False]), lambda a: a, lambda a: a, (x,)),
        lambda lib, x: lib.cond(1, lambda a: a, lambda a: a, (x,)),
        lambda lib, x: lib.cond(True, lambda a: a, lambda a: a, x),
        lambda lib, x: lib.cond(True, lambda: x * 2, lambda: x * 3),
        lambda lib, x: lib.cond(True, lambda a: (a, a * 2), lambda a: (a, a), (x,)),
        lambda lib, x: lib.cond(True, lambda a: 3, lambda a: 4, (x,)),
        lambda lib, x: lib.cond(lib.tensor(True), lambda a: a, lambda a: a, (x,)),
        lambda lib, x: lib.cond(lib.tensor(True), lambda a: a[0], lambda a: a[1], (x,)),
        lambda lib, x: lib.cond(lib.tensor(True), lambda a: a * 2, lambda a: a.sum(), (x,)),
        lambda lib, x: lib.cond(lib.tensor(True), lambda a: a * 2, lambda a: a.double(), (x,)),
        lambda lib, x: lib.cond(lib.tensor(True), lambda a, k: a * k, lambda a, k: a, (x, 3)),
        lambda lib, x: lib.cond(lib.tensor(True), lambda a: a * 2, lambda a: a * 3, (x.detach(),)),
    ],
)
def test_outcomes_match(call):
    same(lambda: call(ember, _x(ember)), lambda: call(torch, _x(torch)))


def test_gradients_through_the_taken_branch():
    for pred in (True, False):
        grads = []
        for lib in (ember, torch):
            x = _x(lib)
            w = lib.tensor([3.0, -1.0], requires_grad=True)
            y = lib.cond(
                lib.tensor(pred),
                lambda a, b: ((a**2) * b).sum(),
                lambda a, b: (a * b.exp()).sum(),
                (x, w),
            )
            assert y.grad_fn.name() == "CondAutogradOpBackward"
            y.backward()
            grads.append((x.grad.numpy(), w.grad.numpy()))
        for a, b in zip(*grads):
            np.testing.assert_allclose(a, b, rtol=1e-6)


def test_several_outputs():
    grads = []
    for lib in (ember, torch):
        x = _x(lib)
        a, b = lib.cond(lib.tensor(True), lambda t: (t**3, t * 2), lambda t: (t * 1, t * 3), (x,))
        (g,) = lib.autograd.grad((a + b).sum(), x)
        grads.append(g.tolist())
    assert grads[0] == grads[1] == [5.0, 14.0]
