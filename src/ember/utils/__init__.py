"""Utilities: data loading, checkpointing."""

from .._lazy import on_first_use as _on_first_use

__all__ = ["checkpoint", "data"]


# ``ember.utils.data`` (with the multiprocessing machinery of its workers) and
# ``ember.utils.checkpoint`` load on first use.
__getattr__, __dir__ = _on_first_use(__name__, frozenset(__all__), globals())
