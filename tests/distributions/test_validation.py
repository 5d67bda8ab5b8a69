"""Argument and sample validation: PyTorch's exception types and messages, word for word."""

from __future__ import annotations

import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

LIBS = {"ember": (ember, ED), "torch": (torch, TD)}


def T(lib, x, **kw):
    return lib.tensor(x, **kw)


# (name, call(D, lib)) -- each raises in PyTorch
BAD = [
    ("normal-scale-0d", lambda D, lib: D.Normal(0.0, -1.0)),
    ("normal-scale-vec", lambda D, lib: D.Normal(lib.zeros(2), -lib.ones(2))),
    ("normal-loc-nan", lambda D, lib: D.Normal(T(lib, [0.0, float("nan")]), 1.0)),
    ("categorical-probs", lambda D, lib: D.Categorical(probs=T(lib, [-0.1, 1.1]))),
    ("categorical-both", lambda D, lib: D.Categorical(probs=lib.ones(2), logits=lib.ones(2))),
    ("categorical-neither", lambda D, lib: D.Categorical()),
    ("categorical-0d", lambda D, lib: D.Categorical(probs=T(lib, 1.0))),
    ("categorical-logits-0d", lambda D, lib: D.Categorical(logits=T(lib, 1.0))),
    ("bernoulli-probs", lambda D, lib: D.Bernoulli(probs=T(lib, [0.5, 1.5]))),
    ("uniform-order", lambda D, lib: D.Uniform(T(lib, [0.0, 2.0]), T(lib, [1.0, 1.0]))),
    ("exponential-rate", lambda D, lib: D.Exponential(T(lib, [0.0, 1.0]))),
    ("laplace-scale", lambda D, lib: D.Laplace(0.0, 0.0)),
    ("geometric-zero", lambda D, lib: D.Geometric(probs=T(lib, [0.0, 0.5]))),
    ("geometric-above-one", lambda D, lib: D.Geometric(probs=T(lib, [1.5]))),
    ("poisson-negative", lambda D, lib: D.Poisson(T(lib, [-1.0]))),
    ("binomial-count", lambda D, lib: D.Binomial(T(lib, [2.5]), T(lib, [0.5]))),
    ("multinomial-count", lambda D, lib: D.Multinomial(T(lib, 3), probs=lib.ones(3))),
    ("gamma-concentration", lambda D, lib: D.Gamma(T(lib, [-1.0]), T(lib, [1.0]))),
    ("beta-concentration", lambda D, lib: D.Beta(T(lib, [1.0]), T(lib, [0.0]))),
    ("dirichlet-negative", lambda D, lib: D.Dirichlet(T(lib, [1.0, -1.0]))),
    ("dirichlet-0d", lambda D, lib: D.Dirichlet(T(lib, 1.0))),
    ("studentt-df", lambda D, lib: D.StudentT(T(lib, [-2.0]))),
    (
        "mvn-not-pd",
        lambda D, lib: D.MultivariateNormal(lib.zeros(2), T(lib, [[1.0, 2.0], [2.0, 1.0]])),
    ),
    ("mvn-not-tril", lambda D, lib: D.MultivariateNormal(lib.zeros(2), scale_tril=lib.ones(2, 2))),
    (
        "mvn-two",
        lambda D, lib: D.MultivariateNormal(lib.zeros(2), lib.eye(2), scale_tril=lib.eye(2)),
    ),
    ("mvn-loc-0d", lambda D, lib: D.MultivariateNormal(T(lib, 0.0), lib.eye(2))),
    (
        "mvn-matrix-1d",
        lambda D, lib: D.MultivariateNormal(lib.zeros(2), precision_matrix=lib.ones(2)),
    ),
    (
        "lowrank-factor",
        lambda D, lib: D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(2, 1), lib.ones(3)),
    ),
    (
        "lowrank-diag",
        lambda D, lib: D.LowRankMultivariateNormal(lib.zeros(3), lib.ones(3, 1), lib.ones(2)),
    ),
    (
        "lowrank-batch",
        lambda D, lib: D.LowRankMultivariateNormal(lib.zeros(2, 3), lib.ones(4, 3, 1), lib.ones(3)),
    ),
    ("independent-ndims", lambda D, lib: D.Independent(D.Normal(lib.zeros(2), 1.0), 2)),
    (
        "transformed-not-transform",
        lambda D, lib: D.TransformedDistribution(D.Normal(0.0, 1.0), [3]),
    ),
    ("transformed-bad-type", lambda D, lib: D.TransformedDistribution(D.Normal(0.0, 1.0), 3)),
    (
        "mixture-not-categorical",
        lambda D, lib: D.MixtureSameFamily(D.Normal(0.0, 1.0), D.Normal(0.0, 1.0)),
    ),
    (
        "mixture-count",
        lambda D, lib: D.MixtureSameFamily(D.Categorical(lib.ones(3)), D.Normal(lib.zeros(2), 1.0)),
    ),
    ("broadcast-string", lambda D, lib: D.Normal("a", 1.0)),
    ("relaxed-probs", lambda D, lib: D.RelaxedBernoulli(T(lib, 0.5), probs=T(lib, [2.0]))),
    # values outside the support or of the wrong shape
    ("value-not-tensor", lambda D, lib: D.Normal(0.0, 1.0).log_prob(0.5)),
    (
        "value-event-shape",
        lambda D, lib: D.MultivariateNormal(lib.zeros(3), lib.eye(3)).log_prob(lib.zeros(4)),
    ),
    ("value-batch-shape", lambda D, lib: D.Normal(lib.zeros(2), 1.0).log_prob(lib.zeros(3))),
    ("bernoulli-value", lambda D, lib: D.Bernoulli(0.3).log_prob(T(lib, [0.5]))),
    ("categorical-value", lambda D, lib: D.Categorical(lib.ones(3)).log_prob(T(lib, [3]))),
    ("uniform-value", lambda D, lib: D.Uniform(0.0, 1.0).log_prob(T(lib, [1.5]))),
    ("beta-value", lambda D, lib: D.Beta(1.0, 2.0).log_prob(T(lib, [1.5]))),
    ("dirichlet-value", lambda D, lib: D.Dirichlet(lib.ones(3)).log_prob(T(lib, [0.5, 0.2, 0.2]))),
    ("poisson-value", lambda D, lib: D.Poisson(2.0).log_prob(T(lib, [1.5]))),
    ("exponential-value", lambda D, lib: D.Exponential(2.0).log_prob(T(lib, [-1.0]))),
    ("exponential-cdf", lambda D, lib: D.Exponential(2.0).cdf(T(lib, [-1.0]))),
    ("binomial-value", lambda D, lib: D.Binomial(3, T(lib, [0.5])).log_prob(T(lib, [4.0]))),
    (
        "multinomial-value",
        lambda D, lib: D.Multinomial(3, lib.ones(2)).log_prob(T(lib, [3.0, 1.0])),
    ),
    (
        "onehot-value",
        lambda D, lib: D.OneHotCategorical(lib.ones(3)).log_prob(T(lib, [1.0, 1.0, 0.0])),
    ),
    ("lognormal-value", lambda D, lib: D.LogNormal(0.0, 1.0).log_prob(T(lib, [-1.0]))),
    ("gumbel-cdf-value", lambda D, lib: D.Gumbel(0.0, 1.0).cdf(T(lib, [float("nan")]))),
    (
        "mixture-value",
        lambda D, lib: D.MixtureSameFamily(
            D.Categorical(lib.ones(2)), D.Gamma(lib.ones(2), 1.0)
        ).log_prob(T(lib, [-1.0])),
    ),
    (
        "binomial-entropy-mixed",
        lambda D, lib: D.Binomial(T(lib, [2.0, 3.0]), T(lib, [0.5, 0.5])).entropy(),
    ),
    (
        "independent-enumerate",
        lambda D, lib: D.Independent(D.Bernoulli(lib.ones(2) / 2), 1).enumerate_support(),
    ),
    ("default-validate-bad", lambda D, lib: D.Distribution.set_default_validate_args("yes")),
]


