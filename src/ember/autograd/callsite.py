"""Where in the user's code something happened: the first stack frame outside Ember.

Messages that point at user code (the in-place error, ``explain()``, anomaly traces,
the training-loop lint) all find that frame here.
"""

from __future__ import annotations

import sys


def is_internal(frame) -> bool:
    """True for frames running Ember's own code."""
    name = frame.f_globals.get("__name__", "")
    return name == "ember" or name.startswith("ember.")


def user_frame(skip: int = 1):
    """The first frame outside Ember above the caller's ``skip`` frames (None if none)."""
    f = sys._getframe(skip + 1)
    while f is not None and is_internal(f):
        f = f.f_back
    return f


def user_site(skip: int = 1) -> str:
    """``file:line`` of the first frame outside Ember (``"?"`` when there is none)."""
    f = user_frame(skip + 1)
    return "?" if f is None else f"{f.f_code.co_filename}:{f.f_lineno}"


def warn(message, category=UserWarning) -> None:
    """``warnings.warn`` pointing at the first line outside Ember (however deep the call)."""
    import warnings

    level = 2
    f = sys._getframe(1)
    while f is not None and is_internal(f):
        f = f.f_back
        level += 1
    warnings.warn(message, category, stacklevel=level)
