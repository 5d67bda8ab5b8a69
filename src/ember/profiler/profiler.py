"""``ember.profiler.profile``: PyTorch's profiler, with its schedule and trace handlers."""

from __future__ import annotations

import enum
import os
import time
import warnings

from . import _legacy
from ._legacy import record_function

__all__ = [
    "ProfilerAction",
    "ProfilerActivity",
    "profile",
    "record_function",
    "schedule",
    "supported_activities",
    "tensorboard_trace_handler",
]


class ProfilerActivity(enum.Enum):
    """The kinds of activity a profiler can record (only ``CPU`` exists on this build)."""

    CPU = 0
    XPU = 1
    CUDA = 2
    HPU = 3
    MTIA = 4
    PrivateUse1 = 5


class ProfilerAction(enum.Enum):
    """What the profiler does at a step, as a schedule returns it."""

    NONE = 0
    WARMUP = 1
    RECORD = 2
    RECORD_AND_SAVE = 3
    #: Set by PyTorch's profiler when device collection stops early; never by a schedule.
    DEVICE_STOPPED = 4


def supported_activities():
    """The activities this build can record: ``{ProfilerActivity.CPU}``."""
    return {ProfilerActivity.CPU}


def schedule(*, wait, warmup, active, repeat=0, skip_first=0, skip_first_wait=0):
    """A schedule for ``profile(schedule=...)``: after ``skip_first`` steps, cycles of
    ``wait`` idle steps, ``warmup`` steps and ``active`` recorded steps (the last of which
    saves: ``on_trace_ready`` runs), ``repeat`` times (0: until the profile ends).
    With ``skip_first_wait`` the first cycle has no wait."""
    if wait < 0 or warmup < 0 or active <= 0 or repeat < 0 or skip_first < 0:
        raise AssertionError(
            f"Invalid profiler schedule arguments. Got wait={wait} (need >= 0), "
            f"warmup={warmup} (need >= 0), active={active} (need > 0), repeat={repeat} "
            f"(need >= 0), skip_first={skip_first} (need >= 0)."
        )
    if warmup == 0:
        warnings.warn(
            "Profiler won't be using warmup, this can skew profiler results", stacklevel=2
        )
    cycle = wait + warmup + active

    def action_at(step):
        if step < 0:
            raise AssertionError(f"Step must be non-negative. Got {step}.")
        if step < skip_first:
            return ProfilerAction.NONE
        k = step - skip_first + (wait if skip_first_wait else 0)
        if repeat > 0 and k >= repeat * cycle:
            return ProfilerAction.NONE
        pos = k % cycle
        if pos < wait:
            return ProfilerAction.NONE
        if pos < wait + warmup:
            return ProfilerAction.WARMUP
        return ProfilerAction.RECORD_AND_SAVE if pos == cycle - 1 else ProfilerAction.RECORD

    return action_at


def _checked(action):
    if action == ProfilerAction.DEVICE_STOPPED:
        raise ValueError(
            "ProfilerAction.DEVICE_STOPPED is set internally by the profiler and must not be "
            "returned by a user-provided schedule"
        )
    return action


def _always_record(step):
    return ProfilerAction.RECORD


def tensorboard_trace_handler(dir_name, worker_name=None, use_gzip=False, use_python_export=False):
    """An ``on_trace_ready`` handler writing each cycle's trace into ``dir_name`` as
    ``<worker_name>.<time in ns>.pt.trace.json`` (``.gz`` with ``use_gzip``)."""

    def handler(prof):
        import socket

        try:
            os.makedirs(dir_name, exist_ok=True)
        except Exception as e:
            raise RuntimeError("Can't create directory: " + dir_name) from e
        worker = worker_name or f"{socket.gethostname()}_{os.getpid()}"
        name = f"{worker}.{time.time_ns()}.pt.trace.json" + (".gz" if use_gzip else "")
        prof.export_chrome_trace(os.path.join(dir_name, name))

    return handler


# (action before, action now) -> what happens, as PyTorch's profiler does it.
_PREPARE, _START, _STOP, _READY = "prepare", "start", "stop", "ready"
_A = ProfilerAction
_TRANSITIONS = {
    (_A.NONE, _A.WARMUP): (_PREPARE,),
    (_A.NONE, _A.RECORD): (_PREPARE, _START),
    (_A.NONE, _A.RECORD_AND_SAVE): (_PREPARE, _START),
    (_A.WARMUP, _A.NONE): ("warn:Incorrect schedule: WARMUP followed by NONE", _START, _STOP),
    (_A.WARMUP, _A.RECORD): (_START,),
    (_A.WARMUP, _A.RECORD_AND_SAVE): (_START,),
    (_A.RECORD, _A.NONE): ("warn:Incorrect schedule: RECORD followed by NONE", _STOP),
    (_A.RECORD, _A.WARMUP): ("warn:Incorrect schedule: RECORD followed by WARMUP", _STOP),
    (_A.RECORD_AND_SAVE, _A.NONE): (_STOP, _READY),
    (_A.RECORD_AND_SAVE, _A.WARMUP): (_STOP, _READY, _PREPARE),
    (_A.RECORD_AND_SAVE, _A.RECORD): (_STOP, _READY, _PREPARE, _START),
    (_A.RECORD_AND_SAVE, _A.RECORD_AND_SAVE): (_STOP, _READY, _PREPARE, _START),
    (_A.WARMUP, None): (_START, _STOP),
    (_A.RECORD, None): (_STOP, _READY),
    (_A.RECORD_AND_SAVE, None): (_STOP, _READY),
}


