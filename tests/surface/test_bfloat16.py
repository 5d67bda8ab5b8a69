"""bfloat16 as a real dtype: values, casts, printing, promotion, arithmetic and autograd,
each compared with PyTorch bit for bit."""

import math

import numpy as np
import pytest
import torch

import ember

DTYPES = ["float16", "bfloat16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8"]


def _floats(t):
    """The values of a tensor of either library as a float64 array (NaN compares equal)."""
    return np.array(t.double().tolist() if hasattr(t, "double") else t, dtype=np.float64)


def _same_values(e, t):
    a, b = _floats(e), _floats(t)
    assert a.shape == b.shape
    assert np.array_equal(a, b, equal_nan=True), (a[a != b][:5], b[a != b][:5])


def _all_bfloat16_values():
    """Every bfloat16 bit pattern, in both libraries (NaNs and infinities included)."""
    bits = np.arange(1 << 16, dtype=np.uint16)
    e = ember.Tensor._make(bits.view(ember.bfloat16.np).copy())
    t = torch.from_numpy(bits.view(np.int16).copy()).view(torch.bfloat16)
    return e, t


def _tie_heavy_doubles():
    """Doubles that land on or next to bfloat16/float16 rounding ties (where rounding once
    from float64 and rounding through float32 disagree), plus ordinary ones."""
    rng = np.random.default_rng(0)
    f = rng.standard_normal(600).astype(np.float32)
    out = [float(x) for x in rng.standard_normal(200) * 10.0 ** rng.integers(-30, 30, 200)]
    for mask, half in ((0xFFFF0000, 0x8000), (0xFFFFE000, 0x1000)):
        bits = (f.view(np.uint32) & mask) | half
        for m in bits.view(np.float32).tolist():
            out += [m, m + abs(m) * 1e-12, m - abs(m) * 1e-12]
    return out + [1e39, -1e39, 3.3895313892515355e38, 0.0, -0.0]


def test_dtype_object_and_queries():
    assert repr(ember.bfloat16) == repr(torch.bfloat16) == "torch.bfloat16"
    assert ember.bfloat16.is_floating_point and not ember.bfloat16.is_complex
    assert ember.bfloat16.itemsize == torch.bfloat16.itemsize == 2
    assert ember.bfloat16.is_signed is torch.bfloat16.is_signed
    for lib in (ember, torch):
        t = lib.ones(2, dtype=lib.bfloat16)
        assert t.is_floating_point() and lib.is_floating_point(t) and not t.is_complex()
        assert t.element_size() == 2
        assert t.type() == "torch.BFloat16Tensor"


def test_finfo_matches_torch():
    e, t = ember.finfo(ember.bfloat16), torch.finfo(torch.bfloat16)
    for field in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution"):
        assert getattr(e, field) == getattr(t, field), field
    assert repr(e) == repr(t)


def test_tensor_from_python_floats_rounds_as_torch():
    values = _tie_heavy_doubles()
    for name in ("bfloat16", "float16"):
        e = ember.tensor(values, dtype=getattr(ember, name))
        t = torch.tensor(values, dtype=getattr(torch, name))
        _same_values(e, t)


@pytest.mark.parametrize("src", DTYPES)
def test_casts_into_16_bit_floats_match_torch(src):
    values = _tie_heavy_doubles()
    for dst in ("bfloat16", "float16"):
        if src.startswith(("int", "uint")):
            info = np.iinfo(src)
            ints = np.random.default_rng(1).integers(info.min, info.max, 3000, endpoint=True)
            e_in = ember.tensor(ints.astype(src))
            t_in = torch.from_numpy(ints.astype(src))
        else:
            e_in = ember.tensor(values, dtype=ember.float64).to(getattr(ember, src))
            t_in = torch.tensor(values, dtype=torch.float64).to(getattr(torch, src))
        _same_values(e_in.to(getattr(ember, dst)), t_in.to(getattr(torch, dst)))


