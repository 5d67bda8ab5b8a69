"""``OutOfMemoryError``, outside ``ember.cuda`` so that ``import ember`` can name it at the
top level (``torch.OutOfMemoryError``) without loading ``ember.cuda``."""

from __future__ import annotations


class OutOfMemoryError(RuntimeError):
    """Raised when a device runs out of memory (never, here: Ember allocates on the CPU)."""


# Its home is ``ember.cuda`` (``torch.cuda.OutOfMemoryError``), which binds it too.
OutOfMemoryError.__module__ = "ember.cuda"
