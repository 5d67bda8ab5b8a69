"""erf's float32 path (computed in float32 where |x| < 1) stays within float32 rounding."""

import math

import numpy as np
import torch

import ember


def _ulps(got, want):
    """Distance in float32 ulps of ``got`` from the float64 ``want``."""
    spacing = np.spacing(np.abs(want).astype(np.float32)).astype(np.float64)
    return np.abs(got.astype(np.float64) - want) / np.maximum(spacing, np.spacing(np.float32(0)))


def test_erf_float32_within_two_ulps_of_the_exact_value():
    x = np.concatenate([np.linspace(-7, 7, 20001), np.geomspace(1e-30, 0.99, 500)])
    x = x.astype(np.float32)
    got = ember.erf(ember.tensor(x)).numpy()
    exact = np.array([math.erf(float(v)) for v in x])
    assert got.dtype == np.float32
    assert _ulps(got, exact).max() <= 2.0
    np.testing.assert_allclose(got, torch.erf(torch.tensor(x)).numpy(), rtol=3e-7, atol=0)


def test_erf_float32_special_values_match_torch():
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0, 6.5, -1e-40], np.float32)
    got = ember.erf(ember.tensor(x)).numpy()
    want = torch.erf(torch.tensor(x)).numpy()
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_array_equal(np.signbit(got), np.signbit(want))
    np.testing.assert_allclose(got, want, rtol=3e-7, atol=0)


def test_gelu_float32_matches_torch_on_a_mixed_batch():
    x = np.random.default_rng(0).standard_normal((8, 33)).astype(np.float32) * 2
    got = ember.nn.functional.gelu(ember.tensor(x)).numpy()
    want = torch.nn.functional.gelu(torch.tensor(x)).numpy()
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
