"""``torch.backends.cudnn``: cuDNN's switches on a build without cuDNN.

``is_available()`` is False and ``version()`` None. The flags keep PyTorch's defaults,
accept only bools (PyTorch's RuntimeError otherwise) and can be set for a region with
``flags(...)``; with no cuDNN they change nothing in Ember's results.
"""

from __future__ import annotations

import contextlib
import sys
import types

from ._flags import BoolFlag


def is_available() -> bool:
    """False: this build has no cuDNN."""
    return False


def version():
    """cuDNN's version: None without cuDNN."""
    return None


def is_acceptable(tensor) -> bool:
    """Whether cuDNN could run on ``tensor``: never, without cuDNN."""
    return False


class _CudnnModule(types.ModuleType):
    enabled = BoolFlag("set_enabled_cudnn", "Whether cuDNN may be used (True by default).")
    benchmark = BoolFlag(
        "set_benchmark_cudnn", "Whether cuDNN benchmarks convolution algorithms (False)."
    )
    deterministic = BoolFlag(
        "set_deterministic_cudnn", "Whether cuDNN must pick deterministic algorithms (False)."
    )
    allow_tf32 = BoolFlag("set_allow_tf32_cublas", "Whether cuDNN may use TF32 (True).")

    @property
    def benchmark_limit(self):
        """How many algorithms cuDNN tries when benchmarking (None without cuDNN)."""
        return self._values["benchmark_limit"]

    @benchmark_limit.setter
    def benchmark_limit(self, value):
        self._values["benchmark_limit"] = value


@contextlib.contextmanager
def flags(enabled=False, benchmark=False, benchmark_limit=10, deterministic=False, allow_tf32=True,
          fp32_precision="none", depthwise_kernel="auto"):  # fmt: skip
    """Set cuDNN's flags inside a ``with`` block and restore them after."""
    me = sys.modules[__name__]
    saved = dict(me._values)
    me.enabled = enabled
    me.benchmark = benchmark
    me.deterministic = deterministic
    me.allow_tf32 = allow_tf32
    try:
        yield
    finally:
        me._values.clear()
        me._values.update(saved)


_values = {
    "enabled": True,
    "benchmark": False,
    "deterministic": False,
    "allow_tf32": True,
    "benchmark_limit": None,
}

# The module's class gives its flags PyTorch's checked assignment (the data model's documented
# way to customise a module's attributes).
sys.modules[__name__].__class__ = _CudnnModule
