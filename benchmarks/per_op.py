"""The per-op floor, op by op: Ember and PyTorch on the tiny operations W1 and W4 are made of.

Usage: ``python -m benchmarks.per_op [--reps N] [--only TEXT]``

Each case is timed in a fresh single-threaded process per library (process CPU time, the
best of five blocks of ``--reps`` calls, minus the cost of an empty call), the libraries
alternating case by case, and printed as nanoseconds per call with the ratio
Ember ÷ PyTorch. "Recorded" cases build a graph (an input that requires grad); the
"backward" cases time ``loss.backward()`` alone on graphs built outside the clock.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = "1"

# name: (set-up, timed statement); ``lib`` is ember or torch, ``v`` a 16-float tensor that
# requires grad (a non-leaf), ``s`` a 0-d one, ``c`` a 0-d leaf.
CASES = {
    "v * 1.1 (recorded)": ("", "v * 1.1"),
    "v - 1.1 (recorded)": ("", "v - 1.1"),
    "v.tanh() (recorded)": ("", "v.tanh()"),
    "v * v (recorded)": ("", "v * v"),
    "v.sum() (recorded)": ("", "v.sum()"),
    "s * 2 (0-d, recorded)": ("", "s * 2"),
    "s.norm() (0-d, recorded)": ("", "s.norm()"),
    "s < 1000 (0-d)": ("", "s < 1000"),
    "v * 1.1 (no grad)": ("w = v.detach()", "w * 1.1"),
    "backward: leaf": ("", "c.backward()"),
    "backward: chain of 100": ("", "CHAIN"),
    "backward: x**2 - 2*x + 1 (0-d)": ("", "SEED"),
}


def _graph(x, c, kind):
    """A graph to run backward through, built outside the clock: W1's chain on the
    16-float leaf ``x``, or W4a's loss on the 0-d leaf ``c``."""
    if kind == "CHAIN":
        y = x
        for _ in range(25):
            y = (y * 1.1 - 1.1).tanh().exp()
        return y.sum()
    return c**2 - 2 * c + 1


def _worker(impl, name, reps):
    import time

    lib = __import__(impl)
    setup, stmt = CASES[name]
    v = lib.ones(16, requires_grad=True) * 0.5
    s = lib.tensor(0.5, requires_grad=True) * 2.0
    c = lib.tensor(0.5, requires_grad=True)
    x = lib.ones(16, requires_grad=True)
    scope = {"lib": lib, "v": v, "s": s, "c": c}
    exec(setup, scope)
    if stmt in ("CHAIN", "SEED"):
        reps = max(1, reps // (100 if stmt == "CHAIN" else 5))
        per_call = []
        for _block in range(5):
            graphs = [_graph(x, c, stmt) for _ in range(reps)]
            t0 = time.process_time()
            for g in graphs:
                g.backward()
                c.grad = x.grad = None
            per_call.append((time.process_time() - t0) / reps)
            del graphs
        return min(per_call) / (101 if stmt == "CHAIN" else 1) * 1e9
    if name.startswith("backward: leaf"):
        stmt = "c.backward(); c.grad = None"
    import timeit

    best = min(timeit.repeat(stmt, globals=scope, number=reps, repeat=5, timer=time.process_time))
    empty = min(timeit.repeat("pass", number=reps, repeat=5, timer=time.process_time))
    return (best - empty) / reps * 1e9


def main(argv=None) -> int:
    """Print each case's nanoseconds per call in Ember and PyTorch and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=20000)
    parser.add_argument("--only", help="run only the cases whose name contains this text")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        print(json.dumps(_worker(args.worker[0], args.worker[1], args.reps)))
        return 0
    print("| case | Ember ns | PyTorch ns | Ember ÷ PyTorch |")
    print("|---|---|---|---|")
    for name in CASES:
        if args.only and args.only not in name:
            continue
        out = {}
        for impl in ("ember", "torch"):
            cmd = [sys.executable, "-m", "benchmarks.per_op", "--reps", str(args.reps)]
            res = subprocess.run(cmd + ["--worker", impl, name], capture_output=True, text=True)
            if res.returncode:
                sys.stderr.write(res.stderr)
                return res.returncode
            out[impl] = json.loads(res.stdout)
        e, t = out["ember"], out["torch"]
        unit = " per node" if "chain" in name else ""
        print(f"| {name}{unit} | {e:.0f} | {t:.0f} | {e / t:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
