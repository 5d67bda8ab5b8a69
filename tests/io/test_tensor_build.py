"""Tensors are rebuilt only through one validating constructor: no crafted slots, no BUILD."""

from __future__ import annotations

import io
import pickle

import numpy as np
import pytest

import ember
import ember.nn as nn
from ember.serialization import safe_globals

from . import _craft as c

REBUILD = c.G("ember.serialization", "_rebuild_tensor")
REBUILD_PARAM = c.G("ember.serialization", "_rebuild_parameter")
RECONSTRUCT = c.G("numpy._core.multiarray", "_reconstruct")
NDARRAY = c.G("numpy", "ndarray")


def _dtype(code):
    return c.Call(c.G("numpy", "dtype"), code, False, True)


def _array(values, code="f8"):
    raw = np.asarray(values, dtype=code).tobytes()
    empty = c.Call(RECONSTRUCT, NDARRAY, (0,), b"b")
    return c.Build(empty, (1, (len(values),), _dtype(code), False, raw))


def _load(obj):
    return ember.load(io.BytesIO(c.ember_file(c.dumps(obj))))


def test_the_honest_form_loads():
    t = _load(c.Call(REBUILD, _array([1.0, 2.0]), True))
    assert t.tolist() == [1.0, 2.0] and t.requires_grad and t.is_leaf and t.grad_fn is None


@pytest.mark.parametrize(
    "slots",
    [{"grad_fn": "evil"}, {"_data": [1, 2]}, {"_version": "x"}, {"_grad": 5}],
    ids=["grad_fn", "_data", "_version", "_grad"],
)
def test_build_on_a_tensor_is_refused(slots):
    """The probe's file: a BUILD after the rebuild set ``grad_fn='evil'``, ``_data=[1, 2]``."""
    crafted = c.Build(c.Call(REBUILD, _array([1.0, 2.0]), False), (None, slots))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _load(crafted)


def test_build_on_a_parameter_is_refused():
    crafted = c.Build(c.Call(REBUILD_PARAM, _array([1.0]), True), {"grad_fn": "evil"})
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _load(crafted)


@pytest.mark.parametrize(
    "args",
    [([1, 2], False), ("abc", False), (b"\x00" * 8, False), (3.0, False)],
    ids=["list", "str", "bytes", "float"],
)
def test_rebuild_takes_only_an_array(args):
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _load(c.Call(REBUILD, *args))


def test_requires_grad_checks_match_pytorch():
    with pytest.raises(RuntimeError, match="requires_grad must be a bool"):
        _load(c.Call(REBUILD, _array([1.0]), 1))
    with pytest.raises(RuntimeError, match="floating point and complex dtype can require"):
        _load(c.Call(REBUILD, _array([1], "i8"), True))
    with pytest.raises(RuntimeError, match="floating point and complex dtype can require"):
        _load(c.Call(REBUILD_PARAM, _array([1], "i8"), True))


def test_array_not_yet_filled_cannot_become_a_tensor():
    """A BUILD after the rebuild would change the tensor's array under it."""
    empty = c.Call(RECONSTRUCT, NDARRAY, (0,), b"b")
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _load(c.Call(REBUILD, empty, False))


def test_unsupported_array_dtypes_are_refused():
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _load(c.Call(REBUILD, _array([1, 2], "u2"), False))


def test_tensor_class_cannot_be_instantiated_even_when_allowlisted():
    crafted = c.Build(c.New(c.G("ember.tensor", "Tensor")), (None, {"_data": [1, 2]}))
    with safe_globals([ember.Tensor]):
        with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
            _load(crafted)


def test_array_filled_twice_is_refused():
    twice = c.Build(_array([1.0, 2.0]), (1, (1,), _dtype("f8"), False, bytes(8)))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _load(c.Call(REBUILD, twice, False))


def test_dtype_state_cannot_make_a_structured_dtype():
    fields = {"a": (_dtype("f8"), 0)}
    bad = c.Build(_dtype("f8"), (3, "<", None, ("a",), fields, 8, 1, 0))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        _load(bad)


def test_round_trip_of_what_checkpoints_hold(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4))
    obj = {
        "model": model.state_dict(),
        "p": nn.Parameter(ember.ones(2)),
        "device": ember.device("cpu"),
        "dtypes": [ember.float16, ember.int64, ember.bool],
        "ints": ember.arange(5, dtype=ember.int32),
        "c": ember.tensor([1 + 2j]),
        "numbers": (1, 2.5, 3 + 4j, None, True, b"raw", bytearray(b"ba"), {1, 2}, frozenset()),
        "np": (np.arange(3.0), np.float32(1.5), np.int64(7)),
    }
    for proto in (2, 3, 4, 5):
        path = tmp_path / f"p{proto}.pt"
        ember.save(obj, path, pickle_protocol=proto)
        back = ember.load(path)
        assert back["model"].keys() == obj["model"].keys()
        assert getattr(back["model"], "_metadata", None) == obj["model"]._metadata
        for k, v in obj["model"].items():
            assert ember.equal(back["model"][k], v), k
        assert isinstance(back["p"], nn.Parameter) and back["p"].requires_grad
        assert back["device"] == ember.device("cpu")
        assert back["dtypes"] == obj["dtypes"]
        assert back["ints"].dtype == ember.int32 and back["c"].dtype == ember.complex64
        assert back["numbers"] == obj["numbers"]
        assert np.array_equal(back["np"][0], obj["np"][0])
        assert back["np"][1:] == obj["np"][1:] and type(back["np"][1]) is np.float32
