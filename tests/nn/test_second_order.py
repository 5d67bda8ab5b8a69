"""Gradients of gradients through the composed nn functions (float64 finite differences)."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd.gradcheck import gradcheck, gradgradcheck

F = ember.nn.functional
R = np.random.default_rng(0)


def t(*shape):
    return ember.tensor(R.standard_normal(shape), requires_grad=True)


CASES = {
    "interpolate_bilinear": (
        lambda x: F.interpolate(x, size=(5, 4), mode="bilinear"),
        (1, 2, 3, 3),
    ),
    "interpolate_bicubic_aa": (
        lambda x: F.interpolate(x, size=(2, 2), mode="bicubic", antialias=True),
        (1, 1, 5, 5),
    ),
    "pad_reflect": (lambda x: F.pad(x, (2, 1, 1, 2), mode="reflect"), (1, 2, 4, 4)),
    "pad_circular": (lambda x: F.pad(x, (2, 1), mode="circular"), (1, 2, 4)),
    "unfold": (lambda x: F.unfold(x, 2, padding=1), (1, 2, 3, 3)),
    "fold": (lambda x: F.fold(x, (3, 3), 2), (1, 8, 4)),
    "embedding_bag_max": (
        lambda w: F.embedding_bag(ember.tensor([1, 2, 0, 1]), w, ember.tensor([0, 2]), mode="max"),
        (3, 2),
    ),
    "multi_margin_p2": (lambda x: F.multi_margin_loss(x, ember.tensor([0, 2]), p=2), (2, 3)),
    "local_response_norm": (lambda x: F.local_response_norm(x, 3), (1, 4, 3)),
    "pixel_shuffle": (lambda x: F.pixel_shuffle(x, 2), (1, 4, 2, 2)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_first_and_second_order_finite_differences(name):
    fn, shape = CASES[name]
    args = (t(*shape),)
    assert gradcheck(fn, args)
    assert gradgradcheck(fn, args)


def test_attention_and_triplet_second_order():
    q, k, v = t(1, 2, 3, 4), t(1, 2, 3, 4), t(1, 2, 3, 4)
    sdpa = lambda a, b, c: F.scaled_dot_product_attention(a, b, c, is_causal=True)  # noqa: E731
    assert gradcheck(sdpa, (q, k, v)) and gradgradcheck(sdpa, (q, k, v))
    a, p, n = t(3, 4), t(3, 4), t(3, 4)
    trip = lambda x, y, z: F.triplet_margin_loss(x, y, z, swap=True)  # noqa: E731
    assert gradcheck(trip, (a, p, n)) and gradgradcheck(trip, (a, p, n))
