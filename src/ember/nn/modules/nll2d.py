"""``nn.NLLLoss2d``: PyTorch's deprecated name for ``NLLLoss`` over images."""

from __future__ import annotations

import warnings

from .loss import NLLLoss


class NLLLoss2d(NLLLoss):
    """``NLLLoss`` under its deprecated name (a ``FutureWarning`` when made)."""

    def __init__(self, weight=None, size_average=None, ignore_index: int = -100, reduce=None,
                 reduction: str = "mean"):  # fmt: skip
        warnings.warn(
            "`NLLLoss2d` has been deprecated. Please use `NLLLoss` instead as a drop-in "
            "replacement and see https://pytorch.org/docs/main/nn.html#torch.nn.NLLLoss for "
            "more details.",
            FutureWarning,
            stacklevel=2,
        )
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
