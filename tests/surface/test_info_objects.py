"""finfo/iinfo, constants, memory formats, the default device and object queries."""

import copy
import math
import pickle

import pytest
import torch

import ember

from ._oracle import same

FLOATS = ["float16", "float32", "float64", "complex64", "complex128", "bfloat16"]
FIELDS = ["bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"]


def _dtype(lib, name):
    if not hasattr(lib, name):
        pytest.skip(f"{lib.__name__}.{name} is not there yet (it lands with the dtype work)")
    return getattr(lib, name)


@pytest.mark.parametrize("name", FLOATS)
def test_finfo_fields_and_repr(name):
    e, t = ember.finfo(_dtype(ember, name)), torch.finfo(getattr(torch, name))
    for field in FIELDS:
        assert getattr(e, field) == getattr(t, field), field
        assert type(getattr(e, field)) is type(getattr(t, field)), field
    assert repr(e) == repr(t) and str(e) == str(t)


def test_finfo_arguments():
    assert repr(ember.finfo()) == repr(torch.finfo())
    assert repr(ember.finfo(float)) == repr(torch.finfo(float))
    for arg in ["float32", int, bool, 1]:
        same(lambda a=arg: ember.finfo(a), lambda a=arg: torch.finfo(a))
    same(lambda: ember.finfo(ember.int32), lambda: torch.finfo(torch.int32))
    same(lambda: ember.finfo(ember.zeros(1)), lambda: torch.finfo(torch.zeros(1)))
    assert ember.finfo(ember.float32) == ember.finfo(ember.float32)
    assert ember.finfo(ember.float32) != ember.finfo(ember.float64)
    same(lambda: hash(ember.finfo()), lambda: hash(torch.finfo()))


INTS = ["uint8", "int8", "int16", "int32", "int64"]


@pytest.mark.parametrize("name", INTS)
def test_iinfo(name):
    e, t = ember.iinfo(getattr(ember, name)), torch.iinfo(getattr(torch, name))
    for field in ["bits", "min", "max", "dtype"]:
        assert getattr(e, field) == getattr(t, field)
        assert type(getattr(e, field)) is type(getattr(t, field))
    assert repr(e) == repr(t)


def test_iinfo_arguments():
    assert repr(ember.iinfo(int)) == repr(torch.iinfo(int))
    for arg in [None, float]:
        same(lambda a=arg: ember.iinfo(a), lambda a=arg: torch.iinfo(a))
    same(lambda: ember.iinfo(ember.bool), lambda: torch.iinfo(torch.bool))
    same(lambda: ember.iinfo(ember.float32), lambda: torch.iinfo(torch.float32))
    same(lambda: ember.iinfo(), lambda: torch.iinfo())


def test_constants():
    for name in ["inf", "pi", "e"]:
        assert getattr(ember, name) == getattr(torch, name)
    assert math.isnan(ember.nan) and math.isnan(torch.nan)
    assert ember.newaxis is torch.newaxis is None
    x = ember.arange(3)
    assert x[ember.newaxis].shape == (1, 3)


FORMATS = ["preserve_format", "contiguous_format", "channels_last", "channels_last_3d"]


@pytest.mark.parametrize("name", FORMATS)
def test_memory_formats(name):
    e, t = getattr(ember, name), getattr(torch, name)
    assert repr(e) == repr(t) and str(e) == str(t)
    assert isinstance(e, ember.memory_format)
    assert copy.deepcopy(e) is e and pickle.loads(pickle.dumps(e)) is e
    assert e == e and e != (ember.channels_last if e is not ember.channels_last else None)


def test_memory_format_cannot_be_made():
    same(lambda: ember.memory_format(), lambda: torch.memory_format())


@pytest.fixture
def _reset_default_device():
    yield
    ember.set_default_device(None)
    torch.set_default_device(None)


@pytest.mark.parametrize(
    "device", [None, "cpu", "cpu:0", "cuda", "foo", 3, "cuda:0", "mps"], ids=lambda d: repr(d)
)
def test_default_device(device, _reset_default_device):
    same(
        lambda: (ember.set_default_device(device), str(ember.get_default_device())),
        lambda: (torch.set_default_device(device), str(torch.get_default_device())),
    )
    ember.set_default_device(None)
    torch.set_default_device(None)


def test_default_device_object(_reset_default_device):
    ember.set_default_device(ember.device("cpu"))
    assert ember.get_default_device() == ember.device("cpu")
    assert repr(ember.get_default_device()) == repr(torch.get_default_device())


def test_is_tensor_and_numel():
    assert ember.is_tensor(ember.zeros(1)) and ember.is_tensor(ember.nn.Parameter(ember.zeros(1)))
    assert not ember.is_tensor(1) and not ember.is_tensor([1])
    assert ember.numel(ember.zeros(2, 3)) == torch.numel(torch.zeros(2, 3))
    for arg in [1, [1], None]:
        same(lambda a=arg: ember.numel(a), lambda a=arg: torch.numel(a))


@pytest.mark.parametrize(
    "make",
    [
        lambda lib: lib.zeros(1),
        lambda lib: lib.zeros(1, dtype=lib.long),
        lambda lib: lib.zeros(1, dtype=lib.bool),
        lambda lib: lib.zeros(1, dtype=lib.half),
        lambda lib: lib.zeros(1, dtype=lib.complex64),
        lambda lib: lib.nn.Parameter(lib.zeros(1)),
        lambda lib: 1,
        lambda lib: "s",
        lambda lib: None,
        lambda lib: 1.5,
    ],
)
def test_typename(make):
    assert ember.typename(make(ember)) == torch.typename(make(torch))


def test_typename_of_ember_objects():
    assert ember.typename(ember.nn.Linear(1, 1)) == "ember.nn.modules.linear.Linear"
    assert ember.typename(ember.Tensor).endswith("Tensor")


def test_is_storage():
    for obj in [ember.zeros(1), 1, "x"]:
        assert ember.is_storage(obj) is False
