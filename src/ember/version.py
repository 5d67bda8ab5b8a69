"""``torch.version``: versions of Ember and of the GPU toolkits it was built with (none)."""

from __future__ import annotations

__version__ = "0.1.0"

cuda = None  # no CUDA build
hip = None  # no ROCm build
debug = False
