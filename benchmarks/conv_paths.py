"""Stride-1 convolutions: the flat-grid path against the strided-window path, and PyTorch.

Usage: ``python -m benchmarks.conv_paths [--reps N]``

For W3's two convolutions (64×1×28×28 → 8 channels and 64×8×14×14 → 16, 3×3, padding 1,
float32) it times Ember's three convolution kernels (the forward, the input gradient and
the weight gradient) on the flat path (``ops/conv_flat.py``) and on the strided-window
path it replaces, interleaved in one single-threaded process (process CPU time, medians),
checks that both give the same values, and times PyTorch's forward and backward of the
same convolution for scale.
"""

from __future__ import annotations

import argparse
import os
import time

for _v in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_v] = "1"

import numpy as np  # noqa: E402

SHAPES = [(64, 1, 28, 8), (64, 8, 14, 16)]  # (batch, in channels, size, out channels)


def _median_ms(fn, reps):
    fn()
    times = []
    for _ in range(reps):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return float(np.median(times)) * 1e3


def _kernels(conv, x, w, g, geom, size):
    return {
        "forward": lambda: conv._conv(np, x, w, geom),
        "input grad": lambda: conv._conv_transpose(np, g, w, geom, (size, size)),
        "weight grad": lambda: conv._conv_weight(np, x, g, geom, (3, 3)),
    }


def main(argv=None) -> int:
    """Print, per shape and kernel, the strided and flat times and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=50)
    args = parser.parse_args(argv)
    from ember.ops import conv, conv_flat

    rng = np.random.default_rng(0)
    geom = ((1, 1), ((1, 1), (1, 1)), (1, 1), 1)
    print("| shape (N, C, H, O) | kernel | strided ms | flat ms | flat ÷ strided |")
    print("|---|---|---|---|---|")
    for n, c, size, o in SHAPES:
        x = rng.standard_normal((n, c, size, size)).astype(np.float32)
        w = rng.standard_normal((o, c, 3, 3)).astype(np.float32)
        g = rng.standard_normal((n, o, size, size)).astype(np.float32)
        for name, fn in _kernels(conv, x, w, g, geom, size).items():
            flat_limit = conv_flat.FLAT_MAX_EXTRA
            strided, flat = [], []
            for _ in range(3):  # interleaved blocks
                conv_flat.FLAT_MAX_EXTRA = 0.0
                strided.append(_median_ms(fn, args.reps))
                reference = fn()
                conv_flat.FLAT_MAX_EXTRA = flat_limit
                flat.append(_median_ms(fn, args.reps))
                np.testing.assert_allclose(fn(), reference, rtol=1e-4, atol=1e-4)
            s, f = min(strided), min(flat)
            print(f"| {(n, c, size, o)} | {name} | {s:.3f} | {f:.3f} | {f / s:.2f} |")
    try:
        import torch
    except ImportError:
        return 0
    torch.set_num_threads(1)
    f = torch.nn.functional
    for n, c, size, o in SHAPES:
        x = torch.randn(n, c, size, size, requires_grad=True)
        w = torch.randn(o, c, 3, 3, requires_grad=True)
        g = torch.randn(n, o, size, size)
        fwd = _median_ms(lambda x=x, w=w: f.conv2d(x, w, padding=1), args.reps)
        both = _median_ms(lambda x=x, w=w, g=g: f.conv2d(x, w, padding=1).backward(g), args.reps)
        print(f"PyTorch {(n, c, size, o)}: forward {fwd:.3f} ms, forward+backward {both:.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
