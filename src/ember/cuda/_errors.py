"""The errors ``torch.cuda`` raises on a build without CUDA, with a hint for Ember users."""

from __future__ import annotations

HINT = (
    " Ember computes on the CPU: guard CUDA code with torch.cuda.is_available(), or use "
    "device='cpu'."
)


def not_compiled() -> AssertionError:
    """PyTorch's error for CUDA calls on a CPU-only build."""
    return AssertionError("Torch not compiled with CUDA enabled." + HINT)


def missing_binding(name) -> AttributeError:
    """The AttributeError PyTorch's CPU-only build raises where a CUDA binding is absent."""
    return AttributeError(f"module 'torch._C' has no attribute '{name}'." + HINT)


def device_index(device, optional=False):
    """The CUDA device index ``device`` names (int, ``'cuda:1'``, device object).

    Returns None for a device without an index when ``optional``.
    """
    from ..amp.state import parse_device_type

    kind = index = None
    if isinstance(device, str):
        kind = parse_device_type(device)
        index = int(device.split(":", 1)[1]) if ":" in device else None
    elif hasattr(device, "type") and hasattr(device, "index"):
        kind, index = device.type, device.index
    elif isinstance(device, int) and not isinstance(device, bool):
        index = device
    if kind is not None and kind != "cuda":
        raise ValueError(f"Expected a cuda device, but got: {device}")
    if index is None and not optional:
        raise ValueError(
            f"Expected a torch.device with a specified index or an integer, but got:{device}"
        )
    return index
