"""A graph 100,000 wide: one leaf feeding N products that are stacked and summed.

Usage: ``python -m benchmarks.wide_graph [--n N]``

Each library runs in a fresh single-threaded process; reported are forward and
backward time and the process's peak RSS (``ru_maxrss``). The gradient is checked
against the exact value before anything is reported.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = "1"


def worker(lib_name, n):
    """Build and backpropagate the wide graph with ``lib_name``; print JSON."""
    lib = __import__(lib_name)
    x = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
    t0 = time.perf_counter()
    total = lib.stack([x * float(i) for i in range(n)]).sum()
    t1 = time.perf_counter()
    total.backward()
    t2 = time.perf_counter()
    expected = n * (n - 1) / 2
    assert abs(float(x.grad) - expected) <= 1e-9 * expected, (float(x.grad), expected)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"fwd_s": t1 - t0, "bwd_s": t2 - t1, "peak_mib": peak}))


def main(argv=None) -> int:
    """Run each available library in a fresh process and print a small table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--worker", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    if a.worker:
        worker(a.worker, a.n)
        return 0
    print(f"Graph {a.n:,} wide (one leaf, {a.n:,} products, stacked and summed)")
    for lib in ("ember", "torch"):
        r = subprocess.run(
            [sys.executable, "-m", "benchmarks.wide_graph", "--worker", lib, "--n", str(a.n)],
            capture_output=True,
            text=True,
        )
        if r.returncode != 0:
            reason = "not installed" if "No module named" in r.stderr else r.stderr[-300:]
            print(f"  {lib:6s} skipped: {reason}")
            continue
        d = json.loads(r.stdout.strip().splitlines()[-1])
        print(
            f"  {lib:6s} forward {d['fwd_s']:.2f} s, backward {d['bwd_s']:.2f} s, "
            f"peak RSS {d['peak_mib']:.0f} MiB"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
