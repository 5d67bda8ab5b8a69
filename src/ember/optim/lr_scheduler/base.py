"""``LRScheduler``: the base of the learning-rate schedulers, and the helpers they share.

A scheduler keeps ``base_lrs`` (each group's ``initial_lr``) and ``last_epoch``; ``step()``
advances ``last_epoch`` and writes each group's new ``lr``. Schedules use PyTorch's
recursive ("chainable") form, computed from the groups' current learning rates, so several
schedulers can act on one optimizer and the rates agree with PyTorch's to the last bit;
``step(epoch)`` uses the closed form where a schedule has one.
"""

from __future__ import annotations

import types
import warnings
from contextlib import contextmanager

from ...tensor import Tensor
from ..optimizer import Optimizer

EPOCH_DEPRECATION_WARNING = (
    "The epoch parameter in `scheduler.step()` was not necessary and is being deprecated where "
    "possible. Please use `scheduler.step()` to step the scheduler. During the deprecation, if "
    "epoch is different from None, the closed form is used instead of the new chainable form, "
    "where available. Please open an issue if you are unable to replicate your use case: "
    "https://github.com/pytorch/pytorch/issues/new/choose."
)

_ORDER_WARNING = (
    "Detected call of `lr_scheduler.step()` before `optimizer.step()`. In PyTorch 1.1.0 and "
    "later, you should call them in the opposite order: `optimizer.step()` before "
    "`lr_scheduler.step()`.  Failure to do this will result in PyTorch skipping the first "
    "value of the learning rate schedule. See more details at "
    "https://pytorch.org/docs/stable/optim.html#how-to-adjust-learning-rate"
)


def check_optimizer(optimizer):
    """PyTorch's ``TypeError`` for a scheduler given something that is not an optimizer."""
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")


def per_group(name, optimizer, value):
    """``value`` once per parameter group: a list of that length as given, or repeated."""
    n = len(optimizer.param_groups)
    if isinstance(value, (list, tuple)):
        if len(value) != n:
            raise ValueError(
                f"{name} must have the same length as optimizer.param_groups. {name} has "
                f"{len(value)} values, param_groups has {n}."
            )
        return [v.clone() if isinstance(v, Tensor) else v for v in value]
    return [value] * n


def group_values(optimizer, key):
    """Each group's ``key`` (tensors copied, as PyTorch copies them)."""
    return [
        g[key].clone() if isinstance(g[key], Tensor) else g[key] for g in optimizer.param_groups
    ]


def set_group_value(group, key, value):
    """Write ``value`` into ``group[key]`` (in place when the group holds a tensor)."""
    if isinstance(group[key], Tensor):
        group[key].fill_(float(value))
    else:
        group[key] = value


def set_momentum(group, use_beta1, momentum):
    """Write a cycled momentum: ``betas[0]`` for Adam-like optimizers, else ``momentum``."""
    if use_beta1:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def setup_momentum_cycle(scheduler, optimizer, base_momentum, max_momentum, last_epoch):
    """Check that ``optimizer`` has a momentum to cycle and, on a fresh start, set each group
    to its maximum momentum and record ``base_momentum``/``max_momentum`` in the group."""
    if "momentum" not in optimizer.defaults and "betas" not in optimizer.defaults:
        raise ValueError(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
        )
    scheduler.use_beta1 = "betas" in optimizer.defaults
    max_ms = per_group("max_momentum", optimizer, max_momentum)
    base_ms = per_group("base_momentum", optimizer, base_momentum)
    if last_epoch == -1:
        for m_max, m_base, group in zip(max_ms, base_ms, optimizer.param_groups):
            set_momentum(group, scheduler.use_beta1, m_max)
            group["max_momentum"] = m_max
            group["base_momentum"] = m_base
    return base_ms, max_ms


def warn_outside_step(scheduler):
    """PyTorch's warning when ``get_lr()`` is called by hand rather than by ``step()``."""
    if not scheduler._get_lr_called_within_step:
        warnings.warn(
            "To get the last learning rate computed by the scheduler, please use `get_last_lr()`.",
            UserWarning,
            stacklevel=3,
        )


def state_but(scheduler, name, value):
    """The scheduler's state (all but the optimizer) with the entry ``name`` set to ``value``."""
    d = {k: v for k, v in scheduler.__dict__.items() if k not in ("optimizer", name)}
    d[name] = value
    return d


def load_but(scheduler, state_dict, name):
    """Load ``state_dict`` but its entry ``name``, which is returned (the dict is left whole)."""
    value = state_dict.pop(name)
    scheduler.__dict__.update(state_dict)
    state_dict[name] = value
    return value


def callable_state(fn):
    """What a state dict keeps of a user function: a callable object's attributes; nothing
    (None) for a plain function or lambda."""
    return None if fn is None or isinstance(fn, types.FunctionType) else fn.__dict__.copy()


@contextmanager
def _flag(scheduler, name):
    setattr(scheduler, name, True)
    try:
        yield
    finally:
        setattr(scheduler, name, False)


class LRScheduler:
    """Base class: keeps ``base_lrs``, ``last_epoch`` and writes each group's ``lr``."""

    _get_lr_called_within_step = False
    _is_initial = False  # True during the step the constructor takes

    def __init__(self, optimizer, last_epoch=-1):
        check_optimizer(optimizer)
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                lr = group["lr"]
                group.setdefault("initial_lr", lr.clone() if isinstance(lr, Tensor) else lr)
        else:
            for i, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{i}] when resuming "
                        "scheduler with last_epoch >= 0.\nThis typically happens when:\n1. "
                        "You're trying to resume training from a checkpoint but haven't "
                        "properly loaded the optimizer state\n2. You're using last_epoch >= 0 "
                        "for a fresh training run (not recommended)"
                    )
        self.base_lrs = group_values(optimizer, "initial_lr")
        self.last_epoch = last_epoch
        self._initial_step()

    def _initial_step(self):
        self._step_count = 0
        with _flag(self, "_is_initial"):
            self.step()

    def state_dict(self):
        """Everything but the optimizer."""
        return {k: v for k, v in self.__dict__.items() if k != "optimizer"}

    def load_state_dict(self, state_dict):
        """Restore from ``state_dict``."""
        self.__dict__.update(state_dict)

    def get_last_lr(self):
        """The learning rates the last ``step`` set, one per group."""
        return self._last_lr

    def get_lr(self):  # pragma: no cover - abstract
        """The learning rates for the current ``last_epoch`` (chainable form)."""
        raise NotImplementedError

    def step(self, epoch=None):
        """Advance one epoch and update the optimizer's learning rates."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            warnings.warn(_ORDER_WARNING, UserWarning, stacklevel=2)
        self._step_count += 1
        if epoch is not None:
            warnings.warn(EPOCH_DEPRECATION_WARNING, UserWarning, stacklevel=2)
        self._update_lr(epoch)

    def _update_lr(self, epoch=None):
        with _flag(self, "_get_lr_called_within_step"):
            if epoch is None:
                self.last_epoch += 1
                values = self.get_lr()
            else:
                self.last_epoch = epoch
                closed = getattr(self, "_get_closed_form_lr", None)
                values = closed() if closed is not None else self.get_lr()
        self._set_lrs(values)

    def _set_lrs(self, values):
        for group, lr in zip(self.optimizer.param_groups, values):
            set_group_value(group, "lr", lr)
        self._last_lr = group_values(self.optimizer, "lr")

    def _lrs(self):
        return group_values(self.optimizer, "lr")


_LRScheduler = LRScheduler
