"""``torch.version``: versions of Ember and of the GPU toolkits it was built with (none)."""

from __future__ import annotations

from . import __version__  # noqa: F401  (the package defines it first)

cuda = None  # no CUDA build
hip = None  # no ROCm build
debug = False
