"""``torch.compile`` and ``torch.compiler``: Ember has no compiler, so compiling is the identity.

``compile(model)`` checks its arguments as PyTorch does and returns ``model`` itself: the
same module or function, running eagerly, with the same results. Code that reaches into
PyTorch's wrapper (``compiled._orig_mod``, ``'_orig_mod.'`` prefixes in a state dict) sees the
plain model instead.
"""

from __future__ import annotations

_MODES = ("default", "lite", "reduce-overhead", "max-autotune-no-cudagraphs", "max-autotune")
_BACKENDS = (
    "aot_eager",
    "aot_eager_decomp_partition",
    "aot_eager_default_partitioner",
    "aot_ts",
    "cudagraphs",
    "eager",
    "eager_debug",
    "inductor",
    "openxla",
    "openxla_eval",
    "pre_dispatch_eager",
    "ts",
    "tvm",
)


class InvalidBackend(RuntimeError):
    """Raised by ``compile`` for a backend name PyTorch does not know."""

    def __init__(self, name):
        super().__init__(
            f"Invalid backend: {name!r}, see `torch._dynamo.list_backends()` for available "
            "backends."
        )


def _check(model, backend, mode, options):
    if model is not None and not callable(model):
        raise AssertionError(f"A callable function is expected, but {type(model)} is provided.")
    if mode is not None and options is not None:
        raise RuntimeError(
            "Either mode or options can be specified, but both can't be specified at the same time."
        )
    if mode is not None and mode not in _MODES:
        raise RuntimeError(f"Unrecognized mode={mode}, should be one of: {', '.join(_MODES)}")
    if isinstance(backend, str) and backend not in _BACKENDS:
        raise InvalidBackend(backend)


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None,
            options=None, name=None, disable=False, **kwargs):  # fmt: skip
    """Return ``model`` unchanged (Ember runs eagerly); also a decorator, with or without
    arguments. Arguments are checked as PyTorch checks them."""
    if model is None:  # used as @compile(...): arguments are checked when it is applied

        def decorate(fn):
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode,
                           options=options, name=name, disable=disable, **kwargs)  # fmt: skip

        return decorate
    _check(model, backend, mode, options)
    return model


def is_compiling() -> bool:
    """False: Ember never traces code for a compiler."""
    return False


def is_dynamo_compiling() -> bool:
    """False: Ember never traces code for a compiler."""
    return False


def is_exporting() -> bool:
    """False: Ember never exports graphs."""
    return False


def disable(fn=None, recursive=True, *, reason=None):
    """Exclude ``fn`` from compilation: it already runs eagerly, so returns it unchanged."""
    if fn is None:
        return lambda f: f
    return fn


def reset() -> None:
    """Clear compilation caches: Ember keeps none."""


def list_backends(exclude_tags=("debug", "experimental")) -> list:
    """The backend names ``compile`` accepts (all run eagerly in Ember)."""
    if exclude_tags:
        return ["cudagraphs", "inductor", "openxla", "tvm"]
    return list(_BACKENDS)
