"""Every op family, imported in order (``ember.tensor`` imports this module before it
assembles ``Tensor`` from the declarations)."""

from __future__ import annotations

import importlib

from . import _legacy

#: Family modules, in the order their functions are looked up.
FAMILIES = [
    "convert",
    "elementwise",
    "pow",
    "compare",
    "masked_grad",
    "unary",
    "trig",
    "erf",
    "rounding",
    "activation",
    "clamp",
    "binary_math",
    "where",
    "reduce",
    "minmax",
    "variance",
    "norms",
    "cumulative",
    "sorting",
    "movement",
    "rearrange",
    "windows",
    "join",
    "indexing",
    "gather_scatter",
    "index_ops",
    "masked",
    "linalg",
    "products",
    "diagonals",
    "einsum",
    "nn_ops",
    "conv",
    "pooling",
    "avg_pooling",
    "losses",
    "class_losses",
    "normalization",
    "embedding",
    "inplace",
    "operators",
    "special_values",
    "pointwise_math",
    "logs",
    "gamma",
    "normal",
    "bessel",
    "counting",
    "unique",
    "running",
    "layout",
    "distances",
    "statistics",
]

_modules = []
for _name in FAMILIES:
    _mod = importlib.import_module(f"{__package__}.{_name}")
    _modules.append(_mod)
    if hasattr(_mod, "METHODS"):
        _legacy.adopt(_mod)


def function(name):
    """The public op function called ``name`` from whichever family defines it."""
    for mod in _modules:
        fn = getattr(mod, name, None)
        if callable(fn) and not isinstance(fn, type):
            return fn
    raise AttributeError(f"no Ember op named {name!r}")


def public_functions():
    """All public op functions by name (what ``ember`` re-exports)."""
    out = {}
    for mod in _modules:
        for name in getattr(mod, "__all__", None) or [
            n
            for n, v in vars(mod).items()
            if not n.startswith("_")
            and callable(v)
            and not isinstance(v, type)
            and getattr(v, "__module__", None) == mod.__name__
        ]:
            out.setdefault(name, getattr(mod, name))
    return out
