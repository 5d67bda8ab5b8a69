"""``ember.save`` / ``ember.load``: safe checkpoints of tensors, state dicts and containers.

- ``checkpoint``: Ember's format (header, CRC-32, pickle) and ``save``/``load``;
- ``unpickler`` + ``policy``: the safe reader used with ``weights_only=True`` (the default):
  only allow-listed, checked constructors run; ``allowlist``: ``add_safe_globals``;
- ``rebuild``: the one validating constructor of loaded tensors;
- ``torch_read`` / ``geometry`` / ``torch_write``: PyTorch ``.pt`` zip checkpoints, read
  (every size, stride and offset checked against its record) and written without PyTorch;
- ``files``: atomic writes that keep modes and symlinks, and the cleanup of killed saves;
- ``check``: ``python -m ember check-file``; ``safetensors_io``: the safetensors format.
"""

import os  # noqa: F401 - tests patch os.fdopen / os.fsync through this module
import pickle

from .allowlist import add_safe_globals, clear_safe_globals, get_safe_globals, safe_globals
from .check import check_file
from .checkpoint import _HEADER, FORMAT_VERSION, MAGIC, load, save
from .rebuild import _rebuild_parameter, _rebuild_tensor
from .safetensors_io import load_safetensors, save_safetensors
from .torch_write import save_pytorch

UnpicklingError = pickle.UnpicklingError

__all__ = [
    "FORMAT_VERSION",
    "MAGIC",
    "UnpicklingError",
    "add_safe_globals",
    "check_file",
    "clear_safe_globals",
    "get_safe_globals",
    "load",
    "load_safetensors",
    "safe_globals",
    "save",
    "save_pytorch",
    "save_safetensors",
    "_HEADER",
    "_rebuild_parameter",
    "_rebuild_tensor",
]
