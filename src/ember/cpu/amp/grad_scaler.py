"""``torch.cpu.amp.GradScaler``: ``torch.amp.GradScaler('cpu', ...)`` deprecated."""

from ...amp.grad_scaler import _deprecated_scaler

GradScaler = _deprecated_scaler("cpu")
GradScaler.__module__ = __name__
