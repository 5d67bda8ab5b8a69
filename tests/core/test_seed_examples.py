"""SPEC section 1: the seed examples, with their exact printed outputs."""

import pytest

import ember as torch


def test_seed1_dot_product_gradient():
    x = torch.arange(4.0)
    assert repr(x) == "tensor([0., 1., 2., 3.])"
    x.requires_grad_(True)
    assert x.grad is None
    y = 2 * torch.dot(x, x)
    assert repr(y) == "tensor(28., grad_fn=<MulBackward0>)"
    y.backward()
    assert repr(x.grad) == "tensor([ 0.,  4.,  8., 12.])"
    assert repr(x.grad == 4 * x) == "tensor([True, True, True, True])"
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 2D tensors"):
        torch.dot(x.view(-1, 1), x.view(-1, 1))


def _x():
    x = torch.arange(4.0)
    x.requires_grad_(True)
    2 * torch.dot(x, x)
    return x


def test_seed2_accumulation():
    x = _x()
    (2 * torch.dot(x, x)).backward()
    (2 * torch.dot(x, x)).backward()
    assert x.grad.tolist() == [0.0, 8.0, 16.0, 24.0]  # a second backward adds
    x.grad.zero_()
    y = x.sum()
    y.backward()
    assert repr(x.grad) == "tensor([1., 1., 1., 1.])"


def test_seed3_non_scalar_output():
    x = _x()
    y = x * x
    y.sum().backward()
    assert repr(x.grad) == "tensor([0., 2., 4., 6.])"
    x.grad.zero_()
    y = x * x
    y.backward(torch.ones(len(x)))
    assert repr(x.grad) == "tensor([0., 2., 4., 6.])"
    with pytest.raises(
        RuntimeError, match="grad can be implicitly created only for scalar outputs"
    ):
        (x * x).backward()


def test_seed4_detach():
    x = _x()
    x.grad = torch.zeros(4)
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    assert repr(x.grad == u) == "tensor([True, True, True, True])"
    assert not u.requires_grad
    assert u.numpy().__array_interface__["data"][0] == y._data.__array_interface__["data"][0]
    x.grad.zero_()
    y.sum().backward()
    assert repr(x.grad == 2 * x) == "tensor([True, True, True, True])"


def f(a):
    b = a * 2
    while b.norm() < 1000:
        b = b * 2
    if b.sum() > 0:
        c = b
    else:
        c = 100 * b
    return c


@pytest.mark.parametrize("seed", range(5))
def test_seed5_control_flow(seed):
    torch.manual_seed(seed)
    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    assert repr(a.grad == d / a) == "tensor(True)"


def test_seed6_scalar_polynomial():
    x = torch.tensor(2.0, requires_grad=True)
    y = 2 * x**2 + 3 * x + 1
    y.backward()
    assert repr(x.grad) == "tensor(11.)"


def test_seed7_matrix_polynomial():
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = torch.sum(x**2 + 2 * x + 1)
    assert repr(y) == "tensor(54., grad_fn=<SumBackward0>)"
    y.backward()
    assert repr(x.grad) == "tensor([[ 4.,  6.],\n        [ 8., 10.]])"


def _abc():
    return torch.tensor(1.0), torch.tensor(-2.0), torch.tensor(1.0)


def test_seed8_quadratic_tensor_coefficients():
    x = torch.tensor(0.0, requires_grad=True)
    a, b, c = _abc()
    y = a * torch.pow(x, 2) + b * x + c
    y.backward()
    assert repr(x.grad) == "tensor(-2.)"


def test_seed9_backward_with_gradient():
    a, b, c = _abc()
    x = torch.tensor([[0.0, 0.0], [1.0, 2.0]], requires_grad=True)
    y = a * torch.pow(x, 2) + b * x + c
    assert repr(y) == "tensor([[1., 1.],\n        [0., 1.]], grad_fn=<AddBackward0>)"
    y.backward(gradient=torch.tensor([[1.0, 1.0], [1.0, 1.0]]))
    assert repr(x.grad) == "tensor([[-2., -2.],\n        [ 0.,  2.]])"


def test_seed10_minimise_with_sgd():
    optim = pytest.importorskip("ember.optim")
    a, b, c = _abc()
    x = torch.tensor(0.0, requires_grad=True)
    optimizer = optim.SGD(params=[x], lr=0.01)

    def fq(x):
        return a * torch.pow(x, 2) + b * x + c

    for _ in range(500):
        optimizer.zero_grad()
        y = fq(x)
        y.backward()
        optimizer.step()
    assert repr(fq(x).data) == "tensor(0.)"
    assert repr(x.data) == "tensor(1.0000)"


def test_seed11_two_layer_mlp_matches_hand_derived_gradients():
    torch.manual_seed(0)
    x = torch.randn(5, dtype=torch.float64)
    W1 = torch.randn(4, 5, dtype=torch.float64, requires_grad=True)
    b1 = torch.randn(4, dtype=torch.float64, requires_grad=True)
    W2 = torch.randn(3, 4, dtype=torch.float64, requires_grad=True)
    b2 = torch.randn(3, dtype=torch.float64, requires_grad=True)
    target = torch.randn(3, dtype=torch.float64)
    z = W1 @ x + b1
    h = torch.tanh(z)
    o = W2 @ h + b2
    L = ((o - target) ** 2).sum()
    L.backward()
    # Chain rule by hand, on the raw arrays.
    dL_do = 2 * (o.detach().numpy() - target.numpy())
    dL_dW2 = dL_do[:, None] * h.detach().numpy()[None, :]
    dL_dh = W2.detach().numpy().T @ dL_do
    dL_dz = dL_dh * (1 - h.detach().numpy() ** 2)
    dL_dW1 = dL_dz[:, None] * x.numpy()[None, :]
    import numpy as np

    np.testing.assert_allclose(W2.grad.numpy(), dL_dW2, rtol=1e-12)
    np.testing.assert_allclose(b2.grad.numpy(), dL_do, rtol=1e-12)
    np.testing.assert_allclose(W1.grad.numpy(), dL_dW1, rtol=1e-12)
    np.testing.assert_allclose(b1.grad.numpy(), dL_dz, rtol=1e-12)
