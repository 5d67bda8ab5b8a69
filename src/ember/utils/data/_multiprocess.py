"""The DataLoader's multi-process iterator: hands index lists out, yields batches in order.

Each worker has a task queue (main to worker) and a result pipe (worker to main).  The main
process waits on every result pipe and every worker's process handle at once, so a worker
that dies for any reason, with any exit status, is noticed the moment it dies, never by a
timeout.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import time
from multiprocessing.connection import wait

from ._worker import worker_loop

SHUTDOWN_WAIT = 5.0


def _context(ctx):
    if ctx is None:
        ctx = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    return multiprocessing.get_context(ctx) if isinstance(ctx, str) else ctx


def _how_it_ended(wid, w):
    code = w.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"worker {wid} (pid {w.pid}) was killed by signal {name}"
    return f"worker {wid} (pid {w.pid}) exited with code {code}"


class MultiProcessIter:
    """Hands index lists to worker processes and yields their batches in sampler order."""

    def __init__(self, loader):
        from ...random import _rng

        self.loader = loader
        ctx = _context(loader.multiprocessing_context)
        n = loader.num_workers
        base_seed = int(_rng(loader.generator).integers(0, 2**62))
        # Under forkserver a worker's parent is the server, not this process.
        parent = None if ctx.get_start_method() == "forkserver" else os.getpid()
        options = (
            loader._iterable,
            loader.batch_size,
            loader.drop_last,
            loader._auto_collation,
            loader.collate_fn,
            loader.worker_init_fn,
        )
        self.shutdown = False
        self.index_qs, self.workers, self.conns = [], [], {}
        for wid in range(n):
            iq = ctx.Queue()
            reader, writer = ctx.Pipe(duplex=False)
            readers = [*self.conns, reader]
            w = ctx.Process(
                target=worker_loop,
                args=(
                    wid,
                    n,
                    base_seed + wid,
                    loader.dataset,
                    options,
                    iq,
                    writer,
                    readers,
                    parent,
                ),
                daemon=True,
            )
            self.index_qs.append(iq)
            self.workers.append(w)
            self.conns[reader] = wid
            w.start()
            writer.close()  # the worker holds the only writing end: its death reads as EOF
        self.n = n
        self.iterable = loader._iterable
        self.tasks = iter(loader._index_sampler) if not self.iterable else None
        self.send_seq = 0
        self.recv_seq = 0
        self.buffer = {}
        self.active = set(range(n))
        self.done_sending = False
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
            self.index_qs[self.send_seq % self.n].put((self.send_seq, indices))
        self.send_seq += 1

    def _get(self):
        timeout = self.loader.timeout
        deadline = time.monotonic() + timeout if timeout else None
        sentinels = [w.sentinel for w in self.workers]
        while True:
            left = None if deadline is None else deadline - time.monotonic()
            ready = wait([*self.conns, *sentinels], left) if left is None or left > 0 else []
            for conn in ready:
                if conn in self.conns:
                    try:
                        return conn.recv()
                    except (EOFError, OSError):
                        # Its worker is gone; its handle reports that at once.
                        del self.conns[conn]
                        conn.close()
            self._raise_if_a_worker_died()
            if not ready:
                self._shutdown()
                raise RuntimeError(f"DataLoader timed out after {timeout} seconds")

    def _raise_if_a_worker_died(self):
        dead = [(wid, w) for wid, w in enumerate(self.workers) if not w.is_alive()]
        if not dead:
            return
        self._shutdown()
        pids = ", ".join(str(w.pid) for _, w in dead)
        how = "; ".join(_how_it_ended(wid, w) for wid, w in dead)
        raise RuntimeError(
            f"DataLoader worker (pid(s) {pids}) exited unexpectedly. {how[0].upper()}{how[1:]}."
        )

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
            except (OSError, ValueError):  # pragma: no cover - queue already closed
                pass
        # Closing the result pipes unblocks a worker that is sending a batch nobody wants.
        for conn in self.conns:
            conn.close()
        self.conns = {}
        deadline = time.monotonic() + SHUTDOWN_WAIT
        for w in self.workers:
            w.join(max(0.0, deadline - time.monotonic()))
        for w in self.workers:
            if w.is_alive():  # stuck in the dataset: it cannot be asked twice
                w.terminate()
                w.join(1.0)
        for q in self.index_qs:
            # A dead worker never drains its queue; do not let the feeder hold exit up.
            q.cancel_join_thread()
            q.close()

    def __del__(self):
        try:
            self._shutdown()
        except Exception:  # pragma: no cover - interpreter shutdown
            pass
