"""``ember.nn.parallel``: data parallelism, in one process or across processes."""

from .data_parallel import DataParallel, data_parallel

__all__ = ["data_parallel", "DataParallel", "DistributedDataParallel"]


def __getattr__(name):
    # ``DistributedDataParallel`` (and ``ember.distributed`` behind it) is loaded on first use.
    if name in ("distributed", "DistributedDataParallel"):
        import importlib

        module = importlib.import_module(f"{__name__}.distributed")
        return module if name == "distributed" else module.DistributedDataParallel
    raise AttributeError(f"module '{__name__}' has no attribute '{name}'")


def __dir__():
    return sorted(set(globals()) | {"distributed", "DistributedDataParallel"})
