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