@pytest.mark.parametrize("dst", DTYPES + ["bool"])
def test_every_bfloat16_value_casts_as_torch(dst):
    e, t = _all_bfloat16_values()
    er, tr = e.to(getattr(ember, dst)), t.to(getattr(torch, dst))
    if dst.startswith(("int", "uint")):
        # Out-of-range and NaN casts are undefined in C; compare the values that fit.
        f = _floats(t)
        info = np.iinfo(dst)
        ok = np.isfinite(f) & (f > info.min - 1) & (f < info.max + 1)
        if dst == "uint8":
            ok &= f > -129
        assert np.array_equal(_floats(er)[ok], _floats(tr)[ok])
    else:
        _same_values(er, tr)


def test_numpy_interop_refuses_bfloat16_as_torch():
    for lib in (ember, torch):
        t = lib.ones(2, dtype=lib.bfloat16)
        with pytest.raises(TypeError, match="Got unsupported ScalarType BFloat16"):
            t.numpy()
        with pytest.raises(TypeError, match="Got unsupported ScalarType BFloat16"):
            np.asarray(t)
        assert t.tolist() == [1.0, 1.0] and t[0].item() == 1.0
    array = np.ones(2, ember.bfloat16.np)
    for fn in (ember.from_numpy, ember.tensor, ember.as_tensor):
        with pytest.raises(TypeError, match="can't convert np.ndarray of type ml_dtypes.bfloat16"):
            fn(array)
    # Ember's escape hatch: the ml_dtypes array itself.
    assert ember.ones(2, dtype=ember.bfloat16).numpy(force=True).dtype == array.dtype


def test_printing_matches_torch():
    rng = np.random.default_rng(0)
    cases = [0.1, 1.0, -0.0, [], [1.0, 2.0], [1e10, 1e-5, 3.0], [math.inf, -1.5, math.nan]]
    for k in range(60):
        shape = tuple(int(s) for s in rng.integers(1, 5, int(rng.integers(0, 4))))
        v = rng.standard_normal(shape) * 10.0 ** int(rng.integers(-6, 10))
        cases.append((np.round(v) if k % 3 == 0 else v).tolist())
    cases.append(rng.standard_normal((40, 40)).tolist())  # summarised
    for c in cases:
        for rg in (False, True):
            e = ember.tensor(c, dtype=ember.bfloat16, requires_grad=rg)
            t = torch.tensor(c, dtype=torch.bfloat16, requires_grad=rg)
            assert repr(e) == repr(t)
            assert str(e) == str(t)


@pytest.mark.parametrize(
    "other",
    ["float16", "float32", "float64", "int64", "uint8", "bool", "complex64", 1.5, 2, True],
)
@pytest.mark.parametrize("kind", ["t", "0"])
def test_promotion_with_bfloat16(other, kind):
    def run(lib):
        a = lib.tensor([1.5, 2.25] if kind == "t" else 1.5, dtype=lib.bfloat16)
        if isinstance(other, str):
            b = lib.tensor([3, 1], dtype=getattr(lib, other))
            return [(a + b), (b * a), (a / b)]
        return [(a + other), (other * a), (a / other)]

    for e, t in zip(run(ember), run(torch)):
        assert str(e.dtype) == str(t.dtype)
        if not e.is_complex():
            _same_values(e, t)
    for other_name in ("float16", "float32", "int64", "complex64"):
        got = ember.promote_types(ember.bfloat16, getattr(ember, other_name))
        want = torch.promote_types(torch.bfloat16, getattr(torch, other_name))
        assert str(got) == str(want)


@pytest.mark.parametrize("name", ["sin", "tanh", "sigmoid", "sqrt", "log", "abs", "reciprocal"])
def test_unary_ops_compute_in_float32_and_round_once(name):
    # Rounding after every step of a formula (sigmoid's exp, add, divide) would differ.
    v = (np.random.default_rng(2).standard_normal(3000) * 3).tolist()
    e = ember.tensor(v, dtype=ember.bfloat16)
    t = torch.tensor(v, dtype=torch.bfloat16)
    if name in ("sqrt", "log"):
        e, t = e.abs(), t.abs()
    er, tr = getattr(e, name)(), getattr(t, name)()
    assert er.dtype is ember.bfloat16
    _same_values(er, tr)


