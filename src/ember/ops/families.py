"""Every op family, imported in order (``ember.tensor`` imports this module before it
assembles ``Tensor`` from the declarations).

``from ember.ops.families import *`` gives every family's public functions (its
``__all__``, derived from its declarations): that is how they reach ``ember.<name>``.
"""

from __future__ import annotations

import importlib

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
    "permutations",
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
    "recurrent",
    "recurrent_layer",
    "conv",
    "pooling",
    "avg_pooling",
    "losses",
    "margin_losses",
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
    "linalg_triangular",
    "linalg_solve",
    "linalg_cholesky",
    "linalg_factor",
    "linalg_lstsq",
    "linalg_products",
    "linalg_norms",
    "linalg_lu",
    "complex_ops",
    "linalg_eig",
    "fft_ops",
    "linalg_tensor",
    "unpool",
    "adaptive_max_pool",
    "fractional_pool",
    "cross_map_lrn",
    "scatter_reduce",
    "strided",
    "adjoint",
    "bessel_functions",
    "special_functions",
    "polynomials",
    "histogram",
    "linalg_householder",
    "linalg_ldl",
    "removed",
    "addmm_family",
    "scatter_views",
    "float_bits",
    "vector_extras",
    "inplace_more",
    "splits",
    "numerical_gradient",
    "view_copies",
    "tensor_queries",
    "broadcasting",
    "random_fills",
    "inplace_views",
    "generic_nn",
    "spectral",
]

_modules = [importlib.import_module(f"{__package__}.{_name}") for _name in FAMILIES]


#: Each public name, with the function of the first family that exports it.
_exported = {}
for _mod in _modules:
    for _n in getattr(_mod, "__all__", ()):
        if _n not in _exported:
            _exported[_n] = getattr(_mod, _n)


def function(name):
    """The public op function called ``name`` from whichever family defines it."""
    fn = _exported.get(name)
    if fn is not None:
        return fn
    for mod in _modules:
        fn = getattr(mod, name, None)
        if callable(fn) and not isinstance(fn, type):
            return fn
    raise AttributeError(f"no Ember op named {name!r}")


def __getattr__(name):
    # The names of ``__all__`` live in the family modules: ``import *`` reaches them here.
    if name.startswith("_"):
        raise AttributeError(name)
    return function(name)


#: Every family's public functions, the first family's where two share a name.
__all__ = list(_exported)
