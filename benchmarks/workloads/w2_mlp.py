"""W2 MLP 784-256-256-10, ReLU, batch 128, cross-entropy, one SGD step."""

from __future__ import annotations

from ..common import load, median, path_note, timed
from ._mlp import LibMLP, NumpyMLP

TITLE = "MLP 784-256-256-10, batch 128, CE, SGD step"
METRICS = {"step": "ms/step"}
TARGETS = {"step": ("numpy", 1.1)}


def cases(quick):
    return [{"id": "W2", "sizes": (784, 256, 256, 10), "batch": 128}]


def _model(impl, case):
    if impl == "numpy":
        return NumpyMLP(case["sizes"], case["batch"])
    return LibMLP(load(impl), case["sizes"], case["batch"])


def check(impl, case, quick):
    return _model(impl, case).check()


def measure(impl, case, quick):
    m = _model(impl, case)
    reps, warm = (3, 1) if quick else (60, 10)
    out = {"step": median(timed(m.step, reps, warm)) * 1e3}
    return out


def note(impl):
    return path_note(load(impl)) if impl == "ember" else ""
