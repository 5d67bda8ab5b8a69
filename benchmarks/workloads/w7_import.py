"""W7 import time: ``import ember`` in a fresh process vs ``import torch`` (and ``numpy``)."""

TITLE = "import time in a fresh process"
METRICS = {"import": "ms"}
TARGETS = {"import": ("torch", 0.15)}
MODULES = {"ember": "ember", "torch": "torch", "numpy": "numpy"}


def cases(quick):
    return [{"id": "W7"}]


def check(impl, case, quick):
    return None  # nothing to compare


def _ensure_bytecode(name):
    """Write the package's bytecode caches if missing (outside the clock, no import).

    An installed package has them (pip compiles on install); a source checkout run with
    PYTHONDONTWRITEBYTECODE set would otherwise compile every module on every import,
    which is not what a user's second import costs.
    """
    import compileall
    import importlib.util
    import os

    spec = importlib.util.find_spec(name)
    if spec is not None and spec.submodule_search_locations:
        for path in spec.submodule_search_locations:
            compileall.compile_dir(os.fspath(path), quiet=2, workers=1)


def measure(impl, case, quick):
    # Runs before anything heavy is imported in the worker (it imports only the stdlib).
    import importlib

    from .. import common

    _ensure_bytecode(MODULES[impl])
    t0 = common.clock()
    importlib.import_module(MODULES[impl])
    return {"import": (common.clock() - t0) * 1e3}
