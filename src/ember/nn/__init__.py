"""``ember.nn``: modules, parameters, layers, losses and initialisation (``torch.nn``)."""

from .._lazy import on_first_use as _on_first_use
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


__getattr__, __dir__ = _on_first_use(__name__, _ON_FIRST_USE, globals())
