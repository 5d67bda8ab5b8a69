"""ember.save / ember.load: round trips, safety against crafted files, atomic writes."""

from __future__ import annotations

import io
import os
import pickle

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.optim as optim
from ember.serialization import add_safe_globals, clear_safe_globals, load, safe_globals, save


def test_round_trip_tensors_and_containers(tmp_path):
    t = ember.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=ember.float64)
    g = ember.ones(3, requires_grad=True)
    obj = {
        "t": t,
        "g": g,
        "i": ember.arange(5),
        "b": ember.tensor([True, False]),
        "h": ember.zeros(2, dtype=ember.float16),
        "nested": [1, 2.5, "s", None, (True, b"x"), {"k": ember.tensor(7)}],
        "dtype": ember.float32,
        "view": ember.arange(10.0)[::3],
    }
    path = tmp_path / "obj.pt"
    save(obj, path)
    back = load(path)
    assert back["t"].dtype == ember.float64 and back["t"].tolist() == t.tolist()
    assert back["g"].requires_grad and back["g"].is_leaf
    assert back["i"].dtype == ember.int64 and back["b"].dtype == ember.bool
    assert back["h"].dtype == ember.float16
    assert back["nested"][:5] == [1, 2.5, "s", None, (True, b"x")]
    assert back["nested"][5]["k"].item() == 7
    assert back["dtype"] is ember.float32
    assert back["view"].tolist() == [0.0, 3.0, 6.0, 9.0]
    buf = io.BytesIO()
    save(t, buf)
    buf.seek(0)
    assert load(buf).tolist() == t.tolist()


def test_model_and_optimizer_state_round_trip(tmp_path):
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    opt = optim.Adam(model.parameters(), lr=0.01)
    model(ember.randn(8, 3)).sum().backward()
    opt.step()
    save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3}, tmp_path / "ck.pt")
    ck = load(tmp_path / "ck.pt")
    m2 = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    m2.load_state_dict(ck["model"])
    for (k, a), (_, b) in zip(model.state_dict().items(), m2.state_dict().items()):
        assert ember.equal(a, b), k
    o2 = optim.Adam(m2.parameters(), lr=0.5)
    o2.load_state_dict(ck["opt"])
    assert o2.param_groups[0]["lr"] == 0.01 and ck["epoch"] == 3
    assert (
        o2.state[m2[0].weight]["exp_avg"].tolist() == opt.state[model[0].weight]["exp_avg"].tolist()
    )
    p = nn.Parameter(ember.ones(2))
    save(p, tmp_path / "p.pt")
    assert isinstance(load(tmp_path / "p.pt"), nn.Parameter)


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch " + _Evil.marker,))


def test_malicious_pickle_is_refused_without_side_effect(tmp_path):
    marker = tmp_path / "pwned"
    _Evil.marker = str(marker)
    bad = tmp_path / "evil.pt"
    bad.write_bytes(pickle.dumps({"w": _Evil()}))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        load(bad)
    assert not marker.exists()
    # Through Ember's own header too, and for a numpy object array.
    from ember.serialization import _HEADER

    bad.write_bytes(_HEADER + pickle.dumps(_Evil()))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        load(bad)
    bad.write_bytes(_HEADER + pickle.dumps(np.array([1, "a"], dtype=object)))
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        load(bad)
    assert not marker.exists()


class Config:
    def __init__(self, n):
        self.n = n


def test_add_safe_globals(tmp_path):
    path = tmp_path / "cfg.pt"
    save({"cfg": Config(4)}, path)
    with pytest.raises(pickle.UnpicklingError, match="Unsupported global"):
        load(path)
    with safe_globals([Config]):
        assert load(path)["cfg"].n == 4
    with pytest.raises(pickle.UnpicklingError):
        load(path)
    add_safe_globals([Config])
    try:
        assert load(path)["cfg"].n == 4
    finally:
        clear_safe_globals()
    assert load(path, weights_only=False)["cfg"].n == 4


def test_truncated_corrupt_and_empty_files_name_the_file(tmp_path):
    path = tmp_path / "ck.pt"
    save({"w": ember.randn(50, 50)}, path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(RuntimeError, match=r"ck\.pt is corrupt or truncated"):
        load(path)
    path.write_bytes(b"")
    with pytest.raises(EOFError, match=r"ck\.pt is empty"):  # PyTorch raises EOFError too
        load(path)
    path.write_bytes(b"this is not a checkpoint at all")
    with pytest.raises(pickle.UnpicklingError, match=r"ck\.pt is not a checkpoint"):
        load(path)


class _Unpicklable:
    def __reduce__(self):
        raise RuntimeError("cannot pickle this")


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    path = tmp_path / "ck.pt"
    save({"v": 1}, path)
    with pytest.raises(RuntimeError, match="cannot pickle this"):
        save({"v": 2, "bad": _Unpicklable()}, path)
    assert load(path) == {"v": 1}
    assert os.listdir(tmp_path) == ["ck.pt"]  # no temporary file left behind


def test_reads_pytorch_checkpoint_without_torch_objects(tmp_path):
    torch = pytest.importorskip("torch")
    tm = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    path = tmp_path / "torch.pt"
    torch.save(tm.state_dict(), path)
    sd = load(path)
    em = nn.Sequential(nn.Linear(3, 2), nn.BatchNorm1d(2))
    em.load_state_dict(sd)
    for (k, v), (_, tv) in zip(em.state_dict().items(), tm.state_dict().items()):
        np.testing.assert_array_equal(v.numpy(), tv.numpy(), err_msg=k)
    # A transposed (non-contiguous) tensor keeps its values.
    torch.save({"t": torch.arange(6.0).reshape(2, 3).t()}, path)
    assert load(path)["t"].tolist() == [[0.0, 3.0], [1.0, 4.0], [2.0, 5.0]]


def test_safetensors_round_trip(tmp_path):
    pytest.importorskip("safetensors")
    from ember.serialization import load_safetensors, save_safetensors

    sd = nn.Linear(3, 2).state_dict()
    save_safetensors(sd, tmp_path / "m.safetensors")
    back = load_safetensors(tmp_path / "m.safetensors")
    assert set(back) == set(sd)
    assert all(ember.equal(back[k], sd[k]) for k in sd)


def test_bit_flips_anywhere_are_caught_by_the_checksum(tmp_path):
    """A flipped bit in the tensor bytes (which a pickle would load happily) is an error."""
    path = tmp_path / "ck.pt"
    save({"w": ember.randn(64, 64)}, path)
    data = bytearray(path.read_bytes())
    rng = np.random.default_rng(0)
    for pos in [len(data) - 10, len(data) // 2, 20] + list(rng.integers(16, len(data), 20)):
        flipped = bytearray(data)
        flipped[pos] ^= 1 << int(rng.integers(8))
        path.write_bytes(bytes(flipped))
        with pytest.raises(RuntimeError, match=r"ck\.pt is corrupt"):
            load(path)
    path.write_bytes(bytes(data))
    assert load(path)["w"].shape == (64, 64)
