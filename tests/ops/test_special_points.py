"""Values, first and second derivatives at special points against PyTorch: pow with a tensor or
a number on either side (base 0, exponent 0, negative bases), the kinks of the piecewise
activations and clamp, abs and sqrt at 0; integer division and the bit shifts."""

from __future__ import annotations

import math

import numpy as np
import pytest

import ember
from ember.ops import activation as EF

torch = pytest.importorskip("torch")
TF = torch.nn.functional

INF, NAN = math.inf, math.nan
BASES = [0.0, -0.0, 1.0, -1.0, 2.0, -2.0, 0.5, -1.5, INF, -INF, NAN]
EXPONENTS = [-3, -2, -1, -0.5, 0, 0.5, 1, 2, 3, 2.5, -2.5]


def _derivatives(lib, fn, values, dtype):
    """Output, first and second derivative (upstream ones) of ``fn`` at ``values`` in
    ``lib``: each an array, or the type of the exception raised computing it."""
    xs = [lib.tensor(v, dtype=getattr(lib, dtype), requires_grad=True) for v in values]
    y = fn(lib, *xs)
    out = [y.detach().numpy().astype(float)]
    try:
        gs = lib.autograd.grad(y.sum(), xs, create_graph=True, allow_unused=True)
    except RuntimeError as e:
        return out + [type(e), type(e)]
    out.append([None if g is None else g.detach().numpy().astype(float) for g in gs])
    try:
        total = sum(g.sum() for g in gs if g is not None and g.requires_grad)
        if isinstance(total, int):
            raise RuntimeError("element 0 of tensors does not require grad")
        ggs = lib.autograd.grad(total, xs, allow_unused=True)
        # PyTorch may return a ZeroTensor, which refuses numpy() and tolist(): add 0 first
        out.append([None if g is None else np.array((g + 0).tolist(), dtype=float) for g in ggs])
    except RuntimeError as e:
        out.append(type(e))
    return out


def _assert_same(e, t, what):
    if isinstance(t, type) or isinstance(e, type):
        assert e is t, f"{what}: ember {e}, torch {t}"
        return
    if isinstance(t, list):
        assert len(e) == len(t)
        for k, (ek, tk) in enumerate(zip(e, t)):
            if tk is None or ek is None:
                # PyTorch's unused input is None; Ember may give zeros (or the reverse)
                other = ek if tk is None else tk
                assert other is None or not np.any(other), f"{what}[{k}]"
                continue
            _assert_same(ek, tk, f"{what}[{k}]")
        return
    np.testing.assert_allclose(e, t, rtol=1e-6, atol=1e-200, equal_nan=True, err_msg=what)


def _same(fn, *values, dtype="float64", order=2):
    with np.errstate(all="ignore"):
        e = _derivatives(ember, fn, values, dtype)
    t = _derivatives(torch, fn, values, dtype)
    for k, what in enumerate(["value", "first derivative", "second derivative"][: order + 1]):
        _assert_same(e[k], t[k], what)


