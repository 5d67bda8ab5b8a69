"""The older profiler API (``ember.autograd.profiler``: ``profile``, ``record_function``).

``with profile() as prof: ...`` records every op Ember runs on this thread, every backward
node, optimizer steps and ``record_function`` ranges, with their wall times (see
``ember.profiler`` for the names used); ``prof.key_averages().table()`` summarises them.
Only CPU activity exists on this build.  When no profile records, nothing here runs.
"""

from __future__ import annotations

import functools
import warnings

from . import _recorder
from ._events import EventList, FunctionEvent, FunctionEventAvg

__all__ = ["profile", "record_function", "EventList", "FunctionEvent", "FunctionEventAvg"]


class record_function:
    """A named range in the profile (a context manager, or a decorator of a function).

    Outside a recording profile it costs one truth test and records nothing.
    """

    def __init__(self, name: str, args=None):
        self.name = name
        self.args = args
        self.run_callbacks_on_exit = True
        self._record = None

    def __enter__(self):
        self._record = _recorder.open_range(self.name, user=True)
        return self

    def __exit__(self, exc_type, exc_value, traceback):
        if not self.run_callbacks_on_exit:
            return False
        rec, self._record = self._record, None
        _recorder.close_range(rec)
        return False

    def __call__(self, fn):
        """Decorate ``fn``: each call runs inside a range of this name."""
        name, args = self.name, self.args

        @functools.wraps(fn)
        def wrapper(*a, **kw):
            with record_function(name, args):
                return fn(*a, **kw)

        return wrapper


class profile:
    """Record what runs inside ``with profile() as prof:`` (PyTorch's legacy profiler).

    Args:
        enabled: record at all (False: the block runs untouched).
        use_cuda, use_device: device activity; none exists on this CPU-only build.
        record_shapes: keep each op's input shapes (``key_averages(group_by_input_shape=True)``).
        profile_memory: count the bytes of each op's outputs (``cpu_memory_usage``; memory
            released is not counted, where PyTorch's allocator would count it negative).
        with_stack: keep each event's call stack outside Ember, innermost frame first, in
            ``event.stack`` (``group_by_stack_n``, ``export_stacks``); PyTorch 2.13 records
            Python calls as events of their own instead.
    """

    def __init__(self, enabled=True, *, use_cuda=False, use_device=None, record_shapes=False,
                 with_flops=False, profile_memory=False, with_stack=False, with_modules=False,
                 use_kineto=False, use_cpu=True, experimental_config=None, acc_events=False,
                 custom_trace_id_callback=None, post_processing_timeout_s=None,
                 activity_filters=None):  # fmt: skip
        self.enabled = enabled
        self.record_shapes = record_shapes
        self.profile_memory = profile_memory
        self.with_stack = with_stack
        self._session = None
        self._function_events = None
        if not enabled:
            return
        if use_cuda:
            warnings.warn(
                "The attribute `use_cuda` will be deprecated soon, please use "
                "``use_device = 'cuda'`` instead.",
                FutureWarning,
                stacklevel=2,
            )
            use_device = "cuda"
        if use_device == "cuda":
            warnings.warn("CUDA is not available, disabling CUDA profiling", stacklevel=2)
            use_device = None
        self.use_device = use_device
        self.use_cpu = use_cpu
        self.with_flops = with_flops
        self.with_modules = with_modules
        self.acc_events = acc_events
        self.entered = False

    def __enter__(self):
        if not self.enabled:
            return None
        if self.entered:
            raise RuntimeError("Profiler context manager is not reentrant")
        self._start_trace()
        return self

    def _start_trace(self):
        self.entered = True
        self._session = _recorder.Session(self.record_shapes, self.profile_memory, self.with_stack)
        if not self.acc_events:
            self._function_events = None
        _recorder.start(self._session)

    def __exit__(self, exc_type, exc_val, exc_tb):
        if not self.enabled:
            return False
        self._stop_trace()
        return False

    def _stop_trace(self):
        session = self._session
        if session is not None and session.running:
            _recorder.stop(session)
            events = session.events()
            if self.acc_events and self._function_events is not None:
                events = EventList(
                    list(self._function_events) + list(events),
                    profile_memory=self.profile_memory,
                    with_stack=self.with_stack,
                )
            self._function_events = events

    def _events(self):
        if self._function_events is None:  # not stopped yet: nothing to show
            return EventList(profile_memory=self.profile_memory, with_stack=self.with_stack)
        return self._function_events

    @property
    def function_events(self):
        """Every recorded event, in start order (empty until the profile has stopped)."""
        return self._events()

    def table(self, sort_by=None, row_limit=100, header=None, **kwargs):
        """The table of every event (not averaged); see ``EventList.table``."""
        return self._events().table(sort_by, row_limit, header=header, **kwargs)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, **kwargs):
        """The events averaged by name (and shapes, and stack top): see ``EventList``."""
        return self._events().key_averages(group_by_input_shape, group_by_stack_n)

    def total_average(self):
        """One average over all events."""
        return self._events().total_average()

    @property
    def self_cpu_time_total(self):
        """The sum of all events' self times, in microseconds."""
        return self._events().self_cpu_time_total

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace JSON file (atomically)."""
        return self._events().export_chrome_trace(path)

    def export_stacks(self, path, metric="self_cpu_time_total"):
        """Write the recorded stacks for flame graph tools (needs ``with_stack=True``)."""
        if not self.with_stack:
            raise AssertionError("export_stacks() requires with_stack=True")
        return self._events().export_stacks(path, metric)

    def __str__(self):
        return str(self._events())
