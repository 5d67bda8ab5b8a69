"""Where a workload's time and memory go: ``python -m benchmarks.profile W8 [options]``.

Runs one workload's training step in this process (single-threaded BLAS expected: the
harness's environment), after warm-up steps, under cProfile, and reports:

- the step time without the profiler and its ratio to the hand-written NumPy floor's;
- the graph: autograd nodes recorded per step, by ``grad_fn`` name;
- cProfile's top functions by own time (``--top``), grouped into Ember's Python code,
  NumPy calls it makes, and the rest; Python calls per recorded node;
- with ``--memory``: tracemalloc's allocation sites inside Ember during one step (bytes and
  count of the arrays allocated there: copies, temporaries, saved values).

Only workloads that define ``step_fn(impl, case)`` can be profiled (W8-W11).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import importlib
import importlib.util
import os
import pstats
import sys

if __package__ in (None, ""):  # run as a script: make the package importable
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    __package__ = "benchmarks"

from benchmarks.common import median, timed  # noqa: E402
from benchmarks.workloads import WORKLOADS  # noqa: E402


def _dur(seconds):
    return f"{seconds * 1e3:.1f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.0f} µs"


def _module(name):
    return importlib.import_module(f"benchmarks.workloads.{WORKLOADS[name]}")


def count_nodes(loss):
    """``{grad_fn name: count}`` of the graph behind ``loss`` (iterative walk)."""
    counts = collections.Counter()
    seen, todo = set(), [loss.grad_fn]
    while todo:
        fn = todo.pop()
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        counts[type(fn).__name__ if not hasattr(fn, "name") else fn.name()] += 1
        todo.extend(nxt for nxt, _ in fn.next_functions)
    return counts


def _where(entry):
    filename, _, func = entry
    if filename == "~":
        return "numpy" if "numpy" in func or "ufunc" in func or "ndarray" in func else "builtin"
    if os.sep + "ember" + os.sep in filename:
        return "ember"
    if os.sep + "benchmarks" + os.sep in filename:
        return "workload"
    return "other"


def _label(entry):
    filename, line, func = entry
    if filename == "~":
        return func
    parts = filename.split(os.sep)
    tail = parts[parts.index("ember") :] if "ember" in parts else parts[-2:]
    return f"{'/'.join(tail)}:{line}({func})"


def profile_time(step, steps, top, n_nodes):
    """cProfile over ``steps`` calls of ``step``: the top functions and a breakdown."""
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(steps):
        step()
    prof.disable()
    st = pstats.Stats(prof)
    total = sum(v[2] for v in st.stats.values())
    calls = sum(v[1] for v in st.stats.values())
    groups = collections.Counter()
    for entry, v in st.stats.items():
        groups[_where(entry)] += v[2]
    print(f"\ncProfile over {steps} step(s): {_dur(total / steps)}/step under the profiler")
    print(
        "own time by where the code lives: "
        + ", ".join(f"{k} {v / total:.0%}" for k, v in groups.most_common())
    )
    if n_nodes:
        print(f"Python-level calls per step: {calls / steps:.0f} ({calls / steps / n_nodes:.1f} "
              "per recorded node)")  # fmt: skip
    print(f"\n{'own %':>6} {'cum %':>6} {'calls/step':>10}  function")
    rows = sorted(st.stats.items(), key=lambda kv: -kv[1][2])[:top]
    for entry, (_cc, nc, tt, ct, _callers) in rows:
        print(f"{tt / total:6.1%} {ct / total:6.1%} {nc / steps:10.0f}  {_label(entry)}")


def profile_memory(step, forward, floor, top):
    """tracemalloc: peak traced memory of one step (and of the floor's), and the arrays the
    graph holds after the forward pass, by the Ember line that allocated them."""
    import tracemalloc

    peaks = []
    for fn in (step, floor):
        tracemalloc.start(1)
        fn()
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    print(f"\ntracemalloc peak during one step: {peaks[0] / 2**20:.1f} MiB "
          f"(NumPy floor {peaks[1] / 2**20:.1f} MiB, {peaks[0] / peaks[1]:.2f}x)")  # fmt: skip
    if forward is None:
        return
    tracemalloc.start(1)
    snap0 = tracemalloc.take_snapshot()
    loss = forward()
    snap1 = tracemalloc.take_snapshot()
    tracemalloc.stop()
    stats = [s for s in snap1.compare_to(snap0, "lineno") if s.size_diff > 0]
    held = sum(s.size_diff for s in stats)
    print(f"held after the forward pass (graph, saved values, outputs): {held / 2**20:.1f} MiB")
    shown = 0
    for s in stats:
        frame = s.traceback[0]
        if os.sep + "ember" + os.sep not in frame.filename:
            continue
        print(f"{s.size_diff / 2**20:8.2f} MiB {s.count_diff:6d} blocks  "
              f"{_label((frame.filename, frame.lineno, ''))}")  # fmt: skip
        shown += 1
        if shown >= top:
            break
    del loss


def _parse_set(items):
    out = {}
    for item in items:
        key, _, value = item.partition("=")
        out[key] = int(value) if value.lstrip("-").isdigit() else value
    return out


def main(argv=None):
    """Profile one workload's step (Ember by default)."""
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile", description=__doc__)
    ap.add_argument("workload", help="W8, W9, W10 or W11")
    ap.add_argument("--impl", default="ember", choices=("ember", "torch", "numpy"))
    ap.add_argument("--case", type=int, default=0, help="index of the workload's case")
    ap.add_argument("--quick", action="store_true", help="the smoke-run sizes")
    ap.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a case parameter, e.g. --set batch=1 (per-op cost without array work)",
    )
    ap.add_argument("--steps", type=int, default=3, help="profiled steps (0: timings only)")
    ap.add_argument("--top", type=int, default=25, help="functions to list")
    ap.add_argument("--memory", action="store_true", help="also trace allocations")
    args = ap.parse_args(argv)
    mod = _module(args.workload)
    if not hasattr(mod, "step_fn"):
        ap.error(f"{args.workload} cannot be profiled (no step_fn)")
    case = dict(mod.cases(args.quick)[args.case], **_parse_set(args.set))
    reps = max(5, 2 * args.steps)
    times = {}
    for impl in ("ember", "torch", "numpy"):
        if impl == "torch" and importlib.util.find_spec("torch") is None:
            continue
        fn, _ = mod.step_fn(impl, case)
        times[impl] = median(timed(fn, reps, 2))
    shown = {k: v for k, v in case.items() if k != "id"}
    ratios = f"; {args.impl} / NumPy {times[args.impl] / times['numpy']:.2f}x"
    if "torch" in times:
        ratios += f", Ember / PyTorch {times['ember'] / times['torch']:.2f}x"
    each = ", ".join(f"{k} {_dur(v)}/step" for k, v in times.items())
    print(f"{case['id']} {shown}, in this one process: {each}{ratios}")
    step, loss_fn = mod.step_fn(args.impl, case)
    floor, _ = mod.step_fn("numpy", case)
    n_nodes = 0
    if args.impl != "numpy" and loss_fn is not None:
        counts = count_nodes(loss_fn())
        n_nodes = sum(counts.values())
        print(f"graph: {n_nodes} nodes per step; "
              + ", ".join(f"{k} {v}" for k, v in counts.most_common(12)))  # fmt: skip
        above = (times[args.impl] - times["numpy"]) / n_nodes
        print(f"time above the floor per node: {above * 1e6:.1f} µs")
    if args.steps:
        profile_time(step, args.steps, args.top, n_nodes)
    if args.memory:
        profile_memory(step, loss_fn, floor, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
