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

# bound after the star import, which brings ``modules.attention`` in under the same name
attention = _importlib.import_module(".attention", __name__)
