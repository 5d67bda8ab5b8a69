"""``GradScaler``: scale the loss so low-precision gradients do not underflow.

Dynamic loss scaling as PyTorch does it: multiply the loss by ``scale`` before backward,
divide the gradients by it before the optimizer step, skip steps whose gradients hold
inf/NaN, and adjust ``scale`` (shrink after a bad step, grow after ``growth_interval`` good
ones). On a CPU-only build a scaler for ``"cuda"`` disables itself, with PyTorch's warning.
"""

from __future__ import annotations

import warnings
from collections import abc

from ..backend import np, xp_of

_READY, _UNSCALED, _STEPPED = 0, 1, 2


class GradScaler:
    """Dynamic loss scaling for mixed-precision training (``scale``, ``step``, ``update``)."""

    def __init__(self, device="cuda", init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5,
                 growth_interval=2000, enabled=True):  # fmt: skip
        self._device = device
        self._enabled = enabled
        if self._device == "cuda" and enabled:
            warnings.warn(
                "torch.cuda.amp.GradScaler is enabled, but CUDA is not available.  Disabling.",
                stacklevel=2,
            )
            self._enabled = False
        if self._enabled:
            if growth_factor <= 1.0:
                raise AssertionError("The growth factor must be > 1.0.")
            if backoff_factor >= 1.0:
                raise AssertionError("The backoff factor must be < 1.0.")
            self._init_scale = init_scale
            self._scale = None  # a float32 0-d tensor once scale() has run
            self._growth_factor = growth_factor
            self._backoff_factor = backoff_factor
            self._growth_interval = growth_interval
            self._init_growth_tracker = 0
            self._growth_tracker = None
            self._per_optimizer_states = {}

    def is_enabled(self) -> bool:
        """Whether this scaler scales (False when disabled or CUDA-only on a CPU machine)."""
        return self._enabled

    def _lazy_init(self):
        from .. import tensor

        self._scale = tensor(float(self._init_scale), dtype=_float32())
        self._growth_tracker = self._init_growth_tracker

    def scale(self, outputs):
        """``outputs`` (a tensor or an iterable of tensors) multiplied by the current scale."""
        if not self._enabled:
            return outputs
        from ..tensor import Tensor

        if self._scale is None:
            self._lazy_init()

        def apply(value):
            if isinstance(value, Tensor):
                return value * self._scale
            if isinstance(value, abc.Iterable):
                scaled = map(apply, value)
                return type(value)(scaled) if isinstance(value, (list, tuple)) else scaled
            raise ValueError("outputs must be a Tensor or an iterable of Tensors")

        return apply(outputs)

    def _check_scale_growth_tracker(self, funcname):
        if self._scale is None:
            raise AssertionError(
                f"Attempted {funcname} but _scale is None.  This may indicate your script did "
                "not use scaler.scale(loss or outputs) earlier in the iteration."
            )

    def _state(self, optimizer):
        return self._per_optimizer_states.setdefault(
            id(optimizer), {"stage": _READY, "found_inf": None}
        )

    def unscale_(self, optimizer) -> None:
        """Divide ``optimizer``'s gradients by the scale, in place, and note any inf/NaN."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("unscale_")
        st = self._state(optimizer)
        if st["stage"] == _UNSCALED:
            raise RuntimeError(
                "unscale_() has already been called on this optimizer since the last update()."
            )
        if st["stage"] == _STEPPED:
            raise RuntimeError("unscale_() is being called after step().")
        st["found_inf"] = self._unscale_grads(optimizer)
        st["stage"] = _UNSCALED

    def _unscale_grads(self, optimizer) -> bool:
        from .. import no_grad, tensor
        from ..dtypes import float16

        inv_scale = tensor(float(np.float32(1.0 / float(self._scale.item()))), dtype=_float32())
        found_inf = None  # stays None when no parameter has a gradient
        with no_grad():
            for group in optimizer.param_groups:
                for p in group["params"]:
                    g = p.grad
                    if g is None:
                        continue
                    if g.dtype is float16:
                        raise ValueError("Attempting to unscale FP16 gradients.")
                    data = g._data
                    finite = bool(xp_of(data).isfinite(data).all())
                    found_inf = bool(found_inf) or not finite
                    g.mul_(inv_scale)
        return found_inf

    def step(self, optimizer, *args, **kwargs):
        """Unscale (if not done yet) and run ``optimizer.step()`` unless gradients hold inf/NaN."""
        if not self._enabled:
            return optimizer.step(*args, **kwargs)
        if "closure" in kwargs:
            raise RuntimeError("Closure use is not currently supported if GradScaler is enabled.")
        self._check_scale_growth_tracker("step")
        st = self._state(optimizer)
        if st["stage"] == _STEPPED:
            raise RuntimeError("step() has already been called since the last update().")
        if st["stage"] == _READY:
            self.unscale_(optimizer)
        if st["found_inf"] is None:
            raise AssertionError("No inf checks were recorded for this optimizer.")
        retval = None
        if not st["found_inf"]:
            retval = optimizer.step(*args, **kwargs)
        st["stage"] = _STEPPED
        return retval

    def update(self, new_scale=None) -> None:
        """Set the scale for the next iteration: ``new_scale``, or grown/shrunk dynamically."""
        if not self._enabled:
            return
        self._check_scale_growth_tracker("update")
        if new_scale is not None:
            self._set_scale(new_scale)
        else:
            found = [s["found_inf"] for s in self._per_optimizer_states.values()]
            found = [f for f in found if f is not None]
            if not found:
                raise AssertionError("No inf checks were recorded prior to update.")
            self._dynamic_update(any(found))
        self._per_optimizer_states = {}

    def _set_scale(self, new_scale):
        from ..tensor import Tensor

        if isinstance(new_scale, float):
            value = new_scale
        else:
            ok = (
                isinstance(new_scale, Tensor)
                and new_scale.numel() == 1
                and not new_scale.requires_grad
            )
            if not ok:
                raise AssertionError(
                    "new_scale should be a float or a 1-element torch.cuda.FloatTensor or "
                    "torch.FloatTensor with requires_grad=False."
                )
            value = float(new_scale.item())
        self._scale._data[...] = np.float32(value)

    def _dynamic_update(self, found_inf: bool):
        scale = np.float32(self._scale.item())
        if found_inf:
            scale = scale * np.float32(self._backoff_factor)
            self._growth_tracker = 0
        else:
            good = self._growth_tracker + 1
            if good == self._growth_interval:
                grown = scale * np.float32(self._growth_factor)
                if np.isfinite(grown):
                    scale = grown
                good = 0
            self._growth_tracker = good
        self._scale._data[...] = scale

    def get_scale(self) -> float:
        """The current scale (``init_scale`` before the first ``scale()``; 1.0 when disabled)."""
        if not self._enabled:
            return 1.0
        return self._init_scale if self._scale is None else float(self._scale.item())

    def get_growth_factor(self):
        """The factor the scale grows by after ``growth_interval`` good steps."""
        return self._growth_factor

    def set_growth_factor(self, new_factor) -> None:
        """Set the growth factor."""
        self._growth_factor = new_factor

    def get_backoff_factor(self):
        """The factor the scale shrinks by after a step with inf/NaN gradients."""
        return self._backoff_factor

    def set_backoff_factor(self, new_factor) -> None:
        """Set the backoff factor."""
        self._backoff_factor = new_factor

    def get_growth_interval(self):
        """How many good steps in a row make the scale grow."""
        return self._growth_interval

    def set_growth_interval(self, new_interval) -> None:
        """Set the growth interval."""
        self._growth_interval = new_interval

    def _get_growth_tracker(self) -> int:
        if not self._enabled:
            return 0
        if self._growth_tracker is None:
            return self._init_growth_tracker
        return int(self._growth_tracker)

    def state_dict(self) -> dict:
        """The scaler's state (empty when disabled), to resume with ``load_state_dict``."""
        if not self._enabled:
            return {}
        return {
            "scale": self.get_scale(),
            "growth_factor": self._growth_factor,
            "backoff_factor": self._backoff_factor,
            "growth_interval": self._growth_interval,
            "_growth_tracker": self._get_growth_tracker(),
        }

    def load_state_dict(self, state_dict) -> None:
        """Restore a state from ``state_dict()``."""
        if not self._enabled:
            return
        if len(state_dict) == 0:
            raise RuntimeError(
                "The source state dict is empty, possibly because it was saved from a disabled "
                "instance of GradScaler."
            )
        self._init_scale = float(state_dict["scale"])
        if self._scale is not None:
            self._scale._data[...] = np.float32(self._init_scale)
        self._growth_factor = float(state_dict["growth_factor"])
        self._backoff_factor = float(state_dict["backoff_factor"])
        self._growth_interval = int(state_dict["growth_interval"])
        self._init_growth_tracker = int(state_dict["_growth_tracker"])
        if self._growth_tracker is not None:
            self._growth_tracker = self._init_growth_tracker


def _float32():
    from ..dtypes import float32

    return float32


def _deprecated_scaler(device_type):
    """``torch.<device>.amp.GradScaler``: ``GradScaler(device_type, ...)`` with a warning."""

    class _GradScaler(GradScaler):
        __doc__ = f"Deprecated form of ``GradScaler('{device_type}', ...)``."

        def __init__(self, init_scale=2.0**16, growth_factor=2.0, backoff_factor=0.5,
                     growth_interval=2000, enabled=True):  # fmt: skip
            warnings.warn(
                f"`torch.{device_type}.amp.GradScaler(args...)` is deprecated. Please use "
                f"`torch.amp.GradScaler('{device_type}', args...)` instead.",
                FutureWarning,
                stacklevel=2,
            )
            super().__init__(device_type, init_scale=init_scale, growth_factor=growth_factor,
                             backoff_factor=backoff_factor, growth_interval=growth_interval,
                             enabled=enabled)  # fmt: skip

    _GradScaler.__name__ = _GradScaler.__qualname__ = "GradScaler"
    return _GradScaler
