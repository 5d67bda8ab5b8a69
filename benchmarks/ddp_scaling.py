"""DDP workload: 1 -> 2 process scaling and communication/backward overlap on the W2 MLP.

Usage: ``python -m benchmarks.ddp_scaling [--steps N] [--quick]``

The MLP is W2's (784-256-256-10, ReLU, cross-entropy, SGD) with a global batch of 128.
One process trains on the whole batch; two processes (started through
``ember.distributed.run``) train on 64 each with ``DistributedDataParallel``. Reported:

- step time of each, the speedup and the scaling efficiency (speedup / processes);
- overlap: how much of the all-reduce time is hidden behind backward,
  ``1 - (backward with DDP - backward without communication) / all-reduce alone``.

Threads are pinned to 1 per process (OMP/MKL/OPENBLAS_NUM_THREADS=1).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = "1"


def _model(nn, ember):
    ember.manual_seed(0)
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )


def worker(steps, out_path):
    """Run inside each process (1 or 2 of them); write timings as JSON from rank 0."""
    import numpy as np

    import ember
    import ember.nn as nn
    import ember.nn.functional as F

    distributed = "OMPI_COMM_WORLD_SIZE" in os.environ or "PMI_SIZE" in os.environ
    rank, world = 0, 1
    model = _model(nn, ember)
    if distributed:
        import ember.distributed as dist
        from ember.nn.parallel import DistributedDataParallel as DDP

        dist.init_process_group("mpi")
        rank, world = dist.get_rank(), dist.get_world_size()
        net = DDP(model)
    else:
        net = model
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = ember.tensor(rng.integers(0, 10, 128))
    local = slice(rank * (128 // world), (rank + 1) * (128 // world))
    xb, yb = x[local], y[local]
    opt = ember.optim.SGD(net.parameters(), lr=0.01)

    def step(no_comm=False):
        opt.zero_grad()
        if no_comm and distributed:
            with net.no_sync():  # forward and backward inside, as PyTorch requires
                loss = F.cross_entropy(net(xb), yb)
                t0 = time.perf_counter()
                loss.backward()
        else:
            loss = F.cross_entropy(net(xb), yb)
            t0 = time.perf_counter()
            loss.backward()
        t1 = time.perf_counter()
        opt.step()
        return t1 - t0

    for _ in range(5):
        step()
    step_times, bwd, bwd_local = [], [], []
    for _ in range(steps):
        if distributed:
            dist.barrier()
        t0 = time.perf_counter()
        bwd.append(step())
        step_times.append(time.perf_counter() - t0)
        bwd_local.append(step(no_comm=True))
    result = {
        "world": world,
        "step_ms": 1e3 * statistics.median(step_times),
        "backward_ms": 1e3 * statistics.median(bwd),
        "backward_local_ms": 1e3 * statistics.median(bwd_local),
    }
    if distributed:
        from mpi4py import MPI

        flat = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
        times = []
        for _ in range(steps):
            buf = flat.copy()
            dist.barrier()
            t0 = time.perf_counter()
            MPI.COMM_WORLD.Allreduce(MPI.IN_PLACE, buf, op=MPI.SUM)
            times.append(time.perf_counter() - t0)
        result["allreduce_ms"] = 1e3 * statistics.median(times)
    if rank == 0:
        with open(out_path, "w") as f:
            json.dump(result, f)


def run(steps):
    """Time one process, then two; return both result dicts."""
    here = os.path.abspath(__file__)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        one = os.path.join(tmp, "one.json")
        subprocess.run([sys.executable, here, "--worker", one, "--steps", str(steps)], check=True)
        results.append(json.load(open(one)))
        two = os.path.join(tmp, "two.json")
        from ember.distributed.run import build_command, mpi_env

        cmd = build_command(2, [here, "--worker", two, "--steps", str(steps)])
        subprocess.run(cmd, check=True, env=mpi_env())
        results.append(json.load(open(two)))
    return results


def main(argv=None) -> int:
    """Print the scaling and overlap table."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--quick", action="store_true", help="a few steps only (smoke run)")
    p.add_argument("--worker", help=argparse.SUPPRESS)
    a = p.parse_args(argv)
    steps = 3 if a.quick else a.steps
    if a.worker:
        worker(steps, a.worker)
        return 0
    one, two = run(steps)
    speedup = one["step_ms"] / two["step_ms"]
    hidden = two["allreduce_ms"] - (two["backward_ms"] - two["backward_local_ms"])
    overlap = max(0.0, min(1.0, hidden / two["allreduce_ms"])) if two["allreduce_ms"] else 0.0
    print("DDP on the W2 MLP (global batch 128, 1 thread per process)")
    print(f"  1 process : {one['step_ms']:.2f} ms per step")
    print(f"  2 processes: {two['step_ms']:.2f} ms per step (64 samples each)")
    print(f"  speedup {speedup:.2f}x, scaling efficiency {speedup / 2:.0%}")
    print(
        f"  backward {two['backward_ms']:.2f} ms with DDP vs {two['backward_local_ms']:.2f} ms "
        f"without communication; all-reduce alone {two['allreduce_ms']:.2f} ms"
    )
    print(f"  overlap: {overlap:.0%} of the all-reduce hidden behind backward")
    return 0


if __name__ == "__main__":
    sys.exit(main())
