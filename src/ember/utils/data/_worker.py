"""What runs inside a DataLoader worker process: fetch, collate, send back, watch the parent.

A worker reads ``(seq, indices)`` tasks from its own queue and sends ``(wid, seq, data,
error)`` back on its own pipe, from a sender thread so that it can fetch the next batch
meanwhile.  ``None`` on the task queue, a closed pipe, Ctrl-C or the death of the process
that started it end the worker.
"""

from __future__ import annotations

import itertools
import os
import queue
import threading
import time
import traceback
from dataclasses import dataclass

PARENT_CHECK_INTERVAL = 0.25

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


class ExceptionWrapper:
    """An exception raised in a worker, carried to the main process with its traceback."""

    def __init__(self, exc, where):
        self.exc_type = type(exc)
        self.msg = f"Caught {type(exc).__name__} {where}.\nOriginal {traceback.format_exc()}"

    def reraise(self):
        """Raise the worker's exception (as RuntimeError where its type cannot be rebuilt)."""
        try:
            err = self.exc_type(self.msg)
        except Exception:
            err = RuntimeError(self.msg)
        raise err


def fetch(dataset, indices, auto_collation, collate_fn):
    """One batch of a map-style dataset: its samples at ``indices``, collated."""
    if auto_collation:
        if hasattr(dataset, "__getitems__") and dataset.__getitems__:
            data = dataset.__getitems__(indices)
        else:
            data = [dataset[i] for i in indices]
        return collate_fn(data)
    return collate_fn(dataset[indices])


def iter_batches(dataset, batch_size, drop_last, auto_collation, collate_fn):
    """The batches of an iterable dataset."""
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


def _watch_parent(parent_pid):
    # The task queue's pipe is also held by sibling workers, so a dead main process never
    # shows up as end-of-file there: poll the parent instead, and leave at once when it
    # changes (the kernel re-parents orphans the moment their parent dies).
    def watch():
        while True:
            if os.getppid() != parent_pid:
                os._exit(0)
            time.sleep(PARENT_CHECK_INTERVAL)

    threading.Thread(target=watch, name="ember-dataloader-parent-watch", daemon=True).start()


class _Sender:
    """Sends results from a thread, so the worker fetches its next batch meanwhile."""

    def __init__(self, conn, where):
        self.conn, self.where = conn, where
        self.items = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, name="ember-dataloader-send", daemon=True)
        self.thread.start()

    def put(self, item):
        """Queue ``(wid, seq, data, error)`` for the main process."""
        self.items.put(item)

    def close(self):
        """Send everything queued, then stop."""
        self.items.put(None)
        self.thread.join()

    def _run(self):
        try:
            while (item := self.items.get()) is not None:
                try:
                    self.conn.send(item)
                except (BrokenPipeError, ConnectionResetError):
                    raise
                except Exception as e:
                    # The batch could not be pickled; the pipe carries nothing of it yet.
                    self.conn.send((item[0], item[1], None, ExceptionWrapper(e, self.where)))
        except (BrokenPipeError, ConnectionResetError):
            os._exit(0)  # the main process closed its end: it wants no more batches


def worker_loop(wid, num_workers, seed, dataset, options, index_q, conn, readers, parent_pid):
    """Serve tasks until told to stop, until the main process dies or closes the pipe."""
    _watch_parent(os.getppid() if parent_pid is None else parent_pid)
    # Copies of the main process's reading ends (this worker's and its elders'): were they
    # kept, a pipe whose reader has gone would still look read and a send could block.
    for reader in readers:
        reader.close()
    sender = _Sender(conn, f"in DataLoader worker process {wid}")
    try:
        _serve(wid, num_workers, seed, dataset, options, index_q, sender)
    except KeyboardInterrupt:
        return  # the main process receives Ctrl-C as well and shuts the workers down
    sender.close()


def _serve(wid, num_workers, seed, dataset, options, index_q, sender):
    global _worker_info
    from ... import random as _random

    iterable, batch_size, drop_last, auto_collation, collate_fn, worker_init_fn = options
    _random.manual_seed(seed)
    _worker_info = WorkerInfo(wid, num_workers, seed, dataset)
    try:
        if worker_init_fn is not None:
            worker_init_fn(wid)
    except Exception as e:
        sender.put((wid, -1, None, ExceptionWrapper(e, sender.where)))
        return
    batches = (
        iter_batches(dataset, batch_size, drop_last, auto_collation, collate_fn)
        if iterable
        else None
    )
    while (task := index_q.get()) is not None:
        seq, indices = task
        try:
            if iterable:
                try:
                    data = next(batches)
                except StopIteration:
                    sender.put((wid, seq, None, StopIteration))
                    continue
            else:
                data = fetch(dataset, indices, auto_collation, collate_fn)
            sender.put((wid, seq, data, None))
        except Exception as e:
            sender.put((wid, seq, None, ExceptionWrapper(e, sender.where)))