# ----- pow ----------------------------------------------------------------------------------
@pytest.mark.parametrize("e", EXPONENTS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_tensor_to_number(e, dtype):
    _same(lambda t, x: t.pow(x, e), BASES, dtype=dtype)
    _same(lambda t, x: x**e, BASES, dtype=dtype)


@pytest.mark.parametrize("base", [0.0, 1.0, 2.0, 0.5, -2.0, 3])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_number_to_tensor(base, dtype):
    # torch.pow(0.0, x) has gradient -inf at negative x (issue: Ember gave 0).
    _same(lambda t, x: t.pow(base, x), [float(v) for v in EXPONENTS], dtype=dtype)
    _same(lambda t, x: base**x, [float(v) for v in EXPONENTS], dtype=dtype)


def test_pow_of_zero_has_minus_inf_gradient_at_negative_exponents():
    x = ember.tensor([-2.0, -1.0], requires_grad=True)
    ember.pow(0.0, x).sum().backward()
    assert x.grad.tolist() == [-INF, -INF]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_pow_tensor_to_tensor(dtype):
    grid_b, grid_e = np.meshgrid(BASES, [float(v) for v in EXPONENTS])
    _same(lambda t, a, b: t.pow(a, b), grid_b.ravel(), grid_e.ravel(), dtype=dtype)
    _same(lambda t, a, b: a ** b[0], BASES, [2.0], dtype=dtype)  # a 1-element exponent


@pytest.mark.parametrize("case", ["int_base", "int_both", "bool_base"])
def test_pow_integer_operands(case):
    def run(lib):
        i = lib.tensor([0, 1, 2, -3])
        return {
            "int_base": lambda: lib.pow(i, 2.5),
            "int_both": lambda: lib.pow(i, lib.tensor([2, 0, 3, 1])),
            "bool_base": lambda: lib.pow(lib.tensor([True, False]), 2),
        }[case]()

    e, t = run(ember), run(torch)
    assert str(e.dtype) == str(t.dtype)
    np.testing.assert_allclose(e.numpy(), t.numpy(), equal_nan=True)


def test_pow_integer_negative_exponent_refused_as_torch():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="Integers to negative integer powers"):
            lib.pow(lib.tensor([1, 2]), -1)


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x: t.pow(x, 2),
        lambda t, x: t.pow(x, x),
        lambda t, x: t.pow(2.0, x),
        lambda t, x: t.float_power(x, 2),
        lambda t, x: t.float_power(x, x),
        lambda t, x: t.float_power(2, x),
        lambda t, x: t.square(x),
    ],
)
def test_pow_grad_fn_names(fn):
    e = fn(ember, ember.tensor([0.5, 2.0], requires_grad=True))
    t = fn(torch, torch.tensor([0.5, 2.0], requires_grad=True))
    assert e.grad_fn.name() == t.grad_fn.name()
    assert str(e.dtype) == str(t.dtype)


def test_float_power_inplace_needs_double():
    for lib in (ember, torch):
        with pytest.raises(RuntimeError, match="base given to float_power_ has dtype Float"):
            lib.ones(2).float_power_(2)
        x = lib.full((2,), 3.0, dtype=lib.float64)
        assert x.float_power_(2).tolist() == [9.0, 9.0]


# ----- kinks of the piecewise ops, abs and sqrt at 0 --------------------------------------------
KINKS = [-6.0, -3.0, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 3.0, 6.0, 20.0, -2.0, 2.5]

PIECEWISE = {
    "abs": lambda t, F, x: t.abs(x),
    "sqrt": lambda t, F, x: t.sqrt(x),
    "clamp": lambda t, F, x: t.clamp(x, -1.0, 1.0),
    "clamp_min": lambda t, F, x: x.clamp(min=0.0),
    "clamp_max": lambda t, F, x: t.clamp_max(x, 0.5),
    "relu": lambda t, F, x: t.relu(x),
    "elu": lambda t, F, x: F.elu(x),
    "elu_alpha": lambda t, F, x: F.elu(x, 2.0),
    "selu": lambda t, F, x: F.selu(x),
    "celu": lambda t, F, x: F.celu(x, 0.5),
    "hardtanh": lambda t, F, x: F.hardtanh(x),
    "leaky_relu": lambda t, F, x: F.leaky_relu(x, 0.2),
    "relu6": lambda t, F, x: F.relu6(x),
    "hardsigmoid": lambda t, F, x: F.hardsigmoid(x),
    "hardswish": lambda t, F, x: F.hardswish(x),
    "softplus": lambda t, F, x: F.softplus(x),
    "softplus_threshold": lambda t, F, x: F.softplus(x, 2.0, 1.0),
    "gelu": lambda t, F, x: F.gelu(x),
    "gelu_tanh": lambda t, F, x: F.gelu(x, approximate="tanh"),
    "threshold": lambda t, F, x: F.threshold(x, 0.5, -1.0),
    "hardshrink": lambda t, F, x: F.hardshrink(x),
    "softshrink": lambda t, F, x: F.softshrink(x),
}


@pytest.mark.parametrize("name", sorted(PIECEWISE))
def test_kinks_first_and_second_order(name):
    fn = PIECEWISE[name]

    def both(t, x):
        return fn(t, EF if t is ember else TF, x)

    _same(both, KINKS)


