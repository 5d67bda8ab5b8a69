"""``use_deterministic_algorithms`` and the deterministic debug mode.

Ember's kernels are deterministic already (NumPy reductions in a fixed order, no atomics),
so the switch never changes a result; it is kept, validated and read back as in PyTorch.
"""

from __future__ import annotations

_state = {"mode": False, "warn_only": False}
_MODES = ("default", "warn", "error")


def use_deterministic_algorithms(mode: bool, *, warn_only: bool = False) -> None:
    """Require deterministic algorithms (``warn_only``: warn instead of raising)."""
    if not isinstance(mode, bool):
        raise TypeError(
            "_set_deterministic_algorithms(): argument 'mode' (position 1) must be bool, not "
            f"{type(mode).__name__}"
        )
    if not isinstance(warn_only, bool):
        raise TypeError(
            "_set_deterministic_algorithms(): argument 'warn_only' must be bool, not "
            f"{type(warn_only).__name__}"
        )
    _state.update(mode=mode, warn_only=warn_only)


def are_deterministic_algorithms_enabled() -> bool:
    """Whether ``use_deterministic_algorithms(True)`` is in force."""
    return _state["mode"]


def is_deterministic_algorithms_warn_only_enabled() -> bool:
    """Whether the deterministic requirement only warns."""
    return _state["warn_only"]


def set_deterministic_debug_mode(debug_mode) -> None:
    """Set the mode by name or number: ``'default'`` (0), ``'warn'`` (1), ``'error'`` (2)."""
    if isinstance(debug_mode, str):
        if debug_mode not in _MODES:
            raise RuntimeError(
                "invalid value of debug_mode, expected one of `default`, `warn`, `error`, but "
                f"got {debug_mode}"
            )
        debug_mode = _MODES.index(debug_mode)
    elif not isinstance(debug_mode, int):
        raise TypeError(f"debug_mode must be str or int, but got {type(debug_mode)}")
    if debug_mode == 0:
        use_deterministic_algorithms(False)
    elif debug_mode == 1:
        use_deterministic_algorithms(True, warn_only=True)
    elif debug_mode == 2:
        use_deterministic_algorithms(True)
    else:
        raise RuntimeError(
            f"invalid value of debug_mode, expected 0, 1, or 2, but got {debug_mode}"
        )


def get_deterministic_debug_mode() -> int:
    """The current mode as a number: 0 (default), 1 (warn) or 2 (error)."""
    if not _state["mode"]:
        return 0
    return 1 if _state["warn_only"] else 2
