"""W5 memory: MLP 4096-4096-4096-10, batch 512, float32, 20 SGD steps; peak RSS.

The peak is taken over the training steps: it restarts after the model is built, so the
benchmark's own set-up (random weights drawn in float64, copied into each library, and
each library's default initialisation that the copies replace) does not count.  The
process's resident baseline (interpreter, libraries, data, weights) does.  The set-up
peak is reported alongside.
"""

from __future__ import annotations

from .. import common
from ..common import load, path_note, peak_rss_mib
from ._mlp import LibMLP, NumpyMLP

TITLE = "memory: MLP 4096-4096-4096-10, batch 512, 20 SGD steps"
METRICS = {"peak": "MiB RSS", "setup": "MiB RSS", "step": "ms/step"}
TARGETS = {"peak": ("numpy", 1.1)}


def cases(quick):
    if quick:
        return [{"id": "W5", "sizes": (256, 256, 256, 10), "batch": 64, "steps": 2}]
    return [{"id": "W5", "sizes": (4096, 4096, 4096, 10), "batch": 512, "steps": 20}]


def check(impl, case, quick):
    # The same code at a small size: the check is about the maths, not the memory.
    sizes, batch = (64, 48, 32, 10), 16
    m = NumpyMLP(sizes, batch) if impl == "numpy" else LibMLP(load(impl), sizes, batch)
    return m.check()


def measure(impl, case, quick):
    if impl == "numpy":
        m = NumpyMLP(case["sizes"], case["batch"])
    else:
        m = LibMLP(load(impl), case["sizes"], case["batch"])
    import gc

    gc.collect()
    setup = peak_rss_mib()
    common.reset_peak_rss()
    t0 = common.clock()
    for _ in range(case["steps"]):
        m.step()
    dt = (common.clock() - t0) / case["steps"]
    return {"peak": peak_rss_mib(), "setup": setup, "step": dt * 1e3}


def note(impl):
    return path_note(load(impl)) if impl == "ember" else ""
