"""Layer families whose members differ only in a few private class attributes."""

from __future__ import annotations

_PACKAGE = __name__.split(".")[0]


class Family:
    """Lets a member of a layer family set the family's private class attributes in its header.

    ``class Conv2d(_ConvNd, nd=2)`` sets ``Conv2d._nd = 2``. Only the library's own layers may
    do so, and only for an attribute the family already has; a subclass written elsewhere is
    refused any class keyword, as Python refuses it for PyTorch's layers.
    """

    def __init_subclass__(cls, **attrs):
        super().__init_subclass__()
        own = cls.__module__.split(".")[0] == _PACKAGE
        for key, value in attrs.items():
            if not (own and hasattr(cls, f"_{key}")):
                raise TypeError(f"{cls.__name__}.__init_subclass__() takes no keyword arguments")
            setattr(cls, f"_{key}", value)
