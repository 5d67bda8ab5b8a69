"""``DataParallel`` and ``data_parallel`` as PyTorch's build without GPUs has them.

Ember reports no CUDA device (``ember.cuda.is_available()`` is False), and without one
PyTorch's ``DataParallel`` keeps no device settings (``device_ids`` is ``[]``, ``dim`` and
``output_device`` are not stored) and simply runs the wrapped module; its functional form
cannot tell which device type to use and raises.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from ..module import Module

T = TypeVar("T", bound=Module)


class DataParallel(Module, Generic[T]):
    """Wrap ``module`` for single-process multi-GPU batches; without a GPU it runs ``module``.

    The wrapped module is the child ``module`` (state_dict keys gain the ``module.`` prefix).
    """

    def __init__(self, module: T, device_ids=None, output_device=None, dim: int = 0) -> None:
        super().__init__()
        # no device type is available, so PyTorch stores neither dim nor output_device
        self.module = module
        self.device_ids = []

    def forward(self, *inputs, **kwargs):
        """The wrapped module's output for the same arguments."""
        return self.module(*inputs, **kwargs)


def data_parallel(
    module, inputs, device_ids=None, output_device=None, dim: int = 0, module_kwargs=None
):
    """Evaluate ``module(*inputs)`` split across GPUs; raises, as there is no device type."""
    raise RuntimeError("device type could not be determined")
