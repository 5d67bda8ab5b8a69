"""Location families: ``mean`` and ``mode`` at ``loc``; the real-line ``Xxx(loc, scale)`` kind."""

from __future__ import annotations

from . import constraints
from .utils import _broadcast_params, _forwarded


class _LocCentered:
    """A distribution whose mean and mode are its ``loc``."""

    mean = _forwarded("loc", "The location.")
    mode = _forwarded("loc", "The location.")


class _LocScale(_LocCentered):
    """A reparameterized distribution on the real line given by ``loc`` and a positive ``scale``."""

    arg_constraints = {"loc": constraints.real, "scale": constraints.positive}
    support = constraints.real
    has_rsample = True

    def __init__(self, loc, scale, validate_args=None):
        (self.loc, self.scale), batch_shape = _broadcast_params(loc, scale)
        super().__init__(batch_shape, validate_args=validate_args)
