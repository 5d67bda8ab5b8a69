"""``Fields``: the base of Ember's small records (a written-out dataclass).

``@dataclass`` (the module and the class code it generates) was a noticeable part of
``import ember`` for the thousand records made at import, so those records say their
field names in ``_FIELDS`` and get a dataclass's repr and equality from here.
"""

from __future__ import annotations


class Fields:
    """A record whose fields are named in ``_FIELDS``: repr and equality by value, as a
    dataclass has (a subclass that is immutable may define ``__hash__`` by value)."""

    __slots__ = ()
    _FIELDS: tuple = ()

    def _set(self, values):
        """Set the fields, in ``_FIELDS`` order, to ``values`` (also on a frozen record)."""
        for name, value in zip(self._FIELDS, values):
            object.__setattr__(self, name, value)

    def _values(self):
        return tuple([getattr(self, f) for f in self._FIELDS])

    def __repr__(self):
        body = ", ".join(f"{f}={getattr(self, f)!r}" for f in self._FIELDS)
        return f"{type(self).__qualname__}({body})"

    def __eq__(self, other):
        if other.__class__ is self.__class__:
            return self._values() == other._values()
        return NotImplemented

    __hash__ = None  # mutable and compared by value
