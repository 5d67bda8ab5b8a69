"""What a profile holds: events, their averages by key, and the summary table.

Times are in microseconds, as PyTorch's profiler reports them: ``cpu_time_total`` is an
event's wall time from its start to its end, ``self_cpu_time_total`` that time less the
time of the events nested directly inside it (on the same thread).
"""

from __future__ import annotations

import os


class Interval:
    """A time range in microseconds since the profile started."""

    __slots__ = ("start", "end")

    def __init__(self, start, end):
        self.start = start
        self.end = end

    def elapsed_us(self):
        """Length of the range in microseconds."""
        return self.end - self.start


def format_time(us):
    """A time in microseconds as PyTorch's tables print it (``1.472ms``, ``5.292us``)."""
    if us >= 1e6:
        return f"{us / 1e6:.3f}s"
    if us >= 1e3:
        return f"{us / 1e3:.3f}ms"
    return f"{us:.3f}us"


def format_memory(nbytes):
    """A byte count as PyTorch's tables print it (``512 B``, ``1.50 KB``)."""
    for unit, size in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if abs(nbytes) >= size:
            return f"{nbytes / size:.2f} {unit}"
    return f"{nbytes} B"


def _formatted(attr):
    """A read-only property: the time ``attr`` as the tables print it."""
    return property(lambda self: format_time(getattr(self, attr)), doc=f"``{attr}`` formatted.")


def _less_children(attr, doc):
    """A read-only property: ``attr`` less the sum of it over the direct children."""

    def get(self):
        return getattr(self, attr) - sum(getattr(c, attr) for c in self.cpu_children)

    return property(get, doc=doc)


class _TimeFormatted:
    """The ``*_str`` properties shared by events and averages."""

    @property
    def cpu_time(self):
        """Average total time per call (the total for a single event), in us."""
        return self.cpu_time_total / self.count if self.count else 0.0

    cpu_time_str = _formatted("cpu_time")
    cpu_time_total_str = _formatted("cpu_time_total")
    self_cpu_time_total_str = _formatted("self_cpu_time_total")

    # No device activity is ever recorded on this build: device times are zero.
    device_time_total = 0.0
    self_device_time_total = 0.0
    device_memory_usage = 0
    self_device_memory_usage = 0
    cuda_time = 0.0
    device_time = 0.0
    flops = 0
    use_device = None
    is_async = False
    is_remote = False
    is_legacy = False
    node_id = -1
    overload_name = ""
    scope = 0


class FunctionEvent(_TimeFormatted):
    """One recorded range: an op, a backward node, an optimizer step or a user range."""

    count = 1

    def __init__(self, id, name, thread, start_us, end_us, input_shapes, stack, user, seq):
        self.id = id
        self.name = name
        self.trace_name = name
        self.thread = thread
        self.time_range = Interval(start_us, end_us)
        self.input_shapes = input_shapes
        self.stack = stack
        self.is_user_annotation = user
        self.sequence_nr = seq
        self.cpu_children = []
        self.cpu_parent = None
        self.cpu_memory_usage = 0

    @property
    def key(self):
        """The name events are averaged under."""
        return self.name

    @property
    def cpu_time_total(self):
        """Wall time from start to end, in us."""
        return self.time_range.elapsed_us()

    self_cpu_time_total = _less_children(
        "cpu_time_total", "``cpu_time_total`` less that of the events directly inside this one."
    )
    self_cpu_memory_usage = _less_children(
        "cpu_memory_usage", "Bytes this event's own op allocated (its outputs), children excluded."
    )

    def __repr__(self):
        return (
            f"<FunctionEvent id={self.id} name={self.name} cpu_time={self.cpu_time_total_str} "
            f"start_us={self.time_range.start:.3f} end_us={self.time_range.end:.3f} "
            f"cpu_children={[c.id for c in self.cpu_children]} thread={self.thread} "
            f"input_shapes={self.input_shapes} cpu_memory_usage={self.cpu_memory_usage}>"
        )


class FunctionEventAvg(_TimeFormatted):
    """The events of one key, added up (``count`` calls)."""

    # what the first event added gives the average, and what every event adds to it
    _TAKEN = ("key", "input_shapes", "stack", "is_user_annotation", "cpu_children", "cpu_parent")
    _SUMMED = ("count", "cpu_time_total", "self_cpu_time_total", "cpu_memory_usage",
               "self_cpu_memory_usage")  # fmt: skip

    def __init__(self):
        self.key = self.input_shapes = self.stack = self.cpu_children = self.cpu_parent = None
        self.is_user_annotation = False
        self.count = self.cpu_memory_usage = self.self_cpu_memory_usage = 0
        self.cpu_time_total = self.self_cpu_time_total = 0.0

    def add(self, other):
        """Add an event (or another average) into this one; returns self."""
        if self.key is None:
            for name in self._TAKEN:
                setattr(self, name, getattr(other, name))
        for name in self._SUMMED:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        return self

    def __iadd__(self, other):
        return self.add(other)

    def __repr__(self):
        return (
            f"<FunctionEventAvg key={self.key} self_cpu_time={self.self_cpu_time_total_str} "
            f"cpu_time={self.cpu_time_str} input_shapes={self.input_shapes} "
            f"cpu_memory_usage={self.cpu_memory_usage}>"
        )


