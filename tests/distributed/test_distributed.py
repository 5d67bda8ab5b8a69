"""ember.distributed on 2 MPI processes, started by the project's own launcher."""

import os
import subprocess
import sys

import pytest

pytest.importorskip("mpi4py")

HERE = os.path.dirname(__file__)


def launch(script, *args, n=2, timeout=120):
    from ember.distributed.run import build_command, mpi_env

    env = mpi_env()
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(HERE, "..", "..", "src"), env.get("PYTHONPATH", "")]
    )
    env.setdefault("OMP_NUM_THREADS", "1")
    return subprocess.run(
        build_command(n, [os.path.join(HERE, script), *args]),
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


@pytest.mark.slow  # starts MPI jobs
def test_collectives_against_local_computation():
    r = launch("collectives_job.py")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "rank 0: collectives OK" in r.stdout and "rank 1: collectives OK" in r.stdout


@pytest.mark.slow  # starts MPI jobs
def test_failing_rank_ends_the_job_with_its_error():
    r = launch("failing_job.py", timeout=60)
    assert r.returncode != 0
    assert "rank 1 failed" in r.stderr and "ZeroDivisionError" in r.stderr


@pytest.mark.slow  # starts MPI jobs
def test_launcher_cli_runs_a_job(tmp_path):
    script = tmp_path / "hello.py"
    script.write_text(
        "import ember.distributed as d\nd.init_process_group('mpi')\n"
        "print('hello from', d.get_rank(), 'of', d.get_world_size())\n"
    )
    env = dict(os.environ, PYTHONPATH=os.path.join(HERE, "..", "..", "src"))
    r = subprocess.run(
        [sys.executable, "-m", "ember.distributed.run", "-n", "2", str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert "hello from 0 of 2" in r.stdout and "hello from 1 of 2" in r.stdout


def test_sampler_partitions_and_pads():
    from ember.utils.data import DistributedSampler

    data = list(range(10))
    parts = [list(DistributedSampler(data, 3, r, shuffle=False)) for r in range(3)]
    assert [len(p) for p in parts] == [4, 4, 4]
    assert set(sum(parts, [])) == set(range(10))  # padded with repeats of the start
    dropped = [
        list(DistributedSampler(data, 3, r, shuffle=False, drop_last=True)) for r in range(3)
    ]
    assert [len(p) for p in dropped] == [3, 3, 3] and len(set(sum(dropped, []))) == 9
    s = DistributedSampler(data, 2, 0, shuffle=True, seed=1)
    e0 = list(s)
    s.set_epoch(1)
    assert list(s) != e0  # a new order each epoch
    other = DistributedSampler(data, 2, 1, seed=1)
    other.set_epoch(1)
    assert sorted(list(s) + list(other)) == list(range(10))  # the replicas partition the data
    with pytest.raises(ValueError, match="Invalid rank 2"):
        DistributedSampler(data, 2, 2)


@pytest.mark.slow  # starts MPI jobs
def test_ddp_matches_single_process_training():
    pytest.importorskip("ember.nn")
    r = launch("ddp_job.py", timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "rank 0: DDP OK" in r.stdout and "rank 1: DDP OK" in r.stdout
