"""The legacy API still common in published code: ``Variable`` (with ``volatile``), the
``FloatTensor``-style types, ``tensor.type(...)``, ``set_default_tensor_type``,
``Tensor.data`` and ``typename``, each compared with PyTorch."""

import warnings

import numpy as np
import pytest
import torch

import ember


def _outcome(fn, lib):
    """(repr of the result or exception type and first line, warning texts) of ``fn(lib)``."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            value = repr(fn(lib)).replace("ember.", "torch.")
        except Exception as e:  # noqa: BLE001 - the exception is what is compared
            text = str(e).split("\n")[0]
            if text.startswith("Cannot initialize CUDA"):
                # PyTorch goes on about its shared libraries; Ember about guarding CUDA code.
                text = text.split(". ")[0]
            value = (type(e).__name__, text)
    texts = [str(w.message).split(" (Triggered internally")[0] for w in caught]
    return value, texts


def _like_torch(fn):
    (e, ew), (t, tw) = _outcome(fn, ember), _outcome(fn, torch)
    if isinstance(t, tuple):
        assert isinstance(e, tuple) and e[0] == t[0], (e, t)
        assert e[1].startswith(t[1]), (e, t)
    else:
        assert e == t
    assert [w[: len(x)] for w, x in zip(ew, tw)] == tw and len(ew) == len(tw)


def _var(lib):
    return lib.autograd.Variable


# ----- Variable ----------------------------------------------------------------------------
VARIABLE = {
    "plain": lambda lib: _var(lib)(lib.ones(2)),
    "requires_grad": lambda lib: _var(lib)(lib.ones(2), requires_grad=True),
    "positional requires_grad": lambda lib: _var(lib)(lib.ones(2), True),
    "requires_grad=1": lambda lib: _var(lib)(lib.ones(2), requires_grad=1),
    "requires_grad=None": lambda lib: _var(lib)(lib.ones(2), requires_grad=None),
    "requires_grad on ints": lambda lib: _var(lib)(lib.ones(2, dtype=lib.long), True),
    "volatile": lambda lib: _var(lib)(lib.ones(2), volatile=True),
    "volatile=False": lambda lib: _var(lib)(lib.ones(2), volatile=False),
    "volatile and requires_grad": lambda lib: _var(lib)(lib.ones(2), True, True),
    "empty": lambda lib: _var(lib)(),
    "None": lambda lib: _var(lib)(None),
    "list": lambda lib: _var(lib)([1.0, 2.0]),
    "number": lambda lib: _var(lib)(3),
    "ndarray": lambda lib: _var(lib)(np.ones(2)),
    "_grad_fn": lambda lib: _var(lib)(lib.ones(1), False, False, "x"),
    "unknown keyword": lambda lib: _var(lib)(lib.ones(1), foo=1),
    "data keyword": lambda lib: _var(lib)(data=lib.ones(1)),
    "of a non-leaf": lambda lib: _var(lib)(lib.ones(2, requires_grad=True) * 2).grad_fn,
    "is a tensor": lambda lib: isinstance(lib.ones(1), _var(lib)),
    "parameter becomes a tensor": lambda lib: type(_var(lib)(lib.nn.Parameter(lib.ones(1)))),
    "not a subclass": lambda lib: issubclass(lib.Tensor, _var(lib)),
}


@pytest.mark.parametrize("name", list(VARIABLE))
def test_variable_like_torch(name):
    _like_torch(VARIABLE[name])


def test_variable_shares_data_and_version_and_trains():
    for lib in (ember, torch):
        t = lib.ones(3)
        v = lib.autograd.Variable(t)
        v[0] = 5.0
        assert t.tolist() == [5.0, 1.0, 1.0] and v is not t
        assert t._version == v._version == 1
        w = lib.autograd.Variable(lib.ones(2), requires_grad=True)
        (w * 3).sum().backward()
        assert w.is_leaf and w.grad.tolist() == [3.0, 3.0]


def test_volatile_attribute_warns_and_is_false():
    _like_torch(lambda lib: lib.ones(1).volatile)

    def setter(lib):
        t = lib.ones(1)
        t.volatile = True
        return t.requires_grad

    _like_torch(setter)


# ----- legacy tensor types -----------------------------------------------------------------
NAMES = ["FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
         "IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor"]  # fmt: skip

CONSTRUCT = {
    "sizes": lambda T: T(2, 3).shape,
    "one size": lambda T: T(3).shape,
    "list": lambda T: T([1, 0, 2]),
    "nested": lambda T: T([[1, 2], [3, 4]]),
    "tuple": lambda T: T((1, 2)),
    "empty": lambda T: T(),
    "ndarray": lambda T: T(np.array([1.0, 2.0])),
    "float": lambda T: T(2.5),
    "bool": lambda T: T(True),
    "None": lambda T: T(None),
    "str": lambda T: T("a"),
    "negative": lambda T: T(-1),
    "size and float": lambda T: T(2, 3.5),
    "two lists": lambda T: T([1], [2]),
    "ragged": lambda T: T([[1], [2, 3]]),
    "dtype keyword": lambda T: T(2, dtype=None),
    "requires_grad keyword": lambda T: T(2, requires_grad=True),
    "cpu device": lambda T: T([1], device="cpu"),
    "cuda device": lambda T: T(2, device="cuda"),
    "overflowing data": lambda T: T([300]),
}


def _legacy(lib, name):
    return getattr(lib, name)


@pytest.mark.parametrize("case", list(CONSTRUCT))
@pytest.mark.parametrize("name", NAMES)
def test_legacy_constructors_like_torch(name, case):
    _like_torch(lambda lib: CONSTRUCT[case](_legacy(lib, name)))


def test_legacy_constructor_takes_a_size():
    for lib in (ember, torch):
        assert tuple(lib.FloatTensor(lib.Size([2, 3])).shape) == (2, 3)
        assert tuple(lib.LongTensor(np.int64(4)).shape) == (4,)


@pytest.mark.parametrize("name", NAMES)
def test_legacy_types_are_no_classes_of_tensors(name):
    for lib in (ember, torch):
        T = _legacy(lib, name)
        t = T([1])
        assert type(t) is lib.Tensor and isinstance(t, T) and isinstance(t, lib.Tensor)
        assert not issubclass(T, lib.Tensor)
        assert str(T.dtype) == str(t.dtype) and T.is_cuda is False
        assert repr(T) == f"<class 'torch.{name}'>" and lib.typename(T) == f"torch.{name}"
        assert t.type() == f"torch.{name}" and lib.typename(t) == f"torch.{name}"
        other = lib.ones(1, dtype=lib.float64 if name != "DoubleTensor" else lib.float32)
        assert not isinstance(other, T)
    assert isinstance(ember.nn.Parameter(ember.ones(1)), ember.FloatTensor)


def test_legacy_constructor_shares_same_dtype_data():
    for lib in (ember, torch):
        t = lib.tensor([1.0, 2.0])
        alias = lib.FloatTensor(t)
        assert alias is not t and alias.data_ptr() == t.data_ptr()
        a = np.arange(3.0, dtype=np.float32)
        assert lib.FloatTensor(a).data_ptr() == a.ctypes.data
        with pytest.raises(TypeError, match="expected TensorOptions\\(dtype=long int"):
            lib.LongTensor(lib.tensor([1.5]))


TYPE_CALLS = {
    "no argument": lambda lib, t: t.type(),
    "legacy type": lambda lib, t: t.type(lib.DoubleTensor),
    "same legacy type": lambda lib, t: t.type(lib.FloatTensor) is t,
    "dtype": lambda lib, t: t.type(lib.float64),
    "same dtype": lambda lib, t: t.type(lib.float32) is t,
    "name": lambda lib, t: t.type("torch.LongTensor"),
    "Tensor": lambda lib, t: t.type(lib.Tensor) is t,
    "'torch.Tensor'": lambda lib, t: t.type("torch.Tensor") is t,
    "non_blocking": lambda lib, t: t.type("torch.DoubleTensor", non_blocking=True),
    "bad name": lambda lib, t: t.type("float32"),
    "unknown name": lambda lib, t: t.type("torch.Foo"),
    "python int": lambda lib, t: t.type(int),
    "number": lambda lib, t: t.type(3),
    "cuda type": lambda lib, t: t.type(lib.cuda.FloatTensor),
    "cuda name": lambda lib, t: t.type("torch.cuda.FloatTensor"),
    "keeps the graph": lambda lib, t: t.requires_grad_().type(lib.DoubleTensor),
    "every dtype": lambda lib, t: [
        lib.ones(1, dtype=getattr(lib, d)).type()
        for d in (
            "float32",
            "float64",
            "float16",
            "bfloat16",
            "int64",
            "int32",
            "int16",
            "int8",
            "uint8",
            "bool",
            "complex64",
            "complex128",
        )  # fmt: skip
    ],
}


@pytest.mark.parametrize("name", list(TYPE_CALLS))
def test_tensor_type_like_torch(name):
    _like_torch(lambda lib: TYPE_CALLS[name](lib, lib.ones(1)))


@pytest.mark.parametrize(
    "arg",
    ["DoubleTensor", "torch.DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
     "float32", "Tensor", 3, "torch.cuda.FloatTensor", "cuda.FloatTensor", "float"],
)  # fmt: skip
def test_set_default_tensor_type_like_torch(arg):
    def run(lib):
        if arg in ("torch.DoubleTensor", "torch.cuda.FloatTensor", "float"):
            a = arg
        elif arg == "cuda.FloatTensor":
            a = lib.cuda.FloatTensor
        elif arg == "float32":
            a = lib.float32
        elif arg == 3:
            a = 3
        else:
            a = getattr(lib, arg)
        try:
            lib.set_default_tensor_type(a)
            return lib.get_default_dtype(), lib.Tensor(2).dtype, lib.FloatTensor(1).dtype
        finally:
            lib.set_default_dtype(lib.float32)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _like_torch(run)


def test_set_default_tensor_type_warns_as_deprecated():
    with pytest.warns(UserWarning, match="set_default_tensor_type\\(\\) is deprecated"):
        import importlib

        legacy = importlib.import_module("ember.legacy_types")
        legacy._warned.clear()  # PyTorch warns once per process
        try:
            ember.set_default_tensor_type(ember.FloatTensor)
        finally:
            ember.set_default_dtype(ember.float32)


LEGACY_TENSOR = {
    "sizes": lambda lib: lib.Tensor(2, 3).shape,
    "data": lambda lib: lib.Tensor([1, 2]),
    "tuple data": lambda lib: lib.Tensor((2, 3)),
    "long tensor kept": lambda lib: lib.Tensor(lib.tensor([1, 2])),
    "ndarray": lambda lib: lib.Tensor(np.array([1, 2])),
    "float": lambda lib: lib.Tensor(2.5),
    "empty": lambda lib: lib.Tensor(),
    "dtype keyword": lambda lib: lib.Tensor(2, dtype=lib.float64),
}


@pytest.mark.parametrize("name", list(LEGACY_TENSOR))
def test_legacy_tensor_constructor_like_torch(name):
    _like_torch(LEGACY_TENSOR[name])


# ----- Tensor.data -------------------------------------------------------------------------
def test_data_is_a_detached_alias_without_version_tracking():
    for lib in (ember, torch):
        x = lib.ones(3, requires_grad=True)
        d = x.data
        assert not d.requires_grad and d.is_leaf and d.grad_fn is None and d._base is None
        d.add_(1)
        assert x.tolist() == [2.0, 2.0, 2.0]
        assert x._version == 0 and d._version == 1  # autograd does not see the change
        y = (x * 2).sum()
        y.backward()
        assert x.grad.tolist() == [2.0, 2.0, 2.0]
        assert type(lib.nn.Parameter(lib.ones(1)).data) is lib.Tensor


DATA_SET = {
    "same shape": lambda lib: _set_data(lib.ones(3, requires_grad=True), lib.zeros(3)),
    "new shape": lambda lib: _set_data(lib.ones(3, requires_grad=True), lib.zeros(2)),
    "ints into requires_grad": lambda lib: _set_data(
        lib.ones(3, requires_grad=True), lib.zeros(2, dtype=lib.long)
    ),
    "ints into plain": lambda lib: _set_data(lib.ones(3), lib.zeros(2, dtype=lib.long)),
    "list": lambda lib: _set_data(lib.ones(3), [1, 2]),
    "ndarray": lambda lib: _set_data(lib.ones(3), np.ones(2)),
}


def _set_data(t, value):
    t.data = value
    return t, t.dtype, t._version


@pytest.mark.parametrize("name", list(DATA_SET))
def test_data_assignment_like_torch(name):
    _like_torch(DATA_SET[name])


NEW = {
    "sizes": lambda lib: lib.ones(2, dtype=lib.long).new(2, 3).dtype,
    "data converted": lambda lib: lib.ones(2, dtype=lib.long).new([1.5]),
    "empty": lambda lib: lib.ones(2, dtype=lib.long).new(),
    "other dtype tensor": lambda lib: lib.ones(2, dtype=lib.long).new(lib.tensor([1.5])),
    "overflow": lambda lib: lib.ones(1, dtype=lib.uint8).new([300]),
    "dtype keyword": lambda lib: lib.ones(1).new(2, dtype=lib.float32),
    "no grad": lambda lib: lib.ones(1, requires_grad=True).new([1.0]).requires_grad,
}


@pytest.mark.parametrize("name", list(NEW))
def test_tensor_new_like_torch(name):
    _like_torch(NEW[name])


def test_cuda_legacy_types_name_themselves_as_torch():
    for lib in (ember, torch):
        assert lib.typename(lib.cuda.FloatTensor) == "torch.cuda.FloatTensor"
        assert repr(lib.cuda.LongTensor) == "<class 'torch.cuda.LongTensor'>"
        assert not isinstance(lib.ones(1), lib.cuda.FloatTensor)
