"""Differential fuzzing against PyTorch: a fixed-seed portion in CI, longer on request.

``python -m pytest tests/fuzz --fuzz-minutes 30`` runs random programs for 30 minutes
and prints ``N programs, M mismatches``.
"""

import time

import numpy as np
import pytest

import ember

from .programs import check_program, random_program

torch = pytest.importorskip("torch")

# Programs that once disagreed; each stays here as a regression test (by seed). These five
# mixed float32 and float64 and were compared at float64 precision (a checker bug).
REGRESSION_SEEDS = [39, 215, 338, 375, 740]


def _check_seed(seed):
    program = random_program(np.random.default_rng(seed))
    problems = check_program(program, ember, torch)
    assert not problems, f"seed {seed}:\n" + program.describe() + "\n" + "\n".join(problems)


@pytest.mark.parametrize("block", range(8))
def test_fixed_seed_programs(block):
    """2000 fixed programs (8 blocks of 250), the same in every CI run."""
    for seed in range(block * 250, (block + 1) * 250):
        _check_seed(seed)


@pytest.mark.parametrize("seed", REGRESSION_SEEDS)
def test_regressions(seed):
    _check_seed(seed)


def test_programs_in_threads():
    """Four threads check programs at once: per-thread grad mode and the shared engine hold."""
    import threading

    failures = []

    def work(seeds):
        for seed in seeds:
            problems = check_program(random_program(np.random.default_rng(seed)), ember, torch)
            if problems:
                failures.append((seed, problems))

    threads = [
        threading.Thread(target=work, args=(range(9000 + 40 * k, 9040 + 40 * k),)) for k in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures[:3]


@pytest.mark.slow
def test_fixed_long_run():
    """20,000 fixed programs (seeds 100,000-119,999): the long run docs/reliability.md quotes."""
    failures = []
    for seed in range(100_000, 120_000):
        problems = check_program(random_program(np.random.default_rng(seed)), ember, torch)
        if problems:
            failures.append((seed, problems))
    assert not failures, (len(failures), failures[:5])


def test_long_fuzz(request, capsys):
    minutes = request.config.getoption("--fuzz-minutes")
    if not minutes:
        pytest.skip("long fuzzing runs only with --fuzz-minutes N")
    deadline = time.monotonic() + 60 * minutes
    rng = np.random.default_rng(int(time.time()))
    count, failures = 0, []
    while time.monotonic() < deadline:
        seed = int(rng.integers(2**31))
        problems = check_program(random_program(np.random.default_rng(seed)), ember, torch)
        count += 1
        if problems:
            failures.append((seed, problems))
    with capsys.disabled():
        print(f"\n{count} programs, {len(failures)} mismatches")
        for seed, problems in failures[:20]:
            print(f"  seed {seed}: {problems[0]}")
    assert not failures
