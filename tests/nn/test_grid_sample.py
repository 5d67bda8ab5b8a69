"""``F.grid_sample`` and ``F.affine_grid`` against PyTorch: values, gradients, errors."""

from __future__ import annotations

import itertools
import warnings

import numpy as np
import pytest

import ember
import ember.nn.functional as EF

from ._compare import torch

TF = torch.nn.functional

CASES = [
    (nd, mode, pad, ac)
    for nd, mode, pad, ac in itertools.product(
        (4, 5), ("bilinear", "nearest", "bicubic"), ("zeros", "border", "reflection"), (0, 1)
    )
    if not (nd == 5 and mode == "bicubic")
]


def _pair(x):
    return torch.tensor(x, requires_grad=True), ember.tensor(x, requires_grad=True)


@pytest.mark.parametrize("nd,mode,pad,ac", CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_grid_sample_matches_torch(nd, mode, pad, ac, dtype):
    rng = np.random.default_rng(nd * 7 + ac)
    xs = (2, 3, 4, 5) if nd == 4 else (2, 2, 3, 4, 5)
    gs = (2, 3, 4, 2) if nd == 4 else (2, 2, 3, 4, 3)
    x = rng.standard_normal(xs).astype(dtype)
    g = rng.uniform(-1.4, 1.4, gs).astype(dtype)  # beyond [-1, 1]: every padding mode acts
    (tx, ex), (tg, eg) = _pair(x), _pair(g)
    ty = TF.grid_sample(tx, tg, mode, pad, bool(ac))
    ey = EF.grid_sample(ex, eg, mode, pad, bool(ac))
    tol = 1e-10 if dtype == "float64" else 2e-4
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=tol)
    w = rng.standard_normal(ty.shape).astype(dtype)
    (ty * torch.tensor(w)).sum().backward()
    (ey * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(ex.grad.numpy(), tx.grad.numpy(), atol=tol * 10)
    np.testing.assert_allclose(eg.grad.numpy(), tg.grad.numpy(), atol=tol * 10)


@pytest.mark.parametrize("mode", ["bilinear", "bicubic"])
def test_grid_sample_second_order(mode):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 2, 4, 4))
    g = rng.uniform(-0.9, 0.9, (1, 2, 3, 2))
    res = []
    for lib, F in ((torch, TF), (ember, EF)):
        tx, tg = lib.tensor(x, requires_grad=True), lib.tensor(g, requires_grad=True)
        y = F.grid_sample(tx, tg, mode, "zeros", False)
        (gg,) = lib.autograd.grad((y**2).sum(), tg, create_graph=True)
        res.append([t.detach().numpy() for t in lib.autograd.grad(gg.sum(), (tx, tg))])
    for e, t in zip(res[1], res[0]):
        np.testing.assert_allclose(e, t, atol=1e-9)


def test_grid_sample_default_align_corners_warns_like_torch():
    x, g = ember.ones(1, 1, 2, 2), ember.zeros(1, 1, 1, 2)
    with pytest.warns(UserWarning, match="align_corners=False since 1.3.0"):
        out = EF.grid_sample(x, g)
    assert out.shape == (1, 1, 1, 1)


BAD = [
    lambda F, x, g: F.grid_sample(x, g, mode="linear"),
    lambda F, x, g: F.grid_sample(x, g, padding_mode="wrap"),
    lambda F, x, g: F.grid_sample(x, g[:1], align_corners=False),
    lambda F, x, g: F.grid_sample(x, g[..., :1].expand(2, 3, 3, 3), align_corners=False),
    lambda F, x, g: F.grid_sample(x, g.unsqueeze(3), align_corners=False),
    lambda F, x, g: F.grid_sample(x[0], g[0], align_corners=False),
    lambda F, x, g: F.grid_sample(
        x.unsqueeze(2), g[..., :1].expand(2, 3, 3, 3).unsqueeze(1), "bicubic", align_corners=False
    ),  # noqa: E501
    lambda F, x, g: F.grid_sample(x, g.double(), align_corners=False),
    lambda F, x, g: F.grid_sample(x.long(), g.long(), align_corners=False),
    lambda F, x, g: F.grid_sample(x[:, :, :0], g, align_corners=False),
]


