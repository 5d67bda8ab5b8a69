"""The profiler's summary table, laid out as PyTorch's: right-aligned columns two spaces
apart, dashed rules, and the total self CPU time below."""

from __future__ import annotations

from ._events import format_memory, format_time


def _cut(text, width):
    return text if len(text) <= width else text[: width - 3] + "..."


def build_table(events, sort_by=None, row_limit=100, max_name_column_width=55,
                max_shapes_column_width=80, max_src_column_width=75, header=None,
                top_level_events_only=False, profile_memory=False, with_stack=False):  # fmt: skip
    """The table of ``events`` (events or averages) as a string ('' when there are none)."""
    if len(events) == 0:
        return ""
    rows = list(events)
    if sort_by is not None:
        rows.sort(key=lambda e: getattr(e, sort_by), reverse=True)
    if top_level_events_only:
        rows = [e for e in rows if e.cpu_parent is None]
    total = sum(e.self_cpu_time_total for e in events)
    shapes = any(e.input_shapes for e in events)
    stacks = with_stack and any(e.stack for e in events)

    name_w = min(max(len(e.key) for e in events) + 4, max_name_column_width)
    cols = [("Name", name_w)]
    cols += [
        (h, 12) for h in ("Self CPU %", "Self CPU", "CPU total %", "CPU total", "CPU time avg")
    ]
    if profile_memory:
        cols += [("CPU Mem", 12), ("Self CPU Mem", 12)]
    cols.append(("# of Calls", 12))
    if shapes:
        shape_w = min(max(len(str(e.input_shapes)) for e in events) + 4, max_shapes_column_width)
        cols.append(("Input Shapes", shape_w))
    if stacks:
        src_w = min(
            max(len(s) for e in events for s in (e.stack or [""])) + 4, max_src_column_width
        )
        cols.append(("Source Location", src_w))

    def line(cells):
        return "".join(_cut(c, w).rjust(w) + "  " for c, (_, w) in zip(cells, cols))

    rule = "".join("-" * w + "  " for _, w in cols)
    out = []
    if header is not None:
        out += ["=" * len(rule), header]
    out += [rule, line([h for h, _ in cols]), rule]

    def pct(us):
        return f"{100.0 * us / total:.2f}%" if total > 0 else "0.00%"

    for e in rows[:row_limit] if row_limit is not None and row_limit >= 0 else rows:
        cells = [
            e.key,
            pct(e.self_cpu_time_total),
            format_time(e.self_cpu_time_total),
            pct(e.cpu_time_total),
            format_time(e.cpu_time_total),
            format_time(e.cpu_time),
        ]
        if profile_memory:
            cells += [format_memory(e.cpu_memory_usage), format_memory(e.self_cpu_memory_usage)]
        cells.append(str(e.count))
        if shapes:
            cells.append(str(e.input_shapes))
        if stacks:
            cells.append((e.stack or [""])[0])
        out.append(line(cells))
    out.append(rule)
    out.append(f"Self CPU time total: {format_time(total)}")
    return "\n".join(out) + "\n"
