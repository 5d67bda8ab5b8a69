"""kl_divergence for every registered pair against PyTorch (values and gradients)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.distributions as TD

import ember
import ember.distributions as ED

from ._cases import _tril
from ._oracle import assert_same, run

R = np.random.default_rng(99)


def _p(low, high, *shape):
    return R.uniform(low, high, shape or (3,))


# type name -> (build(D, params, lib), params); two parameter sets for p and for q
FAMILIES = {
    "Bernoulli": (lambda D, p, lib: D.Bernoulli(probs=p["probs"]), lambda: {"probs": _p(0.1, 0.9)}),
    "Beta": (lambda D, p, lib: D.Beta(p["a"], p["b"]), lambda: {"a": _p(0.5, 3), "b": _p(0.5, 3)}),
    "Binomial": (
        lambda D, p, lib: D.Binomial(lib.tensor([5.0, 5.0, 5.0], dtype=lib.float64), p["probs"]),
        lambda: {"probs": _p(0.1, 0.9)},
    ),
    "Categorical": (
        lambda D, p, lib: D.Categorical(logits=p["logits"]),
        lambda: {"logits": _p(-2, 2, 3, 4)},
    ),
    "Cauchy": (lambda D, p, lib: D.Cauchy(p["loc"], p["scale"]), lambda: _loc_scale()),
    "Dirichlet": (
        lambda D, p, lib: D.Dirichlet(p["c"]),
        lambda: {"c": _p(0.5, 3, 3, 4)},
    ),
    "Exponential": (lambda D, p, lib: D.Exponential(p["rate"]), lambda: {"rate": _p(0.5, 3)}),
    "Gamma": (
        lambda D, p, lib: D.Gamma(p["a"], p["rate"]),
        lambda: {"a": _p(0.5, 3), "rate": _p(0.5, 3)},
    ),
    "Geometric": (lambda D, p, lib: D.Geometric(p["probs"]), lambda: {"probs": _p(0.1, 0.9)}),
    "Gumbel": (lambda D, p, lib: D.Gumbel(p["loc"], p["scale"]), lambda: _loc_scale()),
    "Laplace": (lambda D, p, lib: D.Laplace(p["loc"], p["scale"]), lambda: _loc_scale()),
    "Normal": (lambda D, p, lib: D.Normal(p["loc"], p["scale"]), lambda: _loc_scale()),
    "OneHotCategorical": (
        lambda D, p, lib: D.OneHotCategorical(probs=p["probs"]),
        lambda: {"probs": _p(0.1, 1, 3, 4)},
    ),
    "Poisson": (lambda D, p, lib: D.Poisson(p["rate"]), lambda: {"rate": _p(0.5, 4)}),
    "HalfNormal": (lambda D, p, lib: D.HalfNormal(p["scale"]), lambda: {"scale": _p(0.5, 2)}),
    "Pareto": (
        lambda D, p, lib: D.Pareto(p["scale"], p["alpha"]),
        lambda: {"scale": _p(0.5, 2), "alpha": _p(0.5, 4)},
    ),
    "Uniform": (
        lambda D, p, lib: D.Uniform(p["low"], p["low"] + p["w"]),
        lambda: {"low": _p(0.05, 0.3), "w": _p(0.2, 0.6)},
    ),
    "MultivariateNormal": (
        lambda D, p, lib: D.MultivariateNormal(p["loc"], scale_tril=_tril(lib, p["a"])),
        lambda: {"loc": _p(-1, 1, 3, 3), "a": _p(-0.5, 0.5, 3, 3)},
    ),
    "LowRankMultivariateNormal": (
        lambda D, p, lib: D.LowRankMultivariateNormal(p["loc"], p["w"], p["d"]),
        lambda: {"loc": _p(-1, 1, 3, 3), "w": _p(-1, 1, 3, 2), "d": _p(0.5, 2, 3, 3)},
    ),
    "Independent": (
        lambda D, p, lib: D.Independent(D.Normal(p["loc"], p["scale"]), 1),
        lambda: {"loc": _p(-1, 1, 2, 3), "scale": _p(0.5, 2, 2, 3)},
    ),
    "TransformedDistribution": (
        lambda D, p, lib: D.TransformedDistribution(
            D.Normal(p["loc"], p["scale"]), [D.ExpTransform(), D.AffineTransform(1.0, 2.0)]
        ),
        lambda: _loc_scale(),
    ),
}


def _loc_scale():
    return {"loc": _p(-1, 1), "scale": _p(0.5, 2)}


def _registered_pairs():
    pairs = []
    for tp, tq in ED.kl._KL_REGISTRY:
        if tp.__name__ in FAMILIES and tq.__name__ in FAMILIES:
            pairs.append((tp.__name__, tq.__name__))
    return sorted(pairs)


PAIRS = _registered_pairs()
PARAMS = {name: (make(), make()) for name, (_, make) in FAMILIES.items()}


def test_every_pytorch_pair_among_our_families_is_registered():
    """Each PyTorch pair whose two families Ember has is registered here too."""
    ours = {(p.__name__, q.__name__) for p, q in ED.kl._KL_REGISTRY}
    have = set(ED.__all__)
    for p, q in TD.kl._KL_REGISTRY:
        if p.__name__ in have and q.__name__ in have:
            assert (p.__name__, q.__name__) in ours, (p.__name__, q.__name__)


@pytest.mark.parametrize("pq", PAIRS, ids=[f"{p}-{q}" for p, q in PAIRS])
def test_kl_pair(pq):
    """KL(p || q) and its gradients w.r.t. both distributions' parameters."""
    p_name, q_name = pq
    make_p, make_q = FAMILIES[p_name][0], FAMILIES[q_name][0]
    params = {f"p_{k}": v for k, v in PARAMS[p_name][0].items()}
    params.update({f"q_{k}": v for k, v in PARAMS[q_name][1].items()})

    def make(D, prm, lib):
        pp = {k[2:]: v for k, v in prm.items() if k.startswith("p_")}
        qq = {k[2:]: v for k, v in prm.items() if k.startswith("q_")}
        return make_p(D, pp, lib), make_q(D, qq, lib)

    def fn(dists, lib):
        D = ED if lib is ember else TD
        return D.kl_divergence(*dists)

    assert_same(run(make, params, fn), what=f"KL({p_name} || {q_name})")


