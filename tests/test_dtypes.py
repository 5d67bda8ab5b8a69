"""dtypes, the default dtype and type promotion against PyTorch (SPEC rules 23-26)."""

import operator

import numpy as np
import pytest
import torch

import ember

NAMES = [
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
]
OPS = {"+": operator.add, "*": operator.mul, "/": operator.truediv}
SCALARS = [True, 3, 2.5]


def _make(lib, name, kind):
    """A tensor of dtype ``name``: ``kind`` is "t" (1-d, 3 elements) or "0" (0-d)."""
    values = [1, 1, 1] if name == "bool" else [1, 2, 3]
    return lib.tensor(values if kind == "t" else values[0], dtype=getattr(lib, name))


def _dtype_name(lib, fn):
    try:
        return str(fn(lib)).replace("torch.", "")
    except Exception as e:  # both libraries must refuse the same combinations
        return type(e).__name__


def _mismatches(cases):
    bad = []
    for label, fn in cases:
        e, t = _dtype_name(ember, fn), _dtype_name(torch, fn)
        if e != t:
            bad.append(f"{label}: ember {e}, torch {t}")
    return bad


def _tensor_pairs(kind_a, kind_b):
    cases = []
    for a in NAMES:
        for b in NAMES:
            for sym, op in OPS.items():

                def fn(lib, a=a, b=b, op=op):
                    return op(_make(lib, a, kind_a), _make(lib, b, kind_b)).dtype

                cases.append((f"{kind_a}:{a} {sym} {kind_b}:{b}", fn))
    return cases


# SPEC rule 24: dimensioned tensors outrank 0-d tensors, which outrank Python scalars.
@pytest.mark.parametrize(("kind_a", "kind_b"), [("t", "t"), ("t", "0"), ("0", "t"), ("0", "0")])
def test_promotion_table_tensor_pairs_match_torch(kind_a, kind_b):
    assert _mismatches(_tensor_pairs(kind_a, kind_b)) == []


@pytest.mark.parametrize("kind", ["t", "0"])
def test_promotion_table_tensor_and_scalar_match_torch(kind):
    cases = []
    for a in NAMES:
        for s in SCALARS:
            for sym, op in OPS.items():

                def left(lib, a=a, s=s, op=op):
                    return op(_make(lib, a, kind), s).dtype

                def right(lib, a=a, s=s, op=op):
                    return op(s, _make(lib, a, kind)).dtype

                cases.append((f"{kind}:{a} {sym} {s!r}", left))
                cases.append((f"{s!r} {sym} {kind}:{a}", right))
    assert _mismatches(cases) == []


def test_promote_types_and_result_type_match_torch():
    for a in NAMES:
        for b in NAMES:
            got = ember.promote_types(getattr(ember, a), getattr(ember, b))
            want = torch.promote_types(getattr(torch, a), getattr(torch, b))
            assert str(got) == str(want), (a, b)


@pytest.mark.parametrize(
    ("make", "other", "want"),
    [
        (lambda lib: lib.ones(2), 2.5, "float32"),
        (lambda lib: lib.ones(2), np.float64(2.5), "float32"),
        (lambda lib: lib.ones(2), "f64_0d", "float32"),
        (lambda lib: lib.ones(2, dtype=lib.int64), 2.5, "float32"),
        (lambda lib: lib.ones(2, dtype=lib.int64), "f64_0d", "float64"),
        (lambda lib: lib.ones(2, dtype=lib.uint8), "i8", "int16"),
        (lambda lib: lib.ones(2, dtype=lib.int32), True, "int32"),
    ],
)
def test_spec_rule24_examples(make, other, want):
    for lib in (ember, torch):
        if other == "f64_0d":
            o = lib.tensor(1.0, dtype=lib.float64)
        elif other == "i8":
            o = lib.ones(2, dtype=lib.int8)
        else:
            o = other
        assert str((make(lib) * o).dtype) == f"torch.{want}"


