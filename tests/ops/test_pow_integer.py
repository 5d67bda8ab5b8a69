"""``x**k`` for small integer ``k`` is computed by repeated squaring: within a few units in
the last place of PyTorch's ``pow``, and the same at zeros, infinities and NaN."""

import numpy as np
import pytest
import torch

import ember


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("k", [4, 5, 6, 7, 8, 9, 12])
def test_integer_power_is_within_a_few_ulp_of_pytorch(dtype, k):
    x = np.random.default_rng(k).uniform(-2.0, 2.0, 500).astype(dtype)
    got = (ember.tensor(x) ** k).numpy()
    want = (torch.tensor(x) ** k).numpy()
    ulp = np.spacing(np.abs(want).astype(dtype))
    assert np.all(np.abs(got - want) <= 4 * ulp)


@pytest.mark.parametrize("k", [4, 5, 8])
def test_integer_power_at_special_values(k):
    x = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e300, -1e300, 1.0, -1.0])
    got = (ember.tensor(x) ** k).numpy()
    want = (torch.tensor(x) ** k).numpy()
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def test_integer_power_gradient():
    x = np.array([0.5, -1.5, 2.0])
    a = ember.tensor(x, requires_grad=True)
    b = torch.tensor(x, requires_grad=True)
    (a**6).sum().backward()
    (b**6).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-14)