def test_kl_same_distribution_is_zero_and_unregistered_pair_raises():
    """KL(p || p) = 0; a pair nobody registered raises PyTorch's NotImplementedError."""
    d = ED.Normal(ember.tensor([0.0, 1.0]), ember.tensor([1.0, 2.0]))
    np.testing.assert_allclose(ED.kl_divergence(d, d).numpy(), 0.0, atol=1e-7)
    with pytest.raises(
        NotImplementedError, match="No KL\\(p \\|\\| q\\) is implemented for p type"
    ):
        ED.kl_divergence(ED.Categorical(logits=ember.zeros(3)), d)


def test_exponential_family_bregman_fallback():
    """The generic exponential-family KL (by autograd) equals PyTorch's on Normal and Gamma."""
    for fam, args_p, args_q in [
        ("Normal", ([0.3, -1.0], [1.0, 0.5]), ([1.0, 0.0], [2.0, 1.5])),
        ("Gamma", ([0.8, 2.0], [1.0, 0.5]), ([1.5, 1.0], [2.0, 3.0])),
    ]:
        out = []
        for lib, D in ((ember, ED), (torch, TD)):
            p = getattr(D, fam)(*(lib.tensor(a, dtype=lib.float64) for a in args_p))
            q = getattr(D, fam)(*(lib.tensor(a, dtype=lib.float64) for a in args_q))
            out.append(D.kl._kl_expfamily_expfamily(p, q).detach().numpy())
        np.testing.assert_allclose(out[0], out[1], rtol=1e-10)
    with pytest.raises(NotImplementedError, match="cross KL-divergence"):
        ED.kl._kl_expfamily_expfamily(ED.Normal(0.0, 1.0), ED.Gamma(1.0, 1.0))


def test_register_kl_user_pair_and_ambiguity_warning():
    """A user registration is used; two equally specific candidates warn as PyTorch does."""

    class MyNormal(ED.Normal):
        pass

    class MyLaplace(ED.Laplace):
        pass

    @ED.register_kl(MyNormal, ED.Laplace)
    def _mine(p, q):
        return ember.tensor(42.0)

    assert ED.kl_divergence(MyNormal(0.0, 1.0), ED.Laplace(0.0, 1.0)).item() == 42.0

    @ED.register_kl(ED.Normal, MyLaplace)
    def _other(p, q):
        return ember.tensor(-1.0)

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ED.kl_divergence(MyNormal(0.0, 1.0), MyLaplace(0.0, 1.0))
    assert any("Ambiguous kl_divergence(MyNormal, MyLaplace)" in str(w.message) for w in caught)
    with pytest.raises(TypeError):
        ED.register_kl(3, ED.Normal)


def test_binomial_kl_larger_q_count_raises():
    """KL(Binomial(n) || Binomial(m > n)) is not implemented, as in PyTorch."""
    p = ED.Binomial(3, ember.tensor([0.5]))
    q = ED.Binomial(5, ember.tensor([0.5]))
    with pytest.raises(NotImplementedError, match="q.total_count > p.total_count"):
        ED.kl_divergence(p, q)
    assert ED.kl_divergence(q, p).item() == float("inf")
