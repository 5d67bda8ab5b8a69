"""``ember.nn``: modules, parameters, layers, losses and initialisation (``torch.nn``)."""

import importlib as _importlib

from . import (  # noqa: F401
    functional,
    init,
    parallel,  # noqa: E402, F401
    utils,
)
from .module import Module  # noqa: F401
from .modules import *  # noqa: F401, F403
from .parallel import DataParallel  # noqa: F401
from .parameter import (  # noqa: F401
    Buffer,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)

# ``ember.nn.attention`` (choosing attention kernels, flex_attention) is loaded on first use;
# the star import above brought ``modules.attention`` in under that name.
del globals()["attention"]

_ON_FIRST_USE = frozenset({"attention"})


def __getattr__(name):
    if name in _ON_FIRST_USE:
        return _importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | _ON_FIRST_USE)
