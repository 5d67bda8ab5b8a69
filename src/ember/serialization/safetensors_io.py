"""The safetensors format (needs the ``safetensors`` package), written atomically."""

from __future__ import annotations

from ..backend import np
from . import files
from .rebuild import rebuild_tensor


def save_safetensors(tensors: dict, filename, metadata=None):
    """Write a flat dict of tensors in the safetensors format (needs ``safetensors``)."""
    from safetensors.numpy import save

    arrays = {k: np.ascontiguousarray(v.numpy(force=True)) for k, v in tensors.items()}
    files.write(filename, [save(arrays, metadata=metadata)])


def load_safetensors(filename) -> dict:
    """Read a safetensors file into a dict of tensors (needs ``safetensors``)."""
    from safetensors.numpy import load_file

    return {k: rebuild_tensor(v) for k, v in load_file(filename).items()}
