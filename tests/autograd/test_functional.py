"""autograd.functional and forward_ad against PyTorch."""

from __future__ import annotations

import numpy as np
import pytest

import ember
from ember.autograd import forward_ad as fwAD
from ember.autograd import functional as F

torch = pytest.importorskip("torch")

A = np.array([0.3, -1.2, 2.0])
B = np.array([[0.5, 1.0, -0.7], [1.5, -0.2, 0.4]])


def _close(e, t):
    if isinstance(t, tuple):
        assert isinstance(e, tuple) and len(e) == len(t)
        for a, b in zip(e, t):
            _close(a, b)
        return
    np.testing.assert_allclose(e.detach().numpy(), t.detach().numpy(), rtol=1e-9, atol=1e-12)


def f1(lib, x):
    return (x.exp() * x).tanh() / (1 + x * x)


def f2(lib, x, w):
    return (w @ x).sigmoid(), (x * x).sum()


def scalar(lib, x):
    return (x.exp() * x.sigmoid()).sum() + (x**3).sum()


@pytest.mark.parametrize("name", ["jacobian", "vjp", "jvp"])
def test_single_input_against_torch(name):
    xe, xt = ember.tensor(A), torch.tensor(A)
    v = np.array([1.0, 2.0, -0.5])
    if name == "jacobian":
        _close(
            F.jacobian(lambda x: f1(ember, x), xe),
            torch.autograd.functional.jacobian(lambda x: f1(torch, x), xt),
        )
    else:
        fe, ft = getattr(F, name), getattr(torch.autograd.functional, name)
        _close(
            fe(lambda x: f1(ember, x), xe, ember.tensor(v)),
            ft(lambda x: f1(torch, x), xt, torch.tensor(v)),
        )


def test_tuple_inputs_and_outputs():
    ins_e = (ember.tensor(A), ember.tensor(B))
    ins_t = (torch.tensor(A), torch.tensor(B))
    je = F.jacobian(lambda x, w: f2(ember, x, w), ins_e)
    jt = torch.autograd.functional.jacobian(lambda x, w: f2(torch, x, w), ins_t)
    _close(je, jt)
    ve = (ember.tensor([1.0, -1.0]), ember.tensor(2.0))
    vt = (torch.tensor([1.0, -1.0]), torch.tensor(2.0))
    _close(
        F.vjp(lambda x, w: f2(ember, x, w), ins_e, ve),
        torch.autograd.functional.vjp(lambda x, w: f2(torch, x, w), ins_t, vt),
    )


@pytest.mark.parametrize("name", ["hvp", "vhp"])
def test_hessian_products(name):
    v = np.array([0.2, 1.0, -3.0])
    fe, ft = getattr(F, name), getattr(torch.autograd.functional, name)
    _close(
        fe(lambda x: scalar(ember, x), ember.tensor(A), ember.tensor(v)),
        ft(lambda x: scalar(torch, x), torch.tensor(A), torch.tensor(v)),
    )


def test_hessian():
    _close(
        F.hessian(lambda x: scalar(ember, x), ember.tensor(A)),
        torch.autograd.functional.hessian(lambda x: scalar(torch, x), torch.tensor(A)),
    )


def test_create_graph_gives_differentiable_jacobian():
    x = ember.tensor(A, requires_grad=True)
    j = F.jacobian(lambda t: t**3, x, create_graph=True)
    assert j.requires_grad
    j.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 6 * A)
    assert not F.jacobian(lambda t: t**3, x).requires_grad


def test_errors_match_torch():
    x = ember.tensor(A)
    with pytest.raises(
        RuntimeError,
        match="^The vector v can only be None if the user-provided "
        "function returns a single Tensor with a single element.$",
    ):
        F.vjp(lambda t: t * 2, x)
    with pytest.raises(
        TypeError,
        match="must be either a Tensor or a tuple of Tensors but the "
        "given outputs of the user-provided function has type <class 'int'>",
    ):
        F.vjp(lambda t: 3, x)
    with pytest.raises(
        RuntimeError,
        match=r"v has invalid size: should be torch.Size\(\[3\]\) "
        r"but got torch.Size\(\[2\]\).",
    ):
        F.vjp(lambda t: t * 2, x, ember.ones(2, dtype=ember.float64))
    with pytest.raises(RuntimeError, match="should contain a single element"):
        F.hvp(lambda t: t * 2, x, x)
    with pytest.raises(
        RuntimeError, match="Output 0 of the user-provided function does not require gradients"
    ):
        F.jacobian(lambda t: ember.ones(2), x, strict=True)
    assert F.jacobian(lambda t: ember.ones(2), x).tolist() == [[0.0] * 3] * 2


# ----- forward AD: tangents derived from reverse mode, checked against torch ----------------
OPS = {
    "exp": lambda lib, x, y: x.exp(),
    "log": lambda lib, x, y: (x * x + 1).log(),
    "tanh_sigmoid": lambda lib, x, y: x.tanh() * y.sigmoid(),
    "sqrt_abs": lambda lib, x, y: (x.abs() + 1).sqrt(),
    "div_pow": lambda lib, x, y: x / (y * y + 1) + x**3,
    "matmul": lambda lib, x, y: x.reshape(1, 3) @ y.reshape(3, 1),
    "sum_mean": lambda lib, x, y: (x * y).sum() + x.mean(),
    "relu_where": lambda lib, x, y: lib.where(x > 0, x.relu() * y, y),
    "movement": lambda lib, x, y: x.reshape(3, 1).expand(3, 2).t() * y[:2].reshape(2, 1),
    "index": lambda lib, x, y: x[1:] * y[:2],
}


@pytest.mark.parametrize("op", sorted(OPS))
def test_forward_ad_matches_torch(op):
    fn = OPS[op]
    xa, ya = A, np.array([1.1, 0.4, -0.9])
    ta, tb = np.array([1.0, 0.5, -2.0]), np.array([0.3, -1.0, 0.7])
    with fwAD.dual_level():
        de = fn(
            ember,
            fwAD.make_dual(ember.tensor(xa), ember.tensor(ta)),
            fwAD.make_dual(ember.tensor(ya), ember.tensor(tb)),
        )
        pe, te = fwAD.unpack_dual(de)
    import torch.autograd.forward_ad as tfw

    with tfw.dual_level():
        dt = fn(
            torch,
            tfw.make_dual(torch.tensor(xa), torch.tensor(ta)),
            tfw.make_dual(torch.tensor(ya), torch.tensor(tb)),
        )
        pt, tt = tfw.unpack_dual(dt)
    _close(pe, pt)
    _close(te, tt)


def test_forward_ad_levels_and_errors():
    x = ember.tensor(A)
    with pytest.raises(RuntimeError, match="no level exists"):
        fwAD.make_dual(x, ember.ones(3))
    with fwAD.dual_level():
        with pytest.raises(
            RuntimeError,
            match="Tensor is of size \\[3\\] while the given forward gradient is of size \\[2\\]",
        ):
            fwAD.make_dual(x, ember.ones(2, dtype=ember.float64))
        with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
            fwAD.enter_dual_level()
        d = fwAD.make_dual(x, ember.ones(3, dtype=ember.float64))
        assert fwAD.unpack_dual(x).tangent is None
        assert fwAD.unpack_dual(d * 2).tangent.tolist() == [2.0, 2.0, 2.0]
    assert fwAD.unpack_dual(d).tangent is None
