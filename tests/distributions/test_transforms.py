"""Transforms against PyTorch: values, inverses, log-dets, gradients, shapes, reprs."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions.transforms as TT

import ember
import ember.distributions.transforms as ET

from ._oracle import assert_same, to_np

R = np.random.default_rng(7)
X = R.normal(size=(2, 3))

# (name, build(T, lib), input array)
TRANSFORMS = [
    ("Exp", lambda T, lib: T.ExpTransform(), X),
    ("Sigmoid", lambda T, lib: T.SigmoidTransform(), X),
    ("Softplus", lambda T, lib: T.SoftplusTransform(), X),
    ("Tanh", lambda T, lib: T.TanhTransform(), X),
    ("Abs", lambda T, lib: T.AbsTransform(), X),
    ("Affine-number", lambda T, lib: T.AffineTransform(1.5, -2.0), X),
    (
        "Affine-tensor-event1",
        lambda T, lib: T.AffineTransform(
            lib.tensor([0.5, 1.0, -1.0]), lib.tensor([2.0, 0.5, 3.0]), 1
        ),
        X,
    ),
    ("Power", lambda T, lib: T.PowerTransform(lib.tensor(2.5, dtype=lib.float64)), np.abs(X) + 0.1),
    ("Softmax", lambda T, lib: T.SoftmaxTransform(), X),
    ("StickBreaking", lambda T, lib: T.StickBreakingTransform(), X),
    ("LowerCholesky", lambda T, lib: T.LowerCholeskyTransform(), R.normal(size=(2, 3, 3))),
    (
        "PositiveDefinite",
        lambda T, lib: T.PositiveDefiniteTransform(),
        R.normal(size=(2, 3, 3)),
    ),
    ("CorrCholesky", lambda T, lib: T.CorrCholeskyTransform(), R.normal(size=(2, 6))),
    (
        "Compose",
        lambda T, lib: T.ComposeTransform([T.AffineTransform(0.3, 2.0), T.ExpTransform()]),
        X,
    ),
    ("Inverse-Exp", lambda T, lib: T.ExpTransform().inv, np.abs(X) + 0.2),
    ("Independent", lambda T, lib: T.IndependentTransform(T.SigmoidTransform(), 1), X),
    ("Reshape", lambda T, lib: T.ReshapeTransform((2, 3), (3, 2)), X),
    (
        "Cat",
        lambda T, lib: T.CatTransform(
            [T.ExpTransform(), T.SigmoidTransform()], dim=1, lengths=[1, 2]
        ),
        X,
    ),
    (
        "Stack",
        lambda T, lib: T.StackTransform(
            [T.ExpTransform(), T.TanhTransform(), T.AffineTransform(1.0, 3.0)], dim=1
        ),
        X,
    ),
]
LIBS = {"ember": (ember, ET), "torch": (torch, TT)}


def _compare(build, x, fn, grads=True):
    out = {}
    for name, (lib, T) in LIBS.items():
        xt = lib.tensor(x, dtype=lib.float64).requires_grad_(grads)
        try:
            t = build(T, lib)
            value = fn(t, xt)
        except Exception as e:  # noqa: BLE001 - compared across libraries
            out[name] = e
            continue
        g = {}
        if grads and isinstance(value, (ember.Tensor, torch.Tensor)) and value.requires_grad:
            w = lib.tensor(np.linspace(0.5, 1.5, value.numel()).reshape(value.shape))
            (gx,) = lib.autograd.grad((value * w).sum(), [xt])
            g = {"x": to_np(gx)}
        out[name] = (to_np(value) if not isinstance(value, tuple) else value, g)
    return out


@pytest.mark.parametrize("name,build,x", TRANSFORMS, ids=[t[0] for t in TRANSFORMS])
def test_forward_inverse_logdet(name, build, x):
    """y = t(x), t.inv(y), log_abs_det_jacobian(x, y) and their gradients."""
    assert_same(_compare(build, x, lambda t, xt: t(xt)), what=f"{name} forward")
    assert_same(_compare(build, x, lambda t, xt: t.inv(t(xt))), what=f"{name} inverse")
    assert_same(
        _compare(build, x, lambda t, xt: t.log_abs_det_jacobian(xt, t(xt))),
        what=f"{name} log_abs_det_jacobian",
    )


@pytest.mark.parametrize("name,build,x", TRANSFORMS, ids=[t[0] for t in TRANSFORMS])
def test_metadata(name, build, x):
    """domain, codomain, bijective, sign, shapes and repr as PyTorch's."""

    def meta(t, xt):
        def attempt(f):
            try:
                v = f()
            except Exception as e:  # noqa: BLE001
                return type(e).__name__
            return to_np(v).tolist() if isinstance(v, (ember.Tensor, torch.Tensor)) else v

        return (
            repr(t),
            attempt(lambda: repr(t.domain)),
            attempt(lambda: repr(t.codomain)),
            attempt(lambda: (t.domain.event_dim, t.codomain.event_dim)),
            attempt(lambda: t.bijective),
            attempt(lambda: t.sign),
            attempt(lambda: t.event_dim),
            attempt(lambda: tuple(t.forward_shape(xt.shape))),
            attempt(lambda: tuple(t.inverse_shape(t(xt).shape))),
            attempt(lambda: t == build(*_modules_of(xt))),
        )

    assert_same(_compare(build, x, meta, grads=False), what=name)


def _modules_of(xt):
    return (ET, ember) if isinstance(xt, ember.Tensor) else (TT, torch)


def test_cache_and_inverse_identity():
    """With cache_size=1 the inverse of an output is the very input; cache_size 2 raises."""
    t = ET.ExpTransform(cache_size=1)
    x = ember.tensor([0.5, -1.0])
    y = t(x)
    assert t.inv(y) is x
    assert t(x) is y
    assert ET.ExpTransform().inv.inv.__class__ is ET.ExpTransform
    assert ET.ExpTransform().with_cache(1)._cache_size == 1
    with pytest.raises(ValueError, match="cache_size must be 0 or 1"):
        ET.ExpTransform(cache_size=2)

    first_inv = ET.ExpTransform(cache_size=1)
    y = ember.tensor([1.5, 2.0])
    x = first_inv.inv(y)
    assert first_inv(x) is y and first_inv.inv(y) is x
    uncached = ET.ExpTransform()
    assert uncached(x) is not uncached(x)

    class Scaled(ET.Transform):
        def __init__(self, factor, cache_size=0):
            super().__init__(cache_size=cache_size)
            self.factor = factor

    with pytest.raises(NotImplementedError, match="with_cache is not implemented"):
        Scaled(2.0).with_cache(1)


def test_equality():
    """Transforms compare by kind and parameters, as PyTorch's do."""
    assert ET.ExpTransform() == ET.ExpTransform()
    assert ET.ExpTransform().inv == ET.ExpTransform().inv
    assert ET.AffineTransform(1.0, 2.0) == ET.AffineTransform(1.0, 2.0)
    assert ET.AffineTransform(1.0, 2.0) != ET.AffineTransform(1.0, 3.0)
    assert ET.ComposeTransform([ET.ExpTransform()]) == ET.ComposeTransform([ET.ExpTransform()])
    assert ET.identity_transform == ET.ComposeTransform([])
