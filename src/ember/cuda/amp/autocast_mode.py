"""``torch.cuda.amp.autocast``: ``torch.amp.autocast('cuda', ...)`` deprecated."""

from ...amp.autocast_mode import _deprecated_alias

autocast = _deprecated_alias("cuda", "float16")
autocast.__module__ = __name__
