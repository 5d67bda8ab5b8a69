"""``ember.nn.parallel``: data parallelism across processes (see ``ember.distributed``)."""

from .distributed import DistributedDataParallel

__all__ = ["DistributedDataParallel"]