def test_elu_second_derivative_at_zero_is_zero():
    x = ember.tensor([0.0, -1.0], dtype=ember.float64, requires_grad=True)
    (g,) = ember.autograd.grad(EF.elu(x).sum(), x, create_graph=True)
    (gg,) = ember.autograd.grad(g.sum(), x)
    assert gg.tolist() == [0.0, math.exp(-1.0)]


# ----- division with rounding, floor_divide, remainder, fmod ------------------------------------
INTS = [7, -7, 6, -6, 1, 0, -1]
DIVISORS = [2, -2, 3, -3, 7, 5, -4]


@pytest.mark.parametrize("mode", ["trunc", "floor"])
@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8", "float32"])
def test_div_rounding_keeps_the_dtype(mode, dtype):
    e = ember.div(ember.tensor(INTS).to(getattr(ember, dtype)), 2, rounding_mode=mode)
    t = torch.div(torch.tensor(INTS).to(getattr(torch, dtype)), 2, rounding_mode=mode)
    assert str(e.dtype) == str(t.dtype)
    assert e.tolist() == t.tolist()
    e = ember.div(ember.tensor(INTS), ember.tensor(DIVISORS), rounding_mode=mode)
    t = torch.div(torch.tensor(INTS), torch.tensor(DIVISORS), rounding_mode=mode)
    assert e.dtype == ember.int64 and e.tolist() == t.tolist()


@pytest.mark.parametrize(
    "case",
    [
        lambda t: t.div(t.tensor([5]), 0, rounding_mode="trunc"),
        lambda t: t.div(t.tensor([5]), t.tensor([0]), rounding_mode="floor"),
        lambda t: t.div(t.tensor([True]), t.tensor([True]), rounding_mode="trunc"),
        lambda t: t.floor_divide(t.tensor([5]), 0),
        lambda t: t.remainder(t.tensor([5]), 0),
        lambda t: t.fmod(t.tensor([5]), 0),
        lambda t: t.fmod(2.0, t.tensor([1.0])),
        lambda t: t.div(t.ones(2), 2, rounding_mode="round"),
    ],
)
def test_division_errors_as_torch(case):
    with pytest.raises(Exception) as t_err:
        case(torch)
    with pytest.raises(type(t_err.value)) as e_err:
        case(ember)
    assert str(e_err.value).split("\n")[0] == str(t_err.value).split("\n")[0]


@pytest.mark.parametrize(
    "fn",
    [
        lambda t, a, b: t.div(a, b, rounding_mode="trunc"),
        lambda t, a, b: t.div(a, b, rounding_mode="floor"),
        lambda t, a, b: t.remainder(a, b),
        lambda t, a, b: t.remainder(a, 0.7),
        lambda t, a, b: t.fmod(a, b),
        lambda t, a, b: t.fmod(a, -0.7),
        lambda t, a, b: t.rsub(a, b),
        lambda t, a, b: 1.5 - a,
        lambda t, a, b: 2.0 / a,
    ],
)
def test_division_values_gradients_and_names(fn):
    a = [5.5, -5.5, 3.0, -0.25, 7.0]
    b = [2.0, 2.0, -1.5, 0.5, -3.0]
    _same(fn, a, b, order=1)
    e = fn(ember, ember.tensor(a, requires_grad=True), ember.tensor(b, requires_grad=True))
    t = fn(torch, torch.tensor(a, requires_grad=True), torch.tensor(b, requires_grad=True))
    assert e.grad_fn.name() == t.grad_fn.name()


