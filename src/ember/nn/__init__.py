"""``ember.nn``: modules, parameters, layers, losses and initialisation (``torch.nn``)."""

from . import (  # noqa: F401
    functional,
    init,
    parallel,  # noqa: E402, F401
    utils,
)
from .module import Module  # noqa: F401
from .modules import *  # noqa: F401, F403
from .parameter import (  # noqa: F401
    Buffer,
    Parameter,
    UninitializedBuffer,
    UninitializedParameter,
)
