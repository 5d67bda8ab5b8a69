"""DataLoader workers that die, and main processes that die: nothing hangs, nothing lingers.

Each scenario runs in its own Python process with a time limit, so a regression shows up as
a failed test rather than a hung test run.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from ember.utils.data import DataLoader, Dataset

LIMIT = 20  # seconds; reached only by a hang

_EXITING = textwrap.dedent(
    """
    import os, signal, sys
    import {lib} as torch
    from {lib}.utils.data import DataLoader, Dataset

    class Exits(Dataset):
        def __len__(self):
            return 8

        def __getitem__(self, i):
            if i == 5:
                {action}
            return i

    # Plain lists as batches: PyTorch would share tensors through file descriptors that
    # a dead worker can no longer hand over, and fail differently at random.
    try:
        for _ in DataLoader(Exits(), batch_size=1, num_workers=2, collate_fn=list):
            pass
    except RuntimeError as e:
        print("RuntimeError:", e)
    else:
        print("no error")
    """
)

_ACTIONS = {
    "os._exit(0)": "exited with code 0",
    "sys.exit()": "exited with code 0",
    "os._exit(3)": "exited with code 3",
    "os.kill(os.getpid(), signal.SIGKILL)": "was killed by signal SIGKILL",
}


def _run(script, lib="ember"):
    return subprocess.run(
        [sys.executable, "-c", script.format(lib=lib)],
        capture_output=True,
        text=True,
        timeout=LIMIT,
    )


@pytest.mark.parametrize("action", list(_ACTIONS))
def test_a_worker_that_exits_is_reported(action):
    r = _run(_EXITING.replace("{action}", action))
    assert r.returncode == 0, r.stderr
    m = re.match(
        r"RuntimeError: DataLoader worker \(pid\(s\) (\d+)\) exited unexpectedly", r.stdout
    )
    assert m, r.stdout + r.stderr
    assert f"(pid {m.group(1)}) {_ACTIONS[action]}" in r.stdout


@pytest.mark.slow
def test_a_worker_that_exits_is_reported_as_pytorch_does():
    # PyTorch notices a clean exit only at its next 5-second status check.
    pytest.importorskip("torch")
    theirs = _run(_EXITING.replace("{action}", "os._exit(0)"), "torch")
    ours = _run(_EXITING.replace("{action}", "os._exit(0)"))
    pattern = r"RuntimeError: DataLoader worker \(pid\(s\) \d+\) exited unexpectedly"
    assert re.match(pattern, theirs.stdout) and re.match(pattern, ours.stdout)


_ORPHANING = textwrap.dedent(
    """
    import os, time
    from ember.utils.data import DataLoader, Dataset

    class Slow(Dataset):
        def __len__(self):
            return 100

        def __getitem__(self, i):
            if i >= 2:
                time.sleep({sleep})
            return os.getpid()

    it = iter(DataLoader(Slow(), batch_size=1, num_workers=2))
    print(int(next(it)), int(next(it)), flush=True)
    next(it)  # both workers are now asleep in the dataset
    """
)


def _alive(pid):
    """True while ``pid`` runs (a zombie nobody has reaped yet counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


@pytest.mark.skipif(not os.path.isdir("/proc/self"), reason="reads process states from /proc")
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_workers_exit_when_the_main_process_is_killed(sig):
    p = subprocess.Popen(
        [sys.executable, "-c", _ORPHANING.format(sleep=LIMIT)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    pids = []
    try:
        pids = [int(s) for s in p.stdout.readline().split()]
        assert len(set(pids)) == 2, p.stderr.read()
        time.sleep(0.2)  # let the workers settle into the dataset
        p.send_signal(sig)
        p.wait(LIMIT)
        deadline = time.monotonic() + 5
        while any(map(_alive, pids)) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not any(map(_alive, pids)), "workers outlived the main process"
    finally:
        p.kill()
        p.wait()
        for pid in pids:  # only on failure: do not leave the orphans behind
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)


class _Pids(Dataset):
    def __len__(self):
        return 64

    def __getitem__(self, i):
        return os.getpid()


def test_breaking_the_loop_ends_the_workers():
    before = {p.pid for p in multiprocessing.active_children()}
    seen = set()
    for batch in DataLoader(_Pids(), batch_size=2, num_workers=2):
        seen = {p.pid for p in multiprocessing.active_children()} - before
        assert int(batch[0]) in seen
        break
    assert len(seen) == 2
    assert not seen & {p.pid for p in multiprocessing.active_children()}


class _Sleepy(Dataset):
    def __len__(self):
        return 4

    def __getitem__(self, i):
        time.sleep(0.6)
        return i


def test_timeout_raises_and_ends_the_workers():
    before = {p.pid for p in multiprocessing.active_children()}
    loader = DataLoader(_Sleepy(), batch_size=1, num_workers=1, timeout=0.1)
    with pytest.raises(RuntimeError, match=r"DataLoader timed out after 0.1 seconds"):
        next(iter(loader))
    assert {p.pid for p in multiprocessing.active_children()} <= before
