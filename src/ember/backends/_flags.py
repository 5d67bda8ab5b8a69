"""Boolean switches that validate assignments as PyTorch's backend modules do."""

from __future__ import annotations


def check_bool(value, setter: str) -> bool:
    """``value`` if it is a bool; else PyTorch's RuntimeError naming its C++ setter."""
    if not isinstance(value, bool):
        raise RuntimeError(f"{setter} expects a bool, but got {type(value).__name__}")
    return value


class BoolFlag:
    """A descriptor for a module-level switch stored in ``owner._values[name]``."""

    def __init__(self, setter: str, doc: str):
        self.setter = setter
        self.__doc__ = doc

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return obj._values[self.name]

    def __set__(self, obj, value):
        obj._values[self.name] = check_bool(value, self.setter)