def test_spec_rule24_integer_division_and_modulo():
    a = ember.tensor([-5, 5])
    assert (a / 2).dtype is ember.float32
    assert (a // 2).tolist() == [-3, 2]
    assert (a % 3).tolist() == [1, 2]
    assert (a // 2).dtype is ember.int64


def test_spec_rule24_values_are_not_inspected_0d():
    # 1000 does not fit int8, yet the result stays int8 (and wraps, as in PyTorch).
    for lib in (ember, torch):
        r = lib.tensor([1, 2], dtype=lib.int8) + lib.tensor(1000)
        assert str(r.dtype) == "torch.int8"
        assert r.tolist() == [-23, -22]


def test_spec_rule24_values_are_not_inspected_python_scalar():
    for lib in (ember, torch):
        r = lib.tensor([1, 2], dtype=lib.int8) + 1000
        assert str(r.dtype) == "torch.int8"
        assert r.tolist() == [-23, -22]


def test_spec_rule25_inplace_cannot_promote():
    t = ember.tensor([1, 2])
    with pytest.raises(
        RuntimeError, match="result type Float can't be cast to the desired output type Long"
    ):
        t.mul_(1.5)
    assert t.tolist() == [1, 2]
    t.mul_(2)  # same category: fine
    assert t.tolist() == [2, 4]


def test_set_default_dtype_float64():
    try:
        ember.set_default_dtype(ember.float64)
        assert ember.get_default_dtype() is ember.float64
        assert ember.tensor([1.0]).dtype is ember.float64
        assert ember.arange(3.0).dtype is ember.float64
        assert ember.zeros(2).dtype is ember.float64
        assert ember.tensor([1, 2]).dtype is ember.int64
        assert (ember.tensor([1, 2]) * 2.5).dtype is ember.float64
        assert ember.tensor([1j]).dtype is ember.complex128
    finally:
        ember.set_default_dtype(ember.float32)
    assert ember.tensor([1.0]).dtype is ember.float32


def test_set_default_dtype_refuses_integers():
    with pytest.raises(TypeError):
        ember.set_default_dtype(ember.int64)
    assert ember.get_default_dtype() is ember.float32


@pytest.mark.parametrize("bad", ["int64", "complex64", "bool", float, "float32", None])
def test_set_default_dtype_errors_match_torch(bad):
    def run(lib):
        d = getattr(lib, bad) if isinstance(bad, str) and bad != "float32" else bad
        with pytest.raises(TypeError) as info:
            lib.set_default_dtype(d)
        return str(info.value)

    assert run(ember) == run(torch)
    assert ember.get_default_dtype() is ember.float32


@pytest.mark.parametrize("name", ["float16", "bfloat16", "float64"])
def test_set_default_dtype_takes_every_float(name):
    try:
        ember.set_default_dtype(getattr(ember, name))
        assert ember.tensor([1.5]).dtype is getattr(ember, name)
        assert ember.zeros(1).dtype is getattr(ember, name)
    finally:
        ember.set_default_dtype(ember.float32)


@pytest.mark.parametrize("name", NAMES)
def test_spec_rule26_sum_dtype(name):
    for lib in (ember, torch):
        t = _make(lib, name, "t")
        want = "int64" if name in ("bool", "int8", "int16", "int32", "int64", "uint8") else name
        assert str(t.sum().dtype) == f"torch.{want}"
        assert str(t.sum(0).dtype) == f"torch.{want}"


def test_spec_rule26_float16_sum_stays_float16():
    t = ember.tensor([1.0, 2.0], dtype=ember.float16)
    assert t.sum().dtype is ember.float16
    assert t.sum().item() == 3.0


def test_spec_rule26_mean_of_int_raises():
    with pytest.raises(
        RuntimeError,
        match="mean\\(\\): could not infer output dtype. Input dtype must be either a floating "
        "point or complex dtype. Got: Long",
    ):
        ember.tensor([1, 2]).mean()


def test_dtype_objects_print_and_compare_like_torch():
    for name in NAMES + ["complex64", "complex128"]:
        assert repr(getattr(ember, name)) == repr(getattr(torch, name))
    assert ember.float is ember.float32 and ember.double is ember.float64
    assert ember.long is ember.int64 and ember.half is ember.float16
    assert ember.float32.is_floating_point and not ember.int64.is_floating_point
    assert ember.float32.itemsize == 4 and ember.int16.itemsize == 2
    assert ember.tensor([1.0]).element_size() == 4


def test_dtypes_pickle_to_the_same_object():
    import pickle

    for name in NAMES:
        d = getattr(ember, name)
        assert pickle.loads(pickle.dumps(d)) is d


@pytest.mark.parametrize("name", ["int8", "int16", "float32", "bfloat16", "int32", "int64"])
def test_check_index_dtype_matches_torch_indexing(name):
    x = torch.arange(6.0)
    index = torch.tensor([0, 1], dtype=getattr(torch, name))
    try:
        x[index]
        torch_error = None
    except IndexError as e:
        torch_error = str(e)
    try:
        ember.dtypes.check_index_dtype(getattr(ember, name).np)
        ember_error = None
    except IndexError as e:
        ember_error = str(e)
    assert ember_error == torch_error


def test_check_int_scalar_bounds_match_torch():
    for value in (2**64, 2**64 - 1, 2**63, -(2**63), -(2**63) - 1, 10**30, -(10**30)):
        try:
            torch.tensor([1]) + value
            want = None
        except OverflowError as e:
            want = str(e)
        try:
            ember.dtypes.check_int_scalar(value)
            got = None
        except OverflowError as e:
            got = str(e)
        assert got == want, value
