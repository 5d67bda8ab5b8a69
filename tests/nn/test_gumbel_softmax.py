"""``F.gumbel_softmax``: sample properties (Ember's generator), gradients, errors."""

from __future__ import annotations

import numpy as np
import pytest

import ember
import ember.nn.functional as EF

from ._compare import torch


def test_soft_samples_are_distributions_and_follow_the_logits():
    ember.manual_seed(0)
    logits = ember.tensor([[2.0, 0.0, -1.0]]).expand(4000, 3)
    y = EF.gumbel_softmax(logits, tau=0.5)
    np.testing.assert_allclose(y.sum(1).numpy(), 1.0, rtol=1e-6)
    assert (y.numpy() >= 0).all()
    # The argmax of a Gumbel-perturbed logit vector is a sample of softmax(logits).
    freq = np.bincount(y.argmax(1).numpy(), minlength=3) / 4000
    expected = np.exp([2.0, 0.0, -1.0]) / np.exp([2.0, 0.0, -1.0]).sum()
    np.testing.assert_allclose(freq, expected, atol=0.03)


def test_seeded_samples_repeat():
    x = ember.randn(5, 6)
    ember.manual_seed(3)
    a = EF.gumbel_softmax(x, tau=2.0)
    ember.manual_seed(3)
    b = EF.gumbel_softmax(x, tau=2.0)
    np.testing.assert_array_equal(a.numpy(), b.numpy())


@pytest.mark.parametrize("dim", [-1, 0, 1])
def test_hard_samples_are_one_hot_with_straight_through_gradient(dim):
    ember.manual_seed(1)
    x = ember.randn(3, 4, 5, requires_grad=True)
    y = EF.gumbel_softmax(x, tau=0.7, hard=True, dim=dim)
    values = y.detach().numpy()
    assert set(np.unique(values)) <= {0.0, 1.0}
    np.testing.assert_array_equal(values.sum(dim), 1.0)
    w = ember.randn(3, 4, 5)
    (y * w).sum().backward()
    grad_hard = x.grad.numpy().copy()
    # Same noise, soft sample: the hard sample's gradient is exactly the soft one's.
    x.grad = None
    ember.manual_seed(1)
    ember.randn(3, 4, 5)  # the draw of x above
    soft = EF.gumbel_softmax(x, tau=0.7, hard=False, dim=dim)
    np.testing.assert_array_equal(values.argmax(dim), soft.detach().numpy().argmax(dim))
    (soft * w).sum().backward()
    np.testing.assert_allclose(grad_hard, x.grad.numpy(), atol=1e-6)
    assert y.grad_fn.name() == "AddBackward0" and soft.grad_fn.name() == "SoftmaxBackward0"


def test_soft_sample_gradient_is_softmax_jacobian():
    """Noise fixed by the seed: the gradient equals softmax's at the perturbed logits."""
    x = np.random.default_rng(0).standard_normal((2, 4))
    ember.manual_seed(5)
    ex = ember.tensor(x, requires_grad=True)
    y = EF.gumbel_softmax(ex, tau=0.3)
    ember.manual_seed(5)
    noise = -ember.empty(2, 4, dtype=ember.float64).exponential_().log()
    tx = torch.tensor(x, requires_grad=True)
    ty = ((tx + torch.tensor(noise.numpy())) / 0.3).softmax(-1)
    np.testing.assert_allclose(y.detach().numpy(), ty.detach().numpy(), rtol=1e-12)
    w = np.arange(8.0).reshape(2, 4)
    (y * ember.tensor(w)).sum().backward()
    (ty * torch.tensor(w)).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=1e-12)


def test_deprecated_eps_and_errors_like_torch():
    x = ember.randn(3, 4)
    with pytest.warns(UserWarning, match="`eps` parameter is deprecated"):
        EF.gumbel_softmax(x, eps=1e-5)
    for call in (
        lambda lib, t: lib.nn.functional.gumbel_softmax(t.long()),
        lambda lib, t: lib.nn.functional.gumbel_softmax(t, dim=3),
    ):
        outcomes = []
        for lib in (ember, torch):
            with pytest.raises(Exception) as info:
                call(lib, lib.zeros(3, 4))
            outcomes.append((type(info.value).__name__, str(info.value)))
        assert outcomes[0] == outcomes[1]
