"""Thread settings, as PyTorch names them: ``set_num_threads`` and the inter-op pool.

Ember's heavy lifting is NumPy's BLAS; ``set_num_threads`` resizes its thread pool at run
time through ``threadpoolctl`` (an Ember dependency). Ember runs no inter-op thread pool, so
``set_num_interop_threads`` only records the number, with PyTorch's one-time rule.
"""

from __future__ import annotations

import os

_requested = [None]  # the last set_num_threads value
_limiter = []  # keeps the active threadpoolctl limit alive
_interop = {"threads": None, "set": False}


def _check_count(n, func):
    if not isinstance(n, int) or isinstance(n, bool):
        raise RuntimeError(f"{func} expects an int, but got {type(n).__name__}")
    if n <= 0:
        raise RuntimeError(f"{func} expects a positive integer")


def _default_threads() -> int:
    env = os.environ.get("OMP_NUM_THREADS", "")
    if env.isdigit() and int(env) > 0:
        return int(env)
    return os.cpu_count() or 1


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for the BLAS behind matrix products and convolutions."""
    _check_count(n, "set_num_threads")
    from threadpoolctl import threadpool_limits

    _limiter[:] = [threadpool_limits(limits=n, user_api="blas")]
    _requested[0] = n


def get_num_threads() -> int:
    """The number of threads for intra-op work: the last ``set_num_threads`` value, else the
    BLAS pool's size."""
    if _requested[0] is not None:
        return _requested[0]
    from threadpoolctl import threadpool_info

    counts = [i["num_threads"] for i in threadpool_info() if i.get("user_api") == "blas"]
    return max(counts) if counts else _default_threads()


def set_num_interop_threads(n: int) -> None:
    """Set the inter-op thread count (once per process, as PyTorch allows)."""
    _check_count(n, "set_num_interop_threads")
    if _interop["set"]:
        raise RuntimeError(
            "Error: cannot set number of interop threads after parallel work has started or "
            "set_num_interop_threads called"
        )
    _interop.update(threads=n, set=True)


def get_num_interop_threads() -> int:
    """The inter-op thread count (the CPU count unless set)."""
    return _interop["threads"] if _interop["set"] else _default_threads()
