"""``set_num_threads`` / ``get_num_threads``: the BLAS thread pool, as PyTorch names them.

Ember's heavy lifting is NumPy's BLAS. These use ``threadpoolctl`` (installed with
scikit-learn, or ``pip install threadpoolctl``) to resize its thread pool at run time;
without it, set ``OMP_NUM_THREADS`` before starting Python.
"""

from __future__ import annotations

import os

_limits = []  # keeps the active limit object alive


def _threadpoolctl():
    try:
        import threadpoolctl
    except ImportError as e:
        raise RuntimeError(
            "set_num_threads needs threadpoolctl (pip install threadpoolctl); or set "
            "OMP_NUM_THREADS before starting Python"
        ) from e
    return threadpoolctl


def set_num_threads(n: int) -> None:
    """Use ``n`` threads for the BLAS behind matrix products and convolutions."""
    if not isinstance(n, int) or n < 1:
        raise RuntimeError("set_num_threads expects a positive integer")
    _limits[:] = [_threadpoolctl().threadpool_limits(limits=n)]


def get_num_threads() -> int:
    """The number of BLAS threads in use."""
    try:
        info = _threadpoolctl().threadpool_info()
    except RuntimeError:
        return int(os.environ.get("OMP_NUM_THREADS", os.cpu_count() or 1))
    counts = [i["num_threads"] for i in info if i.get("user_api") == "blas"]
    return max(counts) if counts else 1
