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


def test_autograd_features_benchmark_runs():
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks.autograd_features", "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=ENV,
    )
    assert r.returncode == 0, r.stderr
    assert "Anomaly mode" in r.stdout and "checkpointed" in r.stdout


def test_ddp_scaling_benchmark_runs():
    pytest.importorskip("mpi4py")
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks.ddp_scaling", "--quick"],
        capture_output=True,
        text=True,
        timeout=180,
        cwd=ROOT,
        env=ENV,
    )
    assert r.returncode == 0, r.stderr
    assert "scaling efficiency" in r.stdout and "overlap" in r.stdout


def test_wide_graph_benchmark_runs():
    r = subprocess.run(
        [sys.executable, "-m", "benchmarks.wide_graph", "--n", "2000"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env=ENV,
    )
    assert r.returncode == 0, r.stderr
    assert "ember  forward" in r.stdout
