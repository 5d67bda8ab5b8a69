"""``F.ctc_loss``: the CTC loss with the reduction named, over the op's node."""

from __future__ import annotations

from ...ops.ctc import ctc_loss as _ctc_loss

_REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def ctc_loss(log_probs, targets, input_lengths, target_lengths, blank: int = 0,
             reduction: str = "mean", zero_infinity: bool = False):  # fmt: skip
    """Connectionist temporal classification loss of ``log_probs`` (T, N, C) or (T, C)."""
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return _ctc_loss(log_probs, targets, input_lengths, target_lengths, blank,
                     _REDUCTIONS[reduction], zero_infinity)  # fmt: skip
