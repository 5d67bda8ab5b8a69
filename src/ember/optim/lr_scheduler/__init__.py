"""Learning-rate schedulers (PyTorch's ``torch.optim.lr_scheduler``), by family:
``base`` (LRScheduler), ``decay`` (multiplicative schedules), ``cosine``, ``cyclic``,
``composite`` (SequentialLR, ChainedScheduler) and ``plateau`` (ReduceLROnPlateau)."""

from .base import EPOCH_DEPRECATION_WARNING, LRScheduler, _LRScheduler  # noqa: F401
from .composite import ChainedScheduler, SequentialLR  # noqa: F401
from .cosine import CosineAnnealingLR, CosineAnnealingWarmRestarts  # noqa: F401
from .cyclic import CyclicLR, OneCycleLR  # noqa: F401
from .decay import (  # noqa: F401
    ConstantLR,
    ExponentialLR,
    LambdaLR,
    LinearLR,
    MultiplicativeLR,
    MultiStepLR,
    PolynomialLR,
    StepLR,
)
from .plateau import ReduceLROnPlateau  # noqa: F401