@pytest.mark.parametrize("name,call", BAD, ids=[b[0] for b in BAD])
def test_same_error_as_pytorch(name, call):
    """Ember raises PyTorch's exception type with PyTorch's message."""
    errors = {}
    for key, (lib, D) in LIBS.items():
        with pytest.raises(Exception) as info:
            call(D, lib)
        errors[key] = info.value
    e, t = errors["ember"], errors["torch"]
    assert type(e).__name__ == type(t).__name__, (e, t)
    if name not in ("mvn-not-pd",):  # Cholesky's own message is checked separately
        assert str(e) == str(t)


def test_non_positive_definite_covariance_message():
    """A covariance that does not factor is reported by the positive-definite constraint."""
    with pytest.raises(ValueError, match=r"to satisfy the constraint PositiveDefinite\(\)"):
        ED.MultivariateNormal(ember.zeros(2), ember.tensor([[1.0, 2.0], [2.0, 1.0]]))
    with pytest.raises(RuntimeError, match="leading minor of order 2 is not positive-definite"):
        ED.MultivariateNormal(
            ember.zeros(2), ember.tensor([[1.0, 2.0], [2.0, 1.0]]), validate_args=False
        )


def test_validate_args_switches():
    """validate_args=False skips checks; set_default_validate_args changes the default."""
    d = ED.Normal(0.0, -1.0, validate_args=False)
    assert not d._validate_args
    lp = d.log_prob(ember.tensor(0.0))
    assert bool(lp != lp)  # log of a negative scale: NaN, computed without complaint
    ED.Distribution.set_default_validate_args(False)
    try:
        ED.Normal(0.0, -1.0)
        assert ED.Bernoulli(0.3).log_prob(ember.tensor(0.5)).shape == ()
    finally:
        ED.Distribution.set_default_validate_args(True)
    with pytest.raises(ValueError):
        ED.Normal(0.0, -1.0)
    with pytest.raises(ValueError):
        ED.Normal(0.0, 1.0, validate_args=True).log_prob(ember.tensor(float("nan")))
    # expand keeps the instance's setting and skips re-checking
    e = ED.Normal(ember.zeros(2), 1.0, validate_args=False).expand((3, 2))
    assert not e._validate_args and tuple(e.batch_shape) == (3, 2)


