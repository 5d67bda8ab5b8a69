"""The margin ranking, hinge and cosine embedding losses in both of PyTorch's forms (top
level, reduction as a number; functional, reduction as a name), the Gaussian NLL loss, and
the legacy ``size_average``/``reduce`` warning for every loss that takes the flags."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.nn._functional.losses as nn_losses
import ember.ops.losses as op_losses

from ._compare import to_np, torch

R = np.random.default_rng(0)
A, B = R.standard_normal((3, 4)), R.standard_normal((3, 4))
Y3 = np.array([1.0, -1.0, 1.0])
YM = np.sign(R.standard_normal((3, 4)))


def _record(call):
    """(value or exception, warning texts) of ``call()``."""
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        try:
            out = call()
        except Exception as e:  # noqa: BLE001 - compared with PyTorch's
            out = (type(e).__name__, str(e))
    return out, [str(x.message) for x in w]


# name: call(lib, x1 (grad), x2, y)
TOP = {
    "cosine": lambda lib, a, b, y, *r: lib.cosine_embedding_loss(a, b, y, *r),
    "cosine_margin": lambda lib, a, b, y, *r: lib.cosine_embedding_loss(a, b, y, 0.3, *r),
    "cosine_0d": lambda lib, a, b, y, *r: lib.cosine_embedding_loss(a[0], b[0], y[0], -0.2, *r),
    "margin_ranking": lambda lib, a, b, y, *r: lib.margin_ranking_loss(a, b, y[:, None], 0.5, *r),
    "margin_ranking_bcast": lambda lib, a, b, y, *r: lib.margin_ranking_loss(a, b[0], y[:1], *r),
    "hinge": lambda lib, a, b, y, *r: lib.hinge_embedding_loss(a, y[:, None], *r),
    "hinge_margin": lambda lib, a, b, y, *r: lib.hinge_embedding_loss(a, y[:, None], 0.4, *r),
}


@pytest.mark.parametrize("reduction", [(), (0,), (1,), (2,), (3,), (-1,)])
@pytest.mark.parametrize("name", list(TOP))
def test_top_level_forms_match_pytorch(name, reduction):
    outs = {}
    for lib in (ember, torch):
        a = lib.tensor(A, requires_grad=True)
        out = TOP[name](lib, a, lib.tensor(B), lib.tensor(Y3), *reduction)
        (g,) = lib.autograd.grad(out, a, lib.ones_like(out))
        outs[lib.__name__] = (out, g)
    (eo, eg), (to, tg) = outs["ember"], outs["torch"]
    assert tuple(eo.shape) == tuple(to.shape)  # PyTorch's default here: unreduced
    assert eo.grad_fn.name() == to.grad_fn.name()
    np.testing.assert_allclose(to_np(eo), to_np(to), rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(to_np(eg), to_np(tg), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("bad", ["mean", True, 1.0])
@pytest.mark.parametrize("name", ["cosine_margin", "margin_ranking", "hinge_margin"])
def test_top_level_reduction_must_be_an_int(name, bad):
    def call(lib):
        return TOP[name](lib, lib.tensor(A), lib.tensor(B), lib.tensor(Y3), bad)

    assert _record(lambda: call(ember)) == _record(lambda: call(torch))


@pytest.mark.parametrize(
    "call",
    [
        lambda lib: lib.cosine_embedding_loss(
            lib.tensor(A[None]), lib.tensor(B[None]), lib.tensor(Y3[None])
        ),  # fmt: skip
        lambda lib: lib.cosine_embedding_loss(lib.tensor(A[0]), lib.tensor(B[0]), lib.tensor(Y3)),
        lambda lib: lib.cosine_embedding_loss(lib.tensor(A), lib.tensor(B[0]), lib.tensor(Y3[0])),
        lambda lib: lib.nn.functional.margin_ranking_loss(
            lib.tensor(A), lib.tensor(B), lib.tensor(Y3)
        ),  # fmt: skip
        lambda lib: lib.nn.functional.cosine_embedding_loss(
            lib.tensor(A), lib.tensor(B), lib.tensor(Y3), reduction="avg"
        ),  # fmt: skip
    ],
)
def test_errors_match_pytorch(call):
    assert _record(lambda: call(ember)) == _record(lambda: call(torch))


FUNCTIONAL = {
    "cosine_embedding_loss": lambda lib, F, **kw: F.cosine_embedding_loss(
        lib.tensor(A), lib.tensor(B), lib.tensor(Y3), margin=0.2, **kw
    ),
    "margin_ranking_loss": lambda lib, F, **kw: F.margin_ranking_loss(
        lib.tensor(A), lib.tensor(B), lib.tensor(YM), **kw
    ),
    "hinge_embedding_loss": lambda lib, F, **kw: F.hinge_embedding_loss(
        lib.tensor(A), lib.tensor(YM), **kw
    ),
    "mse_loss": lambda lib, F, **kw: F.mse_loss(lib.tensor(A), lib.tensor(B), **kw),
    "l1_loss": lambda lib, F, **kw: F.l1_loss(lib.tensor(A), lib.tensor(B), **kw),
    "soft_margin_loss": lambda lib, F, **kw: F.soft_margin_loss(
        lib.tensor(A), lib.tensor(YM), **kw
    ),
    "binary_cross_entropy": lambda lib, F, **kw: F.binary_cross_entropy(
        lib.tensor(A).sigmoid(), lib.tensor(YM).clamp(0, 1), **kw
    ),
    "kl_div": lambda lib, F, **kw: F.kl_div(lib.tensor(A), lib.tensor(B).softmax(1), **kw),
    "kl_div_batchmean": lambda lib, F, **kw: F.kl_div(
        lib.tensor(A), lib.tensor(B).softmax(1), reduction="batchmean", **kw
    ),
    "cross_entropy": lambda lib, F, **kw: F.cross_entropy(
        lib.tensor(A), lib.tensor(np.array([0, 3, 1])), **kw
    ),
    "nll_loss": lambda lib, F, **kw: F.nll_loss(
        lib.tensor(A), lib.tensor(np.array([0, 3, 1])), **kw
    ),
}
FLAGS = [
    {"size_average": False},
    {"reduce": False},
    {"size_average": False, "reduce": False},
    {"size_average": True},
    {"size_average": True, "reduce": True},
    {"reduce": True},
]


@pytest.mark.parametrize("flags", FLAGS, ids=lambda f: "-".join(f"{k}={v}" for k, v in f.items()))
@pytest.mark.parametrize("name", list(FUNCTIONAL))
def test_legacy_flags_warn_with_the_reduction_they_select(name, flags):
    def run(lib):
        out, warned = _record(lambda: FUNCTIONAL[name](lib, lib.nn.functional, **flags))
        value = out if isinstance(out, tuple) else np.round(to_np(out), 10).tolist()
        return value, warned

    assert run(ember) == run(torch)


@pytest.mark.parametrize("reduction", ["none", "sum", "mean", "elementwise_mean", "avg"])
@pytest.mark.parametrize(
    "name", ["cosine_embedding_loss", "margin_ranking_loss", "hinge_embedding_loss", "kl_div"]
)
def test_functional_reduction_names_as_pytorch(name, reduction):
    def run(lib):
        out, warned = _record(lambda: FUNCTIONAL[name](lib, lib.nn.functional, reduction=reduction))
        value = out if isinstance(out, tuple) else np.round(to_np(out), 12).tolist()
        return value, warned

    assert run(ember) == run(torch)


def test_each_loss_and_the_legacy_rule_exist_once():
    F = ember.nn.functional
    assert F.gaussian_nll_loss is op_losses.gaussian_nll_loss
    assert nn_losses.legacy_reduction is op_losses.legacy_reduction
    assert not hasattr(op_losses, "cosine_embedding_loss")
    assert ember.cosine_embedding_loss is not F.cosine_embedding_loss


GAUSSIAN = [
    ((3, 4), (3, 4), {}),
    ((3, 4), (3,), {"full": True}),
    ((2, 3, 4), (2, 1, 4), {"reduction": "sum"}),
    ((3, 4), (3, 4), {"eps": 0.5, "reduction": "none"}),  # the floor: gradient still flows
]


@pytest.mark.parametrize("xs, vs, kw", GAUSSIAN)
def test_gaussian_nll_loss_matches_pytorch(xs, vs, kw):
    x, y, v = R.standard_normal(xs), R.standard_normal(xs), R.random(vs)
    res = {}
    for lib in (ember, torch):
        xt, vt = lib.tensor(x, requires_grad=True), lib.tensor(v, requires_grad=True)
        out = lib.nn.functional.gaussian_nll_loss(xt, lib.tensor(y), vt, **kw)
        gx, gv = lib.autograd.grad(out, (xt, vt), lib.ones_like(out))
        res[lib.__name__] = (out, gx, gv)
    assert res["ember"][0].grad_fn.name() == res["torch"][0].grad_fn.name()
    for e, t in zip(res["ember"], res["torch"]):
        np.testing.assert_allclose(to_np(e), to_np(t), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    "var, kw",
    [(0.5, {}), (-0.5, {}), ("neg", {}), ("short", {}), ("ok", {"reduction": "avg"})],
)
def test_gaussian_nll_loss_var_forms_and_errors(var, kw):
    def call(lib):
        v = {
            "neg": lambda: lib.tensor(-R.random((3, 4))),
            "short": lambda: lib.ones(2, 4, dtype=lib.float64),
            "ok": lambda: lib.ones(3, 4, dtype=lib.float64),
        }.get(var, lambda: var)()
        out = lib.nn.functional.gaussian_nll_loss(lib.tensor(A), lib.tensor(B), v, **kw)
        return round(float(out), 12)

    assert _record(lambda: call(ember)) == _record(lambda: call(torch))
