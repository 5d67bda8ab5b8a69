"""Utilities: data loading, checkpointing."""

from . import checkpoint

__all__ = ["checkpoint", "data"]


def __getattr__(name):
    # ``ember.utils.data`` (with the multiprocessing machinery of its workers) loads on first use.
    if name == "data":
        import importlib

        return importlib.import_module(f"{__name__}.data")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
