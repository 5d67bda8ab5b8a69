"""Errors that once differed from PyTorch's: the same exception type and message now."""

import pytest
import torch

import ember

CASES = [
    "lib.ones(2, 3).copy_(lib.ones(2, 4))",
    "lib.ones(2, 3).copy_(lib.ones(4, 3))",
    "lib.ones(2, 3, 5).copy_(lib.ones(2, 4, 5))",
    "lib.ones(3).copy_(lib.ones(2, 3))",
    "lib.zeros(3, dtype=lib.long).exponential_()",
    "lib.zeros(3, dtype=lib.bool).exponential_()",
]


def _error(lib, code):
    with pytest.raises(Exception) as caught:
        exec(code, {"lib": lib})
    return type(caught.value), str(caught.value)


@pytest.mark.parametrize("code", CASES)
def test_error_matches_pytorch(code):
    assert _error(ember, code) == _error(torch, code)


def test_inf_and_nan_arithmetic_is_silent_as_in_pytorch():
    # A fresh process: the filter is installed when ember is imported (pytest's own
    # warning capture would restore the filters it saved before the import).
    import subprocess
    import sys

    script = """
import warnings
import numpy as np
import ember
with warnings.catch_warnings(record=True) as caught:
    ember.tensor([1.0, 0.0]) / 0.0
    ember.tensor([float("inf")]) * 0.0
    ember.tensor([1e38]) * 1e10
    x = ember.tensor([float("inf")], requires_grad=True)
    (x * 0.0).sum().backward()
    assert not caught, [str(w.message) for w in caught]
    np.array([1.0]) / np.array([0.0])  # the user's own NumPy code still warns
    assert [w for w in caught if "divide by zero" in str(w.message)]
"""
    done = subprocess.run(
        [sys.executable, "-W", "default", "-c", script], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