@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "maximum"])
def test_binary_ops_match_torch_bit_for_bit(op):
    rng = np.random.default_rng(3)
    a, b = (rng.standard_normal(3000) * 5).tolist(), (rng.standard_normal(3000) * 5).tolist()
    e = getattr(ember, op)(
        ember.tensor(a, dtype=ember.bfloat16), ember.tensor(b, dtype=ember.bfloat16)
    )
    t = getattr(torch, op)(
        torch.tensor(a, dtype=torch.bfloat16), torch.tensor(b, dtype=torch.bfloat16)
    )
    assert e.dtype is ember.bfloat16
    _same_values(e, t)


def test_requires_grad_and_gradient_through_a_chain():
    def run(lib):
        x = lib.tensor([0.1, 1.7, -2.3, 0.55], dtype=lib.bfloat16, requires_grad=True)
        w = lib.tensor([0.5, -1.25, 2.0, 0.3], dtype=lib.bfloat16).requires_grad_()
        y = ((x * w + lib.sin(x)).exp() * 3.0 - x * x).sum()
        y.backward()
        return x, w, y

    (ex, ew, ey), (tx, tw, ty) = run(ember), run(torch)
    assert ex.requires_grad and ex.is_leaf and ey.dtype is ember.bfloat16
    assert repr(ey) == repr(ty)
    assert ex.grad.dtype is ember.bfloat16 and ew.grad.dtype is ember.bfloat16
    _same_values(ex.grad, tx.grad)
    _same_values(ew.grad, tw.grad)


def test_integer_bfloat16_cannot_mix_up_with_requires_grad():
    for lib in (ember, torch):
        t = lib.ones(2, dtype=lib.bfloat16)
        assert t.requires_grad_().requires_grad
        with pytest.raises(RuntimeError, match="floating point"):
            lib.ones(2, dtype=lib.int64).requires_grad_()


def test_factories_with_bfloat16():
    for name, fn in {
        "zeros": lambda lib: lib.zeros(2, 3, dtype=lib.bfloat16),
        "full": lambda lib: lib.full((3,), 0.1, dtype=lib.bfloat16),
        "eye": lambda lib: lib.eye(3, dtype=lib.bfloat16),
        "linspace": lambda lib: lib.linspace(-1.3, 7.1, 17, dtype=lib.bfloat16),
        "arange": lambda lib: lib.arange(0, 3, 0.5, dtype=lib.bfloat16),
        "from_tensor": lambda lib: lib.tensor([1.1, 2.2], dtype=lib.float64).to(lib.bfloat16),
    }.items():
        e, t = fn(ember), fn(torch)
        assert repr(e) == repr(t), name


def test_bfloat16_method_casts():
    for lib in (ember, torch):
        t = lib.tensor([1.1, 2.7]).bfloat16()
        assert t.dtype is lib.bfloat16
    _same_values(ember.tensor([1.1, 2.7]).bfloat16(), torch.tensor([1.1, 2.7]).bfloat16())


def test_default_dtype_bfloat16():
    try:
        for lib in (ember, torch):
            lib.set_default_dtype(lib.bfloat16)
        assert ember.get_default_dtype() is ember.bfloat16
        for fn in (
            lambda lib: lib.tensor([1.5, 0.1]),
            lambda lib: lib.ones(2) + 1.5,
            lambda lib: lib.tensor([1, 2]) / 3,
        ):
            assert repr(fn(ember)) == repr(fn(torch))
    finally:
        ember.set_default_dtype(ember.float32)
        torch.set_default_dtype(torch.float32)


def test_cpu_autocast_uses_bfloat16_without_raising():
    import threading

    seen = []

    def fresh_thread():  # autocast state is per thread: a new one has the defaults
        seen.append(str(torch.get_autocast_dtype("cpu")))
        seen.append(ember.get_autocast_dtype("cpu"))
        with ember.autocast("cpu"):
            seen.append((ember.is_autocast_enabled("cpu"), ember.get_autocast_dtype("cpu")))
        seen.append(ember.is_autocast_enabled("cpu"))

    t = threading.Thread(target=fresh_thread)
    t.start()
    t.join()
    assert seen == ["torch.bfloat16", ember.bfloat16, (True, ember.bfloat16), False]
    with ember.autocast("cpu", dtype=ember.bfloat16):
        assert ember.is_autocast_enabled("cpu")
        assert ember.get_autocast_dtype("cpu") is ember.bfloat16