class profile:
    """Profile what runs inside ``with profile(...) as prof:``, step by step.

    Every op Ember runs on this thread (``aten::<op>``, see ``ember.profiler``), every
    backward node (``autograd::engine::evaluate_function: <grad_fn name>``), optimizer
    steps (``Optimizer.step#SGD.step``) and ``record_function`` ranges are recorded with
    their wall times.  With ``schedule``, ``prof.step()`` moves to the next step and the
    schedule says which steps are recorded; at the end of each active period
    ``on_trace_ready(prof)`` runs, and each step is a ``ProfilerStep#<n>`` range.

    Args:
        activities: what to record; ``ProfilerActivity.CPU`` (CUDA is not available on
            this build: asking for it warns and records CPU only, as PyTorch's CPU build).
        schedule: ``step -> ProfilerAction`` (see ``schedule``); default: record all.
        on_trace_ready: called with the profiler when a cycle's recording is ready.
        record_shapes, profile_memory, with_stack: as in ``autograd.profiler.profile``.
    """

    def __init__(self, *, activities=None, schedule=None, on_trace_ready=None, record_shapes=False,
                 profile_memory=False, with_stack=False, with_flops=False, with_modules=False,
                 experimental_config=None, execution_trace_observer=None, acc_events=False,
                 use_cuda=None, custom_trace_id_callback=None,
                 post_processing_timeout_s=None):  # fmt: skip
        if activities is not None:
            wanted = set()
            for a in activities:
                wanted.update(a.keys() if isinstance(a, dict) else (a,))
        else:
            wanted = supported_activities()
        if use_cuda is not None:
            warnings.warn(
                "`use_cuda` is deprecated, use `activities` argument instead",
                FutureWarning,
                stacklevel=2,
            )
            if use_cuda:
                wanted.add(ProfilerActivity.CUDA)
            else:
                wanted.discard(ProfilerActivity.CUDA)
        if not wanted:
            raise AssertionError("No valid profiler activities found")
        self.activities = wanted
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.acc_events = acc_events
        self.profiler = None
        self.schedule = schedule if schedule else _always_record
        self.record_steps = bool(schedule)
        self.on_trace_ready = on_trace_ready
        self.step_num = 0
        self.step_rec_fn = None
        self.current_action = _checked(self.schedule(self.step_num))

    # ----- the trace -----------------------------------------------------------------
    def prepare_trace(self):
        """Make a fresh recorder for the next active period (results so far are dropped)."""
        if ProfilerActivity.CUDA in self.activities:
            # This build has no CUDA: what PyTorch's CPU build does when asked for it.
            warnings.warn("CUDA is not available, disabling CUDA profiling", stacklevel=3)
            self.activities = self.activities - {ProfilerActivity.CUDA}
        if ProfilerActivity.CPU not in self.activities:
            raise AssertionError("No activities specified for the profiler")
        if self.profiler is None or not self.acc_events:
            self.profiler = _legacy.profile(
                record_shapes=self.record_shapes,
                profile_memory=self.profile_memory,
                with_stack=self.with_stack,
                acc_events=self.acc_events,
            )

    def start_trace(self):
        """Start recording."""
        if self.profiler is None:
            self.prepare_trace()
        self.profiler._start_trace()

    def stop_trace(self):
        """Stop recording; the results are then readable."""
        if self.profiler is not None:
            self.profiler._stop_trace()

    def _run(self, actions):
        for a in actions:
            if a.startswith("warn:"):
                warnings.warn(a[5:], stacklevel=3)
            elif a == _PREPARE:
                self.prepare_trace()
            elif a == _START:
                self.start_trace()
            elif a == _STOP:
                self.stop_trace()
            elif self.on_trace_ready:
                self.on_trace_ready(self)

    # ----- steps ---------------------------------------------------------------------
    def __enter__(self):
        self.start()
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.stop()
        return False

    def start(self):
        """Begin at step 0 (recording if the schedule says so)."""
        self._run(_TRANSITIONS.get((ProfilerAction.NONE, self.current_action), ()))
        self._open_step()

    def stop(self):
        """End the profile (a recorded cycle in progress is stopped and handed over)."""
        self._close_step()
        self._run(_TRANSITIONS.get((self.current_action, None), ()))

    def step(self):
        """Move to the next step; the schedule decides what is recorded from here."""
        self._close_step()
        before = self.current_action
        action = _checked(self.schedule(self.step_num + 1))  # checked before anything changes
        self.step_num += 1
        self.current_action = action
        self._run(_TRANSITIONS.get((before, self.current_action), ()))
        self._open_step()

    def _open_step(self):
        if self.record_steps:
            self.step_rec_fn = record_function(f"ProfilerStep#{self.step_num}")
            self.step_rec_fn.__enter__()

    def _close_step(self):
        if self.step_rec_fn is not None:
            self.step_rec_fn.__exit__(None, None, None)
            self.step_rec_fn = None

    # ----- results -------------------------------------------------------------------
    def _results(self):
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before getting key averages")
        return self.profiler.function_events

    def events(self):
        """Every event of the last recorded period, in start order."""
        return self._results()

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, **kwargs):
        """The events averaged by name (and input shapes, and the top of the stack)."""
        return self._results().key_averages(group_by_input_shape, group_by_stack_n)

    def export_chrome_trace(self, path):
        """Write the last recorded period as a Chrome trace JSON file (atomically)."""
        return self._results().export_chrome_trace(path)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        """Write the last recorded period's stacks for flame graph tools (``with_stack``)."""
        if self.profiler is None:
            raise AssertionError("Profiler must be initialized before exporting stacks")
        return self.profiler.export_stacks(path, metric)
