"""The margin, triplet, embedding and likelihood losses against PyTorch: values, gradients,
every reduction (and the legacy flags), weights, modules and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember

from ._compare import torch
from ._oracle import outcome

R = np.random.default_rng(0)
X = R.standard_normal((4, 5))
X2 = R.standard_normal((4, 5))
X3 = R.standard_normal((4, 5))
CLS = np.array([0, 2, 4, 1])
MULTI = np.array([[0, 3, -1, 2, 1], [4, -1, 0, 0, 0], [1, 1, 2, -1, 3], [-1, 0, 0, 0, 0]])
BIN = R.integers(0, 2, (4, 5)).astype(float)
SIGN = np.array([1.0, -1.0, -1.0, 1.0])
W5 = R.uniform(0.5, 2.0, 5)

# (name, float inputs that get gradients, other inputs, keyword arguments)
CASES = [
    ("multilabel_soft_margin_loss", [X], [BIN], {}),
    ("multilabel_soft_margin_loss", [X], [BIN], {"weight": W5}),
    ("multilabel_soft_margin_loss", [X[0]], [BIN[0]], {}),
    ("multi_margin_loss", [X], [CLS], {}),
    ("multi_margin_loss", [X], [CLS], {"p": 2, "margin": 0.7}),
    ("multi_margin_loss", [X], [CLS], {"weight": W5}),
    ("multi_margin_loss", [X[0]], [CLS[:1]], {}),
    ("multilabel_margin_loss", [X], [MULTI], {}),
    ("multilabel_margin_loss", [X[0]], [MULTI[0]], {}),
    ("triplet_margin_loss", [X, X2, X3], [], {}),
    ("triplet_margin_loss", [X, X2, X3], [], {"margin": 0.5, "p": 1.0, "swap": True}),
    ("triplet_margin_loss", [X[0], X2[0], X3[0]], [], {"eps": 0.0, "p": 3.0}),
    ("triplet_margin_with_distance_loss", [X, X2, X3], [], {}),
    ("triplet_margin_with_distance_loss", [X, X2, X3], [], {"swap": True, "margin": 2.0}),
    ("cosine_embedding_loss", [X, X2], [SIGN], {}),
    ("cosine_embedding_loss", [X, X2], [SIGN], {"margin": 0.2}),
    ("margin_ranking_loss", [X[:, 0], X2[:, 0]], [SIGN], {"margin": 0.3}),
    ("hinge_embedding_loss", [X], [np.sign(X2)], {}),
    ("hinge_embedding_loss", [X], [np.sign(X2)], {"margin": 0.5}),
    ("poisson_nll_loss", [X], [np.abs(X2) * 3], {}),
    (
        "poisson_nll_loss",
        [np.abs(X) + 0.1],
        [np.round(np.abs(X2) * 3)],
        {"log_input": False, "full": True},
    ),
    ("gaussian_nll_loss", [X, np.abs(X3) + 0.1], [X2], {}),
    ("gaussian_nll_loss", [X, np.abs(X3[:, :1]) + 0.1], [X2], {"full": True}),
    ("gaussian_nll_loss", [X, np.abs(X3[:, 0]) + 0.1], [X2], {"eps": 0.5}),
]


def _call(lib, name, grads, others, kw, dtype, reduction):
    F = lib.nn.functional
    g = [lib.tensor(a.astype(dtype), requires_grad=True) for a in grads]
    o = [lib.tensor(a.astype(dtype) if a.dtype.kind == "f" else a) for a in others]
    kw = {k: lib.tensor(v.astype(dtype)) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    if name == "gaussian_nll_loss":  # (input, target, var)
        args = [g[0], o[0], g[1]]
    elif name.startswith("triplet") or name in ("cosine_embedding_loss", "margin_ranking_loss"):
        args = g + o
    else:
        args = g + o
    out = getattr(F, name)(*args, reduction=reduction, **kw)
    seed = np.random.default_rng(1).standard_normal(tuple(out.shape)).astype(dtype)
    (out * lib.tensor(seed)).sum().backward()
    return out.detach().numpy(), [t.grad.numpy() for t in g]


@pytest.mark.parametrize("name, grads, others, kw", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_loss_values_and_gradients_match_pytorch(name, grads, others, kw, reduction, dtype):
    e_out, e_grads = _call(ember, name, grads, others, kw, dtype, reduction)
    t_out, t_grads = _call(torch, name, grads, others, kw, dtype, reduction)
    tol = {"rtol": 1e-10, "atol": 1e-12} if dtype == np.float64 else {"rtol": 2e-5, "atol": 1e-6}
    assert e_out.shape == t_out.shape
    np.testing.assert_allclose(e_out, t_out, **tol)
    for a, b in zip(e_grads, t_grads):
        np.testing.assert_allclose(a, b, **tol)


@pytest.mark.parametrize(
    "name",
    [
        "multilabel_soft_margin_loss",
        "multi_margin_loss",
        "multilabel_margin_loss",
        "triplet_margin_loss",
    ],
)
@pytest.mark.parametrize(
    "flags", [{"size_average": False}, {"reduce": False}, {"size_average": True, "reduce": True}]
)
def test_legacy_reduction_flags_match_pytorch(name, flags):
    case = next(c for c in CASES if c[0] == name)

    def run(lib):
        F = lib.nn.functional
        args = [lib.tensor(a) for a in case[1]] + [lib.tensor(a) for a in case[2]]
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            out = getattr(F, name)(*args, **flags)
        return np.round(out.numpy(), 10).tolist(), [str(x.message) for x in w]

    assert run(ember) == run(torch)


ERRORS = [
    ("multi_margin_loss", lambda lib: (lib.tensor(X), lib.tensor(CLS)), {"p": 3}),
    (
        "multi_margin_loss",
        lambda lib: (lib.tensor(X), lib.tensor(CLS)),
        {"weight": ("ones", (2, 2))},
    ),
    ("multi_margin_loss", lambda lib: (lib.tensor(X), lib.tensor([0, 5, 1, 1])), {}),
    ("multi_margin_loss", lambda lib: (lib.tensor(X), lib.tensor([0, -1, 1, 1])), {}),
    ("multi_margin_loss", lambda lib: (lib.tensor(X), lib.tensor([0, 1])), {}),
    ("multi_margin_loss", lambda lib: (lib.tensor(X), lib.tensor(CLS.astype(float))), {}),
    ("multi_margin_loss", lambda lib: (lib.tensor(X), lib.tensor(CLS.astype(np.int32))), {}),
    ("multi_margin_loss", lambda lib: (lib.tensor(X[None]), lib.tensor(CLS)), {}),
    ("multi_margin_loss", lambda lib: (lib.tensor(X), lib.tensor(CLS)), {"weight": ("ones", (3,))}),
    ("multi_margin_loss", lambda lib: (lib.tensor(X), lib.tensor(CLS)), {"reduction": "avg"}),
    ("multilabel_margin_loss", lambda lib: (lib.tensor(X), lib.tensor(MULTI + 5)), {}),
    ("multilabel_margin_loss", lambda lib: (lib.tensor(X), lib.tensor(MULTI[:, :2])), {}),
    ("multilabel_margin_loss", lambda lib: (lib.tensor(X[None]), lib.tensor(MULTI[None])), {}),
    (
        "multilabel_soft_margin_loss",
        lambda lib: (lib.tensor(X), lib.tensor(BIN)),
        {"reduction": "avg"},
    ),
    ("multilabel_soft_margin_loss", lambda lib: (lib.tensor(X), lib.tensor(BIN[:, :3])), {}),
    ("triplet_margin_loss", lambda lib: (lib.tensor(X), lib.tensor(X2), lib.tensor(X3[0])), {}),
    (
        "triplet_margin_loss",
        lambda lib: (lib.tensor(X), lib.tensor(X2), lib.tensor(X3)),
        {"reduction": "avg"},
    ),
    (
        "triplet_margin_with_distance_loss",
        lambda lib: (lib.tensor(X), lib.tensor(X2), lib.tensor(X3)),
        {"margin": 0},
    ),
    (
        "triplet_margin_with_distance_loss",
        lambda lib: (lib.tensor(X), lib.tensor(X2), lib.tensor(X3[0])),
        {},
    ),
    ("margin_ranking_loss", lambda lib: (lib.tensor(X), lib.tensor(X2), lib.tensor(SIGN)), {}),
    (
        "gaussian_nll_loss",
        lambda lib: (lib.tensor(X), lib.tensor(X2), -lib.ones(4, 5, dtype=lib.float64)),
        {},
    ),
    (
        "gaussian_nll_loss",
        lambda lib: (lib.tensor(X), lib.tensor(X2), lib.ones(4, 2, dtype=lib.float64)),
        {},
    ),
    (
        "gaussian_nll_loss",
        lambda lib: (lib.tensor(X), lib.tensor(X2), lib.ones(4, 5, dtype=lib.float64)),
        {"reduction": "avg"},
    ),
    ("poisson_nll_loss", lambda lib: (lib.tensor(X), lib.tensor(X2)), {"reduction": "avg"}),
    (
        "cosine_embedding_loss",
        lambda lib: (lib.tensor(X[None]), lib.tensor(X2[None]), lib.ones(1)),
        {},
    ),
]


@pytest.mark.parametrize(
    "name, args, kw", ERRORS, ids=[f"{c[0]}-{i}" for i, c in enumerate(ERRORS)]
)
def test_loss_errors_match_pytorch(name, args, kw):
    def run(lib):
        k = {
            key: lib.ones(*v[1], dtype=lib.float64)
            if isinstance(v, tuple) and v[0] == "ones"
            else v
            for key, v in kw.items()
        }
        return getattr(lib.nn.functional, name)(*args(lib), **k)

    e, t = outcome(lambda: run(ember)), outcome(lambda: run(torch))
    assert e[0] == t[0]
    assert e[0] == "ok" or e[1] == t[1] or "must match the size" in t[1]


MODULES = [
    ("MultiLabelSoftMarginLoss", {"weight": W5}, [X], [BIN]),
    ("MultiMarginLoss", {"p": 2, "margin": 0.5, "weight": W5}, [X], [CLS]),
    ("MultiLabelMarginLoss", {"reduction": "sum"}, [X], [MULTI]),
    ("TripletMarginLoss", {"margin": 0.5, "swap": True}, [X, X2, X3], []),
    ("TripletMarginWithDistanceLoss", {"margin": 0.5}, [X, X2, X3], []),
    ("CosineEmbeddingLoss", {"margin": 0.1}, [X, X2], [SIGN]),
    ("MarginRankingLoss", {"margin": 0.1}, [X[:, 0], X2[:, 0]], [SIGN]),
    ("HingeEmbeddingLoss", {"margin": 2.0, "reduction": "none"}, [X], [np.sign(X2)]),
    ("PoissonNLLLoss", {"full": True}, [X], [np.abs(X2)]),
    ("GaussianNLLLoss", {"full": True, "eps": 0.01}, [X], [X2, np.abs(X3) + 0.01]),
]


@pytest.mark.parametrize("name, kw, grads, others", MODULES, ids=[c[0] for c in MODULES])
def test_loss_modules_match_pytorch(name, kw, grads, others):
    def run(lib):
        k = {key: lib.tensor(v) if isinstance(v, np.ndarray) else v for key, v in kw.items()}
        m = getattr(lib.nn, name)(**k)
        g = [lib.tensor(a, requires_grad=True) for a in grads]
        out = m(*g, *[lib.tensor(a) for a in others])
        out.sum().backward()
        return (
            repr(m),
            list(m.state_dict()),
            np.round(out.detach().numpy(), 10).tolist(),
            [np.round(t.grad.numpy(), 10).tolist() for t in g],
        )

    assert run(ember) == run(torch)


def test_loss_module_constructor_errors_match_pytorch():
    calls = [
        lambda lib: lib.nn.MultiMarginLoss(p=3),
        lambda lib: lib.nn.MultiMarginLoss(weight=lib.ones(2, 2)),
        lambda lib: lib.nn.TripletMarginLoss(margin=0),
        lambda lib: lib.nn.TripletMarginWithDistanceLoss(margin=-1.0),
    ]
    for call in calls:
        e = outcome(lambda c=call: (c(ember), ember.ones(1))[1])
        t = outcome(lambda c=call: (c(torch), torch.ones(1))[1])
        assert e[:2] == t[:2]


def test_triplet_with_custom_distance_function():
    def cosine_distance(lib):
        return lambda a, b: 1.0 - lib.nn.functional.cosine_similarity(a, b)

    res = []
    for lib in (ember, torch):
        m = lib.nn.TripletMarginWithDistanceLoss(distance_function=cosine_distance(lib), swap=True)
        a = lib.tensor(X, requires_grad=True)
        out = m(a, lib.tensor(X2), lib.tensor(X3))
        out.backward()
        res.append((out.item(), a.grad.numpy()))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-12)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-10, atol=1e-12)
