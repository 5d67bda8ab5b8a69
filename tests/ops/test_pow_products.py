"""x**k for k = 3..8 (computed as products) never warns, and gives PyTorch's values for
finite, overflowing, NaN and tiny inputs, small and large."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _inputs(dtype, n):
    rng = np.random.default_rng(2)
    return {
        "finite": (rng.standard_normal(n) * 3).astype(dtype),
        "overflow": np.full(n, 1e38 if dtype == "float32" else 1e300, dtype),
        "one_large": np.concatenate([np.ones(n - 1, dtype), np.array([1e20], dtype)]),
        "nan_inf": np.array([np.nan, np.inf, -np.inf, 0.0, -0.0] * (n // 5 + 1), dtype)[:n],
        "tiny": np.full(n, 1e-30, dtype),
    }


@pytest.mark.parametrize("k", [3, 4, 5, 6, 7, 8])
@pytest.mark.parametrize("n", [7, 5000])  # small (state left alone when safe) and large
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_products_quiet_and_exact(k, n, dtype):
    for name, x in _inputs(dtype, n).items():
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            got = (ember.tensor(x) ** k).numpy()
        with np.errstate(all="ignore"):
            want = x.copy()
            for _ in range(k - 1):
                want = want * x
        ref = (torch.tensor(x) ** k).numpy()
        if name in ("finite", "one_large", "tiny"):
            # the products round in their own order: PyTorch's pow within a few ulps
            np.testing.assert_allclose(got, ref, rtol=4e-6 if dtype == "float32" else 1e-14)
        else:
            np.testing.assert_array_equal(got, ref)
        if k == 3:
            assert got.tobytes() == want.tobytes()  # x * x * x, in that order


def test_strided_and_zero_d_inputs():
    x = np.linspace(-2, 2, 40, dtype=np.float32).reshape(5, 8)[:, ::2]
    np.testing.assert_array_equal((ember.tensor(x) ** 3).numpy(), x * x * x)
    s = np.float64(1.5)
    assert (ember.tensor(s) ** 5).item() == (torch.tensor(s) ** 5).item()
