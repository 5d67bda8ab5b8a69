"""The command line: python -m ember info | autograd-tour | check-grads | demo | coverage.

(check-file is tested in tests/io/test_check_file.py.)
"""

import os
import subprocess
import sys

import pytest

ENV = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")


def run(*args, timeout=300):
    return subprocess.run(
        [sys.executable, "-m", "ember", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=ENV,
    )


def test_info():
    r = run("info")
    assert r.returncode == 0
    assert "ember 0.1.0" in r.stdout and "numpy" in r.stdout and "backends: cpu" in r.stdout


def test_coverage_lists_missing_names_with_file_and_line(tmp_path):
    script = tmp_path / "train.py"
    script.write_text(
        "import torch\nimport torch.nn as nn\nx = torch.zeros(2)\n"
        "y = torch.not_a_torch_function(x)\nm = nn.NotALayer()\n"
    )
    r = run("coverage", str(tmp_path))
    assert r.returncode == 1, r.stderr
    assert f"{script}:4: torch.not_a_torch_function" in r.stdout
    assert f"{script}:5: torch.nn.NotALayer" in r.stdout
    assert "torch.zeros" not in r.stdout
    assert "coverage" in run("--help").stdout


def test_autograd_tour_prints_seed_results():
    r = run("autograd-tour")
    assert r.returncode == 0, r.stderr
    assert "tensor(28., grad_fn=<MulBackward0>)" in r.stdout
    assert "tensor([ 0.,  4.,  8., 12.])" in r.stdout
    assert "tensor(11.)" in r.stdout


def test_bad_option_gets_argparse_error():
    r = run("demo", "--epochs", "zero")
    assert r.returncode == 2
    assert "invalid _positive_int value" in r.stderr or "--epochs" in r.stderr
    r = run("demo", "--epochs", "-1")
    assert r.returncode == 2 and "must be a positive integer" in r.stderr


def test_check_grads_passes_and_catches_a_broken_op(capsys):
    from ember.ops._spec import OpSpec
    from ember.ops.unary import Exp
    from ember.testing.check_grads import main

    assert main(only="exp,mul,sum") == 0

    class BrokenExp(Exp):
        def backward(self, grad):
            (out,) = self.saved_tensors
            return (grad * out * 1.01,)  # 1% off

    spec = OpSpec("broken_exp", lambda t, a: BrokenExp.apply(a), [((3,),)])
    capsys.readouterr()
    assert main(specs=[spec]) == 1
    out = capsys.readouterr().out
    assert "FAIL broken_exp" in out
    assert "Jacobian mismatch for output 0 with respect to input 0" in out
    assert "First mismatch" in out and "element" in out


def test_demo_end_to_end(tmp_path):
    pytest.importorskip("sklearn")
    out = tmp_path / "demo"
    r = run("demo", "--epochs", "3", "--quiet", "--out", str(out))
    assert r.returncode == 0, r.stderr
    acc = float(r.stdout.split("test accuracy: ")[1].split("%")[0])
    assert acc > 90.0
    assert (out / "model.ember").stat().st_size > 1000
    if "no matplotlib" not in r.stdout:
        assert (out / "history.png").read_bytes()[:4] == b"\x89PNG"
    if (out / "graph.svg").exists():
        import xml.etree.ElementTree as ET

        assert ET.parse(out / "graph.svg").getroot().tag.endswith("svg")
        assert (out / "graph.png").read_bytes()[:4] == b"\x89PNG"
    assert "wrote trained weights" in r.stdout


def test_demo_without_matplotlib_still_trains(tmp_path):
    pytest.importorskip("sklearn")
    blocker = tmp_path / "block" / "matplotlib"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text("raise ImportError('matplotlib blocked for the test')\n")
    env = dict(ENV, PYTHONPATH=os.pathsep.join([str(tmp_path / "block"), *sys.path]))
    out = tmp_path / "demo"
    r = subprocess.run(
        [sys.executable, "-m", "ember", "demo", "--epochs", "1", "--quiet", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert "no matplotlib" in r.stdout and 'pip install -e ".[demo]"' in r.stdout
    assert not (out / "history.png").exists() and (out / "model.ember").exists()


def test_demo_without_dot_program_saves_graph_source(tmp_path):
    pytest.importorskip("sklearn")
    pytest.importorskip("graphviz")
    env = dict(ENV, PATH=str(tmp_path / "empty"), PYTHONPATH=os.pathsep.join(sys.path))
    out = tmp_path / "demo"
    r = subprocess.run(
        [sys.executable, "-m", "ember", "demo", "--epochs", "1", "--quiet", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert r.returncode == 0, r.stderr
    assert "apt-get install graphviz" in r.stdout
    assert "digraph" in (out / "graph.dot").read_text()
    assert not (out / "graph.svg").exists()