@pytest.mark.parametrize("k", range(len(BAD)))
def test_grid_sample_errors_like_torch(k):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 4, 5)).astype("float32")
    g = rng.uniform(-1, 1, (2, 3, 3, 2)).astype("float32")
    outcomes = []
    for lib, F in ((ember, EF), (torch, TF)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pytest.raises(Exception) as info:
                BAD[k](F, lib.tensor(x), lib.tensor(g))
        outcomes.append((type(info.value).__name__, str(info.value)))
    assert outcomes[0] == outcomes[1]


@pytest.mark.parametrize(
    "size,ac",
    [
        ((2, 3, 4, 5), False),
        ((2, 3, 4, 5), True),
        ((2, 1, 3, 2, 4), False),
        ((2, 1, 3, 2, 4), True),
        ((2, 3, 1, 5), False),
    ],
)
def test_affine_grid_matches_torch(size, ac):
    rng = np.random.default_rng(2)
    rows = len(size) - 2
    theta = rng.standard_normal((2, rows, rows + 1))
    tt, et = _pair(theta)
    ty, ey = TF.affine_grid(tt, size, ac), EF.affine_grid(et, size, ac)
    np.testing.assert_allclose(ey.detach().numpy(), ty.detach().numpy(), atol=1e-12)
    w = rng.standard_normal(ty.shape)
    (ty * torch.tensor(w)).sum().backward()
    (ey * ember.tensor(w)).sum().backward()
    np.testing.assert_allclose(et.grad.numpy(), tt.grad.numpy(), atol=1e-10)


def test_identity_affine_grid_sample_returns_input():
    x = ember.randn(1, 2, 3, 4)
    theta = ember.tensor([[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]])
    grid = EF.affine_grid(theta, (1, 2, 3, 4), align_corners=False)
    out = EF.grid_sample(x, grid, align_corners=False)
    np.testing.assert_allclose(out.numpy(), x.numpy(), atol=1e-6)


AFFINE_BAD = [
    lambda F, t: F.affine_grid(t, (2, 3, 4), False),
    lambda F, t: F.affine_grid(t.transpose(1, 2), (2, 3, 4, 5), False),
    lambda F, t: F.affine_grid(t, (2, 3, 4, 5, 6), False),
    lambda F, t: F.affine_grid(t.long(), (2, 3, 4, 5), False),
    lambda F, t: F.affine_grid(t, (3, 3, 4, 5), False),
]


@pytest.mark.parametrize("k", range(len(AFFINE_BAD)))
def test_affine_grid_errors_like_torch(k):
    theta = np.random.default_rng(0).standard_normal((2, 2, 3)).astype("float32")
    outcomes = []
    for lib, F in ((ember, EF), (torch, TF)):
        with pytest.raises(Exception) as info:
            AFFINE_BAD[k](F, lib.tensor(theta))
        outcomes.append((type(info.value).__name__, str(info.value).replace("ember", "torch")))
    assert outcomes[0] == outcomes[1]


def test_affine_grid_unit_size_warning():
    theta = ember.zeros(1, 2, 3)
    with pytest.warns(UserWarning, match="unit-size grids"):
        EF.affine_grid(theta, (1, 1, 1, 3), align_corners=True)


def test_grad_fn_names_follow_torch():
    names = []
    for lib in (ember, torch):
        F = lib.nn.functional
        x4, x5 = (
            lib.ones(1, 1, 2, 2, requires_grad=True),
            lib.ones(1, 1, 2, 2, 2, requires_grad=True),
        )
        theta = lib.zeros(1, 2, 3, requires_grad=True)
        names.append(
            [
                F.grid_sample(x4, lib.zeros(1, 1, 1, 2), align_corners=False).grad_fn.name(),
                F.grid_sample(x5, lib.zeros(1, 1, 1, 1, 3), align_corners=False).grad_fn.name(),
                F.affine_grid(theta, (1, 1, 2, 2), align_corners=False).grad_fn.name(),
            ]
        )
    assert names[0] == names[1]


def test_input_gradient_only_when_grid_is_constant():
    x = np.random.default_rng(3).standard_normal((1, 2, 3, 3))
    g = np.random.default_rng(4).uniform(-1, 1, (1, 2, 2, 2))
    grads = []
    for lib, F in ((ember, EF), (torch, TF)):
        tx = lib.tensor(x, requires_grad=True)
        F.grid_sample(tx, lib.tensor(g), "bicubic", "border", True).sum().backward()
        grads.append(tx.grad.numpy())
    np.testing.assert_allclose(grads[0], grads[1], atol=1e-12)
