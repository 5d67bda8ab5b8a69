"""Parameter sets and values for each distribution, shared by the comparison tests."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

R = np.random.default_rng(1234)


def pos(*shape, low=0.5, high=2.5):
    """Positive parameters."""
    return R.uniform(low, high, shape)


def real(*shape):
    """Real parameters."""
    return R.normal(size=shape)


def probs(*shape):
    """Probabilities in (0.1, 0.9)."""
    return R.uniform(0.1, 0.9, shape)


def simplex(*shape):
    """Rows on the simplex."""
    p = R.uniform(0.2, 1.0, shape)
    return p / p.sum(-1, keepdims=True)


@dataclass
class Case:
    """One distribution under test: how to build it, its parameters, values to score."""

    name: str
    make: object  # make(D, params, lib) -> distribution
    params: dict
    value: np.ndarray | None = None
    cdf: bool = False
    icdf: bool = False
    tol: float = 1e-9
    extra: dict = field(default_factory=dict)

    def __str__(self):
        return self.name


CASES = [
    Case(
        "Normal",
        lambda D, p, lib: D.Normal(p["loc"], p["scale"]),
        {"loc": real(2, 3), "scale": pos(2, 3)},
        value=real(4, 2, 3),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Normal-scalar",
        lambda D, p, lib: D.Normal(0.5, 2.0),
        {},
        value=real(3),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Categorical-probs",
        lambda D, p, lib: D.Categorical(probs=p["probs"]),
        {"probs": simplex(2, 4)},
        value=np.array([[0, 3], [1, 2], [3, 3]]),
    ),
    Case(
        "Categorical-logits",
        lambda D, p, lib: D.Categorical(logits=p["logits"]),
        {"logits": real(3, 5)},
        value=np.array([0, 4, 2]),
    ),
    Case(
        "Bernoulli-probs",
        lambda D, p, lib: D.Bernoulli(probs=p["probs"]),
        {"probs": probs(3)},
        value=np.array([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]]),
    ),
    Case(
        "Bernoulli-logits",
        lambda D, p, lib: D.Bernoulli(logits=p["logits"]),
        {"logits": real(2, 3)},
        value=np.array([0.0, 1.0, 1.0]),
    ),
    Case(
        "Uniform",
        lambda D, p, lib: D.Uniform(p["low"], p["low"] + p["width"]),
        {"low": real(3), "width": pos(3)},
        value=np.array([[-0.2, 0.1, 0.4], [5.0, -5.0, 0.0]]),
        cdf=True,
        icdf=True,
    ),
    Case(
        "OneHotCategorical",
        lambda D, p, lib: D.OneHotCategorical(probs=p["probs"]),
        {"probs": simplex(2, 3)},
        value=np.eye(3)[[[0, 2], [1, 1]]],
    ),
    Case(
        "Exponential",
        lambda D, p, lib: D.Exponential(p["rate"]),
        {"rate": pos(2, 3)},
        value=pos(2, 3, low=0.0, high=3.0),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Laplace",
        lambda D, p, lib: D.Laplace(p["loc"], p["scale"]),
        {"loc": real(3), "scale": pos(3)},
        value=real(2, 3),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Cauchy",
        lambda D, p, lib: D.Cauchy(p["loc"], p["scale"]),
        {"loc": real(3), "scale": pos(3)},
        value=real(2, 3),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Geometric-probs",
        lambda D, p, lib: D.Geometric(probs=p["probs"]),
        {"probs": probs(3)},
        value=np.array([[0.0, 2.0, 5.0], [1.0, 0.0, 7.0]]),
    ),
    Case(
        "Geometric-logits",
        lambda D, p, lib: D.Geometric(logits=p["logits"]),
        {"logits": real(3)},
        value=np.array([0.0, 2.0, 5.0]),
    ),
    Case(
        "Poisson",
        lambda D, p, lib: D.Poisson(p["rate"]),
        {"rate": pos(3, low=0.5, high=6.0)},
        value=np.array([[0.0, 2.0, 5.0], [1.0, 0.0, 9.0]]),
    ),
]

CASES += [
    Case(
        "Gumbel",
        lambda D, p, lib: D.Gumbel(p["loc"], p["scale"]),
        {"loc": real(3), "scale": pos(3)},
        value=real(2, 3),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Gumbel-scalar",
        lambda D, p, lib: D.Gumbel(0.3, 1.7),
        {},
        value=real(4),
        cdf=True,
        icdf=True,
    ),
    Case(
        "LogNormal",
        lambda D, p, lib: D.LogNormal(p["loc"], p["scale"]),
        {"loc": real(2, 3), "scale": pos(2, 3)},
        value=pos(2, 3, low=0.1, high=4.0),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Independent-Normal",
        lambda D, p, lib: D.Independent(D.Normal(p["loc"], p["scale"]), 1),
        {"loc": real(2, 3), "scale": pos(2, 3)},
        value=real(4, 2, 3),
    ),
    Case(
        "Transformed-affine-sigmoid",
        lambda D, p, lib: D.TransformedDistribution(
            D.Normal(p["loc"], p["scale"]),
            [D.AffineTransform(p["shift"], p["mult"]), D.SigmoidTransform()],
        ),
        {"loc": real(3), "scale": pos(3), "shift": real(3), "mult": pos(3)},
        value=probs(2, 3),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Transformed-tanh-negaffine",
        lambda D, p, lib: D.TransformedDistribution(
            D.Laplace(p["loc"], p["scale"]),
            [D.TanhTransform(), D.AffineTransform(0.5, -2.0)],
        ),
        {"loc": real(3), "scale": pos(3)},
        value=R.uniform(-1.4, 2.4, (2, 3)),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Transformed-stickbreaking",
        lambda D, p, lib: D.TransformedDistribution(
            D.Normal(p["loc"], p["scale"]), D.StickBreakingTransform()
        ),
        {"loc": real(2, 3), "scale": pos(2, 3)},
        value=simplex(2, 4),
    ),
    Case(
        "Transformed-exp-power-softplus",
        lambda D, p, lib: D.TransformedDistribution(
            D.Normal(p["loc"], p["scale"]),
            D.ComposeTransform([D.SoftplusTransform(), D.PowerTransform(p["power"])]),
        ),
        {"loc": real(3), "scale": pos(3), "power": pos(3)},
        value=pos(2, 3),
    ),
]

CASES += [
    Case(
        "Binomial-probs",
        lambda D, p, lib: D.Binomial(p["n"], probs=p["probs"]),
        {"n": np.array([5.0, 10.0, 3.0]), "probs": probs(3)},
        value=np.array([[0.0, 4.0, 3.0], [5.0, 10.0, 1.0]]),
    ),
    Case(
        "Binomial-logits-int",
        lambda D, p, lib: D.Binomial(6, logits=p["logits"]),
        {"logits": real(2, 3)},
        value=np.array([0.0, 3.0, 6.0]),
    ),
    Case(
        "Multinomial-probs",
        lambda D, p, lib: D.Multinomial(5, probs=p["probs"]),
        {"probs": simplex(2, 3)},
        value=np.array([[1.0, 2.0, 2.0], [0.0, 0.0, 5.0]]),
    ),
    Case(
        "Multinomial-logits",
        lambda D, p, lib: D.Multinomial(4, logits=p["logits"]),
        {"logits": real(3)},
        value=np.array([[1.0, 2.0, 1.0], [4.0, 0.0, 0.0]]),
    ),
    Case(
        "Gamma",
        lambda D, p, lib: D.Gamma(p["concentration"], p["rate"]),
        {"concentration": pos(2, 3, low=0.3, high=4.0), "rate": pos(2, 3)},
        value=pos(2, 3, low=0.05, high=3.0),
    ),
    Case(
        "Gamma-cdf",
        lambda D, p, lib: D.Gamma(lib.tensor([0.4, 1.0, 3.5], dtype=lib.float64), p["rate"]),
        {"rate": pos(3)},
        value=pos(2, 3, low=0.05, high=3.0),
        cdf=True,
    ),
    Case(
        "Gamma-cdf-concentration-grad",
        lambda D, p, lib: D.Gamma(p["concentration"], 2.0),
        {"concentration": pos(3)},
        value=pos(2, 3, low=0.05, high=3.0),
        cdf=True,
    ),
    Case(
        "Chi2",
        lambda D, p, lib: D.Chi2(p["df"]),
        {"df": pos(3, low=0.5, high=6.0)},
        value=pos(2, 3, low=0.05, high=3.0),
    ),
    Case(
        "Beta",
        lambda D, p, lib: D.Beta(p["c1"], p["c0"]),
        {"c1": pos(2, 3, low=0.4, high=4.0), "c0": pos(2, 3, low=0.4, high=4.0)},
        value=probs(2, 3),
    ),
    Case(
        "Beta-scalar",
        lambda D, p, lib: D.Beta(2.0, 0.5),
        {},
        value=probs(3),
    ),
    Case(
        "Dirichlet",
        lambda D, p, lib: D.Dirichlet(p["concentration"]),
        {"concentration": pos(2, 4, low=0.3, high=3.0)},
        value=simplex(3, 2, 4),
    ),
    Case(
        "Dirichlet-small",
        lambda D, p, lib: D.Dirichlet(p["concentration"]),
        {"concentration": np.array([[0.5, 0.3, 0.9], [2.0, 0.5, 3.0]])},
        value=simplex(2, 3),
    ),
    Case(
        "StudentT",
        lambda D, p, lib: D.StudentT(p["df"], p["loc"], p["scale"]),
        {"df": np.array([0.8, 1.5, 2.5, 6.0]), "loc": real(4), "scale": pos(4)},
        value=real(2, 4),
    ),
    Case(
        "StudentT-numbers",
        lambda D, p, lib: D.StudentT(3.0),
        {},
        value=real(3),
    ),
]


def _spd(lib, a):
    """A positive-definite matrix (batch) built from ``a`` with lib ops (gradients flow)."""
    n = a.shape[-1]
    return a @ a.mT + lib.eye(n, dtype=a.dtype)


def _tril(lib, a):
    """A lower-Cholesky matrix built from ``a`` (positive diagonal)."""
    return a.tril(-1) + lib.diag_embed(a.diagonal(dim1=-2, dim2=-1).exp())


MVN_PROPS = ["covariance_matrix", "precision_matrix", "scale_tril"]

CASES += [
    Case(
        "MVN-scale_tril",
        lambda D, p, lib: D.MultivariateNormal(p["loc"], scale_tril=_tril(lib, p["a"])),
        {"loc": real(2, 3), "a": real(3, 3)},
        value=real(4, 2, 3),
        extra={"props": MVN_PROPS},
    ),
    Case(
        "MVN-covariance",
        lambda D, p, lib: D.MultivariateNormal(p["loc"], covariance_matrix=_spd(lib, p["a"])),
        {"loc": real(3), "a": real(2, 3, 3)},
        value=real(4, 1, 3),
        extra={"props": MVN_PROPS},
    ),
    Case(
        "MVN-precision",
        lambda D, p, lib: D.MultivariateNormal(p["loc"], precision_matrix=_spd(lib, p["a"])),
        {"loc": real(2, 4), "a": real(2, 4, 4)},
        value=real(2, 4),
        extra={"props": MVN_PROPS},
    ),
    Case(
        "LowRankMVN",
        lambda D, p, lib: D.LowRankMultivariateNormal(p["loc"], p["w"], p["d"]),
        {"loc": real(2, 4), "w": real(4, 2), "d": pos(2, 4)},
        value=real(3, 2, 4),
        extra={"props": MVN_PROPS},
    ),
    Case(
        "RelaxedBernoulli",
        lambda D, p, lib: D.RelaxedBernoulli(p["t"], probs=p["probs"]),
        {"t": np.array(0.7), "probs": probs(3)},
        value=probs(2, 3),
    ),
    Case(
        "RelaxedBernoulli-logits",
        lambda D, p, lib: D.RelaxedBernoulli(p["t"], logits=p["logits"]),
        {"t": pos(3), "logits": real(3)},
        value=probs(3),
    ),
    Case(
        "LogitRelaxedBernoulli",
        lambda D, p, lib: D.relaxed_bernoulli.LogitRelaxedBernoulli(p["t"], logits=p["logits"]),
        {"t": np.array(1.3), "logits": real(2, 3)},
        value=real(2, 3),
    ),
    Case(
        "RelaxedOneHotCategorical",
        lambda D, p, lib: D.RelaxedOneHotCategorical(p["t"], probs=p["probs"]),
        {"t": np.array(0.5), "probs": simplex(2, 3)},
        value=simplex(2, 3),
    ),
    Case(
        "ExpRelaxedCategorical",
        lambda D, p, lib: D.relaxed_categorical.ExpRelaxedCategorical(p["t"], logits=p["logits"]),
        {"t": np.array(2.0), "logits": real(3)},
        value=np.log(simplex(2, 3)),
    ),
    Case(
        "Mixture-Normal",
        lambda D, p, lib: D.MixtureSameFamily(
            D.Categorical(logits=p["logits"]), D.Normal(p["loc"], p["scale"])
        ),
        {"logits": real(2, 3), "loc": real(2, 3), "scale": pos(2, 3)},
        value=real(4, 2),
        cdf=True,
    ),
    Case(
        "Mixture-MVN",
        lambda D, p, lib: D.MixtureSameFamily(
            D.Categorical(probs=p["probs"]),
            D.Independent(D.Normal(p["loc"], p["scale"]), 1),
        ),
        {"probs": simplex(3), "loc": real(3, 2), "scale": pos(3, 2)},
        value=real(5, 2),
    ),
]

CASES += [
    Case(
        "HalfNormal",
        lambda D, p, lib: D.HalfNormal(p["scale"]),
        {"scale": pos(3)},
        value=np.array([[0.0, 0.5, 2.0], [1.0, 3.0, 0.1]]),
        cdf=True,
        icdf=True,
    ),
    Case(
        "HalfCauchy",
        lambda D, p, lib: D.HalfCauchy(p["scale"]),
        {"scale": pos(3)},
        value=np.array([[0.0, 0.5, 2.0], [1.0, 3.0, 0.1]]),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Pareto",
        lambda D, p, lib: D.Pareto(p["scale"], p["alpha"]),
        {"scale": pos(3, low=0.5, high=1.0), "alpha": np.array([0.7, 1.5, 3.0])},
        value=pos(2, 3, low=1.0, high=4.0),
        cdf=True,
        icdf=True,
    ),
    Case(
        "Weibull",
        lambda D, p, lib: D.Weibull(p["scale"], p["concentration"]),
        {"scale": pos(3), "concentration": np.array([0.7, 1.5, 3.0])},
        value=pos(2, 3, low=0.1, high=3.0),
        cdf=True,
        icdf=True,
    ),
    Case(
        "InverseGamma",
        lambda D, p, lib: D.InverseGamma(p["concentration"], p["rate"]),
        {"concentration": np.array([0.7, 1.5, 3.0]), "rate": pos(3)},
        value=pos(2, 3, low=0.1, high=3.0),
    ),
]

BY_NAME = {c.name: c for c in CASES}
