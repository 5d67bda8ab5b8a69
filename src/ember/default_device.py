"""``get_default_device`` / ``set_default_device``: where factories put new tensors.

Ember computes on the CPU; a CUDA default is accepted as PyTorch's CPU-only build accepts
it, and reading it back raises as that build does.
"""

from __future__ import annotations

_default = [None]  # None: the CPU, without an index


def _parse(device):
    from .amp.state import parse_device_type
    from .device import device as _device

    if isinstance(device, _device):
        return device.type, device.index
    if isinstance(device, str):
        kind = parse_device_type(device)
        return kind, int(device.split(":", 1)[1]) if ":" in device else None
    if isinstance(device, int) and not isinstance(device, bool):
        # A bare index names the current accelerator, and there is none.
        from .accelerator import _none_available

        raise _none_available()
    raise TypeError(f"set_default_device(): expected a device or a string, got {device!r}")


def set_default_device(device) -> None:
    """Make ``device`` the default for new tensors (``None``: back to the CPU)."""
    _default[0] = None if device is None else _parse(device)


def get_default_device():
    """The default device for new tensors (``device(type='cpu')`` unless set)."""
    from .device import device as _device

    if _default[0] is None:
        return _device("cpu")
    kind, index = _default[0]
    if kind == "cuda" and index is None:  # resolving the current CUDA device needs CUDA
        from .cuda._errors import not_compiled

        raise not_compiled()
    if kind not in ("cpu", "cuda"):
        raise RuntimeError(
            f"PyTorch is not linked with support for {kind} devices (Ember computes on the CPU)"
        )
    return _device(kind, index)
