"""CPU autocast changes what ops compute in, as PyTorch's CPU lists say (the registry casts
the inputs of every declared function on those lists)."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

CASES = [
    ("mm", lambda lib, a, b: lib.mm(a, b)),
    ("matmul", lambda lib, a, b: a @ b),
    ("linear", lambda lib, a, b: lib.nn.functional.linear(a, b)),
    ("cat_promote", lambda lib, a, b: lib.cat([a, b.double()])),
    ("mse_loss_fp32", lambda lib, a, b: lib.nn.functional.mse_loss(a.half(), b.half())),
    ("unlisted_add", lambda lib, a, b: a + b),
]


@pytest.mark.parametrize("name, fn", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("dtype", ["float16", "bfloat16"])
def test_output_dtype_and_values_as_pytorch(name, fn, dtype):
    if not hasattr(ember, dtype):
        pytest.skip(f"ember.{dtype} is not built yet")
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 3)).astype(np.float32)
    b = rng.standard_normal((3, 3)).astype(np.float32)
    with torch.autocast("cpu", dtype=getattr(torch, dtype)):
        t = fn(torch, torch.tensor(a), torch.tensor(b))
    with ember.autocast("cpu", dtype=getattr(ember, dtype)):
        e = fn(ember, ember.tensor(a), ember.tensor(b))
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.float().numpy(), t.float().numpy(), rtol=2e-2, atol=2e-2)


def test_autocast_records_the_casts_for_autograd():
    a = ember.randn(2, 3, requires_grad=True)
    w = ember.randn(4, 3, requires_grad=True)
    with ember.autocast("cpu", dtype=ember.float16):
        y = ember.nn.functional.linear(a, w)
    assert y.dtype == ember.float16
    y.float().sum().backward()
    assert a.grad.dtype == ember.float32 and w.grad.dtype == ember.float32


def test_autocast_keeps_the_graph_through_a_module():
    m = ember.nn.Linear(3, 2)
    tm = torch.nn.Linear(3, 2)
    with torch.no_grad():
        tm.weight.copy_(torch.tensor(m.weight.detach().numpy()))
        tm.bias.copy_(torch.tensor(m.bias.detach().numpy()))
    x = np.random.default_rng(1).standard_normal((4, 3)).astype(np.float32)
    with ember.autocast("cpu", dtype=ember.bfloat16):
        y = m(ember.tensor(x))
    with torch.autocast("cpu", dtype=torch.bfloat16):
        t = tm(torch.tensor(x))
    assert y.requires_grad and y.grad_fn.name() == t.grad_fn.name()
    y.float().sum().backward()
    t.float().sum().backward()
    np.testing.assert_allclose(m.weight.grad.numpy(), tm.weight.grad.numpy(), rtol=2e-2, atol=2e-2)
