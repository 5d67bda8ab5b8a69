"""Hot backward rules have an array fast path (create_graph off); it must agree with the
rule's Ember-op form (which create_graph runs) on ordinary and special values."""

import numpy as np
import pytest

import ember
import ember.nn.functional as F

SPECIAL = np.array([[-2.0, -0.0, 0.0, 0.5], [3.0, np.nan, -np.inf, 1e-30]])
TARGET = np.array([2, 0])

CASES = {
    "exp": lambda x: x.exp(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "mul": lambda x: x * x.detach().flip(0) * 1.5,
    "square": lambda x: x**2,
    "relu": lambda x: ember.relu(x),
    "sum": lambda x: x.sum(1, keepdim=True) + x.sum(),
    "cross_entropy": lambda x: F.cross_entropy(x, ember.tensor(TARGET), reduction="none"),
    "sub_constant": lambda x: x - 1.1,
}


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # inf * 0 in the forward of "mul"
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("values", ["random", "special"])
def test_array_path_equals_op_path(name, dtype, values):
    data = np.random.default_rng(0).standard_normal((2, 4)) if values == "random" else SPECIAL
    if name == "cross_entropy":
        data = np.nan_to_num(data, nan=0.3, neginf=-5.0)
    fn = CASES[name]
    upstream = np.random.default_rng(1).standard_normal(fn(ember.tensor(data)).shape)
    grads = []
    for create_graph in (False, True):
        x = ember.tensor(data, dtype=dtype, requires_grad=True)
        out = fn(x)
        # With create_graph an upstream gradient that requires grad makes every rule record.
        up = ember.tensor(upstream, dtype=dtype, requires_grad=create_graph)
        (g,) = ember.autograd.grad(out, x, up, create_graph=create_graph)
        assert g.requires_grad == create_graph
        grads.append(g.detach().numpy())
    assert grads[0].dtype == grads[1].dtype == np.dtype(str(dtype).split(".")[1])
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-6, atol=0, equal_nan=True)


def test_relu_gradient_is_zero_below_zero_even_for_a_nan_upstream_gradient():
    x = ember.tensor([-1.0, 2.0], requires_grad=True)
    ember.relu(x).backward(ember.tensor([np.nan, 1.0]))
    np.testing.assert_array_equal(x.grad.numpy(), [0.0, 1.0])


PATH_CASES = dict(
    CASES,
    add=lambda x: (x + 2.0) + x.detach(),
    add_alpha=lambda x: ember.add(x, x.detach(), alpha=2.5),
    div=lambda x: x / 3.0,
    rdiv=lambda x: 2.0 / (x * 1.0),
    div_tensor=lambda x: x.detach().flip(0) / (x + 5.0),
    neg=lambda x: -x,
    mean=lambda x: x.mean(1) * 2.0,
    scalar_chain=lambda x: ((x.sum() * 0.5 - 1.0) ** 2 / 3.0).exp(),
)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@pytest.mark.parametrize("dtype", [ember.float32, ember.float64])
@pytest.mark.parametrize("name", sorted(PATH_CASES))
@pytest.mark.parametrize("values", ["random", "special"])
def test_arrays_passed_along_a_path_equal_the_op_path(name, dtype, values):
    """``loss.backward()`` through a single path hands arrays from rule to rule (no tensor
    per gradient): the leaf's .grad equals the recorded (create_graph) computation's."""
    data = np.random.default_rng(2).standard_normal((2, 4)) if values == "random" else SPECIAL
    if name == "cross_entropy":
        data = np.nan_to_num(data, nan=0.3, neginf=-5.0)
    fn = PATH_CASES[name]
    x = ember.tensor(data, dtype=dtype, requires_grad=True)
    (fn(x) * 1.0).sum().backward()
    y = ember.tensor(data, dtype=dtype, requires_grad=True)
    (expected,) = ember.autograd.grad((fn(y) * 1.0).sum(), y, create_graph=True)
    assert type(x.grad._data) is np.ndarray and x.grad.dtype == dtype
    assert x.grad.shape == x.shape and x.grad._data.flags.writeable
    np.testing.assert_allclose(x.grad.numpy(), expected.detach().numpy(), rtol=1e-6, equal_nan=True)
