"""Costs of autograd's debugging and memory features, on the W2 MLP.

Usage: ``python -m benchmarks.autograd_features [--steps N]``

- Anomaly mode: training-step time with ``set_detect_anomaly(True)`` (forward traces
  recorded, every backward output checked for NaN) over the time without it, measured
  in interleaved blocks in one single-threaded process.
- Checkpointing: bytes the graph holds for backward (``ember.autograd.graph.saved_bytes``)
  for a deep MLP with and without ``ember.utils.checkpoint.checkpoint`` around each block,
  and the step-time cost of recomputing the blocks in backward.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import warnings

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = "1"


def _mlp(nn, ember):
    ember.manual_seed(0)
    return nn.Sequential(
        nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10)
    )


def anomaly_overhead(steps):
    """(ms per step without, ms per step with anomaly mode)."""
    import numpy as np

    import ember
    import ember.nn as nn
    import ember.nn.functional as F

    model = _mlp(nn, ember)
    rng = np.random.default_rng(0)
    x = ember.tensor(rng.standard_normal((128, 784)).astype(np.float32))
    y = ember.tensor(rng.integers(0, 10, 128))
    opt = ember.optim.SGD(model.parameters(), lr=0.01)

    def block(n):
        t0 = time.perf_counter()
        for _ in range(n):
            opt.zero_grad()
            F.cross_entropy(model(x), y).backward()
            opt.step()
        return (time.perf_counter() - t0) / n

    block(5)
    off, on = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(steps // 5):
            off.append(block(5))
            ember.autograd.set_detect_anomaly(True)
            on.append(block(5))
            ember.autograd.set_detect_anomaly(False)
    return 1e3 * statistics.median(off), 1e3 * statistics.median(on)


def checkpoint_saving(steps):
    """Saved bytes and ms per step for a 12-block MLP, plain and checkpointed."""
    import numpy as np

    import ember
    import ember.nn as nn
    from ember.autograd.graph import saved_bytes
    from ember.utils.checkpoint import checkpoint

    ember.manual_seed(0)
    blocks = nn.ModuleList(
        [
            nn.Sequential(nn.Linear(512, 512), nn.Tanh(), nn.Linear(512, 512), nn.Tanh())
            for _ in range(12)
        ]
    )
    x = ember.tensor(np.random.default_rng(0).standard_normal((256, 512)).astype(np.float32))

    def forward(use_checkpoint):
        h = x
        for b in blocks:
            h = checkpoint(b, h, use_reentrant=False) if use_checkpoint else b(h)
        return (h * h).mean()

    out = {}
    for use in (False, True):
        loss = forward(use)
        held = saved_bytes(loss, include_leaves=False)
        times = []
        for _ in range(max(steps // 4, 3)):
            t0 = time.perf_counter()
            forward(use).backward()
            times.append(time.perf_counter() - t0)
        out[use] = (held, 1e3 * statistics.median(times))
    return out


def main(argv=None) -> int:
    """Print both measurements."""
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--steps", type=int, default=60)
    p.add_argument("--quick", action="store_true")
    a = p.parse_args(argv)
    steps = 10 if a.quick else a.steps
    off, on = anomaly_overhead(steps)
    print("Anomaly mode on the W2 MLP step (batch 128, 1 thread)")
    print(f"  off {off:.2f} ms, on {on:.2f} ms: overhead {on / off:.2f}x (target < 1.5x)")
    res = checkpoint_saving(steps)
    (b0, t0), (b1, t1) = res[False], res[True]
    print("Checkpointing each block of a 12-block MLP (512 wide, batch 256)")
    print(
        f"  held for backward: {b0 / 2**20:.1f} MiB plain, {b1 / 2**20:.1f} MiB checkpointed "
        f"({b1 / b0:.2f}x)"
    )
    print(f"  forward+backward: {t0:.1f} ms plain, {t1:.1f} ms checkpointed ({t1 / t0:.2f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
