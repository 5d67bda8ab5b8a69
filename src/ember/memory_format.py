"""Memory formats (``torch.contiguous_format``, ``channels_last``, ...): how a tensor is laid out.

Ember's tensors are NumPy arrays; these objects name the layouts PyTorch offers, print as
PyTorch prints them, and are what ``memory_format=`` arguments accept.
"""

from __future__ import annotations


class memory_format:
    """A memory layout; the four instances are the only ones (as in PyTorch)."""

    __slots__ = ("_name",)

    def __new__(cls, *args, **kwargs):
        raise TypeError("cannot create 'torch.memory_format' instances")

    def __repr__(self):
        return "torch." + self._name

    def __reduce__(self):
        return (_by_name, (self._name,))


def _make(name):
    obj = object.__new__(memory_format)
    obj._name = name
    return obj


contiguous_format = _make("contiguous_format")
preserve_format = _make("preserve_format")
channels_last = _make("channels_last")
channels_last_3d = _make("channels_last_3d")

_ALL = {f._name: f for f in (contiguous_format, preserve_format, channels_last, channels_last_3d)}


def _by_name(name):
    return _ALL[name]
