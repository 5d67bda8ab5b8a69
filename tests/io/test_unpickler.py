"""The safe unpickler reads what Python's pickle writes, protocols 0-5, exactly as pickle does."""

from __future__ import annotations

import collections
import io
import pickle

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import ember
from ember.serialization.policy import EmberPolicy
from ember.serialization.unpickler import SafeUnpickler

DTYPES = ["float16", "float32", "float64", "complex64", "int8", "int32", "int64", "uint8", "bool"]


@st.composite
def tensors(draw):
    shape = draw(st.lists(st.integers(0, 3), max_size=3))
    dtype = draw(st.sampled_from(DTYPES))
    values = np.arange(int(np.prod(shape)), dtype=np.int64).reshape(shape) % 3
    t = ember.tensor(values.astype(dtype))
    if dtype.startswith(("float", "complex")) and draw(st.booleans()):
        t.requires_grad_(True)
    return t


hashables = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=False),
    st.text(max_size=8),
    st.binary(max_size=8),
    st.complex_numbers(allow_nan=False),
)
leaves = st.one_of(
    hashables,
    st.builds(bytearray, st.binary(max_size=8)),
    tensors(),
    st.builds(lambda n: np.arange(n, dtype=np.float32), st.integers(0, 4)),
    st.builds(np.int64, st.integers(-5, 5)),
    st.sampled_from([ember.float32, ember.int64, ember.bool]),
    st.builds(lambda a, b: slice(a, b, None), st.integers(0, 3), st.integers(0, 3)),
)
trees = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(st.one_of(st.text(max_size=4), st.integers(0, 9)), inner, max_size=4),
        st.builds(collections.OrderedDict, st.dictionaries(st.text(max_size=3), inner, max_size=3)),
        st.sets(hashables, max_size=4),
        st.frozensets(hashables, max_size=4),
    ),
    max_leaves=12,
)


def _norm(obj):
    """A comparable form: tensors and arrays become (kind, dtype, shape, values)."""
    if isinstance(obj, ember.Tensor):
        return ("tensor", str(obj.dtype), tuple(obj.shape), obj.tolist(), obj.requires_grad)
    if isinstance(obj, np.ndarray):
        return ("ndarray", str(obj.dtype), obj.shape, obj.tolist())
    if isinstance(obj, (list, tuple)):
        return (type(obj).__name__, [_norm(v) for v in obj])
    if isinstance(obj, dict):
        return (type(obj).__name__, [(_norm(k), _norm(v)) for k, v in obj.items()])
    return (type(obj).__name__, obj)


def _safe_loads(data):
    return SafeUnpickler(data, EmberPolicy()).load()


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
@given(obj=trees)
def test_reads_what_pickle_writes(protocol, obj):
    data = pickle.dumps(obj, protocol=protocol)
    assert _norm(_safe_loads(data)) == _norm(pickle.loads(data))


@pytest.mark.parametrize("protocol", range(pickle.HIGHEST_PROTOCOL + 1))
def test_shared_and_cyclic_references_survive(protocol):
    shared = [1, 2]
    cyclic = []
    cyclic.append(cyclic)
    t = ember.ones(2)
    back = _safe_loads(pickle.dumps({"a": shared, "b": shared, "c": cyclic, "t": (t, t)}, protocol))
    assert back["a"] is back["b"] and back["c"][0] is back["c"]
    assert back["t"][0] is back["t"][1]


@pytest.mark.parametrize(
    "data, message",
    [
        (b"", "Ran out of input"),
        (b"\x80\x04", "truncated"),
        (b"\x80\x04X\xff\xff\xff\x00abc.", "declares 16777215 bytes"),
        (b"\x80\x04\x8e" + (2**62).to_bytes(8, "little") + b".", "truncated"),
        (b"\x80\x04t.", "could not find MARK"),
        (b"\x80\x04a.", "stack underflow"),
        (b"\x80\x04h\x07.", "Memo value not found at index 7"),
        (b"\x80\x06N.", "unsupported pickle protocol"),
        (b"\x80\x04}]Ns.", "bad dict key"),
    ],
)
def test_malformed_pickles_raise_unpickling_errors(data, message):
    exc = EOFError if not data else pickle.UnpicklingError
    with pytest.raises(exc, match=message):
        _safe_loads(data)


@pytest.mark.parametrize(
    "opcode",
    [b"i__main__\nX\n", b"(o", b"\x82\x01", b"\x83\x01\x00", b"\x84\x01\x00\x00\x00", b"\x97"],
    ids=["INST", "OBJ", "EXT1", "EXT2", "EXT4", "NEXT_BUFFER"],
)
def test_opcodes_that_make_objects_outside_the_policy_are_refused(opcode):
    with pytest.raises(pickle.UnpicklingError, match="Unsupported operand"):
        _safe_loads(b"\x80\x04" + opcode + b".")
    with pytest.raises(pickle.UnpicklingError, match="Unsupported operand"):
        ember.load(io.BytesIO(b"\x80\x04" + opcode + b"."))
