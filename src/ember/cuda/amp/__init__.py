"""``torch.cuda.amp``: deprecated CUDA forms of ``autocast`` and ``GradScaler``.

Both warn that they are deprecated and, CUDA being unavailable, disable themselves with
PyTorch's warning: the code around them runs in full precision.
"""

from . import autocast_mode, grad_scaler
from .autocast_mode import autocast
from .grad_scaler import GradScaler

__all__ = ["autocast", "autocast_mode", "GradScaler", "grad_scaler"]
