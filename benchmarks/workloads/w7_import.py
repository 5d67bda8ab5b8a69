"""W7 import time: ``import ember`` in a fresh process vs ``import torch`` (NumPy: ``import numpy``)."""

TITLE = "import time in a fresh process"
METRICS = {"import": "ms"}
TARGETS = {"import": ("torch", 0.15)}
MODULES = {"ember": "ember", "torch": "torch", "numpy": "numpy"}


def cases(quick):
    return [{"id": "W7"}]


def check(impl, case, quick):
    return None  # nothing to compare


def measure(impl, case, quick):
    # Runs before anything heavy is imported in the worker (it imports only the stdlib).
    import importlib
    import time

    t0 = time.perf_counter()
    importlib.import_module(MODULES[impl])
    return {"import": (time.perf_counter() - t0) * 1e3}
