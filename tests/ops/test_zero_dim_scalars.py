"""Arithmetic, comparisons, sum and norm on 0-d float tensors compute on NumPy scalars:
the values, dtypes and gradients are PyTorch's, and the results are ordinary 0-d
tensors."""

import operator

import numpy as np
import pytest
import torch

import ember

OPS = {
    "mul": lambda a, b: a * b,
    "rmul": lambda a, b: 2.5 * a,
    "mul_int": lambda a, b: a * 3,
    "add": lambda a, b: a + b,
    "radd": lambda a, b: 1.25 + a,
    "sub": lambda a, b: a - b,
    "rsub": lambda a, b: 1.5 - a,
    "div": lambda a, b: a / b,
    "rdiv": lambda a, b: 2.0 / a,
    "div_num": lambda a, b: a / 3.0,
    "neg": lambda a, b: -a * b,
    "square": lambda a, b: a**2 + b,
    "norm": lambda a, b: a.norm() * b,
    "sum": lambda a, b: (a * b).sum(),
    "vector": lambda a, b: (a * lib_vector(a)).sum(),
}


def lib_vector(a):
    lib = ember if isinstance(a, ember.Tensor) else torch
    return lib.tensor([1.0, -2.0, 0.5], dtype=a.dtype)


VALUES = [(-3.0, 0.7), (0.1, 3.0), (1e30, 1e20), (0.0, -0.0), (float("inf"), 2.0), (2.0, 0.0)]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize("op", sorted(OPS))
@pytest.mark.parametrize("values", VALUES)
def test_value_dtype_and_gradients_match_pytorch(op, dtype, values):
    results = {}
    for lib in (ember, torch):
        a = lib.tensor(values[0], dtype=getattr(lib, dtype), requires_grad=True)
        b = lib.tensor(values[1], dtype=getattr(lib, dtype), requires_grad=True)
        y = OPS[op](a, b)
        y.backward()
        grads = [None if t.grad is None else t.grad.float().numpy() for t in (a, b)]
        results[lib] = (y.dtype, tuple(y.shape), y.detach().float().numpy(), grads)
    (dt, shape, value, grads), (t_dt, t_shape, t_value, t_grads) = results[ember], results[torch]
    assert (str(dt), shape) == (str(t_dt), t_shape)
    np.testing.assert_allclose(value, t_value, rtol=1e-6)
    for g, t_g in zip(grads, t_grads):
        assert (g is None) == (t_g is None)
        if g is not None:
            np.testing.assert_allclose(g, t_g, rtol=2e-3 if dtype == "float16" else 1e-6)


def test_results_are_ordinary_zero_dim_tensors():
    a = ember.tensor(2.0, requires_grad=True)
    for y in (a * 1.5, a + a, a / 4, a - 1, a.sum(), a.norm(), a < 3.0):
        assert type(y._data) is np.ndarray and y.shape == () and y._data.flags.writeable
    y = a * 1.0
    assert not np.shares_memory(y._data, a._data)
    s = a.sum()
    s.add_(1)  # an in-place change of the sum leaves the input alone
    assert a.item() == 2.0 and s.item() == 3.0


@pytest.mark.parametrize("lib", [ember, torch])
def test_in_place_change_of_a_saved_zero_dim_input_is_refused(lib):
    a = lib.tensor(2.0, requires_grad=True)
    b = lib.tensor(3.0, requires_grad=True) * 1.0
    y = a * b
    b.mul_(2)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        y.backward()


COMPARE = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
           "==": operator.eq, "!=": operator.ne}  # fmt: skip


@pytest.mark.parametrize("op", sorted(COMPARE))
@pytest.mark.parametrize("value", [1.5, 2.0, float("nan")])
def test_zero_dim_comparisons_match_pytorch(op, value):
    out = []
    for lib in (ember, torch):
        r = COMPARE[op](lib.tensor(value), 2.0)
        out.append((str(r.dtype), tuple(r.shape), bool(r)))
    assert out[0] == out[1]
