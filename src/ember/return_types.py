"""The named tuples that ops return, as ``torch.return_types``: ``values, indices = x.sort()``.

Each op declares its type once with ``return_type``; the type lives in this module under
its name (``ember.return_types.sort``), so results pickle, and prints as PyTorch prints it.
"""

from __future__ import annotations

import collections

_TYPES: dict = {}


def return_type(name, *fields):
    """The named tuple ``ember.return_types.<name>`` with ``fields`` (default: values, indices)."""
    cls = collections.namedtuple(name, fields or ("values", "indices"), module=__name__)
    cls.__repr__ = _repr
    _TYPES[name] = cls
    return cls


def _repr(self):
    body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
    return f"torch.return_types.{type(self).__name__}(\n{body})"


def __getattr__(name):
    try:
        return _TYPES[name]
    except KeyError:
        raise AttributeError(f"module 'ember.return_types' has no attribute '{name}'") from None
