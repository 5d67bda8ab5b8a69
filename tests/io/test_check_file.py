"""``python -m ember check-file``: is a file safe to load, what it holds, why it is refused."""

from __future__ import annotations

import ast
import io
import json
import os
import pickle
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest

import ember
import ember.nn as nn
import ember.optim as optim
from ember.cli import main
from ember.serialization import check_file

from . import _craft as c
from ._craft import CASES

ROOT = os.path.join(os.path.dirname(__file__), "..", "..")
MiB = 1 << 20
RECONSTRUCT = c.G("numpy._core.multiarray", "_reconstruct")


def _dtype(code):
    return c.Call(c.G("numpy", "dtype"), code, False, True)


def _run(capsys, *args):
    code = main(["check-file", *map(str, args)])
    return code, capsys.readouterr().out


def _checkpoint(path):
    model = nn.Sequential(nn.Linear(3, 4), nn.Linear(4, 1))
    opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(ember.randn(2, 3)).sum().backward()
    opt.step()
    ember.save({"model": model.state_dict(), "opt": opt.state_dict(), "epoch": 3}, path)


def test_good_ember_checkpoint(tmp_path, capsys):
    path = tmp_path / "ck.pt"
    _checkpoint(path)
    code, out = _run(capsys, path)
    assert code == 0, out
    assert "Ember checkpoint" in out and "safe to load: yes" in out
    assert "model.0.weight" in out and "float32" in out and "[4, 3]" in out
    assert "48 bytes" in out and "epoch" in out
    report = check_file(path)
    assert report.safe and report.format == "ember"
    sizes = {e["key"]: e for e in report.tensors}
    assert sizes["model.0.weight"]["shape"] == [4, 3]
    assert sizes["model.0.weight"]["nbytes"] == 48
    assert sizes["opt.state.0.momentum_buffer"]["dtype"] == "float32"


def test_good_pytorch_file(tmp_path, capsys):
    torch = pytest.importorskip("torch")
    path = tmp_path / "torch.pt"
    torch.save(torch.nn.Linear(3, 2).state_dict(), path)
    code, out = _run(capsys, path)
    assert code == 0, out
    assert "PyTorch checkpoint" in out and "safe to load: yes" in out
    assert "weight" in out and "[2, 3]" in out and "24 bytes" in out


def test_json_output(tmp_path, capsys):
    path = tmp_path / "ck.pt"
    ember.save({"w": ember.zeros(2, 5, dtype=ember.float64)}, path)
    code, out = _run(capsys, "--json", path)
    (entry,) = json.loads(out)
    assert code == 0 and entry["safe"] is True and entry["format"] == "ember"
    assert entry["tensors"] == [
        {"key": "w", "dtype": "float64", "shape": [2, 5], "nbytes": 80, "requires_grad": False}
    ]


class _Evil:
    def __reduce__(self):
        return (os.system, ("touch " + _Evil.marker,))


class Config:
    def __init__(self, n):
        self.n = n


def _malicious(tmp_path):
    """Each malicious kind the loader refuses, with a word the report must say."""
    rec = np.arange(4, dtype=np.float32).tobytes()
    rebuild = c.G("ember.serialization", "_rebuild_tensor")
    empty = c.Call(RECONSTRUCT, c.G("numpy", "ndarray"), (0,), b"b")
    arr = c.Build(empty, (1, (1,), _dtype("f8"), False, bytes(8)))
    slots = c.Build(c.Call(rebuild, arr, False), (None, {"grad_fn": "evil"}))
    set_of_range = c.Call(c.G("builtins", "set"), (c.Call(c.G("builtins", "range"), 10**8),))
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("archive/data.pkl", c.dumps(c.tensor("0", 0, (8 * MiB,), (1,), numel=8 * MiB)))
        z.writestr("archive/data/0", bytes(32 * MiB))
    files = {
        "code.pt": (pickle.dumps({"w": _Evil()}), f"{os.system.__module__}.system"),
        "range.pt": (c.dumps(set_of_range), "builtins.range"),
        "object.pt": (c.dumps(_dtype("O8")), "object"),
        "slots.pt": (c.ember_file(c.dumps(slots)), "BUILD"),
        "short.pt": (c.pt(c.tensor("0", 0, (100,), (1,)), {"0": rec}), "not resizable"),
        "negative.pt": (c.pt(c.tensor("0", 0, (4,), (-1,)), {"0": rec}), "overflowed"),
        "bomb.pt": (bomb.getvalue(), "zip bomb"),
        "notes.txt": (b"hello world\n", "not a checkpoint"),
        "config.pt": (pickle.dumps({"cfg": Config(1)}), "add_safe_globals"),
    }
    out = {}
    for name, (data, word) in files.items():
        (tmp_path / name).write_bytes(data)
        out[tmp_path / name] = word
    return out


