"""Boundary parameters and the smaller API (enumerate_support, perplexity, sample_n, ...)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

from ._oracle import assert_same, run

INF = float("inf")

# (name, make(D, params, lib), params, fn(dist, lib))
EDGES = [
    (
        "bernoulli-probs-0-1",
        lambda D, p, lib: D.Bernoulli(probs=p["probs"]),
        {"probs": np.array([0.0, 1.0, 0.5])},
        lambda d, lib: d.log_prob(lib.tensor([0.0, 1.0, 1.0], dtype=lib.float64)),
    ),
    (
        "bernoulli-entropy-0-1",
        lambda D, p, lib: D.Bernoulli(probs=p["probs"]),
        {"probs": np.array([0.0, 1.0, 0.5])},
        lambda d, lib: d.entropy(),
    ),
    (
        "categorical-zero-prob",
        lambda D, p, lib: D.Categorical(probs=p["probs"]),
        {"probs": np.array([[0.0, 0.3, 0.7], [0.5, 0.5, 0.0]])},
        lambda d, lib: d.entropy(),
    ),
    (
        "categorical-zero-prob-logprob",
        lambda D, p, lib: D.Categorical(probs=p["probs"]),
        {"probs": np.array([[0.0, 0.3, 0.7], [0.5, 0.5, 0.0]])},
        lambda d, lib: d.log_prob(lib.tensor([0, 2])),
    ),
    (
        "categorical-neg-inf-logits",
        lambda D, p, lib: D.Categorical(logits=p["logits"] + lib.tensor([-INF, 0.0, 0.0])),
        {"logits": np.array([0.3, -1.0, 2.0])},
        lambda d, lib: d.entropy(),
    ),
    (
        "geometric-probs-1",
        lambda D, p, lib: D.Geometric(probs=p["probs"]),
        {"probs": np.array([1.0, 0.5])},
        lambda d, lib: d.log_prob(lib.tensor([0.0, 3.0], dtype=lib.float64)),
    ),
    (
        "poisson-rate-0",
        lambda D, p, lib: D.Poisson(p["rate"]),
        {"rate": np.array([0.0, 2.0])},
        lambda d, lib: d.log_prob(lib.tensor([0.0, 0.0], dtype=lib.float64)),
    ),
    (
        "binomial-probs-0-1",
        lambda D, p, lib: D.Binomial(4, probs=p["probs"]),
        {"probs": np.array([0.0, 1.0, 0.3])},
        lambda d, lib: d.log_prob(lib.tensor([0.0, 4.0, 2.0], dtype=lib.float64)),
    ),
    (
        "binomial-entropy",
        lambda D, p, lib: D.Binomial(7, logits=p["logits"]),
        {"logits": np.array([-1.0, 0.0, 2.5])},
        lambda d, lib: d.entropy(),
    ),
    (
        "multinomial-neg-inf",
        lambda D, p, lib: D.Multinomial(3, logits=p["logits"] + lib.tensor([-INF, 0.0, 0.0])),
        {"logits": np.array([0.3, -1.0, 2.0])},
        lambda d, lib: d.log_prob(lib.tensor([0.0, 1.0, 2.0], dtype=lib.float64)),
    ),
    (
        "uniform-outside",
        lambda D, p, lib: D.Uniform(p["low"], p["high"], validate_args=False),
        {"low": np.array([0.0, 1.0]), "high": np.array([1.0, 2.0])},
        lambda d, lib: d.log_prob(lib.tensor([1.5, 1.0], dtype=lib.float64)),
    ),
    (
        "gamma-value-0",
        lambda D, p, lib: D.Gamma(p["a"], p["rate"]),
        {"a": np.array([1.0, 2.0, 0.5]), "rate": np.array([1.0, 1.0, 1.0])},
        lambda d, lib: d.log_prob(lib.tensor([0.0, 0.0, 0.0], dtype=lib.float64)),
    ),
    (
        "dirichlet-vertex",
        lambda D, p, lib: D.Dirichlet(p["c"]),
        {"c": np.array([1.0, 2.0, 3.0])},
        lambda d, lib: d.log_prob(lib.tensor([0.0, 0.5, 0.5], dtype=lib.float64)),
    ),
    (
        "studentt-variance",
        lambda D, p, lib: D.StudentT(p["df"]),
        {"df": np.array([0.5, 1.0, 1.5, 2.0, 3.0])},
        lambda d, lib: d.variance,
    ),
    (
        "normal-perplexity",
        lambda D, p, lib: D.Normal(p["loc"], p["scale"]),
        {"loc": np.array([0.0, 1.0]), "scale": np.array([0.5, 2.0])},
        lambda d, lib: d.perplexity(),
    ),
    (
        "bernoulli-enumerate",
        lambda D, p, lib: D.Bernoulli(p["probs"]),
        {"probs": np.array([[0.2, 0.5, 0.7]])},
        lambda d, lib: d.log_prob(d.enumerate_support()),
    ),
    (
        "categorical-enumerate-noexpand",
        lambda D, p, lib: D.Categorical(p["probs"]),
        {"probs": np.array([[0.2, 0.8], [0.6, 0.4]])},
        lambda d, lib: d.log_prob(d.enumerate_support(expand=False)),
    ),
    (
        "onehot-enumerate",
        lambda D, p, lib: D.OneHotCategorical(p["probs"]),
        {"probs": np.array([[0.2, 0.5, 0.3]])},
        lambda d, lib: d.log_prob(d.enumerate_support()),
    ),
    (
        "binomial-enumerate",
        lambda D, p, lib: D.Binomial(3, p["probs"]),
        {"probs": np.array([0.2, 0.9])},
        lambda d, lib: d.log_prob(d.enumerate_support()),
    ),
    (
        "independent-enumerate",
        lambda D, p, lib: D.Independent(D.Bernoulli(p["probs"]), 0),
        {"probs": np.array([0.2, 0.9])},
        lambda d, lib: d.enumerate_support().double(),
    ),
    (
        "transformed-entropy",
        lambda D, p, lib: D.TransformedDistribution(D.Normal(p["loc"], 1.0), [D.ExpTransform()]),
        {"loc": np.array([0.0])},
        lambda d, lib: d.entropy(),
    ),
    (
        "mixture-batch-mean",
        lambda D, p, lib: D.MixtureSameFamily(
            D.Categorical(p["probs"]), D.Normal(p["loc"], p["scale"])
        ),
        {
            "probs": np.array([0.3, 0.7]),
            "loc": np.array([[0.0, 1.0], [2.0, -1.0]]),
            "scale": np.array([[1.0, 0.5], [0.3, 2.0]]),
        },
        lambda d, lib: d.variance,
    ),
]


@pytest.mark.parametrize("name,make,params,fn", EDGES, ids=[e[0] for e in EDGES])
def test_edge(name, make, params, fn):
    """Boundary values as PyTorch computes them (infinities, zeros, NaNs), with gradients."""
    assert_same(run(make, params, fn), what=name)


def test_sample_n_warns_and_samples():
    """sample_n(n) is sample((n,)) with PyTorch's FutureWarning."""
    d = ED.Normal(ember.zeros(2), ember.ones(2))
    with pytest.warns(FutureWarning, match="`sample_n\\(n\\)` will be deprecated"):
        x = d.sample_n(3)
    assert tuple(x.shape) == (3, 2)


