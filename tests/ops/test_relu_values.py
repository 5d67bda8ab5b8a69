"""relu's forward on every path (small, large contiguous, strided; float32/float64) gives
PyTorch's values bit for bit, the sign of zero and NaN included, keeping the layout."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")


def _values(n, dtype):
    rng = np.random.default_rng(5)
    x = rng.standard_normal(n).astype(dtype)
    specials = np.array([-0.0, 0.0, np.nan, np.inf, -np.inf, -1e-45, 1e-45], dtype)
    x[: min(n, specials.size)] = specials[: min(n, specials.size)]
    return x


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(5,), (4, 4), (33, 70)], ids=str)
@pytest.mark.parametrize("layout", ["contiguous", "transposed", "strided"])
def test_relu_bits_equal_pytorch(shape, dtype, layout):
    x = _values(int(np.prod(shape)), dtype).reshape(shape)
    if layout == "transposed":
        x = x.T
    elif layout == "strided":
        x = x[..., ::2]
    e = ember.relu(ember.tensor(x.copy()) if layout == "contiguous" else ember.tensor(x))
    t = torch.relu(torch.tensor(x))
    assert e.numpy().tobytes() == t.numpy().tobytes()
    assert e.stride() == t.stride()
    assert ember.nn.functional.relu(ember.tensor(x)).numpy().tobytes() == t.numpy().tobytes()
    assert ember.nn.ReLU()(ember.tensor(x)).numpy().tobytes() == t.numpy().tobytes()


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_relu_without_zeros_and_its_gradient_values(dtype):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((16, 40)).astype(dtype)
    x[x == 0] = 1
    g = rng.standard_normal((16, 40)).astype(dtype)
    out = []
    for lib in (ember, torch):
        xt = lib.tensor(x, requires_grad=True)
        y = lib.relu(xt)
        y.backward(lib.tensor(g))
        out.append((y.detach().numpy(), xt.grad.numpy()))
    assert out[0][0].tobytes() == out[1][0].tobytes()
    # values equal (Ember's gradient is -0.0 where a negative gradient is masked, PyTorch's
    # +0.0: the sign of a masked zero is not compared here)
    np.testing.assert_array_equal(out[0][1], out[1][1])