def test_each_malicious_kind_is_refused_with_its_reason(tmp_path, capsys):
    _Evil.marker = str(tmp_path / "pwned")
    for path, word in _malicious(tmp_path).items():
        code, out = _run(capsys, path)
        assert code == 1, (path.name, out)
        assert "safe to load: no" in out and word in out, (path.name, out)
        assert not check_file(path).safe
    assert not (tmp_path / "pwned").exists()


def test_corrupt_ember_checkpoint(tmp_path, capsys):
    path = tmp_path / "ck.pt"
    ember.save({"w": ember.randn(20)}, path)
    data = bytearray(path.read_bytes())
    data[-5] ^= 4
    path.write_bytes(bytes(data))
    code, out = _run(capsys, path)
    assert code == 1 and "checksum" in out


def test_several_files_and_a_missing_one(tmp_path, capsys):
    good = tmp_path / "good.pt"
    ember.save({"w": ember.ones(1)}, good)
    code, out = _run(capsys, good, tmp_path / "missing.pt")
    assert code == 1 and "good.pt" in out and "missing.pt" in out and "No such file" in out


def test_large_pt_is_described_without_reading_its_tensors(tmp_path):
    torch = pytest.importorskip("torch")
    path = tmp_path / "big.pt"
    torch.save({"w": torch.zeros(16 * MiB), "b": torch.ones(3)}, path)  # 64 MiB of weights
    tracemalloc.start()
    report = check_file(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert report.safe and peak < 4 * MiB
    assert {e["key"]: e["nbytes"] for e in report.tensors} == {"w": 64 * MiB, "b": 12}


def test_command_line_wiring(tmp_path):
    path = tmp_path / "ck.pt"
    ember.save({"w": ember.ones(2)}, path)
    r = subprocess.run(
        [sys.executable, "-m", "ember", "check-file", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0 and "safe to load: yes" in r.stdout, r.stderr


def test_cli_and_serialization_import_numpy_only_through_the_backend():
    folder = os.path.join(ROOT, "src", "ember", "serialization")
    paths = [os.path.join(ROOT, "src", "ember", "cli.py")]
    paths += [os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".py")]
    for path in paths:
        with open(path) as f:
            tree = ast.parse(f.read())
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            assert all(n.split(".")[0] != "numpy" for n in names), path


@pytest.mark.parametrize("case", CASES, ids=[case[0] for case in CASES])
def test_verdict_agrees_with_load(tmp_path, case):
    """check-file says "safe" exactly for the files load() accepts, and gives load()'s error."""
    _, offset, size, stride, numel = case
    path = tmp_path / "case.pt"
    rec = np.arange(4, dtype=np.float32).tobytes()
    path.write_bytes(c.pt(c.tensor("0", offset, size, stride, numel=numel), {"0": rec}))
    report = check_file(path)
    try:
        ember.load(path)
    except Exception as e:
        assert not report.safe and report.error[0] in (
            type(e).__name__,
            f"pickle.{type(e).__name__}",
        )
        assert str(e).split(" (")[0] in report.error[1]
    else:
        assert report.safe, report.error
