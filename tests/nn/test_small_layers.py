"""Activations, distances, local response norm, lazy layers and nn.init against PyTorch."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import ember
import ember.nn as nn

from ._compare import check_module, copy_weights, to_np, torch
from ._oracle import grads_match, outcome

tnn = torch.nn
R = np.random.default_rng(0)

LAYERS = [
    ("GLU", {}, [(3, 4)]),
    ("GLU", {"dim": 0}, [(4, 3)]),
    ("Hardshrink", {"lambd": 0.3}, [(3, 4)]),
    ("Softshrink", {}, [(3, 4)]),
    ("Softmax2d", {}, [(2, 3, 4, 4)]),
    ("Softmax2d", {}, [(3, 4, 4)]),
    ("RReLU", {"lower": 0.1, "upper": 0.4}, [(3, 4)]),
    ("CosineSimilarity", {}, [(3, 4), (3, 4)]),
    ("CosineSimilarity", {"dim": -1, "eps": 1e-3}, [(2, 3, 4), (3, 4)]),
    ("PairwiseDistance", {}, [(3, 4), (3, 4)]),
    ("PairwiseDistance", {"p": 1.0, "keepdim": True}, [(3, 4), (3, 4)]),
    ("PairwiseDistance", {"p": 3.0, "eps": 0.0}, [(3, 4), (4,)]),
    ("LocalResponseNorm", {"size": 3}, [(2, 5, 4)]),
    ("LocalResponseNorm", {"size": 2, "alpha": 0.1, "beta": 0.5, "k": 2.0}, [(2, 4, 3, 3)]),
    ("LocalResponseNorm", {"size": 4}, [(1, 6, 2, 2, 2)]),
    ("InstanceNorm3d", {"num_features": 2, "affine": True}, [(2, 2, 3, 3, 3)]),
]


@pytest.mark.parametrize(
    "name, kw, shapes", LAYERS, ids=[f"{c[0]}-{i}" for i, c in enumerate(LAYERS)]
)
def test_layers_match_pytorch_in_eval_and_train(name, kw, shapes):
    em, tm = getattr(nn, name)(**kw), getattr(tnn, name)(**kw)
    assert repr(em) == repr(tm)
    inputs = [R.standard_normal(s) for s in shapes]
    check_module(em, tm, *inputs, train=False)
    if name != "RReLU":  # RReLU draws its slopes in training (checked below)
        check_module(em, tm, *inputs, train=True)


def test_rrelu_training_slopes_lie_in_range_and_gradient_is_the_slope():
    ember.manual_seed(0)
    x = ember.tensor(-np.ones(2000), requires_grad=True)
    y = nn.functional.rrelu(x, 0.1, 0.3, training=True)
    slopes = -y.detach().numpy()
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and slopes.std() > 0.05
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), slopes)
    z = ember.tensor([0.0, 2.0], requires_grad=True)
    nn.functional.rrelu(z, training=True).sum().backward()
    assert z.grad.tolist() == [1.0, 1.0]  # x >= 0 passes through, as PyTorch's kernel
    with pytest.raises(RuntimeError, match="Lower bound should be less than or equal"):
        nn.functional.rrelu(x, 0.5, 0.1, True)


@pytest.mark.parametrize(
    "name, args",
    [("threshold_", (0.5, -2.0)), ("celu_", (0.7,)), ("selu_", ()), ("rrelu_", (0.1, 0.3, False))],
)
def test_inplace_functional_forms_match_pytorch(name, args):
    x = R.standard_normal((3, 4))
    e, t = ember.tensor(x), torch.tensor(x)
    assert getattr(nn.functional, name)(e, *args) is e
    getattr(torch.nn.functional, name)(t, *args)
    np.testing.assert_allclose(e.numpy(), t.numpy(), rtol=1e-12)


ERRORS = [
    lambda lib: lib.nn.functional.glu(lib.ones(3)),
    lambda lib: lib.nn.functional.glu(lib.ones(2, 3), 1),
    lambda lib: lib.nn.Softmax2d()(lib.ones(2)),
    lambda lib: lib.nn.functional.local_response_norm(lib.ones(2, 3), 2),
    lambda lib: lib.nn.functional.pdist(lib.ones(2, 3, 4)),
    lambda lib: lib.nn.functional.cosine_similarity(lib.ones(2, 3), lib.ones(2, 4)),
]


@pytest.mark.parametrize("call", ERRORS)
def test_errors_match_pytorch(call):
    assert outcome(lambda: call(ember)) == outcome(lambda: call(torch))


@pytest.mark.parametrize("p", [2.0, 1.0, 0.5])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_pdist_matches_pytorch(p, dtype):
    grads_match(lambda lib, F, t: F.pdist(t, p), R.standard_normal((5, 3)), dtype)


# ----- nn.init -------------------------------------------------------------------------------
INIT_CALLS = [
    lambda lib: lib.nn.init.calculate_gain("leaky_relu", True),
    lambda lib: lib.nn.init.calculate_gain("foo"),
    lambda lib: lib.nn.init.dirac_(lib.empty(4, 2, 3), 3),
    lambda lib: lib.nn.init.dirac_(lib.empty(4, 2)),
    lambda lib: lib.nn.init.eye_(lib.empty(3)),
    lambda lib: lib.nn.init.orthogonal_(lib.empty(3)),
    lambda lib: lib.nn.init.sparse_(lib.empty(3, 3, 3), 0.1),
    lambda lib: lib.nn.init.xavier_uniform_(lib.empty(3)),
    lambda lib: lib.nn.init.kaiming_normal_(lib.empty(3, 4), mode="fan_x"),
    lambda lib: lib.nn.init.uniform_(lib.empty(3), 2, 1),
    lambda lib: lib.nn.init.normal_(lib.empty(3), 0, -1),
]


@pytest.mark.parametrize("call", INIT_CALLS)
def test_init_errors_match_pytorch(call):
    e = outcome(lambda: call(ember))
    t = outcome(lambda: call(torch))
    assert e[0] == t[0] and (e[0] == "ok" or e[1] == t[1])


@pytest.mark.parametrize(
    "name, shape, args",
    [
        ("eye_", (3, 5), ()),
        ("dirac_", (4, 2, 3), (2,)),
        ("dirac_", (2, 2, 3, 3), ()),
        ("constant_", (2, 3), (0.5,)),
        ("ones_", (2,), ()),
        ("zeros_", (2,), ()),
    ],
)
def test_deterministic_inits_match_pytorch(name, shape, args):
    e = getattr(ember.nn.init, name)(ember.empty(*shape), *args)
    t = getattr(torch.nn.init, name)(torch.empty(*shape), *args)
    np.testing.assert_array_equal(e.numpy(), t.numpy())


def test_random_inits_have_pytorch_statistics():
    ember.manual_seed(0)
    init = ember.nn.init
    w = init.orthogonal_(ember.empty(30, 50), gain=2.0).numpy()
    np.testing.assert_allclose(w @ w.T, 4 * np.eye(30), atol=1e-5)
    w = init.trunc_normal_(ember.empty(20000), mean=0.5, std=1.0, a=-1.0, b=1.0).numpy()
    assert w.min() >= -1.0 and w.max() <= 1.0
    t = torch.nn.init.trunc_normal_(torch.empty(20000), mean=0.5, std=1.0, a=-1.0, b=1.0).numpy()
    assert abs(w.mean() - t.mean()) < 0.03 and abs(w.std() - t.std()) < 0.03
    w = init.sparse_(ember.empty(10, 40), 0.3).numpy()
    assert np.all((w == 0).sum(0) == 3)
    w = init.kaiming_uniform_(ember.empty(400, 300), a=0.1).numpy()
    bound = np.sqrt(6 / ((1 + 0.01) * 300))
    assert w.max() <= bound and w.min() >= -bound and w.max() > 0.95 * bound


def test_deprecated_init_spellings_warn_as_pytorch():
    for old in (
        "uniform",
        "normal",
        "xavier_uniform",
        "kaiming_normal",
        "orthogonal",
        "eye",
        "dirac",
        "sparse",
        "constant",
    ):
        args = {"constant": (0.5,), "sparse": (0.1,)}.get(old, ())
        shape = (4, 2, 3) if old == "dirac" else (3, 3)
        with pytest.warns(
            FutureWarning, match=f"`nn.init.{old}` is now deprecated in favor of `nn.init.{old}_`"
        ):
            getattr(ember.nn.init, old)(ember.empty(*shape), *args)


# ----- lazy modules -------------------------------------------------------------------------
LAZY = [
    ("LazyLinear", (3,), (2, 5)),
    ("LazyLinear", (3, False), (4, 2, 5)),
    ("LazyConv1d", (4, 3), (2, 2, 7)),
    ("LazyConv1d", (4, 3), (2, 7)),
    ("LazyConv2d", (4, 3, 2, 1), (1, 2, 5, 5)),
    ("LazyConv3d", (2, 2), (1, 2, 3, 3, 3)),
    ("LazyConvTranspose1d", (2, 3), (2, 4, 5)),
    ("LazyConvTranspose2d", (2, 3, 2), (1, 4, 3, 3)),
    ("LazyConvTranspose3d", (2, 2), (1, 2, 2, 2, 2)),
    ("LazyBatchNorm1d", (), (4, 3)),
    ("LazyBatchNorm2d", (), (4, 3, 2, 2)),
    ("LazyBatchNorm3d", (), (2, 3, 2, 2, 2)),
    ("LazyInstanceNorm1d", (), (2, 3, 4)),
    ("LazyInstanceNorm2d", (), (2, 3, 4, 4)),
    ("LazyInstanceNorm3d", (), (2, 3, 2, 2, 2)),
]


@pytest.mark.parametrize("name, args, shape", LAZY, ids=[f"{c[0]}-{i}" for i, c in enumerate(LAZY)])
def test_lazy_modules_infer_shapes_and_become_eager(name, args, shape):
    em = getattr(nn, name)(*args, dtype=ember.float64)
    tm = getattr(tnn, name)(*args, dtype=torch.float64)
    assert repr(em) == repr(tm)
    assert list(em.state_dict()) == list(tm.state_dict())
    assert em.has_uninitialized_params()
    x = R.standard_normal(shape)
    em(ember.tensor(x))
    tm(torch.tensor(x))
    assert type(em).__name__ == type(tm).__name__ and repr(em) == repr(tm)
    assert not em._forward_pre_hooks
    check_module(em, tm, x)


def test_lazy_parameters_refuse_shape_and_load_from_a_state_dict():
    m = nn.LazyLinear(3)
    assert repr(m.weight) == repr(tnn.LazyLinear(3).weight) == "<UninitializedParameter>"
    with pytest.raises(RuntimeError, match="Can't access the shape of an uninitialized"):
        m.weight.shape
    with pytest.raises(ValueError, match="Attempted to use an uninitialized parameter"):
        m.weight.numel()
    src = nn.Linear(5, 3)
    m.load_state_dict(src.state_dict())
    assert tuple(m.weight.shape) == (3, 5)
    np.testing.assert_array_equal(to_np(m.weight), to_np(src.weight))
    p = nn.UninitializedParameter()
    p.materialize((2, 3))
    assert type(p) is nn.Parameter and tuple(p.shape) == (2, 3) and p.requires_grad
    with pytest.raises(RuntimeError, match="Expected 3D \\(unbatched\\) or 4D \\(batched\\)"):
        nn.LazyConv2d(2, 3)(ember.ones(2, 3))


# ----- nn.utils -----------------------------------------------------------------------------
def _same_after_copy(make, shape, train=True):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        em, tm = make(nn), make(tnn)
    assert repr(em) == repr(tm)
    check_module(em, tm, R.standard_normal(shape), train=train)
    return em, tm


UTILS = [
    ("pwn_linear", lambda m: m.utils.parametrizations.weight_norm(m.Linear(4, 3)), (2, 4)),
    (
        "pwn_conv_dim_none",
        lambda m: m.utils.parametrizations.weight_norm(m.Conv2d(2, 3, 3), dim=None),
        (1, 2, 5, 5),
    ),
    ("psn_linear", lambda m: m.utils.parametrizations.spectral_norm(m.Linear(4, 3)), (2, 4)),
    (
        "psn_conv_transpose",
        lambda m: m.utils.parametrizations.spectral_norm(m.ConvTranspose2d(2, 3, 3)),
        (1, 2, 4, 4),
    ),
    ("orth_square", lambda m: m.utils.parametrizations.orthogonal(m.Linear(4, 4)), (2, 4)),
    ("orth_wide", lambda m: m.utils.parametrizations.orthogonal(m.Linear(5, 3)), (2, 5)),
    ("orth_tall", lambda m: m.utils.parametrizations.orthogonal(m.Linear(3, 5)), (2, 3)),
    (
        "orth_cayley",
        lambda m: m.utils.parametrizations.orthogonal(m.Linear(4, 4), orthogonal_map="cayley"),
        (2, 4),
    ),
    (
        "orth_householder_square",
        lambda m: m.utils.parametrizations.orthogonal(m.Linear(4, 4), orthogonal_map="householder"),
        (2, 4),
    ),
    (
        "orth_no_trivialization",
        lambda m: m.utils.parametrizations.orthogonal(m.Linear(3, 5), use_trivialization=False),
        (2, 3),
    ),
    ("weight_norm_hook", lambda m: m.utils.weight_norm(m.Linear(4, 3)), (2, 4)),
    (
        "weight_norm_hook_dim_none",
        lambda m: m.utils.weight_norm(m.Conv1d(2, 3, 3), dim=None),
        (1, 2, 5),
    ),
    ("spectral_norm_hook", lambda m: m.utils.spectral_norm(m.Linear(4, 3)), (2, 4)),
]


@pytest.mark.parametrize("name, make, shape", UTILS, ids=[c[0] for c in UTILS])
@pytest.mark.parametrize("train", [True, False])
def test_weight_reparametrizations_match_pytorch(name, make, shape, train):
    _same_after_copy(make, shape, train)


@pytest.mark.parametrize("shape", [(4, 4), (5, 3), (3, 5)])
@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"orthogonal_map": "householder"},
        {"orthogonal_map": "cayley"},
        {"use_trivialization": False},
    ],
)
def test_orthogonal_registration_orthonormalises_as_pytorch(shape, kw):
    w = R.standard_normal(shape)

    def weight(lib):
        m = lib.nn.Linear(shape[1], shape[0]).double()
        with lib.no_grad():
            m.weight.copy_(lib.tensor(w))
        lib.nn.utils.parametrizations.orthogonal(m, **kw)
        return m.weight.detach().numpy()

    np.testing.assert_allclose(weight(ember), weight(torch), atol=1e-10)


def test_parametrize_api_matches_pytorch():
    def run(lib):
        nn_ = lib.nn
        P = nn_.utils.parametrize

        class Sym(nn_.Module):
            def forward(self, x):
                return x.triu() + x.triu(1).transpose(-1, -2)

            def right_inverse(self, a):
                return a.triu()

        class Double(nn_.Module):
            def forward(self, x):
                return x * 2

            def right_inverse(self, a):
                return a / 2

        m = nn_.Linear(4, 4).double()
        with lib.no_grad():
            m.weight.copy_(lib.tensor(np.arange(16.0).reshape(4, 4)))
            m.bias.zero_()
        P.register_parametrization(m, "weight", Sym())
        P.register_parametrization(m, "weight", Double())
        out = [m.weight.detach().numpy().tolist(), repr(m), list(m.state_dict())]
        m.weight = lib.tensor(np.eye(4) * 3.0)
        out.append(m.parametrizations.weight.original.detach().numpy().tolist())
        with P.cached():
            out.append(m.weight is m.weight)
        out.append(m.weight is m.weight)
        m(lib.ones(2, 4, dtype=lib.float64)).sum().backward()
        out.append(m.parametrizations.weight.original.grad.numpy().tolist())
        out += [
            P.is_parametrized(m),
            P.is_parametrized(m, "bias"),
            P.type_before_parametrizations(m).__name__,
        ]
        P.remove_parametrizations(m, "weight")
        out += [type(m).__name__, m.weight.detach().numpy().tolist(), list(m.state_dict())]
        return out

    assert run(ember) == run(torch)


@pytest.mark.parametrize("change", ["shape", "dtype", "inverse shape", "inverse dtype"])
@pytest.mark.parametrize("stacked", [False, True])
def test_parametrization_that_changes_the_tensor_is_refused_like_pytorch(change, stacked):
    def alter(x):
        return x[:1] if change.endswith("shape") else x.double()

    def run(lib):
        class Changing(lib.nn.Module):
            def forward(self, x):
                return x if change.startswith("inverse") else alter(x)

            def right_inverse(self, x):
                return alter(x) if change.startswith("inverse") else x

        class Same(lib.nn.Module):
            def forward(self, x):
                return x

        P = lib.nn.utils.parametrize
        m = lib.nn.Linear(3, 4)
        if stacked:
            P.register_parametrization(m, "weight", Same())
        try:
            P.register_parametrization(m, "weight", Changing())
        except ValueError as e:
            return str(e)
        return None

    message = run(torch)
    assert message is not None and run(ember) == message


def test_fusion_matches_pytorch():
    for conv_cls, transpose in (("Conv2d", False), ("ConvTranspose2d", True)):
        ec, tc = getattr(nn, conv_cls)(2, 3, 3), getattr(tnn, conv_cls)(2, 3, 3)
        eb, tb = nn.BatchNorm2d(3), tnn.BatchNorm2d(3)
        with torch.no_grad():
            tb.running_mean.copy_(torch.randn(3))
            tb.running_var.copy_(torch.rand(3) + 0.5)
            tb.weight.copy_(torch.randn(3))
        copy_weights(ec, tc)
        copy_weights(eb, tb)
        for m in (ec, tc, eb, tb):
            m.eval()
        ef = nn.utils.fuse_conv_bn_eval(ec, eb, transpose)
        tf = torch.nn.utils.fuse_conv_bn_eval(tc, tb, transpose)
        np.testing.assert_allclose(to_np(ef.weight), to_np(tf.weight), rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(to_np(ef.bias), to_np(tf.bias), rtol=1e-5, atol=1e-6)
    el, tl = nn.Linear(4, 3), tnn.Linear(4, 3)
    eb1, tb1 = nn.BatchNorm1d(3), tnn.BatchNorm1d(3)
    copy_weights(el, tl)
    copy_weights(eb1, tb1)
    ef = nn.utils.fuse_linear_bn_eval(el.eval(), eb1.eval())
    tf = torch.nn.utils.fuse_linear_bn_eval(tl.eval(), tb1.eval())
    np.testing.assert_allclose(to_np(ef.weight), to_np(tf.weight), rtol=1e-6)
    with pytest.raises(AssertionError, match="Fusion only for eval!"):
        nn.utils.fuse_linear_bn_eval(el.train(), eb1)


def test_clip_grads_with_norm_and_deprecations():
    pe = nn.Parameter(ember.ones(3))
    pe.grad = ember.ones(3) * 5
    pt = tnn.Parameter(torch.ones(3))
    pt.grad = torch.ones(3) * 5
    nn.utils.clip_grads_with_norm_([pe], 1.0, ember.tensor(10.0))
    torch.nn.utils.clip_grads_with_norm_([pt], 1.0, torch.tensor(10.0))
    np.testing.assert_allclose(pe.grad.numpy(), pt.grad.numpy(), rtol=1e-6)
    with pytest.warns(FutureWarning, match="`torch.nn.utils.clip_grad_norm` is now deprecated"):
        nn.utils.clip_grad_norm(iter([pe]), 0.1)
    assert np.linalg.norm(pe.grad.numpy()) <= 0.1 + 1e-6
    with pytest.warns(FutureWarning, match="`torch.nn.utils.weight_norm` is deprecated"):
        m = nn.utils.weight_norm(nn.Linear(3, 2))
    nn.utils.remove_weight_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"]
    m = nn.utils.spectral_norm(nn.Linear(3, 2))
    assert list(m.state_dict()) == list(torch.nn.utils.spectral_norm(tnn.Linear(3, 2)).state_dict())
    nn.utils.remove_spectral_norm(m)
    assert list(m.state_dict()) == ["bias", "weight"]
    with pytest.raises(ValueError, match="spectral_norm of 'weight' not found"):
        nn.utils.remove_spectral_norm(m)


_PLAIN_ACTIVATIONS = ["ReLU", "ReLU6", "SELU", "SiLU", "Mish", "Hardsigmoid", "Hardswish",
                      "Sigmoid", "Tanh", "LogSigmoid", "Softsign", "Tanhshrink", "ELU", "CELU",
                      "Hardshrink", "Softshrink", "Hardtanh"]  # fmt: skip


@pytest.mark.parametrize("name", _PLAIN_ACTIVATIONS)
def test_activation_inplace_repr_and_ancestry_match_pytorch(name):
    x = R.standard_normal((3, 4))
    e_cls, t_cls = getattr(nn, name), getattr(tnn, name)
    settings = [{}]
    if "inplace" in t_cls.__init__.__code__.co_varnames:
        settings.append({"inplace": True})
    for kw in settings:
        e, t = e_cls(**kw), t_cls(**kw)
        xe, xt = ember.tensor(x), torch.tensor(x)
        np.testing.assert_allclose(to_np(e(xe)), to_np(t(xt)), atol=1e-12)
        np.testing.assert_allclose(to_np(xe), to_np(xt), atol=1e-12)  # written in place or not
        assert repr(e) == repr(t)
    related = [n for n in _PLAIN_ACTIVATIONS if issubclass(t_cls, getattr(tnn, n))]
    assert [n for n in _PLAIN_ACTIVATIONS if issubclass(e_cls, getattr(nn, n))] == related


@pytest.mark.parametrize("inplace", [False, True])
@pytest.mark.parametrize(
    "name, args",
    [("Threshold", (0.1, 20)), ("Hardtanh", (-2.0, 3.0)), ("RReLU", (0.1, 0.3)),
     ("LeakyReLU", (0.2,)), ("ELU", (0.5,)), ("CELU", (0.5,))],
)  # fmt: skip
def test_activation_repr_shows_inplace_like_pytorch(name, args, inplace):
    e = getattr(nn, name)(*args, inplace=inplace)
    assert repr(e) == repr(getattr(tnn, name)(*args, inplace=inplace))
