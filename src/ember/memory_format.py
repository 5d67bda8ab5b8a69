"""Memory formats (``torch.contiguous_format``, ``channels_last``, ...) and layouts
(``torch.strided``, ``torch.sparse_coo``, ...): how a tensor is laid out.

Ember's tensors are NumPy arrays, all strided; these objects name the formats PyTorch
offers and the one layout Ember has, print as PyTorch prints them, are what
``memory_format=`` and ``layout=`` arguments accept, and pickle back to the same object.
"""

from __future__ import annotations


class _Named:
    """One of a fixed set of named constants (PyTorch makes no others)."""

    __slots__ = ("_name",)

    def __new__(cls, *args, **kwargs):
        raise TypeError(f"cannot create 'torch.{cls.__name__}' instances")

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (_by_name, (self._name,))


class memory_format(_Named):
    """A memory format; the four instances are the only ones (as in PyTorch)."""

    __slots__ = ()


class layout(_Named):
    """A tensor layout; ``strided`` is every Ember tensor's (Ember has no sparse tensors)."""

    __slots__ = ()


_ALL = {}


def _make(cls, name):
    obj = object.__new__(cls)
    obj._name = name
    _ALL[name] = obj
    return obj


def _by_name(name):
    return _ALL[name]


contiguous_format = _make(memory_format, "contiguous_format")
preserve_format = _make(memory_format, "preserve_format")
channels_last = _make(memory_format, "channels_last")
channels_last_3d = _make(memory_format, "channels_last_3d")

strided = _make(layout, "strided")
