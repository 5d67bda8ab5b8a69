"""Recycled arrays for the recurrent nodes: what a released node saved, taken again by the
next forward instead of fresh memory.

A training step through a recurrent model saves arrays for every time step.  Once backward
has freed them, the C allocator may hand that memory back to the system (glibc trims the
top of its heap when a large block there becomes free), and the next forward then pays a
page fault for every 4 KiB it gets back: a sixth of the step of W8 (200 steps of two
LSTM cells) and of W10 (``nn.LSTM``).  A node hands its saved work arrays back here when
it is released after backward, provided nothing else refers to them, and forwards take
arrays of the same shape and dtype from here first.  At most ``LIMIT`` bytes are held.
"""

from __future__ import annotations

from sys import getrefcount

from ..autograd.node import SavedTensor
from ..tensor_base import TensorBase as Tensor

LIMIT = 256 << 20
_stacks: dict = {}
_held = [0]
_sole = []  # the reference counts of an unshared saved array (see ``_counts``)


def take(xp, shape, dtype):
    """An array of ``shape`` and ``dtype`` (contents undefined): a recycled one if any."""
    stack = _stacks.get((shape, dtype, xp))
    if stack:
        try:
            a = stack.pop()
        except IndexError:  # another thread took the last one
            pass
        else:
            _held[0] -= a.nbytes
            return a
    return xp.empty(shape, dtype)


def give(xp, a):
    """Keep ``a`` for a later ``take`` (the caller guarantees nothing else uses it)."""
    if _held[0] + a.nbytes <= LIMIT:
        _stacks.setdefault((a.shape, a.dtype, xp), []).append(a)
        _held[0] += a.nbytes


def _counts(s):
    t = s.tensor
    return getrefcount(t), getrefcount(t._data)


def recycle_saved(node, indices):
    """Give back the intermediate arrays ``node`` saved at ``indices`` that nothing but the
    node refers to (call it from the node's ``release``, before the saved values go)."""
    saved = node._saved
    if type(saved) is not tuple:
        return
    if not _sole:
        probe = object.__new__(SavedTensor)
        probe.tensor = Tensor._make(node.xp.empty(1))
        _sole.extend(_counts(probe))
    for i in indices:
        s = saved[i]
        if type(s) is SavedTensor and not s.is_output:
            a = s.tensor._data
            if a.base is None and list(_counts(s)) == [_sole[0], _sole[1] + 1]:
                give(node.xp, a)
