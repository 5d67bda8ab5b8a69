"""W7 import time: ``import ember`` in a fresh process vs ``import torch`` (and ``numpy``)."""

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

    from .. import common

    t0 = common.clock()
    importlib.import_module(MODULES[impl])
    return {"import": (common.clock() - t0) * 1e3}
