"""In-place writes through ``.real`` / ``.imag`` of a complex tensor in the graph: the new
values and the gradients to everything before the write, as PyTorch computes them."""

import warnings

import numpy as np
import pytest
import torch

import ember

WRITES = [
    "z.real.mul_(3)",
    "z.imag.mul_(3)",
    "z.real[1] = 5.0",
    "z.imag.add_(z.real.detach())",
    "z.imag[0:2] = lib.tensor([1.0, 7.0], dtype=lib.float64)",
    "z.real.copy_(a * a)",
]


def _run(lib, code):
    a = lib.tensor([1.0, 2.0, -0.5], dtype=lib.float64, requires_grad=True)
    z = lib.complex(a, 2 * a).clone()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        exec(code, {"z": z, "a": a, "lib": lib})
    w = lib.tensor([[1.0, 0.3], [-2.0, 0.7], [0.5, 1.5]], dtype=lib.float64)
    (lib.view_as_real(z) * w).sum().backward()
    return a.grad.numpy(), lib.view_as_real(z.detach()).numpy()


@pytest.mark.parametrize("code", WRITES)
def test_write_through_real_or_imag_matches_pytorch(code):
    (eg, ez), (tg, tz) = _run(ember, code), _run(torch, code)
    np.testing.assert_allclose(ez, tz, rtol=1e-12)
    np.testing.assert_allclose(eg, tg, rtol=1e-12)
