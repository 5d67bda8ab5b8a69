"""``torch.backends``: switches of the libraries PyTorch may call, as a CPU-only build has them.

Ember runs everything through NumPy, so these flags change no result; they exist, read and
validate as in PyTorch so that scripts setting them run unchanged.
"""

from . import cuda, cudnn, mps

__all__ = ["cuda", "cudnn", "mps"]
