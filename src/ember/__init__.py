"""Ember: reverse-mode automatic differentiation on a dynamic graph, with PyTorch's API.

``import ember as torch`` and ordinary PyTorch code runs on NumPy.
"""

from __future__ import annotations

import gc as _gc

# Importing Ember makes many objects at once and no garbage: the collector's passes over them
# would be a fifth of the import time.  It is switched back on at the end of this file.
_gc_was_enabled = _gc.isenabled()
_gc.disable()

from .version import __version__  # noqa: E402

from . import dtypes as _dtypes
from ._lazy import on_first_use as _on_first_use
from .tensor import Size, Tensor  # first: the submodule ``ember.tensor`` is then the factory
from .ops import families as _ops
from . import random as _random
from .autograd.grad_mode import *  # noqa: F403  (no_grad, enable_grad, inference_mode, ...)
from .creation import *  # noqa: F403
from .factories import *  # noqa: F403  (empty_strided, scalar_tensor, range, frombuffer, ...)
from .signal_windows import *  # noqa: F403  (hann_window, hamming_window, ...)
from .device import device
from .dtypes import (
    bfloat16,
    bool,
    cdouble,
    cfloat,
    complex64,
    complex128,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    get_default_dtype,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    promote_types,
    set_default_dtype,
    short,
    uint8,
)
from .legacy_types import (
    BFloat16Tensor,
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    set_default_tensor_type,
)
from .random import (
    Generator,
    bernoulli,
    default_generator,
    get_rng_state,
    initial_seed,
    manual_seed,
    multinomial,
    normal,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    seed,
    set_rng_state,
)

from . import autograd
from . import fft, func, linalg, nn, special, utils
from .func import vmap
from ._formatting import get_printoptions, printoptions, set_printoptions
from .threads import get_num_threads, set_num_threads
from .autograd.anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly

# Every public op function (add, exp, sum, matmul, cat, ...), as the declarations name them.
from .ops.families import *  # noqa: F403
from .nn._functional.toplevel import *  # noqa: F403


def is_floating_point(input) -> bool:
    """True for float16/32/64 tensors."""
    return input.is_floating_point()


def result_type(tensor1, tensor2):
    """The dtype PyTorch's promotion gives an op on these two operands."""
    return _dtypes.result_type(tensor1, tensor2)


def can_cast(from_, to) -> builtins_bool:  # noqa: F821
    """Whether ``from_`` casts to ``to`` under PyTorch's same-kind rule."""
    return from_.category <= to.category


builtins_bool = type(True)

# --- surface namespaces (begin)
from . import amp, compiler
from .amp.autocast_mode import autocast
from .amp.state import (
    autocast_decrement_nesting,
    autocast_increment_nesting,
    clear_autocast_cache,
    get_autocast_cpu_dtype,
    get_autocast_dtype,
    get_autocast_gpu_dtype,
    is_autocast_cache_enabled,
    is_autocast_cpu_enabled,
    is_autocast_enabled,
    set_autocast_cache_enabled,
    set_autocast_dtype,
    set_autocast_enabled,
)
from .compiler import compile
from .control_flow import cond
from .constants import e, inf, nan, newaxis, pi
from ._out_of_memory import OutOfMemoryError
from .default_device import get_default_device, set_default_device
from .determinism import (
    are_deterministic_algorithms_enabled,
    get_deterministic_debug_mode,
    is_deterministic_algorithms_warn_only_enabled,
    set_deterministic_debug_mode,
    use_deterministic_algorithms,
)
from .info import finfo, iinfo
from .matmul_precision import get_float32_matmul_precision, set_float32_matmul_precision
from .memory_format import (
    channels_last,
    channels_last_3d,
    contiguous_format,
    layout,
    memory_format,
    preserve_format,
    strided,
)
from .objects import is_storage, is_tensor, numel, typename
from .threads import get_num_interop_threads, set_num_interop_threads
# --- surface namespaces (end)


def save(obj, f, *args, **kwargs):
    """Save ``obj`` (tensors, state dicts, containers) to the path or file ``f``, atomically.

    ``ember.serialization.save``, loaded on first use (most programs that import Ember
    never save): see it for the arguments.
    """
    from .serialization import save as _save

    return _save(obj, f, *args, **kwargs)


def load(f, *args, **kwargs):
    """Load what ``save`` wrote, a PyTorch checkpoint or a pickle, checking it first.

    ``ember.serialization.load``, loaded on first use: see it for the arguments
    (``map_location``, ``weights_only``, ...).
    """
    from .serialization import load as _load

    return _load(f, *args, **kwargs)


#: Namespaces loaded on first use (``ember.distributions`` is built on the whole package
#: above; ``testing``, ``profiler`` and ``multiprocessing`` (with the standard library's
#: machinery behind it) are tools most programs never touch; so are the device namespaces
#: of a CPU library (``cuda``, ``mps``, ``cpu``, ``accelerator``, ``backends``), ``futures``
#: and ``distributed``).  ``optim`` too: a program that trains loads it at its first
#: ``ember.optim`` (no op, Tensor method or layer needs it), one that only computes never
#: does.  ``import ember.cuda`` and ``from ember import cuda`` load them too.
_ON_FIRST_USE = frozenset(
    {
        "accelerator",
        "backends",
        "cpu",
        "cuda",
        "distributed",
        "distributions",
        "futures",
        "mps",
        "multiprocessing",
        "optim",
        "profiler",
        "serialization",
        "testing",
    }
)


__getattr__, __dir__ = _on_first_use(__name__, _ON_FIRST_USE, globals())


if _gc_was_enabled:
    _gc.enable()
