"""``expand`` methods written once: ``expand_params`` for a distribution whose state is its
parameter tensors, ``expand_base`` for a transformed one whose parent expands the base.

The family named in the subclass check (``_get_checked_instance``) is the class whose body
holds the method, as when each family writes its own ``expand``."""

from __future__ import annotations


def _owner(cls, method):
    return next(c for c in cls.__mro__ if c.__dict__.get("expand") is method)


class _Method:
    """Holds a generated method until its class is built, then puts the plain function in
    the class under the name and qualified name a method written there would have."""

    __slots__ = ("fn",)

    def __init__(self, fn):
        self.fn = fn

    def __set_name__(self, owner, name):
        fn = self.fn
        fn.__name__ = name
        fn.__qualname__ = f"{owner.__qualname__}.{name}"
        fn.__module__ = owner.__module__
        setattr(owner, name, fn)


def _phrase(names):
    return f"The distribution with {' and '.join(names)} expanded to ``batch_shape``."


def expand_params(*names, doc=None):
    """An ``expand`` that expands the parameter tensors ``names`` to the new batch shape
    (to be assigned in a class body)."""

    def expand(self, batch_shape, _instance=None):
        return self._expand_params(_owner(type(self), expand), batch_shape, _instance, names)

    expand.__doc__ = _phrase(names) if doc is None else doc
    return _Method(expand)


def expand_base(*names, doc=None):
    """An ``expand`` that expands the tensors ``names`` onto the new instance, then hands it
    to the parent's ``expand`` (which expands the base distribution; for a class body)."""

    def expand(self, batch_shape, _instance=None):
        owner = _owner(type(self), expand)
        new = self._get_checked_instance(owner, _instance)
        for name in names:
            setattr(new, name, getattr(self, name).expand(tuple(batch_shape)))
        return super(owner, self).expand(batch_shape, _instance=new)

    expand.__doc__ = _phrase(names) if doc is None else doc
    return _Method(expand)
