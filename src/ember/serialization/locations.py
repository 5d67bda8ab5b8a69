"""``load(map_location=...)``: where the loaded tensors go.

Ember's checkpoints hold host arrays, so every tensor is read as saved on the CPU and then
placed as ``map_location`` says, with PyTorch's rules: a device or device string, a dict
from saved location to target, or a callable ``f(storage, location)``.
"""

from __future__ import annotations

from ..backend import device_count, to_device_array
from ..device import device as _device
from ..tensor_base import TensorBase

_SAVED = "cpu"  # where every tensor of a checkpoint comes from, as PyTorch tags it


def place(obj, map_location):
    """``obj`` with its tensors moved as ``map_location`` says (in place; returns ``obj``)."""
    if map_location is None:
        return obj
    target = _target(map_location)
    if target is None:
        return obj
    for t in _tensors(obj):
        t._data = to_device_array(t._data, *target)
        if t._grad is not None:
            t._grad._data = to_device_array(t._grad._data, *target)
    return obj


def _target(map_location):
    """``(type, index)`` the tensors go to, or None to leave them on the CPU."""
    if isinstance(map_location, dict):
        map_location = map_location.get(_SAVED)
        if map_location is None:
            return None
    elif not isinstance(map_location, (str, _device)):
        if not callable(map_location):
            raise TypeError(f"'{type(map_location).__name__}' object is not callable")
        result = map_location(_HostStorage(), _SAVED)
        if result is None or isinstance(result, _HostStorage):
            return None
        map_location = result.device if isinstance(result, TensorBase) else result
    if isinstance(map_location, str):
        kind = map_location.split(":", 1)[0]
        if kind not in ("cpu", "cuda"):
            raise RuntimeError(
                "don't know how to restore data location of torch.storage.UntypedStorage "
                f"(tagged with {map_location})"
            )
    dev = _device(map_location)
    if dev.type == "cpu":
        return None
    if device_count(dev.type) == 0:
        raise RuntimeError(
            "Attempting to deserialize object on a CUDA device but torch.cuda.is_available() "
            "is False. If you are running on a CPU-only machine, please use torch.load with "
            "map_location=torch.device('cpu') to map your storages to the CPU."
        )
    return dev.type, 0 if dev.index is None else dev.index


class _HostStorage:
    """What a ``map_location`` callable receives: the (host) storage of a loaded tensor.

    ``storage.cuda(i)`` / ``storage.to(device)`` say where it should go instead.
    """

    def cuda(self, device=None):
        return _device("cuda", device if isinstance(device, int) else 0)

    def to(self, device):
        return _device(device)

    def cpu(self):
        return self


def _tensors(obj):
    """Every tensor in nested dicts, lists and tuples (iteratively, each once)."""
    seen = set()
    stack = [obj]
    while stack:
        x = stack.pop()
        if isinstance(x, TensorBase):
            if id(x) not in seen:
                seen.add(id(x))
                yield x
        elif isinstance(x, dict):
            stack.extend(x.values())
        elif isinstance(x, (list, tuple)):
            stack.extend(x)
