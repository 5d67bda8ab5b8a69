"""The benchmark harness runs end to end (``python -m benchmarks --quick``); no timing asserted."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = dict(
    os.environ,
    PYTHONPATH=os.pathsep.join(
        [os.path.join(ROOT, "src"), ROOT]
        + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
    ),
)


@pytest.mark.slow  # one check and one timing process per library for every workload: ~8 s
def test_quick_run_prints_a_row_per_workload(tmp_path):
    from benchmarks.workloads import WORKLOADS

    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(ROOT, "src"), ROOT] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])
    )
    out = tmp_path / "bench.json"
    p = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", "--json", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    rows = [line for line in p.stdout.splitlines() if line.startswith("| W")]
    for name in WORKLOADS:
        assert any(line.startswith(f"| {name} |") for line in rows), (name, p.stdout)
    assert "CHECK FAILED" not in p.stdout
    assert out.exists()


def _quick_run(*args):
    return subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick", *args],
        cwd=ROOT,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.slow  # a quick harness run
def test_quick_run_reports_a_skipped_case_without_failing():
    from benchmarks.common import get, load

    p = _quick_run("--only", "W9")
    assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
    assert "CHECK FAILED" not in p.stdout
    hand = [line for line in p.stdout.splitlines() if line.startswith("| W9 | step |")]
    assert len(hand) == 1 and "skipped" not in hand[0], p.stdout
    sdpa = [line for line in p.stdout.splitlines() if line.startswith("| W9 | sdpa step |")]
    assert len(sdpa) == 1, p.stdout
    # The floor is shared with the hand-written row; Ember's cell depends on whether it has
    # scaled_dot_product_attention yet.
    assert sdpa[0].split("|")[6].strip() == "skipped"
    has_sdpa = get(load("ember"), "nn.functional.scaled_dot_product_attention") is not None
    assert ("skipped" in sdpa[0].split("|")[4]) != has_sdpa


@pytest.mark.parametrize("name", ["W8", "W9", "W10", "W11"])
def test_new_workloads_agree_with_pytorch_and_the_numpy_floor(name):
    """The check phase, in process, at the smoke-run sizes."""
    torch = pytest.importorskip("torch")
    from benchmarks import run
    from benchmarks.common import Unavailable

    threads = torch.get_num_threads()
    mod = run._module(name)
    try:
        for case in run._check_cases(name, True):
            got = {}
            for impl in ("numpy", "torch", "ember"):
                try:
                    got[impl] = mod.check(impl, case, True)
                except Unavailable:  # only Ember's SDPA path may be missing
                    assert (case["id"], impl) == ("W9 sdpa", "ember")
            assert any(k.endswith("loss") for k in got["numpy"])
            assert sum(".grad." in k or k.startswith("grad.") for k in got["numpy"]) >= 5
            failures = []
            for impl in ("torch", "ember"):
                if impl in got:
                    run._compare(name, case["id"], impl, got[impl], got["numpy"], "numpy", failures)
            if "ember" in got:
                run._compare(
                    name, case["id"], "ember", got["ember"], got["torch"], "torch", failures
                )
            assert failures == []
    finally:
        torch.set_num_threads(threads)


def test_check_compares_with_the_workload_tolerance():
    import numpy as np

    from benchmarks import run

    # W9 checks float64 results tightly and float32 ones with the harness default.
    assert run._tol("W9", "float64.param.lm_head.weight") == {"rtol": 1e-7, "atol": 1e-9}
    assert run._tol("W9", "float32.loss") == run.TOL
    ref = {"float64.loss": np.array(1.0), "float32.loss": np.array(1.0, np.float32)}
    close = {"float64.loss": np.array(1.0 + 1e-6), "float32.loss": np.array(1.00001, np.float32)}
    failures = []
    run._compare("W9", "W9", "ember", close, ref, "torch", failures)
    assert len(failures) == 1 and "float64.loss" in failures[0] and "PyTorch" in failures[0]
    failures = []
    run._compare("W9", "W9", "ember", {"float64.loss": np.ones(2)}, ref, "numpy", failures)
    assert any("shape mismatch" in f for f in failures)
    assert any("float32.loss: shape mismatch" in f for f in failures)  # missing key


def test_unknown_workload_is_refused():
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([os.path.join(ROOT, "src"), ROOT])
    p = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--only", "W99"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert p.returncode != 0
    assert "unknown workload" in p.stderr


def _run_module(*args, timeout=120):
    """``python -m <args>`` from the repository root; asserts it succeeded, returns stdout."""
    r = subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                       timeout=timeout, cwd=ROOT, env=ENV)  # fmt: skip
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.slow  # a benchmark run
def test_autograd_features_benchmark_runs():
    out = _run_module("benchmarks.autograd_features", "--quick")
    assert "Anomaly mode" in out and "checkpointed" in out


@pytest.mark.slow  # starts MPI jobs
def test_ddp_scaling_benchmark_runs():
    pytest.importorskip("mpi4py")
    out = _run_module("benchmarks.ddp_scaling", "--quick", timeout=180)
    assert "scaling efficiency" in out and "overlap" in out


@pytest.mark.slow  # a benchmark run
def test_wide_graph_benchmark_runs():
    assert "ember  forward" in _run_module("benchmarks.wide_graph", "--n", "2000")


@pytest.mark.slow  # a benchmark run
def test_conv_paths_benchmark_runs_and_checks_both_paths_agree():
    out = _run_module("benchmarks.conv_paths", "--reps", "2")
    rows = [line for line in out.splitlines() if line.startswith("| (")]
    assert len(rows) == 6  # two shapes, three kernels; each asserted equal on both paths


@pytest.mark.slow  # a benchmark run (fresh processes)
def test_per_op_benchmark_prints_ember_and_pytorch_for_a_case():
    pytest.importorskip("torch")
    out = _run_module("benchmarks.per_op", "--reps", "200", "--only", "backward: leaf")
    rows = [line.split("|") for line in out.splitlines() if line.startswith("| backward")]
    assert len(rows) == 1
    ember_ns, torch_ns = float(rows[0][2]), float(rows[0][3])
    assert ember_ns > 0 and torch_ns > 0
