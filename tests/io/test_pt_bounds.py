"""PyTorch ``.pt`` files whose sizes, strides and offsets lie: refused as PyTorch refuses them.

Every case is written by hand (``_craft``) and given to both loaders; Ember must raise the
exception type PyTorch raises, with PyTorch's words, and never read outside the record.
"""

from __future__ import annotations

import io

import numpy as np
import pytest

import ember

from . import _craft as c
from ._craft import CASES

torch = pytest.importorskip("torch")

REC = np.arange(4, dtype=np.float32).tobytes()  # a 16-byte record: four float32


def _outcome(load, data):
    try:
        return "ok", load(io.BytesIO(data))
    except Exception as e:  # the oracle's exception is the expected answer
        return type(e), str(e)


def _torch_load(f):
    return torch.load(f, weights_only=True)


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_geometry_matches_pytorch(case):
    _, offset, size, stride, numel = case
    data = c.pt(c.tensor("0", offset, size, stride, numel=numel), {"0": REC})
    expected, t_value = _outcome(_torch_load, data)
    got, e_value = _outcome(ember.load, data)
    if expected == "ok":
        assert got == "ok", e_value
        assert tuple(e_value.shape) == tuple(t_value.shape)
        np.testing.assert_array_equal(e_value.numpy(), t_value.numpy())
        return
    assert got is expected, (got, e_value)
    if expected is RuntimeError:
        # PyTorch's words (up to its own elaboration), then Ember names what was wrong
        head = t_value.split(" = ")[0].split("\n")[0]
        assert head in e_value


@pytest.mark.parametrize(
    "size, stride", [((0, 2**61), (1, 1)), ((2**31, 2**31), (0, 0))], ids=["empty", "stride_0"]
)
def test_views_beyond_numpy_limits_are_a_clear_error(size, stride):
    """PyTorch loads these views; NumPy cannot make them: a RuntimeError says so."""
    data = c.pt(c.tensor("0", 0, size, stride), {"0": REC})
    assert tuple(torch.load(io.BytesIO(data)).shape) == size
    with pytest.raises(RuntimeError, match="Ember cannot hold a tensor of sizes"):
        ember.load(io.BytesIO(data))


@pytest.mark.parametrize("numel_bytes", [3, 5, 15, 17])
def test_record_size_must_match_the_storage(numel_bytes):
    data = c.pt(c.tensor("0", 0, (1,), (1,), numel=1), {"0": bytes(numel_bytes)})
    with pytest.raises(RuntimeError, match=r"record size \(\d+ bytes\) does not match"):
        torch.load(io.BytesIO(data), weights_only=True)
    with pytest.raises(RuntimeError, match=r"record size \(\d+ bytes\) does not match"):
        ember.load(io.BytesIO(data))


def test_short_record_never_returns_memory_beyond_it():
    """The probe's case: 16 bytes declared as 17,500 floats returned 70 KB of heap."""
    data = c.pt(c.tensor("0", 0, (17_500,), (1,), numel=4), {"0": REC})
    with pytest.raises(RuntimeError, match="not resizable") as info:
        ember.load(io.BytesIO(data))
    assert "70000 bytes" in str(info.value) and "16" in str(info.value)


def test_missing_record_names_it_and_the_file(tmp_path):
    path = tmp_path / "missing_record.pt"
    path.write_bytes(c.pt(c.tensor("1", 0, (4,), (1,)), {"0": REC}))
    with pytest.raises(RuntimeError, match="data/1") as info:
        torch.load(path, weights_only=True)
    with pytest.raises(RuntimeError, match="data/1") as info:
        ember.load(path)
    assert "missing_record.pt" in str(info.value)


def test_views_of_one_storage_share_it_as_in_pytorch(tmp_path):
    x = torch.arange(6.0)
    path = tmp_path / "views.pt"
    torch.save({"a": x, "b": x[2:], "t": x.view(2, 3).t()}, path)
    back, ref = ember.load(path), torch.load(path)
    for key in ("a", "b", "t"):
        np.testing.assert_array_equal(back[key].numpy(), ref[key].numpy())
    back["a"].add_(1.0)
    ref["a"].add_(1.0)
    np.testing.assert_array_equal(back["b"].numpy(), ref["b"].numpy())
    np.testing.assert_array_equal(back["t"].numpy(), ref["t"].numpy())


@pytest.mark.parametrize(
    "dtype",
    ["float16", "float32", "float64", "complex64", "complex128"]
    + ["int8", "int16", "int32", "int64", "uint8", "bool"],
)
def test_every_dtype_round_trips_from_pytorch(tmp_path, dtype):
    t = (torch.arange(-3, 9) % 5).to(getattr(torch, dtype)).reshape(3, 4)[:, 1:]
    path = tmp_path / "t.pt"
    torch.save(t, path)
    back = ember.load(path)
    assert back.dtype == getattr(ember, dtype)
    np.testing.assert_array_equal(back.numpy(), t.numpy())


def test_big_endian_archive_and_bool_bytes_as_pytorch_reads_them():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("archive/data.pkl", c.dumps(c.tensor("0", 0, (4,), (1,)), proto=2))
        z.writestr("archive/byteorder", b"big")
        z.writestr("archive/data/0", np.arange(4, dtype=">f4").tobytes())
        z.writestr("archive/version", b"3\n")
    data = buf.getvalue()
    np.testing.assert_array_equal(
        ember.load(io.BytesIO(data)).numpy(), torch.load(io.BytesIO(data)).numpy()
    )
    storage = c.tensor("0", 0, (3,), (1,), storage="BoolStorage", numel=3)
    data = c.pt(storage, {"0": bytes([0, 1, 2])})
    e, t = ember.load(io.BytesIO(data)), torch.load(io.BytesIO(data))
    assert e.tolist() == t.tolist() and e.sum().item() == t.sum().item()
    assert e.int().tolist() == t.int().tolist()


def test_requires_grad_flag_is_checked_as_in_pytorch():
    good = c.tensor("0", 0, (4,), (1,), requires_grad=True)
    t = ember.load(io.BytesIO(c.pt(good, {"0": REC})))
    assert t.requires_grad and t.is_leaf
    for bad, storage, nbytes in [(1, "FloatStorage", 8), (True, "LongStorage", 16)]:
        data = c.pt(c.tensor("0", 0, (2,), (1,), storage, 2, bad), {"0": bytes(nbytes)})
        expected, msg = _outcome(_torch_load, data)
        got, e_msg = _outcome(ember.load, data)
        assert got is expected is RuntimeError and msg in e_msg
