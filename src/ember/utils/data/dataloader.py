"""``DataLoader``: batches from a dataset, optionally fetched by worker processes.

With ``num_workers > 0`` each worker process receives lists of indices on its own
queue, fetches and collates the batch, and sends it back on a shared result queue;
the main process hands batches out in sampler order.  Tensors cross process
boundaries by pickling (``Tensor.__reduce_ex__``).
"""

from __future__ import annotations

import itertools
import multiprocessing
import queue
import traceback
from dataclasses import dataclass

from ._collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler

_worker_info = None


@dataclass
class WorkerInfo:
    """What ``get_worker_info()`` returns inside a worker process."""

    id: int
    num_workers: int
    seed: int
    dataset: object


def get_worker_info():
    """The current worker's ``WorkerInfo`` (``None`` in the main process)."""
    return _worker_info


class _ExceptionWrapper:
    def __init__(self, exc, where):
        self.exc_type = type(exc)
        self.msg = f"Caught {type(exc).__name__} {where}.\nOriginal {traceback.format_exc()}"

    def reraise(self):
        try:
            err = self.exc_type(self.msg)
        except Exception:
            err = RuntimeError(self.msg)
        raise err


def _fetch(dataset, indices, auto_collation, collate_fn):
    if auto_collation:
        if hasattr(dataset, "__getitems__") and dataset.__getitems__:
            data = dataset.__getitems__(indices)
        else:
            data = [dataset[i] for i in indices]
        return collate_fn(data)
    return collate_fn(dataset[indices])


def _iter_batches(dataset, batch_size, drop_last, auto_collation, collate_fn):
    it = iter(dataset)
    if not auto_collation:
        for item in it:
            yield collate_fn(item)
        return
    while True:
        chunk = list(itertools.islice(it, batch_size))
        if not chunk or (drop_last and len(chunk) < batch_size):
            return
        yield collate_fn(chunk)


def _worker_loop(
    wid,
    num_workers,
    seed,
    dataset,
    iterable,
    batch_size,
    drop_last,
    auto_collation,
    collate_fn,
    worker_init_fn,
    index_q,
    result_q,
):
    global _worker_info
    from ... import random as _random

    _random.manual_seed(seed)
    _worker_info = WorkerInfo(wid, num_workers, seed, dataset)
    try:
        if worker_init_fn is not None:
            worker_init_fn(wid)
    except Exception as e:
        result_q.put((wid, -1, None, _ExceptionWrapper(e, f"in DataLoader worker process {wid}")))
        return
    batches = (
        _iter_batches(dataset, batch_size, drop_last, auto_collation, collate_fn)
        if iterable
        else None
    )
    while True:
        task = index_q.get()
        if task is None:
            break
        seq, indices = task
        try:
            if iterable:
                try:
                    data = next(batches)
                except StopIteration:
                    result_q.put((wid, seq, None, StopIteration))
                    continue
            else:
                data = _fetch(dataset, indices, auto_collation, collate_fn)
            result_q.put((wid, seq, data, None))
        except Exception as e:
            result_q.put(
                (wid, seq, None, _ExceptionWrapper(e, f"in DataLoader worker process {wid}"))
            )


class DataLoader:
    """Iterate over ``dataset`` in batches (PyTorch's ``torch.utils.data.DataLoader``)."""

    def __init__(
        self,
        dataset,
        batch_size=1,
        shuffle=None,
        sampler=None,
        batch_sampler=None,
        num_workers=0,
        collate_fn=None,
        pin_memory=False,
        drop_last=False,
        timeout=0,
        worker_init_fn=None,
        multiprocessing_context=None,
        generator=None,
        *,
        prefetch_factor=None,
        persistent_workers=False,
        pin_memory_device="",
        in_order=True,
    ):
        if num_workers < 0:
            raise ValueError(
                "num_workers option should be non-negative; use num_workers=0 to disable "
                "multiprocessing."
            )
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError(
                "prefetch_factor option could only be specified in multiprocessing.let "
                "num_workers > 0 to enable multiprocessing, otherwise set prefetch_factor to None."
            )
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = 2 if prefetch_factor is None and num_workers > 0 else prefetch_factor
        self.pin_memory = pin_memory
        self.timeout = timeout
        self.worker_init_fn = worker_init_fn
        self.multiprocessing_context = multiprocessing_context
        self.generator = generator
        self.persistent_workers = persistent_workers
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in (None, False):
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified shuffle option, but "
                    f"got shuffle={shuffle}"
                )
            if sampler is not None:
                raise ValueError(
                    f"DataLoader with IterableDataset: expected unspecified sampler option, but "
                    f"got sampler={sampler}"
                )
            if batch_sampler is not None:
                raise ValueError(
                    "DataLoader with IterableDataset: expected unspecified batch_sampler option, "
                    f"but got batch_sampler={batch_sampler}"
                )
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError(
                    "batch_sampler option is mutually exclusive with batch_size, shuffle, "
                    "sampler, and drop_last"
                )
            batch_size = None
            drop_last = False
        elif batch_size is None and drop_last:
            raise ValueError(
                "batch_size=None option disables auto-batching and is mutually exclusive with "
                "drop_last"
            )
        if sampler is None and not self._iterable:
            sampler = (
                RandomSampler(dataset, generator=generator)
                if shuffle
                else (SequentialSampler(dataset))
            )
        if batch_size is not None and batch_sampler is None and not self._iterable:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.sampler = sampler
        self.batch_sampler = batch_sampler
        if collate_fn is None:
            collate_fn = default_collate if self._auto_collation else default_convert
        self.collate_fn = collate_fn

    @property
    def _auto_collation(self):
        return self.batch_sampler is not None or (self._iterable and self.batch_size is not None)

    @property
    def _index_sampler(self):
        return self.batch_sampler if self.batch_sampler is not None else self.sampler

    def __len__(self):
        if self._iterable:
            n = len(self.dataset)
            if self.batch_size is not None:
                return n // self.batch_size if self.drop_last else -(-n // self.batch_size)
            return n
        return len(self._index_sampler)

    def __iter__(self):
        if self.num_workers == 0:
            return self._single_process()
        return _MultiProcessIter(self)

    def _single_process(self):
        if self._iterable:
            yield from _iter_batches(
                self.dataset, self.batch_size, self.drop_last, self._auto_collation, self.collate_fn
            )
            return
        for indices in self._index_sampler:
            yield _fetch(self.dataset, indices, self._auto_collation, self.collate_fn)


