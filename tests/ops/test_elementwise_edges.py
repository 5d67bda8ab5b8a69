"""Elementwise maths at its edges: SPEC rules 5, 19, 20 and 21, NaN/inf, stability, dtypes.

Each boundary case asserts the literal value from SPEC.md and PyTorch's own answer.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.ops import activation as EF

torch = pytest.importorskip("torch")
TF = torch.nn.functional

INF, NAN = math.inf, math.nan


def _grad(lib, fn, values, dtype="float64"):
    """Output and input gradient (upstream ones) of ``fn`` at ``values`` in ``lib``."""
    x = lib.tensor(values, dtype=getattr(lib, dtype), requires_grad=True)
    y = fn(x)
    (g,) = lib.autograd.grad(y.sum(), [x])
    return np.asarray(y.detach().tolist(), dtype=float), np.asarray(g.tolist(), dtype=float)


def _both(ember_fn, torch_fn, values, dtype="float64", signed_zeros=True):
    ey, eg = _grad(ember, ember_fn, values, dtype)
    ty, tg = _grad(torch, torch_fn, values, dtype)
    np.testing.assert_allclose(ey, ty, rtol=1e-12, atol=0, equal_nan=True)
    if signed_zeros:
        np.testing.assert_array_equal(np.signbit(ey[ey == 0]), np.signbit(ty[ty == 0]))
    # PyTorch's gradient at a NaN input depends on whether its kernel ran vectorised
    # (tensor length, dtype): only the non-NaN inputs are compared.
    keep = ~np.isnan(np.asarray(values, dtype=float))
    np.testing.assert_allclose(eg[keep], tg[keep], rtol=1e-12, atol=0, equal_nan=True)
    return eg


def _same(fn, values, dtype="float64", signed_zeros=True):
    """Gradient of one lambda ``fn(lib, F, x)`` in both libraries; asserts they agree."""
    return _both(
        lambda x: fn(ember, EF, x), lambda x: fn(torch, TF, x), values, dtype, signed_zeros
    )


# ----- SPEC rule 19: measured values ------------------------------------------------------------
def test_rule19_relu_at_zero():  # SPEC rule 19
    assert _same(lambda t, F, x: t.relu(x), [0.0]).tolist() == [0.0]


def test_rule19_abs_at_zero():  # SPEC rule 19
    assert _same(lambda t, F, x: t.abs(x), [0.0, -0.0]).tolist() == [0.0, 0.0]


def test_rule19_sign_zero_everywhere():  # SPEC rule 19
    assert _same(lambda t, F, x: t.sign(x), [-2.0, 0.0, 3.0]).tolist() == [0.0, 0.0, 0.0]


@pytest.mark.parametrize("op", ["floor", "round", "ceil", "trunc"])
def test_rule19_rounding_zero(op):  # SPEC rule 19
    g = _same(lambda t, F, x: getattr(t, op)(x), [-1.5, -0.5, 0.0, 0.5, 2.7])
    assert g.tolist() == [0.0] * 5


@pytest.mark.parametrize("op", ["sqrt", "log"])
def test_rule19_sqrt_log_at_zero_inf(op):  # SPEC rule 19
    assert _same(lambda t, F, x: getattr(t, op)(x), [0.0]).tolist() == [INF]


# ----- SPEC rule 5: round keeps requires_grad with a zero gradient -----------------------------
def test_rule5_round_requires_grad_zero_gradient():  # SPEC rule 5
    for lib in (ember, torch):
        x = lib.tensor([0.4, 1.6], requires_grad=True)
        y = lib.round(x)
        assert y.requires_grad
        y.sum().backward()
        assert x.grad.tolist() == [0.0, 0.0]
    assert ember.round(ember.tensor([1.5], requires_grad=True)).grad_fn.name() == "RoundBackward0"


# ----- SPEC rule 20: elementwise ties ---------------------------------------------------------
@pytest.mark.parametrize("op", ["maximum", "minimum"])
def test_rule20_ties_split_half(op):  # SPEC rule 20
    for lib in (ember, torch):
        a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        b = lib.tensor([1.0, 5.0, 3.0], requires_grad=True)
        getattr(lib, op)(a, b).sum().backward()
        big = op == "maximum"
        assert a.grad.tolist() == [0.5, 0.0 if big else 1.0, 0.5]
        assert b.grad.tolist() == [0.5, 1.0 if big else 0.0, 0.5]


# ----- SPEC rule 21: boundaries of "equivalent" formulations -----------------------------------
def test_rule21_relu_at_0():  # SPEC rule 21
    assert _same(lambda t, F, x: t.relu(x), [0.0]).tolist() == [0.0]


def test_rule21_where_at_0():  # SPEC rule 21
    assert _same(lambda t, F, x: t.where(x > 0, x, 0.0), [0.0]).tolist() == [0.0]


def test_rule21_threshold_at_0():  # SPEC rule 21
    assert _same(lambda t, F, x: F.threshold(x, 0.0, 0.0), [0.0]).tolist() == [0.0]


def test_rule21_clamp_min_at_0_is_1():  # SPEC rule 21
    assert _same(lambda t, F, x: x.clamp(min=0), [0.0]).tolist() == [1.0]


def test_rule21_clamp_at_upper_bound_is_1():  # SPEC rule 21
    assert _same(lambda t, F, x: t.clamp(x, -1, 1), [1.0, -1.0]).tolist() == [1.0, 1.0]


def test_rule21_maximum_with_zero_at_0_is_half():  # SPEC rule 21
    g = _same(lambda t, F, x: t.maximum(x, t.zeros_like(x)), [0.0])
    assert g.tolist() == [0.5]


def test_rule21_hardtanh_at_bounds_is_0():  # SPEC rule 21
    assert _same(lambda t, F, x: F.hardtanh(x), [-1.0, 1.0]).tolist() == [0.0, 0.0]


def test_rule21_relu6_at_0_and_6_is_0():  # SPEC rule 21
    assert _same(lambda t, F, x: F.relu6(x), [0.0, 6.0]).tolist() == [0.0, 0.0]


def test_rule21_leaky_relu_at_0_is_slope():  # SPEC rule 21
    assert _same(lambda t, F, x: F.leaky_relu(x), [0.0]).tolist() == [0.01]
    assert _same(lambda t, F, x: F.leaky_relu(x, 0.2), [0.0]).tolist() == [0.2]


@pytest.mark.parametrize("name", ["gelu", "softplus"])
def test_rule21_gelu_softplus_at_0_is_half(name):  # SPEC rule 21
    assert _same(lambda t, F, x: getattr(F, name)(x), [0.0]).tolist() == [0.5]
    if name == "gelu":
        g = _same(lambda t, F, x: F.gelu(x, approximate="tanh"), [0.0])
        assert g.tolist() == [0.5]


def test_rule21_elu_at_0_is_1():  # SPEC rule 21
    assert _same(lambda t, F, x: F.elu(x), [0.0]).tolist() == [1.0]
    # The negative branch owns 0: with alpha=2 the slope there is alpha.
    assert _same(lambda t, F, x: F.elu(x, 2.0), [0.0]).tolist() == [2.0]


# ----- more kinks, NaN and inf: every op against PyTorch at special points -----------------------
SPECIAL = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 3.0, -3.0, 6.0, 1e-30, -20.0, 25.0]

ACTIVATIONS = {
    "relu": lambda t, F, x: t.relu(x),
    "leaky_relu": lambda t, F, x: F.leaky_relu(x, 0.1),
    "hardtanh": lambda t, F, x: F.hardtanh(x, -0.5, 3.0),
    "relu6": lambda t, F, x: F.relu6(x),
    "threshold": lambda t, F, x: F.threshold(x, 0.5, -4.0),
    "hardshrink": lambda t, F, x: F.hardshrink(x),
    "softshrink": lambda t, F, x: F.softshrink(x),
    "elu": lambda t, F, x: F.elu(x, 1.5),
    "selu": lambda t, F, x: F.selu(x),
    "celu": lambda t, F, x: F.celu(x, 0.5),
    "gelu": lambda t, F, x: F.gelu(x),
    "gelu_tanh": lambda t, F, x: F.gelu(x, approximate="tanh"),
    "silu": lambda t, F, x: F.silu(x),
    "softplus": lambda t, F, x: F.softplus(x),
    "softplus_beta": lambda t, F, x: F.softplus(x, 2.0, 6.0),
    "logsigmoid": lambda t, F, x: F.logsigmoid(x),
    "mish": lambda t, F, x: F.mish(x),
    "hardsigmoid": lambda t, F, x: F.hardsigmoid(x),
    "hardswish": lambda t, F, x: F.hardswish(x),
    "softsign": lambda t, F, x: F.softsign(x),
    "tanhshrink": lambda t, F, x: F.tanhshrink(x),
    "sigmoid": lambda t, F, x: t.sigmoid(x),
    "tanh": lambda t, F, x: t.tanh(x),
}

UNARY = {
    name: (lambda n: lambda t, F, x: getattr(t, n)(x))(name)
    for name in [
        "exp", "exp2", "expm1", "log", "log1p", "log2", "log10", "sqrt", "rsqrt", "reciprocal",
        "square", "sin", "cos", "tan", "asin", "acos", "atan", "sinh", "cosh", "asinh", "acosh",
        "atanh", "erf", "floor", "ceil", "round", "trunc", "frac", "sign", "abs",
    ]
}  # fmt: skip
UNARY["round_decimals"] = lambda t, F, x: t.round(x, decimals=1)
UNARY["clamp"] = lambda t, F, x: t.clamp(x, -0.5, 3.0)
UNARY["clamp_min"] = lambda t, F, x: t.clamp(x, min=0.5)
UNARY["clamp_max"] = lambda t, F, x: t.clamp(x, max=0.5)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS) + sorted(UNARY))
def test_special_points_match_torch(name):
    fn = ACTIVATIONS.get(name) or UNARY[name]
    with np.errstate(all="ignore"):
        # PyTorch's softshrink signs its zeros differently in its vectorised and scalar loops.
        _same(fn, SPECIAL, signed_zeros=name != "softshrink")


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_grad_fn_names_match_torch(name):
    fn = ACTIVATIONS[name]
    e = fn(ember, EF, ember.tensor([0.3, -0.7], requires_grad=True))
    t = fn(torch, TF, torch.tensor([0.3, -0.7], requires_grad=True))
    assert e.grad_fn.name() == t.grad_fn.name()


def test_nan_propagates_and_sign_of_nan_is_zero():
    for name in ["relu", "hardtanh", "elu", "gelu", "softplus", "silu", "threshold"]:
        y, _ = _grad(ember, lambda x, n=name: ACTIVATIONS[n](ember, EF, x), [NAN])
        assert math.isnan(y[0]), name
    y, g = _grad(ember, ember.sign, [NAN])
    assert y.tolist() == [0.0] == torch.sign(torch.tensor([NAN])).tolist()
    _, g = _grad(ember, ember.abs, [NAN, 2.0])
    assert g.tolist() == [0.0, 1.0]


# ----- stability: "stay finite at inputs of +-1e4" ---------------------------------------------
@pytest.mark.parametrize(
    "name", ["sigmoid", "softplus", "logsigmoid", "silu", "mish", "gelu", "gelu_tanh", "elu"]
)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_finite_at_1e4(name, dtype):
    fn = ACTIVATIONS[name]
    values = [1e4, -1e4, 800.0, -800.0, 88.0, -88.0]
    with np.errstate(over="raise", invalid="raise", divide="raise"):  # no warnings either
        ey, eg = _grad(ember, lambda x: fn(ember, EF, x), values, dtype)
    ty, tg = _grad(torch, lambda x: fn(torch, TF, x), values, dtype)
    assert np.isfinite(ey).all() and np.isfinite(eg).all()
    np.testing.assert_allclose(ey, ty, rtol=1e-6, atol=0)
    np.testing.assert_allclose(eg, tg, rtol=1e-6, atol=0)


def test_logsigmoid_literal_tails():
    y, g = _grad(ember, EF.logsigmoid, [1e4, -1e4])
    assert y.tolist() == [0.0, -1e4] and g.tolist() == [0.0, 1.0]


# ----- binary ops: NaN, ties, inverted bounds -----------------------------------------------------
A = [1.0, 2.0, NAN, NAN, 0.0, 3.0, -0.0, INF, 2.0]
B = [1.0, NAN, 2.0, NAN, 0.0, 1.0, 0.0, INF, -INF]


def _binary(op, a, b, rtol=0.0):
    out = {}
    for lib in (ember, torch):
        ta = lib.tensor(a, dtype=lib.float64, requires_grad=True)
        tb = lib.tensor(b, dtype=lib.float64, requires_grad=True)
        y = op(lib, ta, tb)
        ga, gb = lib.autograd.grad(y.sum(), [ta, tb], allow_unused=True)
        out[lib.__name__] = (y.tolist(), ga.tolist(), gb.tolist(), y.grad_fn.name())
    e, t = out["ember"], out["torch"]
    for k in range(3):
        np.testing.assert_allclose(np.array(e[k]), np.array(t[k]), rtol=rtol, equal_nan=True)
    assert e[3] == t[3]
    return e


@pytest.mark.parametrize("op", ["maximum", "minimum", "fmax", "fmin", "atan2", "hypot"])
def test_binary_special_points_match_torch(op):
    with np.errstate(all="ignore"):
        _binary(lambda t, a, b: getattr(t, op)(a, b), A, B)


def test_maximum_nan_sends_gradient_to_both():
    _, ga, gb, _ = _binary(lambda t, a, b: t.maximum(a, b), [NAN, 1.0], [1.0, NAN])
    assert ga == [1.0, 1.0] and gb == [1.0, 1.0]


def test_fmax_tie_goes_to_first():
    _, ga, gb, _ = _binary(lambda t, a, b: t.fmax(a, b), [1.0, NAN], [1.0, 2.0])
    assert ga == [1.0, 0.0] and gb == [0.0, 1.0]


def test_atan2_origin_gradient_zero():
    _, ga, gb, _ = _binary(lambda t, a, b: t.atan2(a, b), [0.0], [0.0])
    assert ga == [0.0] and gb == [0.0]


def test_copysign_zero_gradient_at_zero():
    _, ga, gb, _ = _binary(lambda t, a, b: t.copysign(a, b), [3.0, 0.0, -0.0], [-1.0, -1.0, 1.0])
    assert ga == [-1.0, 0.0, 0.0] and gb == [0.0, 0.0, 0.0]


def test_clamp_tensor_bounds_nan_and_inverted():
    x = [0.0, 1.0, 2.0, 3.0, 5.0, NAN, 1.0, 3.7]
    lo = [1.0, 1.0, 1.0, 4.0, 4.0, 0.0, NAN, 4.0]
    hi = [2.0, 2.0, 2.0, 3.5, 4.5, 1.0, 2.0, 3.5]
    out = {}
    for lib in (ember, torch):
        ts = [lib.tensor(v, dtype=lib.float64, requires_grad=True) for v in (x, lo, hi)]
        y = lib.clamp(*ts)
        gs = lib.autograd.grad(y.sum(), ts)
        out[lib.__name__] = [y.tolist()] + [g.tolist() for g in gs] + [y.grad_fn.name()]
    e, t = out["ember"], out["torch"]
    for k in range(4):
        np.testing.assert_array_equal(np.array(e[k]), np.array(t[k]))
    assert e[4] == t[4] == "ClampBackward0"
    # Inclusive bounds: x == lo gets the gradient, lo does not.
    assert e[1][1] == 1.0 and e[2][1] == 0.0


def test_lerp_weights_and_names():
    for w in (0.3, 0.8):
        # PyTorch uses a fused multiply-add: the last bit may differ.
        _binary(lambda t, a, b, w=w: t.lerp(a, b, w), [1.0, 2.0, -1.0], [3.0, 5.0, 4.0], 1e-15)
    out = {}
    for lib in (ember, torch):
        ts = [
            lib.tensor(v, dtype=lib.float64, requires_grad=True)
            for v in ([1.0, 2.0], [3.0, 5.0], [0.3, 0.8])
        ]
        y = lib.lerp(*ts)
        out[lib.__name__] = [y.tolist()] + [g.tolist() for g in lib.autograd.grad(y.sum(), ts)]
        assert y.grad_fn.name() == "LerpBackward1"
    np.testing.assert_allclose(np.array(out["ember"]), np.array(out["torch"]), rtol=1e-15)


# ----- dtypes -------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", sorted(ACTIVATIONS) + sorted(UNARY))
def test_float16_keeps_torch_dtype(name):
    fn = ACTIVATIONS.get(name) or UNARY[name]
    values = [-2.5, -0.75, 0.0, 0.3, 1.25, 2.0]
    with np.errstate(all="ignore"):
        e = fn(ember, EF, ember.tensor(values, dtype=ember.float16))
    t = fn(torch, TF, torch.tensor(values, dtype=torch.float16))
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(
        np.array(e.tolist(), dtype=float), t.float().numpy(), rtol=4e-3, atol=2e-3, equal_nan=True
    )


@pytest.mark.parametrize("name", sorted(ACTIVATIONS) + sorted(UNARY))
@pytest.mark.parametrize("dtype", ["int64", "bool"])
def test_integer_inputs_like_torch(name, dtype):
    fn = ACTIVATIONS.get(name) or UNARY[name]
    values = [True, False, True] if dtype == "bool" else [-3, 0, 2]
    try:
        t = fn(torch, TF, torch.tensor(values, dtype=getattr(torch, dtype)))
    except Exception as err:
        with pytest.raises(type(err)) as info:
            fn(ember, EF, ember.tensor(values, dtype=getattr(ember, dtype)))
        assert str(info.value) == str(err)
        return
    with np.errstate(all="ignore"):
        e = fn(ember, EF, ember.tensor(values, dtype=getattr(ember, dtype)))
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(
        np.array(e.tolist(), dtype=float),
        np.array(t.tolist(), dtype=float),
        rtol=1e-6,
        equal_nan=True,
    )


@pytest.mark.parametrize(
    "case",
    [
        lambda t: t.clamp(t.tensor([1, 2, -3]), 0.5),
        lambda t: t.clamp(t.tensor([1, 2, -3]), 0, 1),
        lambda t: t.clamp(t.tensor([1.0, -2.0], dtype=t.float16), t.tensor(0.5, dtype=t.float64)),
        lambda t: t.clamp(t.tensor([1.0, -2.0], dtype=t.float16), t.tensor([0.5], dtype=t.float64)),
        lambda t: t.clamp(t.tensor([True, False]), 0, 1),
        lambda t: t.maximum(t.tensor([1, 2]), t.tensor([0.5])),
        lambda t: t.atan2(t.tensor([1, 2]), t.tensor([2, 2])),
        lambda t: t.copysign(t.tensor([1, 2]), -1),
        lambda t: t.float_power(t.tensor([1, 2]), 2),
        lambda t: t.float_power(2, t.tensor([1.0, -2.0], dtype=t.float16)),
        lambda t: t.square(t.tensor([True, False])),
        lambda t: t.hypot(t.tensor([3.0], dtype=t.float16), t.tensor([4.0], dtype=t.float16)),
    ],
)
def test_binary_dtypes_like_torch(case):
    e, t = case(ember), case(torch)
    assert str(e.dtype) == str(t.dtype)
    assert e.tolist() == pytest.approx(t.tolist())


# ----- errors -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "case",
    [
        lambda t, F: t.clamp(t.ones(2)),
        lambda t, F: t.clip(t.ones(2)),
        lambda t, F: F.gelu(t.ones(2), approximate="foo"),
        lambda t, F: F.hardtanh(t.ones(2), 2.0, 1.0),
        lambda t, F: F.softshrink(t.ones(2), -0.5),
        lambda t, F: F.celu(t.ones(2), 0.0),
        lambda t, F: F.glu(t.ones(3)),
        lambda t, F: F.prelu(t.ones(2, 3), t.ones(2)),
        lambda t, F: t.maximum(t.ones(2), 0),
        lambda t, F: t.atan2(t.ones(2), 1.0),
        lambda t, F: t.lerp(t.ones(2), t.ones(2, dtype=t.float64), 0.5),
        lambda t, F: t.lerp(t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64), 0.5),
        lambda t, F: t.hypot(t.ones(2, dtype=t.int64), t.ones(2, dtype=t.int64)),
        lambda t, F: t.clamp(t.zeros(3), t.zeros(2)),
        lambda t, F: t.maximum(t.zeros(3), t.zeros(2)),
        lambda t, F: t.relu(t.tensor([True])),
        lambda t, F: t.frac(t.tensor([1])),
        lambda t, F: t.round(t.tensor([15]), decimals=-1),
        lambda t, F: t.floor(t.tensor([True])),
    ],
)
def test_errors_match_torch(case):
    with pytest.raises(Exception) as t_err:
        case(torch, TF)
    with pytest.raises(type(t_err.value)) as e_err:
        case(ember, EF)
    assert str(e_err.value).startswith(str(t_err.value).split("\n")[0])


# ----- values -------------------------------------------------------------------------------------
def test_erf_matches_torch_to_float64_precision():
    x = np.concatenate([np.linspace(-7, 7, 20001), [0.0, -0.0, 5e-324, 1e-300, INF, -INF, NAN]])
    e = ember.erf(ember.tensor(x)).numpy()
    t = torch.erf(torch.from_numpy(x)).numpy()
    np.testing.assert_allclose(e, t, rtol=1e-14, atol=0, equal_nan=True)


@pytest.mark.parametrize("decimals", [3, 1, -1, -2])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_decimals_values(decimals, dtype):
    v = [1.25, 2.5, 3.5, -2.5, 15.0, 25.0, 0.125, 1234.5678, 0.35, -0.004]
    e = ember.round(ember.tensor(v, dtype=getattr(ember, dtype)), decimals=decimals)
    t = torch.round(torch.tensor(v, dtype=getattr(torch, dtype)), decimals=decimals)
    assert e.tolist() == t.tolist()
    assert np.signbit(e.numpy()).tolist() == np.signbit(t.numpy()).tolist()


@pytest.mark.parametrize("name", ["elu", "leaky_relu", "hardtanh", "relu6", "silu", "mish"])
def test_inplace_flag_writes_into_input(name):
    results = {}
    for lib, F in ((ember, EF), (torch, TF)):
        leaf = lib.tensor([-1.5, 0.5, 2.0, 7.0], requires_grad=True)
        x = leaf * 1.0
        y = getattr(F, name)(x, inplace=True)
        assert y is x
        y.sum().backward()
        results[lib.__name__] = (y.tolist(), leaf.grad.tolist())
    np.testing.assert_allclose(np.array(results["ember"]), np.array(results["torch"]), rtol=1e-6)


def test_second_order_through_activations():
    for name in ["gelu", "silu", "softplus", "mish", "logsigmoid", "elu", "selu"]:
        vals = {}
        for lib, F in ((ember, EF), (torch, TF)):
            x = lib.tensor([-1.3, -0.2, 0.4, 2.1], dtype=lib.float64, requires_grad=True)
            (g,) = lib.autograd.grad(getattr(F, name)(x).sum(), [x], create_graph=True)
            (gg,) = lib.autograd.grad(g.sum(), [x])
            vals[lib.__name__] = gg.tolist()
        np.testing.assert_allclose(vals["ember"], vals["torch"], rtol=1e-10, err_msg=name)


@pytest.mark.parametrize("name", ["maximum_", "minimum_", "fmax_", "fmin_", "clamp_min_"])
def test_in_place_forms_exist_exactly_where_pytorch_has_them(name):
    assert hasattr(ember.Tensor, name) == hasattr(torch.Tensor, name)
