"""Memory bombs: small files that promise huge objects are refused before anything is allocated.

Peak memory is measured with ``tracemalloc`` (NumPy reports its buffers to it), so a loader
that allocates what a file promises fails these tests even when the machine has the memory.
"""

from __future__ import annotations

import io
import pickle
import tracemalloc
import zipfile

import numpy as np
import pytest

import ember

from . import _craft as c

RECONSTRUCT = c.G("numpy._core.multiarray", "_reconstruct")
NDARRAY = c.G("numpy", "ndarray")
MiB = 1 << 20


def _refused(data, match="Weights only load failed", exc=pickle.UnpicklingError):
    """Load ``data`` expecting ``exc``; return the peak bytes allocated meanwhile."""
    tracemalloc.start()
    try:
        with pytest.raises(exc, match=match):
            ember.load(io.BytesIO(data))
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def _dtype(code):
    return c.Call(c.G("numpy", "dtype"), code, False, True)


@pytest.mark.parametrize("wrap", [bytes, c.ember_file], ids=["plain_pickle", "ember_header"])
def test_set_of_a_range_is_refused(wrap):
    """The probe's 57-byte file: ``set(range(3e7))`` took 2.25 GB."""
    body = c.dumps(c.Call(c.G("builtins", "set"), (c.Call(c.G("builtins", "range"), 3 * 10**7),)))
    assert len(body) < 80
    assert _refused(wrap(body), match="range") < MiB


@pytest.mark.parametrize(
    "call",
    [
        c.Call(c.G("builtins", "bytearray"), 10**10),
        c.Call(c.G("builtins", "set"), "abc"),  # a string's characters: not what pickle writes
        c.Call(c.G("builtins", "frozenset"), 7),
        c.Call(c.G("builtins", "complex"), "1+2j" * 1000),
        c.Call(c.G("_codecs", "encode"), "x", "utf-32"),
        c.Call(c.G("collections", "OrderedDict"), 10**9),
    ],
    ids=["bytearray_of_size", "set_of_str", "frozenset_of_int", "complex_of_str", "encode", "od"],
)
def test_builtins_accept_only_what_pickle_writes(call):
    assert _refused(c.dumps(call)) < MiB


@pytest.mark.parametrize("code", [b"O", b"V16", b"U8"])
def test_object_void_and_string_arrays_are_refused(code):
    """The probe's 44-byte file: an object ndarray of 2e8 elements took 1.6 GB."""
    data = c.dumps(c.Call(RECONSTRUCT, NDARRAY, (2 * 10**8,), code))
    assert len(data) < 100
    assert _refused(data) < MiB


def test_reconstruct_with_a_declared_shape_is_refused():
    """NumPy pickles an empty (0,) array and fills it; a large shape here is a bomb."""
    data = c.dumps(c.Call(RECONSTRUCT, NDARRAY, (10**8,), b"b"))
    assert _refused(data) < MiB


@pytest.mark.parametrize("code", ["O8", "V16", "U8", "M8", "(1000,1000)f8", "f4,f4"])
def test_numpy_dtypes_that_are_not_plain_numbers_are_refused(code):
    assert _refused(c.dumps(_dtype(code))) < MiB


def test_array_state_must_hold_the_bytes_its_shape_needs():
    empty = c.Call(RECONSTRUCT, NDARRAY, (0,), b"b")
    lie = c.Build(empty, (1, (10**9,), _dtype("f8"), False, bytes(16)))
    assert _refused(c.ember_file(c.dumps(lie)), match="16 bytes") < MiB
    honest = c.Build(empty, (1, (2,), _dtype("f8"), False, bytes(16)))
    assert np.array_equal(ember.load(io.BytesIO(c.dumps(honest))), np.zeros(2))


def test_shapes_numpy_cannot_make_are_refused_even_when_empty():
    frombuffer = c.G("numpy._core.numeric", "_frombuffer")
    data = c.dumps(c.Call(frombuffer, b"", _dtype("f8"), (0, 2**61, 2**61), "C"))
    assert _refused(data, match="larger than any array") < MiB


def _bomb_pt(nbytes):
    buf = io.BytesIO()
    numel = nbytes // 4
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", c.dumps(c.tensor("0", 0, (numel,), (1,), numel=numel)))
        z.writestr("archive/data/0", bytes(nbytes))
    return buf.getvalue()


def test_deflated_record_that_expands_a_thousandfold_is_refused_before_decompressing():
    data = _bomb_pt(64 * MiB)
    assert len(data) < 100_000
    peak = _refused(data, match="zip bomb", exc=RuntimeError)
    assert peak < 4 * MiB
    # A trusted file (weights_only=False) is read: the limit guards untrusted loads only.
    assert ember.load(io.BytesIO(data), weights_only=False).shape == (16 * MiB,)


def test_declared_record_size_is_checked_before_decompressing():
    """A 2 GiB declared size on a 2 MB archive is refused without inflating anything."""
    small = _bomb_pt(2 * MiB)
    bomb = c.declare_size(small, "archive/data/0", 2 << 30)
    peak = _refused(bomb, match="2147483648 bytes", exc=RuntimeError)
    assert peak < 4 * MiB
    pkl = c.declare_size(small, "archive/data.pkl", 2 << 30)
    assert _refused(pkl, match="data.pkl", exc=RuntimeError) < 4 * MiB


def test_stored_record_may_not_extend_past_the_end_of_the_file():
    rec = np.arange(4, dtype=np.float32).tobytes()
    data = c.pt(c.tensor("0", 0, (4,), (1,)), {"0": rec})
    lie = c.declare_size(data, "archive/data/0", (1 << 32) - 1)
    assert _refused(lie, match="past the end", exc=RuntimeError) < MiB


def test_honest_deflated_checkpoint_still_loads():
    rec = np.arange(4, dtype=np.float32).tobytes()
    data = c.pt({"w": c.tensor("0", 0, (4,), (1,))}, {"0": rec}, compress=True)
    assert ember.load(io.BytesIO(data))["w"].tolist() == [0.0, 1.0, 2.0, 3.0]
