"""``ember.nn.utils``: gradient clipping, parameter/vector conversion, sequence packing,
parametrizations, weight and spectral normalisation, batch-norm fusion."""

import importlib

from . import rnn  # noqa: F401
from .clip_grad import (  # noqa: F401
    clip_grad_norm,
    clip_grad_norm_,
    clip_grad_value_,
    clip_grads_with_norm_,
    get_total_norm,
)
from .convert_parameters import parameters_to_vector, vector_to_parameters  # noqa: F401
from .fusion import (  # noqa: F401
    fuse_conv_bn_eval,
    fuse_conv_bn_weights,
    fuse_linear_bn_eval,
    fuse_linear_bn_weights,
)
from .spectral_norm import remove_spectral_norm, spectral_norm  # noqa: F401
from .weight_norm import remove_weight_norm, weight_norm  # noqa: F401

# Parametrizations build on nn.modules (ModuleDict), and nn.modules' RNNs import
# nn.utils.rnn: these load on first use, so nn.utils imports before nn.modules does.
_LAZY = {
    "parametrize": ("parametrize", None),
    "parametrizations": ("parametrizations", None),
}


def __getattr__(name):
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module 'ember.nn.utils' has no attribute '{name}'")
    module = importlib.import_module(f"{__name__}.{where[0]}")
    return module if where[1] is None else getattr(module, where[1])


def __dir__():
    return sorted(set(globals()) | set(_LAZY))
