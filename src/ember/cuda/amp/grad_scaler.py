"""``torch.cuda.amp.GradScaler``: ``torch.amp.GradScaler('cuda', ...)``, deprecated."""

from ...amp.grad_scaler import _deprecated_scaler

GradScaler = _deprecated_scaler("cuda")
GradScaler.__module__ = __name__
