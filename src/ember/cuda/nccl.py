"""``torch.cuda.nccl`` on a build without NCCL."""

from __future__ import annotations

import warnings

from ._errors import missing_binding


def is_available(tensors) -> bool:
    """False, with PyTorch's warning: this build has no NCCL."""
    warnings.warn("PyTorch is not compiled with NCCL support", stacklevel=2)
    return False


def version():
    """NCCL's version; raises, since this build has no NCCL."""
    raise missing_binding("_nccl_version")
