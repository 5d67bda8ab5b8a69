"""``nn.CTCLoss``: the connectionist temporal classification loss as a layer."""

from __future__ import annotations

from .. import functional as F
from .loss import _Loss


class CTCLoss(_Loss):
    """CTC loss between per-frame log-probabilities and unaligned target sequences."""

    def __init__(self, blank: int = 0, reduction: str = "mean", zero_infinity: bool = False):
        super().__init__(reduction=reduction)
        self.blank = blank
        self.zero_infinity = zero_infinity

    def forward(self, log_probs, targets, input_lengths, target_lengths):
        """The loss."""
        return F.ctc_loss(log_probs, targets, input_lengths, target_lengths, self.blank,
                          self.reduction, self.zero_infinity)  # fmt: skip
