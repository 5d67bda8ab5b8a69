"""``set_float32_matmul_precision``: how precise float32 matrix products must be.

Ember's products always run in full float32 (``"highest"``); the setting is kept, validated
and read back as in PyTorch, and it is what ``torch.backends.cuda.matmul.allow_tf32`` reports.
"""

from __future__ import annotations

import warnings

_PRECISIONS = ("highest", "high", "medium")
_current = ["highest"]


def get_float32_matmul_precision() -> str:
    """The float32 matmul precision: ``'highest'`` (default), ``'high'`` or ``'medium'``."""
    return _current[0]


def set_float32_matmul_precision(precision: str) -> None:
    """Set the float32 matmul precision (an unknown name warns and changes nothing)."""
    if not isinstance(precision, str):
        raise RuntimeError(
            f"set_float32_matmul_precision expects a str, but got {type(precision).__name__}"
        )
    if precision not in _PRECISIONS:
        warnings.warn(
            f"{precision} is not one of 'highest', 'high', or 'medium'; the current"
            "setFloat32MatmulPrecision call has no effect.",
            stacklevel=2,
        )
        return
    _current[0] = precision
