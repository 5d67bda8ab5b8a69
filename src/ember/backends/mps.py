"""``torch.backends.mps``: Apple's Metal backend, absent from Ember."""

from __future__ import annotations


def is_available() -> bool:
    """False: no MPS device."""
    return False


def is_built() -> bool:
    """False: this build has no MPS support."""
    return False


def is_macos_or_newer(major: int, minor: int) -> bool:
    """Whether macOS is at least ``major.minor``; raises, since there is no MPS backend."""
    raise RuntimeError(
        "Cannot execute isOnMacOSorNewer() without MPS backend. Check "
        "torch.backends.mps.is_available() first."
    )


def is_macos13_or_newer(minor: int = 0) -> bool:
    """Whether macOS is at least 13.``minor``; raises, since there is no MPS backend."""
    return is_macos_or_newer(13, minor)
