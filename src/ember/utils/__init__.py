"""Utilities: data loading, checkpointing."""

__all__ = ["checkpoint", "data"]


def __getattr__(name):
    # ``ember.utils.data`` (with the multiprocessing machinery of its workers) and
    # ``ember.utils.checkpoint`` load on first use.
    if name in __all__:
        import importlib

        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