class _MultiProcessIter:
    """Hands index lists to worker processes and yields their batches in order."""

    def __init__(self, loader):
        from ...random import _rng

        self.loader = loader
        ctx = loader.multiprocessing_context
        if ctx is None:
            methods = multiprocessing.get_all_start_methods()
            ctx = "fork" if "fork" in methods else "spawn"
        if isinstance(ctx, str):
            ctx = multiprocessing.get_context(ctx)
        n = loader.num_workers
        gen = loader.generator
        base_seed = int(_rng(gen).integers(0, 2**62))
        self.result_q = ctx.Queue()
        self.index_qs = []
        self.workers = []
        for wid in range(n):
            iq = ctx.Queue()
            w = ctx.Process(
                target=_worker_loop,
                args=(
                    wid,
                    n,
                    base_seed + wid,
                    loader.dataset,
                    loader._iterable,
                    loader.batch_size,
                    loader.drop_last,
                    loader._auto_collation,
                    loader.collate_fn,
                    loader.worker_init_fn,
                    iq,
                    self.result_q,
                ),
                daemon=True,
            )
            w.start()
            self.index_qs.append(iq)
            self.workers.append(w)
        self.n = n
        self.iterable = loader._iterable
        self.tasks = iter(loader._index_sampler) if not self.iterable else None
        self.send_seq = 0
        self.recv_seq = 0
        self.buffer = {}
        self.active = set(range(n))
        self.done_sending = False
        self.shutdown = False
        self.task_worker = {}
        self.rr = 0
        for _ in range(loader.prefetch_factor * n):
            self._send()

    def _send(self):
        if self.done_sending:
            return
        if self.iterable:
            if not self.active:
                self.done_sending = True
                return
            wid = self.rr % self.n
            while wid not in self.active:
                self.rr += 1
                wid = self.rr % self.n
            self.rr += 1
            self.index_qs[wid].put((self.send_seq, None))
        else:
            try:
                indices = next(self.tasks)
            except StopIteration:
                self.done_sending = True
                return
            wid = self.send_seq % self.n
            self.index_qs[wid].put((self.send_seq, indices))
        self.task_worker[self.send_seq] = wid
        self.send_seq += 1

    def _get(self):
        timeout = self.loader.timeout
        waited = 0.0
        while True:
            try:
                return self.result_q.get(timeout=timeout if timeout else 2.0)
            except queue.Empty:
                if timeout:
                    self._shutdown()
                    raise RuntimeError(f"DataLoader timed out after {timeout} seconds") from None
                dead = [w.pid for w in self.workers if w.exitcode not in (None, 0)]
                if dead:
                    self._shutdown()
                    raise RuntimeError(
                        f"DataLoader worker (pid(s) {', '.join(map(str, dead))}) exited "
                        "unexpectedly"
                    ) from None
                waited += 2.0

    def __iter__(self):
        return self

    def __next__(self):
        while True:
            if self.recv_seq >= self.send_seq and self.done_sending:
                self._shutdown()
                raise StopIteration
            if self.recv_seq in self.buffer:
                wid, data, err = self.buffer.pop(self.recv_seq)
                self.recv_seq += 1
                if err is StopIteration:
                    self.active.discard(wid)
                    self._send()
                    continue
                if err is not None:
                    self._shutdown()
                    err.reraise()
                self._send()
                return data
            if self.recv_seq >= self.send_seq:
                self._send()
                continue
            wid, seq, data, err = self._get()
            if seq == -1:
                self._shutdown()
                err.reraise()
            self.buffer[seq] = (wid, data, err)

    def _shutdown(self):
        if self.shutdown:
            return
        self.shutdown = True
        for q in self.index_qs:
            try:
                q.put(None)
            except Exception:  # pragma: no cover - queue already closed
                pass
        for w in self.workers:
            w.join(timeout=5)
            if w.is_alive():  # pragma: no cover - a stuck worker
                w.terminate()

    def __del__(self):
        try:
            self._shutdown()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass
