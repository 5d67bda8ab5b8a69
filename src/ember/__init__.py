"""Ember: reverse-mode automatic differentiation on a dynamic graph, with PyTorch's API.

``import ember as torch`` and ordinary PyTorch code runs on NumPy.
"""

from __future__ import annotations

__version__ = "0.1.0"

from . import dtypes as _dtypes
from .tensor import Size, Tensor  # first: the submodule ``ember.tensor`` is then the factory
from .ops import families as _ops
from . import random as _random
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .creation import *  # noqa: F403
from .device import device
from .dtypes import (
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
from . import func, nn, optim, utils
from .func import vmap
from ._formatting import get_printoptions, printoptions, set_printoptions
from .serialization import load, save
from .threads import get_num_threads, set_num_threads
from .autograd.anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_detect_anomaly

# Every public op function (add, exp, sum, matmul, cat, ...) at the top level.
globals().update(
    {
        k: v
        for k, v in _ops.public_functions().items()
        if not k.startswith("_") and k not in ("float", "int", "bool")
    }
)


def is_tensor(obj) -> bool:
    """True if ``obj`` is an Ember tensor."""
    return isinstance(obj, Tensor)


def is_floating_point(input) -> bool:
    """True for float16/32/64 tensors."""
    return input.is_floating_point()


def numel(input) -> int:
    """The number of elements of ``input``."""
    return input.numel()


def result_type(tensor1, tensor2):
    """The dtype PyTorch's promotion gives an op on these two operands."""
    return _dtypes.result_type(tensor1, tensor2)


def can_cast(from_, to) -> builtins_bool:  # noqa: F821
    """Whether ``from_`` casts to ``to`` under PyTorch's same-kind rule."""
    return from_.category <= to.category


builtins_bool = type(True)
