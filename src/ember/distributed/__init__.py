"""``ember.distributed``: PyTorch's process-group API on MPI (through mpi4py).

Start the processes with ``mpirun -n 4 python train.py`` (or
``python -m ember.distributed.run -n 4 train.py``), then call
``init_process_group("mpi")``.  Collectives work in place on Ember tensors, as in
PyTorch.  No transport of Ember's own: every byte moves through MPI.
"""

from __future__ import annotations

import pickle
import sys

from ..backend import np
from .work import Work, completed

__all__ = [
    "ReduceOp",
    "init_process_group",
    "is_initialized",
    "is_available",
    "is_mpi_available",
    "get_rank",
    "get_world_size",
    "get_backend",
    "destroy_process_group",
    "barrier",
    "new_group",
    "all_reduce",
    "broadcast",
    "all_gather",
    "all_gather_object",
    "broadcast_object_list",
    "reduce",
    "gather",
    "scatter",
    "reduce_scatter",
    "Work",
]


class ReduceOp:
    """Reduction operations for ``all_reduce``, ``reduce`` and ``reduce_scatter``."""

    SUM = "sum"
    AVG = "avg"
    PRODUCT = "product"
    MIN = "min"
    MAX = "max"


class ProcessGroup:
    """A set of ranks sharing an MPI communicator."""

    def __init__(self, comm, ranks=None):
        self.comm = comm
        self.ranks = ranks

    def rank(self) -> int:
        """This process's rank within the group."""
        return self.comm.Get_rank()

    def size(self) -> int:
        """The number of processes in the group."""
        return self.comm.Get_size()


_state = {"world": None, "backend": None}


def _mpi():
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise RuntimeError(
            "ember.distributed needs mpi4py and an MPI library: "
            'pip install -e ".[dist]" (installs mpi4py and Open MPI)'
        ) from e
    return MPI


def is_available() -> bool:
    """True: the distributed package is part of every Ember build."""
    return True


def is_mpi_available() -> bool:
    """True when mpi4py (and so an MPI library) can be imported."""
    try:
        _mpi()
    except RuntimeError:
        return False
    return True


def is_initialized() -> bool:
    """True between ``init_process_group`` and ``destroy_process_group``."""
    return _state["world"] is not None


def _abort_on_uncaught(comm):
    # One rank failing must end the whole job rather than leave the others blocked in a
    # collective: print this rank's error, then abort every process.
    previous = sys.excepthook

    def hook(exc_type, exc, tb):
        sys.stderr.write(f"[ember.distributed] rank {comm.Get_rank()} failed:\n")
        previous(exc_type, exc, tb)
        sys.stderr.flush()
        comm.Abort(1)

    sys.excepthook = hook


def init_process_group(backend="mpi", init_method=None, timeout=None, world_size=-1, rank=-1,
                       store=None, group_name="", pg_options=None, device_id=None):  # fmt: skip
    """Join the default process group; rank and world size come from the MPI launcher."""
    if is_initialized():
        raise ValueError("trying to initialize the default process group twice!")
    if backend not in ("mpi", None, "gloo"):
        raise ValueError(
            f"Ember's distributed package runs on MPI: backend must be 'mpi', got {backend!r}"
        )
    MPI = _mpi()
    comm = MPI.COMM_WORLD
    if world_size not in (-1, None) and world_size != comm.Get_size():
        raise ValueError(
            f"world_size={world_size} but the MPI launcher started {comm.Get_size()} processes"
        )
    if rank not in (-1, None) and rank != comm.Get_rank():
        raise ValueError(f"rank={rank} but MPI assigned rank {comm.Get_rank()}")
    _state["world"] = ProcessGroup(comm)
    _state["backend"] = "mpi"
    _abort_on_uncaught(comm)


def _group(group):
    if group is not None:
        return group
    if _state["world"] is None:
        raise ValueError(
            "Default process group has not been initialized, please make sure to call "
            "init_process_group."
        )
    return _state["world"]


