"""Namespaces loaded on first use: ``import ember`` leaves them out, every way of reaching
them still works, and ``dir`` lists them."""

import importlib
import json
import subprocess
import sys

import pytest

import ember

#: Top-level namespaces ``import ember`` does not load, with a member to reach through each.
TOP_LEVEL = {
    "accelerator": "is_available",
    "backends": "cudnn",
    "cpu": "amp",
    "cuda": "is_available",
    "distributed": "is_available",
    "distributions": "Normal",
    "futures": "Future",
    "mps": "is_available",
    "multiprocessing": "spawn",
    "optim": "SGD",
    "profiler": "profile",
    "serialization": "save",
    "testing": "assert_close",
}
#: Deeper namespaces loaded on first use: (parent, name, member).
NESTED = [
    ("ember.nn", "attention", "sdpa_kernel"),
    ("ember.nn.parallel", "distributed", "DistributedDataParallel"),
    ("ember.utils", "checkpoint", "checkpoint"),
    ("ember.utils", "data", "DataLoader"),
]
#: Modules ``import ember`` must not load (NumPy's too: the random generator and erf's
#: float32 coefficients are made on first use).
NOT_AT_IMPORT = (
    [f"ember.{name}" for name in TOP_LEVEL]
    + [f"{parent}.{name}" for parent, name, _ in NESTED]
    + ["numpy.random", "numpy.polynomial"]
)


def _fresh(code):
    """Run ``code`` in a fresh interpreter; the JSON it prints last."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_import_ember_loads_none_of_them_and_each_import_form_works():
    names = list(TOP_LEVEL)
    code = f"""
import json, sys
import ember
loaded = [m for m in {NOT_AT_IMPORT!r} if m in sys.modules]
forms = {{}}
for i, name in enumerate({names!r}):
    if i % 2:
        exec(f"from ember import {{name}} as mod")
    else:
        exec(f"import ember.{{name}}")
        mod = sys.modules[f"ember.{{name}}"]
    forms[name] = mod is getattr(ember, name) and mod.__name__ == f"ember.{{name}}"
import ember.nn.attention, ember.nn.parallel.distributed, ember.utils.checkpoint
forms["nested"] = ember.nn.attention is sys.modules["ember.nn.attention"]
from ember.utils import checkpoint
forms["nested"] &= checkpoint is sys.modules["ember.utils.checkpoint"]
print(json.dumps([loaded, forms]))
"""
    loaded, forms = _fresh(code)
    assert loaded == []
    assert forms == {**{name: True for name in names}, "nested": True}


def test_attribute_access_in_a_fresh_process():
    code = f"""
import json, sys
import ember
ok = {{}}
for name, member in {TOP_LEVEL!r}.items():
    ok[name] = hasattr(getattr(ember, name), member) and f"ember.{{name}}" in sys.modules
ok["OutOfMemoryError"] = ember.OutOfMemoryError is ember.cuda.OutOfMemoryError
print(json.dumps(ok))
"""
    assert _fresh(code) == {**{name: True for name in TOP_LEVEL}, "OutOfMemoryError": True}


@pytest.mark.parametrize("name", sorted(TOP_LEVEL))
def test_top_level_namespace(name):
    assert name in dir(ember)
    module = importlib.import_module(f"ember.{name}")
    assert getattr(ember, name) is module
    assert hasattr(module, TOP_LEVEL[name])


@pytest.mark.parametrize("parent, name, member", NESTED)
def test_nested_namespace(parent, name, member):
    package = importlib.import_module(parent)
    assert name in dir(package)
    assert member in dir(getattr(package, name))
    assert getattr(package, name) is importlib.import_module(f"{parent}.{name}")


def test_nested_names_resolve_as_before():
    import ember.nn.modules.attention

    # ``ember.nn.attention`` is the namespace, not the module of MultiheadAttention
    assert ember.nn.attention is not ember.nn.modules.attention
    assert ember.nn.attention.__name__ == "ember.nn.attention"
    assert ember.nn.MultiheadAttention is ember.nn.modules.attention.MultiheadAttention
    ddp = ember.nn.parallel.DistributedDataParallel
    assert ddp is ember.nn.parallel.distributed.DistributedDataParallel
    assert "DistributedDataParallel" in dir(ember.nn.parallel)
    scope = {}
    exec("from ember.nn.parallel import *", scope)
    assert scope["DistributedDataParallel"] is ddp


def test_unknown_names_still_raise_attribute_error():
    for module in (ember, ember.nn, ember.nn.parallel):
        with pytest.raises(AttributeError, match=f"module '{module.__name__}' has no attribute"):
            module.no_such_name  # noqa: B018


def test_out_of_memory_error_is_cuda_s():
    assert ember.OutOfMemoryError is ember.cuda.OutOfMemoryError
    assert issubclass(ember.OutOfMemoryError, RuntimeError)
    assert ember.OutOfMemoryError.__module__ == "ember.cuda"


def test_generator_made_on_first_draw_gives_the_default_stream():
    fresh = ember.Generator()
    seeded = ember.Generator().manual_seed(fresh.initial_seed())
    assert ember.equal(fresh.get_state(), seeded.get_state())
    assert ember.equal(ember.rand(5, generator=fresh), ember.rand(5, generator=seeded))
    with pytest.raises(AttributeError, match="'Generator' object has no attribute 'nope'"):
        fresh.nope  # noqa: B018


def test_threads_drawing_first_share_one_stream():
    import threading

    fresh, reference = ember.Generator(), ember.Generator()
    draws = []
    start = threading.Barrier(8)

    def draw():
        start.wait()
        draws.append(ember.rand(1, generator=fresh, dtype=ember.float64).item())

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    expected = ember.rand(8, generator=reference, dtype=ember.float64).tolist()
    assert sorted(draws) == sorted(expected)
