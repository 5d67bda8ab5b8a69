"""Gradients of holomorphic ops at complex inputs follow PyTorch's convention: the
derivative is conjugated (``y = a * b`` gives ``grad_a = grad * conj(b)``), checked against
PyTorch through real-valued losses."""

from __future__ import annotations

import numpy as np
import pytest

import ember

torch = pytest.importorskip("torch")

_CASES = {
    "mul": lambda L, x, y: x * y,
    "div": lambda L, x, y: x / y,
    "pow": lambda L, x, y: x**y,
    "exp": lambda L, x, y: L.exp(x) * y,
    "pow_number": lambda L, x, y: x**2.5 + y**2 + x**3,
    "number_pow": lambda L, x, y: 2.0**x + y,
    "mul_number": lambda L, x, y: x * (1 + 2j) + y * 0.5,
    "div_number": lambda L, x, y: (1 + 2j) / x + y / (2 - 1j),
    "real_times_complex": lambda L, x, y: x.abs() * y,
    "sin_log_sqrt": lambda L, x, y: L.sin(x) * L.log(y) + L.sqrt(x),
    "sigmoid_tanh": lambda L, x, y: L.sigmoid(x) + L.tanh(y) * L.reciprocal(x),
}

_LOSSES = {
    "abs_squared": lambda L, z: (z.abs() ** 2).sum(),
    "real": lambda L, z: L.real(z).sum(),
    "imag": lambda L, z: L.imag(z * (0.5 - 1j)).sum(),
}


def _grads(lib, fn, loss, a, b):
    x = lib.tensor(a, requires_grad=True)
    y = lib.tensor(b, requires_grad=True)
    loss(lib, fn(lib, x, y)).backward()
    return [np.asarray(t.grad.resolve_conj().detach().numpy()) for t in (x, y)]


@pytest.mark.parametrize("loss", sorted(_LOSSES))
@pytest.mark.parametrize("case", sorted(_CASES))
@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_gradient_is_conjugated_as_in_pytorch(case, loss, dtype):
    rng = np.random.default_rng(7)
    a, b = ((rng.normal(size=(3, 4)) + 1j * rng.normal(size=(3, 4))).astype(dtype) for _ in "ab")
    ours = _grads(ember, _CASES[case], _LOSSES[loss], a, b)
    theirs = _grads(torch, _CASES[case], _LOSSES[loss], a, b)
    tol = 1e-4 if dtype == "complex64" else 1e-10
    for e, t in zip(ours, theirs):
        assert e.dtype == t.dtype
        np.testing.assert_allclose(e, t, rtol=tol, atol=tol)


@pytest.mark.parametrize("dtype", ["complex64", "complex128"])
def test_complex_sigmoid_values(dtype):
    a = np.array([0.3 + 0.4j, -1 + 0.2j, 20 - 3j, -20 + 1j], dtype=dtype)
    ours = ember.sigmoid(ember.tensor(a)).numpy()
    theirs = torch.sigmoid(torch.tensor(a)).numpy()
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-12)


def test_second_order_through_complex_mul():
    """create_graph records the conjugation, so a second derivative matches PyTorch's."""
    a = np.array([0.5 + 1j, -1.5 + 0.25j], dtype="complex128")
    out = []
    for lib in (ember, torch):
        x = lib.tensor(a, requires_grad=True)
        z = x * x * x
        (g,) = lib.autograd.grad((z.abs() ** 2).sum(), x, create_graph=True)
        (h,) = lib.autograd.grad(lib.real(g * g.conj()).sum(), x)
        out.append(np.asarray(h.resolve_conj().detach().numpy()))
    np.testing.assert_allclose(out[0], out[1], rtol=1e-10, atol=1e-10)


def test_real_input_of_a_complex_product_gets_the_real_part_silently():
    import warnings

    w = [1 + 2j, 3 - 1j]
    a = ember.tensor([1.0, 2.0], requires_grad=True)
    b = torch.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (a * ember.tensor(w)).abs().sum().backward()
    (b * torch.tensor(w)).abs().sum().backward()
    assert a.grad.dtype == ember.float32
    np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-6)
