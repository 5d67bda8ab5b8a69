"""Dispatch modes: a transform sees every op of its own thread, and only those."""

import threading

import numpy as np
import pytest

import ember
from ember.autograd.dispatch import DispatchMode, current_mode
from ember.autograd.node import Node


class Counting(DispatchMode):
    def __init__(self):
        self.names = []

    def handle(self, cls, args, kwargs):
        self.names.append(cls.__name__.removesuffix("Backward0"))  # Exp or ExpBackward0
        return self.run(cls, args, kwargs)


def test_a_mode_sees_each_op_and_the_results_are_unchanged():
    x = ember.tensor([1.0, -2.0, 3.0], requires_grad=True)
    with Counting() as mode:
        y = (x * 2).exp().sum()
    assert mode.names == ["Mul", "Exp", "Sum"]
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.exp(2 * x.detach().numpy()))
    assert current_mode() is None


def test_a_mode_is_suspended_while_it_runs_an_op_and_modes_nest():
    x = ember.ones(2)
    outer, inner = Counting(), Counting()
    with outer, inner:
        x + 1
        with inner.suspended():
            x - 1  # the inner mode lets it through: the outer one sees it
    assert inner.names == ["Add"]
    # The op the inner mode runs goes on to the outer one, as does the one it let through.
    assert outer.names == ["Add", "Sub"]


def test_modes_belong_to_their_thread():
    x = ember.ones(3)
    seen_elsewhere = []
    mode = Counting()

    def other_thread():
        seen_elsewhere.append(current_mode())
        seen_elsewhere.append((x * 3).sum().item())

    with mode:
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        x * 2
    assert seen_elsewhere == [None, 9.0]
    assert mode.names == ["Mul"]


def test_a_mode_cannot_be_entered_twice():
    mode = Counting()
    with mode, pytest.raises(RuntimeError, match="already active"):
        with mode:
            pass


def test_vmap_leaves_node_apply_alone():
    before = Node.__dict__["apply"]
    seen = []

    def f(x):
        seen.append(Node.__dict__["apply"] is before)
        return x.exp()

    ember.func.vmap(f)(ember.ones(3, 2))
    assert seen and all(seen)
    assert Node.__dict__["apply"] is before
