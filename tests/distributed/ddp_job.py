"""Run under MPI with 2 processes: DDP on half batches == one process on full batches."""

import copy

import numpy as np

import ember
import ember.distributed as dist
import ember.nn as nn
from ember.nn.parallel import DistributedDataParallel as DDP

dist.init_process_group("mpi")
rank, world = dist.get_rank(), dist.get_world_size()


class WithUnused(nn.Module):
    """A model holding a layer its forward never uses."""

    def __init__(self, body):
        super().__init__()
        self.body = body
        self.unused = nn.Linear(3, 3).double()

    def forward(self, x):
        return self.body(x)


def make_model(extra_unused=False):
    ember.manual_seed(1234 + rank)  # different on each rank: DDP must broadcast rank 0's
    m = nn.Sequential(nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 3)).double()
    return WithUnused(m) if extra_unused else m


rng = np.random.default_rng(0)
X = ember.tensor(rng.standard_normal((20, 16, 5)))
Y = ember.tensor(rng.standard_normal((20, 16, 3)))
half = slice(rank * 8, (rank + 1) * 8)


def check(accumulate):
    model = make_model()
    ddp = DDP(model, bucket_cap_mb=0.0001)  # tiny buckets: several all-reduces in flight
    ref = copy.deepcopy(model)  # after DDP's broadcast: the same start everywhere
    opt = ember.optim.SGD(ddp.parameters(), lr=0.1, momentum=0.9)
    ref_opt = ember.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    for step in range(20):
        x, y = X[step], Y[step]
        opt.zero_grad()
        if accumulate:
            quarters = (slice(rank * 8, rank * 8 + 4), slice(rank * 8 + 4, rank * 8 + 8))
            with ddp.no_sync():
                (((ddp(x[quarters[0]]) - y[quarters[0]]) ** 2).mean() / 2).backward()
            (((ddp(x[quarters[1]]) - y[quarters[1]]) ** 2).mean() / 2).backward()
        else:
            ((ddp(x[half]) - y[half]) ** 2).mean().backward()
        opt.step()
        ref_opt.zero_grad()
        ((ref(x) - y) ** 2).mean().backward()
        ref_opt.step()
    worst = 0.0
    for p, q in zip(model.parameters(), ref.parameters()):
        a, b = p.detach().numpy(), q.detach().numpy()
        worst = max(worst, float(np.max(np.abs(a - b) / (np.abs(b) + 1e-12))))
    assert worst < 1e-6, (accumulate, worst)
    # every rank holds the same parameters
    flat = np.concatenate([p.detach().numpy().ravel() for p in model.parameters()])
    gathered = [None] * world
    dist.all_gather_object(gathered, flat)
    assert all(np.array_equal(gathered[0], g) for g in gathered)
    return worst


w1 = check(accumulate=False)
w2 = check(accumulate=True)

# An unused parameter: PyTorch's error at the next forward, naming it (Ember adds the name).
model = make_model(extra_unused=True)
ddp = DDP(model)
((ddp(X[0][half]) - Y[0][half]) ** 2).mean().backward()
try:
    ddp(X[0][half])
    raise AssertionError("expected an error about unused parameters")
except RuntimeError as e:
    assert "Expected to have finished reduction in the prior iteration" in str(e)
    assert "unused.weight" in str(e) and "unused.bias" in str(e)
ddp = DDP(make_model(extra_unused=True), find_unused_parameters=True)
for _ in range(2):
    ((ddp(X[0][half]) - Y[0][half]) ** 2).mean().backward()

print(f"rank {rank}: DDP OK max relative difference {max(w1, w2):.2e}")