def get_rank(group=None) -> int:
    """This process's rank (in ``group``, default the world)."""
    return _group(group).rank()


def get_world_size(group=None) -> int:
    """The number of processes (in ``group``, default the world)."""
    return _group(group).size()


def get_backend(group=None) -> str:
    """The backend's name: ``'mpi'``."""
    _group(group)
    return _state["backend"]


def destroy_process_group(group=None) -> None:
    """Leave the default process group (MPI itself stays up until the process exits)."""
    if group is None or group is _state["world"]:
        _state["world"] = None
        _state["backend"] = None


def barrier(group=None, async_op=False, device_ids=None):
    """Block until every process in the group has reached this call."""
    comm = _group(group).comm
    if async_op:
        return Work(comm.Ibarrier())
    comm.Barrier()
    return None


def new_group(ranks=None, timeout=None, backend=None, pg_options=None):
    """A group of the given world ranks (all ranks call it; non-members get a non-member)."""
    world = _group(None)
    ranks = sorted(range(world.size()) if ranks is None else ranks)
    color = 0 if world.rank() in ranks else _mpi().UNDEFINED
    sub = world.comm.Split(color, ranks.index(world.rank()) if world.rank() in ranks else 0)
    if sub == _mpi().COMM_NULL:
        return _NonMember(ranks)
    return ProcessGroup(sub, ranks)


class _NonMember(ProcessGroup):
    """What ``new_group`` returns to ranks outside the group."""

    def __init__(self, ranks):
        super().__init__(None, ranks)

    def rank(self):
        return -1

    def size(self):
        return len(self.ranks)


# ----- collectives on tensors --------------------------------------------------------------
def _array(tensor, name="tensor"):
    from ..tensor import Tensor

    if not isinstance(tensor, Tensor):
        raise TypeError(f"{name} must be a Tensor, got {type(tensor).__name__}")
    data = tensor._data
    if not data.flags.c_contiguous:
        raise ValueError("Tensors must be contiguous")
    return data


def _bump(tensor):

    tensor._bump_version("a collective")


def _mpi_op(op):
    MPI = _mpi()
    table = {
        ReduceOp.SUM: MPI.SUM,
        ReduceOp.AVG: MPI.SUM,
        ReduceOp.PRODUCT: MPI.PROD,
        ReduceOp.MIN: MPI.MIN,
        ReduceOp.MAX: MPI.MAX,
    }
    if op not in table:
        raise ValueError(f"unknown reduce op {op!r}; use ember.distributed.ReduceOp")
    return table[op]


def _after_reduce(tensor, data, op, n):
    """What ends a reduction into ``tensor``: AVG divides ``data`` by ``n``, then a version bump."""
    if op != ReduceOp.AVG:
        return lambda: _bump(tensor)

    def done():
        if data.dtype.kind in "iu":
            np.floor_divide(data, n, out=data)
        else:
            np.divide(data, n, out=data)
        _bump(tensor)

    return done


def _run(async_op, done, blocking, nonblocking, *args, **kwargs):
    """Run an MPI collective: ``nonblocking`` as a ``Work`` with ``async_op``, else ``blocking``
    then ``done``."""
    if async_op:
        return Work(nonblocking(*args, **kwargs), done)
    blocking(*args, **kwargs)
    done()
    return None


