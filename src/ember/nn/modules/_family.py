"""Layer families whose members differ only in a few private class attributes."""

from __future__ import annotations


class Family:
    """Lets a member of a layer family set the family's private class attributes in its header.

    ``class Conv2d(_ConvNd, nd=2)`` sets ``Conv2d._nd = 2``. Only an attribute the family
    already has can be set, so a misspelt keyword fails when the class is made.
    """

    def __init_subclass__(cls, **attrs):
        super().__init_subclass__()
        for key, value in attrs.items():
            if not hasattr(cls, f"_{key}"):
                raise TypeError(f"{cls.__name__}.__init_subclass__() takes no keyword arguments")
            setattr(cls, f"_{key}", value)
