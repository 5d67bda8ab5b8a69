"""The globals a user allows in safe loads (``add_safe_globals``), and the refusal messages."""

from __future__ import annotations

import pickle

_safe_globals: dict = {}


def add_safe_globals(safe_globals):
    """Allow these classes/functions to appear in files loaded with ``weights_only=True``."""
    for g in safe_globals:
        if isinstance(g, tuple):
            obj, name = g
        else:
            obj, name = g, f"{g.__module__}.{g.__qualname__}"
        _safe_globals[name] = obj


def get_safe_globals():
    """The globals registered with ``add_safe_globals``."""
    return list(_safe_globals.values())


def clear_safe_globals():
    """Forget every global registered with ``add_safe_globals``."""
    _safe_globals.clear()


def user_global(full_name):
    """The object the user allowed under ``module.name``, or None."""
    return _safe_globals.get(full_name)


def user_allows(obj) -> bool:
    """True when ``obj`` itself was allowed by ``add_safe_globals``."""
    return any(obj is g for g in _safe_globals.values())


class safe_globals:
    """Context manager: ``add_safe_globals`` for the duration of a block."""

    def __init__(self, safe_globals):
        self.globals = safe_globals

    def __enter__(self):
        self.saved = dict(_safe_globals)
        add_safe_globals(self.globals)

    def __exit__(self, *exc):
        _safe_globals.clear()
        _safe_globals.update(self.saved)


class Refused(pickle.UnpicklingError):
    """The safe loader refused something the file asked for (not a damaged file)."""


_PREFIX = (
    "Weights only load failed. In PyTorch 2.6, we changed the default value of the "
    "`weights_only` argument in `torch.load` from `False` to `True`. Re-running "
    "`torch.load` with `weights_only` set to `False` will likely succeed, but it can "
    "result in arbitrary code execution. Do it only if you got the file from a trusted "
    "source.\n"
)


def unsupported_global(full_name) -> Refused:
    """The error for a global that is neither built in nor allowed by the user."""
    name = full_name.rsplit(".", 1)[-1]
    return Refused(
        _PREFIX + "Please file an issue with the following so that we can make "
        "`weights_only=True` compatible with your use case: WeightsUnpickler error: "
        f"Unsupported global: GLOBAL {full_name} was not an allowed global by default. Please "
        f"use `torch.serialization.add_safe_globals([{name}])` or the "
        f"`torch.serialization.safe_globals([{name}])` context manager to allowlist this "
        "global if you trust this class/function."
    )


def refused(detail) -> Refused:
    """A refusal with PyTorch's opening words and what the file asked for."""
    return Refused(_PREFIX + f"WeightsUnpickler error: {detail}")
