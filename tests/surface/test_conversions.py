"""Building tensors from Python and NumPy data, and turning them back into Python values:
values, refusals and exception texts as PyTorch's (overflow, strings, dtype arguments,
negative strides, huge allocations, format specs, ``int()``/``float()``/``bool()``)."""

import math
import warnings

import numpy as np
import pytest
import torch

import ember


def _outcome(fn, lib):
    """``repr`` of ``fn(lib)``'s result, or ``(exception type name, first line of text)``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            return repr(fn(lib))
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            # PyTorch lists its unsigned types (uint16, ...) among NumPy's it reads; Ember
            # lists the dtypes it has: compare the text up to that list.
            return type(e).__name__, str(e).split("\n")[0].split(" The only supported")[0]


def _like_torch(fn):
    e, t = _outcome(fn, ember), _outcome(fn, torch)
    if isinstance(t, tuple):
        assert isinstance(e, tuple) and e[0] == t[0], (e, t)
        assert e[1].startswith(t[1]), (e, t)
    else:
        assert e == t


# ----- tensor(): Python numbers checked against the dtype ----------------------------------
TENSOR_CASES = {
    "300 uint8": lambda lib: lib.tensor(300, dtype=lib.uint8),
    "256 uint8": lambda lib: lib.tensor(256, dtype=lib.uint8),
    "-1 uint8 wraps": lambda lib: lib.tensor(-1, dtype=lib.uint8),
    "-255 uint8 wraps": lambda lib: lib.tensor(-255, dtype=lib.uint8),
    "-256 uint8": lambda lib: lib.tensor(-256, dtype=lib.uint8),
    "list with 300 uint8": lambda lib: lib.tensor([1, 300], dtype=lib.uint8),
    "128 int8": lambda lib: lib.tensor(128, dtype=lib.int8),
    "-128 int8": lambda lib: lib.tensor(-128, dtype=lib.int8),
    "-129 int8": lambda lib: lib.tensor([-129], dtype=lib.int8),
    "2**15 int16": lambda lib: lib.tensor(2**15, dtype=lib.int16),
    "2**31 int32": lambda lib: lib.tensor([[2**31]], dtype=lib.int32),
    "2**63": lambda lib: lib.tensor(2**63),
    "2**64 list": lambda lib: lib.tensor([2**64]),
    "-2**63-1": lambda lib: lib.tensor(-(2**63) - 1),
    "2**64 float32": lambda lib: lib.tensor(2**64, dtype=lib.float32),
    "2**70 bool": lambda lib: lib.tensor(2**70, dtype=lib.bool),
    "mixed huge float": lambda lib: lib.tensor([1.5, 2**64]),
    "too big for float": lambda lib: lib.tensor([1.5, 2**2000]),
    "nan int64": lambda lib: lib.tensor(math.nan, dtype=lib.int64),
    "[nan] int64": lambda lib: lib.tensor([math.nan], dtype=lib.int64),
    "inf int32": lambda lib: lib.tensor(math.inf, dtype=lib.int32),
    "1e30 int64": lambda lib: lib.tensor(1e30, dtype=lib.int64),
    "2**63 as float int64": lambda lib: lib.tensor(9.223372036854775807e18, dtype=lib.int64),
    "-0.5 uint8": lambda lib: lib.tensor(-0.5, dtype=lib.uint8),
    "-0.5 int8": lambda lib: lib.tensor(-0.5, dtype=lib.int8),
    "255.9 uint8": lambda lib: lib.tensor(255.9, dtype=lib.uint8),
    "127.9 uint8": lambda lib: lib.tensor(127.9, dtype=lib.uint8),
    "1.5 uint8": lambda lib: lib.tensor([1.5, 2.7], dtype=lib.uint8),
    "nan bool": lambda lib: lib.tensor(math.nan, dtype=lib.bool),
    "1e40 float32": lambda lib: lib.tensor([1e40]),
    "1e10 float16": lambda lib: lib.tensor(1e10, dtype=lib.float16),
    "numpy scalar 300 uint8": lambda lib: lib.tensor(np.int64(300), dtype=lib.uint8),
    "numpy array 300 uint8 wraps": lambda lib: lib.tensor(np.array([300]), dtype=lib.uint8),
    "numpy array nan int64": lambda lib: lib.tensor(np.array([1.5, -2.5]), dtype=lib.int64),
    "complex into int": lambda lib: lib.tensor(1 + 2j, dtype=lib.int64),
    "complex into float": lambda lib: lib.tensor([1 + 2j], dtype=lib.float32),
    "true into uint8": lambda lib: lib.tensor([True, False], dtype=lib.uint8),
    "new_tensor checks": lambda lib: lib.ones(1, dtype=lib.uint8).new_tensor([300]),
    "as_tensor checks": lambda lib: lib.as_tensor([300], dtype=lib.uint8),
}


@pytest.mark.parametrize("name", list(TENSOR_CASES))
def test_tensor_checks_python_numbers_like_torch(name):
    _like_torch(TENSOR_CASES[name])


# ----- full()/full_like(): PyTorch's fill conversions (C type names in the messages) -------
FILL_CASES = {
    "int8 300": lambda lib: lib.full((1,), 300, dtype=lib.int8),
    "int8 -129": lambda lib: lib.full((2,), -129, dtype=lib.int8),
    "uint8 -1 wraps": lambda lib: lib.full((1,), -1, dtype=lib.uint8),
    "uint8 -1.0": lambda lib: lib.full((1,), -1.0, dtype=lib.uint8),
    "int16 2**40": lambda lib: lib.full((1,), 2**40, dtype=lib.int16),
    "int32 2**40": lambda lib: lib.full((1,), 2**40, dtype=lib.int32),
    "int64 nan": lambda lib: lib.full((1,), math.nan, dtype=lib.int64),
    "int64 2**63": lambda lib: lib.full((1,), 2**63),
    "2**64": lambda lib: lib.full((1,), 2**64),
    "-2**63-1": lambda lib: lib.full((1,), -(2**63) - 1),
    "float32 1e300": lambda lib: lib.full((1,), 1e300, dtype=lib.float32),
    "float32 inf": lambda lib: lib.full((1,), math.inf),
    "float16 1e300": lambda lib: lib.full((1,), 1e300, dtype=lib.float16),
    "bfloat16 2**40": lambda lib: lib.full((1,), 2**40, dtype=lib.bfloat16),
    "bool 1e300": lambda lib: lib.full((1,), 1e300, dtype=lib.bool),
    "full_like uint8 300": lambda lib: lib.full_like(lib.ones(2, dtype=lib.uint8), 300),
}


@pytest.mark.parametrize("name", list(FILL_CASES))
def test_full_checks_fill_values_like_torch(name):
    _like_torch(FILL_CASES[name])


# ----- what tensor() refuses ---------------------------------------------------------------
REFUSED = {
    "str": lambda lib: lib.tensor("a"),
    "bytes": lambda lib: lib.tensor(b"a"),
    "[str]": lambda lib: lib.tensor(["a"]),
    "[[str]]": lambda lib: lib.tensor([["a", "b"]]),
    "[str] with dtype": lambda lib: lib.tensor(["1"], dtype=lib.float32),
    "[1, str]": lambda lib: lib.tensor([1, "a"]),
    "[1, str] with dtype": lambda lib: lib.tensor([1, "a"], dtype=lib.float32),
    "None": lambda lib: lib.tensor(None),
    "[None]": lambda lib: lib.tensor([None]),
    "[1, None] with dtype": lambda lib: lib.tensor([1, None], dtype=lib.float32),
    "object": lambda lib: lib.tensor(object()),
    "dict": lambda lib: lib.tensor({1: 2}),
    "numpy strings": lambda lib: lib.tensor(np.array(["a"])),
    "numpy objects": lambda lib: lib.from_numpy(np.array([1, "a"], dtype=object)),
}


@pytest.mark.parametrize("name", list(REFUSED))
def test_tensor_refuses_what_torch_refuses(name):
    _like_torch(REFUSED[name])


DTYPE_ARGS = {
    "tensor str": lambda lib: lib.tensor([1.0], dtype="float32"),
    "zeros str": lambda lib: lib.zeros(2, dtype="float32"),
    "ones str": lambda lib: lib.ones(2, dtype="float64"),
    "empty str": lambda lib: lib.empty(2, dtype="int64"),
    "full str": lambda lib: lib.full((2,), 1.0, dtype="float32"),
    "zeros_like str": lambda lib: lib.zeros_like(lib.zeros(2), dtype="float32"),
    "numpy type": lambda lib: lib.tensor([1.0], dtype=np.float32),
    "numpy dtype": lambda lib: lib.zeros(2, dtype=np.dtype("float32")),
    "python float is float64": lambda lib: lib.tensor([1], dtype=float),
    "python int": lambda lib: lib.zeros(2, dtype=int),
    "python bool": lambda lib: lib.ones(2, dtype=bool),
    "python complex": lambda lib: lib.zeros(1, dtype=complex),
}


@pytest.mark.parametrize("name", list(DTYPE_ARGS))
def test_dtype_arguments_like_torch(name):
    _like_torch(DTYPE_ARGS[name])


@pytest.mark.parametrize("fn", ["arange", "linspace", "eye"])
def test_dtype_strings_refused_by_other_factories(fn):
    call = {
        "arange": lambda lib: lib.arange(3, dtype="float32"),
        "linspace": lambda lib: lib.linspace(0, 1, 3, dtype="float32"),
        "eye": lambda lib: lib.eye(2, dtype="float32"),
    }[fn]
    for lib in (ember, torch):
        with pytest.raises(TypeError):
            call(lib)


# ----- NumPy arrays ------------------------------------------------------------------------
ARRAYS = {
    "reversed": lambda lib: lib.from_numpy(np.arange(6.0)[::-1]),
    "reversed columns": lambda lib: lib.from_numpy(np.arange(6.0).reshape(2, 3)[:, ::-1]),
    "tensor of reversed": lambda lib: lib.tensor(np.arange(3)[::-1]),
    "as_tensor of reversed": lambda lib: lib.as_tensor(np.arange(3)[::-1]),
    "every other": lambda lib: lib.from_numpy(np.arange(6.0)[::2]),
    "transposed strides": lambda lib: lib.from_numpy(np.arange(6.0).reshape(2, 3).T).stride(),
    "big endian": lambda lib: lib.from_numpy(np.arange(3, dtype=">i4")),
    "list": lambda lib: lib.from_numpy([1, 2]),
    "0-d": lambda lib: lib.from_numpy(np.array(3.0)),
}


@pytest.mark.parametrize("name", list(ARRAYS))
def test_numpy_arrays_like_torch(name):
    _like_torch(ARRAYS[name])


# ----- huge allocations: RuntimeError with the size, not MemoryError -----------------------
HUGE = {
    "empty": lambda lib: lib.empty(10**13),
    "zeros": lambda lib: lib.zeros(10**13),
    "ones float64": lambda lib: lib.ones(10**12, dtype=lib.float64),
    "full": lambda lib: lib.full((10**13,), 1.0),
    "arange": lambda lib: lib.arange(10**13),
    "empty bool": lambda lib: lib.empty(10**13, dtype=lib.bool),
    "overflowing size": lambda lib: lib.empty(2**62),
    "overflowing sizes": lambda lib: lib.empty(2**40, 2**40),
}


@pytest.mark.parametrize("name", list(HUGE))
def test_huge_allocations_raise_runtime_error_with_the_size(name):
    def run(lib):
        with pytest.raises(RuntimeError) as info:
            HUGE[name](lib)
        text = str(info.value)
        return text[text.index("Default") :] if "Default" in text else text

    assert run(ember) == run(torch)


# ----- back to Python: format specs, int(), float(), bool(), complex(), indices --------------
def _tensors():
    return {
        "int 0-d": lambda lib: lib.tensor(42),
        "float 0-d": lambda lib: lib.tensor(3.14159),
        "bool 0-d": lambda lib: lib.tensor(True),
        "half 0-d": lambda lib: lib.tensor(2.5, dtype=lib.float16),
        "bfloat16 0-d": lambda lib: lib.tensor(0.1, dtype=lib.bfloat16),
        "complex 0-d": lambda lib: lib.tensor(1 + 2j),
        "requires grad 0-d": lambda lib: lib.tensor(1.5, requires_grad=True),
        "loss": lambda lib: (lib.tensor([0.5, 1.5], requires_grad=True) ** 2).mean(),
        "one element": lambda lib: lib.tensor([2.5]),
        "vector": lambda lib: lib.tensor([1.5, 2.5]),
        "matrix": lambda lib: lib.ones(2, 2),
        "empty": lambda lib: lib.tensor([]),
        "parameter 0-d": lambda lib: lib.nn.Parameter(lib.tensor(2.0)),
    }


CONVERSIONS = {
    "f-string": lambda t: f"{t}",
    ".4f": lambda t: format(t, ".4f"),
    ">10": lambda t: format(t, ">10"),
    "d": lambda t: format(t, "d"),
    "{:.2e}": lambda t: "{:.2e}".format(t),
    "%f": lambda t: "%f" % t,
    "%d": lambda t: "%d" % t,
    "%s": lambda t: "%s" % t,
    "int": int,
    "float": float,
    "bool": bool,
    "complex": complex,
    "index": lambda t: [1, 2, 3, 4, 5][t],
    "item": lambda t: t.item(),
}


@pytest.mark.parametrize("conversion", list(CONVERSIONS))
@pytest.mark.parametrize("tensor", list(_tensors()))
def test_python_conversions_like_torch(tensor, conversion):
    make, convert = _tensors()[tensor], CONVERSIONS[conversion]
    _like_torch(lambda lib: convert(make(lib)))


def test_float_of_a_tensor_that_requires_grad_warns():
    # PyTorch warns once per process (so not necessarily here); Ember at each call, which
    # Python's default filter shows once per line.
    with pytest.warns(UserWarning, match="Converting a tensor with requires_grad=True"):
        float(ember.tensor(1.5, requires_grad=True))


# ----- numbers as operands: PyTorch holds them in 64 bits ----------------------------------
OPERANDS = {
    "+ 2**64": lambda lib: lib.tensor([1]) + 2**64,
    "* 2**64": lambda lib: lib.tensor([1]) * 2**64,
    "== 2**64 + 1": lambda lib: lib.tensor([1]) == 2**64 + 1,
    "< 2**64": lambda lib: lib.tensor([1]) < 2**64,
    "2**64 + t": lambda lib: 2**64 + lib.tensor([1]),
    "float + 2**64": lambda lib: lib.tensor([1.0]) + 2**64,
    "float + 10**400": lambda lib: lib.tensor([1.0]) + 10**400,
    "- (2**63 + 1)": lambda lib: lib.tensor([1]) + (-(2**63) - 1),
    "+ 2**63 wraps": lambda lib: lib.tensor([1]) + 2**63,
    "uint8 + 300 wraps": lambda lib: lib.tensor([1], dtype=lib.uint8) + 300,
    "int32 + 2**40 wraps": lambda lib: lib.tensor([1], dtype=lib.int32) + 2**40,
    "add(2**64)": lambda lib: lib.tensor([1]).add(2**64),
    "add_(2**64)": lambda lib: lib.tensor([1]).add_(2**64),
}


@pytest.mark.parametrize("name", list(OPERANDS))
def test_python_int_operands_beyond_64_bits_raise_like_torch(name):
    _like_torch(OPERANDS[name])


# ----- backward's gradient argument --------------------------------------------------------
GRADIENTS = {
    "int64": lambda lib: lib.tensor([1, 1]),
    "bool": lambda lib: lib.tensor([True, True]),
    "float64": lambda lib: lib.tensor([1.0, 1.0], dtype=lib.float64),
    "uint8": lambda lib: lib.tensor([1, 1], dtype=lib.uint8),
    "complex": lambda lib: lib.tensor([1 + 0j, 1]),
}


@pytest.mark.parametrize("name", list(GRADIENTS))
def test_backward_gradient_dtypes_like_torch(name):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * 2).backward(GRADIENTS[name](lib))
        return x.grad

    _like_torch(run)


def test_storage_queries_and_pinning_as_the_cpu_only_build():
    import torch as T

    for lib in (ember, T):
        x = lib.arange(6.0).reshape(2, 3)
        assert x[1].storage_offset() == 3 and x.t().storage_offset() == 0
        assert x[:, 1:].storage_offset() == 1
        assert x.is_sparse is False and x.is_pinned() is False
    with pytest.raises(RuntimeError) as t_info:
        T.ones(2).pin_memory()
    with pytest.raises(RuntimeError) as e_info:
        ember.ones(2).pin_memory()
    assert str(e_info.value) == str(t_info.value)


def test_resize_record_stream_and_to_empty_as_pytorch():
    import torch as T

    for lib in (ember, T):
        x = lib.arange(6.0)
        assert x.resize_(2, 2) is x and x.tolist() == [[0.0, 1.0], [2.0, 3.0]]
        y = lib.arange(3.0)
        assert tuple(y.resize_(5).shape) == (5,) and y[:3].tolist() == [0.0, 1.0, 2.0]
        with pytest.raises(RuntimeError, match="cannot resize variables that require grad"):
            lib.ones(3, requires_grad=True).resize_(2)
        m = lib.nn.Linear(2, 3)
        w = m.weight
        assert m.to_empty(device="cpu") is m and m.weight is w and tuple(w.shape) == (3, 2)
        with pytest.raises(TypeError):
            m.to_empty()
    with pytest.raises(RuntimeError, match="unknown parameter type"):
        ember.ones(2).record_stream(None)


def test_typed_storage_as_pytorch():
    import torch as T

    for lib in (ember, T):
        x = lib.arange(6.0).view(2, 3)[1]
        with pytest.warns(UserWarning, match="TypedStorage is deprecated"):
            s = x.storage()
        assert (s.size(), len(s), str(s.dtype), s.element_size(), s.nbytes()) == (
            6,
            6,
            "torch.float32",
            4,
            24,
        )
        assert s.tolist() == [0.0, 1.0, 2.0, 3.0, 4.0, 5.0] and s[4] == 4.0
        s[3] = 9.0
        assert x.tolist() == [9.0, 4.0, 5.0]
