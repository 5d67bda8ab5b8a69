"""Run under MPI with 2 processes: every collective against the same sum done locally."""

import numpy as np

import ember
import ember.distributed as dist

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()
assert world == 2, world


def value(r, dtype=ember.float64):
    return ember.arange(4, dtype=dtype) + 10 * r


everyone = [value(r).numpy() for r in range(world)]

# all_reduce, every op, in place (same object, version bumped)
for op, ref in [
    (dist.ReduceOp.SUM, sum(everyone)),
    (dist.ReduceOp.AVG, sum(everyone) / world),
    (dist.ReduceOp.MAX, np.maximum(*everyone)),
    (dist.ReduceOp.MIN, np.minimum(*everyone)),
    (dist.ReduceOp.PRODUCT, everyone[0] * everyone[1]),
]:
    t = value(rank)
    v0 = t._version
    assert dist.all_reduce(t, op=op) is None
    np.testing.assert_allclose(t.numpy(), ref)
    assert t._version == v0 + 1
# integer dtype kept
ti = value(rank, ember.int64)
dist.all_reduce(ti)
assert ti.dtype == ember.int64 and ti.tolist() == (sum(everyone)).astype(int).tolist()
# async handle
t = value(rank)
work = dist.all_reduce(t, async_op=True)
assert work.wait() and work.is_completed()
np.testing.assert_allclose(t.numpy(), sum(everyone))
# broadcast
t = value(rank)
dist.broadcast(t, src=1)
np.testing.assert_allclose(t.numpy(), everyone[1])
# reduce to dst 0: others unchanged
t = value(rank)
dist.reduce(t, dst=0)
np.testing.assert_allclose(t.numpy(), sum(everyone) if rank == 0 else everyone[rank])
# all_gather
out = [ember.zeros(4, dtype=ember.float64) for _ in range(world)]
dist.all_gather(out, value(rank))
for r in range(world):
    np.testing.assert_allclose(out[r].numpy(), everyone[r])
# gather and scatter
gl = [ember.zeros(4, dtype=ember.float64) for _ in range(world)] if rank == 0 else None
dist.gather(value(rank), gl, dst=0)
if rank == 0:
    np.testing.assert_allclose(np.stack([g.numpy() for g in gl]), np.stack(everyone))
t = ember.zeros(4, dtype=ember.float64)
dist.scatter(t, [value(r) for r in range(world)] if rank == 0 else None, src=0)
np.testing.assert_allclose(t.numpy(), everyone[rank])
# reduce_scatter
t = ember.zeros(4, dtype=ember.float64)
dist.reduce_scatter(t, [value(rank) * (i + 1) for i in range(world)])
np.testing.assert_allclose(t.numpy(), sum(everyone) * (rank + 1))
# objects
objs = [None] * world
dist.all_gather_object(objs, {"rank": rank})
assert objs == [{"rank": 0}, {"rank": 1}]
lst = [rank, "x"] if rank == 0 else [None, None]
dist.broadcast_object_list(lst, src=0)
assert lst == [0, "x"]
# barrier and sub-groups
dist.barrier()
g = dist.new_group([0, 1])
t = value(rank)
dist.all_reduce(t, group=g)
np.testing.assert_allclose(t.numpy(), sum(everyone))
dist.destroy_process_group()
print(f"rank {rank}: collectives OK")
