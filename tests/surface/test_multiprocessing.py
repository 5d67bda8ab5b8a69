"""``ember.multiprocessing``: tensors cross process boundaries; ``spawn`` reports failures."""

import pytest

import ember
import ember.multiprocessing as mp


def _double(queue_in, queue_out):
    t = queue_in.get()
    queue_out.put(t * 2)


def _worker(rank, queue, base):
    queue.put((rank, base + rank))


def _fails(rank):
    if rank == 1:
        raise ValueError("rank one fails")


def _exits(rank):
    import os

    os._exit(3)


def test_namespace_is_multiprocessing():
    import multiprocessing

    for name in ["Process", "Queue", "SimpleQueue", "Pool", "get_context", "cpu_count"]:
        assert hasattr(mp, name)
    assert mp.cpu_count() == multiprocessing.cpu_count()
    assert mp.get_all_start_methods() == multiprocessing.get_all_start_methods()


def test_tensor_through_a_queue():
    ctx = mp.get_context("fork")
    q_in, q_out = ctx.Queue(), ctx.Queue()
    p = ctx.Process(target=_double, args=(q_in, q_out))
    p.start()
    x = ember.arange(6.0).reshape(2, 3)
    q_in.put(x)
    y = q_out.get(timeout=30)
    p.join(30)
    assert p.exitcode == 0
    assert isinstance(y, ember.Tensor) and ember.equal(y, x * 2)


def test_spawn_runs_every_rank():
    ctx = mp.get_context("fork")
    q = ctx.SimpleQueue()
    assert mp.spawn(_worker, args=(q, ember.tensor(10.0)), nprocs=2, start_method="fork") is None
    got = sorted((r, v.item()) for r, v in (q.get(), q.get()))
    assert got == [(0, 10.0), (1, 11.0)]


def test_spawn_without_join_returns_a_context():
    ctx = mp.get_context("fork")
    q = ctx.SimpleQueue()
    pc = mp.spawn(_worker, args=(q, 0), nprocs=1, join=False, start_method="fork")
    assert isinstance(pc, mp.ProcessContext) and len(pc.pids()) == 1
    while not pc.join():
        pass
    assert q.get() == (0, 0)


def test_spawn_reraises_a_child_error():
    with pytest.raises(mp.ProcessRaisedException, match="rank one fails") as info:
        mp.spawn(_fails, nprocs=2, start_method="fork")
    assert info.value.error_index == 1
    assert "-- Process 1 terminated with the following error:" in str(info.value)


def test_spawn_reports_an_exit_code():
    with pytest.raises(mp.ProcessExitedException, match="exit code 3") as info:
        mp.spawn(_exits, nprocs=1, start_method="fork")
    assert info.value.exit_code == 3


def test_spawn_with_the_spawn_start_method():
    ctx = mp.get_context("spawn")
    q = ctx.SimpleQueue()
    mp.spawn(_worker, args=(q, ember.ones(2)), nprocs=1)
    rank, value = q.get()
    assert rank == 0 and ember.equal(value, ember.ones(2))


def test_sharing_strategy():
    import torch.multiprocessing as tmp

    assert mp.get_all_sharing_strategies() == tmp.get_all_sharing_strategies()
    assert mp.get_sharing_strategy() == tmp.get_sharing_strategy()
    mp.set_sharing_strategy("file_system")
    assert mp.get_sharing_strategy() == "file_system"
    mp.set_sharing_strategy("file_descriptor")
    with pytest.raises(AssertionError):
        mp.set_sharing_strategy("nope")
