"""Every factory's signature forms, as PyTorch documents them: sizes positional, as a tuple
or a list or by keyword, ``out=``, ``dtype=``, ``device=``, ``requires_grad=``,
``generator=``. The results' shapes, dtypes, devices and flags must be PyTorch's, and a
form PyTorch refuses must be refused with its exception type."""

from __future__ import annotations

import pytest
import torch

import ember


def _gen(lib):
    return lib.Generator().manual_seed(0)


FORMS = [
    ("zeros_varargs", lambda L: L.zeros(2, 3)),
    ("zeros_tuple", lambda L: L.zeros((2, 3))),
    ("zeros_list", lambda L: L.zeros([2, 3])),
    ("zeros_size_kw", lambda L: L.zeros(size=(2, 3))),
    ("zeros_dtype_device", lambda L: L.zeros(2, dtype=L.float64, device="cpu")),
    ("ones_requires_grad", lambda L: L.ones(2, 3, requires_grad=True)),
    ("ones_out", lambda L: L.ones(2, 3, out=L.empty(0))),
    ("empty_dtype", lambda L: L.empty(4, dtype=L.int32)),
    ("full_tuple", lambda L: L.full((2, 2), 7)),
    ("full_float", lambda L: L.full((2,), 1.5)),
    ("full_bool", lambda L: L.full((2,), True)),
    ("full_dtype_kw", lambda L: L.full(size=(3,), fill_value=2, dtype=L.float16)),
    ("arange_end", lambda L: L.arange(5)),
    ("arange_start_end_step", lambda L: L.arange(1, 4, 0.5)),
    ("arange_kw", lambda L: L.arange(start=1, end=4, step=1, dtype=L.float32)),
    ("linspace", lambda L: L.linspace(0, 1, 5)),
    ("linspace_kw", lambda L: L.linspace(start=0, end=1, steps=3, dtype=L.float64)),
    ("logspace", lambda L: L.logspace(0, 2, 3)),
    ("eye_n", lambda L: L.eye(3)),
    ("eye_nm", lambda L: L.eye(2, 4, dtype=L.int64)),
    ("tensor_requires_grad", lambda L: L.tensor([1.0, 2.0], requires_grad=True)),
    ("tensor_dtype_device", lambda L: L.tensor([1, 2], dtype=L.float32, device="cpu")),
    ("rand_generator", lambda L: L.rand(2, 3, generator=_gen(L))),
    ("randn_tuple_dtype", lambda L: L.randn((2, 3), dtype=L.float64)),
    ("randn_requires_grad", lambda L: L.randn(3, requires_grad=True)),
    ("randint_high_size", lambda L: L.randint(10, (2, 3))),
    ("randint_low_high_size_kw", lambda L: L.randint(low=1, high=5, size=(4,))),
    ("randint_dtype", lambda L: L.randint(0, 5, (3,), dtype=L.int32)),
    ("randperm", lambda L: L.randperm(5)),
    ("randperm_dtype", lambda L: L.randperm(4, dtype=L.float32)),
    ("zeros_like", lambda L: L.zeros_like(L.ones(2, 3), dtype=L.int64)),
    ("ones_like_grad", lambda L: L.ones_like(L.ones(2), requires_grad=True)),
    ("rand_like", lambda L: L.rand_like(L.ones(2, 2, dtype=L.float64))),
    ("full_like", lambda L: L.full_like(L.ones(3), 4.0)),
    ("new_zeros", lambda L: L.ones(2, dtype=L.float64).new_zeros((3,))),
    ("new_full", lambda L: L.ones(2).new_full((2, 2), 3)),
    ("new_tensor", lambda L: L.ones(2, dtype=L.float64).new_tensor([1, 2])),
    # forms PyTorch refuses
    ("zeros_negative", lambda L: L.zeros(-1)),
    ("ones_float_size", lambda L: L.ones(2.5)),
    ("int_requires_grad", lambda L: L.zeros(2, dtype=L.int64, requires_grad=True)),
    ("randint_no_size", lambda L: L.randint(5)),
    ("arange_bad_step", lambda L: L.arange(0, 5, -1)),
    ("full_no_fill", lambda L: L.full((2,))),
    ("eye_negative", lambda L: L.eye(-1)),
    ("rand_int_dtype", lambda L: L.rand(2, dtype=L.int64)),
    ("dtype_string", lambda L: L.zeros(2, dtype="float32")),
]


def _outcome(lib, make):
    try:
        t = make(lib)
    except Exception as e:  # noqa: BLE001 - compared with the other library
        return type(e)
    return (tuple(t.shape), str(t.dtype), str(t.device), t.requires_grad, t.is_leaf)


@pytest.mark.parametrize("name, make", FORMS, ids=[n for n, _ in FORMS])
def test_factory_form_as_pytorch(name, make):
    want = _outcome(torch, make)
    got = _outcome(ember, make)
    if isinstance(want, type):
        assert got is want or (isinstance(got, type) and issubclass(got, want)), (name, got, want)
    else:
        assert got == want, name


LAYOUT_FORMS = [
    "L.zeros(2, layout=L.strided)",
    "L.empty(2, 3, layout=L.strided, pin_memory=False)",
    "L.full((2,), 1.0, layout=L.strided)",
    "L.arange(3, layout=L.strided)",
    "L.linspace(0, 1, 3, layout=L.strided)",
    "L.eye(2, layout=L.strided)",
    "L.zeros_like(L.ones(2), layout=L.strided)",
    "L.rand(2, layout=L.strided)",
    "L.randint(0, 3, (2,), layout=L.strided)",
    "L.randperm(3, layout=L.strided)",
    "L.zeros(2, layout='strided')",
    "L.zeros(2, pin_memory=True)",
    "L.tensor([1.0], layout=L.strided)",
]


@pytest.mark.parametrize("code", LAYOUT_FORMS)
def test_layout_and_pin_memory_as_pytorch_takes_them(code):
    def outcome(lib):
        try:
            t = eval(code, {"L": lib})
        except Exception as e:  # noqa: BLE001 - the type is what is compared
            return type(e).__name__, str(e)
        return repr(t.layout), tuple(t.shape), str(t.dtype)

    assert outcome(ember) == outcome(torch)