@pytest.mark.parametrize(
    "fn", [lambda t, a, b: t.floor_divide(a, b), lambda t, a, b: a // b, lambda t, a, b: 2.0 % a]
)
def test_ops_pytorch_cannot_differentiate(fn):
    out = {}
    for lib in (ember, torch):
        a = lib.tensor([5.5, -3.0], requires_grad=True)
        y = fn(lib, a, lib.tensor([2.0, 2.0]))
        with pytest.raises(RuntimeError) as err:
            y.sum().backward()
        out[lib.__name__] = (y.tolist(), y.requires_grad, y.grad_fn.name(), str(err.value))
    assert out["ember"] == out["torch"]


# ----- bit shifts ----------------------------------------------------------------------------
SHIFTS = [0, 1, 3, 62, 63, 64, 65, -1]


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
def test_shifts_match_torch(dtype):
    values = [1, -8, 5, 3, 0, 127, -128, 100] if dtype != "uint8" else [1, 200, 5, 3, 0, 127]
    for s in SHIFTS:
        for fn in (
            lambda t, a, s=s: a << s,
            lambda t, a, s=s: a >> s,
            lambda t, a, s=s: t.bitwise_left_shift(a, s),
            lambda t, a, s=s: t.bitwise_right_shift(a, t.tensor(s)),
        ):
            e = fn(ember, ember.tensor(values, dtype=getattr(ember, dtype)))
            t = fn(torch, torch.tensor(values, dtype=getattr(torch, dtype)))
            assert str(e.dtype) == str(t.dtype) and e.tolist() == t.tolist(), (dtype, s)


@pytest.mark.parametrize(
    "case",
    [
        lambda t: 1 << t.tensor([2, 3]),
        lambda t: 64 >> t.tensor([2, 3]),
        lambda t: t.tensor([True, False]) << 1,
        lambda t: t.tensor([1, 2], dtype=t.int8) << t.tensor([1, 2]),
        lambda t: t.tensor([1, 2], dtype=t.int32) >> 1,
        lambda t: t.tensor([4, 8]).bitwise_right_shift(t.tensor([1, 2])),
    ],
)
def test_shift_forms_and_dtypes(case):
    e, t = case(ember), case(torch)
    assert str(e.dtype) == str(t.dtype) and e.tolist() == t.tolist()


def test_inplace_shifts():
    for lib in (ember, torch):
        a = lib.tensor([1, 2, 3])
        a <<= 2
        a >>= 1
        a.bitwise_left_shift_(1)
        a.bitwise_right_shift_(lib.tensor([0, 1, 2]))
        assert a.tolist() == [4, 4, 3]


@pytest.mark.parametrize(
    "case",
    [
        lambda t: t.tensor([1.0]) << 1,
        lambda t: t.tensor([1]) << 1.5,
        lambda t: t.tensor([1]) >> t.tensor([1.0]),
        lambda t: t.tensor([True]) >> t.tensor([True]),
        lambda t: t.bitwise_left_shift(t.tensor([1], dtype=t.float64), 2),
    ],
)
def test_shift_errors_as_torch(case):
    with pytest.raises(Exception) as t_err:
        case(torch)
    with pytest.raises(type(t_err.value)) as e_err:
        case(ember)
    assert str(e_err.value) == str(t_err.value)


# ----- zero gradients ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "fn",
    [
        lambda t, x, y: x.round(),
        lambda t, x, y: x.floor(),
        lambda t, x, y: x.ceil(),
        lambda t, x, y: x.trunc(),
        lambda t, x, y: x.sign(),
        lambda t, x, y: x.round(decimals=1),
        lambda t, x, y: t.div(x, y, rounding_mode="trunc"),
        lambda t, x, y: t.div(x, y, rounding_mode="floor"),
        lambda t, x, y: x**0,
        lambda t, x, y: (x * 1).fill_(2.0),
        lambda t, x, y: (x * 1).zero_(),
        lambda t, x, y: (x * 1).copy_(y),
        lambda t, x, y: t.copysign(y, x),
        lambda t, x, y: t.where(x > 0, y, x),
    ],
)
def test_zero_gradients_stay_zero_for_nan_upstream(fn):
    """PyTorch's zero gradients are zeros, not ``grad * 0``: a NaN upstream gives 0."""
    grads = {}
    for lib in (ember, torch):
        x = lib.tensor([1.5, -2.5, 0.5], requires_grad=True)
        y = lib.tensor([2.0, 2.0, -1.0], requires_grad=True)
        up = lib.tensor([NAN, -1.0, INF])
        g = lib.autograd.grad(fn(lib, x, y), [x], up, allow_unused=True)[0]
        grads[lib.__name__] = np.array((g + 0).tolist())
    e, t = grads["ember"], grads["torch"]
    np.testing.assert_array_equal(e, t)
    np.testing.assert_array_equal(np.signbit(e), np.signbit(t))
