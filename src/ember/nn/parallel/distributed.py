"""``DistributedDataParallel``: average gradients across processes during backward.

At construction, rank 0's parameters and buffers are broadcast to every process.
Parameters are grouped into buckets of about ``bucket_cap_mb`` (in reverse order
of registration, roughly the order backward produces their gradients).  A hook
on each parameter fires when its gradient has been accumulated; when every
parameter of a bucket is ready, the bucket's gradients are flattened into one
buffer and all-reduced with a non-blocking MPI call, so communication overlaps the
rest of backward.  When the last bucket is launched, all are awaited and the
averaged gradients copied back, before ``backward()`` returns.
"""

from __future__ import annotations

import contextlib

from ...autograd.node import AccumulateGrad
from ...backend import np
from ...distributed import _group, _mpi, broadcast
from ..module import Module


class _Bucket:
    __slots__ = ("params", "names", "pending", "buffer", "request")

    def __init__(self):
        self.params = []
        self.names = []
        self.pending = 0
        self.buffer = None
        self.request = None


class DistributedDataParallel(Module):
    """Wrap ``module`` so that ``backward()`` leaves every process with averaged gradients.

    Args:
        module: the model (identical architecture on every rank).
        bucket_cap_mb: target size of one all-reduce, in MiB.
        find_unused_parameters: look, after each forward, for parameters the output does
            not depend on, and treat them as ready (their gradient stays local).
        broadcast_buffers: broadcast rank 0's buffers (e.g. BatchNorm statistics) before
            each forward.
    """

    def __init__(self, module, device_ids=None, output_device=None, dim=0, broadcast_buffers=True,
                 process_group=None, bucket_cap_mb=25, find_unused_parameters=False,
                 gradient_as_bucket_view=False, static_graph=False):  # fmt: skip
        super().__init__()
        self.module = module
        self._pg = _group(process_group)
        self._world = self._pg.size()
        self._broadcast_buffers = broadcast_buffers
        self._find_unused = find_unused_parameters
        self._sync = True
        self._named = [(n, p) for n, p in module.named_parameters() if p.requires_grad]
        for _, p in self._named:
            broadcast(p.detach(), 0, self._pg)
        for b in module.buffers():
            broadcast(b, 0, self._pg)
        self._buckets = self._make_buckets(bucket_cap_mb * 1024 * 1024)
        self._bucket_of = {}
        for bucket in self._buckets:
            for p in bucket.params:
                self._bucket_of[id(p)] = bucket
        self._in_flight = []
        self._ready = set()
        self._launched = 0
        self._expect_reduction = False
        self._handles = [
            p.register_post_accumulate_grad_hook(self._on_grad_ready) for _, p in self._named
        ]

    def _make_buckets(self, cap_bytes):
        buckets = []
        current = {}
        for name, p in reversed(self._named):
            key = p.dtype
            b = current.get(key)
            if b is None or sum(q.numel() for q in b.params) * p.element_size() >= cap_bytes:
                b = current[key] = _Bucket()
                buckets.append(b)
            b.params.append(p)
            b.names.append(name)
        return buckets

    # ----- forward ----------------------------------------------------------------------
    def forward(self, *inputs, **kwargs):
        """Run the wrapped module (checking the previous iteration finished its reduction)."""
        if self._sync and self._expect_reduction:
            self._raise_unfinished()
        if self._broadcast_buffers and self._world > 1:
            for b in self.module.buffers():
                broadcast(b, 0, self._pg)
        out = self.module(*inputs, **kwargs)
        if self._sync:
            self._prepare(out)
        return out

    def _prepare(self, out):
        for b in self._buckets:
            b.pending = len(b.params)
        self._launched = 0
        self._in_flight = []
        self._ready = set()
        self._expect_reduction = True
        if self._find_unused:
            used = _reachable_leaves(out)
            for _, p in self._named:
                if id(p) not in used:
                    self._mark_ready(p, unused=True)

    def _raise_unfinished(self):
        pending = [n for n, p in self._named if id(p) not in self._ready]
        raise RuntimeError(
            "Expected to have finished reduction in the prior iteration before starting a new "
            "one. This error indicates that your module has parameters that were not used in "
            "producing loss. You can enable unused parameter detection by passing the keyword "
            "argument `find_unused_parameters=True` to "
            "`torch.nn.parallel.DistributedDataParallel`, and by making sure all `forward` "
            "function outputs participate in calculating loss.\n"
            "Parameters that did not receive a gradient (by name): " + ", ".join(pending)
        )

    # ----- backward hooks ---------------------------------------------------------------
    def _on_grad_ready(self, param):
        # Whether this backward reduces was decided by the forward (as in PyTorch).
        if self._expect_reduction:
            self._mark_ready(param)

    def _mark_ready(self, param, unused=False):
        self._ready.add(id(param))
        # MPI moves a non-blocking message only while the library is called: testing the
        # buckets in flight lets them progress while backward computes the next ones.
        for b in self._in_flight:
            b.request.Test()
        bucket = self._bucket_of[id(param)]
        bucket.pending -= 1
        if bucket.pending == 0:
            self._launch(bucket)

    def _launch(self, bucket):
        MPI = _mpi()
        parts = []
        for p in bucket.params:
            g = p.grad
            parts.append(
                np.zeros(p.numel(), dtype=p._data.dtype) if g is None else g._data.reshape(-1)
            )
        bucket.buffer = np.concatenate(parts)
        bucket.request = self._pg.comm.Iallreduce(MPI.IN_PLACE, bucket.buffer, op=MPI.SUM)
        self._in_flight.append(bucket)
        self._launched += 1
        if self._launched == len(self._buckets):
            self._finish()

    def _finish(self):
        from ...tensor import Tensor

        for bucket in self._in_flight:
            bucket.request.Wait()
            bucket.buffer /= self._world
            offset = 0
            for p in bucket.params:
                n = p.numel()
                avg = bucket.buffer[offset : offset + n].reshape(p._data.shape)
                offset += n
                if p._grad is None:
                    if self._find_unused:
                        p._grad = Tensor._make(avg.astype(p._data.dtype, copy=True))
                    continue
                p._grad._data[...] = avg
                p._grad._bump_version("all_reduce")
            bucket.buffer = bucket.request = None
        self._in_flight = []
        self._expect_reduction = False

    @contextlib.contextmanager
    def no_sync(self):
        """Accumulate gradients locally (no communication) inside this context."""
        prev = self._sync
        self._sync = False
        try:
            yield
        finally:
            self._sync = prev


def _reachable_leaves(outputs):
    """ids of the leaf tensors that the outputs' graphs lead to."""
    from ...tensor import Tensor
    from ...viz import walk

    if isinstance(outputs, Tensor):
        outputs = [outputs]
    elif isinstance(outputs, dict):
        outputs = list(outputs.values())
    roots = [o.grad_fn for o in outputs if isinstance(o, Tensor) and o.grad_fn is not None]
    return {id(n.variable) for n in walk(roots) if isinstance(n, AccumulateGrad)}