class EventList(list):
    """A list of events (or averages) with PyTorch's summary methods."""

    def __init__(self, *args, profile_memory=False, with_stack=False, **kwargs):
        super().__init__(*args)
        self._profile_memory = profile_memory
        self._with_stack = with_stack

    @property
    def self_cpu_time_total(self):
        """Sum of every event's self time (the table's footer), in us."""
        return sum(e.self_cpu_time_total for e in self)

    def key_averages(self, group_by_input_shape=False, group_by_stack_n=0, **kwargs):
        """Average the events by name (and input shapes, and the top of the stack)."""
        groups = {}
        for e in self:
            key = (e.key,)
            if group_by_input_shape:
                key += (str(e.input_shapes),)
            if group_by_stack_n > 0:
                key += tuple((e.stack or [])[:group_by_stack_n])
            avg = groups.get(key)
            if avg is None:
                avg = groups[key] = FunctionEventAvg()
            avg.add(e)
        out = EventList(
            groups.values(), profile_memory=self._profile_memory, with_stack=self._with_stack
        )
        if not group_by_input_shape:
            for avg in out:
                avg.input_shapes = None  # shapes differ within a group: shown only when grouped
        return out

    def total_average(self):
        """One average over all events, keyed ``Total``."""
        total = FunctionEventAvg()
        for e in self:
            total.add(e)
        total.key = "Total"
        return total

    def table(self, sort_by=None, row_limit=100, max_src_column_width=75, max_name_column_width=55,
              max_shapes_column_width=80, header=None, top_level_events_only=False,
              **kwargs):  # fmt: skip
        """The summary table PyTorch prints, sorted by ``sort_by`` (an attribute, largest
        first) and cut to ``row_limit`` rows."""
        from ._table import build_table

        return build_table(self, sort_by=sort_by, row_limit=row_limit,
                           max_name_column_width=max_name_column_width,
                           max_shapes_column_width=max_shapes_column_width,
                           max_src_column_width=max_src_column_width, header=header,
                           top_level_events_only=top_level_events_only,
                           profile_memory=self._profile_memory,
                           with_stack=self._with_stack)  # fmt: skip

    def __str__(self):
        return self.table()

    def supported_export_stacks_metrics(self):
        """The metrics ``export_stacks`` can write."""
        return list(_STACK_METRICS)

    def export_stacks(self, path, metric):
        """Write each event's stack (outermost frame first, ``;``-separated) and its
        ``metric`` in whole microseconds, one line each: the input of flame graph tools.
        Device metrics are zero on this build, so they write no lines."""
        if metric not in _STACK_METRICS:
            raise ValueError("metric should be one of: " + str(list(_STACK_METRICS)))
        clean = str.maketrans(" ;\t\n", "____")
        lines = []
        for e in self:
            value = int(e.self_cpu_time_total if metric == _STACK_METRICS[0] else 0)
            if e.stack and value > 0:
                frames = ";".join(f.translate(clean) for f in reversed(e.stack))
                lines.append(f"{frames} {value}\n")
        with open(path, "w") as f:
            f.writelines(lines)

    def export_chrome_trace(self, path):
        """Write the events as a Chrome trace (JSON; gzipped when ``path`` ends in .gz).

        The file is written to a temporary name beside ``path`` and renamed into place,
        so a reader never sees half a trace.
        """
        import gzip
        import json
        import tempfile

        trace = {"traceEvents": [chrome_event(e) for e in self], "displayTimeUnit": "ms"}
        data = json.dumps(trace).encode()
        if str(path).endswith(".gz"):
            data = gzip.compress(data)
        folder = os.path.dirname(os.path.abspath(path))
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".trace-", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except BaseException:
            if os.path.exists(tmp):
                os.unlink(tmp)
            raise


_STACK_METRICS = (
    "self_cpu_time_total",
    "self_cuda_time_total",
    "self_xpu_time_total",
    "self_privateuse1_time_total",
)


def chrome_event(e):
    """One event as a Chrome trace complete event (``"ph": "X"``)."""
    args = {}
    if e.input_shapes:
        args["Input Dims"] = e.input_shapes
    if e.sequence_nr >= 0:
        args["Sequence number"] = e.sequence_nr
    if e.stack:
        args["Call stack"] = ";".join(e.stack)
    return {
        "ph": "X",
        "cat": "user_annotation" if e.is_user_annotation else "cpu_op",
        "name": e.trace_name,
        "pid": os.getpid(),
        "tid": e.thread,
        "ts": e.time_range.start,
        "dur": e.cpu_time_total,
        "args": args,
    }
