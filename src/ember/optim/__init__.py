"""``ember.optim``: optimizers and learning-rate schedulers (``torch.optim``)."""

from . import lr_scheduler, swa_utils  # noqa: F401
from .adafactor import Adafactor  # noqa: F401
from .adam import Adam, Adamax, AdamW, NAdam, RAdam, SparseAdam  # noqa: F401
from .asgd import ASGD  # noqa: F401
from .lbfgs import LBFGS  # noqa: F401
from .optimizer import Optimizer  # noqa: F401
from .rmsprop import Adadelta, Adagrad, RMSprop  # noqa: F401
from .rprop import Rprop  # noqa: F401
from .sgd import SGD  # noqa: F401