def test_missing_constraints_warn_as_pytorch():
    """A subclass without arg_constraints / support warns with PyTorch's text and goes on."""
    messages = []
    for D in (ED, TD):

        class Bare(D.Distribution):
            def __init__(self):
                super().__init__(validate_args=True)

        with pytest.warns(UserWarning) as rec:
            d = Bare()
            d._validate_sample(ember.zeros(1) if D is ED else torch.zeros(1))
        messages.append([str(w.message).split("'")[::2] for w in rec])
    assert messages[0] == messages[1]


def test_generic_exponential_family_entropy():
    """ExponentialFamily.entropy (Bregman divergence by autograd) equals PyTorch's."""
    out = []
    for lib, D in ((ember, ED), (torch, TD)):
        for fam, args in (
            ("Normal", ([0.3, -1.0], [1.0, 0.5])),
            ("Gamma", ([0.7, 3.0], [2.0, 1.0])),
        ):
            params = [lib.tensor(a, dtype=lib.float64) for a in args]
            out.append(D.ExponentialFamily.entropy(getattr(D, fam)(*params)).detach().numpy())
    assert abs(out[0] - out[2]).max() < 1e-12 and abs(out[1] - out[3]).max() < 1e-12
    # and it is the closed form each family overrides it with
    assert (
        abs(
            out[0]
            - ED.Normal(ember.tensor([0.3, -1.0]), ember.tensor([1.0, 0.5])).entropy().numpy()
        ).max()
        < 1e-6
    )