def all_reduce(tensor, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across all processes, in place, so every rank holds the result."""
    g = _group(group)
    data = _array(tensor)
    MPI = _mpi()
    after = _after_reduce(tensor, data, op, g.size())
    return _run(
        async_op, after, g.comm.Allreduce, g.comm.Iallreduce, MPI.IN_PLACE, data, op=_mpi_op(op)
    )


def broadcast(tensor, src, group=None, async_op=False):
    """Copy ``tensor`` from rank ``src`` to every process, in place."""
    g = _group(group)
    data = _array(tensor)
    return _run(async_op, lambda: _bump(tensor), g.comm.Bcast, g.comm.Ibcast, data, root=src)


def reduce(tensor, dst, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``tensor`` across processes into rank ``dst``'s tensor (others unchanged)."""
    g = _group(group)
    data = _array(tensor)
    MPI = _mpi()
    is_root = g.rank() == dst
    send = MPI.IN_PLACE if is_root else data
    recv = data if is_root else None
    after = _after_reduce(tensor, data, op, g.size()) if is_root else (lambda: None)
    return _run(
        async_op, after, g.comm.Reduce, g.comm.Ireduce, send, recv, op=_mpi_op(op), root=dst
    )


def all_gather(tensor_list, tensor, group=None, async_op=False):
    """Fill ``tensor_list[i]`` with rank i's ``tensor`` on every process."""
    g = _group(group)
    data = _array(tensor)
    if len(tensor_list) != g.size():
        raise ValueError(
            f"all_gather: tensor_list has {len(tensor_list)} entries for {g.size()} processes"
        )
    buf = np.empty((g.size(),) + data.shape, dtype=data.dtype)

    def done():
        for i, t in enumerate(tensor_list):
            _array(t, "tensor_list[i]")[...] = buf[i]
            _bump(t)

    return _run(async_op, done, g.comm.Allgather, g.comm.Iallgather, data, buf)


def gather(tensor, gather_list=None, dst=0, group=None, async_op=False):
    """Collect every rank's ``tensor`` into ``gather_list`` on rank ``dst``."""
    g = _group(group)
    data = _array(tensor)
    is_root = g.rank() == dst
    if is_root and (gather_list is None or len(gather_list) != g.size()):
        raise ValueError("gather: the destination rank must pass a gather_list, one per rank")
    buf = np.empty((g.size(),) + data.shape, dtype=data.dtype) if is_root else None

    def done():
        if is_root:
            for i, t in enumerate(gather_list):
                _array(t)[...] = buf[i]
                _bump(t)

    return _run(async_op, done, g.comm.Gather, g.comm.Igather, data, buf, root=dst)


def scatter(tensor, scatter_list=None, src=0, group=None, async_op=False):
    """Send ``scatter_list[i]`` from rank ``src`` into rank i's ``tensor``."""
    g = _group(group)
    data = _array(tensor)
    if g.rank() == src:
        if scatter_list is None or len(scatter_list) != g.size():
            raise ValueError("scatter: the source rank must pass a scatter_list, one per rank")
        send = np.ascontiguousarray(np.stack([_array(t) for t in scatter_list]))
    else:
        send = None

    return _run(
        async_op, lambda: _bump(tensor), g.comm.Scatter, g.comm.Iscatter, send, data, root=src
    )


def reduce_scatter(output, input_list, op=ReduceOp.SUM, group=None, async_op=False):
    """Reduce ``input_list`` across ranks; rank i gets the reduction of everyone's item i."""
    g = _group(group)
    out = _array(output, "output")
    if len(input_list) != g.size():
        raise ValueError("reduce_scatter: input_list needs one tensor per rank")
    send = np.ascontiguousarray(np.stack([_array(t) for t in input_list]))
    after = _after_reduce(output, out, op, g.size())
    return _run(async_op, after, g.comm.Reduce_scatter_block, g.comm.Ireduce_scatter_block, send,
                out, op=_mpi_op(op))  # fmt: skip


def all_gather_object(object_list, obj, group=None):
    """Fill ``object_list[i]`` with rank i's picklable ``obj``.

    Like PyTorch's, this uses pickle: only exchange objects between processes you trust.
    """
    g = _group(group)
    gathered = g.comm.allgather(pickle.dumps(obj))
    for i, b in enumerate(gathered):
        object_list[i] = pickle.loads(b)  # noqa: S301 - our own job's processes


def broadcast_object_list(object_list, src=0, group=None, device=None):
    """Replace ``object_list``'s items on every rank with rank ``src``'s (pickled) items."""
    g = _group(group)
    payload = pickle.dumps(list(object_list)) if g.rank() == src else None
    items = pickle.loads(g.comm.bcast(payload, root=src))  # noqa: S301
    for i, v in enumerate(items):
        object_list[i] = v


_ = completed
