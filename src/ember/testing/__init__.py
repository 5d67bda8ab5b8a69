"""``torch.testing``: ``assert_close``, ``make_tensor``, and Ember's gradient checks."""

from .comparison import assert_allclose, assert_close
from .creation import make_tensor

__all__ = ["assert_close", "assert_allclose", "make_tensor"]
