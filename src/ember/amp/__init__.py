"""Automatic mixed precision: ``autocast`` regions and ``GradScaler`` (``torch.amp``)."""

from . import autocast_mode, grad_scaler, policy, state
from .autocast_mode import autocast
from .grad_scaler import GradScaler
from .state import is_autocast_available

__all__ = [
    "autocast",
    "autocast_mode",
    "GradScaler",
    "grad_scaler",
    "is_autocast_available",
    "policy",
    "state",
]
