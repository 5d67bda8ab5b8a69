"""``ember.profiler``: see what runs, and how long it takes (PyTorch's ``torch.profiler``).

``with profile(activities=[ProfilerActivity.CPU], record_shapes=True) as prof: ...`` then
``print(prof.key_averages().table(sort_by="cpu_time_total", row_limit=10))`` or
``prof.export_chrome_trace("trace.json")``.

What is recorded, each with its wall time (total, and self: less the ranges inside it):

* every op Ember runs on the profiling thread, named as PyTorch names its ATen op: the
  node's ``grad_fn`` name without ``Backward<N>``, in snake case (``MulBackward0`` ->
  ``aten::mul``, ``AddmmBackward0`` -> ``aten::addmm``); an op made by a function of
  another name is that function's range around it (``aten::linear`` > ``aten::addmm``);
* every backward node: ``autograd::engine::evaluate_function: MulBackward0`` around
  ``MulBackward0`` around the ops its rule runs (rules that compute on raw arrays run no
  ops), and ``torch::autograd::AccumulateGrad`` for each gradient stored into a leaf;
* optimizer steps and ``zero_grad`` (``Optimizer.step#SGD.step``);
* ``record_function("name")`` ranges, and ``ProfilerStep#<n>`` when a schedule is given.

Nothing is plugged in (and nothing costs time) while no profile records.
"""

from __future__ import annotations

from .profiler import (
    ProfilerAction,
    ProfilerActivity,
    profile,
    record_function,
    schedule,
    supported_activities,
    tensorboard_trace_handler,
)

__all__ = [
    "profile",
    "schedule",
    "supported_activities",
    "tensorboard_trace_handler",
    "ProfilerAction",
    "ProfilerActivity",
    "record_function",
]
