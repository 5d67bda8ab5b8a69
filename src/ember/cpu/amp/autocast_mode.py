"""``torch.cpu.amp.autocast``: ``torch.amp.autocast('cpu', ...)`` deprecated."""

from ...amp.autocast_mode import _deprecated_alias

autocast = _deprecated_alias("cpu", "bfloat16")
autocast.__module__ = __name__