def test_straight_through_gradient():
    """OneHotCategoricalStraightThrough.rsample: one-hot values, gradient through probs."""
    ember.manual_seed(0)
    probs = ember.tensor([0.2, 0.3, 0.5], dtype=ember.float64, requires_grad=True)
    d = ED.OneHotCategoricalStraightThrough(probs=probs)
    x = d.rsample((4,))
    assert sorted(x.detach().sum(-1).numpy().tolist()) == [1.0] * 4
    (g,) = ember.autograd.grad((x * ember.tensor([1.0, 2.0, 3.0])).sum(), [probs])
    t = torch.tensor([0.2, 0.3, 0.5], dtype=torch.float64, requires_grad=True)
    xt = TD.OneHotCategoricalStraightThrough(probs=t).rsample((4,))
    (gt,) = torch.autograd.grad((xt * torch.tensor([1.0, 2.0, 3.0])).sum(), [t])
    np.testing.assert_allclose(g.numpy(), gt.numpy(), rtol=1e-12)


def test_lazy_parameters_and_repr():
    """probs/logits are computed on demand and cached; reprs then list both, as PyTorch's."""
    for lib, D in ((ember, ED), (torch, TD)):
        d = D.Categorical(logits=lib.tensor([[1.0, 2.0], [0.0, 0.0]]))
        before = repr(d)
        _ = d.probs
        after = repr(d)
        if lib is ember:
            mine = (before, after)
        else:
            assert mine == (before, after)
    assert "probs" in ED.Categorical.__dict__ and isinstance(
        ED.Categorical.__dict__["probs"], ED.utils.lazy_property
    )
